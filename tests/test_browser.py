"""Playwright in headless Chromium against `clusterlab app` on a free port.

Load the demo, lasso points on the map with the mouse, move them to a new named cluster,
export CSV and check the file; upload a bad CSV and see the error. Needs Debian's
``chromium`` (installed by ``.ci/run``); skipped without it unless
``CLUSTERLAB_BROWSER_TESTS=required``.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
if CHROMIUM is None and os.environ.get("CLUSTERLAB_BROWSER_TESTS") == "required":
    raise RuntimeError("Browser tests are required but no chromium is installed "
                       "(apt-get install -y chromium).")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(home: Path) -> tuple[subprocess.Popen, str]:
    """``clusterlab app`` (the README's way: ``streamlit run app.py`` with the app's modules
    imported first) on a free port with its store in ``home``."""
    port = _free_port()
    with open(home / "streamlit.log", "a") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "workspace.cli", "app", "--server.port",
             str(port), "--server.headless", "true", "--server.fileWatcherType", "none"],
            cwd=ROOT, env={**os.environ, "CLUSTERLAB_HOME": str(home)}, stdout=log,
            stderr=subprocess.STDOUT)
    wait_for_port(port)
    return proc, f"http://127.0.0.1:{port}"


def wait_for_port(port: int, timeout: float = 60) -> None:
    """Return once something listens on ``port`` (TimeoutError after ``timeout`` s)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.2)
    raise TimeoutError(f"nothing listens on port {port}")


def block_outside(page, url: str) -> list[str]:
    """Abort every request of ``page`` that is not to ``url`` (or a blob/data URL); the
    returned list fills with the aborted URLs."""
    blocked: list[str] = []

    def only_local(route):
        if route.request.url.startswith((url, "blob:", "data:")):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    page.route("**/*", only_local)
    return blocked


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    home = tmp_path_factory.mktemp("browserhome")
    proc, url = start_server(home)
    yield url, home
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="module")
def chromium_browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        yield b
        b.close()


def _open(browser, url):
    page = browser.new_page(viewport={"width": 1500, "height": 1000}, accept_downloads=True)
    page.set_default_timeout(120_000)
    page.goto(url)
    page.wait_for_selector(".clm-root[data-ready='1']")
    return page


def _nav(page, title):
    page.get_by_role("link", name=title).first.click()
    page.get_by_role("heading", name=title).first.wait_for()


def _lasso(page, fx0=0.5, fy0=0.55, r=0.22, box=False):
    """Drag a closed path (or, in box mode, a rectangle) over the map's canvas."""
    area = page.locator(".clm-stage canvas").bounding_box()
    cx, cy = area["x"] + area["width"] * fx0, area["y"] + area["height"] * fy0
    rx, ry = area["width"] * r, area["height"] * r
    page.mouse.move(cx - rx, cy - ry)
    page.mouse.down()
    corners = ((1, 1),) if box else ((1, -1), (1, 1), (-1, 1), (-1, -1))
    for fx, fy in corners:
        page.mouse.move(cx + fx * rx, cy + fy * ry, steps=8)
    page.mouse.up()


def _selected(page) -> int:
    heading = page.get_by_role("heading", name="Selection:")
    heading.wait_for()
    return int(heading.inner_text().split(":")[1].split("points")[0].replace(",", ""))


def _map_state(page, expression: str):
    """Evaluate ``expression`` on the map's state object (``s``) in the page."""
    return page.evaluate(f"() => {{ const s = [...window.__clusterlabMaps.values()][0]; "
                         f"return {expression}; }}")


