"""A large CSV, JSON Lines or text file rewritten as Parquet a block at a time, for chunked runs.

A ``.txt`` file of one text per line becomes one column of texts, as the local loader reads
it (blank lines left out; a first line of one word names the column).

The blocks are read by :mod:`clustering.file_blocks`. JSON Lines are laid out as the local
loader lays them out (nested fields dotted, lists of numbers spread over columns,
:mod:`clustering.json_tables`); a field that first appears
after the first block is added and the file rewritten once more, and so is one whose lists
are not of one length in every block (kept as text then, as the local loader keeps it).
What follows says CSV for both.

A partitioned run (``--sample``, ``--engine dask``) plans its chunks from Parquet row groups;
a CSV has no such index. :func:`csv_as_parquet` reads the CSV as the local loader would lay
it out (delimiter, lines above the header, no header line, encoding:
:mod:`clustering.csv_layout`), 100,000 rows at a time, and writes one row group per block.
Column types are the whole file's, as the local loader decides them
(:func:`clustering.column_plan.plan_columns`): a column of numbers in the first block (also
numbers as spreadsheets write them, ``5,1`` or ``12%``, and missing-value marks such as
``?``; also a column still empty there) is stored as numbers unless a later block holds
cells that are not: a few (at most one in ten of its values) are an error naming them, more
make it a column of text and the file is rewritten once more with it so. Every chunk is
read alike. A gzipped CSV (``.csv.gz``) is unpacked under the limits that guard every
gzipped table first. The Parquet file is kept in the store, keyed by the CSV's path, size
and modification time, and reused while the CSV is unchanged; an older rewrite of the same
CSV is removed, and so are those of CSVs no longer there (and, with its project, those of
an uploaded CSV: :func:`remove_rewrites`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from pathlib import Path

import numpy as np
import pandas as pd

from .column_plan import not_numbers_error, read_numbers, read_settled
from .errors import InputError
from .file_blocks import BLOCKS, CSV, JSONL, JSONL_SUFFIXES, TEXT_LINES, kind_of
from .gzip_tables import is_gzip_table, unpacked_gzip
from .number_styles import NumberStyle
from .progress import ProgressFn, no_progress

__all__ = ["BLOCK_ROWS", "CSV_SUFFIXES", "JSONL_SUFFIXES", "csv_as_parquet", "is_csv_source",
           "remove_rewrites"]

log = logging.getLogger(__name__)

CSV_SUFFIXES = (".csv", ".tsv", ".txt")
"""Delimited tables; a ``.txt`` file of one text per line is read as one column of texts
(:func:`clustering.csv_layout.one_text_per_line`, as the local loader reads it)."""
BLOCK_ROWS = 100_000
REWRITE_FORMAT = 4
"""How a file is laid out in its rewrite; part of the rewrite's key, so that a rewrite made
by code that laid files out otherwise is made anew (and the older one removed). 2: the
whole file's column types (stop 57) and JSON Lines vectors alike in every block. 3 (stop
68): a CSV's columns of lists of numbers written as text are spread
(:func:`clustering.json_tables.vectors_from_text`), UTF-16 files are read as such, and
numbers with a unit are numbers. 4 (stop 69): rows that repeat the header (files joined
one after another) are left out (:func:`clustering.csv_layout.without_repeated_headers`),
and a row naming groups of columns above the header is skipped."""
SOURCE_KEY = b"clusterlab.csv_source"
"""Parquet metadata of a rewrite: the CSV's path and the block size (an older rewrite of the
same CSV and block size is stale)."""


def is_csv_source(source: str) -> bool:
    """Whether a run's input is one CSV or JSON Lines file, maybe gzipped (rewritten)."""
    path = Path(source)
    inner = Path(path.name[:-3]) if is_gzip_table(path) else path
    return inner.suffix.lower() in CSV_SUFFIXES + JSONL_SUFFIXES and path.is_file()


