"""Over-clustering and merging along a neighbour graph (``auto``'s merge candidate)."""

import numpy as np

from clustering.deep.spaces import mine_neighbours
from clustering.kselect import kmeans_fit
from clustering.merge_clusters import merge_pieces, overcluster_merge
from clustering.metrics import hungarian_accuracy


def _bar_and_two_blobs(seed=0):
    """A long bar (one group) and two tight blobs close to each other (two groups)."""
    rng = np.random.default_rng(seed)
    bar = np.column_stack([rng.uniform(0, 10, 600), rng.normal(0, 0.1, 600)])
    b = rng.normal([20.0, 0.0], 0.15, (200, 2))
    c = rng.normal([20.0, 1.5], 0.15, (200, 2))
    return np.vstack([bar, b, c]).astype(np.float32), np.repeat([0, 1, 2], [600, 200, 200])


def test_merge_joins_the_pieces_k_means_would_split_and_keeps_the_blobs_apart():
    Z, truth = _bar_and_two_blobs()
    plain = kmeans_fit(Z, 3, 0).labels_
    assert hungarian_accuracy(truth, plain) < 0.85  # k-means halves the bar, joins the blobs
    labels, soft = overcluster_merge(Z, mine_neighbours(Z, 15, 0), 3, 0)
    assert hungarian_accuracy(truth, labels) == 1.0
    assert soft.shape == (len(Z), 3) and np.allclose(soft.sum(axis=1), 1.0)
    assert (soft.argmax(axis=1) == labels).mean() > 0.99
    again, _ = overcluster_merge(Z, mine_neighbours(Z, 15, 0), 3, 0)
    assert np.array_equal(labels, again)


def test_merge_pieces_stops_at_k_and_numbers_clusters_from_zero():
    rng = np.random.default_rng(1)
    pieces = rng.integers(0, 9, 300)
    neighbours = rng.integers(0, 300, (300, 5))
    for k in (1, 4, 9):
        labels = merge_pieces(pieces, neighbours, k)
        assert sorted(set(labels.tolist())) == list(range(k))
        # a piece is never split
        assert all(len(set(labels[pieces == p].tolist())) == 1 for p in range(9))