def test_lasso_move_to_new_cluster_and_export(server, chromium_browser, tmp_path):
    url, home = server
    page = _open(chromium_browser, url)
    # the ids inside the lasso (a rectangle here), from the points' places on the screen;
    # points within 3 px of its edges may go either way
    area = page.locator(".clm-stage canvas").bounding_box()
    cx, cy, rx, ry = area["width"] * 0.5, area["height"] * 0.55, area["width"] * 0.22, \
        area["height"] * 0.22
    inside = _map_state(page, f"""[3, -3].map(m => s.ids.filter((_, i) => {{
        const [x, y] = s.plot.getScreenPosition(i);
        return Math.abs(x - {cx}) < {rx} + m && Math.abs(y - {cy}) < {ry} + m; }}))""")
    surely, maybe = set(inside[1]), set(inside[0])
    _lasso(page)
    selected = _selected(page)
    assert selected > 10
    time.sleep(1.5)
    # the README's picture is refreshed only on request, so a test run leaves the tree clean
    shot = ROOT / "assets" if os.environ.get("CLUSTERLAB_UPDATE_SCREENSHOTS") else tmp_path
    page.screenshot(path=str(shot / "screenshot-explore.png"))

    _nav(page, "Review")
    page.get_by_text(f"Current selection: {selected:,} points").wait_for()
    page.get_by_label("Name of the new cluster").fill("lasso group")
    page.get_by_role("button", name="Move selection").click()
    page.locator("[role=gridcell]", has_text="lasso group").first.wait_for(state="attached")

    _nav(page, "Export")
    page.get_by_role("button", name="Prepare export").click()
    page.get_by_role("button", name="Download").wait_for()
    with page.expect_download() as info:
        page.get_by_role("button", name="Download").click()
    target = tmp_path / "export.csv"
    info.value.save_as(target)
    frame = pd.read_csv(target)
    assert len(frame) == 1797
    assert (frame["label"] == "lasso group").sum() == selected
    assert (frame["cluster_name"] == "lasso group").sum() == selected
    moved = set(frame.loc[frame["label"] == "lasso group", "id"].astype(str))
    assert surely <= moved <= maybe  # exactly the lassoed ids reached Python and the store
    page.close()


def test_map_offline_colours_tooltip_additive_selection_and_click(server, chromium_browser):
    """The WebGL map: nothing leaves localhost, a colour change re-sends colours only,
    hover shows the point, box + additive lasso select, a click opens the cluster's card."""
    url, _ = server
    page = chromium_browser.new_page(viewport={"width": 1500, "height": 1000})
    page.set_default_timeout(120_000)
    outside = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(
        (url, "blob:", "data:", "http://localhost", "ws://127.0.0.1")) else None)
    page.goto(url)
    root = page.locator(".clm-root[data-ready='1']")
    root.wait_for()
    assert root.get_attribute("data-points") == "1797"
    assert root.get_attribute("data-position-uploads") == "1"
    names = page.locator(".clm-label").all_inner_texts()
    # proposed names (#12 item 4): distinct, visible words, in the legend too
    assert len(names) >= 8 and len(set(names)) == len(names)
    assert sum(n.startswith("cluster ") for n in names) <= 1, names
    assert names[0] in page.locator(".clm-legend").inner_text()

    # the whole map in the window (the search box and notes above it push it down)
    page.locator(".clm-stage").evaluate("e => e.scrollIntoView({block: 'end'})")
    area = page.locator(".clm-stage canvas").bounding_box()
    # hover the point farthest on the screen from any other (one drawn over it would take
    # the tooltip: in the demo rebuilt for PIPELINE_VERSION 12 point 233 covers point 5)
    lone = _map_state(page, """(() => {
        const n = s.ids.length, P = [];
        for (let i = 0; i < n; i++) P.push(s.plot.getScreenPosition(i));
        let best = 0, far = -1;
        for (let i = 0; i < Math.min(n, 300); i++) {
            let near = Infinity;
            for (let j = 0; j < n; j++) if (j !== i) near = Math.min(near,
                (P[i][0] - P[j][0]) ** 2 + (P[i][1] - P[j][1]) ** 2);
            if (near > far) { far = near; best = i; } }
        return best; })()""")
    x, y = _map_state(page, f"s.plot.getScreenPosition({lone})")
    page.mouse.move(area["x"] + x, area["y"] + y)
    tip = page.locator(".clm-tip")
    tip.wait_for(state="visible")
    assert "confidence" in tip.inner_text()
    ids = _map_state(page, "s.ids")
    assert tip.inner_text().splitlines()[0] == ids[lone]

    draws = int(root.get_attribute("data-draws"))
    _choose_plain(page, "Colour by", "confidence")
    page.wait_for_function(f"() => Number(document.querySelector('.clm-root')?.dataset.draws"
                           f" ?? [...window.__clusterlabMaps.values()][0].ui.root.dataset.draws)"
                           f" > {draws}")
    page.locator(".clm-ramp").wait_for()
    assert root.get_attribute("data-position-uploads") == "1"  # colours only, positions kept

    def around(row):  # fractions of the canvas at a point's place
        px, py = _map_state(page, f"s.plot.getScreenPosition({row})")
        return px / area["width"], py / area["height"]

    other = _map_state(page, "s.sections.cluster.findIndex(c => c !== s.sections.cluster[5])")
    page.get_by_role("button", name="Box", exact=True).click()
    _lasso(page, *around(5), 0.04, box=True)
    first = _selected(page)
    assert first > 0 and _map_state(page, "s.selection.length") == first
    page.get_by_role("button", name="Add to selection").click()
    page.get_by_role("button", name="Lasso", exact=True).click()
    _lasso(page, *around(other), 0.04)
    page.wait_for_function(f"() => [...window.__clusterlabMaps.values()][0].selection.length"
                           f" > {first}")
    total = _map_state(page, "s.selection.length")
    page.get_by_role("heading", name=f"Selection: {total:,} points").wait_for()

    page.get_by_role("button", name="Clear selection").click()
    page.get_by_role("tab", name="Clusters").wait_for()
    page.wait_for_function("() => [...window.__clusterlabMaps.values()][0].selection.length"
                           " === 0")
    # a point of one of the run's own clusters (an earlier test may have moved points into a
    # new cluster, which has no explanations yet)
    row = _map_state(page, "s.sections.cluster.findIndex(c => !['lasso group', 'noise']"
                           ".includes(s.meta.cluster_names[c]))")
    page.locator(".clm-stage").evaluate("e => e.scrollIntoView({block: 'end'})")
    area = page.locator(".clm-stage canvas").bounding_box()
    x, y = _map_state(page, f"s.plot.getScreenPosition({row})")
    cluster = _map_state(page, f"s.meta.cluster_names[s.sections.cluster[{row}]]")
    page.mouse.click(area["x"] + x, area["y"] + y)
    page.get_by_role("tab", name="Cluster card", selected=True).wait_for()
    page.get_by_role("heading", name=re.compile(rf"^{re.escape(cluster)} · \d+ points")).wait_for()
    assert not outside, outside
    page.close()


