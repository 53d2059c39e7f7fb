"""How well a clustering keeps nearest neighbours together.

``auto``'s criterion and its estimate of k: chance-corrected neighbour agreement, over all
points and per cluster.
"""

from __future__ import annotations

import numpy as np

from .kselect import kmeans_fit

__all__ = ["K_PLATEAU", "REFERENCE_NEIGHBOURS", "cluster_kappa", "criterion",
           "neighbour_kappa", "plateau_k"]

REFERENCE_NEIGHBOURS = 50
"""Neighbours per point in the graph candidates are scored on (at most half the mean cluster
size)."""


def neighbour_kappa(labels: np.ndarray, neighbours: np.ndarray) -> float:
    """Chance-corrected share of neighbour pairs that share a cluster.

    Parameters
    ----------
    labels : ndarray of int, shape (n,)
        Cluster ids; -1 (noise) never agrees.
    neighbours : ndarray of int, shape (n, m)
        Each row's nearest neighbours (itself excluded).

    Returns
    -------
    float
        1 when every neighbour pair shares a cluster, 0 when no more pairs do than random
        clusters of the same sizes would give.

    Examples
    --------
    >>> nbrs = np.array([[1], [0], [3], [2]])
    >>> neighbour_kappa(np.array([0, 0, 1, 1]), nbrs)
    1.0
    >>> neighbour_kappa(np.array([0, 1, 0, 1]), nbrs)
    -1.0
    """
    same = (labels[:, None] == labels[neighbours]) & (labels[:, None] >= 0)
    observed = float(same.mean())
    sizes = np.bincount(labels[labels >= 0]) / len(labels)
    expected = float((sizes ** 2).sum())
    return (observed - expected) / max(1.0 - expected, 1e-12)


def cluster_kappa(labels: np.ndarray, neighbours: np.ndarray) -> float:
    """:func:`neighbour_kappa` of each cluster on its own, averaged over the clusters.

    Each cluster's share of its points' neighbours that lie in it, corrected for its size's
    share of all points. Every cluster counts alike, so a clustering that merges two groups
    and spends the clusters it saved on a handful of outliers scores low, though most of its
    points keep their neighbours.

    Parameters
    ----------
    labels : ndarray of int, shape (n,)
        Cluster ids; -1 (noise) is no cluster.
    neighbours : ndarray of int, shape (n, m)
        Each row's nearest neighbours (itself excluded).

    Returns
    -------
    float

    Examples
    --------
    >>> nbrs = np.array([[1], [0], [3], [2], [3]])
    >>> cluster_kappa(np.array([0, 0, 1, 1, 1]), nbrs)
    1.0
    >>> cluster_kappa(np.array([0, 0, 0, 0, 1]), nbrs)  # a lone outlier as a cluster
    0.375
    """
    kept = labels >= 0
    if not kept.any():
        return 0.0
    inside = (labels[neighbours] == labels[:, None]).mean(axis=1)
    counts = np.bincount(labels[kept])
    present = counts > 0
    observed = np.bincount(labels[kept], weights=inside[kept])[present] / counts[present]
    expected = counts[present] / len(labels)
    return float(np.mean((observed - expected) / np.maximum(1.0 - expected, 1e-12)))


def criterion(labels: np.ndarray, neighbours: np.ndarray) -> float:
    """``auto``'s score of a candidate in one neighbour graph.

    The mean of :func:`neighbour_kappa` (every point alike) and :func:`cluster_kappa` (every
    cluster alike); tuning half, 18 runs: mean ACC of the pick 0.827 -> 0.866.
    """
    return (neighbour_kappa(labels, neighbours) + cluster_kappa(labels, neighbours)) / 2


K_PLATEAU = 0.02
""":func:`plateau_k` keeps the largest k whose per-cluster kappa is within this of the best."""


