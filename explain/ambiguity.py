"""Ambiguity per point, per cluster, and of the 2-D view."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["Ambiguity", "ambiguity", "instability", "view_ambiguity"]


@dataclass(frozen=True, eq=False)
class Ambiguity:
    """Ambiguity scores of one clustering.

    Parameters
    ----------
    margin : ndarray, shape (n,)
        Best minus second-best soft assignment (low = ambiguous).
    entropy : ndarray, shape (n,)
        Entropy of the soft assignment divided by log k (0..1).
    instability : ndarray, shape (n,)
        Share of bootstrap re-clusterings that put the point elsewhere (0..1).
    score : ndarray, shape (n,)
        The combined per-point score in 0..1 (mean of 1-margin, entropy, instability).
    per_cluster : dict
        ``{cluster: {"mean": .., "ambiguous_share": ..}}``.
    view : float
        How ambiguous the visible structure of the 2-D map is (0..1).
    """

    margin: np.ndarray
    entropy: np.ndarray
    instability: np.ndarray
    score: np.ndarray
    per_cluster: dict
    view: float


def instability(X: np.ndarray, labels: np.ndarray, n_boot: int = 8, random_state: int = 0
                ) -> np.ndarray:
    """Share of seeded bootstrap k-means re-fits that disagree with each point's cluster.

    Each re-fit on a resample assigns every point to its nearest new centre; new clusters
    are matched to the original ones by the Hungarian method before comparing.
    """
    from scipy.optimize import linear_sum_assignment
    from sklearn.cluster import KMeans

    valid = labels >= 0
    clusters = np.unique(labels[valid])
    if len(clusters) < 2:
        return np.zeros(len(X))
    rng = np.random.default_rng(random_state)
    wrong = np.zeros(len(X))
    for b in range(n_boot):
        rows = rng.choice(np.flatnonzero(valid), valid.sum(), replace=True)
        km = KMeans(len(clusters), n_init=3, random_state=random_state + b).fit(X[rows])
        pred = km.predict(X)
        table = np.zeros((len(clusters), len(clusters)))
        for i, c in enumerate(clusters):
            table[i] = np.bincount(pred[labels == c], minlength=len(clusters))
        r, col = linear_sum_assignment(-table)
        back = np.empty(len(clusters), dtype=np.int64)
        back[col] = clusters[r]
        wrong += back[pred] != labels
    out = wrong / n_boot
    out[~valid] = 1.0
    return out


def view_ambiguity(xy: np.ndarray, labels: np.ndarray, random_state: int = 0) -> float:
    """CLAMS-style score of the 2-D map.

    Mean normalised entropy of a Gaussian mixture fitted to the visible clusters (0 = clearly
    separated, 1 = fully mixed).
    """
    from sklearn.mixture import GaussianMixture

    clusters = np.unique(labels[labels >= 0])
    if len(clusters) < 2:
        return 0.0
    inside = labels >= 0
    means = np.array([xy[labels == c].mean(0) for c in clusters])
    gmm = GaussianMixture(len(clusters), covariance_type="full", means_init=means,
                          reg_covar=1e-3, random_state=random_state).fit(xy[inside])
    p = gmm.predict_proba(xy[inside]).clip(1e-12, 1)
    return float(np.mean(-(p * np.log(p)).sum(1) / np.log(len(clusters))))


def ambiguity(X: np.ndarray, labels: np.ndarray, soft: np.ndarray, xy: np.ndarray | None = None,
              n_boot: int = 8, threshold: float = 0.5, random_state: int = 0) -> Ambiguity:
    """All ambiguity scores of a clustering.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        The features that were clustered.
    labels : ndarray of int, shape (n,)
    soft : ndarray, shape (n, k)
    xy : ndarray, shape (n, 2), optional
        The map, for the view score.
    n_boot : int
        Bootstrap re-fits for instability (0 to skip).
    threshold : float
        Score above which a point counts as ambiguous.
    random_state : int

    Returns
    -------
    Ambiguity

    Examples
    --------
    >>> import numpy as np
    >>> X = np.array([[0.0], [0.1], [2.5], [5.0], [5.1]])
    >>> soft = np.array([[1, 0], [1, 0], [0.5, 0.5], [0, 1], [0, 1]], dtype=float)
    >>> amb = ambiguity(X, np.array([0, 0, 0, 1, 1]), soft, n_boot=2)
    >>> int(amb.score.argmax())
    2
    """
    k = soft.shape[1]
    p = soft / np.clip(soft.sum(1, keepdims=True), 1e-12, None)
    top2 = np.sort(p, axis=1)[:, -2:] if k >= 2 else np.hstack([np.zeros((len(p), 1)), p])
    margin = top2[:, 1] - top2[:, 0]
    ent = -(p.clip(1e-12, 1) * np.log(p.clip(1e-12, 1))).sum(1) / np.log(max(k, 2))
    inst = instability(X, labels, n_boot, random_state) if n_boot else np.zeros(len(X))
    score = np.clip(((1 - margin) + ent + inst) / 3, 0, 1)
    score[labels < 0] = 1.0
    per = {int(c): {"mean": float(score[labels == c].mean()),
                    "ambiguous_share": float((score[labels == c] > threshold).mean())}
           for c in np.unique(labels[labels >= 0])}
    view = view_ambiguity(xy, labels, random_state) if xy is not None else float("nan")
    return Ambiguity(margin, ent, inst, score, per, view)
