"""The ``Dataset`` record every loader returns."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

__all__ = ["MODALITIES", "Dataset"]

MODALITIES = ("table", "images", "text", "embeddings", "series")


@dataclass(frozen=True, eq=False)
class Dataset:
    """A loaded collection, one row per item, in input order.

    Parameters
    ----------
    name : str
        Short name shown to users (file name or ``demo:NAME``).
    modality : {"table", "images", "text", "embeddings", "series"}
        What the rows are (``series``: numeric columns forming one ordered signal).
    ids : ndarray of str, shape (n,)
        Unique row ids (from ``--id-column`` or the row number).
    table : DataFrame, shape (n, p)
        The readable columns in original units: table columns, ``px_<row>_<col>`` for
        gray images, ``dim_<j>`` for embeddings, the other columns beside a text column.
    labels : ndarray, shape (n,), optional
        Ground-truth labels when a label column exists.
    texts : list of str, optional
        The text of each row (text modality).
    images : ndarray, shape (n, h, w) or (n, h, w, 3), optional
        Images resized to one common size, uint8.
    embeddings : ndarray, shape (n, d), optional
        Precomputed float embeddings.
    source : str
        Where the data came from (path or ``demo:NAME``).
    image_files : tuple of str, optional
        Original member names for images (folder or zip), for exports.
    files_root : str, optional
        The folder :attr:`image_files` are relative to where it is not the source's own (a
        table naming images read with ``images_root``).
    notes : tuple of str
        Plain sentences about what loading changed (dropped columns, rows).
    label_name : str, optional
        The ground-truth column's name.
    map_xy : ndarray of float32, shape (n, 2), optional
        A 2-D map the data brings along (``map_columns``); used instead of UMAP.
    features : tuple of str, optional
        The columns of ``table`` that are clustered on; the others are kept for colouring
        and export. None: every column.
    filled : dict of str to ndarray of int, optional
        Cells of :attr:`table` that were empty in the file and filled on request
        (``fill_missing``): column -> row positions. Exports leave them empty again.
    pixel_range : tuple of float, optional
        For images read from numbers (an array, a table of pixels, a folder of 16-bit
        images): the values that became 0 and 255 (``(0, 16)`` for scikit-learn's digits,
        ``(0, 255)`` for 8-bit pixels), so new images can be brought to 8 bits alike
        (:func:`clustering.features.featurize_like`).
    pixel_ranges : dict of str to (float, float), optional
        For a folder of images: the range each kind of 16-bit or float images (``integer``,
        ``float``, ``DICOM``) was brought to 8 bits over, also where 8-bit images or other
        kinds are beside them; a run in chunks reads every part over them, and ``predict``
        new images (:func:`clustering.images.decode_images`).
    """

    name: str
    modality: str
    ids: np.ndarray
    table: pd.DataFrame
    labels: np.ndarray | None = None
    texts: list[str] | None = None
    images: np.ndarray | None = None
    embeddings: np.ndarray | None = None
    source: str = ""
    image_files: tuple[str, ...] | None = None
    files_root: str | None = None
    notes: tuple[str, ...] = field(default_factory=tuple)
    label_name: str | None = None
    map_xy: np.ndarray | None = None
    features: tuple[str, ...] | None = None
    filled: dict[str, np.ndarray] | None = None
    pixel_range: tuple[float, float] | None = None
    pixel_ranges: dict[str, tuple[float, float]] | None = None

    def feature_table(self) -> pd.DataFrame:
        """The columns of :attr:`table` that are clustered on."""
        return self.table if self.features is None else self.table[list(self.features)]

    def __post_init__(self) -> None:
        """Check that the arrays agree in shape (``ValueError`` otherwise)."""
        n = len(self.ids)
        if self.modality not in MODALITIES:
            raise ValueError(f"modality must be one of {MODALITIES}, got {self.modality!r}")
        if len(self.table) != n:
            raise ValueError(f"table has {len(self.table)} rows but there are {n} ids")
        for name in ("labels", "texts", "images", "embeddings", "map_xy"):
            value = getattr(self, name)
            if value is not None and len(value) != n:
                raise ValueError(f"{name} has {len(value)} rows but there are {n} ids")

    @property
    def n(self) -> int:
        """Number of rows."""
        return len(self.ids)
