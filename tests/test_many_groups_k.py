"""k beyond the first range: every estimate of k reaches past 15 where the data hold more.

Before stop 91 every estimate looked at k = 2..15 only: 20 clean blobs got 15 from the
silhouette, the BIC and the view's plateau, and 2 ("no distinct groups") from the
prediction strength, which stays low below the true k.
"""

from __future__ import annotations

import numpy as np
import pytest

from clustering.clusterers import cluster
from clustering.kselect import (
    K_MORE,
    K_RANGE,
    choose_k,
    counted_communities,
    prediction_strength_k,
    top_note,
)
from clustering.neighbour_kappa import plateau_k


def blobs(groups: int, per_group: int = 40, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """``groups`` clean round blobs in 6 columns, float32."""
    from sklearn.datasets import make_blobs

    X, y = make_blobs(groups * per_group, 6, centers=groups, cluster_std=0.4,
                      center_box=(-30, 30), random_state=seed)
    return X.astype(np.float32), y


def test_the_silhouette_finds_20_groups_and_says_it_looked_past_15():
    X, _ = blobs(20)
    k, how = choose_k(X)
    assert k == 20
    assert f"k=2..{K_MORE} (16..{K_MORE} tried too" in how


def test_the_prediction_strength_finds_20_groups_where_it_found_none():
    X, _ = blobs(20)
    curve = {}
    k, how = prediction_strength_k(X, 0, curve)
    assert k == 20, how
    assert max(curve[k] for k in range(K_RANGE[0], K_RANGE[1] + 1)) < 0.9  # none in 2..15
    assert curve[20] >= 0.9


def test_the_views_plateau_finds_20_groups():
    """Groups larger than the 50 neighbours the kappa reads (as in a learned view)."""
    X, _ = blobs(20, per_group=80)
    scores = {}
    assert plateau_k(X, 0, scores)[0] == 20
    assert scores[15] == scores[20] == 1.0 and scores[21] < 0.98


def test_twenty_communities_count_as_twenty_up_to_the_most_tried():
    """Texts and count tables: the communities of the neighbour graph were cut at 15."""
    assert counted_communities([25] * 20) == 20
    assert counted_communities([10] * 40) == K_MORE


def test_the_bic_of_a_gaussian_mixture_finds_20_groups():
    X, _ = blobs(20)
    result = cluster(X, "gmm", None, random_state=0)
    assert result.n_clusters == 20, result.info["k_selection"]


@pytest.mark.parametrize("groups", [5, 12])
def test_inside_the_first_range_nothing_more_is_tried(groups):
    """An estimate below 15 is as before: the range it reports is 2..15."""
    X, _ = blobs(groups, per_group=60)
    k, how = choose_k(X)
    assert k == groups
    assert how.endswith(f"over k=2..{K_RANGE[1]}")
    k, how = prediction_strength_k(X, 0)
    assert k == groups
    assert f"largest k in 2..{K_RANGE[1]} whose" in how


def test_noise_still_gets_no_groups_after_the_wider_look():
    """Uniform noise: no k in 2..30 is reproduced across halves, so k stays 2 and the
    sentence says the rows may hold no distinct groups."""
    X = np.random.default_rng(0).uniform(-1, 1, (1000, 6)).astype(np.float32)
    k, how = prediction_strength_k(X, 0)
    assert k == 2
    assert f"for no k in 2..{K_MORE}" in how and "no distinct groups" in how


def test_the_run_notes_say_when_k_is_the_most_tried():
    assert top_note(K_MORE - 1) is None
    assert "--clusters" in top_note(K_MORE)


def test_a_run_with_more_groups_than_the_most_tried_says_to_give_k(tmp_path):
    """40 blobs, k-means without k: k stops at 30 and the run's notes say to give k
    (below 30 they do not: :func:`test_the_run_notes_say_when_k_is_the_most_tried`)."""
    import pandas as pd

    from clustering.pipeline import RunConfig, run_pipeline

    X, _ = blobs(40, per_group=25)
    path = tmp_path / "blobs.csv"
    pd.DataFrame(X, columns=[f"c{j}" for j in range(6)]).to_csv(path, index=False)
    result = run_pipeline(RunConfig(data=str(path), method="kmeans"))
    assert result.clustering.n_clusters == K_MORE
    assert any("give their number (--clusters" in note for note in result.notes)


def test_stored_runs_that_estimated_k_are_not_reused_after_the_estimate_changed(monkeypatch):
    """A run without k is keyed by how k is estimated as well; a run with k given (the
    shipped demo's) keeps its key."""
    from clustering import version
    from workspace.fingerprint import run_key

    given, estimated = {"data": "x.csv", "clusters": 4}, {"data": "x.csv", "clusters": None}
    before = run_key(given, "h"), run_key(estimated, "h")
    monkeypatch.setattr(version, "K_ESTIMATE_VERSION", version.K_ESTIMATE_VERSION + 1)
    assert run_key(given, "h") == before[0]
    assert run_key(estimated, "h") != before[1]
