"""What the UMAP + k-means vote of ``auto`` could be instead (stop 48's study, tuning half).

For each set and seed: ``--umaps`` UMAPs of the features (the baseline's space: 5-D for
texts, 10-D else; seeds ``seed + 100 i``), and in them

- the clusterer: k-means (``auto``'s), Ward linkage, a full-covariance Gaussian mixture,
  each on the first UMAP (``*-1``) and as the vote over the first three (``*-vote``);
- more UMAP seeds: the vote over all ``--umaps`` (``km-vote-all``), the seed whose k-means
  ``auto``'s criterion rates highest (``km-best-all``), and what ``auto``'s rule would return
  given the first UMAP's k-means and that vote (``pick-all``: the higher-rated of the two,
  since ``auto`` never returns what it rates below the UMAP + k-means baseline);
- texts only: UMAPs drawn from 30 and 60 neighbours instead of 15 (``u30-vote``,
  ``u60-vote``) and k-means on the standardised (``km-std``, the peer) or unit-length
  (``km-norm``) sentence embeddings.

ACC per set, seed and variant goes to ``--out``; means per set are logged.

Usage::

    python benchmarks/vote_study.py --sets docstrings package-docs --out /tmp/vote.json
"""

from __future__ import annotations

import argparse
import json
import logging
import statistics
import sys
from collections import defaultdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent
sys.path.insert(0, str(ROOT)), sys.path.insert(0, str(ROOT.parent))

from quality_sets import build  # noqa: E402

from clustering.clusterers import umap_space  # noqa: E402
from clustering.consensus import vote  # noqa: E402
from clustering.deep.spaces import mine_neighbours  # noqa: E402
from clustering.features import featurize  # noqa: E402
from clustering.kselect import kmeans_fit  # noqa: E402
from clustering.metrics import cluster_metrics  # noqa: E402
from clustering.neighbour_kappa import REFERENCE_NEIGHBOURS, criterion  # noqa: E402
from clustering.pipeline import neighbour_graph  # noqa: E402
from clustering.projection import knn_graph, umap_embed  # noqa: E402

log = logging.getLogger("vote_study")


def clusterer(kind: str, Z: np.ndarray, k: int, seed: int) -> np.ndarray:
    """Labels of k-means, Ward linkage or a full Gaussian mixture in ``Z``."""
    from sklearn.cluster import AgglomerativeClustering
    from sklearn.mixture import GaussianMixture

    if kind == "km":
        return kmeans_fit(Z, k, seed).labels_.astype(np.int64)
    if kind == "ward":
        return AgglomerativeClustering(k, linkage="ward").fit_predict(Z).astype(np.int64)
    return GaussianMixture(k, covariance_type="full", n_init=3, random_state=seed,
                           reg_covar=1e-4).fit(Z).predict(Z).astype(np.int64)


def judging_neighbours(n: int, k: int) -> int:
    """Neighbours per row of ``auto``'s judging graph: 50, capped at half the mean cluster
    size (as :meth:`clustering.auto._Run.graphs` caps them)."""
    return int(min(REFERENCE_NEIGHBOURS, max(2, n // (2 * k)), n - 1))


def umap_spaces(X: np.ndarray, seed: int, umaps: int, dims: int) -> list[np.ndarray]:
    """``umaps`` UMAPs of ``X`` with seeds ``seed + 100 i``, as ``auto`` draws its own."""
    knn = neighbour_graph(X, seed)
    return [umap_space(X, knn, seed + 100 * i, dims) for i in range(umaps)]


def unit_rows(X: np.ndarray) -> np.ndarray:
    """``X``'s rows scaled to unit length."""
    return X / np.linalg.norm(X, axis=1, keepdims=True).clip(1e-9)


def embedding_kmeans(X: np.ndarray, k: int, seed: int) -> dict[str, np.ndarray]:
    """k-means on the standardised (``km-std``) and on the unit-length (``km-norm``) rows."""
    from sklearn.preprocessing import StandardScaler

    return {"km-std": clusterer("km", StandardScaler().fit_transform(X), k, seed),
            "km-norm": clusterer("km", unit_rows(X), k, seed)}


def variants(X: np.ndarray, k: int, seed: int, text: bool, umaps: int) -> dict[str, np.ndarray]:
    """Every variant's labels for one seed (see the module docstring)."""
    dims = 5 if text else 10
    spaces = umap_spaces(X, seed, umaps, dims)
    out = {}
    for kind in ("km", "ward", "gmm"):
        runs = [clusterer(kind, Z, k, seed) for Z in spaces[:3]]
        out[f"{kind}-1"], out[f"{kind}-vote"] = runs[0], vote(np.stack(runs, 1), k)[0]
    runs = [clusterer("km", Z, k, seed) for Z in spaces]
    graph = mine_neighbours(X, judging_neighbours(len(X), k), seed)
    scores = [criterion(labels, graph) for labels in runs]
    out["km-vote-all"] = vote(np.stack(runs, 1), k)[0]
    out["km-best-all"] = runs[int(np.argmax(scores))]
    out["pick-all"] = max((runs[0], out["km-vote-all"]), key=lambda lab: criterion(lab, graph))
    if text:
        for nn in (30, 60):
            wide = knn_graph(X, nn + 1, seed)
            runs = [clusterer("km", umap_embed(X, dims, wide, seed + 100 * i, min_dist=0.0),
                              k, seed) for i in range(3)]
            out[f"u{nn}-vote"] = vote(np.stack(runs, 1), k)[0]
        out.update(embedding_kmeans(X, k, seed))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sets", nargs="+", required=True)
    parser.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    parser.add_argument("--umaps", type=int, default=9)
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    records = []
    for name in args.sets:
        data = build(name)
        X = featurize(data).X
        k = len(np.unique(data.labels.astype(str)))
        means = defaultdict(list)
        for seed in args.seeds:
            labels = variants(X, k, seed, data.modality == "text", args.umaps)
            acc = {v: round(cluster_metrics(X, lab, data.labels)["acc"], 4)
                   for v, lab in labels.items()}
            records.append({"set": name, "modality": data.modality, "half": "tuning",
                            "seed": seed, "acc": acc})
            for v, a in acc.items():
                means[v].append(a)
            args.out.write_text(json.dumps(records, indent=1))
        log.info("%s: %s", name, ", ".join(f"{v} {statistics.mean(a):.3f}"
                                           for v, a in means.items()))


if __name__ == "__main__":
    main()
