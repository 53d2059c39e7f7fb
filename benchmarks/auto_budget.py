"""Wall time of ``auto`` end to end (``clusterlab run`` without ``--method``) against its budget.

Budget on this project's 2-core CPU: 5,000 rows in 2 minutes, ``demo:digits`` in 90 s (and
1,000 images, where ``auto`` trains two image views, inside the 5,000 rows' 2 minutes). Each
case runs the whole pipeline (features, neighbours, ``auto``, the 2-D map, metrics) once per
seed, in a fresh process; its peak resident memory (``ru_maxrss``) is recorded too. numba's
compiled code is read from its disk cache, as on every run after a user's first
(``clustering.numba_cache``); ``--numba-cache cold`` gives each case an empty cache, as the
first run after installing meets it.

Each case also records how right the time left shown during ``auto`` was (``eta``): the
app's and the CLI's estimate (:class:`workspace.worker.StageClock`, the pace inside the
stage applied to what is left of it) at every progress report of the clustering stage,
against the seconds that stage really had left (:func:`eta_accuracy`). ``--code DIR`` runs
the pipeline of another checkout (e.g. a ``git worktree`` of an earlier commit) on the same
data, for a before/after in one session.

Usage::

    python benchmarks/auto_budget.py                 # every case, seed 0
    python benchmarks/auto_budget.py --cases digits --seeds 0 1
    python benchmarks/auto_budget.py --cases table-1000000 --out benchmarks/results/auto_scale.json
    python benchmarks/auto_budget.py --cases digits --code /tmp/before --out before.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent

CASES = {
    "digits": ("demo:digits", 90),
    "table-5000": ("mixed-table:5000", 120),
    "signals-5000": ("waveforms:5000", 120),
    "long-signals-5000": ("long-waveforms:5000", 120),
    "images-5000": ("shapes:5000", 120),
    "images-1000": ("shapes:1000", 120),
    "mnist-npy-5000": ("mnist-npy:5000", 120),
    "text-5000": ("package-text:5000", 120),
    "long-text-5000": ("man-text:5000", 120),
    "table-1000000": ("mixed-table:1000000", None),
    "photos-800": ("photos:800:4000x3000", None),
    "photos-1000": ("photos:1000:4000x3000", None),
    "photos-10000": ("photos:10000:2048x1536", None),
    "micrographs-3000": ("micrographs:3000:2048x2048", None),
    "photos-50000": ("photos:50000:640x480", None),
    "iphone-400": ("heic:400:4032x3024", None),
    "iphone-400-jpeg": ("photos:400:4032x3024", None),
    "signals-50000": ("waveforms:50000", None),
    "table-50000": ("mixed-table:50000", None),
    "messages-50000": ("messages-text:50000", None),
    "skewed-50000": ("skewed-table:50000", None),
    "aniso-50000": ("aniso-blobs:50000", None),
    "elongated-50000": ("elongated-blobs:50000", None),
    "arcs-50000": ("arcs-nuisance:50000", None),
    "cbf-50000": ("cbf:50000", None),
    "charts-50000": ("control-charts:50000", None),
    "vibrations-50000": ("vibrations:50000", None),
    "signals-20000": ("waveforms:20000", None),
    "cbf-20000": ("cbf:20000", None),
    "table-20000": ("mixed-table:20000", None),
    "elongated-20000": ("elongated-blobs:20000", None),
    "heartbeats-20000": ("heartbeats:20000", None),
    "heartbeats-50000": ("heartbeats:50000", None),
    "spectra-20000": ("spectra:20000", None),
    "spectra-50000": ("spectra:50000", None),
    "seasonal-20000": ("seasonal-loads:20000", None),
    "seasonal-50000": ("seasonal-loads:50000", None),
    "charts-20000": ("control-charts:20000", None),
    "vibrations-20000": ("vibrations:20000", None),
    **{f"atlas-{name}": (f"atlas:{name}", None) for name in (
        "cells-b-20000", "cells-b-50000", "cells-nested-20000",
        "cells-a-20000", "cells-a-50000", "cells-c-20000", "cells-d-20000", "cells-e-50000",
        "cells-c-weak-20000", "cells-a-many-20000", "cells-f-20000", "cells-g-50000",
        "cells-nested-50000", "cells-h-20000", "cells-i-50000", "cells-nested-b-20000")},
}
"""Case name -> (data, budget in seconds; None: no budget, run only when named).

