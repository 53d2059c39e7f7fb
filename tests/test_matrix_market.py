"""10x Genomics count matrices (``matrix.mtx`` + ``barcodes.tsv`` + ``features.tsv``), as
Cell Ranger writes them, read as cells x genes and clustered by cell."""

from __future__ import annotations

import gzip
import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from cell_counts import cell_counts
from scipy import io as scipy_io
from scipy import sparse

from clustering import matrix_market
from clustering.errors import InputError
from clustering.loaders import load_data
from clustering.metrics import hungarian_accuracy
from helpers import first_run_of_new_project, no_errors, shown, tiny_store, upload_on_data_page
from workspace.cli import main


def write_10x(folder: Path, counts: np.ndarray, prefix: str = "", gz: bool = True,
              antibody: bool = True, first: int = 0) -> Path:
    """The three files Cell Ranger writes (genes x cells), maybe with an antibody tag's
    row; gene 40's symbol repeats gene 41's."""
    folder.mkdir(parents=True, exist_ok=True)
    genes = counts.shape[1]
    features = [f"ENSG{i:011d}\tGENE{41 if i == 40 else i}\tGene Expression" for i in range(genes)]
    matrix = counts.T
    if antibody:
        features.append("CD3_TotalSeqB\tCD3\tAntibody Capture")
        matrix = np.vstack([matrix, np.full((1, counts.shape[0]), 50)])
    buffer = io.BytesIO()
    scipy_io.mmwrite(buffer, sparse.coo_matrix(matrix))
    barcodes = "".join(f"AAAC{first + i:08d}-1\n" for i in range(counts.shape[0]))
    end = ".gz" if gz else ""
    for name, data in (("matrix.mtx", buffer.getvalue()), ("barcodes.tsv", barcodes.encode()),
                       ("features.tsv", ("\n".join(features) + "\n").encode())):
        (folder / f"{prefix}{name}{end}").write_bytes(gzip.compress(data) if gz else data)
    return folder


@pytest.fixture
def sample(tmp_path):
    counts, types, markers = cell_counts()
    return write_10x(tmp_path / "filtered_feature_bc_matrix", counts), counts, types, markers


def test_a_cell_ranger_folder_is_read_as_cells_by_genes(sample, tmp_path):
    folder, counts, _, _ = sample
    data = load_data(folder)
    assert data.modality == "table" and data.n == 240
    assert data.ids[0] == "AAAC00000000-1"
    assert list(data.table.columns[:3]) == ["GENE30", "GENE31", "GENE32"]  # 30 never read
    assert "GENE41_2" in data.table.columns and "CD3" not in data.table.columns
    assert data.table["GENE100"].tolist() == counts[:, 100].tolist()
    seen = int((counts.sum(axis=0) > 0).sum())
    assert data.table.shape[1] == seen
    said = " ".join(data.notes)
    assert "240 cells (named by their barcodes" in said and f"{seen} genes" in said
    assert "1 feature(s)" in said and "Antibody Capture" in said
    assert f"Left out {600 - seen} genes" in said
    # the same three files: zipped, gzipped beside a GEO sample prefix, plain, the .mtx itself
    shutil.make_archive(str(tmp_path / "sample"), "zip", folder.parent, folder.name)
    geo = write_10x(tmp_path / "geo", counts, prefix="GSM4242_")
    plain = write_10x(tmp_path / "plain", counts, gz=False, antibody=False)
    for source in (tmp_path / "sample.zip", geo, plain / "matrix.mtx",
                   folder / "matrix.mtx.gz"):
        again = load_data(source)
        assert again.table.equals(data.table), source
        assert list(again.ids) == list(data.ids)


def test_several_samples_are_read_as_one_table_with_their_sample(sample, tmp_path,
                                                                monkeypatch):
    """A GEO series' files side by side, or one Cell Ranger folder per sample: one table on
    the genes every sample has, each cell's sample in a column and before its barcode."""
    folder, counts, _, _ = sample
    series = tmp_path / "GSE1"
    write_10x(series, counts, prefix="GSM1_")
    write_10x(series, counts[:50, :500], prefix="GSM2_", antibody=False)  # 100 genes fewer
    data = load_data(series)
    assert data.n == 290 and data.ids[0] == "GSM1_AAAC00000000-1"
    assert data.ids[240] == "GSM2_AAAC00000000-1"
    assert data.table["sample"].tolist() == ["GSM1"] * 240 + ["GSM2"] * 50
    assert "sample" not in data.feature_table().columns  # kept for colouring
    assert data.table["GENE100"].tolist() == [*counts[:, 100], *counts[:50, 100]]
    assert "GENE550" not in data.table.columns
    said = " ".join(data.notes)
    assert "the 2 10x count matrices of 'GSE1' (GSM1, GSM2)" in said
    assert "100 genes not in every sample were left out" in said
    # one folder each; a sample's .mtx named alone is read alone
    for name in ("s1", "s2"):
        write_10x(tmp_path / "runs" / name / "outs" / "filtered_feature_bc_matrix", counts)
    both = load_data(tmp_path / "runs")
    assert both.n == 480 and set(both.table["sample"]) == {"s1", "s2"}
    assert load_data(series / "GSM2_matrix.mtx.gz").n == 50
    # past the widest table read, the genes read in the most cells
    monkeypatch.setattr(matrix_market, "MAX_COLUMNS", 302)
    narrow = load_data(folder)
    assert narrow.table.shape[1] == 300
    monkeypatch.undo()
    reads = (load_data(folder).table > 0).sum()  # cells each gene is read in
    assert reads[narrow.table.columns].min() >= reads.sort_values().iloc[-300]
    assert any(n.startswith("Kept the 300 genes read in the most cells") for n in narrow.notes)


