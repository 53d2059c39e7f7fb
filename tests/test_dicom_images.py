"""DICOM images (radiology) and GIFs in image folders and zips."""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pydicom
import pytest
from PIL import Image
from pydicom.dataset import Dataset, FileDataset, FileMetaDataset
from pydicom.uid import (
    CTImageStorage,
    EnhancedCTImageStorage,
    ExplicitVRLittleEndian,
    generate_uid,
)

from clustering.errors import InputError
from clustering.loaders import load_data
from helpers import damaged, lossless_jpeg, refused_then_left_out

BUNDLED = Path(pydicom.__file__).parent / "data" / "test_files"
HTJ2K = Path(__file__).resolve().parent / "data" / "htj2k"
"""Real DICOM files pydicom ships with its wheel (CT, MR, RLE, JPEG, colour)."""


def _write_ct(path: Path, hounsfield: np.ndarray, *, window=(40.0, 400.0),
              photometric: str = "MONOCHROME2", syntax=ExplicitVRLittleEndian,
              enhanced: bool = False, frame_windows: dict | None = None) -> None:
    """A CT image stored as scanners store it: int16 values, rescaled by -1024 to HU.

    ``enhanced``: as an Enhanced CT file, its rescale and window in the functional groups
    shared by every frame, and ``frame_windows`` (frame -> window) in a frame's own group.
    """
    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = EnhancedCTImageStorage if enhanced else CTImageStorage
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = syntax
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, \
        meta.MediaStorageSOPInstanceUID
    frames = hounsfield[None] if hounsfield.ndim == 2 else hounsfield
    ds.Rows, ds.Columns = frames.shape[1:]
    if len(frames) > 1 or enhanced:
        ds.NumberOfFrames = len(frames)
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, photometric
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 16, 15, 1
    if enhanced:
        shared = Dataset()
        shared.PixelValueTransformationSequence = [Dataset()]
        shared.PixelValueTransformationSequence[0].RescaleSlope = 1
        shared.PixelValueTransformationSequence[0].RescaleIntercept = -1024
        if window:
            shared.FrameVOILUTSequence = [Dataset()]
            shared.FrameVOILUTSequence[0].WindowCenter, \
                shared.FrameVOILUTSequence[0].WindowWidth = window
        ds.SharedFunctionalGroupsSequence = [shared]
        ds.PerFrameFunctionalGroupsSequence = [Dataset() for _ in frames]
        for frame, (centre, width) in (frame_windows or {}).items():
            own = ds.PerFrameFunctionalGroupsSequence[frame]
            own.FrameVOILUTSequence = [Dataset()]
            own.FrameVOILUTSequence[0].WindowCenter = centre
            own.FrameVOILUTSequence[0].WindowWidth = width
    else:
        ds.RescaleSlope, ds.RescaleIntercept = 1, -1024
        if window:
            ds.WindowCenter, ds.WindowWidth = window
    ds.PixelData = (frames + 1024).astype(np.int16).tobytes()
    ds.save_as(path, enforce_file_format=True)


def _phantom(kind: str, rng) -> np.ndarray:
    """A 40 x 40 slice in HU: air around, soft tissue (40 HU) in a disc or a square."""
    yy, xx = np.mgrid[:40, :40]
    cy, cx, r = rng.integers(14, 26), rng.integers(14, 26), rng.integers(7, 11)
    inside = (yy - cy) ** 2 + (xx - cx) ** 2 < r ** 2 if kind == "disc" else \
        (abs(yy - cy) < r) & (abs(xx - cx) < r)
    return np.where(inside, 40, -1000) + rng.normal(0, 5, (40, 40))


