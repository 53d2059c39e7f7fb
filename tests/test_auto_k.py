"""``auto`` without k on large collections: tables' prediction strength reads UMAPs of a
sample, a learned view's plateau the neighbour graph of a sample."""

from __future__ import annotations

import numpy as np

from clustering.auto import STRENGTH_UMAPS, _Run
from clustering.auto_k import strength_spaces
from clustering.auto_progress import K_UMAPS_SHARE, phase_spans
from clustering.kselect import K_SAMPLE_FROM, K_SAMPLE_ROWS


def large_table(n: int) -> np.ndarray:
    """5 blobs in 6 columns beside 3 of noise, as float32."""
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(n, n_features=6, centers=5, cluster_std=1.0, random_state=7)
    noise = np.random.default_rng(7).normal(size=(n, 3))
    return np.c_[X, noise].astype(np.float32)


def test_a_large_tables_k_is_read_in_umaps_of_a_sample_and_run_json_says_so():
    """From :data:`K_SAMPLE_FROM` rows k is estimated in UMAPs of
    :data:`K_SAMPLE_ROWS` sampled rows (in the UMAP of all 50,000 rows overlapping
    groups touch and the curve flattens), with progress through their epochs; the same seed
    draws the same sample."""
    X = large_table(K_SAMPLE_FROM)
    reports = []
    run = _Run(X, None, 0, None, None, lambda f, msg: reports.append((f, msg)))
    # on this path only the baseline UMAP's width is read (the UMAPs are the sample's)
    run.views["umap"] = np.zeros((len(X), 10), np.float32)
    k = run.ensure_k()
    assert k == 5
    assert run.info["k_selection"].endswith(
        f"in {STRENGTH_UMAPS} UMAPs of {K_SAMPLE_ROWS:,} rows sampled from the "
        f"{len(X):,} (seeds 0, 100, 200)"), run.info["k_selection"]
    assert run.info["k_strength"][5] >= 0.9
    assert [msg for _, msg in reports if msg.endswith("sampled rows")] == [
        f"auto: estimating k in {K_SAMPLE_ROWS:,} sampled rows"] + [
        f"auto: estimating k, UMAP {i}/{STRENGTH_UMAPS} of {K_SAMPLE_ROWS:,} sampled "
        "rows" for i in range(1, STRENGTH_UMAPS + 1)]
    # the bar moves through their epochs (it stood still for 7 s at 50,000 rows), inside
    # the share of the candidates phase before the vote's UMAPs
    assert run.spans == phase_spans("features", rows=len(X), sampled_k=True)  # planned for
    start, end = run.spans["candidates"]
    moving = [f for f, msg in reports if "estimating k, UMAP" in msg]
    assert len(moving) > 3 * STRENGTH_UMAPS and moving == sorted(moving)
    assert start == moving[0] < moving[-1] <= start + K_UMAPS_SHARE * (end - start) + 1e-9
    assert run.vote_start == K_UMAPS_SHARE
    assert sorted(name for name in run.seconds if name.startswith("k:umap")) == [
        f"k:umap seed {i + 1}" for i in range(STRENGTH_UMAPS)]

    again = _Run(X, None, 0, None, None, lambda f, msg: None)
    again.views["umap"] = run.views["umap"]
    spaces, _ = strength_spaces(again, STRENGTH_UMAPS)
    assert [len(Z) for Z in spaces] == [K_SAMPLE_ROWS] * STRENGTH_UMAPS
    assert again.ensure_k() == k and again.info["k_strength"] == run.info["k_strength"]


def test_below_the_sample_size_k_is_read_in_the_umaps_auto_draws_anyway():
    """Up to 10,000 rows nothing changes: the baseline's UMAP and the vote's."""
    X = large_table(300)
    run = _Run(X, None, 0, None, None, lambda f, msg: None)
    from clustering.clusterers import umap_space

    run.views["umap"] = umap_space(X, None, 0, 10)
    spaces, where = strength_spaces(run, STRENGTH_UMAPS)
    assert len(spaces) == 1 and where == "in the UMAP of the features"  # no neighbour graph
    assert len(spaces[0]) == len(X)


def squares(n: int, seed: int = 0) -> np.ndarray:
    """Three unit squares of uniform points, far apart, as float32: three groups."""
    rng = np.random.default_rng(seed)
    group = rng.integers(0, 3, n)
    return (rng.uniform(size=(n, 2)) + np.array([[0, 0], [3, 0], [0, 3]])[group]).astype(
        np.float32)


