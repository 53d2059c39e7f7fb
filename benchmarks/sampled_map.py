"""How close the sampled map (UMAP on a sample + distilled MLP) comes to a full UMAP.

100,000 rows of 16-D blobs (20 centres, unequal spreads). The full 2-D UMAP and the sampled
map (UMAP on ``--sample`` rows, the MLP placing the rest) are computed in one process;
reported: time, the MLP's R² on held-out sample rows, trustworthiness (k = 10) of each map
on the same 2,000 rows, and how many of each row's 10 nearest map neighbours the two maps
share. Usage: ``python benchmarks/sampled_map.py [--rows 100000] [--sample 20000]``; writes
``results/sampled_map.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

RESULTS = Path(__file__).resolve().parent / "results"


def shared_neighbours(a: np.ndarray, b: np.ndarray, rows: np.ndarray, k: int = 10) -> float:
    """Mean share of each probed row's k nearest neighbours that map ``a`` and ``b`` share."""
    from sklearn.neighbors import NearestNeighbors

    na = NearestNeighbors(n_neighbors=k + 1).fit(a).kneighbors(a[rows], return_distance=False)
    nb = NearestNeighbors(n_neighbors=k + 1).fit(b).kneighbors(b[rows], return_distance=False)
    return float(np.mean([len(set(x[1:]) & set(y[1:])) / k for x, y in zip(na, nb, strict=True)]))


def main() -> None:
    """Compute both maps and write the comparison."""
    from sklearn.datasets import make_blobs
    from sklearn.manifold import trustworthiness

    from clustering.projection import knn_graph, umap_embed
    from clustering.sampled_map import sampled_map

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--sample", type=int, default=20_000)
    args = parser.parse_args()
    rng = np.random.default_rng(0)
    X, _ = make_blobs(args.rows, centers=20, n_features=16,
                      cluster_std=rng.uniform(0.5, 2.5, 20), random_state=0)
    X = X.astype(np.float32)
    start = time.perf_counter()
    full = umap_embed(X, 2, knn_graph(X, 15, 0), random_state=0)
    full_s = time.perf_counter() - start
    start = time.perf_counter()
    sampled, fit = sampled_map(X, 0, sample=args.sample)
    sampled_s = time.perf_counter() - start
    probe = rng.choice(args.rows, 2000, replace=False)
    out = {
        "rows": args.rows, "sample": args.sample, "cpus": os.cpu_count(),
        "full_umap_s": round(full_s, 1), "sampled_s": round(sampled_s, 1),
        "r2_held_out": fit["r2_held_out"],
        "trustworthiness_full": round(float(trustworthiness(X[probe], full[probe],
                                                            n_neighbors=10)), 4),
        "trustworthiness_sampled": round(float(trustworthiness(X[probe], sampled[probe],
                                                               n_neighbors=10)), 4),
        "shared_10nn_with_full": round(shared_neighbours(full, sampled, probe), 3),
    }
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sampled_map.json").write_text(json.dumps(out, indent=2))
    print(json.dumps(out, indent=2))


if __name__ == "__main__":
    main()
