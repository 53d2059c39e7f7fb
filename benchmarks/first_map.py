"""Time to the first map for a new user: a cold server on a fresh store.

Each trial starts ``streamlit run app.py`` on a new, empty store with empty bytecode and
numba caches (``PYTHONPYCACHEPREFIX``, ``NUMBA_CACHE_DIR`` in fresh folders), opens the page
in headless Chromium (launched once, before the trials) and waits until the WebGL map
component has drawn its points. Two ways to get the demo's run are timed in the same
process, alternating:

* ``shipped`` — the run built with clusterlab is copied into the store (today's default);
* ``computed`` — ``CLUSTERLAB_SHIPPED_DEMO=0``: a worker computes it (UMAP + HDBSCAN), as
  every first start did before.

Usage: ``python benchmarks/first_map.py [--trials 3] [--modes shipped computed]``; writes
``results/first_map.json``.
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

from ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "results"


def trial(browser, mode: str, warm: bool = False) -> dict:
    """One start on a fresh store: seconds from server start and from page open to the
    drawn map. Cold (the default): empty bytecode and numba caches; ``warm`` keeps the
    installed ones."""
    scratch = Path(tempfile.mkdtemp(prefix="firstmap-"))
    env = {**os.environ, "CLUSTERLAB_HOME": str(scratch / "home"),
           "CLUSTERLAB_SHIPPED_DEMO": "1" if mode == "shipped" else "0"}
    if not warm:
        env.update(PYTHONPYCACHEPREFIX=str(scratch / "pycache"),
                   NUMBA_CACHE_DIR=str(scratch / "numba"))
    port = free_port()
    start = time.perf_counter()
    proc = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
         str(port), "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for_port(port, interval=0.05)
        listening = time.perf_counter()
        page = browser.new_page(viewport={"width": 1400, "height": 900})
        page.set_default_timeout(300_000)
        opened = time.perf_counter()
        page.goto(f"http://127.0.0.1:{port}")
        page.wait_for_selector(".clm-root[data-ready='1']")  # points drawn by WebGL
        drawn = time.perf_counter()
        page.close()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        shutil.rmtree(scratch, ignore_errors=True)
    return {"mode": mode, "caches": "warm" if warm else "cold",
            "from_server_start_s": round(drawn - start, 2),
            "from_page_open_s": round(drawn - opened, 2),
            "server_listening_s": round(listening - start, 2)}


def main() -> None:
    """Run the trials and write the results."""
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=3)
    parser.add_argument("--modes", nargs="+", default=["shipped", "computed"],
                        choices=["shipped", "computed"])
    parser.add_argument("--out", default="first_map.json", help="file name under results/")
    parser.add_argument("--warm", action="store_true",
                        help="keep the installed bytecode and numba caches")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        for i in range(args.trials):
            for mode in args.modes:
                rows.append({"trial": i, **trial(browser, mode, args.warm)})
                print(rows[-1], flush=True)
        browser.close()
    summary = {}
    for mode in args.modes:
        mine = [r for r in rows if r["mode"] == mode]
        summary[mode] = {k: statistics.median(r[k] for r in mine)
                         for k in ("from_server_start_s", "from_page_open_s",
                                   "server_listening_s")}
    load = os.getloadavg()
    out = {"trials": rows, "median": summary, "cpus": os.cpu_count(),
           "loadavg_after": [round(v, 2) for v in load]}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.out).write_text(json.dumps(out, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
