"""Count matrices in HDF5 as single-cell users bring them: AnnData ``.h5ad`` files written by
the ``anndata`` library itself (``tests/data/h5ad``, see its ``write_fixtures.py``), and Cell
Ranger's ``filtered_feature_bc_matrix.h5``."""

from __future__ import annotations

import json
import re
from pathlib import Path

import h5py
import numpy as np
import pandas as pd
import pytest
from cell_counts import cell_counts
from scipy import sparse
from test_matrix_market import write_10x

from clustering.errors import InputError
from clustering.loaders import load_data
from helpers import first_run_of_new_project, no_errors, shown, tiny_store, upload_on_data_page
from workspace.cli import main


def write_cell_ranger_h5(path, counts):
    """Cell Ranger 3+'s HDF5 layout: genes x cells, compressed by column, plus one antibody."""
    matrix = sparse.csc_matrix(np.vstack([counts.T, np.full((1, len(counts)), 50)]))
    genes = counts.shape[1]
    with h5py.File(path, "w") as f:
        group = f.create_group("matrix")
        group["data"], group["indices"], group["indptr"] = (matrix.data, matrix.indices,
                                                            matrix.indptr)
        group["shape"] = np.array(matrix.shape)
        group["barcodes"] = np.array([f"AAAC{i:08d}-1" for i in range(len(counts))], "S")
        features = group.create_group("features")
        features["id"] = np.array([*(f"ENSG{i:011d}" for i in range(genes)), "CD3_TotalSeqB"],
                                  "S")
        features["name"] = np.array([*(f"GENE{41 if i == 40 else i}" for i in range(genes)),
                                     "CD3"], "S")
        features["feature_type"] = np.array(["Gene Expression"] * genes + ["Antibody Capture"],
                                            "S")
    return path


H5AD = Path(__file__).parent / "data" / "h5ad"
"""AnnData files of :func:`cell_counts`' cells (csr, csc and dense X; normalised X with the
counts in raw, and without them; 30 more cells)."""


@pytest.fixture(scope="module")
def cells():
    counts, types, _ = cell_counts()
    return counts, types


@pytest.mark.parametrize("layout", ["csr", "csc", "dense"])
def test_an_h5ad_is_read_as_cells_by_genes_with_its_annotations(cells, tmp_path, layout):
    counts, types = cells
    data = load_data(H5AD / f"cells_{layout}.h5ad")
    assert data.n == 240 and data.ids[0] == "AAAC00000000-1"
    seen = int((counts.sum(axis=0) > 0).sum())
    assert list(data.feature_table().columns) == [f"GENE{i}" for i in range(600)
                                                  if counts[:, i].any()]
    assert len(data.feature_table().columns) == seen
    assert data.table["GENE100"].tolist() == counts[:, 100].tolist()
    assert data.table["cell_type"].tolist()[:3] == ["type0", "type1", "type2"]
    assert {"donor", "n_counts"} <= set(data.table.columns)  # kept, not clustered on
    angle = types * 2 * np.pi / 3  # the obsm map write_fixtures.py saved
    assert np.allclose(data.table["X_umap_1"], 5 * np.cos(angle), atol=1e-5)
    said = " ".join(data.notes)
    assert "'cell_type', 'donor', 'n_counts'" in said and "label column" in said


def test_counts_are_read_from_raw_where_x_is_normalised_and_clustered(cells, tmp_path, capsys,
                                                                      monkeypatch):
    monkeypatch.setenv("CLUSTERLAB_HOME", str(tmp_path / "home"))
    counts, types = cells
    path = H5AD / "normalised.h5ad"
    data = load_data(path)
    assert data.table["GENE100"].tolist() == counts[:, 100].tolist()
    assert any("counts in raw/X: the counts were read" in n for n in data.notes)
    layer = load_data(H5AD / "counts_layer.h5ad")  # raw/X log-normalised too: the layer
    assert layer.table["GENE100"].tolist() == counts[:, 100].tolist()
    assert any("counts in layers['counts']: the counts were read" in n for n in layer.notes)
    only = load_data(H5AD / "normalised_only.h5ad")  # no counts anywhere: X as it is
    assert any("not counts" in n and "clustered as they are" in n for n in only.notes)
    assert (only.table["GENE100"] % 1 != 0).any()  # log-normalised, not whole numbers
    out = tmp_path / "run"
    assert main(["run", "--data", str(path), "--label-column", "cell_type", "--clusters", "3",
                 "--map-columns", "X_umap_1", "X_umap_2", "--seed", "0", "--out", str(out)]) == 0
    assert "as counts" in capsys.readouterr().out
    run = json.loads((out / "run.json").read_text())
    assert run["metrics"]["acc"] >= 0.95
    assert run["data"]["feature_columns"][0] == "GENE30"  # genes only, no annotation
    assigned = pd.read_parquet(out / "assignments.parquet")
    assert np.allclose(assigned["y"], 5 * np.sin(types * 2 * np.pi / 3), atol=1e-5)  # their map
    assert main(["predict", "--run", str(out), "--data", str(H5AD / "more.h5ad"),
                 "--out", str(tmp_path / "pred.csv")]) == 0
    predicted = pd.read_csv(tmp_path / "pred.csv")
    by_type = assigned.groupby(types)["cluster"].agg(lambda c: c.mode()[0])
    assert (predicted["cluster"].to_numpy() == by_type[np.arange(30) % 3].to_numpy()).mean() \
        >= 0.9


