"""What new users stumbled on (#12), in Chromium: the reviewer name kept across pages,
Clear selection clearing the map, the theme following the browser, ``/explore`` opening
Explore.

Shares ``tests/test_browser.py``'s server, browser and helpers (and its ``slow`` mark and
chromium skip).
"""

from __future__ import annotations

import re
import time

import pandas as pd
import pytest
import test_browser
from test_browser import _lasso, _map_state, _nav, _open, _selected

pytestmark = test_browser.pytestmark
server = test_browser.server  # this module's own server and browser (module-scoped)
chromium_browser = test_browser.chromium_browser


def test_the_reviewer_name_is_kept_across_pages_and_project_creation(server, chromium_browser,
                                                                      tmp_path):
    """#12 item 6: the name typed for the audit trail survives page changes and "Create
    project and cluster it" (the new project and its first job are written under it)."""
    url, home = server
    table = tmp_path / "name_kept.csv"
    pd.DataFrame({"a": range(40), "b": [i % 7 for i in range(40)]}).to_csv(table, index=False)
    page = _open(chromium_browser, url)
    box = page.get_by_label("Your name (for the audit trail)")
    box.fill("Dr. Ana Ruiz")
    box.press("Enter")
    time.sleep(1)
    for title in ("Data", "Cluster", "Review", "Explore", "Data"):
        _nav(page, title)
        assert box.input_value() == "Dr. Ana Ruiz", title
    page.locator("input[type=file]").set_input_files(str(table))
    page.get_by_role("button", name="Create project and cluster it").click()
    page.get_by_role("heading", name="Cluster").first.wait_for()
    time.sleep(1)
    assert box.input_value() == "Dr. Ana Ruiz"
    from workspace.store import Store

    made = [p for p in Store(home).projects() if p["name"].startswith("name_kept")]
    assert made and made[0]["created_by"] == "Dr. Ana Ruiz", made
    page.close()


def test_clear_selection_also_clears_the_map(server, chromium_browser):
    """#12 item 9: "Clear selection" empties the selection on the page and on the map (the
    lassoed points stayed highlighted)."""
    url, _ = server
    page = _open(chromium_browser, url)
    _lasso(page)
    assert _selected(page) > 10
    assert _map_state(page, "s.selection.length") > 10
    page.get_by_role("button", name="Clear selection").click()
    page.get_by_role("tab", name="Clusters").wait_for()
    deadline = time.time() + 20
    while time.time() < deadline and _map_state(page, "s.selection.length"):
        time.sleep(0.2)
    assert _map_state(page, "s.selection.length") == 0
    assert _map_state(page, "s.plot.get('selectedPoints').length") == 0
    page.close()


def _luminance(css: str) -> float:
    r, g, b = (float(v) for v in re.findall(r"[\d.]+", css)[:3])
    return (0.299 * r + 0.587 * g + 0.114 * b) / 255


@pytest.mark.parametrize("scheme", ["dark", "light"])
def test_the_theme_follows_the_browser(server, chromium_browser, scheme):
    """#12 item 10: the app and its map follow the browser's light/dark setting (the app
    was always light)."""
    url, _ = server
    page = chromium_browser.new_page(viewport={"width": 1500, "height": 1000},
                                     color_scheme=scheme)
    page.set_default_timeout(120_000)
    page.goto(url)
    root = page.locator(".clm-root[data-ready='1']")
    root.wait_for()
    app = page.evaluate("() => getComputedStyle(document.querySelector("
                        "'[data-testid=stApp]') || document.body).backgroundColor")
    stage = root.locator(".clm-stage").evaluate("e => getComputedStyle(e).backgroundColor")
    dark = scheme == "dark"
    assert (_luminance(app) < 0.3) == dark and (_luminance(stage) < 0.3) == dark, (app, stage)
    assert root.get_attribute("data-theme") == scheme
    page.close()


def test_the_explore_pages_own_address_opens_it(server, chromium_browser):
    """``/explore`` (as ``/data`` opens Data) said "Page not found" before running Explore
    at ``/``."""
    url, _ = server
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(120_000)
    page.goto(f"{url}/explore")
    page.wait_for_selector(".clm-root[data-ready='1']")
    page.wait_for_timeout(1000)  # Streamlit's "Page not found" came with the first draw
    assert "not found" not in page.inner_text("body").lower()
    assert page.url.split("?")[0].rstrip("/") == url.rstrip("/") and "project=" in page.url
    page.close()
