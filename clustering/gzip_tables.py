"""Gzip-compressed text tables (``data.csv.gz``, ``rows.jsonl.gz``), unpacked under limits.

Data portals and archives ship tables gzipped. The file is unpacked in a stream to a
private temporary folder, stopping as soon as it grows past the same caps that guard zips
(:class:`clustering.safezip.ZipLimits`: 2 GiB, or more than 200 times its packed size once
past 1 MiB), so a gzip bomb costs one read of its first bytes and no disk.
"""

from __future__ import annotations

import gzip
import shutil
import tempfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import pandas as pd

from .errors import InputError
from .safezip import ZipLimits

__all__ = ["GZIP_INNER_SUFFIXES", "is_gzip_table", "read_gzip_table", "unpacked_cap",
           "unpacked_gzip"]

GZIP_INNER_SUFFIXES = (".csv", ".tsv", ".txt", ".jsonl", ".ndjson", ".json")
"""Text tables read when gzipped (``.csv.gz`` and so on); binary formats compress
themselves (Parquet, Excel) and are not looked for inside a ``.gz``."""

CHUNK = 1024**2


def is_gzip_table(path: Path) -> bool:
    """Whether the name is a gzipped text table, such as ``data.csv.gz``.

    Examples
    --------
    >>> is_gzip_table(Path("cells.CSV.gz")), is_gzip_table(Path("model.pt.gz"))
    (True, False)
    """
    name = path.name.lower()
    return name.endswith(".gz") and Path(name[:-3]).suffix in GZIP_INNER_SUFFIXES


def read_gzip_table(path: Path, read: Callable[[Path], pd.DataFrame],
                    limits: ZipLimits = ZipLimits()) -> pd.DataFrame:
    """Unpack ``path`` under ``limits`` to a temporary file and read it with ``read``.

    Parameters
    ----------
    path : Path
        A gzipped text table (:func:`is_gzip_table`).
    read : callable
        Reads the unpacked file (named as the table inside, ``data.csv``), such as
        :func:`clustering.tables.read_table`.
    limits : ZipLimits
        ``max_total_bytes`` caps the unpacked size; ``max_ratio`` the growth once past
        ``ratio_floor_bytes``.

    Returns
    -------
    DataFrame

    Raises
    ------
    InputError
        When the file is not gzip data, is cut short, or unpacks past the limits.
    """
    with unpacked_gzip(path, limits) as inner:
        return read(inner)


def unpacked_cap(packed: int, limits: ZipLimits = ZipLimits()) -> int:
    """Most bytes that ``packed`` gzipped bytes may unpack to (past it: a gzip bomb).

    ``max_total_bytes``, and no more than ``max_ratio`` times their size once past
    ``ratio_floor_bytes``.
    """
    return int(min(limits.max_total_bytes,
                   max(limits.ratio_floor_bytes, limits.max_ratio * max(packed, 1))))


@contextmanager
def unpacked_gzip(path: Path, limits: ZipLimits = ZipLimits()) -> Iterator[Path]:
    """``path`` unpacked under ``limits`` to a temporary file, removed on leaving.

    The file is named as the table inside (``data.csv`` for ``data.csv.gz``) and carries
    the packed file's modification time.

    Raises
    ------
    InputError
        When the file is not gzip data, is cut short, or unpacks past the limits.
    """
    cap = unpacked_cap(path.stat().st_size, limits)
    with tempfile.TemporaryDirectory(prefix="clusterlab-gz-") as folder:
        inner = Path(folder) / path.name[:-3]
        written = 0
        try:
            with gzip.open(path, "rb") as source, inner.open("wb") as target:
                while chunk := source.read(CHUNK):
                    written += len(chunk)
                    if written > cap:
                        raise InputError(
                            f"'{path.name}' unpacks to more than {cap / 1024**2:,.0f} MiB "
                            f"(over {limits.max_ratio:.0f} times its packed size, or over "
                            f"{limits.max_total_bytes / 1024**3:.0f} GiB), so it is not read; "
                            "unpack it yourself if it is a genuine table.")
                    target.write(chunk)
        except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
            raise InputError(f"'{path.name}' is not a readable gzip file ({exc}); download it "
                             "again or unpack it yourself.") from None
        shutil.copystat(path, inner)
        yield inner
