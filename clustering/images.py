"""Decode untrusted image bytes safely and bring them to one common size."""

from __future__ import annotations

import functools
import io
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

from .decode_limits import KEEP_UP_TO, MAX_TOTAL_PIXELS, decoded_pixels, over_cap
from .device import cpu_threads
from .dicom_images import DICOM_SUFFIXES, NoImage, dicom_image, dicom_size, is_dicom
from .errors import DROP_INVALID, InputError
from .image_blobs import LazyBlobs, opened

__all__ = ["FORMATS_READ", "IMAGE_SUFFIXES", "KEEP_UP_TO", "MAX_TOTAL_PIXELS", "decode_images",
           "image_files", "is_image_file", "is_image_member", "is_image_path"]

HEIF_SUFFIXES = (".heic", ".heif", ".hif")
"""HEIF photos: ``.heic`` as iPhones save them, ``.heif``, ``.hif`` as cameras save 10-bit ones."""
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".avif", *HEIF_SUFFIXES, ".tif", ".tiff",
                  ".bmp", ".gif", *DICOM_SUFFIXES)
ALLOWED_FORMATS = ("PNG", "JPEG", "WEBP", "AVIF", "HEIF", "TIFF", "BMP", "GIF")
"""Decoders Pillow may use (none is picked by the bytes alone). TIFF for microscopy and
scanners (16-bit and float ones brought to 8 bits over the collection's range, the first
page of several),
BMP for older tools' exports, GIF (its first frame), AVIF (what phones and the web save
now; Pillow 11.3 and later decode it), HEIF/HEIC (what iPhones save; decoded by ``pi-heif``,
turned upright as stored, 10-bit ones brought to 8); all under the same pixel limits.
DICOM files are read by :mod:`clustering.dicom_images`, under the same limits."""
FORMATS_READ = "PNG, JPEG, WebP, AVIF, HEIC, TIFF, BMP, GIF or DICOM"
"""The formats read, as messages name them."""
SIDES = (96, 64, 48)
"""Sides :func:`image_side` picks from (else 32): 96 is what the pretrained encoder reads."""
PIXEL_BUDGET = 24_000_000
"""Pixels a collection is reduced to at most when the side is automatic: 96 px up to 2,604
images, 64 px up to 5,859, 48 px up to 10,416, else 32 (on 5,000 128-px images `auto` took
121 s at 96 px against 92 s at 32; ``benchmarks/README.md``, stop 59)."""


def image_side(longest: list[int] | np.ndarray, size: int | None = None) -> int:
    """The side images larger than :data:`KEEP_UP_TO` (or of several sizes) are reduced to.

    ``size`` when given; else the largest of :data:`SIDES` that is no larger than the images'
    median longest side and keeps the collection within :data:`PIXEL_BUDGET`; else 32.
    Reduced to 32 px, a small object in a large picture (a lesion, a cell, a letter) is a few
    pixels, and the pretrained encoder reads 96.

    Examples
    --------
    >>> image_side([512] * 300), image_side([128] * 5000), image_side([30, 40, 50])
    (96, 64, 32)
    >>> image_side([512] * 300, 32)
    32
    """
    if size is not None:
        return int(size)
    median = float(np.median(longest)) if len(longest) else 0.0
    return next((side for side in SIDES
                 if side <= median and len(longest) * side * side <= PIXEL_BUDGET), 32)


