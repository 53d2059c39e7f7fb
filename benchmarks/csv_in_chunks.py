"""A 1,000,000-row CSV run in chunks: rewritten once as Parquet, then fitted on a sample.

``clusterlab run --data big.csv --sample 20000 --method kmeans --clusters 5`` on 1,000,000
rows of 5 Gaussian blobs in 10 columns (4 decimals) with an id, twice in one store: the
first run rewrites the CSV as Parquet (:mod:`clustering.csv_parquet`), the second (another
k) reuses it. Seconds, peak resident memory (``/usr/bin/time -v``) and the ARI of the first
run's clusters against the blobs.

Usage: ``python benchmarks/csv_in_chunks.py [--gzip] [--jsonl] [--out FILE]``; ``--jsonl``
gives the rows as JSON Lines (the ten columns as one list), ``--gzip`` gives the file
gzipped (``big.csv.gz``, unpacked under the gzip limits before the rewrite); writes
``results/csv_in_chunks.json`` unless told otherwise (stop 56's figures:
``results/csv_in_chunks_stop56.json``).
"""

from __future__ import annotations

import argparse
import gzip
import json
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import pandas as pd
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    """Write the CSV, run it twice, write the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--gzip", action="store_true", help="give the CSV gzipped")
    parser.add_argument("--jsonl", action="store_true",
                        help="give the rows as JSON Lines, the columns as one list ('m')")
    parser.add_argument("--out", type=Path, default=RESULTS / "csv_in_chunks.json")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp())
    X, y = make_blobs(1_000_000, centers=5, n_features=10, cluster_std=1.5, random_state=0)
    frame = pd.DataFrame(X, columns=[f"m{j}" for j in range(10)]).round(4)
    frame.insert(0, "id", [f"r{i:07d}" for i in range(len(frame))])
    data = folder / ("big.jsonl" if args.jsonl else "big.csv")
    if args.jsonl:  # {"id": "r0000000", "m": [10 numbers]}, spread over m[0]..m[9]
        with data.open("w") as handle:
            for ident, row in zip(frame["id"], frame.iloc[:, 1:].to_numpy().tolist(),
                                  strict=True):
                handle.write(json.dumps({"id": ident, "m": row}) + "\n")
    else:
        frame.to_csv(data, index=False)
    result = {"rows": len(frame), "csv_mib": round(data.stat().st_size / 2**20, 1)}
    del frame, X
    if args.gzip:
        packed_path = data.with_name(data.name + ".gz")
        with data.open("rb") as plain, gzip.open(packed_path, "wb") as packed:
            shutil.copyfileobj(plain, packed)
        data.unlink()
        data = packed_path
        result["gzip_mib"] = round(data.stat().st_size / 2**20, 1)
    for name, extra in (("first", []), ("again", ["--clusters", "4"])):
        start = time.perf_counter()
        done = subprocess.run(
            ["/usr/bin/time", "-v", "clusterlab", "--store", str(folder / "store"), "run",
             "--data", str(data), "--id-column", "id", "--method", "kmeans",
             "--clusters", "5", "--sample", "20000", "--out", str(folder / name), *extra],
            capture_output=True, text=True, check=False)
        peak = [line for line in done.stderr.splitlines() if "Maximum resident" in line]
        out = pd.read_parquet(folder / name / "assignments.parquet")
        result[name] = {
            "exit": done.returncode, "wall_s": round(time.perf_counter() - start, 1),
            "peak_mib": round(int(peak[0].split()[-1]) / 1024) if peak else None,
            "rows": len(out),
            "ari_vs_truth": round(adjusted_rand_score(y, out["cluster"]), 3)
            if name == "first" else None,
            "log": [line for line in done.stdout.splitlines()
                    if line.startswith(("time", "note: Fitted"))]}
        print(name, result[name], flush=True)
    args.out.write_text(json.dumps(result, indent=1))


if __name__ == "__main__":
    main()
