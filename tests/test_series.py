"""Signals: recognised as series, aligned or not, clustered through the signal view."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from clustering import cluster
from clustering.errors import InputError
from clustering.loaders import dataset_from_frame
from clustering.metrics import cluster_metrics
from clustering.series import (
    ALIGNED_FROM,
    SMOOTH_BELOW,
    alignment,
    looks_like_series,
    smoothness,
    window_means,
)


def signals(n: int = 400, length: int = 48, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    """Sine or square waves with random phase, amplitude, offset and noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    t = np.linspace(0, 1, length)
    u = (2.5 * t[None, :] + rng.uniform(0, 1, (n, 1))) % 1.0
    wave = np.where(y[:, None] == 0, np.sin(2 * np.pi * u), np.sign(np.sin(2 * np.pi * u)))
    values = wave * rng.uniform(0.5, 2, (n, 1)) + rng.normal(0, 0.5, (n, 1)) \
        + rng.normal(0, 0.3, (n, length))
    return pd.DataFrame(values, columns=[f"t{j:02d}" for j in range(length)]), y


def test_series_are_recognised_and_tables_are_not():
    frame, _ = signals(100)
    assert looks_like_series(frame)
    assert dataset_from_frame(frame).modality == "series"
    iris = pd.DataFrame(np.random.default_rng(0).normal(size=(100, 20)))
    assert not looks_like_series(iris)  # twenty unordered columns
    assert dataset_from_frame(frame, kind="table").modality == "table"


def test_signals_beside_a_row_number_are_recognised_without_it():
    """Stop 54: a row number (1..n, in no reading's unit) made a file of signals a table; on
    ``cbf`` (900 x 128) with one, ``auto`` went 0.772 -> 0.998 (k given, seed 0)."""
    frame, _ = signals(100)
    frame.insert(0, "row", np.arange(1, 101))
    data = dataset_from_frame(frame)
    assert data.modality == "series"
    assert list(data.feature_table()) == [f"t{j:02d}" for j in range(48)]
    assert any("Column 'row' looks like an id" in n for n in data.notes)
    shuffled = frame.assign(row=np.random.default_rng(0).permutation(frame["row"].to_numpy()))
    assert dataset_from_frame(shuffled, kind="series").feature_table().shape[1] == 48


def test_one_reading_per_row_is_refused_as_signals_and_noted_as_a_table_with_the_pivot(tmp_path):
    """Stop 54: a file of (signal, t, value) rows read with kind 'series' was 2,000 'signals'
    of 3 readings each, without a word; read as it is, it now says how to pivot it."""
    from clustering.loaders import load_data

    rng = np.random.default_rng(0)
    rows = [(s, t, np.sin(t / 5 + s) + rng.normal(0, 0.1), s % 2)
            for s in range(50) for t in range(40)]
    path = tmp_path / "long.csv"
    pd.DataFrame(rows, columns=["signal", "t", "value", "label"]).to_csv(path, index=False)
    advice = (r"holds one reading per row \(50 signals named in column 'signal', 40 readings "
              r"each, ordered by 't'\).*frame.pivot\(index='signal', columns='t', "
              r"values='value'\)")
    with pytest.raises(InputError, match=advice):
        load_data(str(path), "series", label_column="label")
    table = load_data(str(path), label_column="label")
    assert table.modality == "table" and re.search(advice, table.notes[0])
    assert not load_data(str(path), "table", label_column="label").notes  # asked for: quiet
    wide = pd.DataFrame(rows, columns=["signal", "t", "value", "label"]).pivot(
        index="signal", columns="t", values="value")
    assert dataset_from_frame(wide.reset_index(drop=True)).modality == "series"


def test_signals_in_strong_noise_are_recognised_and_blocks_of_columns_are_not():
    rng = np.random.default_rng(1)
    t = np.arange(64)
    wave = np.sin(2 * np.pi * t / rng.uniform(8, 20, (300, 1)) + rng.uniform(0, 6, (300, 1)))
    noisy = pd.DataFrame(wave + rng.normal(0, 0.5, wave.shape))
    assert smoothness(noisy.to_numpy()) > SMOOTH_BELOW  # the noise hides it from gaps alone
    assert looks_like_series(noisy)
    # a questionnaire: four sub-scales of five neighbouring items, answers 1-5
    factors = np.repeat(rng.normal(size=(300, 4)), 5, axis=1)
    answers = np.clip(np.round((0.8 * factors + 0.6 * rng.normal(size=(300, 20))) * 1.2 + 3),
                      1, 5)
    assert not looks_like_series(pd.DataFrame(answers))


