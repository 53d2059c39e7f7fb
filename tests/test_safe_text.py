"""ui.safe_text: user strings shown literally in Markdown (the browser test checks the
rendering; these check the escaping itself)."""

from __future__ import annotations

import re

from ui.safe_text import code, md


def test_md_escapes_every_markdown_and_directive_character():
    out = md("![t](http://x.org/a.png) [l](u) :red[x] **b** <i>h</i> # h\n- item a@b.com")
    assert "\n" not in out
    # no unescaped character that starts Markdown syntax or a directive remains
    assert not re.search(r"(?<!\\)[\[\]()!*:<>#@]", out.replace("\u2060", ""))
    assert "http:\u2060\\/\\/" in out.replace("\\:", ":") and "a\u2060\\@b" in out


def test_code_span_cannot_be_closed_by_the_name():
    assert code("a`b") == "`` a`b ``"
    assert code("plain") == "`plain`"
