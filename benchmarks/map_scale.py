"""The Explore map at 100k, 300k and 1M points: WebGL component against the Plotly map.

For each size a table of that many rows (twelve 2-D blobs as the map columns, four feature
columns, a ground-truth group) is clustered with ``clusterlab run --map-columns x y
--method kmeans`` into a fresh store. Each trial then starts a cold server with ``clusterlab
app`` (``streamlit run app.py`` with the app's modules imported before it listens) on that
store, opens the run by deep link in headless Chromium (software WebGL) and times:

* first paint: page open -> points drawn;
* lasso: mouse-up -> the selection panel shows the count (a box over the left half);
* colour change to ``confidence``: select -> redrawn, with no selection and with the half
  selected;

each twice: as the driver sees it (Playwright's waits, which poll the page at intervals of
up to 0.5 s) and, for the WebGL map, on the page's own clock (``*_page_s``: from the
navigation start, the click or the mouse-up to the frame the GPU finished — the component's
fence — or to the first frame after the selection heading appeared, caught by a
MutationObserver). Each trial starts once the machine is quiet (85 % idle over a second:
a previous trial's page of a million points takes seconds to free);
* bytes the server sent over the websocket for the first page and per rerun.

``plotly`` (``CLUSTERLAB_MAP=plotly``) is the map before the component, measured in the same
run as the baseline. Steps that take longer than ``--patience`` seconds are recorded as
``null`` with the reason.

Usage: ``python benchmarks/map_scale.py [--sizes 100000 300000 1000000] [--trials 3]
[--modes webgl plotly]``; writes ``results/map_scale.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def make_run(home: Path, n: int) -> tuple[str, str, float]:
    """A clustered table of ``n`` rows in a new store; (project, run key, seconds)."""
    rng = np.random.default_rng(n)
    group = rng.integers(0, 12, n)
    centres = rng.uniform(-30, 30, (12, 2))
    xy = centres[group] + rng.normal(size=(n, 2)) * 2.5
    feats = np.c_[centres[group] / 10, centres[group, :1] * centres[group, 1:] / 100] \
        + rng.normal(size=(n, 3)) * 0.3
    frame = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "f0": feats[:, 0], "f1": feats[:, 1],
                          "f2": feats[:, 2], "f3": rng.normal(size=n), "group": group})
    path = home.parent / f"points-{n}.parquet"
    frame.to_parquet(path, index=False)
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "workspace.cli", "--store", str(home), "run",
                    "--data", str(path), "--map-columns", "x", "y", "--label-column", "group",
                    "--method", "kmeans", "--clusters", "12", "--project", f"points-{n}",
                    "--out", str(home.parent / f"out-{n}")], cwd=ROOT, check=True,
                   stdout=subprocess.DEVNULL)
    took = time.perf_counter() - start
    run = json.loads((home.parent / f"out-{n}" / "run.json").read_text())
    return f"points-{n}", run["key"], took


class Bytes:
    """Bytes the server sent over the page's websocket."""

    def __init__(self, page) -> None:
        self.total = 0
        page.on("websocket", lambda ws: ws.on("framereceived", self._add))

    def _add(self, payload) -> None:
        self.total += len(payload)

    def since(self, mark: int) -> int:
        return self.total - mark


def _wait(fn, patience: float) -> float | None:
    start = time.perf_counter()
    try:
        fn(patience * 1000)
    except Exception as exc:  # noqa: BLE001 - a timeout or a closed session is a result here
        print(f"    gave up: {type(exc).__name__}: {str(exc)[:120]}", flush=True)
        return None
    return round(time.perf_counter() - start, 2)


