"""Sign-in end to end (#10): Streamlit's ``st.login`` against a local OIDC provider
(``oidc-provider-mock``, started here), in headless Chromium, with roles enforced on writes.

Before: "who" in the audit trail was whatever anyone typed in the sidebar, and anyone with
the URL could edit every project.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time

import pytest
from test_browser import CHROMIUM, _free_port, _nav, wait_for_port

from helpers import tiny_store
from workspace.access import Access, AccessDeniedError
from workspace.store import Store

ADMIN, BOB = "ana@example.org", "bob@example.org"


def _until(condition, timeout: float = 60) -> None:
    """Poll ``condition`` (the page writes in its own time) until true or ``timeout``."""
    deadline = time.time() + timeout
    while time.time() < deadline and not condition():
        time.sleep(0.5)


def _renames(store, key) -> list[str]:
    return [e["who"] for e in store.audit_log(key) if e["action"] == "set_cluster"]


def test_roles_are_enforced_by_the_store_itself(isolated_store):
    """The store checks every write (pages cannot skip it); without sign-in nothing is."""
    pid, key = tiny_store(isolated_store, explain=False)
    store = Store(isolated_store)
    store.set_cluster(key, 0, name="free for all", who="anyone")  # single-user: allowed
    store.access = Access(admins=frozenset({ADMIN}), default_role="viewer")
    for write in (lambda: store.set_cluster(key, 0, name="x", who=BOB),
                  lambda: store.label_points(key, ["p0"], label="y", who=BOB),
                  lambda: store.undo_last(key, who=BOB),
                  lambda: store.delete_project(pid, who=BOB),
                  lambda: store.set_member(pid, BOB, "admin", who=BOB),
                  lambda: store.set_cluster(key, 0, name="x", who=None)):
        with pytest.raises(AccessDeniedError):
            write()
    store.set_member(pid, BOB, "reviewer", who=ADMIN)
    store.set_cluster(key, 0, name="bob's", who=BOB)
    with pytest.raises(AccessDeniedError, match="needs the admin role"):
        store.delete_project(pid, who=BOB)
    own = store.create_project("bob's own", "demo:iris", who=BOB)
    assert store.members(own) == {BOB: "admin"}  # a creator manages their project


@pytest.fixture
def signin_server(tmp_path):
    """The mock OIDC provider and ``streamlit run app.py`` configured to use it."""
    provider_port, app_port = _free_port(), _free_port()
    provider = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port",
                                 str(provider_port)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.STDOUT)
    home = tmp_path / "home"
    pid, key = tiny_store(home)
    secrets = tmp_path / "secrets.toml"
    secrets.write_text(f"""
[auth]
redirect_uri = "http://127.0.0.1:{app_port}/oauth2callback"
cookie_secret = "{os.urandom(24).hex()}"
client_id = "clusterlab"
client_secret = "not-a-secret"
server_metadata_url = "http://127.0.0.1:{provider_port}/.well-known/openid-configuration"

[clusterlab]
admins = ["{ADMIN}"]
default_role = "viewer"
""")
    log = open(tmp_path / "streamlit.log", "w")  # noqa: SIM115 - closed below
    app = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(app_port),
         "--server.headless", "true", "--server.fileWatcherType", "none",
         "--secrets.files", str(secrets)],
        cwd=os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
        env={**os.environ, "CLUSTERLAB_HOME": str(home)}, stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_for_port(provider_port)
        wait_for_port(app_port)
        yield f"http://127.0.0.1:{app_port}", home, pid, key
    finally:
        app.terminate()
        provider.terminate()
        app.wait(timeout=20)
        provider.wait(timeout=20)
        log.close()


def _sign_in(page, url: str, who: str) -> None:
    page.goto(url)
    page.get_by_role("button", name="Sign in").click()
    page.locator("input[name=sub]").fill(who)  # the provider's authorisation form
    page.get_by_role("button", name="Authorize").click()
    # (an invisible word joiner before "@" keeps Streamlit from linking the address)
    page.get_by_text(re.compile("Signed in as " + re.escape(who).replace("@", "\u2060?@"))
                     ).wait_for()


@pytest.mark.slow
@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")
def test_sign_in_sets_who_and_roles_hold_in_the_browser(signin_server):
    from playwright.sync_api import TimeoutError as PlaywrightTimeout
    from playwright.sync_api import sync_playwright

    url, home, pid, key = signin_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox",
                                                                    "--disable-gpu"])
        # signed out: nothing of the projects is shown, also where the fresh server's first
        # request opens a page's address (Streamlit ran pages/export.py itself then, without
        # app.py and its sign-in, while the app's pages were in a folder named pages/)
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(120_000)
        for address in (url + "/export", url + "/assign", url):
            page.goto(address)
            page.get_by_role("button", name="Sign in").wait_for()
            assert page.locator(".clm-root").count() == 0
            body = page.inner_text("body")
            assert "tiny" not in body and "Prepare export" not in body, address

        # bob has the default role, viewer: he sees the map, his rename is refused
        _sign_in(page, url, BOB)
        page.wait_for_selector(".clm-root[data-ready='1']")
        assert page.get_by_label("Your name (for the audit trail)").count() == 0
        _nav(page, "Review")
        page.get_by_label("Name").first.fill("renamed by bob")
        page.get_by_role("button", name="Save").first.click()
        page.get_by_text(re.compile(r"are a viewer of project .tiny.")).wait_for()
        store = Store(home)
        assert _renames(store, key) == []
        page.get_by_role("button", name="Sign out").click()
        page.get_by_role("button", name="End session").click()  # the provider's page
        page.get_by_role("button", name="Sign in").wait_for()  # back, signed out
        page.close()

        # ana, an admin, renames; the audit trail names her identity
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(120_000)
        _sign_in(page, url, ADMIN)
        _nav(page, "Review")
        page.get_by_label("Name").first.fill("renamed by ana")
        page.get_by_role("button", name="Save").first.click()
        _until(lambda: _renames(store, key))
        assert _renames(store, key) == [ADMIN]
        # and gives bob the reviewer role from the Cluster page
        _nav(page, "Cluster")
        page.get_by_text("People and roles").click()
        page.get_by_label("E-mail (as they sign in)").fill(BOB)
        role = page.get_by_role("combobox", name="Role")
        role.scroll_into_view_if_needed()
        # the list did not open on CI once (a click while the page was still settling):
        # open it again rather than wait two minutes for an option that is not there
        for attempt in range(4):
            role.click()
            try:
                page.get_by_role("option", name="reviewer", exact=True).click(timeout=15_000)
                break
            except PlaywrightTimeout:
                if attempt == 3:
                    raise
                page.keyboard.press("Escape")
        page.get_by_role("button", name="Save").last.click()
        _until(lambda: BOB in store.members(pid))
        assert store.members(pid) == {BOB: "reviewer"}
        page.close()

        # now bob's rename is written, under his identity
        page = browser.new_page(viewport={"width": 1400, "height": 1400})
        page.set_default_timeout(120_000)
        _sign_in(page, url, BOB)
        _nav(page, "Review")
        page.get_by_label("Name").first.fill("renamed by bob")
        page.get_by_role("button", name="Save").first.click()
        _until(lambda: len(_renames(store, key)) >= 2)
        assert _renames(store, key) == [BOB, ADMIN]  # newest first
        page.close()
        browser.close()
