"""Shared fixtures: an isolated store, small seeded data files (helpers: ``helpers.py``)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

SEED = 0


@pytest.fixture(autouse=True)
def isolated_store(tmp_path, monkeypatch):
    """Every test gets its own CLUSTERLAB_HOME."""
    home = tmp_path / "home"
    monkeypatch.setenv("CLUSTERLAB_HOME", str(home))
    return home


@pytest.fixture
def blobs():
    """600 points in 4 well-separated 5-D blobs."""
    X, y = make_blobs(n_samples=600, centers=4, n_features=5, cluster_std=0.8, random_state=SEED)
    return X.astype(np.float32), y


@pytest.fixture(scope="module")
def blobs3():
    """300 points in 3 standardised 4-D blobs (the deep methods' quick case)."""
    X, y = make_blobs(n_samples=300, centers=3, n_features=4, cluster_std=0.6, random_state=3)
    return ((X - X.mean(0)) / X.std(0)).astype(np.float32), y


@pytest.fixture
def blobs_csv(tmp_path, blobs):
    """The blobs as a CSV with an id and a label column."""
    X, y = blobs
    frame = pd.DataFrame(X, columns=[f"f{i}" for i in range(X.shape[1])])
    frame.insert(0, "item", [f"p{i}" for i in range(len(frame))])
    frame["group"] = y
    path = tmp_path / "blobs.csv"
    frame.to_csv(path, index=False)
    return path