def csv_as_parquet(path: Path, folder: Path, block_rows: int = BLOCK_ROWS,
                   progress: ProgressFn = no_progress) -> Path:
    """The CSV at ``path`` as a Parquet file in ``folder`` (written once, then reused).

    Parameters
    ----------
    path : Path
        The CSV (``.csv``, ``.tsv``, a delimited ``.txt``), text file of one text per line
        (``.txt``) or JSON Lines file (``.jsonl``, ``.ndjson``), maybe
        gzipped (``.csv.gz``).
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
        f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}|{block_rows}|{REWRITE_FORMAT}"
        .encode())
    stem = _stem(path)
    stamp = json.dumps({"csv": str(path.resolve()), "block_rows": block_rows}).encode()
    out = folder / f"{stem}-{tag.hexdigest()[:16]}.parquet"
    if out.exists():
        return out
    folder.mkdir(parents=True, exist_ok=True)
    partial = out.with_suffix(f".{os.getpid()}.partial")
    try:
        if is_gzip_table(path):
            with unpacked_gzip(path) as inner:
                _rewrite(inner, partial, block_rows, progress, path.name, stamp)
        else:
            _rewrite(path, partial, block_rows, progress, path.name, stamp)
        partial.replace(out)
    finally:
        partial.unlink(missing_ok=True)
    for older in folder.glob("*.parquet"):  # this CSV's older rewrite, those of CSVs gone
        if older != out and (_stamp_of(older) == stamp or not _source_exists(older)):
            older.unlink(missing_ok=True)
    log.info("rewrote %s as Parquet: %s", path.name, out)
    return out


def remove_rewrites(folder: Path, source: Path) -> int:
    """Delete the rewrites of ``source`` kept in ``folder`` (its project is deleted).

    Returns
    -------
    int
        How many were deleted.
    """
    gone = 0
    for parquet in folder.glob("*.parquet") if folder.is_dir() else ():
        if _source_of(parquet) == str(source.resolve()):
            parquet.unlink(missing_ok=True)
            gone += 1
    return gone


def _source_exists(parquet: Path) -> bool:
    """Whether the file a rewrite was made from is still there (True when unknown)."""
    source = _source_of(parquet)
    return source is None or Path(source).exists()


def _source_of(parquet: Path) -> str | None:
    """The path of the file a rewrite was made from, or None when it does not say."""
    try:
        return json.loads(_stamp_of(parquet) or b"{}").get("csv")
    except (ValueError, AttributeError):
        return None


def _stem(path: Path) -> str:
    """``cells`` for ``cells.csv`` and ``cells.csv.gz``."""
    return Path(path.name[:-3]).stem if is_gzip_table(path) else path.stem


def _stamp_of(parquet: Path) -> bytes | None:
    """The CSV and block size a rewrite was made from (:data:`SOURCE_KEY`), or None."""
    import pyarrow.parquet as pq

    try:
        return (pq.read_schema(parquet).metadata or {}).get(SOURCE_KEY)
    except (OSError, ValueError):
        return None


def _rewrite(path: Path, out: Path, block_rows: int, progress: ProgressFn, name: str,
             stamp: bytes) -> None:
    """Rewrite until the column types hold for the whole file.

    Once more when a number column turns out to hold text, or a JSON Lines file brings a
    field after its first block (one more pass for all found in one pass).
    """
    seen = _Columns()
    while _convert(path, out, block_rows, progress, name, seen, stamp):
        progress(0.0, f"rewriting {name} again with what the first pass found in its "
                 "later rows")


def _convert(path: Path, out: Path, block_rows: int, progress: ProgressFn, name: str,
             seen: _Columns, stamp: bytes) -> bool:
    """Write ``path`` to ``out`` with the columns ``seen`` knows; whether it must be redone.

    Redone when a number column turned out to hold text, or a later block of JSON Lines
    brought a field the first did not have, or a field spread as a vector in one block but
    not alike in another (``seen`` learns all three).

    Raises
    ------
    InputError
        Unreadable, no rows, or a column of numbers with a few cells that are not numbers
        (:func:`clustering.column_plan.not_numbers_error`, as the local loader says it).
    """
    import pyarrow as pa
    import pyarrow.parquet as pq

    size = max(path.stat().st_size, 1)
    writer, names, rows, tally, new = None, None, 0, None, []
    vectors: dict[str, int] | None = None  # JSON Lines: the first block's, field -> width
    unlike: set[str] = set()
    kind = kind_of(path)
    try:
        with open(path, "rb") as raw:
            for block in BLOCKS[kind](path, raw, block_rows, seen.whole):
                here = block.attrs.get("vectors", {})
                vectors = here if vectors is None else vectors
                unlike |= {f for f in {*vectors, *here} if vectors.get(f) != here.get(f)}
                if names is None:
                    names = list(dict.fromkeys([*block.columns, *seen.extra]))
                    block = block.reindex(columns=names)
                    tally = _NumberTally(_number_columns(block, seen.text))
                    writer = pq.ParquetWriter(out, pa.schema(
                        [(c, pa.float64() if c in tally.styles else pa.string()) for c in names],
                        metadata={SOURCE_KEY: stamp}))
                new += [c for c in block.columns if c not in names and c not in new]
                block = block.reindex(columns=names)
                writer.write_table(pa.Table.from_pandas(tally.typed(block, rows),
                                                        schema=writer.schema,
                                                        preserve_index=False),
                                   row_group_size=block_rows)
                rows += len(block)
                progress(min(raw.tell() / size, 1.0), f"rewriting {name} as Parquet: "
                         f"{rows:,} rows")
    except InputError:
        raise
    except (pd.errors.ParserError, ValueError, UnicodeDecodeError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"'{name}' could not be read as a table ({first}); check that "
                         f"it is a valid {kind}.") from None
    finally:
        if writer is not None:
            writer.close()
    if not rows:
        raise InputError(f"'{name}' " + {
            JSONL: "holds no rows; it needs one JSON object per line.",
            TEXT_LINES: "has no lines of text; choose a file that has data.",
            CSV: "has a header but no rows; add data rows and retry."}[kind])
    text = tally.text_columns(name)
    seen.learn(text, new, unlike)
    if text or new or unlike:
        log.info("%s: %s; rewriting", name, "; ".join(
            part for part in (text and f"column(s) {', '.join(sorted(text))} hold text",
                              new and f"field(s) {', '.join(new)} appear after the first "
                                      "block",
                              unlike and f"field(s) {', '.join(sorted(unlike))} hold lists "
                                         "of numbers of one length in some blocks only")
            if part))
    return bool(text or new or unlike)


class _Columns:
    """What earlier passes over a file learned.

    Number columns that hold text; JSON Lines fields that first appear after the first
    block, and fields kept whole, as their JSON text (lists of numbers of one length in some
    blocks but not in all, or of another length: the local loader spreads a field only when
    every row holds such a list).
    """

    def __init__(self):
        self.text: set[str] = set()
        self.extra: list[str] = []
        self.whole: set[str] = set()

    def learn(self, text: set[str], new: list[str], whole: set[str]) -> None:
        """Add one pass's findings (columns spread from a field now kept whole are dropped)."""
        self.text |= text
        self.whole |= whole
        self.extra = [c for c in self.extra + new
                      if c.partition("[")[0] not in self.whole or c in self.whole]


