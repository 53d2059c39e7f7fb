"""DICOM images (radiology): one 8-bit picture per file, as a radiologist's viewer shows it.

Read with pydicom, never forced: a file must carry DICOM's ``DICM`` preamble, so a file of
another kind is not parsed as DICOM by accident. The pixels go through the file's modality
LUT (CT numbers in Hounsfield units) and its first display window (``WindowCenter`` /
``WindowWidth``, linear or the S-curve mammograms ask for; where it has none, its VOI LUT,
as radiographs often carry), so a CT series saved with one window keeps its brightness from
slice to slice; images without a window are brought to 8 bits over the collection's common
range (:func:`clustering.images.decode_images`), as 16-bit TIFFs are. ``MONOCHROME1`` images
are inverted, palette colour is applied, a file of several frames gives its middle frame (a
volume's first slices are often empty); an enhanced file (one file a series, as newer CT and
MR scanners write them) takes that frame's rescale and window from its functional groups.
Compressed pixels are decoded by Pillow (JPEG, JPEG 2000), pydicom (RLE), pylibjpeg-openjpeg
(High-Throughput JPEG 2000, as cloud archives store and send studies) and GDCM
(``python-gdcm``: lossless JPEG and JPEG-LS, as PACS archives often store CT and MR; in a
child process, :mod:`clustering.dicom_sandbox`); another compression (an ultrasound clip's
H.264 video, say) is named in the error with what to do. Deflated files are refused: their
inflated size is not known before inflating, which a decompression bomb would use.
"""

from __future__ import annotations

import io
import logging

import numpy as np

__all__ = ["DICOM_SUFFIXES", "NoImage", "dicom_image", "dicom_size", "is_dicom"]

log = logging.getLogger(__name__)

DICOM_SUFFIXES = (".dcm", ".dicom")
"""Endings of DICOM files; files without one are recognised by their preamble
(PACS exports name them ``IM0001`` or by a UID such as ``1.2.840.113619.2.55.3``)."""
PREAMBLE = 128
MAGIC = b"DICM"
DEFLATED = "1.2.840.10008.1.2.1.99"


class NoImage(ValueError):
    """A DICOM file that holds no image: a DICOMDIR, a report, a structure set, a plan."""


def is_dicom(head: bytes) -> bool:
    """Whether a file's first 132 bytes are DICOM's preamble and ``DICM`` prefix.

    Examples
    --------
    >>> is_dicom(bytes(128) + b"DICM" + bytes(10)), is_dicom(b"PNG" + bytes(200))
    (True, False)
    """
    return head[PREAMBLE:PREAMBLE + len(MAGIC)] == MAGIC


def _read(data: bytes, pixels: bool):
    import pydicom

    if not is_dicom(data):
        raise ValueError("not a DICOM file (no DICM prefix)")
    try:
        head = io.BytesIO(data)
        pydicom.filereader.read_preamble(head, False)
        meta = pydicom.filereader._read_file_meta_info(head)  # what read_file_meta_info reads
        if str(meta.get("TransferSyntaxUID", "")) == DEFLATED:
            raise ValueError("a deflated DICOM file, which is not read (its size is unknown "
                             "until inflated); export it uncompressed")
        ds = pydicom.dcmread(io.BytesIO(data), stop_before_pixels=not pixels)
        if "Rows" not in ds or "Columns" not in ds:
            raise NoImage("a DICOM file without an image")
        rows, columns = int(ds.Rows), int(ds.Columns)
    except ValueError:
        raise
    except Exception as exc:  # pydicom raises many kinds on a damaged file
        raise ValueError(f"not a readable DICOM image ({_short(exc)})") from None
    if rows < 1 or columns < 1:
        raise ValueError(f"a DICOM image of {columns} x {rows} pixels")
    return ds, (columns, rows)


def dicom_size(data: bytes) -> tuple[int, int]:
    """Width and height of a DICOM file's image, from its header alone.

    Raises
    ------
    NoImage
        A DICOM file without an image (a DICOMDIR, a report, a structure set).
    ValueError
        Not a DICOM file, damaged, or deflated.
    """
    return _read(data, pixels=False)[1]