# In-page clocks (performance.now, from the page's navigation start): when the user's click or
# mouse-up happened and when its result was on the page. Playwright's own waits poll the page
# at growing intervals (up to 0.5 s) and so add up to half a second to every driver timing.
IN_PAGE = """
window.__t = {clicks: [], ups: []};
addEventListener('click', () => __t.clicks.push(performance.now()), true);
addEventListener('mouseup', () => __t.ups.push(performance.now()), true);
window.__watch = (name, test) => {  // the first frame drawn after the DOM change
  __t[name] = null;
  let seen = false;
  const check = () => {
    if (seen || !test()) return;
    seen = true;
    requestAnimationFrame(() => { __t[name] = performance.now(); });
  };
  new MutationObserver(check).observe(document, {subtree: true, childList: true,
                                                 attributes: true, characterData: true});
  check();
};
"""
SELECTION_SHOWN = ("() => [...document.querySelectorAll('h3')]"
                   ".some(h => h.textContent.startsWith('Selection:'))")
DRAWN_AFTER = ("(after) => { const s = [...window.__clusterlabMaps.values()][0]; "
               "const hit = s.timeline.find(([what, at]) => what === 'drawn' && at > after); "
               "return hit ? hit[1] : null; }")


def _settle(limit: float = 60.0) -> float:
    """Wait until the machine is quiet (at least 85 % idle over a second; a previous trial's
    browser page or server may still be freeing memory); the seconds waited."""
    def idle_total() -> tuple[int, int]:
        fields = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
        return fields[3] + fields[4], sum(fields)

    start = time.perf_counter()
    while time.perf_counter() - start < limit:
        idle0, total0 = idle_total()
        time.sleep(1.0)
        idle1, total1 = idle_total()
        if (idle1 - idle0) / max(total1 - total0, 1) >= 0.85:
            break
    return round(time.perf_counter() - start, 1)


def _seconds(ms: float | None, since: float = 0.0) -> float | None:
    return None if ms is None else round((ms - since) / 1000, 2)


def _drag_box(page, area: dict, webgl: bool) -> None:
    """Drag over the left half of the plot (in box mode)."""
    x0, y0 = area["x"] + area["width"] * 0.02, area["y"] + area["height"] * 0.02
    x1, y1 = area["x"] + area["width"] * 0.5, area["y"] + area["height"] * 0.98
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=6)
    if not webgl:
        page.mouse.move(x0, y1, steps=4)
    page.mouse.up()


