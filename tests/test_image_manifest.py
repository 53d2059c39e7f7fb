"""A table naming image files (a data set's manifest) given as the data reads those images."""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from clustering.errors import InputError
from clustering.loaders import load_data
from clustering.pipeline import RunConfig
from workspace.cli import main
from workspace.exports import export_run
from workspace.runs import ensure_run
from workspace.store import Store

ROWS = 24
"""Under 30 images: the map is a PCA (no UMAP), so the runs stay quick."""


def write_images(folder, n: int = ROWS) -> list[str]:
    """``n`` 8x8 grey squares, dark (even) or bright (odd), under ``folder/imgs/``."""
    (folder / "imgs").mkdir(parents=True)
    rng = np.random.default_rng(0)
    names = []
    for i in range(n):
        level = 40 if i % 2 == 0 else 210
        pixels = np.clip(rng.normal(level, 8, (8, 8)), 0, 255).astype(np.uint8)
        Image.fromarray(pixels).save(folder / "imgs" / f"img{i:02d}.png")
        names.append(f"imgs/img{i:02d}.png")
    return names


@pytest.fixture
def manifest(tmp_path):
    names = write_images(tmp_path)
    order = np.random.default_rng(1).permutation(ROWS)  # not the files' own order
    frame = pd.DataFrame({"image": [names[i] for i in order],
                          "tone": ["dark" if i % 2 == 0 else "bright" for i in order],
                          "site": [f"s{i % 3}" for i in order],
                  "sample": [f"sample{i}" for i in order]})
    path = tmp_path / "train.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_a_manifest_reads_its_images_in_its_order_with_its_columns(manifest):
    path, frame = manifest
    data = load_data(path, label_column="tone")
    assert data.modality == "images" and data.n == ROWS
    assert list(data.ids) == frame["image"].tolist()
    assert list(data.image_files) == frame["image"].tolist()
    assert list(data.labels) == frame["tone"].tolist()
    bright = np.array([v == "bright" for v in frame["tone"]])
    assert data.images[bright].mean() > 150 > data.images[~bright].mean()  # the row's file
    assert data.table["site"].tolist() == frame["site"].tolist()  # kept beside the pixels
    assert "site" not in data.feature_table().columns
    said = " ".join(data.notes)
    assert "Read the 24 images that column 'image' of 'train.csv' names" in said
    assert "the ground truth is its column 'tone'" in said
    named = load_data(path, id_column="sample", label_column=None)
    assert list(named.ids) == frame["sample"].tolist() and named.labels is None
    with pytest.raises(InputError, match="id column 'site' repeats ids"):
        load_data(path, id_column="site")


def test_missing_files_are_named_in_one_sentence_or_left_out(manifest, tmp_path):
    path, frame = manifest
    (tmp_path / "imgs" / "img03.png").unlink()
    with pytest.raises(InputError, match=r"^1 of the 24 files that column 'image' of "
                                         r"'train.csv' names \(such as 'imgs/img03.png'\) are "
                                         r"not found in its folder or below it \(a path or "
                                         "link leading out of it is not followed\\); fix"):
        load_data(path)
    data = load_data(path, drop_invalid=True)
    assert data.n == 23 and "imgs/img03.png" not in list(data.ids)
    assert any(n.startswith("Left out 1 of the 24 files") for n in data.notes)


def test_a_file_named_twice_needs_an_id_column(manifest, tmp_path):
    path, frame = manifest
    twice = pd.concat([frame, frame.iloc[:1]], ignore_index=True)
    twice.to_csv(path, index=False)
    with pytest.raises(InputError, match=r"'train.csv' names the same file in several rows "
                                         rf"\('{frame['image'][0]}'\); list each image once"):
        load_data(path)
    twice["row"] = [f"r{i}" for i in range(len(twice))]
    twice.to_csv(path, index=False)
    assert load_data(path, id_column="row").n == ROWS + 1


def test_files_outside_the_tables_folder_are_not_read(tmp_path):
    """An uploaded table must not make the app read files elsewhere on the server."""
    outside = tmp_path / "secret"
    write_images(outside, n=4)
    inside = tmp_path / "upload"
    inside.mkdir()
    names = write_images(inside, n=20)
    rows = [*names, "../secret/imgs/img00.png", str(outside / "imgs" / "img01.png")]
    path = inside / "manifest.csv"
    pd.DataFrame({"path": rows}).to_csv(path, index=False)
    with pytest.raises(InputError, match="2 of the 22 files .* not found in its folder"):
        load_data(path)
    data = load_data(path, drop_invalid=True)
    assert list(data.ids) == names
    only_outside = inside / "escape.csv"
    pd.DataFrame({"path": [f"../secret/imgs/img{i:02d}.png" for i in range(20)],
                  "v": np.random.default_rng(0).normal(size=20)}).to_csv(only_outside,
                                                                         index=False)
    table = load_data(only_outside)  # no file found: a table, its path column left out
    assert table.modality == "table" and table.images is None
    assert any("names image files" in n for n in table.notes)


