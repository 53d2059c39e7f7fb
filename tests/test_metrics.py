"""Metrics against hand-computed cases."""

import numpy as np
import pytest

from clustering.metrics import cluster_metrics, hungarian_accuracy


def test_perfect_clustering_under_relabelling():
    truth = np.array(["a", "a", "b", "b", "c", "c"])
    labels = np.array([2, 2, 0, 0, 1, 1])
    m = cluster_metrics(np.eye(6), labels, truth)
    assert m["acc"] == 1.0 and m["nmi"] == pytest.approx(1.0) and m["ari"] == pytest.approx(1.0)


def test_hand_computed_accuracy_with_one_error():
    # clusters 0 -> a (3 of 4 right), 1 -> b (2 of 2): 5/6
    truth = np.array([0, 0, 0, 1, 1, 1])
    labels = np.array([0, 0, 0, 0, 1, 1])
    assert hungarian_accuracy(truth, labels) == pytest.approx(5 / 6)


def test_noise_counts_as_wrong():
    truth = np.array([0, 0, 1, 1])
    labels = np.array([0, -1, 1, -1])
    assert hungarian_accuracy(truth, labels) == pytest.approx(0.5)


def test_unmatched_extra_cluster_counts_as_wrong():
    # three clusters, two classes: the smaller extra cluster cannot be matched
    truth = np.array([0, 0, 0, 1, 1, 1])
    labels = np.array([0, 0, 2, 1, 1, 1])
    assert hungarian_accuracy(truth, labels) == pytest.approx(5 / 6)


def test_all_noise_gives_zero_accuracy_and_no_silhouette():
    m = cluster_metrics(np.random.default_rng(0).normal(size=(5, 2)), -np.ones(5, int),
                        np.arange(5))
    assert m["acc"] == 0.0 and m["silhouette"] is None and m["noise_share"] == 1.0


def test_ari_hand_computed():
    # classic example: ARI of [0,0,1,1] vs [0,0,1,2] = 4/7 (sklearn doc value 0.57)
    m = cluster_metrics(np.eye(4), np.array([0, 0, 1, 2]), np.array([0, 0, 1, 1]))
    assert m["ari"] == pytest.approx(0.5714285, abs=1e-6)


def test_silhouette_leaves_noise_out():
    X = np.array([[0, 0], [0, 0.1], [10, 10], [10, 10.1], [5, 5]], dtype=float)
    m = cluster_metrics(X, np.array([0, 0, 1, 1, -1]))
    assert m["silhouette"] > 0.95 and m["noise_share"] == pytest.approx(0.2)


def test_rows_without_a_class_are_left_out_of_the_truth_metrics():
    from clustering.metrics import calibration_bins, cluster_metrics

    X = np.array([[0.0], [0.1], [0.2], [5.0], [5.1], [5.2]])
    labels = np.array([0, 0, 1, 1, 1, 1])
    truth = np.array(["a", None, "a", "b", None, "b"], dtype=object)
    m = cluster_metrics(X, labels, truth, confidence=np.full(6, 0.9))
    assert m["labelled"] == 4 and m["acc"] == 0.75
    assert calibration_bins(np.full(6, 0.9), labels, truth)["count"][13] == 4
    assert "labelled" not in cluster_metrics(X, labels, np.array(list("aaabbb")))
