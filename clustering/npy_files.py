"""``.npy`` files: a 2-D array of embeddings, or an array of images (never unpickled)."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd

from .dataset import Dataset
from .errors import InputError
from .finite_rows import finite_rows
from .image_arrays import image_array, looks_like_images

__all__ = ["load_npy"]


def load_npy(path: Path, kind: str, drop_invalid: bool, image_size: int | None) -> Dataset:
    """A ``.npy`` file (never unpickled): a 2-D array of embeddings, or images.

    Parameters
    ----------
    path : Path
    kind : str
        ``auto``, ``images`` (a 2-D array's rows may then be square images' pixels) or
        another kind, which refuses an array of images.
    drop_invalid : bool
        Leave out rows or images with NaN or infinite values instead of refusing.
    image_size : int, optional
        Side length of images larger than 64 px (without it, chosen from them).

    Returns
    -------
    Dataset
    """
    try:
        arr = np.load(path, allow_pickle=False, mmap_mode="r")
    except ValueError as exc:
        if "pickle" in str(exc).lower() or "python objects" in str(exc).lower():
            raise InputError(f"'{path.name}' holds Python objects (pickled data), which are "
                             "never loaded; save a plain 2-D float array with np.save.") from None
        raise InputError(f"'{path.name}' is not a valid .npy file ({exc}).") from None
    except OSError as exc:
        raise InputError(f"'{path.name}' could not be read as .npy ({exc}).") from None
    if arr.dtype.kind not in "fiub":
        raise InputError(f"'{path.name}' has dtype {arr.dtype}; embeddings and images must be "
                         "numbers (float or int). Save a numeric array.")
    side = math.isqrt(arr.shape[1]) if arr.ndim == 2 else 0
    if kind == "images" and arr.ndim == 2 and side > 1 and side * side == arr.shape[1]:
        arr = arr.reshape(len(arr), side, side)  # rows of a square image's pixels
    if looks_like_images(arr.shape):
        if kind not in ("auto", "images"):
            raise InputError(f"'{path.name}' has shape {arr.shape}, an array of images, which "
                             f"is read as images, not as {kind}; read it with kind 'images'.")
        return _npy_images(arr, path, drop_invalid, image_size)
    if arr.ndim != 2 or kind == "images":
        raise InputError(f"'{path.name}' has shape {arr.shape}; embeddings must be 2-D "
                         "(rows x dimensions) and images (n, h, w), (n, h, w, channels) or "
                         "(n, channels, h, w). Reshape it before saving.")
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InputError(f"'{path.name}' is empty (shape {arr.shape}); save at least one row "
                         "and one dimension.")
    emb = np.asarray(arr, dtype=np.float32)
    ids = np.array([str(i) for i in range(len(emb))], dtype=object)
    keep, notes = finite_rows(emb, path.name, [f"dim_{j}" for j in range(emb.shape[1])],
                              drop_invalid)
    emb, ids = emb[keep], ids[keep]
    table = pd.DataFrame(emb, columns=[f"dim_{j}" for j in range(emb.shape[1])])
    return Dataset(name=path.name, modality="embeddings", ids=ids, table=table, embeddings=emb,
                   source=str(path), notes=tuple(notes))


def _npy_images(arr: np.ndarray, path: Path, drop_invalid: bool, size: int | None
                ) -> Dataset:
    """The images of an array file (:mod:`clustering.image_arrays`)."""
    images, keep, notes, span = image_array(arr, path.name, drop_invalid, size)
    ids = np.array([str(i) for i in np.flatnonzero(keep)], dtype=object)
    if images.ndim == 3:
        h, w = images.shape[1:3]
        table = pd.DataFrame(images.reshape(len(images), -1),
                             columns=[f"px_{r}_{c}" for r in range(h) for c in range(w)])
    else:
        table = pd.DataFrame({"image": ids})
    return Dataset(name=path.name, modality="images", ids=ids, table=table, images=images,
                   source=str(path), notes=tuple(notes), pixel_range=span)