def _number_columns(block: pd.DataFrame, text: set[str]) -> dict[str, NumberStyle | None]:
    """The columns read as numbers, decided on the first block, and how they are written.

    Read as the local loader reads them (:func:`clustering.column_plan.plan_columns`): plain
    numbers, or numbers as spreadsheets show them (``5,1``, ``12%``), missing-value marks
    (``?``) aside; also a column empty so far, and one with a few cells (at most one in
    ten) that are not numbers, which is an error once the whole file is read. The chunks
    of a partitioned run are read without that step, so the Parquet file holds them as
    numbers.
    """
    out, found, hints = {}, {}, {}
    for name in block.columns:
        if name in text:
            continue
        parsed, present, _, style = read_settled(block[name], name, block, found, hints)
        if block[name].dtype.kind in "biuf" or (
                present.any() and (present & parsed.isna()).sum() <= 0.1 * present.sum()):
            out[name] = style
    return out


class _NumberTally:
    """The number columns' cells that are not numbers, block after block."""

    EXAMPLES = 5

    def __init__(self, styles: dict[str, NumberStyle | None]):
        self.styles = styles
        self.present = dict.fromkeys(styles, 0)
        self.bad = dict.fromkeys(styles, 0)
        self.examples: dict[str, list[tuple[int, str]]] = {c: [] for c in styles}

    def typed(self, block: pd.DataFrame, first_row: int) -> pd.DataFrame:
        """The block with its number columns as float64 and the rest as text.

        Cells of a number column that are not numbers are empty, and counted
        (``first_row``: the block's first data row in the file, for the message).
        """
        out = {}
        for name in block.columns:
            values = block[name]
            if name not in self.styles:
                out[name] = values.astype(object).where(values.notna(), None).map(
                    lambda v: v if v is None else str(v))
                continue
            style = self.styles[name] if self.present[name] or self.styles[name] else "find"
            parsed, present, _, found = read_numbers(values, style)
            self.styles[name] = found
            bad = present & parsed.isna()
            self.present[name] += int(present.sum())
            if bad.any():
                self.bad[name] += int(bad.sum())
                room = self.EXAMPLES - len(self.examples[name])
                self.examples[name] += [(first_row + int(r), str(values.iloc[r]))
                                        for r in np.flatnonzero(bad.to_numpy())[:room]]
            out[name] = parsed.astype(np.float64)
        return pd.DataFrame(out)

    def text_columns(self, name: str) -> set[str]:
        """Number columns that hold more than a few cells that are not numbers.

        Raises
        ------
        InputError
            A number column with a few such cells (at most one in ten of its values).
        """
        for column, bad in self.bad.items():
            if bad and bad <= 0.1 * self.present[column]:
                raise not_numbers_error(name, column, bad, self.examples[column])
        return {column for column, bad in self.bad.items() if bad}