def full_graph_plateau(Z: np.ndarray) -> int:
    """The plateau read in the 50-nearest-neighbour graph of every row (before stop 83)."""
    from clustering.deep.spaces import mine_neighbours
    from clustering.kselect import K_RANGE, kmeans_fit
    from clustering.neighbour_kappa import K_PLATEAU, REFERENCE_NEIGHBOURS, cluster_kappa

    neighbours = mine_neighbours(Z, REFERENCE_NEIGHBOURS, 0)
    scores = {k: cluster_kappa(kmeans_fit(Z, k, 0).labels_.astype(np.int64), neighbours)
              for k in range(K_RANGE[0], K_RANGE[1] + 1)}
    return max(k for k, v in scores.items() if v >= max(scores.values()) - K_PLATEAU)


def test_a_large_views_k_is_read_in_the_neighbour_graph_of_a_sample():
    """Among 20,000 rows 50 neighbours reach so short a way that k-means cutting a square in
    two costs only its seam, and the plateau in the graph of every row overshoots (signal
    views at 50,000 rows: 9 for 4, 8 for 3); read in the graph of a 5,000-row sample it
    drops past the true k. The same seed reads the same sample."""
    from clustering.neighbour_kappa import plateau_k

    Z = squares(20_000)
    assert full_graph_plateau(Z) > 3  # why: the old reading
    scores = {}
    k, how = plateau_k(Z, 0, scores)
    assert k == 3
    assert scores[4] < scores[3] - 0.02
    assert how.endswith(f"(read in the neighbour graph of {K_SAMPLE_ROWS:,} rows sampled "
                        f"from the {len(Z):,})"), how
    again = {}
    assert plateau_k(Z, 0, again)[0] == 3 and again == scores


def test_below_the_sample_size_a_views_k_is_read_in_every_rows_graph():
    """Up to 10,000 rows the plateau reads the graph of every row, as before stop 83."""
    from clustering.neighbour_kappa import plateau_k

    Z = squares(K_SAMPLE_FROM - 1)
    k, how = plateau_k(Z, 0)
    assert k == full_graph_plateau(Z) and "sampled" not in how


def pieces(groups: np.ndarray) -> np.ndarray:
    """The same points laid out as a fragmenting UMAP lays them: each square in two halves,
    each half stretched to a unit square of its own, far apart."""
    corner = np.floor(groups / 3) * 3
    local = groups - corner
    half = (local[:, 0] >= 0.5).astype(np.float32)
    square = (corner[:, 0] + 2 * corner[:, 1]) / 3  # 0, 1 or 2
    at = np.c_[(2 * square + half) * 3, np.zeros(len(groups), np.float32)]
    return (at + np.c_[(local[:, 0] - 0.5 * half) * 2, local[:, 1]]).astype(np.float32)


def views_run(n: int, view: str, modality: str) -> _Run:
    """A run without k whose learned view holds three squares and its UMAP six pieces."""
    groups = squares(n)
    run = _Run(groups, None, 0, None, None, lambda f, msg: None, modality=modality)
    run.views.update({"umap": groups, view: groups, f"{view}-umap": pieces(groups)})
    return run


def test_a_large_signal_views_k_is_read_in_the_view_not_its_umap():
    """From 10,001 rows a signal view's k is read in the view itself: its UMAP breaks a kind
    into pieces that k-means counts as groups (stop 84: total error 17 -> 9 on six held-out
    signal sets of 20,000 and 50,000 rows). Below, and for images, in the UMAP as before."""
    from clustering.neighbour_kappa import plateau_k

    assert full_graph_plateau(pieces(squares(3000))) == 6  # the UMAP's pieces, read as groups
    run = views_run(K_SAMPLE_FROM, "series", "series")
    old = plateau_k(run.views["series-umap"], 0)[0]
    assert old > 3  # why: the old reading
    assert run.ensure_k() == 3
    assert run.info["k_selection"].endswith("rows sampled from the 10,001), in the series view")
    small = views_run(K_SAMPLE_FROM - 1, "series", "series")
    assert small.ensure_k() == plateau_k(small.views["series-umap"], 0)[0] > 3
    assert small.info["k_selection"].endswith("in the UMAP of the series view")
    images = views_run(K_SAMPLE_FROM, "contrastive", "images")
    assert images.ensure_k() == old
    assert images.info["k_selection"].endswith("in the UMAP of the contrastive view")
