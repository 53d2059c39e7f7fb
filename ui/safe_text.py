"""The one choke point for user text in Streamlit's Markdown.

Project, cluster and file names, ids, text cells, column names, notes and error messages
(which quote file and column names) all reach ``st.markdown``, ``st.caption``, ``st.error``,
progress texts and labels, where Markdown would turn them into links, images fetched from
anywhere (tracking), or ``:red[...]`` colour directives. Every such string goes through
:func:`md` (shown literally) or :func:`code` (shown literally in monospace); nothing else in
the UI interpolates user text into Markdown.
"""

from __future__ import annotations

import re

__all__ = ["code", "md"]

_LINKISH = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?=@)", re.IGNORECASE)
"""Where Streamlit would turn plain text into a link (``http://…``, ``www.…``, e-mail
addresses, even after escaping): a word joiner (U+2060, invisible) goes there."""
_SPECIALS = re.compile(r"([\\`*_{}\[\]()#+\-.!|:<>~$&=\"'/@])")


def md(text) -> str:
    """``text`` as Markdown that renders it literally: every character Markdown or
    Streamlit's directives could act on is backslash-escaped, web and e-mail addresses are
    broken by an invisible word joiner (Streamlit links them even when escaped), and line
    breaks become spaces (a user string never starts a new block)."""
    flat = _LINKISH.sub("\u2060", " ".join(str(text).split("\n")))
    return _SPECIALS.sub(r"\\\1", flat)


def code(text) -> str:
    """``text`` as a literal Markdown code span (a fence longer than any run of backticks
    inside it, so the name cannot close it)."""
    flat = " ".join(str(text).split("\n"))
    longest = max((len(run) for run in re.findall(r"`+", flat)), default=0)
    fence = "`" * (longest + 1)
    return f"{fence} {flat} {fence}" if longest else f"{fence}{flat}{fence}"
