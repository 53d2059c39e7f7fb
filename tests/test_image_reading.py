"""Large image collections (stop 78): full-size JPEG photos are counted at the size they
decode at, files are read one at a time (their headers alone for the check before decoding),
decoding runs on every core (stop 79: a job worker's share of them), reading reports progress,
16-bit images of any size and AVIF files are read.

(The refusal of a collection that would need too many pixels decoded, and of huge
images, is in test_hostile.)
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from clustering import decode_limits, images
from clustering.loaders import load_data

ROOT = Path(__file__).resolve().parent.parent


def _jpeg(side: int, colour: tuple[int, int, int], noise: int = 0, seed: int = 0) -> bytes:
    pixels = np.full((side, side, 3), colour, dtype=np.int16)
    if noise:
        pixels += np.random.default_rng(seed).integers(-noise, noise + 1, pixels.shape,
                                                      dtype=np.int16)
    out = io.BytesIO()
    Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8), "RGB").save(out, "JPEG",
                                                                          quality=92)
    return out.getvalue()


def _photo_folder(folder: Path, count: int, side: int, noise: int = 0) -> Path:
    for i in range(count):
        kind = ("red", "blue")[i % 2]
        (folder / kind).mkdir(parents=True, exist_ok=True)
        colour = (200, 40, 40) if kind == "red" else (40, 40, 200)
        (folder / kind / f"IMG_{i:04d}.jpg").write_bytes(_jpeg(side, colour, noise, i))
    return folder


def test_full_size_jpeg_photos_are_counted_at_the_size_they_decode_at(tmp_path, monkeypatch):
    """Four 2000 px JPEGs declare 16 million pixels, over a cap of 12 million, and were
    refused; reduced to 96 px, Pillow decodes each at 1/8 of its side (0.06 million pixels),
    so they are read. The same images as PNGs still need all 16 million and are refused."""
    monkeypatch.setattr(decode_limits, "MAX_TOTAL_PIXELS", 3 * 2000 * 2000)
    folder = _photo_folder(tmp_path / "photos", 4, 2000)
    data = load_data(folder)
    assert data.images.shape == (4, 96, 96, 3)
    assert sorted(set(data.labels)) == ["blue", "red"]
    red = data.images[list(data.labels).index("red")].reshape(-1, 3).mean(axis=0)
    assert red[0] > 150 > 100 > red[2]
    pngs = tmp_path / "pngs"
    pngs.mkdir()
    for path in folder.rglob("*.jpg"):
        Image.open(path).save(pngs / (path.stem + ".png"))
    with pytest.raises(images.InputError, match="16 million pixels to decode, more than the "
                                                 "12 million"):
        load_data(pngs)


def test_reading_on_several_threads_gives_the_same_images_in_the_same_order(
        tmp_path, monkeypatch):
    folder = _photo_folder(tmp_path / "photos", 24, 300, noise=30)
    monkeypatch.setattr(images, "decode_threads", lambda n: 4)
    threaded = load_data(folder)
    monkeypatch.setattr(images, "decode_threads", lambda n: 1)
    alone = load_data(folder)
    assert np.array_equal(threaded.images, alone.images)
    assert list(threaded.ids) == list(alone.ids) == sorted(threaded.ids)


def test_reading_a_folder_and_a_zip_reports_progress(tmp_path):
    folder = _photo_folder(tmp_path / "photos", 40, 200)
    archive = tmp_path / "photos.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for path in sorted(folder.rglob("*.jpg")):
            zf.write(path, path.relative_to(folder).as_posix())
    for source in (folder, archive):
        seen: list[tuple[float, str]] = []
        data = load_data(source, progress=lambda f, msg, seen=seen: seen.append((f, msg)))
        assert data.n == 40
        fractions = [f for f, _ in seen]
        assert fractions == sorted(fractions) and fractions[-1] == 1.0
        assert any(msg.startswith("checking images") for _, msg in seen)
        assert seen[-1][1] == "reading images: 40 / 40"


def test_an_unreadable_photo_among_many_is_named_whatever_thread_met_it(tmp_path):
    folder = _photo_folder(tmp_path / "photos", 30, 120)
    good = (folder / "red" / "IMG_0000.jpg").read_bytes()
    (folder / "red" / "IMG_0010.jpg").write_bytes(good[: len(good) // 3])  # cut short
    with pytest.raises(images.InputError, match=r"1 image\(s\) could not be read: "
                                                 r"'red/IMG_0010.jpg' \(truncated\)"):
        load_data(folder)
    data = load_data(folder, drop_invalid=True)
    assert data.n == 29 and "red/IMG_0010.jpg" not in set(data.ids)


@pytest.mark.slow
def test_a_folder_of_photos_is_read_one_file_at_a_time(tmp_path):
    """Every file's bytes were read before the first was decoded: a folder of 10,000 3 MB
    photos held 30 GB. Here 100 noisy 1,500 px JPEGs (about 1 MB each) must not raise the
    reading process's peak memory by more than a fraction of their 100 MB or so."""
    folder = _photo_folder(tmp_path / "photos", 100, 1500, noise=60)
    warm = _photo_folder(tmp_path / "warm", 20, 1500, noise=60)
    on_disk = sum(p.stat().st_size for p in folder.rglob("*.jpg")) / 2**20
    assert on_disk > 80
    script = ("import sys\nfrom clustering.loaders import load_data\n"
              "def peak():\n"
              "    line = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
              "    return int(line.split()[1]) / 1024\n"
              "load_data(sys.argv[2], 'images')  # imports and threads, before the peak\n"
              "before = peak()\n"
              "d = load_data(sys.argv[1], 'images')\n"
              "print(d.images.shape[0], before, peak())")
    out = subprocess.run([sys.executable, "-c", script, str(folder), str(warm)],
                         capture_output=True, text=True, check=True, cwd=ROOT).stdout.split()
    assert out[0] == "100"
    grown = float(out[2]) - float(out[1])
    assert grown < on_disk / 3, f"peak grew {grown:.0f} MiB reading {on_disk:.0f} MiB of JPEGs"


