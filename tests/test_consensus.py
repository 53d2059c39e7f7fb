"""The vote over clusterings whose cluster names differ."""

import numpy as np

from clustering.consensus import vote


def test_vote_matches_renamed_runs_and_outvotes_one_wrong_run():
    rng = np.random.default_rng(0)
    truth = np.repeat(np.arange(4), 50)
    runs = []
    for _ in range(4):
        names = rng.permutation(4)  # every run names the clusters differently
        runs.append(names[truth])
    wrong = truth.copy()
    wrong[truth == 1] = 0  # one run merges two clusters and splits another
    wrong[(truth == 3) & (np.arange(200) % 2 == 0)] = 1
    runs.append(wrong)
    labels, share = vote(np.stack(runs, axis=1), 4)
    assert len(np.unique(labels)) == 4
    # the same partition as the truth (up to names), despite the wrong run
    pairs = {(int(t), int(c)) for t, c in zip(truth, labels, strict=True)}
    assert len(pairs) == 4
    assert share.shape == (200, 4)
    np.testing.assert_allclose(share.sum(axis=1), 1.0)
    assert np.all(share.max(axis=1) >= 0.8)


def test_vote_breaks_ties_towards_the_first_run():
    first = np.array([0, 0, 1, 1])
    other = np.array([0, 1, 1, 0])
    labels, _ = vote(np.stack([first, other], axis=1), 2)
    np.testing.assert_array_equal(labels, first)