def decode_images(blobs: Sequence[tuple[str, bytes]], size: int | None = None,
                  drop_invalid: bool = False,
                  one_range: bool | tuple[float, float] | dict = True,
                  ranges_out: dict | None = None,
                  progress: Callable[[float, str], None] | None = None
                  ) -> tuple[np.ndarray, list[int], list[str], tuple[float, float] | None]:
    """Decode image bytes (:data:`FORMATS_READ`) into a uint8 array of one size.

    Images larger than Pillow's pixel limit, truncated files and non-images are
    reported by name. All-gray collections stay single-channel. Each file is decoded and
    reduced on its own, on every core (:func:`decode_threads`), so only a few full-size
    images are in memory at a time.

    Parameters
    ----------
    blobs : sequence of (name, bytes)
        The raw files: a list, or :class:`clustering.image_blobs.LazyBlobs` that reads each
        file when it is reached.
    size : int, optional
        Side length used when images differ in size or exceed 64 px; without it, chosen
        from their sizes and number (:func:`image_side`).
    drop_invalid : bool
        Skip unreadable images (reported in notes) instead of refusing the collection.
    one_range : bool or (float, float) or dict
        Bring 16-bit and float images to 8 bits over their common range; else each over its
        own; or over the range given (a partitioned run decodes a part at a time, and reads
        every part over the range of the sample it was fitted on), or over the range given
        for their kind (``integer``, ``float``, ``DICOM``; a kind not given, each over its
        own).
    ranges_out : dict, optional
        With ``one_range`` True, filled with each kind's common range (what ``one_range``
        takes to read more images alike, also where 8-bit images or other kinds are beside
        them).
    progress : callable, optional
        ``progress(fraction, message)`` as the files are checked and decoded.

    Returns
    -------
    images : ndarray, shape (m, h, w) or (m, h, w, 3)
    kept : list of int
        Indices into ``blobs`` of the images kept.
    notes : list of str
    pixel_range : (float, float) or None
        When every image is 16-bit (or every one float, or DICOM without a window) and
        ``one_range``: the values that became 0 and 255, so new images can be read alike
        (:attr:`clustering.dataset.Dataset.pixel_range`).
    """
    Image = _decoders()[0]
    report = progress or (lambda fraction, message: None)
    with warnings.catch_warnings():  # for every decoding thread (the filters are global)
        warnings.simplefilter("ignore", UserWarning)  # a TIFF's broken EXIF, say
        warnings.simplefilter("error", Image.DecompressionBombWarning)
        sizes, bad, without, jpeg, stored = _declared_sizes(blobs, report)
        automatic = size is None
        size = image_side([max(wh) for wh in sizes.values()], size)
        total = sum(decoded_pixels(wh, i in jpeg, size) for i, wh in sizes.items())
        refusal = over_cap(len(sizes), total, stored)
        if refusal:
            raise InputError(refusal)
        decoded, kept, failed = _decode_all(blobs, sorted(sizes), size, report)
    bad += failed
    notes = [] if not without else [
        f"Skipped {len(without):,} DICOM file(s) without an image (a DICOMDIR, reports, "
        f"structure sets): {', '.join(map(repr, without[:3]))}{' and more' * (len(without) > 3)}."]
    if bad:
        listed = "; ".join(f"'{n}' ({why})" for n, why in bad[:5])
        more = f" and {len(bad) - 5} more" if len(bad) > 5 else ""
        if not drop_invalid:
            raise InputError(f"{len(bad)} image(s) could not be read: {listed}{more}. Remove or "
                             f"replace them, or leave them out ({DROP_INVALID}).")
        notes.append(f"Left out {len(bad)} unreadable image(s): {listed}{more}.")
    if not decoded:
        raise InputError(f"No readable {FORMATS_READ} image was found; add images and retry.")
    decoded, deep, span = _over_collection(decoded, one_range, ranges_out)
    stacked = _stack(decoded, size)
    largest = max(max(sizes[i]) for i in kept)
    if largest > stacked.shape[1]:
        from .image_arrays import reduced_note

        deep.append(reduced_note(f"The {len(kept):,} images (up to {largest} px a side)",
                                 largest, stacked.shape[1], automatic))
    return stacked, kept, notes + deep, span


CHECKED_SHARE = 0.1
"""The share of reading's progress bar the check of each file's header takes."""


def decode_threads(n: int) -> int:
    """Threads that decode ``n`` images.

    One per core this process computes on (:func:`clustering.device.cpu_threads`, a job
    worker's share of them in the app), at most 8, as Pillow's decoders and resizing let the
    other threads run; one for a handful of images.
    """
    return 1 if n < 16 else min(8, cpu_threads())


