"""The neighbour graphs ``auto``'s criterion scores its candidates in, each timed and reported.

The criterion (:mod:`clustering.neighbour_kappa`) reads the ``m``-nearest-neighbour graphs
of the features and of every learned view, and of a UMAP of a wide view. At 50,000 images
these graphs took about 35 s that no progress report and no recorded time covered (stop 79:
the time left shown fell short late in the stage); each is now recorded in ``auto``'s
``seconds`` as ``graph:<name>`` and the bar moves between them.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from .auto_views import UMAP_EPOCHS, VIEWS, standardise

__all__ = ["FEATURE_GRAPHS", "REFERENCE_UMAP_SEED", "STANDARDISED_GRAPH", "UMAP_GRAPH_ABOVE",
           "graph_sources", "reference_graphs"]

UMAP_GRAPH_ABOVE = 256
"""A learned view wider than this (the fine-tuned ImageNet encoder's 1,280 columns; the
others have 128 or fewer) is read by the criterion twice: through its own neighbour graph
and through that of a UMAP of it drawn with another seed (:data:`REFERENCE_UMAP_SEED`) than
the UMAP its candidates cut. In 1,280 dimensions the plain graph favoured k-means on the
view itself over k-means on its UMAP. Tuning half, seeds 0-2, ACC of the pick: ``numerals``
0.470 / 0.434 / 0.490 -> 0.530 / 0.612 / 0.611, ``shapes`` 0.973 / 0.960 / 0.969 -> 0.922 /
0.960 / 0.994 (mean over 7 sets with learned views 0.848 -> 0.864). Reading every view
through its UMAP as well gave 0.855 (``digits`` 0.973 -> 0.955, ``skewed-table`` 0.808 ->
0.789), the UMAP graphs alone 0.809."""
REFERENCE_UMAP_SEED = 1
"""Offset of the seed of the criterion's UMAP from the view's own UMAP's."""
STANDARDISED_GRAPH = "features (standardised)"
"""The graph of the features with every column at unit spread, drawn for tables of counts
(:data:`clustering.auto_candidates.STANDARDISED_MODALITIES`) beside the features' own: read
in the principal components' graph alone, the criterion favours candidates cut in those
components over k-means on the standardised ones
(:data:`clustering.auto_candidates.STANDARDISED`), and the other way round."""
FEATURE_GRAPHS = ("features", STANDARDISED_GRAPH)
"""Graphs of the features themselves; they judge where no learned view does."""


def graph_sources(X: np.ndarray, views: dict[str, np.ndarray], standardised: bool = False
                  ) -> list[tuple[str, np.ndarray]]:
    """The graphs to draw, in order, as ``(name, rows)``.

    The features, with ``standardised`` the features standardised
    (:data:`STANDARDISED_GRAPH`), each learned view and, for a view wider than
    :data:`UMAP_GRAPH_ABOVE`, ``"<view> (UMAP)"``.

    Examples
    --------
    >>> views = {"umap": np.zeros((4, 5)), "finetuned": np.zeros((4, 1280))}
    >>> [name for name, _ in graph_sources(np.zeros((4, 3)), views)]
    ['features', 'finetuned', 'finetuned (UMAP)']
    >>> [name for name, _ in graph_sources(np.ones((4, 3)), {}, standardised=True)]
    ['features', 'features (standardised)']
    """
    sources = [("features", X)]
    if standardised:
        sources.append((STANDARDISED_GRAPH, standardise(X)))
    for name, Z in views.items():
        if name in VIEWS:
            sources.append((name, Z))
            if Z.shape[1] > UMAP_GRAPH_ABOVE:
                sources.append((f"{name} (UMAP)", Z))
    return sources


def reference_graphs(X: np.ndarray, views: dict[str, np.ndarray], m: int, seed: int,
                     features_graph: np.ndarray | None,
                     timed: Callable[[str, Callable], np.ndarray],
                     report: Callable[[float, str], None], standardised: bool = False
                     ) -> dict[str, np.ndarray]:
    """``m``-nearest-neighbour graphs (rows' neighbour indices) of :func:`graph_sources`.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        The features.
    views : dict
        ``auto``'s views by name (only :data:`clustering.auto_views.VIEWS` are read).
    m : int
        Neighbours per row.
    seed : int
    features_graph : ndarray, optional
        The features' graph when already known (the run's own nearest neighbours).
    timed : callable
        ``timed(name, fn)`` calls ``fn`` and records its seconds under ``name``.
    report : callable
        ``report(done, message)``: the share of the graphs drawn (0..1) and what is next.
    standardised : bool
        Draw the standardised features' graph too (:data:`STANDARDISED_GRAPH`).

    Returns
    -------
    dict
        Graph name -> ndarray of shape (n, m).
    """
    from .deep.spaces import mine_neighbours, umap_view

    sources = graph_sources(X, views, standardised)
    graphs = {}
    for i, (name, Z) in enumerate(sources):
        if name == "features" and features_graph is not None:
            graphs[name] = features_graph
            continue
        view = name.removesuffix(" (UMAP)")
        report(i / len(sources), f"auto: the {m} nearest neighbours "
               + (f"in the {name}" if name in FEATURE_GRAPHS else
                  f"in a UMAP of the {view} view" if view != name else f"in the {view} view"))
        if view != name:
            def draw(Z=Z, i=i, view=view):
                return mine_neighbours(umap_view(
                    Z, seed + REFERENCE_UMAP_SEED, epochs=UMAP_EPOCHS,
                    progress=lambda f, msg: report((i + f) / len(sources),
                                                   f"auto: a UMAP of the {view} view, {msg}")),
                    m, seed)
        else:
            def draw(Z=Z):
                return mine_neighbours(Z, m, seed)
        graphs[name] = timed(f"graph:{name}", draw)
    return graphs