``long-waveforms`` are the ``waveforms`` signals at 1,000 readings a row (stop 34: the
signal encoder's cost grew with the length until it averaged long rows down,
:data:`clustering.deep.pretexts.SERIES_MAX_LENGTH`).

``package-text:N`` is N docstrings of five packages (:func:`text_corpus.package_corpus`),
written to a CSV before the clock starts and read from it as ``clusterlab run --data
FILE --kind text --text-column text`` would (the MiniLM embedding is part of the time).
``man-text:N`` is N manual pages of this machine of 300 words or more, by section
(:func:`man_corpus.man_corpus`), written to a CSV the same way: long texts, most of each
past the sentence model's window (stop 53).
``mnist-npy:N`` is N 28x28 MNIST digits (the suite's 1,500 of ``mnist``, each drawn again
shifted by up to 2 pixels) saved as one float ``.npy`` before the clock starts and read from
it as ``clusterlab run --data FILE`` reads it (images, by its 3-D shape; stop 54: the case a
new user's array of images meets).
``photos:N:WxH`` is a folder of N full-size JPEG photos of W x H pixels in four sub-folders
(:func:`photo_folders.write_photos`; 12 megapixels, 3.3 MB each, at 4000x3000), written
once to the temporary folder and kept there for later runs, read as ``clusterlab run --data
FOLDER`` reads it (stop 78: the first runs of such folders; 800 12-megapixel photos were
the most the pixel cap admitted before JPEGs were counted at the size they decode at; no
budget, as the cases above hold 5,000 rows or 1,000 small images). ``micrographs:N:WxH`` is
N uncompressed 16-bit TIFF micrographs of three kinds of cell (25 GB at 3,000 of 2048x2048),
written and kept the same way. ``heic:N:WxH`` is the photos of ``photos:N:WxH`` saved as an
iPhone saves them (``IMG_00001.HEIC``, 2.7 MB at 4032x3024; stop 79: a folder of them was
refused before), written with pillow-heif's encoder, which the benchmark's environment needs.
``signals-50000``, ``table-50000`` and ``messages-50000`` are the largest of each kind that
``auto`` fits whole (stop 80: no path but images' had been run at 50,000 rows since stop 25);
``messages-text:N`` is N English messages of this machine's programs, labelled by program
(:func:`message_sets.english_messages`: 32 programs of 292-3,285 messages at 50,000),
written to a CSV as ``package-text:N`` is. ``skewed-50000`` (tuning half) and ``aniso-50000``,
``elongated-50000``, ``arcs-50000`` and ``cbf-50000`` (held-out families, frozen in stop 81
before any change they could judge) are suite sets generated at 50,000 rows;
``charts-50000`` and ``vibrations-50000`` (held-out signal families, frozen in stop 83
before any study of a signal's k at this size) too. The ``-20000`` cases are the same sets at
20,000 rows, between the 10,000 from which k is read in a sample and the 50,000 it was
measured at (stop 83). Stop 84 froze a fresh batch of signal cases before any study of how
k is read in a large learned view: ``heartbeats`` (a family written then,
:func:`signal_sets.heartbeats`, in no half of the suite), ``spectra`` and ``seasonal-loads``
(tuning-half families at 1,000 rows, never run above 10,000) at 20,000 and 50,000 rows held
out; ``charts-20000`` and ``vibrations-20000`` are families whose 50,000-row runs stop 83
read, so they are reported as seen. ``atlas:NAME`` is a single-cell atlas of
:mod:`cell_atlases` (20,000 or 50,000 cells), written once as an ``.h5ad`` to the temporary
folder and kept there, run with its ``obs['cell_type']`` as the label column (stop 85: no
table of counts above 3,000 rows had been run; held out and tuning as that module lists)."""

CHILD = """
import json, os, resource, sys, time
sys.path.insert(0, {root!r}); sys.path.insert(0, {parent!r})
start = time.perf_counter()
from auto_budget import eta_accuracy
from clustering.device import resolve_device
from clustering.pipeline import RunConfig, run_pipeline
reports = []
progress = lambda f, msg: reports.append((time.perf_counter(), float(f)))
source, seed = {source!r}, {seed}
kk = lambda k: k if {give_k} else None  # noqa: E731 (None: auto estimates k)
if source.startswith("demo:"):
    result = run_pipeline(RunConfig(data=source, seed=seed, clusters=kk(10)), progress)
elif source.endswith(".npy"):
    import dataclasses, numpy as np
    from clustering.loaders import load_data
    data = dataclasses.replace(load_data(source), labels=np.load(
        source[:-4] + "_labels.npy", allow_pickle=False).astype(str))
    result = run_pipeline(RunConfig(data=source, seed=seed, clusters=kk({k})), progress,
                          dataset=data)
elif source.endswith(".h5ad"):
    result = run_pipeline(RunConfig(data=source, seed=seed, clusters=kk({k}),
                                    label_column="cell_type"), progress)
elif os.path.isdir(source):
    result = run_pipeline(RunConfig(data=source, seed=seed, clusters=kk({k})), progress)
elif source.endswith(".csv"):
    result = run_pipeline(RunConfig(data=source, seed=seed, clusters=kk({k}), kind="text",
                                    text_column="text", label_column="label"), progress)
else:
    import quality_sets
    name, n = source.split(":")
    data = quality_sets.BUILDERS[name](n=int(n))
    k = len(set(map(str, data.labels)))
    result = run_pipeline(RunConfig(data=source, seed=seed, clusters=kk(k)), progress,
                          dataset=data)
wall = time.perf_counter() - start
peers = {{}}
if {peers}:  # the issue's three peers on the run's own features, the same k, this process
    from clustering.metrics import cluster_metrics
    from quality_suite import PEERS
    X, truth = result.features.X, result.dataset.labels
    k = result.clustering.n_clusters
    names = result.clustering.info["auto"].get("alternatives", [])
    for j, name in enumerate(names):
        peers["auto:" + name] = {{"acc": round(cluster_metrics(
            X, result.clustering.alternatives[:, j], truth)["acc"], 4)}}
    for name, fn in PEERS.items():
        s = time.perf_counter()
        labels, _ = fn(X, k, seed)
        peers[name] = {{"acc": round(cluster_metrics(X, labels, truth)["acc"], 4),
                       "seconds": round(time.perf_counter() - s, 1)}}
    if source.endswith(".h5ad"):  # the field's recipe: k-means on the log-normalised PCs
        from sklearn.cluster import KMeans
        s = time.perf_counter()
        labels = KMeans(k, n_init=10, random_state=seed).fit_predict(X)
        peers["peer:lognorm-pca+kmeans"] = {{
            "acc": round(cluster_metrics(X, labels, truth)["acc"], 4),
            "seconds": round(time.perf_counter() - s, 1)}}
print(json.dumps({{"wall_s": wall, "timings": result.timings,
                  "peers": peers,
                  "eta": eta_accuracy(reports),
                  "acc": result.metrics["acc"], "winner": result.clustering.params["pipeline"],
                  "auto_seconds": result.clustering.info["auto"]["seconds"],
                  "auto_scores": result.clustering.info["auto"]["scores"],
                  "k": result.clustering.n_clusters,
                  "k_selection": result.clustering.info.get("k_selection"),
                  "finetune": result.clustering.info.get("finetune"),
                  "text_window": result.features.extra.get("text_window"),
                  "peak_rss_mib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
                  "device": resolve_device("auto")}}))
"""


def eta_accuracy(reports: list[tuple[float, float]], stage: str = "cluster") -> dict:
    """How right the time left shown in ``stage`` was, over a run's progress reports.

    Parameters
    ----------
    reports : list of (seconds, fraction)
        Every progress report of the run, its time (monotonic) and overall fraction.
    stage : str
        The pipeline stage judged (``auto`` is the clustering stage).

    Returns
    -------
    dict
        ``stage_s`` (the stage's seconds), ``estimates`` (reports with an estimate),
        ``median_error_s`` and ``worst_error_s`` (absolute error of the estimate against the
        seconds the stage really had left), ``median_error_share`` (the median error as a
        share of the stage), ``median_ratio`` (estimate / truth where 5 s or more were left:
        above 1, too long) and ``samples`` (truth and estimate at ten evenly spread reports).

    Examples
    --------
    >>> pace = [(t, 0.4 + 0.3 * t / 100) for t in range(0, 101, 10)] + [(101.0, 0.7)]
    >>> r = eta_accuracy(pace)  # an even pace: the estimate is right from the second step
    >>> r["median_error_s"], r["median_ratio"]
    (0.0, 1.0)
    """
    import numpy as np

    from clustering.pipeline import stage_span
    from workspace.worker import StageClock

    clock, rows, end, begin = StageClock(stage_span), [], None, None
    for t, fraction in reports:
        name, left = clock.update(fraction, t)
        if name == stage:
            begin = t if begin is None else begin
            rows.append((t, left))
        elif begin is not None and end is None:
            end = t
    end = end if end is not None else (rows[-1][0] if rows else None)
    judged = [(end - t, left) for t, left in rows if left is not None]
    if not judged:
        return {"stage_s": None if end is None else round(end - begin, 1), "estimates": 0}
    truth, guess = (np.array(v, dtype=float) for v in zip(*judged, strict=True))
    error = np.abs(guess - truth)
    long = truth >= 5
    picks = np.linspace(0, len(judged) - 1, min(10, len(judged))).astype(int)
    return {"stage_s": round(end - begin, 1), "estimates": len(judged),
            "median_error_s": round(float(np.median(error)), 1),
            "worst_error_s": round(float(error.max()), 1),
            "median_error_share": round(float(np.median(error)) / max(end - begin, 1e-9), 3),
            "median_ratio": round(float(np.median(guess[long] / truth[long])), 2)
            if long.any() else None,
            "samples": [[round(float(truth[i]), 1), round(float(guess[i]), 1)] for i in picks]}


def _text_csv(source: str, folder: Path) -> tuple[str, int]:
    """Write ``package-text:N``, ``man-text:N`` or ``messages-text:N`` to a CSV (id, text,
    label); its path and number of labels."""
    sys.path.insert(0, str(ROOT.parent))
    sys.path.insert(0, str(ROOT))
    kind, n = source.split(":")
    import pandas as pd

    if kind == "messages-text":
        from message_sets import english_messages

        frame = english_messages(int(n))
        frame = pd.DataFrame({"id": range(len(frame)), "text": frame["text"],
                              "label": frame["program"]})
    else:
        if kind == "man-text":
            from man_corpus import man_corpus as build
        else:
            from text_corpus import package_corpus as build
        data = build(int(n))
        frame = pd.DataFrame({"id": data.ids, "text": data.texts, "label": data.labels})
    path = folder / f"{kind}-{n}.csv"
    frame.to_csv(path, index=False)
    return str(path), frame["label"].nunique()


def _mnist_npy(source: str, folder: Path) -> tuple[str, int]:
    """Write ``mnist-npy:N`` to ``folder`` (the images, and their labels beside them); its path
    and number of labels."""
    import numpy as np

    sys.path.insert(0, str(ROOT.parent))
    sys.path.insert(0, str(ROOT))
    from image_sets import mnist

    data, n = mnist(), int(source.split(":")[1])
    images = data.images.reshape(len(data.images), 28, 28).astype(np.float32)
    rng = np.random.default_rng(54)
    pick = rng.integers(0, len(images), n)
    shifted = np.zeros((n, 28, 28), np.float32)
    for row, (i, dy, dx) in enumerate(zip(pick, *rng.integers(-2, 3, (2, n)), strict=True)):
        shifted[row] = np.roll(images[i], (dy, dx), axis=(0, 1))
    path = folder / "mnist.npy"
    np.save(path, shifted)
    np.save(folder / "mnist_labels.npy", np.asarray(data.labels)[pick].astype("U8"))
    return str(path), len(set(map(str, data.labels)))


def _photos(source: str) -> tuple[str, int]:
    """The folder of ``photos:N:WxH`` and its number of labels.

    Written once, and kept in the temporary folder for later runs.
    """
    import tempfile

    sys.path.insert(0, str(ROOT))
    from photo_folders import CELLS, PATTERNS, write_photos

    kind, n, size = source.split(":")
    width, height = map(int, size.split("x"))
    tiff = kind == "micrographs"
    folder = Path(tempfile.gettempdir()) / "clusterlab_photos" / f"{kind}-{n}x{size}"
    return (str(write_photos(folder, int(n), width, height, tiff=tiff, heic=kind == "heic")),
            len(CELLS if tiff else PATTERNS))


def run_case(name: str, seed: int, numba_cache: str = "warm", code: Path | None = None,
             peers: bool = False, give_k: bool = True) -> dict:
    """One case in a fresh interpreter; its timings and ACC (with ``peers``, the ACC of
    ``auto``'s candidates and of the three peer pipelines on the run's features, after the
    run's clock stops; without ``give_k``, ``auto`` estimates k, as for a user who gives
    none)."""
    import tempfile

    source, budget = CASES[name]
    with tempfile.TemporaryDirectory() as folder:
        k = 0
        if source.startswith(("package-text:", "man-text:", "messages-text:")):
            source, k = _text_csv(source, Path(folder))
        elif source.startswith("mnist-npy:"):
            source, k = _mnist_npy(source, Path(folder))
        elif source.startswith(("photos:", "micrographs:", "heic:")):
            source, k = _photos(source)
        elif source.startswith("atlas:"):
            from cell_atlases import write_atlas

            path, k = write_atlas(source.split(":")[1],
                                  Path(tempfile.gettempdir()) / "clusterlab_atlases")
            source = str(path)
        env = dict(os.environ)
        if numba_cache == "cold":
            env["NUMBA_CACHE_DIR"] = str(Path(folder) / "numba")
        record = _run_child(name, source, seed, budget, k, env, code or ROOT.parent, peers,
                            give_k)
    record["numba_cache"] = numba_cache
    return record


def _run_child(name: str, source: str, seed: int, budget: int | None, k: int,
               env: dict, checkout: Path, peers: bool = False, give_k: bool = True) -> dict:
    code = CHILD.format(root=str(ROOT), parent=str(checkout), source=source, seed=seed,
                        k=k, peers=peers, give_k=give_k)
    start = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env)
    if done.returncode:
        raise SystemExit(f"case {name} failed:\n{done.stderr[-3000:]}")
    out = done.stdout.strip().splitlines()[-1]
    record = json.loads(out)
    record.update(case=name, seed=seed, budget_s=budget,
                  process_s=round(time.perf_counter() - start, 1))
    return record


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", nargs="+", choices=list(CASES),
                        default=[name for name, (_, budget) in CASES.items() if budget])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--numba-cache", choices=("warm", "cold"), default="warm",
                        help="cold: an empty numba cache per case (a first run after install)")
    parser.add_argument("--out", default=str(ROOT / "results" / "auto_budget.json"))
    parser.add_argument("--code", type=Path, default=None,
                        help="a checkout whose pipeline runs (default: this one)")
    parser.add_argument("--peers", action="store_true",
                        help="also the ACC of auto's candidates and of the three peers")
    parser.add_argument("--no-k", action="store_true",
                        help="give no k: auto estimates it (a user who gives none)")
    args = parser.parse_args()
    records = []
    for name in args.cases:
        for seed in args.seeds:
            records.append(run_case(name, seed, args.numba_cache, args.code, args.peers,
                                    not args.no_k))
            r = records[-1]
            r["code"] = str(args.code or ROOT.parent)
            r["k_given"] = not args.no_k
            print(f"{name:14s} seed {seed}: {r['process_s']:6.1f} s in all (budget "
                  f"{r['budget_s'] or 'none'} s), peak RSS {r['peak_rss_mib']:.0f} MiB, auto chose "
                  f"{r['winner']}, k {r['k']}, ACC {r['acc']:.3f}; time left shown: median error "
                  f"{r['eta'].get('median_error_s')} s of {r['eta']['stage_s']} s, median "
                  f"estimate/truth {r['eta'].get('median_ratio')}; "
                  f"stages {r['timings']}", flush=True)
            Path(args.out).write_text(json.dumps(records, indent=1))


if __name__ == "__main__":
    main()
