"""Where a large table's k is read: the prediction strength in UMAPs of all rows or of a sample.

For one generated table of the quality suite at N rows, the features as ``clusterlab run``
makes them, then :func:`clustering.kselect.prediction_strength_k` over three UMAPs (seeds 0,
100, 200, 10-D, standardised) of all rows (``all``, as ``auto`` read k until stop 82) or of
a seeded sample of M rows (``M``, as :mod:`clustering.auto_k` reads it from 10,001 rows).
Prints and saves k and the whole curve per mode (stop 82:
``results/k_sample_study_stop82.json``).

Usage::

    python benchmarks/k_sample_study.py mixed-table 50000 5000 all 10000
"""

from __future__ import annotations

import argparse
import json
import logging
import time
from pathlib import Path

import quality_sets

from clustering.auto_views import standardise
from clustering.clusterers import umap_space
from clustering.features import featurize
from clustering.fit_on_sample import sample_rows
from clustering.kselect import prediction_strength_k
from clustering.projection import knn_graph

log = logging.getLogger("k_sample_study")


def curves(name: str, n: int, modes: list[str], seed: int = 0) -> dict:
    """k and the prediction-strength curve of ``name`` at ``n`` rows in each mode."""
    data = quality_sets.BUILDERS[name](n=n)
    X = featurize(data).X
    out = {"case": f"{name}:{n}", "k_true": len(set(map(str, data.labels)))}
    for mode in modes:
        start = time.perf_counter()
        rows = X if mode == "all" else X[sample_rows(len(X), int(mode), seed)]
        knn = knn_graph(rows, 15, seed)
        spaces = [standardise(umap_space(rows, knn, seed + 100 * i, 10)) for i in range(3)]
        curve: dict = {}
        k, _ = prediction_strength_k(spaces[0], seed, curve, spaces[1:])
        out[mode] = {"k": k, "curve": curve, "s": round(time.perf_counter() - start, 1)}
        log.info("%s %s: k=%d %s", out["case"], mode, k,
                 {c: round(v, 3) for c, v in curve.items()})
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("name", choices=sorted(quality_sets.BUILDERS))
    parser.add_argument("rows", type=int)
    parser.add_argument("modes", nargs="+", help="'all' or a sample size")
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    record = curves(args.name, args.rows, args.modes)
    if args.out:
        args.out.write_text(json.dumps(record, indent=1))


if __name__ == "__main__":
    main()
