"""k-NN graph, UMAP (2-D map and n-D for clustering) and PCA for tiny inputs."""

from __future__ import annotations

import logging
import re
import warnings
from dataclasses import dataclass, field

import numpy as np

from .numba_cache import cache_umap_compilation
from .progress import ProgressFn, no_progress

__all__ = ["Projection", "KnnGraph", "distinct_rows", "knn_graph", "project", "umap_embed",
           "TINY"]

log = logging.getLogger(__name__)


TINY = 30
"""Below this many rows the map is a PCA, not a UMAP."""

EXACT_KNN_MAX = 20_000
"""Up to this many rows neighbours are exact (scikit-learn); above, NN-descent."""


@dataclass(frozen=True, eq=False)
class KnnGraph:
    """Nearest neighbours of every point (itself first), shared between UMAP calls.

    Parameters
    ----------
    indices : ndarray of int64, shape (n, k)
    distances : ndarray of float32, shape (n, k)
    """

    indices: np.ndarray
    distances: np.ndarray

    def __post_init__(self) -> None:
        """Check that the arrays agree in shape (``ValueError`` otherwise)."""
        if self.indices.shape != self.distances.shape:
            raise ValueError("indices and distances differ in shape")


@dataclass(frozen=True, eq=False)
class Projection:
    """The 2-D map.

    Parameters
    ----------
    xy : ndarray of float32, shape (n, 2)
    method : str
        ``umap``, ``pca``, ``umap-sample+mlp`` (large data) or ``columns`` (the data's own).
    fit : dict
        How well a sampled map fits (see :func:`clustering.sampled_map.sampled_map`).
    """

    xy: np.ndarray
    method: str
    fit: dict = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Check that the arrays agree in shape (``ValueError`` otherwise)."""
        if self.xy.ndim != 2 or self.xy.shape[1] != 2:
            raise ValueError(f"xy must be (n, 2), got {self.xy.shape}")


def knn_graph(X: np.ndarray, n_neighbors: int = 15, random_state: int = 0) -> KnnGraph:
    """Exact (up to :data:`EXACT_KNN_MAX` rows) or NN-descent k nearest neighbours, Euclidean.

    Every row is its own first neighbour at distance exactly 0, as UMAP expects: it takes
    the first distance above 0 for the row's nearest other row (``rho``, which fixes how
    fast its other edges' weights fall). Until stop 43 the exact neighbours were scikit-learn's
    ``kneighbors(X)``, whose float32 brute-force distances (more than 15 columns) put a row
    at about 3e-8 from itself, so UMAP read that as the nearest row: on ``stack-docs``
    (1,788 texts, MiniLM) UMAP-10 + k-means reached ACC 0.72 against 0.78 with umap-learn's
    own neighbours, which agreed on 99 % of the pairs (``benchmarks/README.md``, stop 43).

    Parameters
    ----------
    X : ndarray, shape (n, d)
    n_neighbors : int
        Neighbours per point including itself; capped at n - 1.
    random_state : int

    Returns
    -------
    KnnGraph
    """
    k = max(2, min(n_neighbors, len(X) - 1))
    if len(X) <= EXACT_KNN_MAX:
        from sklearn.neighbors import NearestNeighbors

        # each row first at distance exactly 0, then its k - 1 nearest others
        dist, idx = NearestNeighbors(n_neighbors=k - 1).fit(X).kneighbors()
        rows = np.arange(len(X))[:, None]
        return KnnGraph(np.hstack([rows, idx]).astype(np.int64),
                        np.hstack([np.zeros_like(rows), dist]).astype(np.float32))
    from umap.umap_ import nearest_neighbors

    cache_umap_compilation()

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        idx, dist, _ = nearest_neighbors(X, k, "euclidean", {}, False,
                                         np.random.RandomState(random_state), low_memory=True)
    return KnnGraph(idx.astype(np.int64), dist.astype(np.float32))


MIN_DISTINCT = 10
"""UMAP lays out only the distinct rows when there are at least this many (else all rows)."""


def distinct_rows(X: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """Where the distinct rows of ``X`` first occur, and which distinct row each row is.

    Parameters
    ----------
    X : ndarray, shape (n, d)

    Returns
    -------
    (first, inverse) or None
        ``first``: ascending indices of each distinct row's first occurrence, shape (m,);
        ``inverse``: for every row, its distinct row's position in ``first``, shape (n,),
        so ``X[first][inverse]`` equals ``X``. None when no two rows are equal.

    Examples
    --------
    >>> first, inverse = distinct_rows(np.array([[1.0, 2], [3, 4], [1, 2]]))
    >>> first.tolist(), inverse.tolist()
    ([0, 1], [0, 1, 0])
    """
    rows = np.ascontiguousarray(X)
    keys = rows.view(np.dtype((np.void, rows.dtype.itemsize * rows.shape[1]))).ravel()
    _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
    if len(first) == len(rows):
        return None
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    return first[order], rank[inverse.ravel()]


class _EpochReports:
    """A file for umap-learn's epoch bar (tqdm) that reports ``done / epochs`` instead.

    umap-learn has no progress callback; its layout loop shows a tqdm bar when asked
    (``tqdm_kwds``), whose text is read here, so a UMAP of 50,000 rows (20-25 s on two cores)
    moves the bar and the time left as it goes.
    """

    _COUNT = re.compile(r"(\d+)/(\d+)")

    def __init__(self, progress: ProgressFn) -> None:
        self.progress = progress

    def write(self, text: str) -> int:
        found = self._COUNT.findall(text)
        if found:
            done, total = map(int, found[-1])
            self.progress(done / max(total, 1), f"epoch {done}/{total}")
        return len(text)

    def flush(self) -> None:
        """Nothing is buffered."""


def umap_embed(X: np.ndarray, n_components: int, knn: KnnGraph, random_state: int = 0,
               min_dist: float = 0.1, n_epochs: int | None = None,
               progress: ProgressFn | None = None) -> np.ndarray:
    """UMAP of ``X`` reusing a precomputed k-NN graph.

    Equal rows share one point: when some rows repeat (and at least :data:`MIN_DISTINCT`
    differ), UMAP lays out the distinct rows only, with their own k-NN graph, and each row
    takes its distinct row's place. Many copies of one row otherwise fill a point's
    neighbour list at distance 0 and UMAP scatters identical rows across the layout
    (umap-learn's ``unique`` option exists for this; it cannot be combined with a
    precomputed graph). On the 683 biopsies of ``benchmarks`` ``biopsy`` (9 scores of 1-10,
    449 distinct rows) UMAP + k-means went from ACC 0.52-0.53 to 0.97.

    Parameters
    ----------
    X : ndarray, shape (n, d)
    n_components : int
    knn : KnnGraph
    random_state : int
    min_dist : float
        0.0 packs clusters tightly (for clustering), 0.1 is the map default.
    n_epochs : int, optional
        Layout epochs (umap-learn's default when None: 500 below 10,000 rows, else 200).
    progress : callable, optional
        ``progress(fraction, message)`` of the layout's epochs, about four times a second.

    Returns
    -------
    ndarray of float32, shape (n, n_components)
    """
    import umap

    cache_umap_compilation()
    n_neighbors = knn.indices.shape[1]
    distinct = distinct_rows(X)
    if distinct is not None and len(distinct[0]) >= MIN_DISTINCT:
        first, inverse = distinct
        log.info("UMAP of the %d distinct rows of %d (equal rows share a point)",
                 len(first), len(X))
        U = X[first]
        return umap_embed(U, n_components, knn_graph(U, n_neighbors, random_state),
                          random_state, min_dist, n_epochs, progress)[inverse]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model = umap.UMAP(n_neighbors=n_neighbors, n_components=n_components, min_dist=min_dist,
                          random_state=random_state, init="spectral" if len(X) > 60 else "random",
                          precomputed_knn=(knn.indices, knn.distances, None), n_jobs=1,
                          n_epochs=n_epochs, tqdm_kwds=None if progress is None else {
                              "disable": False, "file": _EpochReports(progress),
                              "mininterval": 0.25})
        emb = model.fit_transform(X)
    return np.asarray(emb, dtype=np.float32)


def project(X: np.ndarray, knn: KnnGraph | None = None, random_state: int = 0,
            progress: ProgressFn = no_progress, device: str = "cpu") -> Projection:
    """The 2-D map: UMAP, or PCA when there are fewer than :data:`TINY` rows.

    Above :data:`clustering.sampled_map.MAP_SAMPLE` rows, UMAP is fitted on a sample and a
    distilled MLP places the other rows (``Projection.fit`` says how well).

    Parameters
    ----------
    X : ndarray, shape (n, d)
    knn : KnnGraph, optional
        Reused when given (computed otherwise).
    random_state : int
    progress : callable
    device : str
        Where a sampled map's MLP trains.

    Returns
    -------
    Projection

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(60, centers=2, n_features=5, random_state=0)
    >>> project(X).xy.shape
    (60, 2)
    """
    from .sampled_map import MAP_SAMPLE, sampled_map

    progress(0.0, "map: projecting to 2-D")
    if len(X) > MAP_SAMPLE:
        xy, fit = sampled_map(X, random_state, progress, sample=MAP_SAMPLE, device=device)
        return Projection(xy, fit["method"], fit)
    if len(X) < TINY:
        xy = _pca2(X)
        method = "pca"
    else:
        knn = knn or knn_graph(X, random_state=random_state)
        xy = umap_embed(X, 2, knn, random_state=random_state, progress=lambda f, msg: progress(
            0.05 + 0.9 * f, f"map: UMAP {msg}"))
        method = "umap"
    progress(1.0, f"map: {method} done")
    return Projection(np.asarray(xy, dtype=np.float32), method)


def _pca2(X: np.ndarray) -> np.ndarray:
    centred = X - X.mean(axis=0)
    if centred.shape[1] == 0 or len(X) < 2:
        return np.zeros((len(X), 2), dtype=np.float32)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    xy = centred @ vt[:2].T
    if xy.shape[1] < 2:
        xy = np.hstack([xy, np.zeros((len(X), 2 - xy.shape[1]))])
    return xy.astype(np.float32)
