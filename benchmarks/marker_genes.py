"""Marker genes of count-matrix clusters: are the genes made higher in a type the ones named?

The cells of ``count_sets.cells`` (negative-binomial reads around log-normal gene means,
library sizes varying, ``--markers`` genes raised 2-6 fold in each of 6 types) are generated
with their true marker genes. For each seed, the markers :func:`explain.markers.marker_genes`
names for each type (the true groups) and for each cluster of ``clusterlab run`` (``auto``,
k given) are scored: the share of the top 10 that are true markers of the type (of the
cluster's most common type), against the same share for the ten genes of largest mean
difference alone (no variance: a gene read a lot everywhere can win) and for ten genes drawn
at random (what chance gives).

Usage::

    python benchmarks/marker_genes.py --out benchmarks/results/marker_genes_stop74.json
"""

from __future__ import annotations

import argparse
import json
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

SETTINGS = {"k": 6, "markers": 60, "fold": (2, 6), "dispersion": 1.5, "library_sd": 0.6}
"""As ``count_matrix_reading.py`` generates its cells."""


def true_markers(n: int, genes: int, seed: int) -> list[set[int]]:
    """The genes ``count_sets.cells`` raises in each type (its random draws replayed)."""
    rng = np.random.default_rng(seed)
    k, markers = SETTINGS["k"], SETTINGS["markers"]
    rng.choice(k, size=n, p=np.full(k, 1.0 / k))
    rng.lognormal(0.0, 1.5, genes)
    found = []
    for _ in range(k):
        found.append(set(rng.choice(genes, markers, replace=False).tolist()))
        rng.uniform(*SETTINGS["fold"], markers)
    return found


def precision(named: dict[int, list[int]], groups: np.ndarray, types: np.ndarray,
              truth: list[set[int]]) -> float:
    """Mean share of each group's named genes that are markers of its most common type."""
    shares = []
    for group, genes in named.items():
        t = int(np.bincount(types[groups == group]).argmax())
        shares.append(np.mean([g in truth[t] for g in genes]))
    return round(float(np.mean(shares)), 3)


def by_mean_difference(counts: np.ndarray, groups: np.ndarray, top: int = 10) -> dict:
    """The ``top`` genes of largest mean log-normalised difference, cluster against rest."""
    from clustering.count_tables import log_normalise, median_total

    logged = log_normalise(counts, median_total(counts))
    return {int(g): np.argsort(-(logged[groups == g].mean(0) - logged[groups != g].mean(0))
                               )[:top].tolist() for g in np.unique(groups)}


def one_seed(seed: int, n: int, genes: int, run: bool) -> dict:
    from explain.markers import marker_genes

    with tempfile.TemporaryDirectory() as tmp:
        csv, labels = cells(Path(tmp), "cells", n=n, genes=genes, seed=seed, **SETTINGS)
        frame = pd.read_csv(csv)
        names = [c for c in frame.columns if c not in ("barcode", "label")]
        counts = frame[names].to_numpy(np.float64)
        types = np.unique(labels, return_inverse=True)[1]
        truth = true_markers(n, genes, seed)
        index = {name: j for j, name in enumerate(names)}
        start = time.perf_counter()
        found = marker_genes(counts, names, types)
        seconds = time.perf_counter() - start
        named = {c: [index[m["gene"]] for m in ms] for c, ms in found.items()}
        rng = np.random.default_rng(seed)
        out = {"seed": seed, "markers_s": round(seconds, 2),
               "true groups: t-test": precision(named, types, types, truth),
               "true groups: mean difference": precision(by_mean_difference(counts, types),
                                                         types, types, truth),
               "true groups: random genes": precision(
                   {c: rng.choice(genes, 10, replace=False).tolist() for c in range(6)},
                   types, types, truth)}
        if run:
            from clustering.metrics import hungarian_accuracy
            from workspace.cli import main

            folder = Path(tmp) / "run"
            main(["run", "--data", str(csv), "--id-column", "barcode", "--label-column",
                  "label", "--clusters", "6", "--seed", "0", "--explain", "--out",
                  str(folder)])
            report = json.loads((folder / "explanations.json").read_text())
            clusters = pd.read_parquet(folder / "assignments.parquet")["cluster"].to_numpy()
            named = {e["cluster"]: [index[m["gene"]] for m in e["markers"]]
                     for e in report["clusters"]}
            out["auto's clusters: ACC"] = round(hungarian_accuracy(types, clusters), 3)
            out["auto's clusters: t-test"] = precision(named, clusters, types, truth)
            out["explanations_s"] = report["timings"]
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=3000)
    parser.add_argument("--genes", type=int, default=15000)
    parser.add_argument("--seeds", type=int, nargs="+", default=[73, 74, 75])
    parser.add_argument("--runs", type=int, default=1, help="seeds with a clusterlab run")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    rows = [one_seed(seed, args.cells, args.genes, i < args.runs)
            for i, seed in enumerate(args.seeds)]
    args.out.write_text(json.dumps({"cells": args.cells, "genes": args.genes, **SETTINGS,
                                    "seeds": rows}, indent=1))
    print(json.dumps(rows, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
