"""HEIC/HEIF photos (stop 79): what iPhones save, and cameras' 10-bit ``.hif``.

A folder of them was refused ("holds no PNG, JPEG, WebP, AVIF, TIFF, BMP, GIF or DICOM
image"), and those beside other images were skipped. The files in ``tests/data/heic`` were
written by ``tests/data/heic/make_heic.py`` (pillow-heif's encoder; clusterlab only decodes,
with pi-heif).
"""

from __future__ import annotations

import shutil
import sys
import zipfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from clustering import images
from clustering.errors import InputError
from clustering.loaders import load_data
from helpers import refused_then_left_out

HEIC = Path(__file__).resolve().parent / "data" / "heic"


def _by_colour(folder: Path) -> Path:
    for colour in ("red", "blue"):
        (folder / colour).mkdir(parents=True)
        for path in HEIC.glob(f"{colour}_*.heic"):
            shutil.copy(path, folder / colour / path.name)
    return folder


def _mean(data, name: str) -> np.ndarray:
    return data.images[list(data.ids).index(name)].reshape(-1, 3).mean(axis=0)


def test_a_folder_of_iphone_photos_is_read_with_its_sub_folders_as_labels(tmp_path):
    data = load_data(_by_colour(tmp_path / "photos"))
    assert data.n == 4 and data.images.shape[-1] == 3
    assert sorted(data.labels) == ["blue", "blue", "red", "red"]
    red, blue = _mean(data, "red/red_0.heic"), _mean(data, "blue/blue_1.heic")
    assert red[0] > 180 > 50 > red[2] and blue[2] > 180 > 50 > blue[0]


def test_heic_photos_are_read_beside_jpegs_and_from_a_zip(tmp_path):
    folder = _by_colour(tmp_path / "photos")
    from PIL import Image

    Image.new("RGB", (300, 200), (210, 30, 30)).save(folder / "red" / "IMG_0001.jpg")
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*.*")):
            zf.write(path, path.relative_to(folder).as_posix())
    for source in (folder, archive):
        data = load_data(source)
        assert data.n == 5 and sum(i.endswith(".heic") for i in data.ids) == 4
        assert not any("save images as PNG" in note for note in data.notes)


def test_a_photo_stored_turned_is_shown_upright(tmp_path):
    """``turned.heic`` is a 400 x 200 picture, its left half red, that a viewer shows
    turned a quarter to the right (EXIF orientation 6, stored as HEIF's rotation): red on
    top."""
    folder = tmp_path / "one"
    folder.mkdir()
    shutil.copy(HEIC / "turned.heic", folder)
    shutil.copy(HEIC / "red_0.heic", folder)
    picture = load_data(folder).images[1]
    top, bottom = picture[:10].reshape(-1, 3).mean(axis=0), picture[-10:].reshape(-1, 3).mean(
        axis=0)
    assert top[0] > 180 > 50 > top[2] and bottom[2] > 180 > 50 > bottom[0]


def test_a_cameras_10_bit_heif_is_brought_to_8_bits(tmp_path):
    """``ramp_10bit.hif`` is a grey ramp across, 0 to 1023: read as 0 to 255."""
    folder = tmp_path / "camera"
    folder.mkdir()
    shutil.copy(HEIC / "ramp_10bit.hif", folder)
    shutil.copy(HEIC / "blue_0.heic", folder)
    data = load_data(folder)
    ramp = data.images[list(data.ids).index("ramp_10bit.hif")][..., 0].astype(int)
    row = ramp[ramp.shape[0] // 2]
    assert row[0] < 10 and row[-1] > 245 and (np.diff(row) >= -2).all()


def test_a_broken_heic_is_named_and_can_be_left_out(tmp_path):
    folder = _by_colour(tmp_path / "photos")
    whole = (folder / "red" / "red_1.heic").read_bytes()
    (folder / "red" / "red_1.heic").write_bytes(whole[: len(whole) // 2])
    (folder / "blue" / "notes.heic").write_text("not a photo")
    refused_then_left_out(folder, r"2 image\(s\) could not be read: .*'blue/notes.heic'"
                                  r".*'red/red_1.heic'", kept=3, left_out=2)


def test_a_table_naming_heic_files_reads_them(tmp_path):
    folder = _by_colour(tmp_path / "photos")
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.heic"))
    pd.DataFrame({"file": names, "site": ["a", "b", "c", "d"]}).to_csv(folder / "list.csv",
                                                                        index=False)
    data = load_data(folder / "list.csv")
    assert data.modality == "images" and data.n == 4


def test_without_the_decoder_each_heic_names_what_to_install(tmp_path, monkeypatch):
    """An environment that kept an install from before pi-heif was a dependency."""
    monkeypatch.setitem(sys.modules, "pi_heif", None)  # import pi_heif raises ImportError
    images._decoders.cache_clear()
    try:
        with pytest.raises(InputError, match="no HEIC decoder is installed: pip install pi-heif"):
            load_data(_by_colour(tmp_path / "photos"))
    finally:
        images._decoders.cache_clear()
