"""The learned views clustering heads read instead of the raw features.

The neighbours mined in them are what SCAN-style heads learn from.

Images get a contrastive (SimCLR-style) embedding trained from scratch; other data get
standardised 10-D UMAPs (one per seed). Tiny data sets (200 rows or fewer) are read as they
are.
"""

from __future__ import annotations

import numpy as np

from .common import TrainContext

__all__ = ["TINY_ROWS", "View", "learned_views", "mine_neighbours", "umap_view"]

TINY_ROWS = 200
"""At or below this many rows the heads read the features themselves."""

View = tuple
"""``(Z, label, view network or None)``: the rows the heads read, where they come from, and
the network from feature rows to ``Z`` when one was trained (the contrastive encoder)."""


def umap_view(X: np.ndarray, seed: int, base=None, epochs: int | None = None,
              progress=None) -> np.ndarray:
    """A standardised 10-D UMAP of ``X`` (``min_dist=0``), shape (n, 10), float32.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Feature rows.
    seed : int
        UMAP's random state.
    base : KnnGraph, optional
        The 15-nearest-neighbour graph of ``X`` (computed when omitted).
    epochs : int, optional
        UMAP layout epochs (its default when None).
    progress : callable, optional
        ``progress(fraction, message)`` of the layout's epochs.

    Returns
    -------
    ndarray, shape (n, 10)
        Zero mean and unit variance per column.
    """
    from ..projection import knn_graph, umap_embed

    Z = umap_embed(X, 10, base or knn_graph(X, 15, seed), seed, min_dist=0.0, n_epochs=epochs,
                   progress=progress)
    return ((Z - Z.mean(axis=0)) / Z.std(axis=0).clip(1e-6)).astype(np.float32)


def learned_views(X: np.ndarray, ctx: TrainContext, views: int, epochs: int) -> list[View]:
    """The inputs clustering heads train on.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Feature rows (flattened images when ``ctx.image_shape`` is set).
    ctx : TrainContext
        Seed, device, image shape.
    views : int
        UMAP views to make (seeds ``ctx.seed`` .. ``ctx.seed + views - 1``).
    epochs : int
        Epochs of the contrastive pretext (images).

    Returns
    -------
    list of View
        One contrastive view for images; ``views`` UMAP views otherwise; the features
        themselves for tiny data.
    """
    from ..projection import knn_graph

    if ctx.image_shape is not None and len(X) > TINY_ROWS:
        from .contrastive import train_contrastive
        from .view import image_view

        images = X.reshape(len(X), *ctx.image_shape)
        sub = ctx.part(0, 1, image_shape=ctx.image_shape)
        emb, encoder = train_contrastive(images, sub, epochs=epochs)
        return [(emb.astype(np.float32), "contrastive-128d",
                 image_view(encoder, ctx.image_shape))]
    if len(X) <= TINY_ROWS:
        return [(X, "features", None)]
    base = knn_graph(X, 15, ctx.seed)
    return [(umap_view(X, ctx.seed + view, base), "umap-10d", None) for view in range(views)]


def mine_neighbours(Z: np.ndarray, m: int, seed: int) -> np.ndarray:
    """The ``m`` nearest neighbours of every row of ``Z`` (itself excluded), shape (n, m)."""
    from ..projection import knn_graph

    return knn_graph(Z, m + 1, seed).indices[:, 1:]
