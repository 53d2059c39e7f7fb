"""A CT study written as DICOM files, the way a PACS export hands it to a radiologist.

``ct_study(folder)``: 360 axial 64 x 64 slices of an elliptical body (soft tissue, 40 HU, in
air) in 3 kinds, 120 each: a bright round lesion (300 HU), a bright square one, or none; the
body's size, place and the lesion's size and place drawn at random, in 20 HU of noise. Files
are named by their SOP instance UID, without an ending, in one flat folder with a
``DICOMDIR``; pixels are stored as CT scanners store them (unsigned 12-bit values with
``RescaleIntercept`` -1024) with a soft-tissue window (40 / 400); a quarter of the slices come
from a scanner that stores them signed with intercept 0 and a wider window (40 / 500).
Labels are kept apart, by file name. With ``enhanced``, every slice is an Enhanced CT file of
one frame, its rescale and window in the functional groups shared by its frames (as newer
scanners write them) instead of at the top of the file.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

KINDS = ("round lesion", "square lesion", "no lesion")


def _slice(kind: int, rng, side: int = 64) -> np.ndarray:
    yy, xx = np.mgrid[:side, :side].astype(float)
    cy, cx = rng.uniform(26, 38, 2)
    ay, ax = rng.uniform(18, 26), rng.uniform(22, 30)
    body = ((yy - cy) / ay) ** 2 + ((xx - cx) / ax) ** 2 < 1
    hu = np.where(body, 40.0, -1000.0)
    ly, lx = cy + rng.uniform(-8, 8), cx + rng.uniform(-10, 10)
    r = rng.uniform(4, 7)
    if kind == 0:
        hu[(yy - ly) ** 2 + (xx - lx) ** 2 < r ** 2] = 300
    elif kind == 1:
        hu[(abs(yy - ly) < r * 0.9) & (abs(xx - lx) < r * 0.9)] = 300
    return hu + rng.normal(0, 20, hu.shape)


def _grey_file(path: Path, sop: str, uid: str, modality: str, shape: tuple[int, int]):
    """An uncompressed single-sample DICOM file of ``sop`` class, its pixels yet to set."""
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian

    meta = FileMetaDataset()
    meta.MediaStorageSOPClassUID, meta.MediaStorageSOPInstanceUID = sop, uid
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    ds = FileDataset(str(path), {}, file_meta=meta, preamble=b"\0" * 128)
    ds.SOPClassUID, ds.SOPInstanceUID, ds.Modality = sop, uid, modality
    ds.Rows, ds.Columns = shape
    ds.SamplesPerPixel, ds.PhotometricInterpretation = 1, "MONOCHROME2"
    return ds


def _write(path: Path, hu: np.ndarray, signed: bool, uid: str, enhanced: bool = False) -> None:
    from pydicom.dataset import Dataset
    from pydicom.uid import CTImageStorage, EnhancedCTImageStorage

    ds = _grey_file(path, EnhancedCTImageStorage if enhanced else CTImageStorage, uid, "CT",
                    hu.shape)
    ds.BitsAllocated, ds.BitsStored, ds.HighBit = 16, (16 if signed else 12), \
        (15 if signed else 11)
    ds.PixelRepresentation = int(signed)
    rescale, voi = Dataset(), Dataset()
    rescale.RescaleSlope, rescale.RescaleIntercept = 1, (0 if signed else -1024)
    voi.WindowCenter, voi.WindowWidth = 40, (500 if signed else 400)
    if enhanced:
        ds.NumberOfFrames = 1
        shared = Dataset()
        shared.PixelValueTransformationSequence, shared.FrameVOILUTSequence = [rescale], [voi]
        ds.SharedFunctionalGroupsSequence = [shared]
    else:
        ds.update(rescale)
        ds.update(voi)
    stored = np.rint(hu if signed else np.clip(hu + 1024, 0, 4095))
    ds.PixelData = stored.astype(np.int16 if signed else np.uint16).tobytes()
    ds.save_as(path, enforce_file_format=True)


def _drawn(folder: Path, seed: int, n_per_kind: int):
    """``(i, uid, kind, rng)`` of each file to write, the kinds in a random order; ``rng``
    then draws the file's picture (so a set is the same for a seed)."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    kinds = rng.permutation(np.repeat(np.arange(len(KINDS)), n_per_kind))
    for i, kind in enumerate(kinds):
        yield i, f"1.2.826.0.1.3680043.8.498.{seed}.{i + 1}", int(kind), rng


def ct_study(folder: Path, n_per_kind: int = 120, seed: int = 2412,
             enhanced: bool = False) -> dict[str, int]:
    """Write the study into ``folder``; the kind of each file, by its name."""
    from pydicom.dataset import FileDataset, FileMetaDataset
    from pydicom.uid import ExplicitVRLittleEndian, MediaStorageDirectoryStorage

    labels = {}
    for _, uid, kind, rng in _drawn(folder, seed, n_per_kind):
        _write(folder / uid, _slice(kind, rng), signed=rng.random() < 0.25, uid=uid,
               enhanced=enhanced)
        labels[uid] = kind
    meta = FileMetaDataset()  # a DICOMDIR, as exports carry: no image
    meta.MediaStorageSOPClassUID = MediaStorageDirectoryStorage
    meta.MediaStorageSOPInstanceUID = f"1.2.826.0.1.3680043.8.498.{seed}.0"
    meta.TransferSyntaxUID = ExplicitVRLittleEndian
    FileDataset("DICOMDIR", {}, file_meta=meta, preamble=b"\0" * 128).save_as(
        folder / "DICOMDIR", enforce_file_format=True)
    return labels


VENDORS = ((0.0, 16.0), (900.0, 8.0))
"""Each X-ray system's stored value for display level ``d`` (0..255): ``a + b d``."""


def radiographs(folder: Path, n_per_kind: int = 100, seed: int = 2413) -> dict[str, int]:
    """Write 300 DX radiographs of the 3 kinds into ``folder``; the kind of each file.

    The slices of :func:`ct_study` as a viewer shows them (soft-tissue window), stored as
    two X-ray systems store them: 12-bit values ``a + b d`` of the display level ``d``
    (:data:`VENDORS`; half the files each), each file with the VOI LUT that gives back
    ``d`` and no window, as radiographs often come. Read through the tables, both systems'
    images look alike; read by their values, the system sets them apart more than the
    lesions do.
    """
    labels = {}
    for i, uid, kind, rng in _drawn(folder, seed, n_per_kind):
        display = np.clip((_slice(kind, rng) - (40 - 200)) * 255 / 400, 0, 255)
        _write_radiograph(folder / f"{uid}.dcm", display, *VENDORS[i % 2], uid=uid)
        labels[f"{uid}.dcm"] = kind
    return labels


def _write_radiograph(path: Path, display: np.ndarray, a: float, b: float, uid: str) -> None:
    from pydicom.dataset import Dataset
    from pydicom.uid import DigitalXRayImageStorageForPresentation

    ds = _grey_file(path, DigitalXRayImageStorageForPresentation, uid, "DX", display.shape)
    ds.BitsAllocated, ds.BitsStored, ds.HighBit, ds.PixelRepresentation = 16, 12, 11, 0
    first, last = int(a), int(a + 255 * b)
    item = Dataset()
    item.add_new("LUTDescriptor", "US", [last - first + 1, first, 8])
    item.add_new("LUTData", "US", np.rint(np.arange(last - first + 1) / b).astype(int).tolist())
    ds.VOILUTSequence = [item]
    ds.PixelData = np.rint(a + b * display).astype(np.uint16).tobytes()
    ds.save_as(path, enforce_file_format=True)
