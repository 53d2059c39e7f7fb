"""Time to the first map for a new user: a cold server on a fresh store.

Each trial starts ``streamlit run app.py`` on a new, empty store (bytecode caches as a fresh
install leaves them, all empty, or warm: see :func:`trial`), opens the page in headless
Chromium (launched once, before the trials) and waits until the WebGL map component has
drawn its points. Two ways to get the demo's run are timed in the same
process, alternating:

* ``shipped`` — the run built with clusterlab is copied into the store (today's default);
* ``computed`` — ``CLUSTERLAB_SHIPPED_DEMO=0``: a worker computes it (UMAP + HDBSCAN), as
  every first start did before.

Usage: ``python benchmarks/first_map.py [--trials 3] [--modes shipped computed]
[--caches cold install warm]``; writes
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


def clear_own_bytecode() -> None:
    """Remove the repository's ``__pycache__`` folders: an editable install compiles
    clusterlab's own modules on first import, not at ``pip install`` time."""
    for folder in ROOT.rglob("__pycache__"):
        if ".venv" not in folder.parts and "node_modules" not in folder.parts:
            shutil.rmtree(folder, ignore_errors=True)


def trial(browser, mode: str, caches: str = "cold") -> dict:
    """One start on a fresh store: seconds from server start and from page open to the
    drawn map.

    ``caches``: ``cold`` — every bytecode cache empty (site-packages too) and the numba
    cache empty; ``install`` — as a fresh ``pip install`` leaves them: site-packages
    compiled by pip, clusterlab's own bytecode and the numba cache empty; ``warm`` — as
    they are.
    """
    scratch = Path(tempfile.mkdtemp(prefix="firstmap-"))
    env = {**os.environ, "CLUSTERLAB_HOME": str(scratch / "home"),
           "CLUSTERLAB_SHIPPED_DEMO": "1" if mode == "shipped" else "0"}
    if caches == "cold":
        env["PYTHONPYCACHEPREFIX"] = str(scratch / "pycache")
    if caches in ("cold", "install"):
        env["NUMBA_CACHE_DIR"] = str(scratch / "numba")
        clear_own_bytecode()
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
    return {"mode": mode, "caches": caches,
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
    parser.add_argument("--caches", nargs="+", default=["cold", "install", "warm"],
                        choices=["cold", "install", "warm"],
                        help="cold: all bytecode caches empty; install: as a fresh pip "
                             "install leaves them; warm: as they are")
    args = parser.parse_args()
    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    rows = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"])
        for i in range(args.trials):
            for mode in args.modes:
                for caches in args.caches:
                    rows.append({"trial": i, **trial(browser, mode, caches)})
                    print(rows[-1], flush=True)
        browser.close()
    summary = {}
    for mode in args.modes:
        for caches in args.caches:
            mine = [r for r in rows if r["mode"] == mode and r["caches"] == caches]
            summary[f"{mode}, {caches}"] = {
                k: statistics.median(r[k] for r in mine)
                for k in ("from_server_start_s", "from_page_open_s", "server_listening_s")}
    load = os.getloadavg()
    out = {"trials": rows, "median": summary, "cpus": os.cpu_count(),
           "loadavg_after": [round(v, 2) for v in load]}
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.out).write_text(json.dumps(out, indent=2))
    print(json.dumps(summary, indent=2))


if __name__ == "__main__":
    main()
