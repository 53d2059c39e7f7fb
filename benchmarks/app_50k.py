"""How the app behaves on a 50,000-point project, measured in headless Chromium.

Creates a store with one project (50k points, 16-D blob embeddings, k-means 20 clusters),
starts ``streamlit run app.py`` against it, and times: first map after opening the page,
a lasso selection until the side panel shows it (from the start of the drag, and from the
mouse release), and a colour change until redrawn.
Each interaction is repeated; medians are reported. Needs Debian's chromium.

    python benchmarks/app_50k.py     # writes benchmarks/results/app_50k.json
"""

from __future__ import annotations

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
from ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
N = 50_000


def make_project(home: Path) -> float:
    """Write the data and run the CLI into the store; returns its wall time."""
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(n_samples=N, centers=20, n_features=16, cluster_std=2.0, random_state=0)
    path = home / "blobs50k.npy"
    np.save(path, X.astype(np.float32))
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "workspace.cli", "run", "--data", str(path),
                    "--method", "kmeans", "--clusters", "20", "--out", str(home / "out")],
                   cwd=ROOT, env={**os.environ, "CLUSTERLAB_HOME": str(home)}, check=True)
    return time.perf_counter() - start


def lasso(page, frac: float) -> float:
    box = page.locator(".clm-stage canvas").first.bounding_box()
    cx, cy = box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.5
    rx, ry = box["width"] * frac, box["height"] * frac
    page.mouse.move(cx - rx, cy - ry)
    page.mouse.down()
    for fx, fy in ((1, -1), (1, 1), (-1, 1), (-1, -1)):
        page.mouse.move(cx + fx * rx, cy + fy * ry, steps=6)
    page.mouse.up()
    return time.perf_counter()


def main() -> None:
    from playwright.sync_api import sync_playwright

    home = Path(tempfile.mkdtemp(prefix="cl50k-"))
    cli_s = make_project(home)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "streamlit", "run", "app.py",
                               "--server.port", str(port), "--server.headless", "true"],
                              cwd=ROOT, env={**os.environ, "CLUSTERLAB_HOME": str(home)},
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    figures = {"points": N, "cli_run_s": round(cli_s, 1)}
    try:
        wait_for_port(port)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=shutil.which("chromium"), args=[
                "--no-sandbox", "--disable-background-networking", "--disable-sync",
                "--disable-component-update"])
            page = browser.new_page(viewport={"width": 1500, "height": 1000})
            page.set_default_timeout(180_000)
            start = time.perf_counter()
            page.goto(f"http://127.0.0.1:{port}")
            page.wait_for_selector(".clm-root[data-ready='1']")
            figures["first_map_s"] = round(time.perf_counter() - start, 2)
            lasso_times, release_times, colour_times = [], [], []
            for i in range(3):
                start = time.perf_counter()
                released = lasso(page, 0.1 + 0.05 * i)
                page.get_by_role("heading", name="Selection:").wait_for()
                page.wait_for_selector("[data-testid=stStatusWidget]", state="detached")
                lasso_times.append(time.perf_counter() - start)
                release_times.append(time.perf_counter() - released)
                page.get_by_role("button", name="Clear selection").click()
                page.get_by_role("tab", name="Clusters").wait_for()
                page.wait_for_selector("[data-testid=stStatusWidget]", state="detached")
            for option in ("confidence", "cluster", "confidence"):
                start = time.perf_counter()
                box = page.locator("[data-testid=stSelectbox]").filter(has_text="Colour by")
                box.locator("input").first.click()
                page.keyboard.type(option)
                page.keyboard.press("Enter")
                page.wait_for_timeout(200)
                page.wait_for_selector("[data-testid=stStatusWidget]", state="detached")
                colour_times.append(time.perf_counter() - start)
            figures["lasso_to_panel_s_median"] = round(statistics.median(lasso_times), 2)
            figures["release_to_panel_s_median"] = round(statistics.median(release_times), 2)
            figures["colour_change_s_median"] = round(statistics.median(colour_times), 2)
            figures["lasso_s"] = [round(t, 2) for t in lasso_times]
            figures["colour_s"] = [round(t, 2) for t in colour_times]
            page.screenshot(path=str(home / "app50k.png"))
            figures["screenshot"] = str(home / "app50k.png")
            browser.close()
    finally:
        server.terminate()
    out = ROOT / "benchmarks" / "results" / "app_50k.json"
    out.write_text(json.dumps(figures, indent=1))
    print(json.dumps(figures, indent=1))


if __name__ == "__main__":
    main()