@pytest.mark.parametrize("suffix", [".tif", ".png"])
def test_large_16_bit_micrographs_are_read(tmp_path, suffix):
    """Pillow cannot reduce 16-bit images ("image has wrong mode"), so every 16-bit TIFF or
    PNG at six times the side it is brought to or more was refused as unreadable. A
    microscope camera writes 1,024 or 2,048 px."""
    rng = np.random.default_rng(3)
    folder = tmp_path / "cells"
    for kind, level in (("dim", 600), ("bright", 3000)):
        (folder / kind).mkdir(parents=True)
        for i in range(3):
            counts = rng.poisson(level, (1024, 1024)).astype(np.uint16)
            Image.fromarray(counts).save(folder / kind / f"cell{i}{suffix}")
    data = load_data(folder)
    assert data.images.shape == (6, 96, 96)
    dim = data.images[np.asarray(data.labels) == "dim"].mean()
    bright = data.images[np.asarray(data.labels) == "bright"].mean()
    assert dim < 60 < 200 < bright  # one range for the collection: dim cells stay dim
    assert any("16-bit image(s) were brought to 8 bits over their common range" in note
               for note in data.notes)


def test_a_collection_past_the_fixed_cap_is_read_when_its_files_hold_the_pixels(
        tmp_path, monkeypatch, capsys):
    """The fixed cap stops a small zip of huge, highly compressible images. A microscope's
    uncompressed 16-bit TIFFs hold 2 bytes a pixel: past the fixed cap they are read, up to
    10 pixels a byte of their files; the same pixels as solid PNGs of a few KB are not."""
    from helpers import run_bad

    monkeypatch.setattr(decode_limits, "MAX_TOTAL_PIXELS", 2_000_000)
    folder = tmp_path / "stack"
    folder.mkdir()
    rng = np.random.default_rng(5)
    for i in range(4):
        Image.fromarray(rng.poisson(500 + 300 * i, (1000, 1000)).astype(np.uint16)).save(
            folder / f"field{i}.tif")
    assert load_data(folder).images.shape == (4, 96, 96)  # 4 million pixels in 8 MB
    solid = tmp_path / "solid"
    solid.mkdir()
    for i in range(4):
        Image.new("L", (1000, 1000), 40 * i).save(solid / f"field{i}.png")
    msg = run_bad(tmp_path, capsys, solid)
    assert msg.startswith("The 4 images hold 4 million pixels to decode, more than the 2 million")


