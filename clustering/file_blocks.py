"""A CSV, JSON Lines or one-text-per-line file's rows, a block at a time.

Each laid out as the local loader lays out the whole file (:mod:`clustering.tables`,
:mod:`clustering.json_tables`): a CSV's delimiter, lines above its header, a first line
that is data and its encoding (:mod:`clustering.csv_layout`); JSON Lines with nested fields
dotted and lists of numbers spread over columns (but the fields given as ``whole``); a
``.txt`` file of one text per line as one column of texts. Lines are read one at a time,
none longer than :data:`MAX_LINE_CHARS`. :mod:`clustering.csv_parquet` writes the blocks to
Parquet for runs in chunks.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pandas as pd

from .csv_layout import (
    file_encoding,
    first_line_is_data,
    lines_above_header,
    one_text_per_line,
    sniff_delimiter,
    text_lines,
    without_repeated_headers,
)
from .errors import InputError
from .json_tables import json_line, spread_vectors, vectors_from_text

__all__ = ["BLOCKS", "CSV", "JSONL", "JSONL_SUFFIXES", "MAX_LINE_CHARS", "TEXT_LINES",
           "kind_of"]

JSONL_SUFFIXES = (".jsonl", ".ndjson")
"""JSON Lines files, read a line at a time (a ``.json`` array is not: it is read whole)."""
MAX_LINE_CHARS = 64 * 2 ** 20
"""Longest line of a JSON Lines or one-text-per-line file read in chunks (a line is held
whole; the widest row the store's tables take, 20,000 numbers, is about a megabyte)."""


def _encoding(path: Path) -> str:
    """The encoding the file's byte-order mark declares, else UTF-8 or Windows-1252.

    UTF-8 when the first megabyte decodes as it, else Windows-1252 (Excel's CSV).
    """
    if (declared := file_encoding(path)) != "utf-8-sig":
        return declared
    with open(path, "rb") as handle:
        head = handle.read(1 << 20)
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as exc:
        if exc.start < len(head) - 4:  # not a character cut at the megabyte's end
            return "cp1252"
    return "utf-8-sig"


def _csv_blocks(path: Path, raw, block_rows: int, whole: set[str]) -> Iterator[pd.DataFrame]:
    """The CSV's rows, ``block_rows`` at a time, laid out as the local loader reads it.

    Columns of lists of numbers written as text are spread as the local loader spreads them
    (:func:`clustering.json_tables.vectors_from_text`), but those in ``whole``.
    """
    encoding = _encoding(path)
    with open(path, encoding=encoding, errors="replace") as handle:
        sample = handle.read(65536)
    sep = sniff_delimiter(sample)
    skip, _ = lines_above_header(sample, sep)
    no_header = first_line_is_data(sample, sep, skip)
    for block in pd.read_csv(raw, sep=sep, encoding=encoding, skiprows=skip,
                             header=None if no_header else "infer", index_col=False,
                             chunksize=block_rows, low_memory=False):
        block.columns = [f"column_{i + 1}" for i in range(block.shape[1])] if no_header \
            else [str(c) for c in block.columns]
        yield vectors_from_text(without_repeated_headers(block)[0], whole)


CSV, JSONL, TEXT_LINES = "CSV", "JSON Lines file", "text file of one text per line"


def kind_of(path: Path) -> str:
    """:data:`CSV`, :data:`JSONL` or :data:`TEXT_LINES`: how the (unpacked) file is read.

    A ``.txt`` file is one text per line where the local loader reads it so
    (:func:`clustering.csv_layout.one_text_per_line`), else a delimited table.
    """
    if path.suffix.lower() in JSONL_SUFFIXES:
        return JSONL
    if path.suffix.lower() == ".txt":
        with open(path, encoding=_encoding(path), errors="replace") as handle:
            if one_text_per_line(handle.read(65536)):
                return TEXT_LINES
    return CSV


def _text_line_blocks(path: Path, raw, block_rows: int, _whole=None
                      ) -> Iterator[pd.DataFrame]:
    """A one-text-per-line file's texts, ``block_rows`` at a time, in one column.

    Blank lines left out; the first line names the column when it is one word, else the
    column is ``text`` (:func:`clustering.csv_layout.text_lines`, as the local loader reads
    the whole file).
    """
    lines = io.TextIOWrapper(raw, encoding=_encoding(path), errors="replace")
    texts = (line.strip() for line in _capped_lines(lines, path.name) if line.strip())
    first = next(texts, None)
    second = next(texts, None)
    name, head, _ = text_lines("\n".join(t for t in (first, second) if t is not None))
    block = list(head)
    for text in texts:
        block.append(text)
        if len(block) == block_rows:
            yield pd.DataFrame({name: block})
            block = []
    if block:
        yield pd.DataFrame({name: block})
    lines.detach()  # the caller's file stays open


def _jsonl_blocks(path: Path, raw, block_rows: int,
                  whole: set[str]) -> Iterator[pd.DataFrame]:
    """The JSON Lines file's objects, ``block_rows`` at a time.

    Laid out as the local loader lays them out (:func:`clustering.json_tables.
    read_json_table`: nested fields dotted, lists of numbers spread over columns, except
    the fields in ``whole``).
    """
    records: list[dict] = []
    lines = io.TextIOWrapper(raw, encoding=file_encoding(path))
    for number, line in enumerate(_capped_lines(lines, path.name), 1):
        if (row := json_line(line, number, path.name)) is not None:
            records.append(row)
        if len(records) == block_rows:
            yield _json_frame(records, whole)
            records = []
    if records:
        yield _json_frame(records, whole)
    lines.detach()  # the caller's file stays open


def _capped_lines(lines: io.TextIOBase, name: str) -> Iterator[str]:
    """The lines of a file read a line at a time, none longer than :data:`MAX_LINE_CHARS`.

    A line is held whole in memory, so a file of one line of gigabytes (a JSON array saved
    as ``.jsonl``, say) is refused instead of read into memory at once.

    Raises
    ------
    InputError
        A line longer than that.
    """
    number = 0
    while line := lines.readline(MAX_LINE_CHARS + 1):
        number += 1
        if len(line) > MAX_LINE_CHARS:
            raise InputError(
                f"'{name}': line {number:,} is longer than {MAX_LINE_CHARS:,} characters, "
                "too long for one row; a file read a line at a time holds one row per line "
                "(a JSON array belongs in a .json file, which is read whole).")
        yield line


def _json_frame(records: list[dict], whole: set[str]) -> pd.DataFrame:
    frame = spread_vectors(pd.json_normalize(records, max_level=8), whole)
    frame.columns = [str(c) for c in frame.columns]
    return frame


BLOCKS = {CSV: _csv_blocks, JSONL: _jsonl_blocks, TEXT_LINES: _text_line_blocks}
"""Each kind's block reader: ``reader(path, raw, block_rows, whole)``."""