def plateau_k(Z: np.ndarray, seed: int, scores_out: dict | None = None) -> tuple[int, str]:
    """Estimate k in a learned view: the largest k before k-means starts cutting groups.

    In a view where the groups are apart, k-means with up to the true k clusters only
    merges whole groups, so every cluster keeps its points' nearest neighbours (per-cluster
    kappa near its best); from one cluster more on it must cut a group and the kappa drops.
    So k is the largest in :data:`clustering.kselect.K_RANGE` whose :func:`cluster_kappa`
    (in the view's 50-nearest-neighbour graph) is within :data:`K_PLATEAU` of the best; where
    that is the range's top, k up to :data:`clustering.kselect.K_MORE` is read too.

    From :data:`clustering.kselect.K_SAMPLE_FROM` rows k-means still clusters every row, but
    the kappa is read in the 50-nearest-neighbour graph of a seeded sample of
    :data:`clustering.kselect.K_SAMPLE_ROWS` of them, where 50 neighbours reach as far as
    they do among 5,000 rows. Among 50,000 rows they reach so short a way that cutting a
    group costs only its seam, and the curve flattens (stop 83, the signal view's UMAP at
    50,000 rows: kappa 0.93-0.98 for every k, k = 9 for the 4 kinds of ``waveforms`` and
    8 for the 3 of ``cbf``; read in the sample: 5 and 3, the same on three samples; the
    sample's graph takes 0.1 s, every row's 2-3 s).

    Parameters
    ----------
    Z : ndarray, shape (n, d)
        The view (``auto`` passes the UMAP of its learned view, or from 10,001 rows the
        signal view itself: :func:`clustering.auto_k.plateau_space`).
    seed : int
        Seed of k-means and of the neighbour search.
    scores_out : dict, optional
        Filled with ``k -> kappa`` of every k tried.

    Returns
    -------
    k : int
    how : str
        One sentence for ``run.json``.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> Z, _ = make_blobs(600, centers=5, cluster_std=0.5, random_state=1)
    >>> plateau_k(Z.astype("float32"), 0)[0]
    5
    """
    from .deep.spaces import mine_neighbours
    from .fit_on_sample import sample_rows
    from .kselect import K_RANGE, K_SAMPLE_FROM, K_SAMPLE_ROWS, range_note, widened

    first_hi = hi = min(K_RANGE[1], len(Z) - 1)
    rows = (sample_rows(len(Z), K_SAMPLE_ROWS, seed) if len(Z) >= K_SAMPLE_FROM
            else np.arange(len(Z)))
    neighbours = mine_neighbours(Z[rows], min(REFERENCE_NEIGHBOURS, len(rows) - 1), seed)

    def kappas(ks) -> dict[int, float]:
        return {k: cluster_kappa(kmeans_fit(Z, k, seed).labels_[rows].astype(np.int64),
                                 neighbours) for k in ks}

    def plateau(scores: dict[int, float]) -> int:
        return max(k for k, v in scores.items() if v >= max(scores.values()) - K_PLATEAU)

    scores = kappas(range(K_RANGE[0], hi + 1))
    if plateau(scores) == hi:  # still on the plateau at the top: more groups may follow
        hi = widened(hi, len(Z) - 1)
        scores.update(kappas(range(first_hi + 1, hi + 1)))
    if scores_out is not None:
        scores_out.update({k: round(v, 4) for k, v in scores.items()})
    best = max(scores.values())
    k = plateau(scores)
    after = f"; {scores[k + 1]:.3f} at k={k + 1}" if k + 1 in scores else ""
    graph = (f" (read in the neighbour graph of {len(rows):,} rows sampled from the "
             f"{len(Z):,})" if len(rows) < len(Z) else "")
    return k, (f"k={k} chosen as the largest k in {range_note(hi, first_hi)} whose clusters "
               f"keep their nearest neighbours within {K_PLATEAU} of the best (per-cluster "
               f"kappa {scores[k]:.3f}, best {best:.3f}{after}){graph}")