def test_map_draws_with_every_request_off_localhost_blocked(server, chromium_browser):
    """Offline: a page whose requests to anywhere but this server are refused still draws
    the map (nothing is fetched from a CDN)."""
    url, _ = server
    page = chromium_browser.new_page(viewport={"width": 1400, "height": 900})
    page.set_default_timeout(120_000)
    blocked = block_outside(page, url)
    page.goto(url)
    page.wait_for_selector(".clm-root[data-ready='1']")
    assert int(page.locator(".clm-root").get_attribute("data-points")) == 1797
    assert not blocked, blocked
    page.close()


def test_a_run_opened_by_deep_link_draws_that_runs_map(chromium_browser, tmp_path):
    """``?project=NAME&run=KEY`` in the browser (the link a reviewer shares) draws that run's
    map, not the project's latest run. (Its own store and server: opening a project makes it
    the one the next visitor sees, which the other tests expect to be the demo.)"""
    import json

    import numpy as np

    home = tmp_path / "linkhome"
    home.mkdir()
    rng = np.random.default_rng(0)
    group = rng.integers(0, 3, 300)
    frame = pd.DataFrame(rng.normal(size=(300, 4)) + group[:, None] * 4.0,
                         columns=["a", "b", "c", "d"])
    path = tmp_path / "shared.csv"
    frame.to_csv(path, index=False)
    keys = []
    for k in (3, 5):  # the k=5 run is the latest; the link names the k=3 one
        out = tmp_path / f"out-{k}"
        subprocess.run([sys.executable, "-m", "workspace.cli", "--store", str(home), "run",
                        "--data", str(path), "--method", "kmeans", "--clusters", str(k),
                        "--project", "shared link", "--out", str(out)], cwd=ROOT, check=True,
                       stdout=subprocess.DEVNULL)
        keys.append(json.loads((out / "run.json").read_text())["key"])
    proc, url = start_server(home)
    try:
        page = chromium_browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(120_000)
        page.goto(f"{url}/?project=shared%20link&run={keys[0]}")
        page.wait_for_selector(".clm-root[data-ready='1']")
        assert _map_state(page, "s.meta.run") == keys[0]
        assert _map_state(page, "s.meta.n") == 300
        assert len(_map_state(page, "s.meta.cluster_names")) == 3
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _choose_plain(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()


def test_a_file_of_another_type_gets_a_sentence_on_the_page(server, chromium_browser,
                                                           tmp_path):
    """#12 item 8: a .docx was refused only by the browser, with its MIME type in a hover
    tooltip; now the page says in one sentence what clusterlab reads."""
    url, _ = server
    wrong = tmp_path / "notes.docx"
    wrong.write_bytes(b"PK\x03\x04 not what clusterlab reads")
    page = _open(chromium_browser, url)
    _nav(page, "Data")
    page.locator("input[type=file]").set_input_files(str(wrong))
    page.get_by_text("'notes.docx' is not a type clusterlab reads").wait_for()
    assert "application/" not in page.inner_text("body")
    page.close()


def test_bad_csv_upload_shows_error(server, chromium_browser, tmp_path):
    url, _ = server
    bad = tmp_path / "broken.csv"
    bad.write_text("height,weight\n1.7,70\n1.8,abc\n" + "1.6,60\n" * 30)
    page = _open(chromium_browser, url)
    _nav(page, "Data")
    page.locator("input[type=file]").set_input_files(str(bad))
    alert = page.get_by_text("column 'weight' holds numbers except 1 value(s)")
    alert.wait_for()
    assert "Traceback" not in page.content()
    page.close()


def _choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option").filter(has_text=re.compile(f"^{re.escape(option)} ")).click()


def _submit_run(page, method: str, clusters: int, epochs: int = 0) -> None:
    _nav(page, "Cluster")
    _choose(page, "Method", method)
    page.get_by_role("spinbutton", name="Clusters (0 = choose automatically)").fill(str(clusters))
    if epochs:
        page.get_by_role("spinbutton", name="Training epochs for deep methods "
                         "(0 = method default)").fill(str(epochs))
    page.get_by_role("button", name="Run", exact=True).click()
    page.get_by_role("heading", name="Background jobs").wait_for()


def test_run_goes_to_a_background_job_and_the_page_follows_it(server, chromium_browser):
    url, home = server
    page = _open(chromium_browser, url)
    _submit_run(page, "gmm", 10)
    page.get_by_text("Finished: gmm on demo:digits (seed 0) — now shown.").wait_for()
    from workspace import jobs
    from workspace.store import Store

    done = [j for j in jobs.list_jobs(Store(home)) if j["config"].get("method") == "gmm"]
    assert done and done[0]["state"] == "done" and done[0]["pid"] != os.getpid()
    page.close()


def test_killed_server_and_worker_leave_a_resumable_job(chromium_browser, tmp_path):
    """Kill the app and its worker mid-training (SIGKILL, as a crash or power cut would);
    after a restart the Cluster page offers Resume, which continues the job."""
    from workspace import jobs
    from workspace.store import Store

    home = tmp_path / "home"
    home.mkdir()
    proc, url = start_server(home)
    page = _open(chromium_browser, url)
    _submit_run(page, "dec", 10, epochs=2000)
    # the demo's explanations job may still be listed with its own Cancel button
    page.get_by_role("button", name="Cancel").first.wait_for()
    page.get_by_text("dec on demo:digits").wait_for()
    store = Store(home)
    deadline = time.time() + 120
    while time.time() < deadline:
        active = [j for j in jobs.list_jobs(store, states=jobs.ACTIVE) if j["kind"] == "run"]
        if active and active[0]["stage"] == "cluster":
            break
        time.sleep(0.2)
    worker = active[0]["pid"]
    proc.kill()
    os.kill(worker, signal.SIGKILL)
    proc.wait(timeout=20)
    page.close()

    proc, url = start_server(home)
    try:
        page = _open(chromium_browser, url)
        _nav(page, "Cluster")
        page.get_by_text("was interrupted").wait_for()
        page.get_by_role("button", name="Resume").click()
        cancel = page.locator(f".st-key-cancel-{active[0]['id']}").get_by_role(
            "button", name="Cancel")
        cancel.wait_for()
        job = jobs.get(store, active[0]["id"])
        assert job["state"] in jobs.ACTIVE and job["attempts"] == 1
        cancel.click()
        page.get_by_text("was cancelled").wait_for()
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)


