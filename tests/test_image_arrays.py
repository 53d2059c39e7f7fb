"""Images saved as one ``.npy`` array (stop 54).

Before: ``np.save("digits.npy", images)`` of shape (1797, 8, 8) was refused ("embeddings must
be 2-D"), even with ``--kind images``. Now it is read as images: ``auto`` with k given,
ACC 0.975 in 58 s, as ``demo:digits``.
"""

from __future__ import annotations

import json
import zipfile

import numpy as np
import pandas as pd
import pytest

from clustering.errors import InputError
from clustering.loaders import load_data


def _save(tmp_path, arr, name="x.npy"):
    path = tmp_path / name
    np.save(path, arr)
    return str(path)


@pytest.mark.parametrize("shape,dtype,scale,expect", [
    ((6, 10, 12), np.uint8, 1, (6, 10, 12)),  # grey, 8-bit
    ((6, 3, 10, 10), np.float32, 1 / 255, (6, 10, 10, 3)),  # channels first, 0..1
    ((6, 10, 10, 4), np.uint8, 1, (6, 10, 10, 3)),  # RGBA: alpha dropped
    ((6, 10, 10, 1), np.float64, 1, (6, 10, 10)),  # one channel, 0..255 floats
])
def test_arrays_of_images_are_read_as_images_in_8_bits(tmp_path, shape, dtype, scale, expect):
    pixels = np.random.default_rng(0).integers(0, 256, shape)
    data = load_data(_save(tmp_path, (pixels * scale).astype(dtype)))
    assert data.modality == "images" and data.images.shape == expect
    assert data.images.dtype == np.uint8
    first = pixels[0, ..., :3] if shape[-1] == 4 else pixels[0]
    first = np.moveaxis(first, 0, -1) if shape[1] == 3 else first.reshape(expect[1:])
    assert np.abs(data.images[0].astype(int) - first).max() <= 1


def test_rows_of_square_images_pixels_are_images_when_asked_and_embeddings_else(tmp_path):
    path = _save(tmp_path, np.random.default_rng(0).integers(0, 256, (20, 784)).astype(float))
    assert load_data(path, "images").images.shape == (20, 28, 28)
    assert load_data(path).modality == "embeddings"
    with pytest.raises(InputError, match=r"images \(n, h, w\), \(n, h, w, channels\)"):
        load_data(_save(tmp_path, np.zeros((20, 30)), "odd.npy"), "images")


def test_other_ranges_large_images_and_bad_pixels_are_said(tmp_path):
    arr = np.random.default_rng(0).normal(size=(8, 100, 90)).astype(np.float32)
    data = load_data(_save(tmp_path, arr))
    assert data.images.shape == (8, 96, 96)  # few: the side the pretrained encoder reads
    assert any("stretched to 0..255" in n for n in data.notes)
    assert any("100 x 90 images" in n and "reduced to 96 x 96" in n for n in data.notes)
    arr[2, 5, 5] = np.nan
    path = _save(tmp_path, arr, "nan.npy")
    with pytest.raises(InputError, match=r"1 image\(s\) of 'nan.npy' \(image\(s\) 3\) have NaN"):
        load_data(path)
    kept = load_data(path, drop_invalid=True)
    assert kept.n == 7 and "2" not in list(kept.ids)
    with pytest.raises(InputError, match="read it with kind 'images'"):
        load_data(path, "table")