def test_checking_a_folder_reads_headers_not_whole_files(tmp_path):
    """The check before decoding (sizes, for the cap and the side) read every file whole, so
    24 GB of micrographs were read twice; it now opens each file and reads its header."""
    from clustering.image_blobs import LazyBlobs, _open_on_disk

    folder = _photo_folder(tmp_path / "photos", 4, 300)
    Image.fromarray(np.zeros((500, 400), np.uint16)).save(folder / "red" / "stack.tif")
    names = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*.*"))

    def never(name):
        raise AssertionError(f"{name} was read whole")

    headers_only = LazyBlobs(names, never, lambda name: _open_on_disk(folder / name))
    sizes, bad, without, jpeg, stored = images._declared_sizes(headers_only)
    assert sizes == {0: (300, 300), 1: (300, 300), 2: (300, 300), 3: (300, 300),
                     4: (400, 500)}
    assert (bad, without, jpeg) == ([], [], {0, 1, 2, 3})
    assert stored == sum((folder / n).stat().st_size for n in names)


def test_avif_photos_are_read_beside_jpegs(tmp_path):
    """AVIF, as phones and web tools save photos now, was skipped ("not PNG, JPEG, WebP, TIFF,
    BMP, GIF or DICOM images ... save images as PNG to include them")."""
    from PIL import features

    if not features.check("avif"):
        pytest.skip("this Pillow decodes no AVIF")
    folder = _photo_folder(tmp_path / "photos", 4, 400)
    for path in list(folder.rglob("*.jpg"))[:2]:
        Image.open(path).save(path.with_suffix(".avif"), quality=80)
        path.unlink()
    data = load_data(folder)
    assert data.n == 4 and sum(i.endswith(".avif") for i in data.ids) == 2
    assert not any("save images as PNG" in note for note in data.notes)
    red = data.images[np.asarray(data.labels) == "red"].reshape(-1, 3).mean(axis=0)
    assert red[0] > 150 > 100 > red[2]


def test_decoding_keeps_to_a_job_workers_share_of_the_cores(monkeypatch):
    """The app's job workers get ``CLUSTERLAB_TORCH_THREADS`` (their share of the cores);
    decoding started a thread per core in each of them whatever it said."""
    import os

    monkeypatch.setenv("CLUSTERLAB_TORCH_THREADS", "1")
    assert images.decode_threads(1000) == 1
    monkeypatch.delenv("CLUSTERLAB_TORCH_THREADS")
    monkeypatch.setattr(os, "cpu_count", lambda: 4)
    assert images.decode_threads(1000) == 4 and images.decode_threads(10) == 1


def test_a_partitioned_runs_chunk_of_images_reads_each_file_when_it_is_decoded(tmp_path):
    """A chunk of a partitioned run read all its files first: 2,000 photos of 3 MB were 6 GB
    a task before the first was decoded. 24 PNGs of 1.9 MB (46 MB) now hold a few."""
    import tracemalloc

    from clustering.chunks import plan_chunks, read_chunk
    from workspace.chunk_tasks import chunk_dataset

    rng = np.random.default_rng(0)
    for i in range(24):
        (tmp_path / "noise" / str(i % 2)).mkdir(parents=True, exist_ok=True)
        Image.fromarray(rng.integers(0, 256, (800, 800, 3), dtype=np.uint8)).save(
            tmp_path / "noise" / str(i % 2) / f"{i}.png", compress_level=0)
    chunk = plan_chunks(str(tmp_path / "noise"))[0]
    frame = read_chunk(chunk)
    tracemalloc.start()
    data = chunk_dataset(frame, chunk, {"kind": "images", "image_size": 32})
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    assert data.images.shape == (24, 32, 32, 3)
    assert peak < 20, f"{peak:.0f} MiB held to read a chunk of 46 MB of files"
    (tmp_path / "noise" / "1" / "5.png").unlink()  # gone since the chunk was planned
    with pytest.raises(images.InputError, match=r"'1/5.png' \(no longer there: moved or "
                                                  r"deleted since the files were listed\)"):
        chunk_dataset(frame, chunk, {"kind": "images", "image_size": 32})