def test_cells_are_clustered_by_type_and_new_cells_assigned(sample, tmp_path, capsys,
                                                            monkeypatch):
    monkeypatch.setenv("CLUSTERLAB_HOME", str(tmp_path / "home"))
    folder, counts, types, _ = sample
    out = tmp_path / "run"
    assert main(["run", "--data", str(folder), "--clusters", "3", "--seed", "0",
                 "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "Read the 10x count matrix" in said and "as counts" in said
    assigned = pd.read_parquet(out / "assignments.parquet")
    assert assigned["id"].iloc[0] == "AAAC00000000-1"
    assert hungarian_accuracy(types, assigned["cluster"].to_numpy()) >= 0.95
    # more cells of the same types (other barcodes; a marker gene unread in all of them)
    fresh, fresh_types, markers = cell_counts(cells=30)
    fresh[:, markers[0][0]] = 0
    write_10x(tmp_path / "new", fresh, first=1000)
    assert main(["predict", "--run", str(out), "--data", str(tmp_path / "new"),
                 "--out", str(tmp_path / "pred.csv")]) == 0
    predicted = pd.read_csv(tmp_path / "pred.csv")
    assert predicted["id"].iloc[0] == "AAAC00001000-1"
    by_type = assigned.groupby(types)["cluster"].agg(lambda c: c.mode()[0])
    assert (predicted["cluster"].to_numpy() == by_type[fresh_types].to_numpy()).mean() >= 0.9


def test_what_cannot_be_read_is_one_sentence(sample, tmp_path, capsys, monkeypatch):
    folder, counts, _, _ = sample
    lone = tmp_path / "lone"
    lone.mkdir()
    shutil.copy(folder / "matrix.mtx.gz", lone)
    with pytest.raises(InputError, match=r"no 'barcodes.tsv\(.gz\)' beside it"):
        load_data(lone)
    other = write_10x(tmp_path / "other", counts[:100])
    shutil.copy(other / "barcodes.tsv.gz", lone)
    shutil.copy(folder / "features.tsv.gz", lone)
    with pytest.raises(InputError, match="240 barcodes|100 barcodes"):
        load_data(lone)
    (tmp_path / "bad").mkdir()
    (tmp_path / "bad" / "matrix.mtx").write_text("gene,cell,count\n1,1,5\n")
    shutil.copy(folder / "barcodes.tsv.gz", tmp_path / "bad")
    shutil.copy(folder / "features.tsv.gz", tmp_path / "bad")
    with pytest.raises(InputError, match="not a MatrixMarket coordinate file"):
        load_data(tmp_path / "bad")
    monkeypatch.setattr(matrix_market, "MAX_VALUES", 24_000)  # 100 genes of 240 cells
    fitted = load_data(folder)
    assert fitted.table.shape[1] == 100
    assert any("as many as 24,000 counts hold with 240 cells" in n for n in fitted.notes)
    monkeypatch.undo()
    # a gzip bomb inside the zip is stopped at the zip limits, as a packed table is
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w") as zf:
        zf.writestr("m/matrix.mtx.gz", gzip.compress(b"%%MatrixMarket matrix coordinate "
                                                     b"integer general\n" + b"0" * 50_000_000))
        zf.write(folder / "barcodes.tsv.gz", "m/barcodes.tsv.gz")
        zf.write(folder / "features.tsv.gz", "m/features.tsv.gz")
    with pytest.raises(InputError, match="unpacks to more than"):
        load_data(tmp_path / "bomb.zip")
    assert main(["run", "--data", str(lone), "--out", str(tmp_path / "o")]) == 2
    assert "different samples or runs" in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


@pytest.mark.slow
def test_a_zip_of_a_cell_ranger_folder_is_a_project_in_the_app(sample, isolated_store,
                                                              tmp_path):
    tiny_store(isolated_store)  # a project and a run, as the other app tests start from
    folder, _, types, _ = sample
    shutil.make_archive(str(tmp_path / "cells"), "zip", folder.parent, folder.name)
    at = upload_on_data_page("cells.zip", (tmp_path / "cells.zip").read_bytes(),
                             "application/zip")
    no_errors(at)
    assert "240" in shown(at.success[0].value)
    run = first_run_of_new_project(at, isolated_store, "cells.zip", 3)
    assigned = pd.read_parquet(Path(run["path"]) / "assignments.parquet")
    assert assigned["id"].iloc[0] == "AAAC00000000-1"
    assert hungarian_accuracy(types, assigned["cluster"].to_numpy()) >= 0.95
    assert json.loads((Path(run["path"]) / "run.json").read_text())["data"]["modality"] == \
        "table"
