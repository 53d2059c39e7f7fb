"""Count matrices saved as tables of cells x genes wider than clusterlab reads whole keep
their most-read genes (as the 10x reader does) instead of being refused."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from cell_counts import cell_counts

from clustering import tables
from clustering.errors import InputError
from clustering.loaders import load_data
from clustering.metrics import hungarian_accuracy
from clustering.wide_counts import narrowed
from helpers import no_errors, shown, tiny_store, upload_on_data_page
from workspace.cli import main


def cells_table(counts: np.ndarray, first: int = 0) -> pd.DataFrame:
    """Cells as rows (named in column ``cell``), genes as columns ``G0``, ``G1``, ..."""
    frame = pd.DataFrame(counts, columns=[f"G{j}" for j in range(counts.shape[1])])
    frame.insert(0, "cell", [f"cell{first + i}" for i in range(len(counts))])
    return frame


def test_a_wide_count_table_keeps_the_genes_read_in_the_most_cells():
    rng = np.random.default_rng(0)
    counts = rng.poisson(rng.gamma(0.3, 1.0, 120), (40, 120))
    frame = cells_table(counts)
    frame["umap_1"] = rng.normal(size=40)  # not counts: kept beside them
    frame["type"] = np.arange(40) % 2  # counts-like, but asked for by name
    in_cells = (counts != 0).sum(axis=0)

    out = narrowed(frame, "cells.csv", 80, keep=["type"])

    assert out.shape[1] == 80
    genes = [c for c in out.columns if c.startswith("G")]
    assert len(genes) == 77  # beside cell, umap_1 and the label
    assert genes == sorted(genes, key=lambda c: int(c[1:]))  # in the file's order
    kept = np.array([int(c[1:]) for c in genes])
    left = np.setdiff1d(np.arange(120), kept)
    assert in_cells[kept].min() >= in_cells[left].max()
    assert {"cell", "umap_1", "type"} <= set(out.columns)
    facts = out.attrs["wide_counts"]
    assert facts == {"columns": 120, "kept": 77, "asked": 1, "least": int(in_cells[kept].min()),
                     "rows": 40}
    assert narrowed(frame, "cells.csv", frame.shape[1]) is frame  # not too wide: as it is


def test_a_wide_table_that_is_not_counts_is_refused_in_one_sentence():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(30, 120)), columns=[f"d{j}" for j in range(120)])
    with pytest.raises(InputError, match=r"120 columns, more than the 80 clusterlab reads, "
                                         "and they are not a table of counts"):
        narrowed(frame, "embeddings.csv", 80)
    notes = pd.DataFrame({f"note{j}": ["x"] * 30 for j in range(101)})  # annotations, no counts
    with pytest.raises(InputError, match="not a table of counts"):
        narrowed(pd.concat([notes, frame.abs().round()], axis=1), "wide.csv", 80)


@pytest.fixture
def wide_cells(tmp_path, monkeypatch):
    """240 cells x 600 genes in a CSV, with the widest table read cut to 400 columns, and 30
    more cells of the same types in another file."""
    monkeypatch.setattr(tables, "MAX_COLUMNS", 400)
    monkeypatch.setenv("CLUSTERLAB_HOME", str(tmp_path / "home"))
    counts, types, _ = cell_counts(cells=270, genes=600)
    path = tmp_path / "cells.csv"
    cells_table(counts[:240]).to_csv(path, index=False)
    new = tmp_path / "new_cells.csv"
    cells_table(counts[240:], first=240).to_csv(new, index=False)
    return path, new, types


def test_a_wide_count_csv_is_clustered_by_cell_type_and_new_cells_are_assigned(
        wide_cells, tmp_path, capsys):
    path, new, types = wide_cells
    data = load_data(path, id_column="cell")
    assert data.n == 240 and data.table.shape[1] == 399  # beside the id column
    assert "'cells.csv' has 600 columns of counts" in " ".join(data.notes)

    out = tmp_path / "run"
    assert main(["run", "--data", str(path), "--id-column", "cell", "--clusters", "3",
                 "--seed", "0", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "kept the 399 read (non-zero) in the most of its 240 rows" in printed
    assignments = pd.read_parquet(out / "assignments.parquet")
    assert hungarian_accuracy(types[:240], assignments["cluster"].to_numpy()) >= 0.95
    run = json.loads((out / "run.json").read_text())
    genes = run["data"]["feature_columns"]
    assert len(genes) == 399

    # the 30 new cells' own most-read genes differ; the run's are kept
    assert main(["predict", "--run", str(out), "--data", str(new), "--id-column", "cell",
                 "--out", str(tmp_path / "new.csv")]) == 0
    assigned = pd.read_csv(tmp_path / "new.csv")
    by_type = pd.crosstab(types[240:], assigned["cluster"].to_numpy())
    trained = pd.crosstab(types[:240], assignments["cluster"].to_numpy()).idxmax(axis=1)
    right = sum(by_type.loc[t, trained[t]] for t in by_type.index if trained[t] in by_type)
    assert right / 30 >= 0.9


@pytest.mark.slow
def test_a_count_csv_of_more_than_20000_genes_is_read(tmp_path):
    """At the real limit (20,000 columns): a scanpy-style export of 24,000 genes."""
    counts, types, _ = cell_counts(cells=150, genes=24_000)
    frame = cells_table(counts)
    frame.insert(1, "cell_type", types)
    path = tmp_path / "export.csv"
    frame.to_csv(path, index=False)
    data = load_data(path, label_column="cell_type", id_column="cell")
    read = (counts != 0).sum(axis=0)
    assert (read > 0).sum() > tables.MAX_COLUMNS  # so the genes read in fewest cells go
    assert data.table.shape[1] == tables.MAX_COLUMNS - 2  # beside the ids and the label
    assert data.labels is not None and data.n == 150
    least = np.sort(read)[::-1][tables.MAX_COLUMNS - 3]
    assert any("24,000 columns of counts" in note and "kept the 19,998 read" in note
               and f"each in {least:,} rows or more" in note for note in data.notes)


def test_the_data_page_lists_the_cell_type_and_map_of_a_wide_table_first(isolated_store):
    """Among 150 gene columns, the label / id / text choosers offer the cell type and the
    cell names first, and the map chooser the UMAP's x and y (whole-number genes after)."""
    tiny_store(isolated_store)
    counts, types, _ = cell_counts(cells=40, genes=150)
    frame = cells_table(counts)
    frame["umap_x"], frame["umap_y"] = np.linspace(0.5, 9.5, 40), np.linspace(-3.25, 3, 40)
    frame["cell_type"] = [f"type {t}" for t in types]
    at = upload_on_data_page("cells.csv", frame.to_csv(index=False).encode(), "text/csv")
    no_errors(at)
    assert at.selectbox(key="label_col").options[:4] == ["(none)", "cell", "cell_type", "G0"]
    assert at.selectbox(key="id_col").options[1:3] == ["cell", "cell_type"]
    assert at.multiselect(key="map_cols").options[:3] == ["umap_x", "umap_y", "cell"]
    assert len(at.selectbox(key="label_col").options) == frame.shape[1] + 1  # all offered
    assert at.multiselect(key="ignore_cols").options[:2] == ["cell", "G0"]  # the file's order
    at.selectbox(key="label_col").set_value("cell_type").run()
    at.selectbox(key="id_col").set_value("cell").run()
    no_errors(at)
    assert "40" in shown(at.success[0].value)