def test_a_cell_ranger_h5_reads_as_its_folder_does(cells, tmp_path):
    counts, _ = cells
    folder = load_data(write_10x(tmp_path / "folder", counts))
    h5 = load_data(write_cell_ranger_h5(tmp_path / "filtered_feature_bc_matrix.h5", counts))
    assert h5.table.equals(folder.table) and list(h5.ids) == list(folder.ids)
    assert any("Antibody Capture" in n for n in h5.notes)


def test_what_is_not_a_count_matrix_is_one_sentence(tmp_path, capsys):
    (tmp_path / "fake.h5ad").write_text("barcode,GENE1\nA,1\n")
    with pytest.raises(InputError, match="not a readable HDF5 file"):
        load_data(tmp_path / "fake.h5ad")
    with h5py.File(tmp_path / "other.h5", "w") as f:
        f["weights"] = np.zeros(3)
    with pytest.raises(InputError, match="neither an AnnData file"):
        load_data(tmp_path / "other.h5")
    with h5py.File(tmp_path / "old.h5ad", "w") as f:  # anndata < 0.7: obs, var as tables
        f["X"] = np.ones((3, 2), np.float32)
        f["obs"] = np.array([(b"c1",), (b"c2",), (b"c3",)], dtype=[("index", "S2")])
        f["var"] = np.array([(b"g1",), (b"g2",)], dtype=[("index", "S2")])
    with pytest.raises(InputError, match="layout of anndata before 0.7"):
        load_data(tmp_path / "old.h5ad")
    with pytest.raises(InputError, match="leave --transpose out"):
        load_data(H5AD / "cells_csr.h5ad", transpose=True)  # its cells are already the rows
    assert main(["run", "--data", str(tmp_path / "other.h5"), "--out",
                 str(tmp_path / "o")]) == 2
    assert "neither an AnnData file" in capsys.readouterr().err


@pytest.mark.slow
def test_an_h5ad_upload_is_clustered_against_a_chosen_annotation_in_the_app(isolated_store):
    tiny_store(isolated_store)  # a project and a run, as the other app tests start from
    at = upload_on_data_page("cells.h5ad", (H5AD / "cells_csr.h5ad").read_bytes())
    no_errors(at)
    assert at.selectbox(key="label_col").options == ["(none)", "cell_type", "donor",
                                                      "n_counts"]
    at.selectbox(key="label_col").set_value("cell_type").run()
    no_errors(at)
    assert at.selectbox(key="h5ad_map").options == ["(a UMAP drawn by clusterlab)", "X_umap"]
    at.selectbox(key="h5ad_map").set_value("X_umap").run()  # the map the user made before
    no_errors(at)
    assert "240" in shown(at.success[0].value)
    run = first_run_of_new_project(at, isolated_store, "cells.h5ad", 3)
    saved = json.loads((Path(run["path"]) / "run.json").read_text())
    assert saved["config"]["label_column"] == "cell_type"
    assert saved["config"]["map_columns"] == ["X_umap_1", "X_umap_2"]
    assert saved["metrics"]["acc"] >= 0.95
    assigned = pd.read_parquet(Path(run["path"]) / "assignments.parquet")
    types = np.arange(240) % 3  # tests/cell_counts.py's
    assert np.allclose(assigned["x"], 5 * np.cos(types * 2 * np.pi / 3), atol=1e-5)
    from workspace.explanations import ensure_explanations
    from workspace.store import Store

    ensure_explanations(Path(run["path"]), Store(isolated_store))  # as the card's job does
    at.switch_page("app_pages/explore.py").run()
    at.session_state["explore_tab"] = "Cluster card"
    at.run()
    no_errors(at)
    said = " ".join(m.value for m in at.markdown if m.value.startswith("**Markers**"))
    listed = at.selectbox(key="card_cluster").value  # the card opens on the first listed
    shown_type = int(np.bincount(types[assigned["cluster"] == listed]).argmax())
    _, _, markers = cell_counts()
    genes = [int(g) for g in re.findall(r"GENE(\d+) \(", said)]
    assert len(genes) == 8 and set(genes) <= set(markers[shown_type])
    assert not any(m.value.startswith("**Saliency**") for m in at.markdown)  # over PCs
    assert any("over the principal components" in c.value for c in at.caption)
