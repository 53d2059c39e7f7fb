"""Three new users' first journeys in a real browser, with screenshots for the README.

A biologist uploads a 2,000-row measurement table (8 numeric columns, ``sample_id``, a
categorical ``batch``), a librarian 600 short texts on 5 topics, a photographer a zip of
500 colour pattern images (circles, stripes, checks, gradients). Each presses *Create
project and cluster it* (``auto``, the default), waits for the run, looks at the map and
opens a cluster's card. The screenshots go to ``assets/journey-<user>-map.png`` and
``-card.png``; the times and ACC (the ground truth is chosen on the Data page, as a user
who has it would) are printed and written to ``results/journeys.json``.

Usage: ``python benchmarks/journeys.py [--users biologist librarian photographer]``
(needs Debian's ``chromium``; about 5-10 minutes on 2 cores).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image
from ports import free_port, wait_for_port

ROOT = Path(__file__).resolve().parent.parent
ASSETS = ROOT / "assets"
RESULTS = Path(__file__).resolve().parent / "results"
sys.path.insert(0, str(ROOT))


def biologist_table(folder: Path) -> Path:
    """Four cell types in 8 measurements; ``batch`` shifts two of them a little."""
    rng = np.random.default_rng(12)
    n, groups = 2000, 4
    truth = rng.integers(0, groups, n)
    centres = rng.normal(0, 2.2, (groups, 8))
    X = centres[truth] + rng.normal(0, 1.0, (n, 8))
    batch = rng.choice(["B1", "B2", "B3"], n)
    X[:, :2] += np.where(batch == "B2", 0.4, 0.0)[:, None]
    names = ["area", "perimeter", "eccentricity", "intensity", "granularity", "nucleus",
             "membrane", "texture"]
    frame = pd.DataFrame(X * [40, 8, 0.05, 120, 3, 15, 2, 0.5] + [600, 90, 0.5, 900, 20, 80,
                                                                  10, 4], columns=names)
    frame.insert(0, "sample_id", [f"S{i:05d}" for i in range(n)])
    frame["batch"] = batch
    frame["cell_type"] = np.array(["T cell", "B cell", "macrophage", "neutrophil"])[truth]
    path = folder / "measurements.csv"
    frame.to_csv(path, index=False)
    return path


def _librarian(folder: Path) -> Path:
    """About 600 short texts on 5 topics (docstrings that ship with Python and its
    libraries)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from text_corpus import docstring_corpus

    topics = {"maths": ["numpy.linalg", "numpy.fft", "math", "cmath", "statistics",
                        "fractions", "decimal.Decimal"],
              "tables": ["pandas.DataFrame", "pandas.Series"],
              "images": ["PIL.Image", "PIL.ImageOps", "PIL.ImageFilter", "PIL.ImageDraw",
                         "PIL.ImageEnhance", "PIL.ImageChops", "PIL.ImageColor"],
              "files": ["os.path", "shutil", "pathlib.Path", "glob", "tempfile",
                        "zipfile.ZipFile", "tarfile.TarFile"],
              "text": ["re", "string", "textwrap", "difflib", "builtins.str", "unicodedata",
                       "html"]}
    data = docstring_corpus(topics, "library")
    frame = pd.DataFrame({"doc": data.ids, "body": data.texts, "topic": data.labels})
    # at most 150 a topic (about 600 in all): pandas alone has 221
    frame = frame.sample(frac=1.0, random_state=0).groupby("topic").head(150)
    path = folder / "library.csv"
    frame.to_csv(path, index=False)
    return path


