"""A table that lists image files (a data set's manifest, ``path,label``), read as the images.

Image data sets are often handed over as a folder of images and a table naming them, one row
per image (``train.csv``: ``image_path,label,patient``). Given the folder, the table beside
the images is read for their labels (:mod:`clustering.folder_tables`); given the table itself
(``clusterlab run --data train.csv``), the images its column names are read, in its row
order, and its other columns come along for colouring, search and export (the one named as
the label column is the ground truth). Only files inside the table's folder, or below it,
are read: a path leading out of it (``../``, an absolute path elsewhere) is not followed, so
an uploaded table cannot make the app read files of the server.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from .column_plan import names_files
from .dataset import Dataset
from .errors import DROP_INVALID, InputError
from .role_columns import row_ids

__all__ = ["image_column", "load_manifest"]


def _root(path: Path, images_root: str | Path | None) -> Path:
    """The folder a manifest's paths start from.

    ``images_root`` where the user named one (``--images-root``, the CLI only), else the
    table's own folder.
    """
    return Path(images_root).resolve() if images_root else path.parent.resolve()


def image_column(frame: pd.DataFrame, path: Path,
                 images_root: str | Path | None = None) -> str | None:
    """The column of ``frame`` naming image files found under the folder of ``path``.

    A text column whose values end like image files (:func:`clustering.column_plan.names_files`)
    and of which at least one is found there (under ``images_root`` where given); None when
    there is none (``InputError`` where ``images_root`` was given: it is for such a table).
    """
    root = _root(path, images_root)
    for column in frame.columns:
        series = frame[column]
        if series.dtype.kind in "biufcmM" or not names_files(series):
            continue
        if any(_found(value, root) is not None for value in series.dropna().head(200)):
            return column
    if images_root:
        raise InputError(f"No column of '{path.name}' names image files found under "
                         f"'{root}'; check --images-root, or leave it out.")
    return None


def load_manifest(path: Path, frame: pd.DataFrame, column: str, *, drop_invalid: bool,
                  size: int | None, over: dict | None, label_column: str | None,
                  id_column: str | None, images_root: str | Path | None = None,
                  progress: Callable[[float, str], None] | None = None) -> Dataset:
    """The images column ``column`` of the table ``frame`` (read from ``path``) names.

    Parameters
    ----------
    path : Path
        The table file; files are looked for under its folder.
    frame : DataFrame
        The table.
    column : str
        Its column of image paths (:func:`image_column`).
    drop_invalid : bool
        Leave out rows whose file is missing or cannot be decoded instead of refusing.
    size, over
        Common side length and pixel ranges (:func:`clustering.images.decode_images`).
    label_column, id_column : str, optional
        The table's ground truth and row names (else each image's path names it).
    images_root : str or Path, optional
        The folder its paths start from, where it is not the table's own (``--images-root``);
        files are then looked for under it, and only there.
    progress : callable, optional
        ``progress(fraction, message)`` as the images are read.

    Raises
    ------
    InputError
        A named column the table lacks, or files it names that are missing (without
        ``drop_invalid``).
    """
    from .image_blobs import folder_blobs
    from .image_folders import images_dataset
    from .images import decode_images

    for role, name in (("label column", label_column), ("id column", id_column)):
        if name is not None and name not in frame.columns:
            raise InputError(f"'{path.name}' has no column '{name}' (given as the {role}); "
                             f"its columns are {', '.join(map(repr, list(frame.columns)[:12]))}.")
    root = _root(path, images_root)
    where_read = f"'{root}'" if images_root else "its folder"
    rows = frame[frame[column].notna()].reset_index(drop=True)
    files = [_found(value, root) for value in rows[column]]
    missing = [str(v) for v, f in zip(rows[column], files, strict=True) if f is None]
    notes = []
    if missing:
        where = (f"{len(missing):,} of the {len(rows):,} files that column '{column}' of "
                 f"'{path.name}' names (such as '{missing[0]}') are not found in {where_read} "
                 "or below it (a path or link leading out of it is not followed)")
        if not drop_invalid:
            raise InputError(f"{where}; fix their paths (relative to {where_read}), name the "
                             "folder they start from (--images-root, the command line only), or "
                             f"leave those rows out ({DROP_INVALID}).")
        notes.append(f"Left out {where}.")
        rows = rows[[f is not None for f in files]].reset_index(drop=True)
        files = [f for f in files if f is not None]
    names = [file.relative_to(root).as_posix() for file in files]  # as the export reads them
    ranges: dict[str, tuple[float, float]] = {}
    images, kept, decoded, span = decode_images(
        folder_blobs(root, names), size=size, drop_invalid=drop_invalid,
        one_range=over or True, ranges_out=ranges, progress=progress)
    rows = rows.iloc[kept].reset_index(drop=True)
    ids = row_ids(rows, id_column, path.name) if id_column else \
        np.array([str(v).strip() for v in rows[column]], dtype=object)
    repeated = pd.Series(ids).duplicated(keep=False).to_numpy()
    if repeated.any():  # with an id column, row_ids has refused them
        shown = ", ".join(f"'{v}'" for v in sorted(set(ids[repeated]))[:3])
        raise InputError(f"'{path.name}' names the same file in several rows ({shown}); list "
                         "each image once, or name a column that tells the rows apart as the "
                         "id column (--id-column).")
    meta = rows.drop(columns=[column])
    others = [str(c) for c in meta.columns if c != label_column]
    said = (f"Read the {len(rows):,} images that column '{column}' of '{path.name}' names, in "
            f"its row order (paths relative to {where_read})")
    if others:
        said += (f"; its column{'s' if len(others) > 1 else ''} "
                 f"{', '.join(map(repr, others[:6]))}{' ...' if len(others) > 6 else ''} "
                 f"{'are' if len(others) > 1 else 'is'} kept for colouring, search and export")
    labels = None
    if label_column:
        labels = meta[label_column].astype(object).where(meta[label_column].notna(),
                                                         None).to_numpy()
        said += f"; the ground truth is its column '{label_column}'"
    elif others:
        said += "; name one as the label column (--label-column) to score the clusters"
    data = images_dataset(path, images, [names[i] for i in kept], labels, label_column or "",
                          meta, [f"{said}.", *decoded, *notes], span, ranges, ids=list(ids))
    return dataclasses.replace(data, files_root=str(root)) if images_root else data


def _found(value, root: Path) -> Path | None:
    """The file ``value`` names under ``root`` (relative to it, or absolute inside it)."""
    text = str(value).strip().replace("\\", "/")
    if not text:
        return None
    candidate = Path(text)
    try:
        target = (candidate if candidate.is_absolute() else root / candidate).resolve()
    except (OSError, RuntimeError):
        return None
    return target if target.is_relative_to(root) and target.is_file() else None

