"""Reading a single-cell count matrix as users bring it: a wide CSV and Cell Ranger's 10x folder.

One data set (``count_sets.cells``: negative-binomial reads with marker genes and library
sizes, ``--cells`` x ``--genes``, 6 types) is written twice, as the CSV of one row per cell
and as the three files Cell Ranger writes (``matrix.mtx.gz``, ``barcodes.tsv.gz``,
``features.tsv.gz``). Each is read by ``load_data`` in a fresh process (seconds, peak
resident memory), with this tree and, for the CSV, the tree ``--code`` (the code before);
then ``clusterlab run`` (``auto``, k given, seed 0) on each (seconds, ACC against the types,
by barcode) beside the field's own recipe (``lognorm-pca+kmeans``) on the same counts.

Usage::

    python benchmarks/count_matrix_reading.py --code /tmp/before73 \
        --out benchmarks/results/count_matrix_reading_stop73.json
"""

from __future__ import annotations

import argparse
import gzip
import io
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))

from count_sets import cells  # noqa: E402
from count_tables import peer_lognorm_pca_kmeans  # noqa: E402
from new_user_files import run_once  # noqa: E402

READ = """
import resource, sys, time
sys.path.insert(0, {code!r})
from clustering.loaders import load_data
start = time.perf_counter()
data = load_data({path!r})
print(round(time.perf_counter() - start, 2), data.n, data.table.shape[1],
      resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024)
"""


def write_10x(folder: Path, frame: pd.DataFrame) -> Path:
    """The CSV's counts as Cell Ranger writes them (genes x cells, gzipped)."""
    from scipy import io as scipy_io
    from scipy import sparse

    folder.mkdir(parents=True, exist_ok=True)
    genes = [c for c in frame.columns if c not in ("barcode", "label")]
    buffer = io.BytesIO()
    scipy_io.mmwrite(buffer, sparse.coo_matrix(frame[genes].to_numpy().T))
    files = {"matrix.mtx.gz": buffer.getvalue(),
             "barcodes.tsv.gz": "".join(f"{b}\n" for b in frame["barcode"]).encode(),
             "features.tsv.gz": "".join(f"ENSG{i:011d}\t{g}\tGene Expression\n"
                                        for i, g in enumerate(genes)).encode()}
    for name, data in files.items():
        (folder / name).write_bytes(gzip.compress(data, compresslevel=6))
    return folder


def read_once(path: Path, code: Path) -> dict:
    """``load_data(path)`` in a fresh process with the tree ``code``."""
    done = subprocess.run([sys.executable, "-c", READ.format(code=str(code), path=str(path))],
                          capture_output=True, text=True, check=False)
    if done.returncode:
        return {"error": done.stderr.strip().splitlines()[-1][:300]}
    seconds, rows, columns, mib = done.stdout.split()
    return {"read_s": float(seconds), "rows": int(rows), "columns": int(columns),
            "peak_mib": int(mib)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=3000)
    parser.add_argument("--genes", type=int, default=15000)
    parser.add_argument("--code", type=Path, help="a tree of the code before")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    here = ROOT.parent
    with tempfile.TemporaryDirectory() as tmp:
        csv, labels = cells(Path(tmp), "cells-wide", n=args.cells, genes=args.genes, k=6,
                            markers=60, fold=(2, 6), dispersion=1.5, library_sd=0.6, seed=73)
        frame = pd.read_csv(csv)
        tenx = write_10x(Path(tmp) / "filtered_feature_bc_matrix", frame)
        codes = {"now": here, **({"before": args.code} if args.code else {})}
        report = {"cells": args.cells, "genes": args.genes, "types": 6,
                  "csv_mib": round(csv.stat().st_size / 1024**2, 1),
                  "tenx_mib": round(sum(f.stat().st_size for f in tenx.iterdir()) / 1024**2, 1),
                  "read": {}, "run": {}}
        for name, code in codes.items():
            report["read"][f"csv ({name})"] = read_once(csv, code)
            print(name, "csv", report["read"][f"csv ({name})"], flush=True)
        report["read"]["10x (now)"] = read_once(tenx, here)
        print("10x", report["read"]["10x (now)"], flush=True)
        for name, code in codes.items():
            report["run"][f"csv ({name})"] = run_once(csv, labels, 6, [],
                                                      None if name == "now" else code)
            print(name, "run csv", report["run"][f"csv ({name})"], flush=True)
        truth = dict(zip(frame["barcode"], labels, strict=True))
        report["run"]["10x (now)"] = run_once(tenx, truth, 6, [])
        print("run 10x", report["run"]["10x (now)"], flush=True)
        from clustering.metrics import hungarian_accuracy

        start = time.perf_counter()
        found, _ = peer_lognorm_pca_kmeans(frame.drop(columns=["barcode", "label"]).to_numpy(
            np.float64), 6, 0)
        report["peer:lognorm-pca+kmeans"] = {
            "acc": round(hungarian_accuracy(labels, found), 3),
            "seconds": round(time.perf_counter() - start, 1)}
    args.out.write_text(json.dumps(report, indent=1))
    print(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
