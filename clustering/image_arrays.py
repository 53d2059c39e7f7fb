"""Images saved as one NumPy array (``.npy``): (n, h, w), (n, h, w, c) or (n, c, h, w).

How MNIST-like collections are often kept; read as the images of a folder would be: grey or
RGB, 8-bit, brought to one size when larger than :data:`clustering.images.KEEP_UP_TO`.
"""

from __future__ import annotations

import math
import re

import numpy as np
import pandas as pd

from .errors import DROP_INVALID, InputError
from .images import KEEP_UP_TO, MAX_TOTAL_PIXELS, SIDES, image_side
from .tables import rows_text

__all__ = ["FULL_SCALE", "eight_bit_range", "image_array", "looks_like_images", "looks_like_pixels",
           "pixel_columns", "pixel_table_images", "to_eight_bits"]

CHANNELS = (1, 3, 4)
"""Channel counts read: grey, RGB, RGBA (alpha dropped)."""


EIGHT_BIT_FROM = 128
"""Pixels of 0 up to between this and 255 are read as 8-bit; other ranges (scikit-learn's
digits run 0..16) are stretched to 0..255."""
FULL_SCALE = ((0.0, 1.0), (0.0, 255.0))
"""Ranges read as they are (floats of 0..1, 8-bit values), not stretched."""
OTHER_COLUMNS = 3
"""Columns not named like pixels that may stand beside them (an id, a label, a file name)
for the table to be read as images by itself."""
PIXEL_NAME = re.compile(r"^(pixel|pix|px)[ _-]?\d+(?:[ _-]\d+)?$", re.IGNORECASE)
"""Column names of a table of pixels (``pixel0``, ``px_3_4``)."""


def looks_like_images(shape: tuple[int, ...]) -> bool:
    """Whether an array of ``shape`` holds images (3-D, or 4-D with a channel axis).

    Examples
    --------
    >>> looks_like_images((100, 28, 28)), looks_like_images((100, 32, 32, 3))
    (True, True)
    >>> looks_like_images((100, 3, 32, 32)), looks_like_images((100, 784))
    (True, False)
    """
    return len(shape) == 3 or (len(shape) == 4 and (shape[-1] in CHANNELS
                                                    or shape[1] in CHANNELS))


def _channels_last(arr: np.ndarray, name: str) -> np.ndarray:
    if arr.ndim == 4 and arr.shape[-1] not in CHANNELS:
        arr = np.moveaxis(arr, 1, -1)
    if arr.ndim == 4:
        arr = arr[..., 0] if arr.shape[-1] == 1 else arr[..., :3]
    if min(arr.shape[1:3]) < 2:
        raise InputError(f"'{name}' holds images of {arr.shape[1]} x {arr.shape[2]} pixels; "
                         "each image needs at least 2 x 2.")
    return arr


def eight_bit_range(arr: np.ndarray) -> tuple[float, float]:
    """The values that become 0 and 255: 0..1 floats, 0..255 kept, any other range stretched.

    Examples
    --------
    >>> eight_bit_range(np.array([0.2, 0.9])), eight_bit_range(np.array([0, 16]))
    ((0.0, 1.0), (0.0, 16.0))
    >>> eight_bit_range(np.array([3, 200], dtype=np.int64))
    (0.0, 255.0)
    """
    if arr.dtype == np.uint8:
        return 0.0, 255.0
    if arr.dtype == np.bool_:
        return 0.0, 1.0
    lo, hi = float(np.min(arr)), float(np.max(arr))
    if lo >= 0 and hi <= 1 and arr.dtype.kind == "f":
        return 0.0, 1.0
    if lo >= 0 and EIGHT_BIT_FROM <= hi <= 255:
        return 0.0, 255.0
    return lo, hi


