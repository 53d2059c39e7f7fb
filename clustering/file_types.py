"""File types clusterlab does not read, each refused in one sentence saying what to load.

Asked by :func:`clustering.loaders.load_data` once a path is neither a folder, a zip nor a
``.npy``.
"""

from __future__ import annotations

from pathlib import Path

from .errors import InputError
from .gzip_tables import is_gzip_table
from .images import FORMATS_READ, is_image_path
from .tables import TABLE_SUFFIXES

__all__ = ["refuse_unread_type"]


def refuse_unread_type(path: Path) -> None:
    """Refuse ``path`` unless it is a table clusterlab reads.

    Pickled files are never opened; an old ``.xls``, a single image and any other type not
    read are each named with what to load instead.

    Raises
    ------
    InputError
        For every type but a table (CSV, Excel, Parquet, JSON Lines, also gzipped).
    """
    suffix = path.suffix.lower()
    if suffix in (".npz", ".pkl", ".pickle", ".pt", ".pth", ".joblib"):
        raise InputError(f"'{path.name}' is a {suffix} file, which can carry executable "
                         "pickled code and is never opened; save embeddings as a 2-D float "
                         ".npy or a CSV/Parquet table.")
    if suffix == ".xls":
        raise InputError(f"'{path.name}' is in the old Excel 97-2003 format (.xls), which "
                         "clusterlab does not read; save it as .xlsx or CSV.")
    if suffix not in TABLE_SUFFIXES and is_image_path(path):
        raise InputError(f"'{path.name}' is one image; give the folder or .zip that holds the "
                         "images to cluster.")
    if suffix not in TABLE_SUFFIXES and not is_gzip_table(path):
        raise InputError(f"'{path.name}' has a type clusterlab does not read ({suffix or 'none'})"
                         "; use CSV, Excel (.xlsx), Parquet, JSON Lines (also gzipped, "
                         ".csv.gz), .npy, single-cell .h5ad or .h5, a 10x count matrix "
                         "(matrix.mtx with its barcodes and features), or a folder or .zip of "
                         f"{FORMATS_READ} images.")
