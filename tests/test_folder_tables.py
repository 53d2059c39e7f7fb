"""A table beside a folder's files (``train.csv``: ``image_id,label``) gives their ground truth."""

import json
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from clustering.errors import InputError
from clustering.loaders import load_data
from workspace.cli import main


def _flat_images(folder, n=24):
    """``n`` 8x8 images, dark squares and bright discs, in one flat folder (Kaggle's layout)."""
    folder.mkdir()
    yy, xx = np.mgrid[:8, :8]
    kinds = []
    for i in range(n):
        kind = "disc" if i % 2 else "square"
        img = np.where((yy - 3.5) ** 2 + (xx - 3.5) ** 2 < 9, 230, 20) if kind == "disc" else \
            np.where((abs(yy - 3.5) < 2) & (abs(xx - 3.5) < 2), 90, 10)
        Image.fromarray(img.astype(np.uint8)).save(folder / f"{i + 100}.png")
        kinds.append(kind)
    return kinds


def test_a_table_naming_the_images_gives_their_ground_truth_when_its_column_is_named(tmp_path):
    """Before: the table was "skipped ... not images; save images as PNG" and
    --label-column was silently ignored for a folder."""
    kinds = _flat_images(tmp_path / "imgs")
    # ids as whole numbers without the ending, in another order, one image not listed
    table = pd.DataFrame({"image_id": [i + 100 for i in range(23)][::-1],
                          "label": kinds[:23][::-1], "site": ["a", "b"] * 11 + ["a"]})
    table.to_csv(tmp_path / "imgs" / "train.csv", index=False)
    data = load_data(tmp_path / "imgs")
    assert data.labels is None
    notes = " ".join(data.notes)
    assert ("'train.csv' names the files (column 'image_id'; 1 of 24 it does not name); its "
            "columns ('label', 'site') are kept for colouring, search and export; to measure "
            "the clusters against one of them, name it as the label column") in notes
    assert "Skipped" not in notes  # the table is not a file left out
    # its columns are beside the pixels (first, as pages list them), not clustered on
    assert list(data.table.columns[:3]) == ["label", "site", "px_0_0"]
    assert list(data.table["site"][:2]) == ["a", "b"] and pd.isna(data.table["site"][23])
    assert "site" not in data.feature_table().columns and data.feature_table().shape[1] == 64
    data = load_data(tmp_path / "imgs", label_column="label")
    assert data.label_name == "label" and list(data.labels[:23]) == kinds[:23]
    assert data.labels[23] is None and "label" not in data.table.columns
    assert ("The ground truth is column 'label' of 'train.csv', matched to the files by its "
            "column 'image_id'; 1 of 24 files have none there, so ACC, NMI and ARI are "
            "measured on the others. Its other columns ('site') are kept for colouring, "
            "search and export.") in data.notes
    with pytest.raises(InputError, match="No table of 'imgs' .* column 'grade'"):
        load_data(tmp_path / "imgs", label_column="grade")
    (tmp_path / "imgs" / "train.csv").unlink()
    with pytest.raises(InputError, match="holds no table with a column 'label'"):
        load_data(tmp_path / "imgs", label_column="label")
    assert load_data(tmp_path / "imgs", label_column="folder").labels is None


