"""The 2-D map: trustworthiness, determinism, PCA for tiny inputs, k-NN reuse."""

import numpy as np
import pytest
from sklearn.manifold import trustworthiness

from clustering.projection import TINY, knn_graph, project


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


def test_tiny_input_uses_pca():
    X = np.random.default_rng(0).normal(size=(TINY - 1, 3))
    proj = project(X)
    assert proj.method == "pca" and proj.xy.shape == (TINY - 1, 2)


def test_one_dimensional_input_gets_two_columns():
    proj = project(np.arange(10, dtype=float)[:, None])
    assert proj.xy.shape == (10, 2)
