"""Marker genes of the clusters of a table of counts: in the report, the names, the CLI."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from cell_counts import cell_counts

from clustering.loaders import dataset_from_frame
from explain.markers import count_matrix, marker_genes
from explain.naming import suggest_names
from workspace.cli import main


def genes_table(counts: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(counts, columns=[f"GENE{j}" for j in range(counts.shape[1])])


def test_each_types_markers_are_found_with_their_shares_and_fold():
    counts, types, markers = cell_counts()
    data = dataset_from_frame(genes_table(counts))
    values, names = count_matrix(data)
    found = marker_genes(values, names, types)
    for t in range(3):
        top = [int(m["gene"].removeprefix("GENE")) for m in found[t]]
        assert len(top) == 10 and set(top) <= set(markers[t])  # the genes made 8x higher
        first = found[t][0]
        assert first["share_in"] > first["share_out"] and first["log2_fold"] > 1.5
        assert [m["t"] for m in found[t]] == sorted((m["t"] for m in found[t]), reverse=True)
    names_of = suggest_names(data, types)
    for t, name in names_of.items():  # "GENE123+ · GENE456+", both the type's markers
        genes = [int(part.strip().removeprefix("GENE").removesuffix("+"))
                 for part in name.split("·")]
        assert name.count("+") == 2 and set(genes) <= set(markers[t])


def test_a_table_that_is_not_counts_has_no_markers():
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(80, 60)), columns=[f"c{j}" for j in range(60)])
    assert count_matrix(dataset_from_frame(frame)) is None
    assert count_matrix(dataset_from_frame(genes_table(np.ones((80, 60))))) is None  # no zeros


def test_explain_writes_each_clusters_markers(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("CLUSTERLAB_HOME", str(tmp_path / "home"))
    counts, types, markers = cell_counts()
    path = tmp_path / "cells.csv"
    genes_table(counts).to_csv(path, index=False)
    out = tmp_path / "run"
    assert main(["run", "--data", str(path), "--method", "kmeans", "--clusters", "3",
                 "--seed", "0", "--explain", "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert printed.count("; markers GENE") == 3  # one line per cluster
    report = json.loads((out / "explanations.json").read_text())
    assigned = pd.read_parquet(out / "assignments.parquet")["cluster"].to_numpy()
    for entry in report["clusters"]:
        t = np.bincount(types[assigned == entry["cluster"]]).argmax()  # its cells' type
        genes = {int(m["gene"].removeprefix("GENE")) for m in entry["markers"]}
        assert len(genes) == 10 and genes <= set(markers[t])
