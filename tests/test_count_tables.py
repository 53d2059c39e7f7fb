"""Tables of counts (cells x genes, samples x taxa, documents x words)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from clustering.count_tables import COUNTS
from clustering.errors import InputError
from clustering.features import featurize, featurize_like
from clustering.loaders import load_data
from clustering.metrics import hungarian_accuracy
from clustering.pipeline import RunConfig, run_pipeline


def _cells(path, n=240, genes=150, k=3, seed=0):
    """Reads of ``k`` cell types, 15 marker genes each, at depths varying tenfold."""
    rng = np.random.default_rng(seed)
    y = np.repeat(np.arange(k), n // k)
    mu = np.tile(rng.lognormal(0.0, 1.0, genes) * 0.5, (n, 1))
    for c in range(k):
        mu[np.ix_(y == c, np.arange(c * 15, c * 15 + 15))] *= 6.0
    mu *= rng.lognormal(0.0, 1.0, n)[:, None]  # library sizes
    counts = rng.negative_binomial(2.0, 2.0 / (2.0 + mu))
    frame = pd.DataFrame(counts, columns=[f"gene{j}" for j in range(genes)])
    frame.insert(0, "cell_type", [f"t{c}" for c in y])
    frame.insert(0, "barcode", [f"AC{i:04d}-1" for i in range(n)])
    frame.to_csv(path, index=False)
    return y


def _weak_cells(n: int, genes: int, k: int, markers: int = 15, seed: int = 0, *,
                fold: tuple[float, float] = (1.5, 3), dispersion: float = 1.5,
                library_sd: float = 0.8, unequal: bool = False
                ) -> tuple[np.ndarray, np.ndarray]:
    """Reads of ``k`` weakly marked cell types (``markers`` genes each up ``fold`` times) at
    depths varying many times over (types of unequal size when ``unequal``, as
    ``benchmarks/count_sets.cell_reads`` draws them); the reads and the types."""
    rng = np.random.default_rng(seed)
    y = rng.choice(k, size=n, p=rng.dirichlet(np.full(k, 2.0))) if unequal \
        else rng.integers(0, k, n)
    mu = np.tile(rng.lognormal(0.0, 1.5, genes) * 0.3, (n, 1))
    for c in range(k):
        chosen = rng.choice(genes, markers, replace=False)
        mu[np.ix_(y == c, chosen)] *= rng.uniform(*fold, markers)
    mu *= rng.lognormal(0.0, library_sd, n)[:, None]
    return rng.negative_binomial(dispersion, dispersion / (dispersion + mu)), y


def test_a_table_of_counts_is_clustered_on_its_log_normalised_components(tmp_path):
    y = _cells(tmp_path / "cells.csv")
    data = load_data(str(tmp_path / "cells.csv"), label_column="cell_type")
    assert len(data.feature_table().columns) == 150  # rare genes' 0-4 reads are not categories
    feats = featurize(data)
    assert feats.representation == COUNTS and feats.names[0] == "pc_1"
    assert any("as counts" in note and "log(1 + x)" in note for note in feats.notes)
    config = dict(data=str(tmp_path / "cells.csv"), label_column="cell_type", method="kmeans",
                  clusters=3, seed=0)
    counted = run_pipeline(RunConfig(**config))
    scaled = run_pipeline(RunConfig(**config, representation="scaled"))
    acc = hungarian_accuracy(y, counted.clustering.labels)
    assert acc >= 0.95, acc
    # standardised raw counts follow the depth each cell was read to
    assert hungarian_accuracy(y, scaled.clustering.labels) < acc - 0.2


def test_deep_bulk_reads_with_few_zeros_are_counts_too(tmp_path):
    """Bulk RNA-seq as analysts keep it (millions of reads a sample, rarely read genes
    filtered out) has almost no zero, and was clustered on its standardised raw counts."""
    rng = np.random.default_rng(0)
    n, genes, k = 60, 400, 3
    y = np.repeat(np.arange(k), n // k)
    shares = np.tile(rng.lognormal(0.0, 2.0, genes), (n, 1))
    for c in range(k):
        chosen = rng.choice(genes, 30, replace=False)
        shares[np.ix_(y == c, chosen)] *= rng.uniform(1.5, 3, 30) ** rng.choice([-1, 1], 30)
    shares /= shares.sum(axis=1, keepdims=True)
    mu = shares * rng.lognormal(np.log(2e6), 0.3, n)[:, None]
    counts = rng.negative_binomial(10.0, 10.0 / (10.0 + mu))  # dispersion 0.1
    keep = counts.mean(axis=0) >= 10
    frame = pd.DataFrame(counts[:, keep], columns=[f"ENSG{j:05d}" for j in np.flatnonzero(keep)])
    frame.insert(0, "group", [f"g{c}" for c in y])
    frame.to_csv(tmp_path / "bulk.csv", index=False)
    assert (frame.iloc[:, 1:].to_numpy() == 0).mean() < 0.05
    config = dict(data=str(tmp_path / "bulk.csv"), label_column="group", method="kmeans",
                  clusters=3, seed=0)
    counted = run_pipeline(RunConfig(**config))
    assert counted.features.representation == COUNTS
    acc = hungarian_accuracy(y, counted.clustering.labels)
    scaled = run_pipeline(RunConfig(**config, representation="scaled"))
    assert acc >= 0.95 and hungarian_accuracy(y, scaled.clustering.labels) < acc - 0.2, acc


def test_new_rows_are_read_as_the_run_read_its_counts(tmp_path):
    _cells(tmp_path / "cells.csv")
    data = load_data(str(tmp_path / "cells.csv"), label_column="cell_type")
    feats = featurize(data)
    transform = json.loads(json.dumps(feats.transform()))  # as a run stores it
    again = featurize_like(data, transform)
    np.testing.assert_allclose(again, feats.X, atol=1e-4)
    short = load_data(str(tmp_path / "cells.csv"), label_column="cell_type",
                      ignore_columns=["gene7"])
    with pytest.raises(InputError, match="lacks 1 count column.*gene7"):
        featurize_like(short, transform)


def test_the_read_depth_is_taken_out_of_the_components():
    """Thousands of cells read to depths varying many times over, of five weakly marked
    types: the log of depth-scaled reads still followed the depth (the first component's
    correlation with it 0.62), and k-means in those components found the types poorly
    (ACC 0.37 before stop 85)."""
    from sklearn.cluster import KMeans

    from clustering.count_tables import count_features

    counts, y = _weak_cells(3000, 400, 5)
    X, _, transform, note = count_features(
        pd.DataFrame(counts, columns=[f"g{j}" for j in range(400)]), "cells")
    depth = np.log(counts.sum(axis=1))
    assert max(abs(np.corrcoef(X[:, j], depth)[0, 1]) for j in range(5)) < 0.05
    assert len(transform["depth_slope"]) == len(transform["pca_columns"])
    assert "read depth regressed out" in note
    found = KMeans(5, n_init=10, random_state=0).fit_predict(X)
    assert hungarian_accuracy(y, found) >= 0.55


def test_a_run_stored_before_the_depth_was_regressed_out_reads_new_rows_as_it_did(tmp_path):
    """Runs of pipeline version 37 and before stored components of the logged columns
    alone; their new rows are read the same way."""
    from clustering.count_tables import counts_like, log_normalise

    _cells(tmp_path / "cells.csv")
    data = load_data(str(tmp_path / "cells.csv"), label_column="cell_type")
    transform = dict(featurize(data).transform())
    old = {key: value for key, value in transform.items()
           if not key.startswith(("depth_", "scale_"))}
    table = data.feature_table()
    logged = pd.DataFrame(log_normalise(table.to_numpy(np.float64), old["count_total"]),
                          columns=table.columns)[old["pca_columns"]].to_numpy()
    expected = (logged - np.asarray(old["pca_mean"])) @ np.asarray(old["pca_components"]).T
    np.testing.assert_allclose(counts_like(table, old), expected, atol=1e-4)


def test_a_count_tables_k_comes_from_the_communities_of_its_neighbour_graph(tmp_path):
    """Without k, cells are counted by the communities of their neighbour graph, as
    single-cell tools cluster them (stop 85: on five held-out atlases of 20,000-50,000
    cells the total error of k fell from 18 with the prediction strength to 15)."""
    y = _cells(tmp_path / "cells.csv")
    result = run_pipeline(RunConfig(data=str(tmp_path / "cells.csv"),
                                    label_column="cell_type", seed=0))
    assert result.features.representation == COUNTS
    assert result.clustering.n_clusters == 3
    assert "communities" in result.clustering.info["k_selection"]
    assert hungarian_accuracy(y, result.clustering.labels) >= 0.95


def test_cell_types_of_very_unequal_sizes_get_a_gaussian_mixture_in_the_umap():
    """8,000 cells of 10 types of 64-1,913 cells: k-means, which favours clusters of equal
    spread, cut them worse than a Gaussian mixture in the UMAP, and ``auto``'s criterion
    rates the mixture highest (before stop 86 it picked k-means on the components, ACC
    0.818; the mixture 0.876)."""
    from clustering.auto import fit_auto
    from clustering.auto_candidates import GMM
    from clustering.count_tables import count_features

    counts, y = _weak_cells(8000, 1000, 10, markers=30, seed=92, fold=(2, 4),
                            library_sd=0.6, unequal=True)
    X, *_ = count_features(pd.DataFrame(counts, columns=[f"g{j}" for j in range(1000)]),
                           "cells")
    result = fit_auto(X, 10, random_state=0, modality=COUNTS)
    scores = result.info["auto"]["scores"]
    assert result.params["pipeline"] == GMM, scores
    assert hungarian_accuracy(y, result.labels) >= 0.85
    kmeans = result.alternatives[:, result.info["auto"]["alternatives"].index("kmeans")]
    assert hungarian_accuracy(y, kmeans) < 0.85


def test_measurements_are_not_counts(tmp_path):
    assert featurize(load_data("demo:iris")).representation == "scaled"
    with pytest.raises(InputError, match="not a table of counts: column 'sepal_length' holds 5.1"):
        featurize(load_data("demo:iris"), COUNTS)
    rng = np.random.default_rng(0)  # 60 yes/no columns: not counts either
    flags = pd.DataFrame(rng.integers(0, 2, (80, 60)), columns=[f"f{j}" for j in range(60)])
    flags.to_csv(tmp_path / "flags.csv", index=False)
    assert featurize(load_data(str(tmp_path / "flags.csv"))).representation == "scaled"


def test_auto_trains_no_scarf_view_on_components(tmp_path):
    _cells(tmp_path / "cells.csv", n=300)
    result = run_pipeline(RunConfig(data=str(tmp_path / "cells.csv"),
                                    label_column="cell_type", clusters=3, seed=0))
    auto = result.clustering.info["auto"]
    assert not any(name.startswith("scarf") for name in auto["scores"]), auto["scores"]
    assert result.metrics["acc"] >= 0.95


def test_a_late_component_that_holds_the_types_gets_k_means_on_the_standardised_components():
    """Four types apart only along twelve quiet components (each raised in three), beside
    two loud ones without groups (as depth or the cell cycle draw them): k-means on the
    components cuts the loud ones, and in their UMAP the types come out blurred; on the
    standardised components k-means finds the types, and the criterion, read in the
    standardised graph as well (stop 87), rates it highest (before, read in the components'
    graph alone and without that candidate, the best of the rest had 0.85)."""
    from clustering.auto import fit_auto
    from clustering.auto_candidates import STANDARDISED
    from clustering.auto_graphs import STANDARDISED_GRAPH

    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 2000)
    quiet = rng.normal(0.0, 0.04, (2000, 12)) + 0.3 * np.repeat(np.eye(4), 3, axis=1)[y]
    loud = rng.normal(0.0, 1.5, (2000, 2))
    X = np.hstack([loud, quiet]).astype(np.float32)
    result = fit_auto(X, 4, random_state=0, modality=COUNTS)
    choice = result.info["auto"]
    assert result.params["pipeline"] == STANDARDISED, choice["scores"]
    assert hungarian_accuracy(y, result.labels) >= 0.95
    assert set(choice["scores_per_graph"][STANDARDISED]) == {"features", STANDARDISED_GRAPH}
    assert STANDARDISED_GRAPH in choice["criterion"]
    others = {name: hungarian_accuracy(y, result.alternatives[:, i])
              for i, name in enumerate(choice["alternatives"]) if name != STANDARDISED}
    assert others["kmeans"] < 0.6 and max(others.values()) < 0.9, others  # 0.27, 0.85
