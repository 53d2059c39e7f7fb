"""The 2-D map: trustworthiness, determinism, PCA for tiny inputs, k-NN reuse, equal rows."""

import numpy as np
import pytest
from sklearn.manifold import trustworthiness

from clustering.projection import TINY, distinct_rows, knn_graph, project, umap_embed


@pytest.mark.slow
def test_umap_map_is_trustworthy(blobs):
    X, _ = blobs
    proj = project(X, random_state=0)
    assert proj.method == "umap" and proj.xy.shape == (len(X), 2)
    assert trustworthiness(X, proj.xy, n_neighbors=10) >= 0.9


@pytest.mark.slow
def test_map_is_repeatable_with_a_seed_and_reuses_knn(blobs):
    X, _ = blobs
    knn = knn_graph(X, random_state=0)
    a = project(X, knn, random_state=0)
    b = project(X, knn, random_state=0)
    np.testing.assert_allclose(a.xy, b.xy)


def _scores_with_equal_rows(seed):
    """A table of 1-10 scores like the MASS biopsies: 400 rows mostly of ones (many rows
    equal), 200 spread over 3-10; standardised."""
    rng = np.random.default_rng(seed)
    low = np.clip(np.round(rng.exponential(0.4, (400, 8))) + 1, 1, 10)
    high = rng.integers(3, 11, (200, 8)).astype(float)
    X = np.vstack([low, high]).astype(np.float32)
    return (X - X.mean(0)) / X.std(0), np.r_[np.zeros(400), np.ones(200)]


@pytest.mark.slow
@pytest.mark.parametrize("seed", [0, 1])
def test_equal_rows_share_one_point_and_the_groups_stay_apart(seed):
    """UMAP lays out the distinct rows only (on these data, UMAP of all rows put equal rows
    in several places and k-means in it reached ARI 0.78-0.82)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score

    X, y = _scores_with_equal_rows(seed)
    first, inverse = distinct_rows(X)
    assert len(first) < 400 and np.array_equal(X[first][inverse], X)
    Z = umap_embed(X, 10, knn_graph(X, 15, seed), seed, min_dist=0.0)
    assert Z.shape == (600, 10)
    np.testing.assert_array_equal(Z, Z[first][inverse])  # equal rows, one point
    labels = KMeans(2, n_init=10, random_state=0).fit_predict(Z)
    assert adjusted_rand_score(y, labels) >= 0.95


def test_each_row_is_its_own_first_neighbour_at_distance_zero():
    """UMAP reads the first neighbour at a distance above 0 as a row's nearest other row
    (its ``rho``); scikit-learn's brute-force distances in float32 put a row at about 3e-8
    from itself in many dimensions, which UMAP then took for that neighbour."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(300, 384)).astype(np.float32)
    X /= np.linalg.norm(X, axis=1, keepdims=True)
    knn = knn_graph(X, 15, 0)
    assert knn.indices.shape == (300, 15)
    np.testing.assert_array_equal(knn.indices[:, 0], np.arange(300))
    assert not knn.distances[:, 0].any()
    assert (knn.distances[:, 1] > 0.5).all()  # the others are real neighbours, in order
    assert (np.diff(knn.distances, axis=1) >= 0).all()
    assert all(len(set(row)) == 15 for row in knn.indices)


def test_rows_all_different_have_no_distinct_subset():
    assert distinct_rows(np.random.default_rng(0).normal(size=(50, 3))) is None


def test_tiny_input_uses_pca():
    X = np.random.default_rng(0).normal(size=(TINY - 1, 3))
    proj = project(X)
    assert proj.method == "pca" and proj.xy.shape == (TINY - 1, 2)


def test_one_dimensional_input_gets_two_columns():
    proj = project(np.arange(10, dtype=float)[:, None])
    assert proj.xy.shape == (10, 2)


@pytest.mark.slow
def test_large_maps_fit_umap_on_a_sample_and_place_the_rest(monkeypatch):
    """Above the sample size, UMAP runs on a sample and an MLP places the other rows: the
    sample keeps its UMAP places, clusters stay apart, and the fit is reported."""
    from sklearn.datasets import make_blobs

    from clustering import sampled_map as sm
    from clustering.projection import project

    monkeypatch.setattr(sm, "MAP_SAMPLE", 1500)
    X, y = make_blobs(6000, centers=5, n_features=8, cluster_std=1.0, random_state=3)
    reports = []
    proj = project(X, random_state=0, progress=lambda f, m: reports.append((f, m)))
    assert proj.method == "umap-sample+mlp" and proj.xy.shape == (6000, 2)
    layout = [f for f, m in reports if m.startswith("map: UMAP layout of 1,500 rows, epoch")]
    assert len(layout) >= 2 and 0.1 <= min(layout) and max(layout) == 0.6  # its epochs shown
    assert proj.fit["sample"] == 1500 and proj.fit["rows"] == 6000
    assert proj.fit["r2_held_out"] > 0.9 and proj.fit["trustworthiness"] > 0.9
    # placed rows land with their own cluster: nearest cluster centre on the map agrees
    centres = np.array([proj.xy[y == c].mean(axis=0) for c in range(5)])
    nearest = np.argmin(((proj.xy[:, None, :] - centres[None]) ** 2).sum(-1), axis=1)
    assert (nearest == y).mean() > 0.97
    again = project(X, random_state=0)
    assert np.allclose(again.xy, proj.xy, atol=1e-4)


def test_umap_compilation_is_cached_on_disk_after_the_first_umap():
    """umap-learn's numba functions get numba's disk cache (pynndescent's have their own)."""
    import umap.layouts
    import umap.umap_
    from numba.core.caching import NullCache

    from clustering.numba_cache import cache_umap_compilation

    X = np.random.default_rng(0).normal(size=(80, 4))
    umap_embed(X, 2, knn_graph(X, 10), random_state=0, n_epochs=20)
    for function in (umap.umap_.smooth_knn_dist, umap.umap_.compute_membership_strengths,
                     umap.layouts._nb_optimize_layout_euclidean_single_epoch):
        assert not isinstance(function._cache, NullCache), function
    assert cache_umap_compilation() == 0  # once per process
