"""``ClusterLab``: the pipeline as a scikit-learn-style estimator, for notebooks.

It runs what ``clusterlab run`` runs (features, clustering, the 2-D map, metrics) on data
in memory and nothing is stored; explanations are one call away.
"""

from __future__ import annotations

import numpy as np

from .dataset import Dataset
from .errors import InputError
from .progress import ProgressFn, no_progress

__all__ = ["ClusterLab"]


class ClusterLab:
    """Cluster, map and explain data in memory.

    Parameters
    ----------
    method : str
        A clustering method (``clustering.METHODS``): ``auto`` (the default: a learned view
        for the modality and the best of several candidates, chosen without labels),
        kmeans, gmm, hdbscan, umap-hdbscan, umap-kmeans, or a deep method such as scan.
    n_clusters : int, optional
        Number of clusters; chosen from the data when left out (HDBSCAN always chooses).
    random_state : int
        Seed of every random choice: same seed, same result.
    representation : str
        How rows become numbers (``clustering.features.REPRESENTATIONS``); ``auto`` takes
        the modality's default (scaled table, pixels, MiniLM text, embeddings as given).
    device : {"auto", "cpu", "cuda", "mps"}
        Where deep methods and the text model run.
    min_cluster_size : int, optional
        For the HDBSCAN methods.
    map : bool
        Compute the 2-D UMAP map (``embedding_``); turn off to save time.
    progress : callable, optional
        ``progress(fraction, message)`` for long fits.
    **options
        Settings of a deep method (``epochs``, ``heads``, ``lr``, ``batch_size``, ...;
        ``clusterlab methods`` lists them with their defaults). A setting the method does
        not take raises ``TypeError`` naming it.

    Attributes
    ----------
    labels_ : ndarray of int, shape (n,)
        Cluster of every row (-1 = noise).
    soft_ : ndarray, shape (n, k)
        Soft assignments.
    confidence_ : ndarray, shape (n,)
        Confidence of every row's cluster in [0, 1].
    embedding_ : ndarray, shape (n, 2) or None
        The 2-D map.
    n_clusters_ : int
        Clusters found (noise not counted).
    features_ : ndarray, shape (n, d)
        The matrix that was clustered.
    metrics_ : dict
        Silhouette and, when the data carries ground truth (``y``), ACC, NMI and ARI.
    clustering_ : Clustering
        Everything the clusterer returned (``info`` says how k was chosen, ...).
    dataset_ : Dataset
        The rows as read.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, y = make_blobs(300, centers=3, cluster_std=0.5, random_state=0)
    >>> lab = ClusterLab(method="kmeans", n_clusters=3, map=False).fit(X, y)
    >>> lab.labels_.shape, lab.n_clusters_, round(lab.metrics_["acc"], 2)
    ((300,), 3, 1.0)
    >>> bool((lab.predict(X[:5]) == lab.labels_[:5]).all())
    True
    >>> ClusterLab(method="kmeans", heads=3)
    Traceback (most recent call last):
    ...
    TypeError: kmeans takes no settings; got 'heads'
    """

    def __init__(self, method: str = "auto", n_clusters: int | None = None, *,
                 random_state: int = 0, representation: str = "auto", device: str = "auto",
                 min_cluster_size: int | None = None, map: bool = True,  # noqa: A002
                 progress: ProgressFn | None = None, **options) -> None:
        from .clusterers import METHODS
        from .deep.registry import DEEP_METHODS, check_options

        if method not in METHODS:
            raise ValueError(f"Unknown method '{method}'; the methods are "
                             f"{', '.join(METHODS)}.")
        if options and method not in DEEP_METHODS:
            raise TypeError(f"{method} takes no settings; got '{sorted(options)[0]}'")
        if options:
            check_options(method, options)
        self.method = method
        self.n_clusters = n_clusters
        self.random_state = random_state
        self.representation = representation
        self.device = device
        self.min_cluster_size = min_cluster_size
        self.map = map
        self.progress = progress
        self.options = dict(options)

    def get_params(self, deep: bool = True) -> dict:
        """The constructor arguments (scikit-learn's convention)."""
        return {"method": self.method, "n_clusters": self.n_clusters,
                "random_state": self.random_state, "representation": self.representation,
                "device": self.device, "min_cluster_size": self.min_cluster_size,
                "map": self.map, "progress": self.progress, **self.options}

    def __repr__(self) -> str:
        """``ClusterLab(method=..., ...)`` with the arguments that differ from defaults."""
        shown = {"method": self.method, "n_clusters": self.n_clusters, **self.options}
        return "ClusterLab(" + ", ".join(f"{k}={v!r}" for k, v in shown.items()
                                         if v is not None) + ")"

    def fit(self, X, y=None) -> ClusterLab:
        """Compute features, cluster them and (with ``map``) the 2-D map.

        Parameters
        ----------
        X : ndarray (n, d), DataFrame, Dataset, or str
            Numbers (clustered as given, after dropping constant columns), a table
            (scaled, categoricals one-hot), a loaded :class:`Dataset`, or a path /
            ``demo:NAME`` that :func:`clustering.load_data` reads.
        y : array-like, shape (n,), optional
            Ground truth, used only for ``metrics_``.

        Returns
        -------
        ClusterLab
            ``self``, fitted.
        """
        from .clusterers import cluster
        from .device import resolve_device
        from .features import featurize
        from .metrics import cluster_metrics
        from .pipeline import image_shape_of, modality_of, neighbour_graph, seed_global, texts_of
        from .projection import project

        progress = self.progress or no_progress
        data = _as_dataset(X, y)
        seed_global(self.random_state)
        device = resolve_device(self.device)
        feats = featurize(data, self.representation, device=device,
                          shorten_long_texts=self.method == "auto")
        knn = neighbour_graph(feats.X, self.random_state)
        result = cluster(feats.X, self.method, self.n_clusters, random_state=self.random_state,
                         knn=knn, name=data.name, min_cluster_size=self.min_cluster_size,
                         device=device, progress=lambda f, m: progress(0.8 * f, m),
                         image_shape=image_shape_of(data, feats), options=self.options or None,
                         modality=modality_of(data, feats), texts=texts_of(data, feats))
        self.dataset_, self.features_, self._feature_info = data, feats.X, feats
        self.clustering_ = result
        self.labels_, self.soft_, self.confidence_ = (result.labels, result.soft,
                                                      result.confidence)
        self.n_clusters_ = result.n_clusters
        self.embedding_ = None
        if self.map:
            rows, graph = result.map_input(feats.X, knn)
            self.embedding_ = project(rows, graph, self.random_state,
                                      lambda f, m: progress(0.8 + 0.2 * f, m)).xy
        self.metrics_ = cluster_metrics(feats.X, result.labels, data.labels,
                                        random_state=self.random_state,
                                        confidence=result.confidence)
        progress(1.0, "done")
        return self

    def fit_predict(self, X, y=None) -> np.ndarray:
        """:meth:`fit`, then return ``labels_``."""
        return self.fit(X, y).labels_

    def predict(self, X) -> np.ndarray:
        """Assign new rows (the same kind of data as :meth:`fit` saw).

        Deep methods use their saved network; k-means the nearest centre; the other
        methods the majority cluster of the 15 nearest fitted rows.

        Parameters
        ----------
        X : ndarray, DataFrame, Dataset or str
            New rows with the fitted data's columns.

        Returns
        -------
        ndarray of int, shape (n,)
            Cluster of every row.
        """
        from .device import resolve_device
        from .features import featurize_like

        self._check_fitted()
        fitted = self.dataset_  # images read as fit's were: its side, its ranges
        data = _as_dataset(X, None, fitted.pixel_ranges,
                           None if fitted.images is None else fitted.images.shape[1])
        device = resolve_device(self.device)
        Z = featurize_like(data, self._feature_info.transform(), device=device)
        model = self.clustering_.model
        if model is not None:
            return model.predict(Z, device)
        labels = self.labels_
        if self.method == "kmeans":
            used = np.unique(labels[labels >= 0])
            centres = np.stack([self.features_[labels == c].mean(axis=0) for c in used])
            d2 = ((Z[:, None, :] - centres[None, :, :]) ** 2).sum(axis=2)
            return used[d2.argmin(axis=1)]
        return _knn_vote(self.features_, labels, Z)

    def explain(self, *, saliency: bool = True, max_leaves: int | None = None):
        """Rules, polyhedra, ambiguity, calibration, prototypes, keywords and saliency.

        Parameters
        ----------
        saliency : bool
            Also compute Captum saliency summaries (slower).
        max_leaves : int, optional
            Leaf budget of the rule tree (default about twice the clusters).

        Returns
        -------
        explain.report.Explanation
            With ``to_json()`` giving the ``explanations.json`` document.
        """
        from explain.report import Explanation, explain_clustering

        self._check_fitted()
        xy = self.embedding_ if self.embedding_ is not None else self.features_[:, :2]
        report, score = explain_clustering(
            self.dataset_, self.features_, list(self._feature_info.names), self.clustering_,
            xy, saliency=saliency, max_leaves=max_leaves, random_state=self.random_state)
        return Explanation.from_report(report, score)

    def _check_fitted(self) -> None:
        if not hasattr(self, "clustering_"):
            raise AttributeError("This ClusterLab is not fitted yet; call fit(X) first.")