def trial(browser, home: Path, project: str, key: str, mode: str, patience: float) -> dict:
    """One cold server and page: the timings and bytes of one mode."""
    env = {**os.environ, "CLUSTERLAB_HOME": str(home),
           "CLUSTERLAB_MAP": "plotly" if mode == "plotly" else "webgl"}
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "workspace.cli", "app", "--server.port",
         str(port), "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    out: dict = {"mode": mode}
    webgl = mode == "webgl"
    page = None
    try:
        wait_for_port(port, interval=0.05)
        out["settled_s"] = _settle()
        page = browser.new_page(viewport={"width": 1500, "height": 1000})
        sent = Bytes(page)
        page.add_init_script(IN_PAGE)
        opened = time.perf_counter()
        page.goto(f"http://127.0.0.1:{port}/?project={project}&run={key}")
        ready = ".clm-root[data-ready='1']" if webgl else ".js-plotly-plot .nsewdrag"
        out["first_paint_s"] = _wait(lambda t: page.wait_for_selector(ready, timeout=t),
                                     patience)
        out["first_paint_s"] = out["first_paint_s"] and round(time.perf_counter() - opened, 2)
        out["first_page_bytes"] = sent.total
        if out["first_paint_s"] is None:
            return out
        if webgl:  # the page clock reads the map component's frames (not Plotly's)
            out["first_paint_page_s"] = _seconds(page.evaluate(f"({DRAWN_AFTER})(0)"))
        page.wait_for_timeout(1000)
        draws = ("() => Number([...window.__clusterlabMaps.values()][0].ui.root.dataset.draws)")

        def recolour(label: str) -> tuple:
            before = page.evaluate(draws) if webgl else None
            mark = sent.total
            page.get_by_role("combobox", name="Colour by").click()
            page.get_by_role("option", name=label, exact=True).click()
            if webgl:
                done = lambda t: page.wait_for_function(f"() => ({draws})() > {before}",  # noqa: E731
                                                        timeout=t)
            else:
                done = lambda t: page.wait_for_selector(  # noqa: E731
                    ".js-plotly-plot .colorbar" if label == "confidence"
                    else ".js-plotly-plot .legend", timeout=t)
            took = _wait(done, patience)
            if not webgl or took is None:
                return took, sent.since(mark), None
            clicked = page.evaluate("() => __t.clicks[__t.clicks.length - 1]")
            shown = page.evaluate(f"({DRAWN_AFTER})({clicked})")
            return took, sent.since(mark), _seconds(shown, clicked)

        out["colour_s"], out["colour_bytes"], out["colour_page_s"] = recolour("confidence")
        recolour("cluster")
        page.wait_for_timeout(500)
        if webgl:
            page.get_by_role("button", name="Box", exact=True).click()
            area = page.locator(".clm-stage canvas").bounding_box()
        else:
            page.locator(".modebar-btn[data-val='select']").first.click()
            area = page.locator(".js-plotly-plot .nsewdrag").first.bounding_box()
        mark = sent.total
        page.evaluate(f"() => __watch('selection', {SELECTION_SHOWN})")
        _drag_box(page, area, webgl)
        heading = page.get_by_role("heading", name="Selection:")
        out["lasso_s"] = _wait(lambda t: heading.wait_for(timeout=t), patience)
        out["lasso_bytes"] = sent.since(mark)
        if out["lasso_s"] is not None and webgl:
            out["lasso_page_s"] = _seconds(page.evaluate("() => __t.selection"),
                                           page.evaluate("() => __t.ups[__t.ups.length - 1]"))
        if out["lasso_s"] is not None:
            text = heading.inner_text()
            out["selected"] = int(text.split(":")[1].split("points")[0].replace(",", ""))
            out["colour_selected_s"], _, out["colour_selected_page_s"] = recolour("confidence")
    finally:
        if page is not None:
            page.close()  # an open page of a million points would slow the next trial
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
    return out


def main() -> None:
    """Build the runs, time every mode at every size, write the results."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 300_000, 1_000_000])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--modes", nargs="+", default=["webgl", "plotly"],
                        choices=["webgl", "plotly"])
    parser.add_argument("--patience", type=float, default=90.0,
                        help="seconds before a step is recorded as failed")
    parser.add_argument("--out", default="map_scale.json")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    scratch = Path(tempfile.mkdtemp(prefix="mapscale-"))
    rows, runs = [], {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=[
                "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            for n in args.sizes:
                home = scratch / f"home-{n}"
                home.mkdir()
                project, key, took = make_run(home, n)
                runs[n] = {"run_seconds": round(took, 1)}
                print(f"{n:,} rows: run made in {took:.1f} s", flush=True)
                for i in range(args.trials):
                    for mode in args.modes:
                        row = {"rows": n, "trial": i, **trial(browser, home, project, key, mode,
                                                             args.patience)}
                        rows.append(row)
                        print(row, flush=True)
            browser.close()
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    summary = {}
    for n in args.sizes:
        for mode in args.modes:
            mine = [r for r in rows if r["rows"] == n and r["mode"] == mode]
            entry = {}
            for k in ("first_paint_s", "lasso_s", "colour_s", "colour_selected_s",
                      "first_paint_page_s", "lasso_page_s", "colour_page_s",
                      "colour_selected_page_s", "first_page_bytes", "colour_bytes",
                      "lasso_bytes", "selected"):
                if k.endswith("_page_s") and mode != "webgl":
                    continue
                values = [r.get(k) for r in mine]
                ok = [v for v in values if v is not None]
                entry[k] = statistics.median(ok) if len(ok) == len(values) and ok else None
            summary[f"{mode} {n}"] = entry
    out = {"trials": rows, "median": summary, "runs": runs, "cpus": os.cpu_count(),
           "loadavg_after": [round(v, 2) for v in os.getloadavg()]}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.out).write_text(json.dumps(out, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