def dicom_image(data: bytes, max_pixels: int):
    """The DICOM file's image as a Pillow image: ``L`` (grey) or ``RGB``, 8 bits, or ``F``.

    ``F`` (float values) for grey images of more than 8 bits without a display window,
    brought to 8 bits with the rest of the collection.

    Parameters
    ----------
    data : bytes
        The whole file.
    max_pixels : int
        Refuse an image of more pixels than this (checked before decoding).

    Raises
    ------
    ValueError
        Unreadable, too large, or compressed in a way no installed decoder reads; the
        message says which.
    """
    try:
        return _image(data, max_pixels)
    except ValueError:
        raise
    except Exception as exc:  # a damaged element read lazily (a window, a LUT)
        raise ValueError(f"not a readable DICOM image ({_short(exc)})") from None


def _image(data: bytes, max_pixels: int):
    from PIL import Image
    from pydicom.pixels import apply_color_lut, apply_modality_lut

    from .dicom_sandbox import frame_pixels

    ds, (columns, rows) = _read(data, pixels=True)
    if rows * columns > max_pixels:
        raise ValueError("too many pixels")
    if "PixelData" not in ds:
        raise NoImage("a DICOM file without an image")
    frames = int(ds.get("NumberOfFrames", 1) or 1)
    index = frames // 2 if frames > 1 else None
    try:
        arr = frame_pixels(ds, data, index)
        colour = str(ds.get("PhotometricInterpretation", "MONOCHROME2")).upper()
        if colour == "PALETTE COLOR":
            arr, colour = apply_color_lut(arr, ds), "RGB"
        elif colour.startswith("MONOCHROME"):
            rescale = None if "RescaleSlope" in ds else _frame_item(
                ds, index, "PixelValueTransformationSequence")
            arr = apply_modality_lut(arr, ds if rescale is None else rescale)
    except Exception as exc:  # a missing decoder, a damaged or truncated pixel stream
        syntax = getattr(ds.file_meta.get("TransferSyntaxUID"), "name", "its transfer syntax")
        why, full = _short(exc), str(exc).lower()
        if "missing" in full or "does not support" in full or "unable to decode" in full:
            raise ValueError(f"compressed as {syntax}, which clusterlab cannot decode; "
                             "export it uncompressed") from None
        raise ValueError(f"pixels not readable ({why})") from None
    if arr.ndim == 3:
        return Image.fromarray(_eight_bits(arr, None), "RGB")
    window = _window(ds) or _window(_frame_item(ds, index, "FrameVOILUTSequence"))
    looked_up = _through_voi_lut(arr, ds) if window is None else None
    if looked_up is not None:
        return Image.fromarray(255 - looked_up if colour == "MONOCHROME1" else looked_up, "L")
    if window is None and arr.dtype != np.uint8:  # to 8 bits with the rest of the collection
        values = np.asarray(arr, dtype=np.float32)
        return Image.fromarray(-values if colour == "MONOCHROME1" else values, "F")
    grey = _sigmoid(arr, window) if window and _voi_function(ds, index) == "SIGMOID" \
        else _eight_bits(arr, window)
    return Image.fromarray(255 - grey if colour == "MONOCHROME1" else grey, "L")


def _voi_function(ds, index: int | None) -> str:
    """How the window maps values to grey (``VOILUTFunction``): ``LINEAR`` unless said."""
    item = _frame_item(ds, index, "FrameVOILUTSequence")
    said = ds.get("VOILUTFunction") or (item.get("VOILUTFunction") if item is not None
                                         else None)
    return str(said or "LINEAR").strip().upper()


def _sigmoid(arr: np.ndarray, window: tuple[float, float]) -> np.ndarray:
    """0..255 through the window's S-curve, as mammograms often ask.

    DICOM PS3.3 C.11.2.1.3.1: ``255 / (1 + exp(-4 (x - centre) / width))``.
    """
    centre, width = (window[0] + window[1]) / 2, window[1] - window[0]
    x = np.clip(-4.0 * (np.asarray(arr, dtype=np.float64) - centre) / width, -60, 60)
    return np.rint(255.0 / (1.0 + np.exp(x))).astype(np.uint8)


