"""Over-cluster, then merge the pieces along a neighbour graph.

k-means with k clusters in the UMAP of a learned view has to be right twice: a group that
the layout draws as two islands gets split, and two other groups then share one cluster
(``shapes``, 5,000 images, seed 0: ACC 0.626 with exactly that confusion). Cutting the
layout into :data:`PIECES_PER_CLUSTER` times k small k-means pieces and joining them
greedily by average linkage on the count of nearest-neighbour pairs between pieces (in a
graph that need not be the layout's: ``auto`` passes the learned view's own) puts the two
islands back together when the view links them. Used by ``auto`` for the fine-tuned image
view, the one learned view without SCAN heads (:data:`clustering.auto_candidates.MERGED_VIEWS`).
"""

from __future__ import annotations

import numpy as np

from .kselect import kmeans_fit

__all__ = ["PIECES_PER_CLUSTER", "merge_pieces", "overcluster_merge"]

PIECES_PER_CLUSTER = 3
"""k-means pieces per final cluster. Tuning half, the fine-tuned view of ``shapes`` and
``numerals`` and ``shapes`` at 5,000 images, seeds 0-2, ACC of the candidate (replayed on
saved views, pieces joined along the UMAP's own graph): 2 pieces 0.943 / 0.533 / 0.983,
3 pieces 0.992 / 0.538 / 0.983, 4 pieces 0.992 / 0.553 / 0.983; 3 pieces joined along the
view's own graph (what ``auto`` does) 0.992 / 0.562 / 0.983."""


def merge_pieces(pieces: np.ndarray, neighbours: np.ndarray, k: int) -> np.ndarray:
    """Join pieces into ``k`` clusters by average linkage on neighbour pairs.

    Parameters
    ----------
    pieces : ndarray of int, shape (n,)
        Piece of every row, ``0..m-1`` with ``m >= k``.
    neighbours : ndarray of int, shape (n, r)
        Nearest neighbours of every row (itself excluded).
    k : int
        Number of clusters wanted.

    Returns
    -------
    ndarray of int, shape (n,)
        Cluster of every row, ``0..k-1`` (numbered by the smallest piece each holds).

    Notes
    -----
    The linkage of two groups of pieces is the number of neighbour pairs between them
    (counted both ways) over the product of their sizes, so large groups are not joined
    only because they are large; the most linked pair is joined until ``k`` groups remain.

    Examples
    --------
    >>> pieces = np.array([0, 0, 1, 1, 2, 2])
    >>> neighbours = np.array([[1], [2], [3], [0], [5], [4]])
    >>> merge_pieces(pieces, neighbours, 2).tolist()
    [0, 0, 0, 0, 1, 1]
    """
    m = int(pieces.max()) + 1
    links = np.zeros((m, m))
    np.add.at(links, (np.repeat(pieces, neighbours.shape[1]), pieces[neighbours.ravel()]), 1.0)
    links = links + links.T
    np.fill_diagonal(links, 0.0)
    sizes = np.bincount(pieces, minlength=m).astype(float)
    owner = np.arange(m)
    alive = list(range(m))
    while len(alive) > k:
        sub = links[np.ix_(alive, alive)] / np.outer(sizes[alive], sizes[alive])
        np.fill_diagonal(sub, -1.0)
        i, j = np.unravel_index(int(np.argmax(sub)), sub.shape)
        a, b = alive[i], alive[j]
        links[a] += links[b]
        links[:, a] += links[:, b]
        links[a, a] = 0.0
        sizes[a] += sizes[b]
        owner[owner == b] = a
        alive.remove(b)
    _, clusters = np.unique(owner, return_inverse=True)
    return clusters[pieces].astype(np.int64)


def overcluster_merge(Z: np.ndarray, neighbours: np.ndarray, k: int, seed: int,
                      pieces_per_cluster: int = PIECES_PER_CLUSTER
                      ) -> tuple[np.ndarray, np.ndarray]:
    """k-means pieces of ``Z`` joined into ``k`` clusters along ``neighbours``.

    Parameters
    ----------
    Z : ndarray, shape (n, d)
        Rows to cut into pieces (``auto``: the UMAP of a learned view).
    neighbours : ndarray of int, shape (n, r)
        Nearest neighbours of every row (``auto``: in the learned view itself).
    k : int
        Number of clusters.
    seed : int
        Seed of the k-means restarts.
    pieces_per_cluster : int
        Pieces cut per final cluster (at most one piece per 5 rows).

    Returns
    -------
    labels : ndarray of int, shape (n,)
    soft : ndarray, shape (n, k), float32
        Each row's share of itself and its neighbours in every cluster.
    """
    m = max(k, min(pieces_per_cluster * k, len(Z) // 5))
    pieces = kmeans_fit(Z, m, seed, n_init=3).labels_.astype(np.int64)
    labels = merge_pieces(pieces, neighbours, k)
    members = np.concatenate([labels[:, None], labels[neighbours]], axis=1)
    soft = np.stack([(members == c).mean(axis=1) for c in range(k)], axis=1)
    return labels, soft.astype(np.float32)
