"""Count matrices with a gene in each row: noticed, and clustered by sample with --transpose."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clustering.errors import InputError
from clustering.loaders import load_data
from clustering.transpose_table import transposed
from helpers import first_run_of_new_project, no_errors, shown, tiny_store, upload_on_data_page
from workspace.cli import main


def gene_matrix(genes: int = 300, per: int = 10, k: int = 3, seed: int = 0,
                prefix: str = "GSM") -> tuple[pd.DataFrame, np.ndarray]:
    """A GEO-style count matrix: gene ids and symbols, then one column of reads per sample;
    each sample type has 30 marker genes at six times the reads."""
    rng = np.random.default_rng(seed)
    groups = np.repeat(np.arange(k), per)
    base = rng.gamma(0.6, 20, genes)
    markers = [rng.choice(genes, 30, replace=False) for _ in range(k)]
    columns = {}
    for j, group in enumerate(groups):
        mean = base.copy()
        mean[markers[group]] *= 6
        mean *= rng.uniform(0.5, 2.0)  # read depth
        columns[f"{prefix}{1000 + j}"] = rng.negative_binomial(5, 5 / (5 + mean))
    frame = pd.DataFrame({"gene_id": [f"ENSG{i:011d}" for i in range(genes)],
                          "symbol": [f"GENE{i}" for i in range(genes)], **columns})
    return frame, groups


@pytest.fixture
def labelled_matrix(tmp_path):
    """The matrix with a first row naming each sample's type (as GEO series files do)."""
    frame, groups = gene_matrix()
    label_row = pd.DataFrame([["cell_type", "", *[f"type{g}" for g in groups]]],
                             columns=frame.columns)
    path = tmp_path / "counts.csv"
    pd.concat([label_row, frame.astype(str)]).to_csv(path, index=False)
    return path, frame


def test_a_gene_by_sample_matrix_is_clustered_by_sample_with_transpose(labelled_matrix,
                                                                        tmp_path, capsys):
    path, frame = labelled_matrix
    with pytest.raises(InputError, match=r"'type0' in data row\(s\) 1\).*--transpose"):
        load_data(path)  # the label row makes every sample's column one of text
    frame.to_csv(tmp_path / "unlabelled.csv", index=False)
    as_read = load_data(tmp_path / "unlabelled.csv")
    assert as_read.n == len(frame)  # the genes are the rows
    assert any("look like genes" in n and "--transpose" in n for n in as_read.notes)
    out = tmp_path / "run"
    assert main(["run", "--data", str(path), "--transpose", "--label-column", "cell_type",
                 "--clusters", "3", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "the 30 columns 'GSM1000', 'GSM1001', 'GSM1002', ... are the rows" in said
    assert "'symbol' hold text" in said
    run = json.loads((out / "run.json").read_text())
    assert run["config"]["transpose"] is True
    assert run["metrics"]["acc"] >= 0.95
    assigned = pd.read_parquet(out / "assignments.parquet")
    assert assigned["id"].tolist() == [c for c in frame.columns if c.startswith("GSM")]

    new = frame[["gene_id", "symbol", "GSM1000", "GSM1015", "GSM1029"]].rename(
        columns={"GSM1000": "a", "GSM1015": "b", "GSM1029": "c"})
    new.to_csv(tmp_path / "new.csv", index=False)
    assert main(["predict", "--run", str(out), "--data", str(tmp_path / "new.csv"),
                 "--out", str(tmp_path / "pred.csv")]) == 0
    assert "looks like an id" not in capsys.readouterr().out  # read on the run's genes
    predicted = pd.read_csv(tmp_path / "pred.csv").set_index("id")["cluster"]
    seen = assigned.set_index("id")["cluster"]
    assert [predicted[n] for n in "abc"] == [seen[s] for s in ("GSM1000", "GSM1015", "GSM1029")]


def test_without_transpose_measurements_are_not_taken_for_genes():
    data = load_data("demo:iris")
    assert not any("look like genes" in n for n in data.notes)


def test_what_cannot_be_swapped_is_one_sentence(labelled_matrix, tmp_path, capsys):
    path, frame = labelled_matrix
    assert main(["run", "--data", "demo:digits", "--transpose", "--out",
                 str(tmp_path / "a")]) == 2
    assert "Only a table's rows and columns can be swapped" in capsys.readouterr().err
    assert main(["run", "--data", str(path), "--transpose", "--sample", "100", "--out",
                 str(tmp_path / "b")]) == 2
    assert "leave --transpose or --sample out" in capsys.readouterr().err
    with pytest.raises(InputError, match="no row is named 'tissue'"):
        transposed(frame, label_row="tissue")
    with pytest.raises(InputError, match="no column 'gene'"):
        transposed(frame, name_column="gene")
    with pytest.raises(InputError, match="No column of this table holds numbers"):
        transposed(frame[["gene_id", "symbol"]])


def test_repeated_gene_names_are_numbered_and_said():
    frame = pd.DataFrame({"symbol": ["A", "B", "A"], "s1": [1, 2, 3], "s2": [4, 5, 6]})
    table, notes = transposed(frame)
    assert list(table.columns) == ["sample", "A", "B", "A_2"]
    assert table["A_2"].tolist() == [3, 6]
    assert any("1 row names occur more than once" in n for n in notes)


@pytest.mark.slow
def test_a_gene_by_sample_matrix_is_swapped_when_rows_are_features_is_ticked(isolated_store):
    tiny_store(isolated_store)  # a project and a run, as the other app tests start from
    frame, _ = gene_matrix(genes=120, per=8)
    at = upload_on_data_page("counts.csv", frame.to_csv(index=False).encode(), "text/csv")
    no_errors(at)
    assert "Read 120 table rows" in shown(at.success[0].value)
    assert any("look like genes" in shown(i.value) for i in at.info)
    at.checkbox(key="transpose").check().run()
    no_errors(at)
    assert "Read 24 table rows" in shown(at.success[0].value)
    run = first_run_of_new_project(at, isolated_store, "counts.csv", 3)
    assert run["config"]["transpose"] is True
    ids = pd.read_parquet(Path(run["path"]) / "assignments.parquet")["id"]
    assert ids.tolist() == [c for c in frame.columns if c.startswith("GSM")]
