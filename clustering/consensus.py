"""Consensus of several clusterings of the same rows: align their labels, then vote.

UMAP + k-means depends on the UMAP's seed: on the tuning half of the quality suite one seed's
layout can split a group that the next seed keeps whole (``small-blobs``: 0.94 on four seeds,
0.78 on the fifth). A vote over several seeds' labels keeps what most of them agree on
(``benchmarks/README.md``).
"""

from __future__ import annotations

import numpy as np

__all__ = ["vote"]


def _align(labels: np.ndarray, reference: np.ndarray, k: int) -> np.ndarray:
    """``labels`` renamed to the reference's names they overlap most (Hungarian matching)."""
    from scipy.optimize import linear_sum_assignment

    size = max(k, int(labels.max()) + 1, int(reference.max()) + 1)
    overlap = np.zeros((size, size))
    np.add.at(overlap, (labels, reference), 1)
    rows, cols = linear_sum_assignment(-overlap)
    rename = np.empty(size, dtype=np.int64)
    rename[rows] = cols
    return rename[labels]


def vote(runs: np.ndarray, k: int, rounds: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Majority vote over clusterings whose cluster names are matched to each other.

    Each run's clusters are matched to the current consensus (at first the first run) by
    the Hungarian method on their overlaps; every point takes the cluster most runs give it
    (ties go to the first run's); repeated ``rounds`` times against the new consensus.

    Parameters
    ----------
    runs : ndarray of int, shape (n, r)
        ``r`` clusterings of the same ``n`` rows, labels ``0..k-1``.
    k : int
        Number of clusters.
    rounds : int
        Rounds of matching and voting.

    Returns
    -------
    labels : ndarray of int64, shape (n,)
        The consensus, labels ``0..k'-1`` (``k' <= k``: a cluster no point votes for goes).
    share : ndarray of float32, shape (n, k')
        Share of the runs that put each point in each consensus cluster.

    Examples
    --------
    >>> runs = np.array([[0, 1, 2], [0, 1, 2], [1, 0, 2], [2, 2, 0]]).T
    >>> vote(runs, 3)[0]
    array([0, 1, 2])
    """
    runs = np.asarray(runs, dtype=np.int64)
    n, r = runs.shape
    first = runs[:, 0]
    consensus = first
    for _ in range(rounds):
        votes = np.zeros((n, max(k, int(runs.max()) + 1)))
        for j in range(r):
            votes[np.arange(n), _align(runs[:, j], consensus, k)] += 1.0
        votes[np.arange(n), _align(first, consensus, k)] += 1e-3  # ties: the first run
        new = votes.argmax(axis=1)
        if np.array_equal(new, consensus):
            break
        consensus = new
    used, labels = np.unique(consensus, return_inverse=True)
    share = np.floor(votes[:, used]) / r
    return labels.astype(np.int64), share.astype(np.float32)