def test_a_zip_of_texts_with_a_label_table_is_run_and_measured_against_it(
        tmp_path, isolated_store, capsys):
    from test_text_folders import PETS, SPACE

    source = tmp_path / "docs.zip"
    rows = []
    with zipfile.ZipFile(source, "w") as zf:
        for i, text in enumerate(PETS + SPACE):
            zf.writestr(f"docs/files/doc{i}.txt", text)
            rows.append({"path": f"files/doc{i}.txt", "topic": "pets" if i < 12 else "space",
                         "author": ["ann", "bo"][i % 4 // 3]})
        zf.writestr("docs/meta.csv", pd.DataFrame(rows).to_csv(index=False))
    out = tmp_path / "run"
    assert main(["run", "--data", str(source), "--label-column", "topic", "--method", "kmeans",
                 "--clusters", "2", "--out", str(out)]) == 0
    said = capsys.readouterr().out
    assert "The ground truth is column 'topic' of 'docs/meta.csv'" in said
    run = json.loads((out / "run.json").read_text())
    assert run["metrics"]["acc"] >= 0.9 and run["data"]["rows"] == 24
    assert main(["export", "--run", str(out), "--format", "csv",
                 "--out", str(tmp_path / "e.csv")]) == 0
    exported = pd.read_csv(tmp_path / "e.csv").set_index("id")
    assert list(exported.loc[["docs/files/doc2.txt", "docs/files/doc3.txt"], "author"]) == [
        "ann", "bo"]
    assert exported.loc["docs/files/doc3.txt", "truth_topic"] == "pets"


def test_an_image_run_exports_the_columns_of_the_table_beside_its_images(
        tmp_path, isolated_store):
    kinds = _flat_images(tmp_path / "imgs")
    pd.DataFrame({"name": [f"{i + 100}.png" for i in range(24)], "kind": kinds,
                  "scanner": ["s1", "s2", "s3"] * 8}).to_csv(tmp_path / "imgs" / "meta.csv",
                                                           index=False)
    out = tmp_path / "run"
    assert main(["run", "--data", str(tmp_path / "imgs"), "--label-column", "kind",
                 "--method", "kmeans", "--clusters", "2", "--out", str(out)]) == 0
    assert json.loads((out / "run.json").read_text())["metrics"]["acc"] == 1.0
    assert main(["export", "--run", str(out), "--format", "csv",
                 "--out", str(tmp_path / "e.csv")]) == 0
    exported = pd.read_csv(tmp_path / "e.csv")
    assert list(exported["scanner"][:3]) == ["s1", "s2", "s3"]
    assert list(exported["file"][:2]) == ["100.png", "101.png"]
    assert list(exported["truth_kind"][:2]) == ["square", "disc"]


def test_the_data_page_offers_the_label_table_s_columns_for_an_uploaded_zip(tmp_path):
    from helpers import no_errors, shown, start_app

    kinds = _flat_images(tmp_path / "imgs")
    pd.DataFrame({"file": [f"{i + 100}.png" for i in range(24)], "kind": kinds}).to_csv(
        tmp_path / "imgs" / "labels.csv", index=False)
    source = tmp_path / "imgs.zip"
    with zipfile.ZipFile(source, "w") as zf:
        for file in sorted((tmp_path / "imgs").iterdir()):
            zf.write(file, file.name)
    at = start_app()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="uploader").upload("imgs.zip", source.read_bytes(), "application/zip")
    at.run()
    no_errors(at)
    assert at.selectbox(key="folder_label_col").options == ["(the sub-folders)", "kind"]
    at.selectbox(key="folder_label_col").set_value("kind").run()
    no_errors(at)
    assert any("Read 24 images" in shown(s.value) and "kind" in shown(s.value)
               for s in at.success), [shown(s.value) for s in at.success]


def test_a_manifest_of_image_files_reads_them_as_their_folder_does(tmp_path):
    """A table of image paths and labels (a data set's manifest) was "no usable column: every
    column is free text", or its path column "like sample names: make it the id column";
    then it said to load the folder; now the table itself reads the images it names."""
    (tmp_path / "proj").mkdir()
    kinds = _flat_images(tmp_path / "proj" / "images")
    manifest = tmp_path / "proj" / "manifest.csv"
    pd.DataFrame({"path": [f"images/{i + 100}.png" for i in range(24)],
                  "kind": kinds}).to_csv(manifest, index=False)
    data = load_data(manifest, label_column="kind")
    folder = load_data(tmp_path / "proj", label_column="kind")
    assert data.modality == folder.modality == "images"
    assert list(data.labels) == list(folder.labels) == kinds
    assert np.array_equal(data.images, folder.images)
    elsewhere = tmp_path / "manifest.csv"  # its paths do not start from its folder
    pd.DataFrame({"path": [f"images/{i + 100}.png" for i in range(24)],
                  "kind": kinds}).to_csv(elsewhere, index=False)
    with pytest.raises(InputError, match=r"'manifest.csv' has no column to cluster: column "
                                         r"'path' names image files \(such as "
                                         r"'images/100.png'\), none found in the table's folder"
                                         r" .* keep this table in the folder its paths start"):
        load_data(elsewhere, label_column="kind")
    pd.DataFrame({"path": [f"images/{i + 100}.png" for i in range(24)], "kind": kinds,
                  "size": np.arange(24) * 1.5}).to_csv(elsewhere, index=False)
    notes = load_data(elsewhere, label_column="kind").notes
    assert any(n.startswith("Ignored column 'path': it names image files") for n in notes)


def test_a_sampled_run_of_an_image_folder_reads_the_label_column_of_the_table_beside_it(
        tmp_path, isolated_store, capsys):
    """A table's label column was refused with --sample (before stop 75: silently ignored,
    the sub-folders or nothing being the ground truth); now each chunk's images are looked
    up in it, the sample's and every chunk's ground truth alike."""
    kinds = _flat_images(tmp_path / "imgs", n=140)
    table = pd.DataFrame({"image_id": [f"{i + 100}.png" for i in range(130)],
                          "kind": kinds[:130]})  # ten images it does not name
    table.to_csv(tmp_path / "imgs" / "train.csv", index=False)
    assert main(["run", "--data", str(tmp_path / "imgs"), "--sample", "100", "--chunk-rows",
                 "50", "--label-column", "kind", "--method", "kmeans", "--clusters", "2",
                 "--out", str(tmp_path / "o")]) == 0
    run = json.loads((tmp_path / "o" / "run.json").read_text())
    assert run["partitioned"]["chunks"] == 3
    assert run["metrics"]["rows"] == 130  # every chunk's images the table names, measured
    assert run["metrics"]["acc"] == 1.0 and run["metrics_sample"]["acc"] == 1.0
    assert any("The ground truth is the column 'kind' of the table beside the images; "
               in note and "have none there" in note for note in run["notes"])
    # the app's view of the run (its images linked in run order) keeps that ground truth
    from workspace.partitioned_view import ensure_view
    from workspace.run_data import load_run_data
    from workspace.runs import read_run
    from workspace.store import Store

    view = ensure_view(Path(Store().get_run(run["key"])["path"]))
    shown = load_run_data(read_run(view))
    truth = dict(zip(table["image_id"], table["kind"], strict=True))
    assert shown.label_name == "kind" and shown.n == 140
    assert [truth.get(i) for i in shown.ids] == list(shown.labels)
    assert main(["run", "--data", str(tmp_path / "imgs"), "--sample", "100", "--label-column",
                 "Kind", "--method", "kmeans", "--clusters", "2",
                 "--out", str(tmp_path / "o2")]) == 2
    assert ("No table in 'imgs' has a column 'Kind' (did you mean 'kind'?)"
            in capsys.readouterr().err)

def test_a_table_added_in_a_sub_folder_is_seen_by_a_long_lived_process(tmp_path, monkeypatch):
    """A process (a Dask worker) listed a folder's tables once and kept the list while the
    folder's own time was unchanged; a table added in a sub-folder does not change it, so the
    process never saw that table (before stop 76). The list is now kept a minute at most."""
    from clustering import folder_tables

    _flat_images(tmp_path / "imgs", n=6)
    (tmp_path / "imgs" / "meta").mkdir()
    clock = {"now": 1000.0}
    monkeypatch.setattr("time.monotonic", lambda: clock["now"])
    files = [f"{i + 100}.png" for i in range(6)]
    with pytest.raises(InputError, match="No table in 'imgs' has a column 'kind'"):
        folder_tables.chunk_labels(tmp_path / "imgs", files, "kind")
    pd.DataFrame({"image_id": files, "kind": list("abcabc")}).to_csv(
        tmp_path / "imgs" / "meta" / "labels.csv", index=False)
    clock["now"] += 61  # a minute later
    assert list(folder_tables.chunk_labels(tmp_path / "imgs", files, "kind")) == list("abcabc")