def _as_dataset(X, y, pixel_ranges: dict | None = None, side: int | None = None) -> Dataset:
    """A Dataset from what :meth:`ClusterLab.fit` accepts.

    A folder's 16-bit, float or DICOM images of a kind in ``pixel_ranges`` are read over
    its range; images larger than 64 px are brought to ``side`` (else chosen from them).
    """
    import pandas as pd

    from .loaders import dataset_from_frame, load_data

    if isinstance(X, Dataset):
        data = X
    elif isinstance(X, str):
        data = load_data(X, pixel_ranges=pixel_ranges, image_size=side)
    elif isinstance(X, pd.DataFrame):
        data = dataset_from_frame(X, "table")
    else:
        values = np.asarray(X)
        if values.ndim != 2 or values.dtype.kind not in "biuf":
            raise InputError(f"X must be a 2-D array of numbers (rows x columns), a "
                             f"DataFrame or a Dataset; got shape {values.shape} of "
                             f"{values.dtype}.")
        frame = pd.DataFrame(values, columns=[f"x{j}" for j in range(values.shape[1])])
        data = dataset_from_frame(frame, "embeddings")
    if y is not None:
        from dataclasses import replace

        y = np.asarray(y)
        if len(y) != data.n:
            raise InputError(f"y has {len(y)} labels but X has {data.n} rows.")
        data = replace(data, labels=y, label_name="y")
    return data


def _knn_vote(X: np.ndarray, labels: np.ndarray, Z: np.ndarray, k: int = 15) -> np.ndarray:
    """Majority cluster of the ``k`` nearest rows of ``X`` for every row of ``Z``."""
    from sklearn.neighbors import KNeighborsClassifier

    knn = KNeighborsClassifier(n_neighbors=min(k, len(X))).fit(X, labels)
    return knn.predict(Z)

