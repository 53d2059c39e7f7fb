"""Each clusterer on seeded blobs: ARI thresholds, soft assignments, automatic k."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs
from sklearn.metrics import adjusted_rand_score

from clustering.clusterers import METHODS, cluster
from clustering.clustering_result import Clustering
from clustering.errors import InputError


@pytest.mark.slow
@pytest.mark.parametrize("method", ["kmeans", "gmm", "umap-kmeans"])
def test_k_methods_recover_blobs(blobs, method):
    X, y = blobs
    result = cluster(X, method, 4, random_state=0)
    assert adjusted_rand_score(y, result.labels) >= 0.95
    assert result.soft.shape == (len(X), 4)
    np.testing.assert_allclose(result.soft.sum(axis=1), 1.0, atol=1e-4)
    assert np.all((result.confidence >= 0) & (result.confidence <= 1))


@pytest.mark.slow
@pytest.mark.parametrize("method", ["hdbscan", "umap-hdbscan"])
def test_density_methods_find_blobs_and_noise(blobs, method):
    X, y = blobs
    result = cluster(X, method, random_state=0)
    inside = result.labels >= 0
    assert result.n_clusters == 4
    assert inside.mean() >= 0.85
    assert adjusted_rand_score(y[inside], result.labels[inside]) >= 0.95
    assert np.all(result.confidence[~inside] == 0)


def test_hdbscan_marks_far_outliers_as_noise():
    X, _ = make_blobs(n_samples=300, centers=3, cluster_std=0.5, random_state=1)
    X = np.vstack([X, [[60, 60], [-60, 60], [60, -60]]])
    result = cluster(X, "hdbscan", random_state=0)
    assert (result.labels[-3:] == -1).all()


@pytest.mark.slow
@pytest.mark.parametrize("method", ["kmeans", "gmm"])
def test_automatic_k_finds_four_blobs_and_says_how(blobs, method):
    X, _ = blobs
    result = cluster(X, method, None, random_state=0)
    assert result.params["n_clusters"] == 4
    assert "k=4" in result.info["k_selection"]


def test_kmeans_confidence_is_lower_between_blobs():
    X, _ = make_blobs(n_samples=400, centers=[[0, 0], [6, 0]], cluster_std=1.0, random_state=0)
    result = cluster(np.vstack([X, [[3, 0]]]), "kmeans", 2, random_state=0)
    centre = result.confidence[:-1].mean()
    assert result.confidence[-1] < 0.6 < centre


def test_clustering_save_load_round_trip(tmp_path, blobs):
    X, _ = blobs
    result = cluster(X, "gmm", 4, random_state=0)
    result.save(tmp_path / "c.npz")
    back = Clustering.load(tmp_path / "c.npz")
    np.testing.assert_array_equal(back.labels, result.labels)
    np.testing.assert_allclose(back.soft, result.soft)
    assert back.params == result.params and back.method == "gmm" and back.space is None
    from dataclasses import replace

    space = np.arange(len(X) * 3, dtype=np.float32).reshape(len(X), 3)
    replace(result, space=space).save(tmp_path / "s.npz")
    np.testing.assert_array_equal(Clustering.load(tmp_path / "s.npz").space, space)
    with pytest.raises(ValueError, match="space must have"):
        replace(result, space=space[:-1])


@pytest.mark.slow
def test_same_seed_same_result(blobs):
    X, _ = blobs
    a = cluster(X, "umap-kmeans", 4, random_state=3)
    b = cluster(X, "umap-kmeans", 4, random_state=3)
    np.testing.assert_array_equal(a.labels, b.labels)


def test_too_few_rows_for_k_is_refused():
    with pytest.raises(InputError, match="has 3 row\\(s\\), but 'kmeans' needs at least 5"):
        cluster(np.eye(3), "kmeans", 5, name="tiny")


def test_unknown_method_is_refused():
    with pytest.raises(InputError, match="Unknown method 'nope'"):
        cluster(np.eye(3), "nope")


def test_every_method_has_a_summary():
    assert all(len(m.summary) > 20 for m in METHODS.values())