def day_curves(n: int = 300, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """24 hourly readings aligned to the clock: one peak at 8:00 or at 18:00, in noise."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    hours = np.arange(24)
    peak = np.where(y == 0, 8.0, 18.0)[:, None] + rng.normal(0, 0.7, (n, 1))
    X = rng.uniform(0.5, 2, (n, 1)) * np.exp(-0.5 * ((hours - peak) / 2.0) ** 2) \
        + rng.uniform(0, 1, (n, 1)) + rng.normal(0, 0.1, (n, 24))
    return X.astype(np.float32), y


def test_alignment_tells_signals_started_at_random_from_signals_aligned_to_their_places():
    shifted, _ = signals(300)
    aligned, _ = day_curves()
    assert alignment(shifted.to_numpy()) < 0.1 < ALIGNED_FROM < alignment(aligned)
    # the same day curves, each rolled by a random number of hours, are no longer aligned
    rng = np.random.default_rng(1)
    rolled = np.stack([np.roll(row, rng.integers(24)) for row in aligned])
    assert alignment(rolled) < 0.1
    # long rows are read through window means, which keep the shape
    long_rows = np.repeat(aligned, 10, axis=1)
    np.testing.assert_allclose(window_means(long_rows, 24), aligned, rtol=1e-5)
    assert abs(alignment(long_rows, length=24) - alignment(aligned)) < 1e-6


def test_kind_series_refuses_columns_that_are_not_numbers():
    frame, _ = signals(50)
    frame["site"] = "a"
    with pytest.raises(InputError, match="read as series.*'site'"):
        dataset_from_frame(frame, kind="series")


@pytest.mark.slow
def test_a_series_run_beats_kmeans_on_the_raw_columns(tmp_path):
    from clustering.pipeline import RunConfig, run_pipeline

    frame, y = signals()
    path = tmp_path / "signals.csv"
    frame.assign(shape=y).to_csv(path, index=False)
    result = run_pipeline(RunConfig(data=str(path), kind="series", label_column="shape",
                                    clusters=2))
    assert result.dataset.modality == "series"
    assert "series" in result.clustering.info["auto"]["scores_per_graph"]["kmeans"]
    # waves at random phases: judged in the view only, whose augmentations shift rows
    assert result.clustering.info["signal_alignment"] < ALIGNED_FROM
    assert "aligned" not in result.clustering.info["auto"]["criterion"]
    # with a learned view of the signals, the baseline is scored but no vote of raw UMAPs drawn
    alternatives = result.clustering.info["auto"]["alternatives"]
    assert "umap-kmeans" in alternatives and "umap-kmeans-vote" not in alternatives
    raw = cluster(result.features.X, "kmeans", 2).labels
    raw_acc = cluster_metrics(result.features.X, raw, y)["acc"]
    assert result.metrics["acc"] >= raw_acc + 0.2, (result.metrics["acc"], raw_acc)
    assert any(note.startswith("auto chose") for note in result.notes)
    # the map is laid out from the view the clusters were cut in, so it shows them apart
    # (a map of the raw columns mixes the two shapes: silhouette 0.01 in the check, 0.73 here)
    from sklearn.metrics import silhouette_score

    from clustering.projection import project

    assert result.clustering.info["auto"]["winner"].startswith("series-")
    assert result.clustering.space.shape == (len(y), 64)
    assert any("map is laid out from the series view" in note for note in result.notes)
    raw_map = project(result.features.X).xy
    assert silhouette_score(result.projection.xy, y) > 0.5 > silhouette_score(raw_map, y) + 0.3


@pytest.mark.slow
def test_aligned_signals_are_judged_in_the_raw_readings_graph_as_well():
    X, y = day_curves(260)
    result = cluster(X, "auto", 2, random_state=0, modality="series")
    info = result.info["auto"]
    assert result.info["signal_alignment"] >= ALIGNED_FROM
    assert "aligned" in info["criterion"] and "features" in info["criterion"]
    for name, per_graph in info["scores_per_graph"].items():
        assert info["scores"][name] == pytest.approx(
            (per_graph["series"] + per_graph["features"]) / 2, abs=1e-4)
    assert cluster_metrics(X, result.labels, y)["acc"] > 0.95


def test_signals_started_at_random_are_judged_in_their_view_alone_with_spectral_drawn():
    """The signal view learns to ignore shifts that scatter such rows in the raw readings'
    graph: that graph does not judge, so spectral clustering of it is a candidate."""
    frame, y = signals(260)
    X = frame.to_numpy(np.float32)
    result = cluster(X, "auto", 2, random_state=0, modality="series")
    info = result.info["auto"]
    assert result.info["signal_alignment"] < ALIGNED_FROM
    assert "series" in info["criterion"] and "features" not in info["criterion"]
    assert "spectral" in info["scores"]
    assert cluster_metrics(X, result.labels, y)["acc"] > 0.9


def test_a_signal_with_gaps_is_still_read_as_one_and_filled_along_its_rows():
    from clustering.loaders import dataset_from_frame

    t = np.linspace(0, 2 * np.pi, 40)
    rng = np.random.default_rng(0)
    rows = np.sin(t[None] + rng.uniform(0, 6, size=(60, 1))) * 3
    frame = pd.DataFrame(rows, columns=[f"t{j}" for j in range(40)])
    frame.iloc[5, 10] = np.nan
    data = dataset_from_frame(frame, fill_missing=True)
    assert data.modality == "series" and "interpolation" in " ".join(data.notes)
    assert abs(data.table.iloc[5, 10] - (rows[5, 9] + rows[5, 11]) / 2) < 1e-9


def test_a_few_dozen_signals_still_get_the_learned_view():
    """Signals train their view from 30 rows (``MIN_VIEW_ROWS``); tables' SCARF from 201."""
    from clustering.auto_views import MIN_VIEW_ROWS

    frame, y = signals(n=60, seed=3)
    X = frame.to_numpy(np.float32)
    result = cluster(X, "auto", 2, random_state=0, modality="series")
    alternatives = result.info["auto"]["alternatives"]
    assert any(name.startswith("series-") for name in alternatives), alternatives
    raw_acc = cluster_metrics(X, cluster(X, "kmeans", 2).labels, y)["acc"]
    assert cluster_metrics(X, result.labels, y)["acc"] >= raw_acc + 0.2
    assert MIN_VIEW_ROWS["series"] <= 30 < 60 < MIN_VIEW_ROWS["scarf"]
    table = np.random.default_rng(0).normal(size=(60, 10)).astype(np.float32)
    table[:30] += 2.0
    plain = cluster(table, "auto", 2, random_state=0, modality="table")
    assert not any(name.startswith("scarf") for name in plain.info["auto"]["alternatives"])
