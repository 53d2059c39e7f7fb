"""Count tables (cells x genes, samples x taxa, documents x words) through ``clusterlab run``.

Each set of :mod:`count_sets` is written as the CSV a user would load and run with
``clusterlab run --data FILE --label-column label --clusters K --seed S`` (``auto``, or
``--methods``), beside the issue's three plain peers on the same count columns (k-means on
standardised columns, UMAP-5 + HDBSCAN, UMAP-5 + k-means) and the field's own recipe as a
fourth peer (``peer:lognorm-pca+kmeans``: each row scaled to the median row total,
``log1p``, 50 principal components, k-means; scanpy's and Seurat's first steps with k-means
for the graph clustering, since k is given), all in the same run.

Usage::

    python benchmarks/count_tables.py --sets cells-a cells-c docstrings-counts \
        --seeds 0 1 2 --out benchmarks/results/count_tables_tuning.json
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT.parent))

from count_sets import BUILDERS, HELD_OUT, TUNING  # noqa: E402
from new_user_files import run_once  # noqa: E402
from quality_suite import PEERS  # noqa: E402

log = logging.getLogger("count_tables")


def peer_lognorm_pca_kmeans(X, k, seed):
    """Rows scaled to the median row total, ``log1p``, PCA to 50, k-means (scanpy's steps)."""
    from sklearn.cluster import KMeans
    from sklearn.decomposition import PCA

    totals = X.sum(axis=1, keepdims=True)
    Z = np.log1p(X / np.where(totals > 0, totals, 1) * np.median(totals))
    Z = PCA(min(50, *Z.shape) - 1, random_state=seed).fit_transform(Z)
    return KMeans(k, n_init=10, random_state=seed).fit_predict(Z), {}


ALL_PEERS = {**PEERS, "peer:lognorm-pca+kmeans": peer_lognorm_pca_kmeans}


def _scores(truth, found) -> dict:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    from clustering.metrics import hungarian_accuracy

    return {"acc": round(hungarian_accuracy(truth, found), 3),
            "nmi": round(float(normalized_mutual_info_score(truth, found)), 3),
            "ari": round(float(adjusted_rand_score(truth, found)), 3)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sets", nargs="+", default=list(TUNING),
                        choices=[*TUNING, *HELD_OUT])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--methods", nargs="+", default=["auto"])
    parser.add_argument("--no-peers", action="store_true")
    parser.add_argument("--code", type=Path,
                        help="run clusterlab from this tree (a worktree of the code before)")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for name in args.sets:
            path, labels = BUILDERS[name](Path(folder))
            k = len(np.unique(labels))
            X = pd.read_csv(path).iloc[:, 2:].to_numpy(np.float64)
            for seed in args.seeds:
                for method in args.methods:
                    flags = [] if method == "auto" else ["--method", method]
                    record = {"set": name, "method": method, "seed": seed,
                              "held_out": name in HELD_OUT,
                              **run_once(path, labels, k, flags, args.code, seed)}
                    results.append(record)
                    log.info("%s", json.dumps(record))
                for peer, fit in ({} if args.no_peers else ALL_PEERS).items():
                    start = time.perf_counter()
                    found, _ = fit(X, k, seed)
                    record = {"set": name, "method": peer, "seed": seed,
                              "held_out": name in HELD_OUT,
                              "wall_s": round(time.perf_counter() - start, 1),
                              **_scores(labels, found)}
                    results.append(record)
                    log.info("%s", json.dumps(record))
    args.out.write_text(json.dumps(results, indent=1))
    frame = pd.DataFrame(results)
    print(frame.groupby(["set", "method"])[["acc", "nmi", "ari"]].mean().round(3).to_string())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
