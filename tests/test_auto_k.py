"""``auto`` without k on large tables: the prediction strength reads UMAPs of a sample."""

from __future__ import annotations

import numpy as np

from clustering.auto import STRENGTH_UMAPS, _Run
from clustering.auto_k import STRENGTH_SAMPLE_FROM, STRENGTH_SAMPLE_ROWS, strength_spaces
from clustering.auto_progress import K_UMAPS_SHARE, phase_spans


def large_table(n: int) -> np.ndarray:
    """5 blobs in 6 columns beside 3 of noise, as float32."""
    from sklearn.datasets import make_blobs

    X, _ = make_blobs(n, n_features=6, centers=5, cluster_std=1.0, random_state=7)
    noise = np.random.default_rng(7).normal(size=(n, 3))
    return np.c_[X, noise].astype(np.float32)


def test_a_large_tables_k_is_read_in_umaps_of_a_sample_and_run_json_says_so():
    """From :data:`STRENGTH_SAMPLE_FROM` rows k is estimated in UMAPs of
    :data:`STRENGTH_SAMPLE_ROWS` sampled rows (in the UMAP of all 50,000 rows overlapping
    groups touch and the curve flattens), with progress through their epochs; the same seed
    draws the same sample."""
    X = large_table(STRENGTH_SAMPLE_FROM)
    reports = []
    run = _Run(X, None, 0, None, None, lambda f, msg: reports.append((f, msg)))
    # on this path only the baseline UMAP's width is read (the UMAPs are the sample's)
    run.views["umap"] = np.zeros((len(X), 10), np.float32)
    k = run.ensure_k()
    assert k == 5
    assert run.info["k_selection"].endswith(
        f"in {STRENGTH_UMAPS} UMAPs of {STRENGTH_SAMPLE_ROWS:,} rows sampled from the "
        f"{len(X):,} (seeds 0, 100, 200)"), run.info["k_selection"]
    assert run.info["k_strength"][5] >= 0.9
    assert [msg for _, msg in reports if msg.endswith("sampled rows")] == [
        f"auto: estimating k in {STRENGTH_SAMPLE_ROWS:,} sampled rows"] + [
        f"auto: estimating k, UMAP {i}/{STRENGTH_UMAPS} of {STRENGTH_SAMPLE_ROWS:,} sampled "
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
    assert [len(Z) for Z in spaces] == [STRENGTH_SAMPLE_ROWS] * STRENGTH_UMAPS
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