def _decode_all(blobs: Sequence[tuple[str, bytes]], indices: list[int], size: int,
                report: Callable[[float, str], None]) -> tuple[list, list[int], list]:
    """Decode ``blobs[i]`` for each of ``indices``, on :func:`decode_threads` threads.

    The images, their indices, and the (name, reason) of each that failed, in
    ``indices``' order whatever the threads.
    """
    decoded, kept, bad = [], [], []
    every = max(1, len(indices) // 50)
    with ThreadPoolExecutor(decode_threads(len(indices))) as pool:
        for done, (i, name, small, reason) in enumerate(
                pool.map(lambda i: _decode_one(i, blobs[i], size), indices), start=1):
            if small is None:
                bad.append((name, reason))
            else:
                decoded.append(small)
                kept.append(i)
            if done % every == 0 or done == len(indices):
                report(CHECKED_SHARE + (1 - CHECKED_SHARE) * done / len(indices),
                       f"reading images: {done:,} / {len(indices):,}")
    return decoded, kept, bad


def _decode_one(i: int, blob: tuple[str, bytes], size: int) -> tuple[int, str, object, str]:
    """One image reduced to ``size``, with its index and name (None and why, unreadable)."""
    Image, formats = _decoders()

    name, data = blob
    try:
        if is_dicom(data):
            small = _reduced(dicom_image(data, _most_pixels()), size)
            small.info["kind"] = "DICOM"
            return i, name, small, ""
        with Image.open(io.BytesIO(data), formats=formats) as img:
            # reduced as it is decoded: JPEG decodes at a fraction of its size (draft),
            # others are reduced right after loading
            if max(img.size) > KEEP_UP_TO:
                img.draft(img.mode if img.mode in ("L", "RGB") else None, (size, size))
            img.load()
            return i, name, _normalise_mode(_reduced(_upright(img), size)), ""
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:
        return i, name, None, _reason(exc, name)


def _declared_sizes(blobs: Sequence[tuple[str, bytes]],
                    report: Callable[[float, str], None] = lambda fraction, message: None
                    ) -> tuple[dict[int, tuple[int, int]], list, list[str], set[int], int]:
    """Width and height from each image's header.

    Also the unreadable images, DICOM files without one, the indices of the JPEGs, and the
    bytes of the images' files. Each file is opened (:func:`clustering.image_blobs.opened`),
    not read: a TIFF's or JPEG's header is read from a file on disk and its pixels are not.
    ``verify`` checks each file without decoding its pixels.
    """
    Image, formats = _decoders()

    sizes, bad, without, jpeg, stored = {}, [], [], set(), 0
    every = max(1, len(blobs) // 20)
    for i in range(len(blobs)):
        if i % every == 0:
            report(CHECKED_SHARE * i / len(blobs), f"checking images: {i:,} / {len(blobs):,}")
        name = blobs.names[i] if isinstance(blobs, LazyBlobs) else blobs[i][0]
        try:
            _, handle, size = opened(blobs, i)
            with handle:
                if is_dicom(handle.read(132)):
                    handle.seek(0)
                    sizes[i] = dicom_size(handle.read())
                else:
                    handle.seek(0)
                    with Image.open(handle, formats=formats) as img:
                        if img.format == "JPEG":
                            jpeg.add(i)
                        img.verify()
                        sizes[i] = img.size
            stored += size
        except NoImage:
            without.append(name)
        except (OSError, SyntaxError, ValueError, Image.DecompressionBombError,
                Image.DecompressionBombWarning) as exc:
            bad.append((name, _reason(exc, name)))
    return sizes, bad, without, jpeg, stored


@functools.cache
def _decoders() -> tuple[object, tuple[str, ...]]:
    """Pillow's ``Image`` and the :data:`ALLOWED_FORMATS` it can open.

    HEIF is registered from ``pi-heif``. Without it (an environment that kept an older
    install) HEIF is left out, and each HEIC file is named unreadable with the reason
    (:func:`_reason`).
    """
    from PIL import Image

    try:
        import pi_heif
    except ImportError:
        return Image, tuple(f for f in ALLOWED_FORMATS if f != "HEIF")
    pi_heif.register_heif_opener()
    return Image, ALLOWED_FORMATS


DICOMDIR = "DICOMDIR"
"""The index a DICOM export carries beside its images (no image itself), by its fixed name."""


def _most_pixels() -> int:
    """Pixels one image may have: where Pillow refuses an image as a decompression bomb."""
    from PIL import Image

    return 2 * Image.MAX_IMAGE_PIXELS


def is_image_file(name: str, head: bytes) -> bool:
    """Whether a file is read as an image: by its ending, or DICOM by its first 132 bytes.

    Examples
    --------
    >>> is_image_file("scan.PNG", b""), is_image_file("IM0001", bytes(128) + b"DICM")
    (True, True)
    >>> is_image_file("labels.csv", b"id,label"), is_image_file("DICOMDIR", bytes(128) + b"DICM")
    (False, False)
    """
    if Path(name).name.upper() == DICOMDIR:
        return False
    return Path(name).suffix.lower() in IMAGE_SUFFIXES or is_dicom(head)


def image_files(folder: Path) -> tuple[list[str], list[str]]:
    """A folder's files and those of them read as images, as paths relative to it.

    Both sorted as paths (not as strings: ``a/b`` before ``a-b``), the order the loader and
    the partitioned run's image chunks read a folder in. Links are not followed.
    """
    every = [p for p in sorted(folder.rglob("*")) if p.is_file() and not p.is_symlink()]
    images = [p for p in every if is_image_path(p)]
    return ([p.relative_to(folder).as_posix() for p in every],
            [p.relative_to(folder).as_posix() for p in images])


def is_image_member(archive, member) -> bool:
    """Whether a zip's member is read as an image (:func:`is_image_file`).

    Only a member without an image's ending is opened, for its first bytes: a table or notes
    beside the images are not read whole.
    """
    head = b""
    if Path(member.filename).suffix.lower() not in IMAGE_SUFFIXES:
        with archive.open(member) as handle:
            head = handle.read(132)
    return is_image_file(member.filename, head)


def is_image_path(path: Path) -> bool:
    """Whether a file on disk is read as an image (:func:`is_image_file`).

    Only a file without an image's ending is opened, for its first bytes.
    """
    head = b""
    if path.suffix.lower() not in IMAGE_SUFFIXES:
        try:
            with path.open("rb") as f:
                head = f.read(132)
        except OSError:
            return False
    return is_image_file(path.name, head)


def _reduced(img, size: int):
    """``img`` as it is when small, else brought to ``size`` x ``size``.

    That is what :func:`_stack` would do later; doing it now holds one full-size image at
    a time instead of all of them.
    """
    from PIL import Image

    if max(img.size) <= KEEP_UP_TO:
        return img
    if img.mode.startswith("I;16"):
        # Pillow's reduce() refuses 16-bit modes ("image has wrong mode"): every 16-bit TIFF
        # or PNG six times the side or more (a microscope's 1,024 px image) was unreadable
        img = img.convert("I")
    return img.resize((size, size), Image.Resampling.BILINEAR, reducing_gap=3.0)


ORIENTATION = 0x0112
"""The EXIF tag that says how a photo is turned (a phone stores the sensor's pixels and the
way to show them: 1 as stored, 2-8 mirrored and/or turned)."""


def _upright(img):
    """The image as viewers show it: turned and mirrored as its EXIF orientation says.

    A damaged tag leaves the image as stored.
    """
    from PIL import ImageOps

    try:
        if img.getexif().get(ORIENTATION, 1) in range(2, 9):
            return ImageOps.exif_transpose(img)
    except (OSError, ValueError, KeyError, TypeError, SyntaxError):
        pass
    return img


def _normalise_mode(img):
    """``L`` or ``RGB``; 16-bit and float grey images as ``F``, for :func:`_over_collection`."""
    if img.mode in ("L", "RGB"):
        return img.copy()
    if img.mode in ("I;16", "I;16B", "I", "F"):
        from PIL import Image

        deep = Image.fromarray(np.asarray(img, dtype=np.float32), "F")
        deep.info["kind"] = "float" if img.mode == "F" else "integer"
        return deep
    if img.mode in ("1", "P", "LA", "RGBA") and _is_gray(img):
        return img.convert("L")
    return img.convert("RGB")


def _is_gray(img) -> bool:
    rgb = np.asarray(img.convert("RGB"))
    return bool((rgb[..., 0] == rgb[..., 1]).all() and (rgb[..., 1] == rgb[..., 2]).all())


_DEEP_KINDS = {"integer": "16-bit image(s)", "float": "float image(s)",
               "DICOM": "DICOM image(s) without a display window,"}
"""How notes name each kind of image read to 8 bits over a range."""


def _over_collection(images: list, one_range: bool | tuple[float, float] | dict = True,
                     ranges_out: dict | None = None
                     ) -> tuple[list, list[str], tuple[float, float] | None]:
    """16-bit and float grey images (mode ``F``) brought to 8 bits over their common range.

    One range for each kind of them (whole-number, float, DICOM without a window), as an
    array of images is read (:func:`clustering.image_arrays.eight_bit_range`), so an image
    that is darker than the others stays darker: in microscopy and radiology brightness is
    often what differs. Without ``one_range``, each over its own range; given a range, all
    over that one; given ranges by kind, each kind over its own (a kind not given, each image
    by itself). The range too, when all the images share one; each kind's in
    ``ranges_out``.

    Examples
    --------
    >>> from PIL import Image
    >>> dim, bright = (Image.fromarray(np.array([[0, v]], np.float32), "F") for v in (100, 400))
    >>> [int(np.asarray(im).max()) for im in _over_collection([dim, bright])[0]]
    [64, 255]
    >>> [int(np.asarray(im).max()) for im in _over_collection([dim], (0.0, 400.0))[0]]
    [64]
    >>> [int(np.asarray(im).max()) for im in _over_collection([dim], {"float": (0, 400)})[0]]
    [64]
    >>> [int(np.asarray(im).max()) for im in _over_collection([dim], False)[0]]
    [255]
    """
    from PIL import Image

    from .image_arrays import to_eight_bits

    out, notes, span = list(images), [], None
    deep_ones = [k for k, im in enumerate(images) if im.mode == "F"]
    kinds = ("integer", "float", "DICOM")
    by_kind = {kind: [k for k in deep_ones if images[k].info.get("kind", "float") == kind]
               for kind in kinds}
    if isinstance(one_range, tuple):  # all over the range given
        groups = [(deep_ones, one_range)]
    elif isinstance(one_range, dict):  # each kind over the range given for it, else alone
        groups = []
        for kind, deep in by_kind.items():
            groups += [(deep, tuple(one_range[kind]))] if kind in one_range \
                else [([k], None) for k in deep]
            if deep and kind not in one_range:
                notes.append(f"{len(deep):,} {_DEEP_KINDS[kind]} each brought to 8 bits over "
                             "its own range: the images read before had none of that kind.")
    elif one_range:  # one range per kind, found here
        groups = [(deep, None) for deep in by_kind.values()]
    else:  # each over its own
        groups = [([k], None) for k in deep_ones]
    collection = one_range is True
    for deep, given in groups:
        if not deep:
            continue
        values = [np.asarray(images[k], dtype=np.float32) for k in deep]
        lo, hi = given or (float(min(v.min() for v in values)),
                           float(max(v.max() for v in values)))
        for k, v in zip(deep, values, strict=True):
            out[k] = Image.fromarray(to_eight_bits(v, lo, hi), "L")
        if not collection:
            continue
        kind = images[deep[0]].info.get("kind", "float")
        if ranges_out is not None:
            ranges_out[kind] = (lo, hi)
        span = (lo, hi) if len(deep) == len(images) else None
        notes.append(f"{len(deep):,} {_DEEP_KINDS[kind]} were brought to "
                     f"8 bits over their common range, {lo:g} to {hi:g}, so darker images "
                     "stay darker.")
    return out, notes, span


def _stack(images: list, size: int) -> np.ndarray:
    from PIL import Image

    gray = all(im.mode == "L" for im in images)
    shapes = {im.size for im in images}
    keep = len(shapes) == 1 and max(next(iter(shapes))) <= KEEP_UP_TO
    out = []
    for im in images:
        im = im if gray else im.convert("RGB")
        if not keep:
            im = im.resize((size, size), Image.Resampling.BILINEAR)
        out.append(np.asarray(im, dtype=np.uint8))
    return np.stack(out)


def _reason(exc: Exception, name: str = "") -> str:
    if isinstance(exc, FileNotFoundError):
        return "no longer there: moved or deleted since the files were listed"
    text = str(exc).split("\n")[0]
    if "decompression bomb" in text.lower() or "exceeds limit" in text.lower():
        return "too many pixels"
    if ("cannot identify" in text.lower() and Path(name).suffix.lower() in HEIF_SUFFIXES
            and "HEIF" not in _decoders()[1]):
        return "no HEIC decoder is installed: pip install pi-heif"
    if "cannot identify" in text.lower():
        return f"not a {FORMATS_READ} image"
    if "truncated" in text.lower():
        return "truncated"
    return text[:140] or type(exc).__name__