HOSTILE = "![t](http://evil.example/t.png) [click](http://evil.example/a) :red[spoof] <b>x</b>"


def _hostile_text_store(home: Path) -> None:
    """A text project whose name, first cluster's name, ids and texts carry Markdown that
    would fetch an image, render a link and colour text."""
    from clustering.pipeline import RunConfig
    from workspace.explanations import ensure_explanations
    from workspace.runs import ensure_run
    from workspace.store import Store

    space = ["the rocket reached orbit", "a telescope saw the comet in orbit",
             "the orbit of the moon and the rocket", "the comet and the telescope in orbit"]
    kitchen = ["bake the bread in the oven", "flour and yeast for the bread in the oven",
               "the oven was hot for the bread", "yeast makes the bread rise in the oven"]
    frame = pd.DataFrame({"doc": [f"[d{i}](http://evil.example/id)" for i in range(24)],
                          "body": [f"{t} {HOSTILE}" for t in space + kitchen] * 3})
    folder = home.parent / "hostiletext"
    folder.mkdir(parents=True, exist_ok=True)
    frame.to_csv(folder / "notes.csv", index=False)
    settings = {"kind": "text", "text_column": "body", "id_column": "doc"}
    store = Store(home)
    pid = store.create_project(HOSTILE, str(folder / "notes.csv"), who="test",
                               settings=settings)
    run = ensure_run(RunConfig(data=str(folder / "notes.csv"), method="kmeans", clusters=2,
                               **settings), store, pid)
    ensure_explanations(run.path, store)
    store.set_cluster(run.key, 0, name=HOSTILE, who="test")