def test_a_manifest_run_is_clustered_and_exported_as_its_image_files(manifest, tmp_path,
                                                                      monkeypatch):
    monkeypatch.setenv("CLUSTERLAB_HOME", str(tmp_path / "home"))
    path, frame = manifest
    out = tmp_path / "run"
    assert main(["run", "--data", str(path), "--label-column", "tone", "--method", "kmeans",
                 "--clusters", "2", "--seed", "0", "--out", str(out)]) == 0
    assert json.loads((out / "run.json").read_text())["metrics"]["acc"] == 1.0
    store = Store()
    run = ensure_run(RunConfig(data=str(path), label_column="tone", method="kmeans",
                               clusters=2), store)
    exported = tmp_path / "folders.zip"
    export_run(run.path, "imagefolder", exported, store=store)
    with zipfile.ZipFile(exported) as zf:
        pngs = sorted(n for n in zf.namelist() if n.endswith(".png"))
        first = zf.read(pngs[0])
    assert len(pngs) == ROWS
    originals = {(tmp_path / n).read_bytes() for n in frame["image"]}
    assert first in originals  # the original file, not a re-encoding of its pixels


def test_a_sampled_run_of_a_manifest_is_refused_in_one_sentence(manifest, tmp_path, capsys,
                                                               monkeypatch):
    """It clustered the table's own columns (the label among them) without a word."""
    monkeypatch.setenv("CLUSTERLAB_HOME", str(tmp_path / "home"))
    path, _ = manifest
    assert main(["run", "--data", str(path), "--sample", "100", "--clusters", "2",
                 "--out", str(tmp_path / "sampled")]) == 2
    assert ("'train.csv' names image files in its folder (column 'image'), which a sampled "
            "run" in capsys.readouterr().err)
    assert not (tmp_path / "sampled").exists()


def test_a_manifest_whose_paths_start_above_its_folder_is_read_with_images_root(
        manifest, tmp_path, isolated_store, capsys):
    """``labels/train.csv`` naming ``imgs/...`` of the data set's folder: its paths start
    one folder up, which was refused ("none found in the table's folder") with no way to
    say where they start; ``--images-root`` names it (the CLI's; only files under it)."""
    _, frame = manifest
    (tmp_path / "labels").mkdir()
    table = tmp_path / "labels" / "train.csv"
    frame.to_csv(table, index=False)
    assert main(["run", "--data", str(table), "--label-column", "tone", "--clusters", "2",
                 "--method", "kmeans", "--out", str(tmp_path / "o0")]) == 0  # its 'site'
    assert "or name that folder (--images-root" in capsys.readouterr().out
    out = tmp_path / "o"
    assert main(["run", "--data", str(table), "--label-column", "tone", "--clusters", "2",
                 "--method", "kmeans", "--images-root", str(tmp_path), "--out",
                 str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"paths relative to '{tmp_path.resolve()}'" in printed
    run = json.loads((out / "run.json").read_text())
    assert run["metrics"]["acc"] == 1.0 and run["data"]["rows"] == ROWS
    assert run["config"]["images_root"] == str(tmp_path.resolve())
    # the image-folder export reads the original files under the root
    assert main(["export", "--run", str(out), "--format", "imagefolder", "--out",
                 str(tmp_path / "e.zip")]) == 0
    with zipfile.ZipFile(tmp_path / "e.zip") as zf:
        first = next(n for n in zf.namelist() if n.endswith(".png"))
        assert zf.read(first) == (tmp_path / "imgs" / first.split("/")[-1]).read_bytes()
    # predict reads such a table alike
    assert main(["predict", "--run", str(out), "--data", str(table), "--images-root",
                 str(tmp_path), "--out", str(tmp_path / "p.csv")]) == 0
    assigned = pd.read_csv(tmp_path / "p.csv")
    kept = pd.read_parquet(out / "assignments.parquet")
    assert (assigned["cluster"].to_numpy() == kept["cluster"].to_numpy()).all()
    # a path leading out of the root is not followed; a root naming none, or a sample, refused
    (tmp_path.parent / "outside.png").write_bytes((tmp_path / "imgs" / "img00.png").read_bytes())
    frame.assign(image=["../outside.png", *frame["image"][1:]]).to_csv(table, index=False)
    with pytest.raises(InputError, match=r"1 of the 24 files .* \(such as '../outside.png'\) "
                                         r"are not found in '.*' or below it"):
        load_data(table, images_root=str(tmp_path))
    with pytest.raises(InputError, match="No column of 'train.csv' names image files found "
                                         "under"):
        load_data(table, images_root=str(tmp_path / "labels"))
    assert main(["run", "--data", str(table), "--images-root", str(tmp_path), "--sample",
                 "100", "--out", str(tmp_path / "o2")]) == 2
    assert "leave --images-root or --sample out" in capsys.readouterr().err