def to_eight_bits(values: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """``values`` with ``lo`` at 0 and ``hi`` at 255, as uint8 (outside clipped)."""
    values = np.asarray(values, dtype=np.float32)
    scaled = (values - lo) * (255.0 / (hi - lo)) if hi > lo else np.zeros_like(values)
    return np.clip(np.rint(scaled), 0, 255).astype(np.uint8)


def _eight_bit(arr: np.ndarray, name: str
               ) -> tuple[np.ndarray, list[str], tuple[float, float]]:
    """Pixels as uint8 (:func:`eight_bit_range`), notes, and the range read."""
    lo, hi = eight_bit_range(arr)
    if arr.dtype == np.uint8:
        return np.asarray(arr), [], (lo, hi)
    notes = [] if (lo, hi) in FULL_SCALE else [
        f"The pixels of '{name}' run from {lo:g} to {hi:g}, so they were stretched to 0..255."]
    return to_eight_bits(arr, lo, hi), notes, (lo, hi)


LARGER_SIDE = SIDES[0]
"""The side a note on reduced images suggests: the largest automatic side, what the
pretrained encoder reads (:data:`clustering.deep.pretrained.SIZE`)."""


def _resized(images: np.ndarray, size: int | None, name: str) -> tuple[np.ndarray, list[str]]:
    if max(images.shape[1:3]) <= KEEP_UP_TO:
        return images, []
    from PIL import Image

    automatic = size is None
    size = image_side([max(images.shape[1:3])] * len(images), size)
    out = np.stack([np.asarray(Image.fromarray(im).resize((size, size),
                                                          Image.Resampling.BILINEAR))
                    for im in images])
    return out, [reduced_note(f"The {images.shape[1]} x {images.shape[2]} images of '{name}'",
                              max(images.shape[1:3]), size, automatic)]


def reduced_note(what: str, largest: int, size: int, automatic: bool = False) -> str:
    """The note that images were reduced to ``size``, and how to keep more where they lose most.

    ``what`` names the images, ``largest`` is their longest side in pixels; ``automatic``:
    the side was chosen from them (:func:`clustering.images.image_side`).

    Examples
    --------
    >>> reduced_note("The 40 x 40 images", 40, 32)
    'The 40 x 40 images were reduced to 32 x 32 pixels.'
    >>> "--image-size 96" in reduced_note("The images", 128, 32)
    True
    """
    note = f"{what} were reduced to {size} x {size} pixels" + (
        " (the side chosen from their size and number; --image-size, or the Data page's "
        "slider, sets it)" if automatic else "")
    if largest <= 2 * size or size >= LARGER_SIDE:
        return note + "."
    return (note + "; if what tells them apart is small in the picture, a larger image size "
            f"keeps it (--image-size {LARGER_SIDE}, or the Data page's slider; it takes "
            "longer).")


def image_array(arr: np.ndarray, name: str, drop_invalid: bool, size: int | None = None
                ) -> tuple[np.ndarray, np.ndarray, list[str], tuple[float, float]]:
    """The images of a loaded array as uint8 (n, h, w) or (n, h, w, 3).

    Parameters
    ----------
    arr : ndarray
        (n, h, w), (n, h, w, c) or (n, c, h, w), c being 1, 3 or 4; numbers.
    name : str
        The file's name, for messages.
    drop_invalid : bool
        Leave out images with NaN or infinite pixels instead of refusing the file.
    size : int, optional
        Side length images larger than :data:`clustering.images.KEEP_UP_TO` are brought to
        (without it, :func:`clustering.images.image_side` chooses).

    Returns
    -------
    images : ndarray of uint8
    keep : ndarray of bool, shape (n,)
        The images kept, of the array's.
    notes : list of str
    pixel_range : (float, float)
        The values that became 0 and 255 (:func:`eight_bit_range`).

    Examples
    --------
    >>> images, keep, notes, span = image_array(np.random.rand(5, 3, 8, 8), "a.npy", False)
    >>> images.shape, images.dtype, bool(keep.all()), notes, span
    ((5, 8, 8, 3), dtype('uint8'), True, [], (0.0, 1.0))
    """
    if len(arr) == 0:
        raise InputError(f"'{name}' holds no image (shape {arr.shape}); save at least one.")
    if int(np.prod(arr.shape[:3], dtype=np.int64)) > MAX_TOTAL_PIXELS:
        raise InputError(f"'{name}' holds more than {MAX_TOTAL_PIXELS / 1e6:,.0f} million "
                         "pixels; resize the images first (e.g. to 64 px on the long side).")
    arr = _channels_last(arr, name)
    keep, notes = np.ones(len(arr), dtype=bool), []
    if arr.dtype.kind == "f":
        keep = np.isfinite(np.asarray(arr, dtype=np.float32).reshape(len(arr), -1)).all(axis=1)
        if not keep.all():
            what = (f"{int((~keep).sum()):,} image(s) of '{name}' (image(s) "
                    f"{rows_text(np.flatnonzero(~keep))})")
            if not keep.any():
                raise InputError(f"Every image of '{name}' has NaN or infinite pixels; save "
                                 "finite pixel values.")
            if not drop_invalid:
                raise InputError(f"{what[0].upper()}{what[1:]} have NaN or infinite pixels; fix "
                                 f"them or leave them out ({DROP_INVALID}).")
            arr, notes = arr[keep], [f"Left out {what}, which had NaN or infinite pixels."]
    images, scaled, span = _eight_bit(arr, name)
    images, reduced = _resized(images, size, name)
    return images, keep, notes + scaled + reduced, span


def looks_like_pixels(features: pd.DataFrame) -> bool:
    """Whether a table's columns are the pixels of square grey images, by their names.

    Every column named like ``pixel12`` or ``px_3_4``, a square number of them (64 or more).

    Examples
    --------
    >>> looks_like_pixels(pd.DataFrame(columns=[f"pixel{i}" for i in range(64)]))
    True
    >>> looks_like_pixels(pd.DataFrame(columns=[f"t{i}" for i in range(64)]))
    False
    """
    d = features.shape[1]
    return d >= 64 and math.isqrt(d) ** 2 == d and all(
        PIXEL_NAME.match(str(c)) for c in features.columns)


def pixel_columns(features: pd.DataFrame) -> list[str]:
    """The columns named like pixels, when they are those of square images.

    At most :data:`OTHER_COLUMNS` others may stand beside them (an id, a label); else [].
    """
    named = [c for c in features.columns if PIXEL_NAME.match(str(c))]
    fits = named and features.shape[1] - len(named) <= OTHER_COLUMNS
    return named if fits and looks_like_pixels(features[named]) else []


def pixel_table_images(features: pd.DataFrame, name: str, drop_invalid: bool,
                       size: int | None = None
                       ) -> tuple[np.ndarray, np.ndarray, list[str], tuple[float, float]]:
    """The images of a table whose columns are the pixels of square grey images, row by row.

    Parameters
    ----------
    features : DataFrame
        One image per row, its pixels in reading order (784 columns: 28 x 28), nothing else.
    name, drop_invalid, size
        As for :func:`image_array`.

    Returns
    -------
    images, keep, notes, pixel_range
        As :func:`image_array`.
    """
    text = [c for c in features.columns if features[c].dtype.kind not in "biuf"]
    if text:
        shown = ", ".join(f"'{c}'" for c in text[:6])
        raise InputError(f"'{name}' is read as images, but column(s) {shown} are not numbers "
                         "(pixels); name them as the label or id column, or ignore them.")
    d = features.shape[1]
    side = math.isqrt(d)
    if side < 2 or side * side != d:
        raise InputError(f"'{name}' is read as images, but its {d:,} pixel column(s) are not "
                         "the pixels of square grey images (784 are 28 x 28); leave out the "
                         "columns that are not pixels (ignore_columns, --ignore-columns).")
    values = features.to_numpy(dtype=np.float32).reshape(len(features), side, side)
    return image_array(values, name, drop_invalid, size)