def test_cli_clusters_an_image_array_and_exports_its_images(tmp_path):
    from workspace.cli import main

    rng = np.random.default_rng(0)
    images = np.zeros((60, 12, 12), dtype=np.uint8)
    images[:30, 2:10, 2:5] = 255  # a bar on the left
    images[30:, 2:5, 2:10] = 255  # a bar on top
    images = np.clip(images + rng.integers(0, 40, images.shape), 0, 255).astype(np.uint8)
    out = tmp_path / "out"
    assert main(["run", "--data", _save(tmp_path, images, "bars.npy"), "--method", "kmeans",
                 "--clusters", "2", "--out", str(out)]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["data"]["modality"] == "images" and run["metrics"]["n_clusters"] == 2
    clusters = pd.read_parquet(out / "assignments.parquet")["cluster"].to_numpy()
    assert len(set(clusters[:30])) == 1 and set(clusters[:30]) != set(clusters[30:])
    zipped = tmp_path / "bars.zip"
    assert main(["export", "--run", str(out), "--format", "imagefolder", "--out",
                 str(zipped)]) == 0
    with zipfile.ZipFile(zipped) as zf:
        pngs = [n for n in zf.namelist() if n.endswith(".png")]
    assert len(pngs) == 60


def test_predict_brings_new_images_to_eight_bits_as_the_run_did(tmp_path, capsys):
    """Pixels of 0..17 are stretched to 0..255 by the run's range; a new file of the darker
    images, whose own range is narrower, is brought to 8 bits as the run's were (stretched
    by its own range, a mid-grey image looked like the brightest group)."""
    from workspace.cli import main

    rng = np.random.default_rng(0)
    levels = np.repeat([3.0, 8.0, 16.0], 20)
    images = (levels[:, None, None] + rng.normal(0, 0.3, (60, 6, 6))).astype(np.float32)
    out = tmp_path / "run"
    assert main(["run", "--data", _save(tmp_path, images, "grey.npy"), "--method", "kmeans",
                 "--clusters", "3", "--out", str(out)]) == 0
    run = pd.read_parquet(out / "assignments.parquet")["cluster"].to_numpy()
    assert len({*run[:20]}) == len({*run[20:40]}) == len({*run[40:]}) == 1
    darker = images[:40]
    assert main(["predict", "--run", str(out), "--data", _save(tmp_path, darker, "new.npy"),
                 "--out", str(tmp_path / "pred.csv")]) == 0
    pred = pd.read_csv(tmp_path / "pred.csv")["cluster"].to_numpy()
    assert (pred == run[:40]).all()


def test_predict_reads_a_folder_of_16_bit_images_over_the_run_s_range(tmp_path, capsys):
    """A folder of 16-bit micrographs shares one range; new ones are read over the run's."""
    from PIL import Image

    from workspace.cli import main

    rng = np.random.default_rng(0)
    for folder, levels in (("all", (300, 1500, 4000)), ("new", (300, 1500))):
        (tmp_path / folder).mkdir()
        for level in levels:
            for i in range(12):
                counts = rng.poisson(level + 50 * i % 3, (8, 8)).astype(np.uint16)
                Image.fromarray(counts).save(tmp_path / folder / f"{level}_{i:02d}.tif")
    out = tmp_path / "run"
    assert main(["run", "--data", str(tmp_path / "all"), "--method", "kmeans", "--clusters",
                 "3", "--out", str(out)]) == 0
    run = pd.read_parquet(out / "assignments.parquet").set_index("id")["cluster"]
    assert main(["predict", "--run", str(out), "--data", str(tmp_path / "new"),
                 "--out", str(tmp_path / "pred.csv")]) == 0
    pred = pd.read_csv(tmp_path / "pred.csv").set_index("id")["cluster"]
    assert (pred.to_numpy() == run.loc[pred.index].to_numpy()).all()


def _data_page_with_npy(shape, name):
    """The Data page after uploading a ``.npy`` of random 8-bit values of ``shape``."""
    import io

    from helpers import no_errors, upload_on_data_page

    buf = io.BytesIO()
    np.save(buf, np.random.default_rng(0).integers(0, 256, shape).astype(np.uint8))
    at = upload_on_data_page(name, buf.getvalue())
    no_errors(at)
    return at


def test_data_page_reads_an_uploaded_image_array_as_images(tmp_path):
    from helpers import shown

    at = _data_page_with_npy((40, 3, 16, 16), "pictures.npy")
    assert any("Read 40 images" in shown(s.value) for s in at.success), at.success


def _pixel_table(path, names, with_id=False):
    """24 grey 8 x 8 images of two kinds (a bar on the left, one on top) as a table of
    pixels 0..16, with a label column first."""
    rng = np.random.default_rng(0)
    images = np.zeros((24, 8, 8))
    images[:12, 1:7, 1:3] = 16
    images[12:, 1:3, 1:7] = 16
    images += rng.integers(0, 3, images.shape)
    frame = pd.DataFrame(images.reshape(24, 64), columns=names)
    frame.insert(0, "label", np.repeat([0, 1], 12))
    if with_id:
        frame.insert(0, "row", np.arange(1, 25))
    frame.to_csv(path, index=False)
    return str(path), images


def test_a_table_of_pixels_is_read_as_images_when_asked_or_named_so(tmp_path):
    """Before: kind 'images' on a CSV was silently read as a table. A CSV of the held-out
    ``digits-transformed`` (1,797 16 x 16 images) with --kind images: auto ACC 0.162 (the
    table it was read as) -> 0.604 (k given, seed 0)."""
    named, images = _pixel_table(tmp_path / "named.csv", [f"pixel{i}" for i in range(64)])
    data = load_data(named, label_column="label")  # named like pixels: images by itself
    assert data.modality == "images" and data.images.shape == (24, 8, 8)
    assert np.array_equal(data.images[0], np.rint(images[0] * 255 / 18).astype(np.uint8))
    assert any("stretched to 0..255" in n for n in data.notes)
    plain, _ = _pixel_table(tmp_path / "plain.csv", [f"c{i}" for i in range(64)], with_id=True)
    assert load_data(plain, label_column="label").modality != "images"  # not named so
    asked = load_data(plain, "images", label_column="label")
    assert asked.modality == "images" and asked.images.shape == (24, 8, 8)
    assert any("Column 'row' looks like an id" in n for n in asked.notes)
    with pytest.raises(InputError, match=r"its 65 pixel column\(s\) are not the pixels of "
                                         r"square grey images"):
        load_data(plain, "images")  # the label is no pixel: 65 columns
    assert load_data(plain, "table", label_column="label").modality == "table"


def test_data_page_reads_a_table_of_pixels_as_images(tmp_path):
    from helpers import no_errors, shown, upload_on_data_page

    named, _ = _pixel_table(tmp_path / "named.csv", [f"px_{i // 8}_{i % 8}" for i in range(64)])
    at = upload_on_data_page("named.csv", open(named, "rb").read(), "text/csv")
    at.selectbox(key="label_col").set_value("label").run()
    no_errors(at)
    assert any("Read 24 images" in shown(s.value) for s in at.success), at.success
    at.selectbox(key="kind").set_value("table").run()
    no_errors(at)
    assert any("Read 24 table rows" in shown(s.value) for s in at.success), at.success


def test_data_page_reads_rows_of_pixels_of_an_npy_as_images_when_asked():
    from helpers import no_errors, shown

    at = _data_page_with_npy((30, 64), "rows.npy")
    assert any("Read 30 embedding rows" in shown(s.value) for s in at.success), at.success
    at.selectbox(key="npy_kind").set_value("images").run()
    no_errors(at)
    assert any("Read 30 images" in shown(s.value) for s in at.success), at.success


def test_predict_reads_a_mixed_folder_s_16_bit_images_over_the_run_s_range(tmp_path, capsys):
    """A run on 8-bit PNGs beside 16-bit TIFFs keeps each kind's range (``data.pixel_ranges``);
    new 16-bit images, alone or beside 8-bit ones, are read over it (before: over their own,
    so the dimmer levels looked like the brightest and were assigned to its cluster)."""
    from PIL import Image

    from workspace.cli import main

    rng = np.random.default_rng(0)
    for folder, levels, pngs in (("all", (300, 1500, 4000), 12), ("new", (300, 1500), 3)):
        (tmp_path / folder).mkdir()
        for level in levels:
            for i in range(12):
                counts = rng.poisson(level + 50 * i % 3, (8, 8)).astype(np.uint16)
                Image.fromarray(counts).save(tmp_path / folder / f"{level}_{i:02d}.tif")
        for i in range(pngs):  # 8-bit: a bright bar on a dark ground
            grey = rng.integers(0, 30, (8, 8)).astype(np.uint8)
            grey[2:6, 3] = 250
            Image.fromarray(grey).save(tmp_path / folder / f"bar_{i:02d}.png")
    out = tmp_path / "run"
    assert main(["run", "--data", str(tmp_path / "all"), "--method", "kmeans", "--clusters",
                 "4", "--out", str(out)]) == 0
    run_json = json.loads((out / "run.json").read_text())
    assert run_json["data"]["pixel_ranges"]["integer"][1] > 4000
    run = pd.read_parquet(out / "assignments.parquet").set_index("id")["cluster"]
    assert run.nunique() == 4
    for name in ("new", "new16"):
        if name == "new16":  # the 16-bit ones alone
            (tmp_path / name).mkdir()
            for tif in (tmp_path / "new").glob("*.tif"):
                tif.rename(tmp_path / name / tif.name)
        assert main(["predict", "--run", str(out), "--data", str(tmp_path / name),
                     "--out", str(tmp_path / f"{name}.csv")]) == 0
        pred = pd.read_csv(tmp_path / f"{name}.csv").set_index("id")["cluster"]
        assert (pred.to_numpy() == run.loc[pred.index].to_numpy()).all(), name
        if name == "new16":  # the library reads them alike
            from clustering import ClusterLab

            lab = ClusterLab(method="kmeans", n_clusters=4, map=False).fit(str(tmp_path / "all"))
            fitted = pd.Series(lab.labels_, index=lab.dataset_.ids)
            new = lab.predict(str(tmp_path / name))
            assert (new == fitted.loc[pred.index].to_numpy()).all()


def test_image_size_is_chosen_in_the_cli_and_the_app_and_predict_keeps_it(tmp_path, capsys):
    """``--image-size`` (the app's slider) sets the side larger images are reduced to;
    ``predict`` reads new images at the run's side (before: always 32, so a run at another
    side could not assign new images)."""
    from workspace.cli import main

    rng = np.random.default_rng(0)
    images = np.zeros((40, 80, 80), np.uint8)
    images[:20, 10:70, 30:50] = 255  # a tall bar
    images[20:, 30:50, 10:70] = 255  # a wide bar
    images = np.clip(images + rng.integers(0, 40, images.shape), 0, 255).astype(np.uint8)
    out = tmp_path / "run"
    assert main(["run", "--data", _save(tmp_path, images, "bars.npy"), "--method", "kmeans",
                 "--clusters", "2", "--image-size", "16", "--out", str(out)]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["config"]["image_size"] == 16 and run["data"]["feature_dims"] == 16 * 16
    assert main(["predict", "--run", str(out), "--data", _save(tmp_path, images[::4], "new.npy"),
                 "--out", str(tmp_path / "pred.csv")]) == 0
    fitted = pd.read_parquet(out / "assignments.parquet")["cluster"].to_numpy()
    assert (pd.read_csv(tmp_path / "pred.csv")["cluster"].to_numpy() == fitted[::4]).all()
    assert main(["run", "--data", _save(tmp_path, images, "bars.npy"), "--image-size", "300",
                 "--out", str(tmp_path / "bad")]) == 2
    assert "image_size must be between 8 and 256" in capsys.readouterr().err

    at = _data_page_with_npy((12, 80, 80), "photos.npy")
    from helpers import shown

    assert any("reduced to 64 x 64 pixels (the side chosen" in shown(n.value) for n in at.info)
    at.select_slider(key="image_size").set_value(48).run()
    assert any("reduced to 48 x 48" in n.value for n in at.info), [n.value for n in at.info]


def test_a_folder_of_large_images_says_it_was_reduced_and_how_to_keep_more(tmp_path):
    from PIL import Image

    for i, side in enumerate((128, 100, 128)):
        Image.fromarray(np.full((side, side), 40 * i, np.uint8)).save(tmp_path / f"{i}.png")
    data = load_data(str(tmp_path))  # few large images: 96 px, the pretrained encoder's
    assert data.images.shape == (3, 96, 96)
    assert any("(up to 128 px a side) were reduced to 96 x 96 pixels (the side chosen from "
               "their size and number" in n for n in data.notes), data.notes
    notes = load_data(str(tmp_path), image_size=32).notes  # given: how to keep more
    assert any("reduced to 32 x 32 pixels; if what tells them apart is small" in n
               and "--image-size 96" in n for n in notes), notes