def test_a_folder_of_ct_slices_is_read_through_the_window_some_files_without_an_ending(
        tmp_path):
    rng = np.random.default_rng(0)
    for kind in ("disc", "square"):
        (tmp_path / kind).mkdir()
        for i in range(6):  # PACS exports name files by UID or IM number, without an ending
            name = f"1.2.840.99.{i}" if i % 2 else f"IM{i:04d}.dcm"
            _write_ct(tmp_path / kind / name, _phantom(kind, rng))
    (tmp_path / "DICOMDIR").write_bytes((BUNDLED / "rtplan.dcm").read_bytes())  # no image
    data = load_data(tmp_path)
    assert data.modality == "images" and data.n == 12 and data.images.shape == (12, 40, 40)
    assert sorted(set(data.labels)) == ["disc", "square"]
    # the window 40 +- 200 HU: air (-1000) is black, tissue (40 HU) mid-grey, on every slice
    assert data.images[:, 0, 0].max() == 0
    centre = data.images[:, 20, 20].astype(int)
    assert np.all(abs(centre - 128) < 12)
    assert any("Skipped 1 file(s)" in n and "'DICOMDIR'" in n for n in data.notes)
    (tmp_path / "disc" / "report.dcm").write_bytes((BUNDLED / "rtplan.dcm").read_bytes())
    assert any("without an image" in n and "'disc/report.dcm'" in n
               for n in load_data(tmp_path).notes)
    assert "1.2.840.99.1" in " ".join(data.ids)


def test_monochrome1_is_inverted_a_volume_gives_its_middle_slice_and_no_window_stretches(
        tmp_path):
    slab = np.full((40, 40), -1000.0)
    _write_ct(tmp_path / "a.dcm", slab + np.eye(40) * 1240, photometric="MONOCHROME1")
    volume = np.stack([np.full((40, 40), -1000.0 + 100 * k) for k in range(5)])
    volume[2, :20] = 500  # only the middle slice is half bright
    _write_ct(tmp_path / "b.dcm", volume, window=None)
    images = load_data(tmp_path).images
    assert images[0, 0, 0] == 0 and images[0, 0, 1] == 255  # inverted: air white, 240 HU black
    assert images[1, 0, 0] == 255 and images[1, 39, 0] == 0  # the middle slice, stretched


def test_an_enhanced_ct_file_reads_its_middle_frame_through_its_functional_groups(tmp_path):
    rng = np.random.default_rng(3)
    volume = np.stack([_phantom("disc", rng) for _ in range(5)])
    (tmp_path / "classic").mkdir()
    (tmp_path / "enhanced").mkdir()
    _write_ct(tmp_path / "classic" / "a.dcm", volume)
    _write_ct(tmp_path / "enhanced" / "a.dcm", volume, enhanced=True)
    _write_ct(tmp_path / "enhanced" / "b.dcm", volume, enhanced=True,
              frame_windows={2: (-1000.0, 100.0)})  # the middle frame's own window: air
    classic = load_data(tmp_path / "classic").images[0]
    enhanced = load_data(tmp_path / "enhanced").images
    assert abs(int(classic[20, 20]) - 128) < 12  # tissue mid-grey through 40 +- 200 HU
    np.testing.assert_array_equal(enhanced[0], classic)  # in HU, through the same window
    assert enhanced[1][20, 20] == 255 and 100 < enhanced[1][0, 0] < 155  # its own window


def _write_radiograph(path: Path, stored: np.ndarray, lut: np.ndarray | None,
                      first: int = 0, words: bool = False) -> None:
    """A 12-bit DX radiograph, its display given by a VOI LUT (or none) whose first entry is
    for the value ``first``, written as numbers (US) or as 16-bit words (OW)."""
    from pydicom.uid import DigitalXRayImageStorageForPresentation

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID = DigitalXRayImageStorageForPresentation
    meta.MediaStorageSOPInstanceUID = generate_uid()
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID, ds.SOPInstanceUID = meta.MediaStorageSOPClassUID, \
        meta.MediaStorageSOPInstanceUID
    ds.Modality, ds.Rows, ds.Columns = "DX", *stored.shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    if lut is not None:
        item = Dataset()
        item.add_new("LUTDescriptor", "US", [len(lut), first, 8 if lut.max() < 256 else 12])
        item.add_new("LUTData", "OW" if words else "US", lut.astype("<u2").tobytes() if words
                     else lut.astype(int).tolist())
        ds.VOILUTSequence = [item]
    ds.PixelData = stored.astype(np.uint16).tobytes()
    ds.save_as(path, enforce_file_format=True)


