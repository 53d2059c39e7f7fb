"""How ``auto`` should estimate k for uploaded embeddings: three estimators, suite sets as vectors.

A user who uploads an ``.npy`` of embeddings gets ``--kind embeddings``: no learned view, so
k (when not given) comes from the features alone. This script turns suite sets into such
uploads -- texts as their MiniLM vectors (what ``clusterlab run`` embeds them with), images
as the frozen EfficientNet-Lite0 features (``clustering.deep.pretrained``) -- and, for each
seed, asks three estimators for k:

  * ``silhouette``  the best silhouette of k-means in the standardised UMAP of the vectors
    (``clustering.kselect.choose_k``; what embeddings used until stop 28);
  * ``communities`` the count of Louvain communities of the vectors' neighbour graph
    (``clustering.kselect.community_k``; what texts use);
  * ``strength``    the prediction strength of k-means in that UMAP
    (``clustering.kselect.prediction_strength_k``; what tables use).

For each it records the k found and the ACC of k-means with that k in the UMAP (the
``umap-kmeans`` baseline's space). Tuning sets decide; held-out and fresh sets are reported
apart.

Usage::

    python benchmarks/k_embeddings.py                          # the default sets, seeds 0 1
    python benchmarks/k_embeddings.py --sets shapes docstrings --seeds 0
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT.parent))
sys.path.insert(0, str(ROOT))

from quality_sets import FRESH, HELD_OUT, build  # noqa: E402

from clustering.auto_views import standardise  # noqa: E402
from clustering.clusterers import umap_space  # noqa: E402
from clustering.features import featurize  # noqa: E402
from clustering.kselect import (  # noqa: E402
    choose_k,
    community_k,
    kmeans_fit,
    prediction_strength_k,
)
from clustering.metrics import cluster_metrics  # noqa: E402
from clustering.projection import knn_graph  # noqa: E402

log = logging.getLogger("k_embeddings")
TUNING_SETS = ("shapes", "numerals", "digits", "docstrings", "package-docs", "stdlib-docs",
               "science-docs")
UNSEEN_SETS = ("digits-transformed", "colour-patterns", "letters", "library-docs")
ESTIMATORS = {
    "silhouette": lambda X, U, seed: choose_k(standardise(U), random_state=seed),
    "communities": lambda X, U, seed: community_k(X, seed),
    "strength": lambda X, U, seed: prediction_strength_k(standardise(U), seed),
}


def vectors(name: str) -> tuple[np.ndarray, np.ndarray]:
    """The set as an upload of embeddings: (vectors, true labels)."""
    data = build(name)
    if data.modality == "images":
        from clustering.deep.pretrained import pretrained_embedding

        return pretrained_embedding(data.images).astype(np.float32), data.labels
    return featurize(data).X.astype(np.float32), data.labels


def bench_set(name: str, seeds: list[int]) -> list[dict]:
    """One record per seed: each estimator's k, the ACC with it, and its seconds."""
    X, truth = vectors(name)
    k_true = len(np.unique(truth.astype(str)))
    records = []
    for seed in seeds:
        U = umap_space(X, knn_graph(X, 15, seed), seed, 10)
        record = {"data": name, "seed": seed, "n": len(X), "d": X.shape[1], "k_true": k_true,
                  "half": "held-out" if name in HELD_OUT else "fresh" if name in FRESH
                  else "tuning"}
        for est, fn in ESTIMATORS.items():
            start = time.perf_counter()
            k, _ = fn(X, U, seed)
            labels = kmeans_fit(U, k, seed).labels_
            record[est] = {"k": int(k), "seconds": round(time.perf_counter() - start, 2),
                           "acc": round(cluster_metrics(X, labels, truth, seed)["acc"], 4)}
        log.info("%s seed %d (true %d): %s", name, seed, k_true,
                 {e: (record[e]["k"], record[e]["acc"]) for e in ESTIMATORS})
        records.append(record)
    return records


def summary(records: list[dict]) -> list[str]:
    """Per half: right / mean absolute error / mean ACC of each estimator."""
    lines = ["| half | runs | " + " | ".join(f"{e}: right / abs. error / ACC" for e in ESTIMATORS)
             + " |", "|---|---|" + "---|" * len(ESTIMATORS)]
    for half in ("tuning", "held-out + fresh"):
        rows = [r for r in records if (r["half"] == "tuning") == (half == "tuning")]
        if not rows:
            continue
        cells = []
        for e in ESTIMATORS:
            err = [abs(r[e]["k"] - r["k_true"]) for r in rows]
            cells.append(f"{sum(x == 0 for x in err)} / {np.mean(err):.2f} / "
                         f"{np.mean([r[e]['acc'] for r in rows]):.3f}")
        lines.append(f"| {half} | {len(rows)} | " + " | ".join(cells) + " |")
    return lines


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", default=[*TUNING_SETS, *UNSEEN_SETS])
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1])
    parser.add_argument("--out", type=Path, default=ROOT / "results" / "k_embeddings.json")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    records = [r for name in args.sets for r in bench_set(name, args.seeds)]
    args.out.write_text(json.dumps(records, indent=1))
    log.info("\n".join(summary(records)))


if __name__ == "__main__":
    main()
