r"""How a delimited text file is laid out.

Its delimiter, the lines above its header, whether it has a header at all, and whether it is
one text per line, and which Unicode encoding its byte-order mark declares.

Files as new users bring them: a CSV saved by a spreadsheet in a European locale (``;``
between cells, ``,`` in numbers), a table of numbers written by ``numpy.savetxt`` (no header
line), a ``.txt`` of one text per line (commas inside the texts, no header), a table saved
as Excel's "Unicode Text" or redirected with Windows PowerShell's ``>`` (UTF-16). Reading the
first line of such a file as a header silently loses a row and names columns after values.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import re

import numpy as np
import pandas as pd

__all__ = ["DELIMITERS", "file_encoding", "first_line_is_data", "lines_above_header",
           "one_text_per_line", "sniff_delimiter", "text_lines", "without_repeated_headers"]

DELIMITERS = (",", ";", "\t", "|")
"""Delimiters a CSV may use."""
SAMPLED_RECORDS = 200
"""Records of the start of a file read to decide its layout."""
MAX_LINES_ABOVE_HEADER = 10
"""Most lines above a CSV's header that are skipped (a report's title, a date, a blank)."""
HEADER_WORD = re.compile(r"^\S{1,40}$")
"""A one-text-per-line file's first line is its header only when it is one word (``text``)."""


BYTE_ORDER_MARKS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
                    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
"""Marks that declare a file UTF-32 or UTF-16 (UTF-32's first: its little-endian mark starts
with UTF-16's)."""


def file_encoding(path) -> str:
    """The encoding a text file declares: UTF-16 or UTF-32 by its byte-order mark, else UTF-8.

    ``utf-8-sig`` reads UTF-8 with or without its own mark. Excel's "Unicode Text" and Windows
    PowerShell's ``>`` write UTF-16 with a mark; read as UTF-8, every other byte is a NUL and
    the column names come out as noise.

    Parameters
    ----------
    path : str or Path
        The file.

    Returns
    -------
    str
        ``"utf-32"``, ``"utf-16"`` (Python's codecs read the mark for the byte order and drop
        it) or ``"utf-8-sig"``.
    """
    with open(path, "rb") as handle:
        head = handle.read(4)
    return next((name for mark, name in BYTE_ORDER_MARKS if head.startswith(mark)),
                "utf-8-sig")


def _records(sample: str, sep: str) -> list[list[str]]:
    """The sample's records (blank lines left out, and the last when it may be cut off)."""
    reader = csv.reader(io.StringIO(sample), delimiter=sep)
    rows = []
    try:
        for row in reader:
            if any(cell.strip() for cell in row):
                rows.append(row)
            if len(rows) > SAMPLED_RECORDS:
                break
    except csv.Error:
        return []
    if len(rows) > 1 and not sample.endswith("\n") and len(rows) <= SAMPLED_RECORDS:
        rows = rows[:-1]
    return rows


def _steady_fields(sample: str, sep: str) -> int:
    """Cells per record when every record of the sample has the same number (else 0)."""
    counts = {len(row) for row in _records(sample, sep)}
    return counts.pop() if len(counts) == 1 else 0


def sniff_delimiter(sample: str) -> str:
    r"""The delimiter of a CSV, from the start of the file.

    A delimiter that splits every record, the header included, into the same number of
    cells (two or more) wins, the one giving most cells first; else Python's sniffer decides
    (titles above the header make every delimiter look unsteady); else a comma.

    Examples
    --------
    >>> sniff_delimiter("a;b;c\n0,5;1,25;3\n2,5;0,75;1\n")  # decimal commas
    ';'
    >>> sniff_delimiter("a,b\n1.5,2\n3,4.5\n"), sniff_delimiter("x\ty\n1\t2\n")
    (',', '\t')
    """
    steady = {sep: _steady_fields(sample, sep) for sep in DELIMITERS}
    best = max(steady, key=lambda sep: steady[sep])
    if steady[best] > 1:
        return best
    body = sample.splitlines()
    try:  # title lines above the header would make every delimiter look inconsistent
        return csv.Sniffer().sniff("\n".join(body[-200:] if len(body) > 20 else body),
                                   delimiters="".join(DELIMITERS)).delimiter
    except csv.Error:
        return ","