def test_a_radiograph_without_a_window_is_read_through_its_voi_lut(tmp_path):
    rng = np.random.default_rng(5)
    stored = rng.integers(0, 4096, (32, 32))
    stored[0, 0], stored[0, 1] = 0, 4095
    lut = np.rint(255 * np.sqrt(np.arange(4096) / 4095))  # a curve a linear stretch is not
    _write_radiograph(tmp_path / "a.dcm", stored, lut)
    image = load_data(tmp_path).images[0].astype(int)
    assert np.abs(image - lut[stored]).max() <= 1  # as the viewer shows it
    (tmp_path / "a.dcm").unlink()
    ramp = np.arange(2048) * 2.0  # entries for 1024..3071, 12-bit output, as 16-bit words
    _write_radiograph(tmp_path / "a.dcm", stored, ramp, first=1024, words=True)
    image = load_data(tmp_path).images[0].astype(int)
    expected = np.clip(stored - 1024, 0, 2047) * 255 / 2047
    assert np.abs(image - expected).max() <= 1  # below the first value: black; past: white
    (tmp_path / "a.dcm").unlink()
    _write_radiograph(tmp_path / "b.dcm", stored, None)  # no table: the range, as before
    plain = load_data(tmp_path).images[0].astype(int)
    assert np.abs(plain - stored * 255 / 4095).max() <= 1


def test_a_mammogram_whose_window_is_an_s_curve_is_read_through_it(tmp_path):
    stored = np.array([[1000, 1500, 2000, 2500, 3000]] * 5)
    _write_radiograph(tmp_path / "a.dcm", stored, None)
    ds = pydicom.dcmread(tmp_path / "a.dcm")
    ds.Modality, ds.WindowCenter, ds.WindowWidth = "MG", 2000, 1000
    ds.save_as(tmp_path / "linear.dcm", enforce_file_format=True)
    ds.VOILUTFunction = "SIGMOID"
    ds.save_as(tmp_path / "a.dcm", enforce_file_format=True)
    images = load_data(tmp_path).images  # a.dcm, linear.dcm
    assert images[0, 0].tolist() == [5, 30, 128, 225, 250]  # 255 / (1 + e^(-4 (x - c) / w))
    assert images[1, 0].tolist() == [0, 0, 128, 255, 255]  # the straight window


def test_real_dicom_files_read_grey_and_colour_and_compressed_ones_name_their_codec(tmp_path):
    with zipfile.ZipFile(tmp_path / "study.zip", "w") as zf:
        for name in ("CT_small.dcm", "MR_small.dcm", "MR_small_RLE.dcm", "SC_rgb_jpeg.dcm",
                     "SC_rgb_rle.dcm"):
            zf.write(BUNDLED / name, f"study/{name}")
    data = load_data(tmp_path / "study.zip", image_size=32)
    assert data.n == 5 and data.images.shape == (5, 32, 32, 3) and data.images.dtype == np.uint8
    assert all(data.images[i].std() > 10 for i in (0, 1, 2, 4))  # SC_rgb_jpeg is near flat
    assert np.array_equal(data.images[1], data.images[2])  # MR_small, raw and RLE-compressed
    folder = tmp_path / "mixed"
    folder.mkdir()
    for name in ("MR_small.dcm", "MR_small_RLE.dcm", "MR_small_jpeg_ls_lossless.dcm"):
        (folder / name).write_bytes((BUNDLED / name).read_bytes())
    lossless_jpeg(BUNDLED / "MR_small.dcm", folder / "MR_small_jpeg_lossless.dcm")
    data = load_data(folder)  # JPEG-LS and lossless JPEG were refused before GDCM
    assert data.n == 4 and all(np.array_equal(im, data.images[0]) for im in data.images)
    (folder / "cine.dcm").write_bytes(_video())
    refused_then_left_out(folder, r"cine.dcm' \(compressed as MPEG-4 AVC/H.264 High Profile"
                                  r".*export it uncompressed", kept=4, left_out=1)


def test_high_throughput_jpeg_2000_files_read_as_their_uncompressed_originals(tmp_path):
    """HTJ2K, as cloud archives store and send studies (AWS HealthImaging's default), was
    refused ("compressed as High-Throughput JPEG 2000 ..., which clusterlab cannot decode").
    ``tests/data/htj2k`` holds pydicom's MR and CT files in lossless HTJ2K
    (``make_htj2k.py``)."""
    for name in ("MR_small", "CT_small"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "raw.dcm").write_bytes((BUNDLED / f"{name}.dcm").read_bytes())
        (folder / "htj2k.dcm").write_bytes((HTJ2K / f"{name}_htj2k.dcm").read_bytes())
        data = load_data(folder)
        assert list(data.ids) == ["htj2k.dcm", "raw.dcm"]
        assert data.images[0].std() > 10 and np.array_equal(data.images[0], data.images[1])


