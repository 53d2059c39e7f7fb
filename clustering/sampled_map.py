"""The 2-D map of a large collection: UMAP on a sample, a distilled MLP places the rest.

UMAP's layout costs grow with the rows (a million rows take tens of minutes on two cores).
Above :data:`MAP_SAMPLE` rows the map is fitted on a seeded sample; an MLP (the same
distillation the deep models use for their views) learns features -> map coordinates on
most of the sample and places every other row. The sample's own rows keep their UMAP
places. How well it worked is measured and kept with the run: R² of the MLP on sample rows
it did not train on, and the trustworthiness of the whole map on a subsample.
"""

from __future__ import annotations

import logging

import numpy as np

from .progress import ProgressFn, no_progress

__all__ = ["MAP_SAMPLE", "distil_map", "sampled_map"]

log = logging.getLogger(__name__)

MAP_SAMPLE = 100_000
"""Above this many rows the map is UMAP on a sample of this size plus a distilled MLP."""
HELD_OUT = 0.05
"""Share of the sample the MLP does not train on (its R² is measured there)."""
TRUST_ROWS = 2_000
"""Rows of the subsample the map's trustworthiness is measured on."""


def sampled_map(X: np.ndarray, random_state: int = 0, progress: ProgressFn = no_progress,
                sample: int = MAP_SAMPLE, device: str = "cpu") -> tuple[np.ndarray, dict]:
    """UMAP on a sample of the rows, the other rows placed by an MLP fitted to it.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        The features, ``n > sample``.
    random_state : int
    progress : callable
    sample : int
        Rows UMAP is fitted on.
    device : str
        Where the MLP trains (``cpu``, ``cuda``).

    Returns
    -------
    xy : ndarray of float32, shape (n, 2)
    fit : dict
        ``method``, ``sample``, ``r2_held_out`` (the MLP on sample rows it did not see),
        ``trustworthiness`` (k = 10, on :data:`TRUST_ROWS` rows of the whole map).

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(3000, centers=4, n_features=6, random_state=0)
    >>> xy, fit = sampled_map(X, sample=1000)
    >>> xy.shape, fit["sample"], fit["r2_held_out"] > 0.8
    ((3000, 2), 1000, True)
    """
    from sklearn.manifold import trustworthiness

    from .deep.view import view_rows
    from .projection import knn_graph, umap_embed

    n = len(X)
    rng = np.random.default_rng(random_state)
    rows = np.sort(rng.choice(n, size=sample, replace=False))
    progress(0.0, f"map: UMAP on a sample of {sample:,} of {n:,} rows")
    knn = knn_graph(X[rows], n_neighbors=15, random_state=random_state)
    progress(0.1, f"map: UMAP layout of {sample:,} rows")
    Z = umap_embed(X[rows], 2, knn, random_state=random_state, progress=lambda f, m: progress(
        0.1 + 0.5 * f, f"map: UMAP layout of {sample:,} rows, {m}")).astype(np.float64)
    progress(0.6, "map: fitting the network that places the other rows")
    net, _, centre, scale, r2, r2_train = distil_map(
        X[rows], Z, rng, random_state, device,
        lambda f, m: progress(0.6 + 0.3 * f, f"map: {m}"))
    progress(0.9, f"map: placing {n - sample:,} rows")
    xy = view_rows(net, X, device) * scale + centre
    xy[rows] = Z  # the sample keeps its UMAP places
    probe = rng.choice(n, size=min(TRUST_ROWS, n), replace=False)
    trust = float(trustworthiness(X[probe], xy[probe], n_neighbors=10))
    log.info("sampled map: R² %.3f on held-out sample rows, trustworthiness %.3f", r2, trust)
    progress(1.0, "map: done")
    return xy.astype(np.float32), {
        "method": "umap-sample+mlp", "sample": int(sample), "rows": int(n),
        "r2_held_out": round(r2, 4), "r2_train": round(float(r2_train), 4),
        "trustworthiness": round(trust, 4), "trustworthiness_rows": int(len(probe))}


def distil_map(X: np.ndarray, Z: np.ndarray, rng: np.random.Generator, random_state: int,
               device: str = "cpu", progress: ProgressFn = no_progress):
    """Fit an MLP from features ``X`` to 2-D places ``Z`` (:data:`HELD_OUT` kept out).

    Returns
    -------
    net, config, centre, scale, r2_held_out, r2_train
        The network (on ``device``, eval mode; it predicts ``(Z - centre) / scale``), its
        :func:`~clustering.deep.view.build_view` config, the standardisation, the R² on the
        held-out rows (None when there are too few) and on the training rows.
    """
    import torch

    from .deep.common import TrainContext
    from .deep.view import distil_view, view_rows

    Z = np.asarray(Z, np.float64)
    centre, scale = Z.mean(axis=0), Z.std(axis=0) + 1e-12
    held = rng.random(len(X)) < HELD_OUT
    if held.all() or not held.any():
        held = np.zeros(len(X), bool)
    torch.manual_seed(random_state)  # the network's initial weights
    ctx = TrainContext(device=device, seed=random_state, progress=progress)
    net, config, r2_train = distil_view(X[~held], (Z[~held] - centre) / scale, ctx)
    r2 = None
    if held.any():
        guess = view_rows(net, X[held], ctx.device) * scale + centre
        r2 = 1.0 - float(((guess - Z[held]) ** 2).sum() /
                         max(((Z[held] - Z[held].mean(axis=0)) ** 2).sum(), 1e-12))
    return net, config, centre, scale, r2, float(r2_train)
