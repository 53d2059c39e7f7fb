"""A folder or ``.zip`` of images as a :class:`~clustering.dataset.Dataset`.

Files that are not images are left out with a note; a folder or zip holding a table but no
image says to load the table file; the parent folder of each image is its ground truth when
there are several.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .dataset import Dataset
from .errors import InputError
from .folder_tables import FOLDER_LABEL, columns_beside, folder_labels, folder_table
from .gzip_tables import is_gzip_table
from .image_blobs import LazyBlobs, folder_blobs, zip_blobs
from .images import FORMATS_READ, decode_images, image_files, is_image_member
from .load_notes import skipped_files_note
from .safezip import checked_members
from .tables import TABLE_SUFFIXES
from .text_folders import unread_documents

__all__ = ["images_dataset", "load_image_folder"]


def load_image_folder(path: Path, drop_invalid: bool = False, size: int | None = None,
                      over: dict[str, tuple[float, float]] | None = None,
                      label_column: str | None = None,
                      progress: Callable[[float, str], None] | None = None) -> Dataset:
    """The images of a folder or ``.zip`` (checked before anything is extracted).

    Each file is read when decoding reaches it (:mod:`clustering.image_blobs`).

    Parameters
    ----------
    path : Path
        The folder or zip; sub-folders of two or more kinds name each image's ground truth.
    drop_invalid : bool
        Leave out files that cannot be decoded instead of refusing.
    size : int, optional
        Common side length (else chosen from the images' sizes and number).
    over : dict, optional
        The range each kind of 16-bit, float or DICOM image is read over (a run's).
    label_column : str, optional
        A column of a table beside the images that is their ground truth
        (:mod:`clustering.folder_tables`); else their sub-folders.
    progress : callable, optional
        ``progress(fraction, message)`` as the images are read.

    Raises
    ------
    InputError
        When it holds no image (saying so when it holds a table file instead).
    """
    if path.is_dir():
        every, names = image_files(path)
        _some_image(path, every, names)
        images, kept, notes, span, ranges = _decoded(path, folder_blobs(path, names),
                                                     size, drop_invalid, over, progress)
    else:
        listed = [m for m in checked_members(path) if not Path(m.filename).name.startswith(".")]
        every = [m.filename for m in listed]
        with zipfile.ZipFile(path) as zf:
            members = [m for m in listed if is_image_member(zf, m)]
        names = [m.filename for m in members]
        _some_image(path, every, names)
        with zip_blobs(path, members) as blobs:
            images, kept, notes, span, ranges = _decoded(path, blobs, size, drop_invalid, over,
                                                         progress)
    decoded = [names[i] for i in kept]
    labels, label_name = folder_labels(decoded), FOLDER_LABEL
    beside = folder_table(path, every, decoded, label_column)
    if beside.labels is not None:
        labels, label_name = beside.labels, label_column
    notes = [*notes, *beside.notes, *skipped_files_note(path.name, every,
                                                        [*names, beside.table])]
    return images_dataset(path, images, decoded, labels, label_name, beside.columns, notes,
                          span, ranges)


def _decoded(path: Path, blobs: LazyBlobs, size, drop_invalid, over, progress):
    """The images ``blobs`` of ``path`` decoded (:func:`clustering.images.decode_images`).

    The decoded images, their indices, notes, span, and each kind's range.
    """
    ranges: dict[str, tuple[float, float]] = {}
    images, kept, notes, span = decode_images(blobs, size=size, drop_invalid=drop_invalid,
                                              one_range=over or True, ranges_out=ranges,
                                              progress=progress)
    return images, kept, notes, span, ranges


def _some_image(path: Path, every: list[str], images: list[str]) -> None:
    """Refuse a folder or zip (all its files ``every``) without ``images``.

    The refusal says what it holds instead (a table, documents).
    """
    if images:
        return
    tables = [n for n in every if Path(n).suffix.lower() in TABLE_SUFFIXES
              or is_gzip_table(Path(n))]
    if tables:
        what = "zip" if path.suffix.lower() == ".zip" else "folder"
        raise InputError(
            f"'{path.name}' holds no {FORMATS_READ} image but {len(tables)} table file(s) "
            f"('{tables[0]}'); a {what} is read as images, so "
            + ("unzip it and load the table file itself." if what == "zip" else
               "load the table file itself."))
    documents = unread_documents(every)
    if documents:
        raise InputError(f"'{path.name}' holds no {FORMATS_READ} image and no text file but "
                         f"{len(documents):,} PDF/Word document(s) ('{documents[0]}'); "
                         "save each as a .txt file and load it again.")
    raise InputError(f"'{path.name}' holds no {FORMATS_READ} image; add images and retry.")


def images_dataset(path: Path, images: np.ndarray, names: list[str], labels, label_name: str,
                   meta: pd.DataFrame | None, notes: list[str], span, ranges: dict,
                   ids: list[str] | None = None) -> Dataset:
    """The Dataset of decoded images, files ``names`` of ``path``, with a table's columns.

    ``meta``: columns kept beside the images (a row per image) for colouring, search and
    export; ``labels``: the ground truth (None: none), named ``label_name``; ``ids``: the
    rows' names (else their files').
    """
    flat = images.reshape(len(images), -1) if images.ndim == 3 else None
    if flat is not None:
        h, w = images.shape[1:3]
        table = pd.DataFrame(flat, columns=[f"px_{r}_{c}" for r in range(h) for c in range(w)])
    else:
        table = pd.DataFrame({"file": names})
    features = None
    meta = columns_beside(meta, table.columns)
    if meta is not None and meta.shape[1]:  # first, where pages list a table's columns
        features, table = tuple(table.columns), pd.concat([meta, table], axis=1)
    ids = np.array(names if ids is None else ids, dtype=object)
    return Dataset(name=path.name, modality="images", ids=ids, table=table, labels=labels,
                   images=images, source=str(path), image_files=tuple(names),
                   notes=tuple(notes), label_name=label_name if labels is not None else None,
                   pixel_range=span, pixel_ranges=ranges or None, features=features)
