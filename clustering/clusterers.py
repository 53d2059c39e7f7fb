"""Classic and density clusterers behind one function returning a :class:`Clustering`."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from .clustering_result import Clustering
from .deep.registry import DEEP_METHODS
from .errors import InputError
from .kselect import K_RANGE, choose_k, distance_soft, kmeans_fit, range_note, widened
from .progress import ProgressFn, no_progress
from .projection import KnnGraph, knn_graph, umap_embed
from .validation import check_min_rows

__all__ = ["METHODS", "Method", "choose_k", "cluster"]


@dataclass(frozen=True)
class Method:
    """A registered clustering method.

    Parameters
    ----------
    name : str
        As typed after ``--method`` or passed as ``method=``.
    summary : str
        One line for method lists.
    fit : callable or None
        ``None`` for ``auto`` (:func:`clustering.auto.fit_auto`). Classic and density
        methods: ``fit(X, n_clusters, random_state, knn, min_cluster_size) -> Clustering``
        (each uses what applies to it); deep methods: :func:`clustering.deep.fit.fit_deep`.
    family : {"auto", "classic", "density", "deep"}
        What kind of method it is.
    """

    name: str
    summary: str
    fit: Callable[..., Clustering] | None
    family: str


def cluster(X: np.ndarray, method: str = "kmeans", n_clusters: int | None = None, *,
            random_state: int = 0, knn: KnnGraph | None = None, name: str = "data",
            min_cluster_size: int | None = None, device: str = "cpu", progress=None,
            should_stop=None, image_shape: tuple[int, ...] | None = None,
            checkpoint_dir=None, epochs: int | None = None,
            options: dict | None = None, modality: str = "table",
            texts: list[str] | None = None) -> Clustering:
    """Cluster a feature matrix with a registered method.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Feature rows.
    method : str
        A key of :data:`METHODS`.
    n_clusters : int, optional
        Number of clusters; chosen automatically when omitted (see ``info``).
    random_state : int
        Seed.
    knn : KnnGraph, optional
        Reused by the UMAP-based methods.
    name : str
        Data set name for messages.
    min_cluster_size : int, optional
        For the HDBSCAN methods.
    device : str
        Resolved device of deep methods.
    progress, should_stop : callable, optional
        Progress reports and cancellation of deep methods.
    image_shape : tuple of int, optional
        Rows are flattened images of this shape (deep methods augment them as images).
    checkpoint_dir : Path, optional
        Deep training checkpoints (resumed from when present).
    epochs : int, optional
        Training length of deep methods (the same as ``options={"epochs": ...}``).
    options : dict, optional
        Settings of a deep method (``clusterlab methods`` lists them with defaults).
    modality : str
        What the rows are (``auto`` picks its learned view from it).
    texts : list of str, optional
        The texts whose sentence embeddings ``X`` holds (``auto`` trains its text view on
        augmented copies of them; other methods ignore them).

    Returns
    -------
    Clustering
        Labels, soft assignments and confidence.

    Raises
    ------
    InputError
        Unknown method, too few rows, ``n_clusters`` below 2.
    TypeError
        An option the method does not take.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, y = make_blobs(200, centers=3, random_state=0)
    >>> cluster(X, "kmeans", 3).n_clusters
    3
    """
    from .deep.registry import check_options

    if method not in METHODS:
        raise InputError(f"Unknown method '{method}'; the methods are "
                         f"{', '.join(METHODS)}.")
    if n_clusters is not None and n_clusters < 2:
        raise InputError(f"n_clusters must be at least 2, not {n_clusters}.")
    spec = METHODS[method]
    check_min_rows(len(X), max(3, n_clusters or 3), f"'{method}'", name)
    if spec.family == "deep":
        settings = check_options(method, {**(options or {}),
                                          **({"epochs": epochs} if epochs else {})})
        return spec.fit(X, method, n_clusters, random_state=random_state, device=device,
                        progress=progress or no_progress, should_stop=should_stop,
                        image_shape=image_shape, checkpoint_dir=checkpoint_dir,
                        options=settings)
    if spec.family == "auto":
        from .auto import OPTIONS, fit_auto

        unknown = sorted(set(options or {}) - set(OPTIONS))
        if unknown:
            raise TypeError(f"auto got an unexpected setting '{unknown[0]}'; it takes "
                            f"{', '.join(OPTIONS)}")
        return fit_auto(X, n_clusters, random_state=random_state, knn=knn, modality=modality,
                        image_shape=image_shape, device=device,
                        progress=progress or no_progress, should_stop=should_stop,
                        checkpoint_dir=checkpoint_dir, texts=texts, **(options or {}))
    if options:
        raise TypeError(f"{method} takes no settings; got '{sorted(options)[0]}'")
    return spec.fit(X, n_clusters=n_clusters, random_state=random_state, knn=knn,
                    min_cluster_size=min_cluster_size)


def _fit_kmeans(X, n_clusters=None, random_state=0, knn=None, min_cluster_size=None,
                method="kmeans"):
    info = {}
    if n_clusters is None:
        n_clusters, info["k_selection"] = choose_k(X, random_state=random_state,
                                                   scores_out=info.setdefault("k_scores", {}))
    model = kmeans_fit(X, n_clusters, random_state)
    labels = model.labels_.astype(np.int64)
    soft = distance_soft(X, model.cluster_centers_)
    info["inertia"] = float(model.inertia_)
    return Clustering(labels, soft, soft.max(axis=1), method,
                      {"n_clusters": int(n_clusters), "n_init": 10}, info)


def _fit_gmm(X, n_clusters=None, random_state=0, knn=None, min_cluster_size=None):
    from sklearn.mixture import GaussianMixture

    cov = "full" if X.shape[1] <= 10 else "diag"

    def fit(k):
        return GaussianMixture(k, covariance_type=cov, n_init=2, reg_covar=1e-4,
                               random_state=random_state).fit(X)

    info = {}
    if n_clusters is None:
        first_hi = min(K_RANGE[1], len(X) // 2)
        bics = {k: fit(k).bic(X) for k in range(K_RANGE[0], first_hi + 1)}
        if min(bics, key=bics.get) == first_hi:  # lowest at the top: more may be lower
            bics.update({k: fit(k).bic(X)
                         for k in range(first_hi + 1, widened(first_hi, len(X) // 2) + 1)})
        n_clusters = min(bics, key=bics.get)
        info["k_selection"] = (f"k={n_clusters} chosen by the lowest BIC over "
                               f"k={range_note(max(bics), first_hi)}")
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
        info["note"] = ("HDBSCAN chooses the number of clusters itself; the number given "
                        "was not used")
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


SHORT_LAYOUT_FROM = 5000
"""From this many rows :func:`umap_space` lays out in :data:`SHORT_LAYOUT_EPOCHS` epochs
(umap-learn's own default from 10,000 rows; below, 500). At 5,000 rows, seeds 0 and 1,
UMAP + k-means ACC with 500 / 200 epochs: 5,000 package docstrings 0.412 / 0.428 and 0.406 /
0.408, ``mixed-table`` 0.963 / 0.963 and 0.964 / 0.963, ``waveforms`` 0.269 / 0.269 and
0.267 / 0.269, at 11-15 s against 5-6 s a layout (``auto`` draws three: its baseline and the
vote's two). No set of the quality suite has this many rows."""
SHORT_LAYOUT_EPOCHS = 200


def umap_space(X: np.ndarray, knn: KnnGraph | None, random_state: int, dims: int,
               progress: ProgressFn | None = None) -> np.ndarray:
    """The UMAP the ``umap-*`` methods cluster in (and ``auto``'s baseline).

    ``min_dist=0``, umap-learn's default epochs (:data:`SHORT_LAYOUT_EPOCHS` from
    :data:`SHORT_LAYOUT_FROM` rows), columns as UMAP lays them out (not standardised), at
    most as many dimensions as ``X`` has columns.

    Parameters
    ----------
    X : ndarray, shape (n, d)
    knn : KnnGraph, optional
        The 15-nearest-neighbour graph of ``X`` (computed when None).
    random_state : int
    dims : int
    progress : callable, optional
        ``progress(fraction, message)`` of the layout's epochs.

    Returns
    -------
    ndarray of float32, shape (n, min(dims, max(2, d)))
    """
    knn = knn or knn_graph(X, random_state=random_state)
    epochs = SHORT_LAYOUT_EPOCHS if len(X) >= SHORT_LAYOUT_FROM else None
    return umap_embed(X, min(dims, max(2, X.shape[1])), knn, random_state, min_dist=0.0,
                      n_epochs=epochs, progress=progress)


def _fit_umap_hdbscan(X, n_clusters=None, random_state=0, knn=None, min_cluster_size=None):
    Z = umap_space(X, knn, random_state, 5)
    return _fit_hdbscan(Z, n_clusters, random_state, None, min_cluster_size,
                        method="umap-hdbscan", space="umap-5d")


def _fit_umap_kmeans(X, n_clusters=None, random_state=0, knn=None, min_cluster_size=None):
    Z = umap_space(X, knn, random_state, 10)
    result = _fit_kmeans(Z, n_clusters, random_state, method="umap-kmeans")
    return Clustering(result.labels, result.soft, result.confidence, "umap-kmeans",
                      {**result.params, "space": "umap-10d"}, result.info)


def _fit_deep(X, method, n_clusters, **kwargs):
    from .deep.fit import fit_deep

    return fit_deep(X, method, n_clusters, **kwargs)


METHODS: dict[str, Method] = {
    m.name: m for m in [
        Method("auto", "the default: learned view for the modality, several candidates, the "
               "one that keeps neighbours together best (chosen without labels)", None, "auto"),
        Method("kmeans", "k-means (10 restarts) on the features; k by silhouette if not given",
               _fit_kmeans, "classic"),
        Method("gmm", "Gaussian mixture (full or diagonal covariance); k by BIC if not given",
               _fit_gmm, "classic"),
        Method("hdbscan", "HDBSCAN density clustering on the features; finds k and noise itself",
               _fit_hdbscan, "density"),
        Method("umap-hdbscan", "HDBSCAN on a 5-D UMAP of the features (as BERTopic does)",
               _fit_umap_hdbscan, "density"),
        Method("umap-kmeans", "k-means on a 10-D UMAP of the features",
               _fit_umap_kmeans, "classic"),
        *(Method(spec.name, spec.summary, _fit_deep, "deep")
          for spec in DEEP_METHODS.values()),
    ]
}
