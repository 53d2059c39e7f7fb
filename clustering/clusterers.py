"""Classic and density clusterers behind one function returning a :class:`Clustering`."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .clustering_result import Clustering
from .errors import InputError
from .projection import KnnGraph, knn_graph, umap_embed
from .validation import check_min_rows

__all__ = ["METHODS", "Method", "cluster", "choose_k"]

log = logging.getLogger(__name__)

K_RANGE = (2, 15)


@dataclass(frozen=True)
class Method:
    """A registered clustering method."""

    name: str
    summary: str
    fit: Callable[..., Clustering]
    chooses_k: bool
    family: str


def cluster(X: np.ndarray, method: str = "kmeans", n_clusters: int | None = None, *,
            random_state: int = 0, knn: KnnGraph | None = None, name: str = "data",
            min_cluster_size: int | None = None, **kwargs) -> Clustering:
    """Cluster a feature matrix with a registered method.

    Parameters
    ----------
    X : ndarray, shape (n, d)
    method : str
        A key of :data:`METHODS`.
    n_clusters : int, optional
        Number of clusters; chosen automatically when omitted (see ``info``).
    random_state : int
    knn : KnnGraph, optional
        Reused by the UMAP-based methods.
    name : str
        Data set name for messages.
    min_cluster_size : int, optional
        For the HDBSCAN methods.
    **kwargs
        Extra parameters of deep methods.

    Returns
    -------
    Clustering
    """
    if method not in METHODS:
        raise InputError(f"Unknown method '{method}'; run 'clusterlab methods' to list them.")
    if n_clusters is not None and n_clusters < 2:
        raise InputError(f"--clusters must be at least 2, not {n_clusters}.")
    spec = METHODS[method]
    check_min_rows(len(X), max(3, n_clusters or 3), f"'{method}'", name)
    if spec.family == "density":
        return spec.fit(X, n_clusters=n_clusters, random_state=random_state, knn=knn,
                        min_cluster_size=min_cluster_size)
    return spec.fit(X, n_clusters=n_clusters, random_state=random_state, knn=knn, **kwargs)


def choose_k(X: np.ndarray, fit_labels: Callable[[int], np.ndarray], random_state: int = 0,
             sample: int = 3000) -> tuple[int, str]:
    """Pick k in 2..15 by the best silhouette on a seeded sample.

    Parameters
    ----------
    X : ndarray, shape (n, d)
    fit_labels : callable
        ``fit_labels(k) -> labels`` on all rows.
    random_state : int
    sample : int

    Returns
    -------
    k : int
    how : str
        One sentence for ``run.json``.
    """
    from sklearn.metrics import silhouette_score

    hi = min(K_RANGE[1], len(X) - 1)
    rng = np.random.default_rng(random_state)
    rows = rng.choice(len(X), min(sample, len(X)), replace=False)
    scores = {}
    for k in range(K_RANGE[0], hi + 1):
        labels = fit_labels(k)
        if len(np.unique(labels[rows])) > 1:
            scores[k] = float(silhouette_score(X[rows], labels[rows]))
    if not scores:
        return 2, "k=2: no k in range gave two distinct clusters"
    best = max(scores, key=scores.get)
    return best, (f"k={best} chosen by the best silhouette ({scores[best]:.3f}) over "
                  f"k={K_RANGE[0]}..{hi}")


def _kmeans_labels(X, k, random_state):
    from sklearn.cluster import KMeans

    model = KMeans(n_clusters=k, n_init=10, random_state=random_state).fit(X)
    return model


def _distance_soft(X: np.ndarray, centers: np.ndarray, labels: np.ndarray) -> np.ndarray:
    """Softmax over negative squared distances to the centres.

    The temperature is half the median gap between the nearest and second-nearest
    centre, so a typical point gets about 0.88 against its runner-up and a point on
    the boundary 0.5.
    """
    d2 = _chunked_d2(X, centers)
    if d2.shape[1] < 2:
        return np.ones((len(X), 1), dtype=np.float32)
    two = np.sort(d2, axis=1)[:, :2]
    temperature = max(float(np.median(two[:, 1] - two[:, 0])) / 2.0, 1e-12)
    logits = -(d2 - d2.min(axis=1, keepdims=True)) / temperature
    soft = np.exp(logits)
    return (soft / soft.sum(axis=1, keepdims=True)).astype(np.float32)


def _chunked_d2(X, centers, chunk=20000):
    out = np.empty((len(X), len(centers)), dtype=np.float64)
    cc = (centers ** 2).sum(1)
    for s in range(0, len(X), chunk):
        part = X[s:s + chunk].astype(np.float64)
        out[s:s + chunk] = (part ** 2).sum(1)[:, None] - 2 * part @ centers.T + cc[None, :]
    return np.maximum(out, 0)


def _fit_kmeans(X, n_clusters=None, random_state=0, knn=None, method="kmeans", **_):
    info = {}
    if n_clusters is None:
        n_clusters, info["k_selection"] = choose_k(
            X, lambda k: _kmeans_labels(X, k, random_state).labels_, random_state)
    model = _kmeans_labels(X, n_clusters, random_state)
    labels = model.labels_.astype(np.int64)
    soft = _distance_soft(X, model.cluster_centers_, labels)
    info["inertia"] = float(model.inertia_)
    return Clustering(labels, soft, soft.max(axis=1), method,
                      {"n_clusters": int(n_clusters), "n_init": 10}, info)


def _fit_gmm(X, n_clusters=None, random_state=0, knn=None, **_):
    from sklearn.mixture import GaussianMixture

    cov = "full" if X.shape[1] <= 10 else "diag"

    def fit(k):
        return GaussianMixture(k, covariance_type=cov, n_init=2, reg_covar=1e-4,
                               random_state=random_state).fit(X)

    info = {}
    if n_clusters is None:
        bics = {k: fit(k).bic(X) for k in range(K_RANGE[0], min(K_RANGE[1], len(X) // 2) + 1)}
        n_clusters = min(bics, key=bics.get)
        info["k_selection"] = (f"k={n_clusters} chosen by the lowest BIC over "
                               f"k={K_RANGE[0]}..{max(bics)}")
    model = fit(n_clusters)
    soft = model.predict_proba(X).astype(np.float32)
    labels = soft.argmax(axis=1).astype(np.int64)
    labels, soft = _compact(labels, soft)
    info["converged"] = bool(model.converged_)
    return Clustering(labels, soft, soft.max(axis=1), "gmm",
                      {"n_clusters": int(n_clusters), "covariance_type": cov}, info)


def _compact(labels: np.ndarray, soft: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    used = np.unique(labels[labels >= 0])
    remap = -np.ones(soft.shape[1], dtype=np.int64)
    remap[used] = np.arange(len(used))
    new = np.where(labels >= 0, remap[np.maximum(labels, 0)], -1)
    return new, soft[:, used] if len(used) else soft[:, :1] * 0


def _fit_hdbscan(X, n_clusters=None, random_state=0, knn=None, min_cluster_size=None,
                 method="hdbscan", space="features"):
    import hdbscan

    mcs = int(min_cluster_size or max(5, min(100, len(X) // 100)))
    if mcs < 2:
        raise InputError(f"min_cluster_size must be at least 2, not {mcs}.")
    check_min_rows(len(X), mcs + 1, f"HDBSCAN with min_cluster_size={mcs}", "data")
    model = hdbscan.HDBSCAN(min_cluster_size=mcs, prediction_data=True,
                            approx_min_span_tree=False).fit(X)
    labels = model.labels_.astype(np.int64)
    k = int(labels.max() + 1)
    info = {"space": space, "k_selection": f"{k} clusters found by HDBSCAN itself"}
    if n_clusters is not None:
        info["note"] = "HDBSCAN chooses the number of clusters itself; --clusters was not used"
    if k >= 2:
        soft = hdbscan.all_points_membership_vectors(model).astype(np.float32).reshape(len(X), k)
    else:
        soft = (labels[:, None] == np.arange(max(k, 1))[None, :]).astype(np.float32)
    if k == 0:
        info["note"] = ("HDBSCAN found no cluster (all points are noise); lower "
                        "min_cluster_size or try another method")
    confidence = np.where(labels >= 0, model.probabilities_, 0.0).astype(np.float32)
    return Clustering(labels, soft, confidence, method,
                      {"min_cluster_size": mcs, "n_clusters": k, "space": space}, info)


def _umap_space(X, knn, random_state, dims):
    knn = knn or knn_graph(X, random_state=random_state)
    return umap_embed(X, min(dims, max(2, X.shape[1])), knn, random_state, min_dist=0.0)


def _fit_umap_hdbscan(X, n_clusters=None, random_state=0, knn=None, min_cluster_size=None):
    Z = _umap_space(X, knn, random_state, 5)
    return _fit_hdbscan(Z, n_clusters, random_state, None, min_cluster_size,
                        method="umap-hdbscan", space="umap-5d")


def _fit_umap_kmeans(X, n_clusters=None, random_state=0, knn=None, **_):
    Z = _umap_space(X, knn, random_state, 10)
    result = _fit_kmeans(Z, n_clusters, random_state, method="umap-kmeans")
    return Clustering(result.labels, result.soft, result.confidence, "umap-kmeans",
                      {**result.params, "space": "umap-10d"}, result.info)


def _deep(name: str):
    def fit(X, n_clusters=None, random_state=0, knn=None, **kwargs):
        from .deep.methods import fit_deep

        return fit_deep(X, name, n_clusters, random_state=random_state, knn=knn, **kwargs)

    return fit


def _deep_methods() -> list[Method]:
    from .deep.methods import DEEP_METHODS

    return [Method(name, summary, _deep(name), True, "deep")
            for name, summary in DEEP_METHODS.items()]


METHODS: dict[str, Method] = {
    m.name: m for m in [
        Method("kmeans", "k-means (10 restarts) on the features; k by silhouette if not given",
               _fit_kmeans, True, "classic"),
        Method("gmm", "Gaussian mixture (full or diagonal covariance); k by BIC if not given",
               _fit_gmm, True, "classic"),
        Method("hdbscan", "HDBSCAN density clustering on the features; finds k and noise itself",
               _fit_hdbscan, False, "density"),
        Method("umap-hdbscan", "HDBSCAN on a 5-D UMAP of the features (as BERTopic does)",
               _fit_umap_hdbscan, False, "density"),
        Method("umap-kmeans", "k-means on a 10-D UMAP of the features",
               _fit_umap_kmeans, True, "classic"),
        *_deep_methods(),
    ]
}