def lines_above_header(sample: str, sep: str) -> tuple[int, list[str]]:
    r"""Lines above the header of a CSV exported from a report (a title, a date, a blank line).

    The header is the first record with as many fields as most records below it (or the one
    below that, when it names groups of the columns: :func:`_groups_columns`); the records
    above it, at most :data:`MAX_LINES_ABOVE_HEADER` and none with more than half as many
    fields, are skipped.

    Parameters
    ----------
    sample : str
        The start of the file.
    sep : str
        The delimiter.

    Returns
    -------
    skip : int
        Lines to skip (0 when the first line is the header).
    above : list of str
        The skipped lines that are not blank, as written.

    Examples
    --------
    >>> lines_above_header("Sales report\n\nregion,a,b\nnorth,1,2\nsouth,3,4\n", ",")
    (2, ['Sales report'])
    >>> lines_above_header("a,b\n1,2\n", ",")
    (0, [])
    """
    reader = csv.reader(io.StringIO(sample), delimiter=sep)
    records, rows = [], []
    try:
        for row in reader:
            records.append((len(row), reader.line_num, sep.join(row)))
            rows.append(row)
            if len(records) > SAMPLED_RECORDS:
                break
    except csv.Error:
        return 0, []
    if len(records) > 1 and not sample.endswith("\n"):
        records = records[:-1]  # the sample may end inside a record
    counts = [n for n, _, _ in records if n > 1]
    if not counts:
        return 0, []
    usual = max(set(counts), key=counts.count)
    first = next(i for i, (n, _, _) in enumerate(records) if n == usual)
    if any(n > max(1, usual // 2) for n, _, _ in records[:first]):
        return 0, []  # not a title: a short header over rows with trailing delimiters, say
    # a row naming groups of columns above the header is skipped with the title
    first += int(_groups_columns(rows[first:first + 3], sep))
    if first == 0 or first > MAX_LINES_ABOVE_HEADER:
        return 0, []
    skip = records[first - 1][1]
    return skip, [text for n, _, text in records[:first] if text.strip()]


def _groups_columns(rows: list[list[str]], sep: str) -> bool:
    """Whether ``rows[0]`` names groups of the columns of the header ``rows[1]`` over data.

    A report's two-row header: "Chemistry" over three columns, "Colour" over the next
    three (merged cells in Excel, a name and blank cells in its CSV). The group row has two
    blank cells or more and names half the columns or fewer; the row below names every
    column (no blank, no number); the row below that holds a number.

    Examples
    --------
    >>> _groups_columns([["Size", "", "", "Kind"], ["w", "h", "d", "k"], ["1", "2", "3", "a"]],
    ...                 ",")
    True
    >>> _groups_columns([["", "name", "note"], ["r1", "ann", "hi"], ["r2", "bo", "yo"]], ",")
    False
    """
    if len(rows) < 3 or not len(rows[0]) == len(rows[1]) == len(rows[2]):
        return False
    group, header, data = rows
    blank = sum(not cell.strip() for cell in group)
    names = all(cell.strip() and _number(cell, sep) is None for cell in header)
    return (blank >= 2 and len(group) - blank <= len(group) / 2 and names
            and any(_number(cell, sep) is not None for cell in data))


def _number(cell: str, sep: str) -> float | None:
    text = cell.strip()
    if sep != ",":  # a decimal comma, where the comma does not part the cells
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def first_line_is_data(sample: str, sep: str, skip: int = 0) -> bool:
    r"""Whether the first record after ``skip`` lines is a row of data, not a header.

    A header of numbers names columns by a time, a wavelength or a year, and such names run
    in order; so a first line of numbers only is data when its numbers repeat, or do not run
    in order (three or more), or, with fewer cells, are not whole. A single cell stays a
    header (a one-column survey export names its column with the question; a ``.txt`` of
    one text per line is read by :func:`text_lines`).

    Examples
    --------
    >>> first_line_is_data("0.52,1.7,0.03\n0.1,0.2,0.3\n", ",")  # numpy.savetxt
    True
    >>> first_line_is_data("0,0,255,12\n0,3,4,5\n", ",")  # pixels
    True
    >>> first_line_is_data("400,410,420,430\n0.1,0.2,0.3,0.4\n", ",")  # wavelengths
    False
    >>> first_line_is_data("a,b\n1,2\n", ","), first_line_is_data("1,2\n3,4\n", ",")
    (False, False)
    >>> first_line_is_data("What did you like most about it?\nThe price\n", ";")
    False
    """
    lines = sample.splitlines(keepends=True)[skip:]
    records = _records("".join(lines[:2]) + ("" if len(lines) > 1 else "\n"), sep)
    if not records:
        return False
    cells = records[0]
    if len(cells) == 1:
        return False
    values = [_number(cell, sep) for cell in cells]
    if any(v is None for v in values):
        return False
    if len(set(values)) < len(values):
        return True
    if len(values) >= 3:
        rising = all(a < b for a, b in zip(values, values[1:], strict=False))
        falling = all(a > b for a, b in zip(values, values[1:], strict=False))
        return not (rising or falling)
    return any(v != int(v) for v in values)


def one_text_per_line(sample: str) -> bool:
    r"""Whether a ``.txt`` file holds one text per line.

    It does when no delimiter splits its lines into the same number of cells (two or more),
    or when the one that does leaves words on both sides of it everywhere (texts that all
    hold one comma): a table's cells of numbers, ids or labels are one word.

    Examples
    --------
    >>> one_text_per_line("I liked it, mostly.\nToo long; and dull\nFine\n")
    True
    >>> one_text_per_line("Good value, cheap to run\nToo slow, and too loud\n")
    True
    >>> one_text_per_line("a\tb\n1\t2\n"), one_text_per_line("id\ttext\n1\tGood, cheap\n")
    (False, False)
    """
    for sep in DELIMITERS:
        if _steady_fields(sample, sep) >= 2 and any(
                len(cell.split()) < 2 for row in _records(sample, sep) for cell in row):
            return False
    return True


def text_lines(raw: str) -> tuple[str, list[str], bool]:
    """The column name and texts of a one-text-per-line file, and whether it has a header.

    Blank lines are left out; the first line is the header when it is one word
    (:data:`HEADER_WORD`).
    """
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if len(lines) > 1 and HEADER_WORD.match(lines[0]):
        return lines[0], lines[1:], True
    return "text", lines, False


def without_repeated_headers(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[int]]:
    """The frame without rows that repeat its header, and their data row numbers.

    Files joined one after another (``cat a.csv b.csv``, exports appended to a log) carry
    the header again where each one starts; such a row made a column of numbers hold one
    text ("'x' holds numbers except 1 value(s)"). A row repeats the header when each of its
    filled cells (half of them or more) is its column's name. The columns it made text are
    read as numbers again where every other cell is one, as if the row had never been there.

    Examples
    --------
    >>> f = pd.DataFrame({"x": ["1", "x", "3"], "y": ["2.5", "y", "4"]})
    >>> out, rows = without_repeated_headers(f)
    >>> out["x"].tolist(), out["y"].dtype.kind, rows
    ([1, 3], 'f', [2])
    """
    if not len(frame) or not frame.shape[1]:
        return frame, []
    repeats = np.ones(len(frame), dtype=bool)
    filled = np.zeros(len(frame), dtype=np.int64)
    for col in frame.columns:  # column by column, stopping as soon as no row is left
        present = frame[col].notna().to_numpy()
        if pd.api.types.is_numeric_dtype(frame[col].dtype):
            same = np.zeros(len(frame), dtype=bool)  # a number is no column's name here
        else:
            same = (frame[col].astype(str).str.strip() == str(col).strip()).to_numpy()
        repeats &= same | ~present
        filled += present
        if not repeats.any():
            return frame, []
    repeats &= filled >= max(1, frame.shape[1] / 2)
    if not repeats.any():
        return frame, []
    rows = [int(i) + 1 for i in np.flatnonzero(repeats)]
    out = frame[~repeats].reset_index(drop=True)
    for col in out.columns:
        if out[col].dtype == object or pd.api.types.is_string_dtype(out[col].dtype):
            numbers = pd.to_numeric(out[col], errors="coerce")
            if numbers.notna().sum() == out[col].notna().sum():
                out[col] = numbers
    out.attrs = {**frame.attrs, "repeated_headers": rows}
    return out, rows