def test_hostile_names_and_texts_render_literally(chromium_browser, tmp_path, monkeypatch):
    """Project name, cluster name, ids and text cells holding Markdown: in a real browser
    no request leaves localhost, no link or image renders, no colour directive applies —
    the strings are shown as typed."""
    monkeypatch.setenv("CLUSTERLAB_TEST_EMBEDDER", "hashing")
    home = tmp_path / "home"
    _hostile_text_store(home)
    proc, url = start_server(home)
    try:
        page = chromium_browser.new_page(viewport={"width": 1500, "height": 1000})
        page.set_default_timeout(120_000)
        outside = block_outside(page, url)
        page.goto(url)
        page.wait_for_selector(".clm-root[data-ready='1']")
        page.get_by_role("tab", name="Cluster card").click()
        page.get_by_text("Prototypes").first.wait_for()
        _nav(page, "Cluster")
        page.get_by_text(re.compile(r"^Project .* · data ")).first.wait_for()
        # shown as typed (an invisible word joiner breaks the addresses)
        assert f"Project {HOSTILE} · data" in page.inner_text("body").replace("\u2060", "")
        _nav(page, "Explore")
        page.get_by_role("tab", name="Cluster card").click()
        page.get_by_text("Prototypes").first.wait_for()
        shown = page.inner_text("body").replace("\u2060", "")
        assert f"{HOSTILE}  ·  " in shown or f"{HOSTILE} · " in shown  # the card's heading
        assert shown.count(HOSTILE) >= 3, shown  # and the prototypes' texts
        hosts = set(page.locator("a").evaluate_all("els => els.map(e => e.hostname)"))
        assert hosts <= {"127.0.0.1", ""}, page.locator("a[href*='evil']").evaluate_all(
            "els => els.map(e => e.parentElement.parentElement.outerHTML.slice(0, 600))")
        assert page.locator("img[src*='evil']").count() == 0
        assert page.locator("[data-testid='stMarkdownContainer'] b").count() == 0
        assert not outside, outside
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=20)