def _video() -> bytes:
    """A DICOM file as an ultrasound clip is stored, as H.264 video, which no installed
    decoder reads (High-Throughput JPEG 2000 was this case until stop 79)."""
    import io

    ds = pydicom.dcmread(BUNDLED / "MR_small_jp2klossless.dcm")
    ds.file_meta.TransferSyntaxUID = pydicom.uid.MPEG4HP41
    out = io.BytesIO()
    ds.save_as(out, enforce_file_format=True)
    return out.getvalue()


def test_pixels_that_abort_the_gdcm_decoder_are_named_and_the_next_file_still_reads(tmp_path):
    """GDCM aborts the whole process on some damaged JPEG-LS data; it decodes in a child."""
    import subprocess
    import sys

    crash = bytearray((BUNDLED / "MR_small_jpeg_ls_lossless.dcm").read_bytes())
    crash[1554] = 61  # found by the fuzz run of stop 57
    (tmp_path / "a.dcm").write_bytes(bytes(crash))
    in_process = subprocess.run(
        [sys.executable, "-c", "import sys, pydicom; from pydicom.pixels import pixel_array; "
         "pixel_array(pydicom.dcmread(sys.argv[1]), decoding_plugin='gdcm')",
         str(tmp_path / "a.dcm")], capture_output=True, check=False)
    assert in_process.returncode < 0  # killed by a signal (SIGABRT), not an exception
    (tmp_path / "b.dcm").write_bytes((BUNDLED / "MR_small_jpeg_ls_lossless.dcm").read_bytes())
    with pytest.raises(InputError, match=r"'a.dcm' \(pixels not readable \(damaged: the "
                                         "decoder stopped on them"):
        load_data(tmp_path)
    kept = load_data(tmp_path, drop_invalid=True)  # a new child decodes the next file
    assert kept.n == 1 and kept.images[0].std() > 10


def test_a_frame_past_the_time_limit_is_named_and_a_new_child_decodes_the_next(
        tmp_path, monkeypatch):
    from clustering import dicom_sandbox

    (tmp_path / "b.dcm").write_bytes((BUNDLED / "MR_small_jpeg_ls_lossless.dcm").read_bytes())
    dicom_sandbox.stop()  # a child that has to start cannot answer in time
    monkeypatch.setattr(dicom_sandbox, "TIMEOUT_S", 1e-4)
    with pytest.raises(InputError, match=r"'b.dcm' \(pixels not readable \(the decoder took "
                                         r"over 0.0001 s"):
        load_data(tmp_path)
    monkeypatch.setattr(dicom_sandbox, "TIMEOUT_S", 30.0)
    assert load_data(tmp_path).images[0].std() > 10


def test_damaged_deflated_and_lone_dicom_files_are_refused_in_one_sentence(tmp_path):
    for i in range(3):
        _write_ct(tmp_path / f"{i}.dcm", np.full((16, 16), -1000.0 + 300 * i))
    good = (tmp_path / "0.dcm").read_bytes()
    (tmp_path / "cut.dcm").write_bytes(good[:len(good) - 100])
    with pytest.raises(InputError, match=r"'cut.dcm' \(pixels not readable"):
        load_data(tmp_path)
    (tmp_path / "cut.dcm").unlink()
    (tmp_path / "packed.dcm").write_bytes((BUNDLED / "image_dfl.dcm").read_bytes())
    with pytest.raises(InputError, match=r"'packed.dcm' \(a deflated DICOM file"):
        load_data(tmp_path)
    with pytest.raises(InputError, match="is one image; give the folder or .zip"):
        load_data(tmp_path / "0.dcm")


def test_gif_images_are_read_by_their_first_frame(tmp_path):
    for i in range(3):
        frames = [Image.fromarray(np.full((10, 10), v, np.uint8)) for v in (60 * i, 250)]
        frames[0].save(tmp_path / f"{i}.gif", save_all=True, append_images=frames[1:])
    data = load_data(tmp_path)
    assert data.n == 3 and data.images.shape == (3, 10, 10)
    assert [int(im[0, 0]) for im in data.images] == [0, 60, 120]