def _through_voi_lut(arr: np.ndarray, ds) -> np.ndarray | None:
    """8-bit pixels through the file's VOI LUT, or None when it has none that reads.

    Radiographs (CR, DX, mammography) often carry a lookup table from their values to what
    the viewer shows instead of a window. Values below the table's first one take its first
    entry, those past its end its last; the output is brought to 8 bits over the range the
    table spans (its descriptor's bit depth is often wider than its entries). Looked up
    here, not by ``pydicom.pixels.processing.apply_voi``, which indexes tables of 8-bit
    entries with 8-bit integers (a value of 2,747 looks up entry 187). A table that does not
    read leaves the image to the collection's range.
    """
    from .image_arrays import to_eight_bits

    item = (ds.get("VOILUTSequence") or [None])[0]
    if item is None or item.get("LUTDescriptor") is None or item.get("LUTData") is None:
        return None
    try:
        entries, first = int(item.LUTDescriptor[0]) or 2 ** 16, int(item.LUTDescriptor[1])
        if first > 2 ** 15 - 1 and int(ds.get("PixelRepresentation", 0)) == 1:
            first -= 2 ** 16  # a signed image's first mapped value, stored unsigned
        data = item.LUTData
        if isinstance(data, bytes):  # OW: 16-bit words in the file's byte order
            little = getattr(ds.file_meta.get("TransferSyntaxUID"), "is_little_endian", True)
            lut = np.frombuffer(data, dtype="<u2" if little is not False else ">u2")
        else:  # US: a list of numbers (one number, read alone, is not a list)
            lut = np.asarray([data] if isinstance(data, int) else data, dtype=np.float64)
        lut = np.asarray(lut[:entries], dtype=np.float64)
        if lut.size < 2 or lut.max() <= lut.min():
            return None
        index = np.clip(np.asarray(arr, dtype=np.float64) - first, 0, lut.size - 1)
        return to_eight_bits(lut[index.astype(np.int64)], float(lut.min()), float(lut.max()))
    except (AttributeError, TypeError, ValueError, IndexError) as exc:  # a damaged table
        log.info("a DICOM VOI LUT was not read (%s); the collection's range is used", exc)
        return None


def _frame_item(ds, index: int | None, name: str):
    """The item of sequence ``name`` that holds for frame ``index`` of an enhanced file.

    Enhanced CT, MR and PET files (one file a series, as newer scanners write them) keep
    their rescale and display window in functional groups, not at the top: the frame's own
    group first, else the group shared by every frame. None when neither has it.
    """
    per_frame = ds.get("PerFrameFunctionalGroupsSequence") or []
    shared = ds.get("SharedFunctionalGroupsSequence") or []
    frame = index or 0
    for group in ([per_frame[frame]] if frame < len(per_frame) else []) + list(shared[:1]):
        if group.get(name):
            return group.get(name)[0]
    return None


def _window(ds) -> tuple[float, float] | None:
    """The first display window's darkest and brightest value, if ``ds`` has one.

    ``ds``: a file, or an enhanced file's VOI item (:func:`_frame_item`), or None.
    """
    from pydicom.multival import MultiValue

    if ds is None:
        return None
    centre, width = ds.get("WindowCenter"), ds.get("WindowWidth")
    if centre is None or width is None:
        return None
    try:
        c, w = (float(v[0] if isinstance(v, MultiValue) else v) for v in (centre, width))
    except (TypeError, ValueError, IndexError):
        return None
    return (c - w / 2, c + w / 2) if w > 0 and np.isfinite([c, w]).all() else None


def _eight_bits(arr: np.ndarray, window: tuple[float, float] | None) -> np.ndarray:
    """Values brought to 0..255: within the window, else from the image's own range.

    8-bit images without a window are kept as they are.
    """
    from .image_arrays import to_eight_bits  # (imports clustering.images, which imports us)

    if arr.dtype == np.uint8 and window is None:
        return np.ascontiguousarray(arr)
    return to_eight_bits(arr, *(window or (float(arr.min()), float(arr.max()))))


def _short(exc: Exception) -> str:
    return (str(exc).strip().split("\n")[0] or type(exc).__name__)[:100]
