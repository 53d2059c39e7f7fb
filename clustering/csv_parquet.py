"""A large CSV rewritten as Parquet, a block at a time, so a partitioned run can read it.

A partitioned run (``--sample``, ``--engine dask``) plans its chunks from Parquet row groups;
a CSV has no such index. :func:`csv_as_parquet` reads the CSV as the local loader would lay
it out (delimiter, lines above the header, no header line, encoding:
:mod:`clustering.csv_layout`), 100,000 rows at a time, and writes one row group per block.
Column types come from the first block: a column of numbers there (also numbers as
spreadsheets write them, ``5,1`` or ``12%``, and missing-value marks such as ``?``) is
stored as numbers (a later cell that is not one becomes empty, as a gap), every other column
as text, so each chunk is read alike. The Parquet file is kept in the store, keyed by the
CSV's path, size and modification time, and reused while the CSV is unchanged.
"""

from __future__ import annotations

import hashlib
import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .csv_layout import first_line_is_data, lines_above_header, sniff_delimiter
from .errors import InputError
from .number_styles import NumberStyle
from .progress import ProgressFn, no_progress
from .tables import read_numbers

__all__ = ["BLOCK_ROWS", "CSV_SUFFIXES", "csv_as_parquet", "is_csv_source"]

log = logging.getLogger(__name__)

CSV_SUFFIXES = (".csv", ".tsv")
BLOCK_ROWS = 100_000


def is_csv_source(source: str) -> bool:
    """Whether a run's input is one CSV file (read in chunks once rewritten as Parquet)."""
    return Path(source).suffix.lower() in CSV_SUFFIXES and Path(source).is_file()


def csv_as_parquet(path: Path, folder: Path, block_rows: int = BLOCK_ROWS,
                   progress: ProgressFn = no_progress) -> Path:
    """The CSV at ``path`` as a Parquet file in ``folder`` (written once, then reused).

    Parameters
    ----------
    path : Path
        The CSV (``.csv`` or ``.tsv``).
    folder : Path
        Where converted files are kept.
    block_rows : int
        Rows read at a time, and per row group (the chunks are whole row groups: give at
        most the chunk size).
    progress : callable
        ``progress(fraction, message)``, by bytes read.

    Returns
    -------
    Path
        The Parquet file.

    Raises
    ------
    InputError
        Empty, unreadable, or rows of another number of cells than the header's.

    Examples
    --------
    >>> import tempfile
    >>> tmp = Path(tempfile.mkdtemp())
    >>> _ = (tmp / "a.csv").write_text(chr(10).join(["x;y;name", "1,5;2;a", "3;4;b", ""]))
    >>> pd.read_parquet(csv_as_parquet(tmp / "a.csv", tmp / "conv")).to_dict("list")
    {'x': [1.5, 3.0], 'y': [2.0, 4.0], 'name': ['a', 'b']}
    """
    stat = path.stat()
    if stat.st_size == 0:
        raise InputError(f"'{path.name}' is empty (0 bytes); choose a file that has data.")
    tag = hashlib.sha256(
        f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{block_rows}".encode())
    out = folder / f"{path.stem}-{tag.hexdigest()[:16]}.parquet"
    if out.exists():
        return out
    folder.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(f".{os.getpid()}.partial")
    try:
        _convert(path, partial, block_rows, stat.st_size, progress)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    log.info("rewrote %s as Parquet: %s", path.name, out)
    return out


def _encoding(path: Path) -> str:
    """UTF-8 when the first megabyte decodes as it, else Windows-1252 (Excel's CSV)."""
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not a character cut at the megabyte's end
            return "cp1252"
    return "utf-8-sig"


def _convert(path: Path, out: Path, block_rows: int, size: int, progress: ProgressFn) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    encoding = _encoding(path)
    with open(path, encoding=encoding, errors="replace") as handle:
        sample = handle.read(65536)
    sep = sniff_delimiter(sample)
    skip, _ = lines_above_header(sample, sep)
    no_header = first_line_is_data(sample, sep, skip)
    writer, numeric, names, rows = None, {}, None, 0
    try:
        with open(path, "rb") as raw:
            blocks = pd.read_csv(raw, sep=sep, encoding=encoding, skiprows=skip,
                                 header=None if no_header else "infer", index_col=False,
                                 chunksize=block_rows, low_memory=False)
            for block in blocks:
                if names is None:
                    names = [f"column_{i + 1}" for i in range(block.shape[1])] if no_header \
                        else [str(c) for c in block.columns]
                    block.columns = names
                    numeric = _number_columns(block)
                block.columns = names
                table = pa.Table.from_pandas(_typed(block, numeric), preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(out, table.schema)
                writer.write_table(table.cast(writer.schema), row_group_size=block_rows)
                rows += len(block)
                progress(min(raw.tell() / size, 1.0), f"rewriting {path.name} as Parquet: "
                         f"{rows:,} rows")
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"'{path.name}' could not be read as a table ({first}); check that "
                         "it is a valid CSV.") from None
    finally:
        if writer is not None:
            writer.close()
    if not rows:
        raise InputError(f"'{path.name}' has a header but no rows; add data rows and retry.")


def _number_columns(block: pd.DataFrame) -> dict[str, NumberStyle | None]:
    """The columns of numbers in the first block, and how they are written.

    Read as the local loader reads them (:func:`clustering.tables.plan_columns`): plain
    numbers, or numbers as spreadsheets show them (``5,1``, ``12%``), missing-value marks
    (``?``) aside. The chunks of a partitioned run are read without that step, so the
    Parquet file holds them as numbers.
    """
    out = {}
    for name in block.columns:
        values = block[name]
        if values.dtype.kind in "biuf":
            out[name] = None
            continue
        parsed, present, _, style = read_numbers(values)
        if present.any() and not (present & parsed.isna()).any():
            out[name] = style
    return out


def _typed(block: pd.DataFrame, numeric: dict[str, NumberStyle | None]) -> pd.DataFrame:
    """The first block's column types: numbers as float64 (others empty), the rest text."""
    out = {}
    for name in block.columns:
        values = block[name]
        if name in numeric:
            style = numeric[name]
            parsed = style.parse(values.where(values.notna(), "")) if style else \
                pd.to_numeric(values, errors="coerce")
            out[name] = parsed.astype(np.float64)
        else:
            out[name] = values.astype(object).where(values.notna(), None).map(
                lambda v: v if v is None else str(v))
    return pd.DataFrame(out)