def test_the_data_page_reads_an_uploaded_zip_of_dicom_files(tmp_path):
    from helpers import no_errors, shown, start_app

    rng = np.random.default_rng(1)
    good, bad = tmp_path / "study.zip", tmp_path / "packed.zip"
    with zipfile.ZipFile(good, "w") as zf, zipfile.ZipFile(bad, "w") as zb:
        for i in range(8):
            _write_ct(tmp_path / f"IM{i}", _phantom("disc" if i % 2 else "square", rng))
            zf.write(tmp_path / f"IM{i}", f"series/IM{i}")
            zb.write(tmp_path / f"IM{i}", f"series/IM{i}")
        zb.writestr("series/cine.dcm", _video())
    at = start_app()
    at.switch_page("app_pages/data.py").run()
    at.file_uploader(key="uploader").upload("study.zip", good.read_bytes(), "application/zip")
    at.run()
    no_errors(at)
    assert any("Read 8 images" in shown(s.value) for s in at.success), at.success
    at.file_uploader(key="uploader").upload("packed.zip", bad.read_bytes(), "application/zip")
    at.run()
    errors = [shown(e.value) for e in at.error]
    assert any("cine.dcm" in e and "cannot decode" in e for e in errors), errors


def test_damaged_dicom_bytes_give_one_sentence_never_a_crash(tmp_path):
    """Flipped bytes, cut files and overwritten lengths in real DICOM files and in small
    enhanced, VOI-LUT and S-curve ones: each is read or named as unreadable (pydicom raises
    a dozen kinds of errors on them, some lazily)."""
    from clustering.images import decode_images

    rng = np.random.default_rng(0)
    seeds = [(BUNDLED / n).read_bytes() for n in ("CT_small.dcm", "MR_small_RLE.dcm",
                                                   "SC_rgb_jpeg.dcm", "rtdose.dcm",
                                                   "MR_small_jpeg_ls_lossless.dcm")]
    small = np.full((3, 8, 8), 40.0)
    _write_ct(tmp_path / "e.dcm", small, enhanced=True, frame_windows={1: (0.0, 100.0)})
    _write_radiograph(tmp_path / "u.dcm", np.arange(64).reshape(8, 8) * 60,
                      np.arange(4096) // 16)
    _write_radiograph(tmp_path / "w.dcm", np.arange(64).reshape(8, 8) * 60,
                      np.arange(2048) * 2.0, first=1024, words=True)
    ds = pydicom.dcmread(tmp_path / "u.dcm")
    del ds.VOILUTSequence
    ds.WindowCenter, ds.WindowWidth, ds.VOILUTFunction = 2000, 1000, "SIGMOID"
    ds.save_as(tmp_path / "s.dcm", enforce_file_format=True)
    seeds += [(tmp_path / f"{n}.dcm").read_bytes() for n in "euws"]
    for seed in seeds[-4:]:  # each reads whole
        assert decode_images([("f.dcm", seed)])[0].dtype == np.uint8
    for it in range(900):
        data = damaged(seeds[it % len(seeds)], rng, it % 3)
        try:
            images, _, _, _ = decode_images([("f.dcm", data)], drop_invalid=True)
            assert images.dtype == np.uint8
        except InputError as exc:
            assert "f.dcm" in str(exc) or "No readable" in str(exc) or "million" in str(exc)


def test_a_partitioned_run_plans_and_reads_the_dicom_files_of_a_folder(tmp_path):
    from clustering.chunks import plan_chunks, read_chunk
    from workspace.chunk_tasks import chunk_dataset

    rng = np.random.default_rng(2)
    for name in ("IM0001", "IM0002", "b.dcm"):
        _write_ct(tmp_path / name, _phantom("disc", rng))
    (tmp_path / "DICOMDIR").write_bytes((BUNDLED / "rtplan.dcm").read_bytes())
    (tmp_path / "notes.txt").write_text("series 3")
    chunks = plan_chunks(str(tmp_path))
    assert [f for c in chunks for f in c.files] == ["IM0001", "IM0002", "b.dcm"]
    data = chunk_dataset(read_chunk(chunks[0]), chunks[0], {"kind": "auto"})
    assert data.images.shape == (3, 40, 40)