def _photographer(folder: Path) -> Path:
    """500 colour pattern images in one folder per kind, zipped."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from quality_sets import colour_patterns

    data = colour_patterns(500, size=32, seed=9)
    kinds = np.array(["circles", "stripes", "checks", "gradients"])
    path = folder / "patterns.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for i, (img, label) in enumerate(zip(data.images, data.labels, strict=True)):
            buffer = io.BytesIO()
            Image.fromarray(img.astype(np.uint8)).save(buffer, format="PNG")
            archive.writestr(f"{kinds[int(label)]}/img{i:03d}.png", buffer.getvalue())
    return path


JOURNEYS = {
    "biologist": (biologist_table, {"Id column (optional)": "sample_id",
                                    "Label column (ground truth, optional)": "cell_type"}),
    "librarian": (_librarian, {"Id column (optional)": "doc",
                               "Label column (ground truth, optional)": "topic"}),
    "photographer": (_photographer, {}),
}


def _choose(page, label: str, option: str) -> None:
    page.get_by_role("combobox", name=label).click()
    page.get_by_role("option", name=option, exact=True).click()
    time.sleep(1.0)


def _nav(page, title: str) -> None:
    page.get_by_role("link", name=title).first.click()
    page.get_by_role("heading", name=title).first.wait_for()


def journey(page, user: str, folder: Path) -> dict:
    make, choices = JOURNEYS[user]
    data = make(folder)
    _nav(page, "Data")
    started = time.perf_counter()
    page.locator("input[type=file]").set_input_files(str(data))
    page.get_by_text("Read ").first.wait_for()
    uploaded = time.perf_counter() - started
    for label, option in choices.items():
        _choose(page, label, option)
    page.get_by_text("Read ").first.wait_for()
    page.get_by_role("button", name="Create project and cluster it").click()
    clicked = time.perf_counter()
    page.get_by_text("— now shown").first.wait_for(timeout=900_000)
    ran = time.perf_counter() - clicked
    _nav(page, "Explore")
    page.wait_for_selector(".clm-root[data-ready='1']")
    time.sleep(2)
    page.screenshot(path=str(ASSETS / f"journey-{user}-map.png"))
    metrics = {m.split("\n")[0]: m.split("\n")[-1] for m in
               page.locator("[data-testid=stMetric]").all_inner_texts()}
    page.get_by_role("tab", name="Cluster card").click()
    page.get_by_text("Prototypes").first.wait_for(timeout=600_000)
    time.sleep(2)
    # the page scrolls inside Streamlit's own container: bring the card's rule to the top
    page.get_by_text("Rule —").first.evaluate("e => e.scrollIntoView({block: 'center'})")
    time.sleep(1)
    page.screenshot(path=str(ASSETS / f"journey-{user}-card.png"))
    return {"user": user, "upload_s": round(uploaded, 1), "run_s": round(ran, 1),
            "metrics": metrics}


LOAD = {"biologist": {"id_column": "sample_id", "label_column": "cell_type"},
        "librarian": {"id_column": "doc", "label_column": "topic"}, "photographer": {}}


def peers(users: list[str], seeds=(0, 1, 2)) -> list[dict]:
    """The plain peer pipelines of ``run_benchmarks.py`` on the same three data sets, on the
    features clusterlab computes for them, told the true number of groups (the journeys'
    ``auto`` was not); Hungarian ACC, mean over ``seeds``."""
    from run_benchmarks import PEERS

    from clustering.features import featurize
    from clustering.loaders import load_data
    from clustering.metrics import cluster_metrics

    out = []
    with tempfile.TemporaryDirectory() as scratch:
        for user in users:
            data = load_data(str(JOURNEYS[user][0](Path(scratch))), **LOAD[user])
            X = featurize(data).X
            k = len(np.unique(data.labels))
            for name, fn in PEERS.items():
                accs = [cluster_metrics(X, fn(X, k, seed)[0], data.labels,
                                        random_state=seed)["acc"] for seed in seeds]
                out.append({"user": user, "pipeline": name, "k": k,
                            "acc_mean": round(float(np.mean(accs)), 3),
                            "acc_min": round(float(np.min(accs)), 3)})
                sys.stdout.write(json.dumps(out[-1]) + "\n")
    return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--users", nargs="+", default=list(JOURNEYS))
    parser.add_argument("--peers", action="store_true",
                        help="only the peer pipelines on the same data (no browser)")
    args = parser.parse_args()
    if args.peers:
        RESULTS.mkdir(exist_ok=True)
        (RESULTS / "journeys_peers.json").write_text(json.dumps(peers(args.users), indent=1))
        return
    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    home = Path(tempfile.mkdtemp(prefix="journeys-"))
    port = free_port()
    log = open(home / "streamlit.log", "w")  # noqa: SIM115 - closed at the end
    server = subprocess.Popen(
        [sys.executable, "-m", "streamlit", "run", str(ROOT / "app.py"), "--server.port",
         str(port), "--server.headless", "true", "--server.fileWatcherType", "none"],
        cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        env={**os.environ, "CLUSTERLAB_HOME": str(home / "store")})
    results = []
    try:
        wait_for_port(port)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.set_default_timeout(180_000)
            page.goto(f"http://127.0.0.1:{port}")
            page.wait_for_selector(".clm-root[data-ready='1']")
            for user in args.users:
                try:
                    results.append(journey(page, user, home))
                except Exception:
                    page.screenshot(path=str(home / f"failed-{user}.png"), full_page=True)
                    raise
                sys.stdout.write(json.dumps(results[-1]) + "\n")
                sys.stdout.flush()
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
        log.close()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "journeys.json").write_text(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
