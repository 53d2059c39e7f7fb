"""Read CSV/Parquet/Excel/JSON tables as they are laid out.

What each column then is (numbers, categories, dates, text) is decided by
:mod:`clustering.column_plan`.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from .csv_layout import (
    SAMPLED_RECORDS,
    file_encoding,
    first_line_is_data,
    lines_above_header,
    one_text_per_line,
    sniff_delimiter,
    text_lines,
    without_repeated_headers,
)
from .errors import InputError
from .gzip_tables import GZIP_INNER_SUFFIXES, is_gzip_table, read_gzip_table
from .json_tables import (
    JSON_SUFFIXES,
    flatten_structs,
    read_json_table,
    spread_vectors,
    vectors_from_text,
)
from .wide_counts import narrowed

__all__ = ["EXCEL_SUFFIXES", "MAX_COLUMNS", "TABLE_SUFFIXES", "header_reads_like_text",
           "lines_above_header", "read_table", "rows_text"]


MAX_COLUMNS = 20_000
"""Widest table :func:`read_table` accepts (embeddings wider than this belong in .npy)."""


EXCEL_SUFFIXES = (".xlsx", ".xlsm")
"""Excel workbooks read (the values of the sheet spanning the most cells; formulas as Excel
last computed them, never evaluated, and macros never run)."""
TABLE_SUFFIXES = (".csv", ".tsv", ".txt", ".parquet", ".pq", *EXCEL_SUFFIXES, *JSON_SUFFIXES,
                  *(f"{s}.gz" for s in GZIP_INNER_SUFFIXES))
"""Endings of the table files read (a gzipped text table ends in two, ``.csv.gz``)."""


def read_table(path: Path, keep: Iterable[str] = ()) -> pd.DataFrame:
    """Read a CSV (any delimiter, UTF-8 or a Windows code page), Parquet, Excel or JSON file.

    A gzipped text table (``data.csv.gz``) is unpacked under limits first
    (:mod:`clustering.gzip_tables`).

    Parameters
    ----------
    path : Path
        The file.
    keep : iterable of str
        Columns kept whatever they hold when a table of counts wider than
        :data:`MAX_COLUMNS` keeps its most-read columns (:mod:`clustering.wide_counts`).

    Returns
    -------
    DataFrame
    """
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise InputError(f"'{path.name}' is empty (0 bytes); choose a file that has data.")
    if is_gzip_table(path):
        return read_gzip_table(path, lambda inner: read_table(inner, keep))
    try:
        if suffix in (".parquet", ".pq"):
            frame = spread_vectors(flatten_structs(pd.read_parquet(path)))
        elif suffix in EXCEL_SUFFIXES:
            frame = _read_excel(path)
        elif suffix in JSON_SUFFIXES:
            frame = read_json_table(path)
        else:  # a column of lists of numbers written as text is spread, as JSON's are
            frame = vectors_from_text(_read_csv(path))
    except InputError:
        raise
    except pd.errors.EmptyDataError:
        raise InputError(f"'{path.name}' is empty: it has no header and no rows; "
                         "choose a file that has data.") from None
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise InputError(f"'{path.name}' could not be read as a table ({first}); check that it "
                         "is a valid CSV or Parquet file.") from None
    if len(frame) == 0:
        raise InputError(f"'{path.name}' has a header but no rows; add data rows and retry.")
    frame = narrowed(frame, path.name, MAX_COLUMNS, keep)  # a count matrix's most-read genes
    frame.columns = [str(c).strip() for c in frame.columns]
    names = pd.Index(frame.columns)
    dupes = sorted(set(names[names.duplicated()]))  # linear: a wide header stays quick
    if dupes:
        raise InputError(f"'{path.name}' has repeated column names ({', '.join(dupes)}); "
                         "give every column a unique name.")
    return frame


LEGACY_ENCODINGS = ("cp1252", "latin-1")
"""Encodings tried, in turn, for a CSV that is not UTF-8: Excel on Windows saves "CSV" in
the system's code page (Windows-1252 in Western Europe and the Americas), where ``é`` is one
byte UTF-8 cannot decode. Latin-1 decodes any byte, so reading never fails there; the note
tells the user which encoding was assumed."""


def _read_csv(path: Path) -> pd.DataFrame:
    """A CSV in UTF-8 (BOM or not), else in the first of :data:`LEGACY_ENCODINGS` that reads.

    The encoding used is kept in ``frame.attrs["encoding"]`` when it was not UTF-8, the
    lines skipped above the header (:func:`lines_above_header`) in
    ``frame.attrs["above_header"]``, and ``frame.attrs["semicolons"]`` is set where
    semicolons part the cells (:func:`clustering.number_styles.separator_hint`).
    """
    sample = _sample(path)
    if "\x00" in sample:  # no text file holds NUL; UTF-16 with its mark is decoded by now
        raise InputError(f"'{path.name}' holds binary data (NUL bytes), not text: it is not a "
                         "CSV or text file (or it is UTF-16 text without its byte-order mark); "
                         "save the table as UTF-8 CSV, Excel or Parquet and load that.")
    if path.suffix.lower() == ".txt" and one_text_per_line(sample):
        return _read_text_lines(path)
    sep = sniff_delimiter(sample)
    skip, above = lines_above_header(sample, sep)
    no_header = first_line_is_data(sample, sep, skip)
    for encoding in _encodings(path):
        try:
            frame = pd.read_csv(path, sep=sep, encoding=encoding, low_memory=False,
                                skiprows=skip, index_col=False,  # no index from a row's
                                # trailing delimiter (pandas would shift every column by one)
                                header=None if no_header else "infer")
        except UnicodeDecodeError:
            continue
        if no_header:
            frame.columns = [f"column_{i + 1}" for i in range(frame.shape[1])]
            frame.attrs["no_header"] = True
        frame = _without_blank_columns(without_repeated_headers(frame)[0])
        if frame.shape[1] == 1 and frame.iloc[:, 0].dtype.kind not in "biufcmM" \
                and header_reads_like_text(str(frame.columns[0])):
            frame.attrs["text_header"] = str(frame.columns[0])
        if encoding in LEGACY_ENCODINGS:
            frame.attrs["encoding"] = encoding
        if skip:
            frame.attrs["above_header"] = above
        if sep == ";":  # a spreadsheet where the comma is the decimal mark wrote it
            frame.attrs["semicolons"] = True
        return frame
    raise _undecodable(path, "UTF-8 CSV")


def header_reads_like_text(name: str) -> bool:
    """Whether a one-column file's header reads like one of its texts, not a column's name.

    Four words or more, not a question or a prompt (a survey export names its column by the
    question asked).

    Examples
    --------
    >>> header_reads_like_text("Great value, arrived a day early.")
    True
    >>> header_reads_like_text("review text"), header_reads_like_text("What did you like?")
    (False, False)
    """
    return len(name.split()) >= 4 and not name.rstrip().endswith(("?", ":"))


def _read_text_lines(path: Path) -> pd.DataFrame:
    """A ``.txt`` file of one text per line as a table of one column.

    See :func:`clustering.csv_layout.one_text_per_line`.
    """
    raw = path.read_bytes()
    for encoding in _encodings(path):
        try:
            text = raw.decode(encoding)
        except UnicodeDecodeError:
            continue
        name, texts, header = text_lines(text)
        if not texts:
            raise InputError(f"'{path.name}' has no lines of text; choose a file that has "
                             "data.")
        frame = pd.DataFrame({name: texts})
        frame.attrs["text_lines"] = name if header else ""
        if encoding in LEGACY_ENCODINGS:
            frame.attrs["encoding"] = encoding
        return frame
    raise _undecodable(path, "UTF-8")


def _read_excel(path: Path) -> pd.DataFrame:
    """The table of a workbook, once the zip archive it is has been checked (no bomb).

    The sheet read is the one spanning the most cells (:func:`_largest_sheet`). When the
    workbook has more sheets, their names are kept in ``frame.attrs["sheets"]`` and the one
    read in ``frame.attrs["sheet"]``.
    """
    from .safezip import checked_members

    if not zipfile.is_zipfile(path):
        raise InputError(f"'{path.name}' is not a readable Excel workbook (an .xlsx file is a "
                         "zip archive, and this one is not); save the sheet as .xlsx or CSV.")
    checked_members(path)
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            sheets = list(book.sheet_names)
            sheet = _largest_sheet(book.book) if len(sheets) > 1 else sheets[0]
            frame = _sheet(book, sheet)
            alike = [name for name in sheets if name != sheet and not frame.attrs.get(
                "no_header")] if len(sheets) > 1 else []
            others = {name: _sheet(book, name) for name in alike}
            alike = [name for name in sheets if name == sheet or (
                name in others and list(others[name].columns) == list(frame.columns))]
            if len(alike) > 1:  # one table kept a sheet a year, a site, a batch
                frame = _joined_sheets({name: others.get(name, frame) for name in alike},
                                       frame.attrs)
    except ImportError:
        raise InputError(f"'{path.name}' is an Excel workbook, and reading one needs the "
                         "openpyxl package; pip install openpyxl, or save the sheet as CSV."
                         ) from None
    except (KeyError, zipfile.BadZipFile) as exc:
        raise InputError(f"'{path.name}' is not a readable Excel workbook ({exc}); open and "
                         "save it again in Excel, or save the sheet as CSV.") from None
    frame = _without_blank_columns(frame.dropna(axis=0, how="all"))  # formatted empty rows
    if len(sheets) > 1:
        frame.attrs["sheets"] = sheets
        frame.attrs["sheet"] = sheet
    return frame


def _sheet(book, sheet: str) -> pd.DataFrame:
    """One sheet as a table, as :func:`_read_excel` reads it.

    Title rows above its header are skipped, or it is read without a header when its first
    row holds values like those below it (each said in ``frame.attrs``).
    """
    head = pd.read_excel(book, sheet_name=sheet, header=None, nrows=SAMPLED_RECORDS + 1)
    skip, above = lines_above_header(_rows_as_csv(head), ",")
    frame = pd.read_excel(book, sheet_name=sheet, header=skip)
    if skip:
        frame.attrs["above_header"] = above
    elif first_line_is_data(",".join(map(str, frame.columns)) + "\n", ","):
        frame = pd.read_excel(book, sheet_name=sheet, header=None)
        frame.columns = [f"column_{i + 1}" for i in range(frame.shape[1])]
        frame.attrs["no_header"] = True
    return frame


SHEET_COLUMN = "sheet"
"""The column naming each row's sheet when a workbook's sheets of one header are joined."""


def _joined_sheets(frames: dict[str, pd.DataFrame], attrs: dict) -> pd.DataFrame:
    """Sheets with the same columns as one table, in workbook order.

    Each row's sheet is in a :data:`SHEET_COLUMN` column (text: kept for colouring, not
    clustered on); the sheets' names in ``frame.attrs["joined_sheets"]``, the column's in
    ``frame.attrs["sheet_column"]``.
    """
    column = SHEET_COLUMN if SHEET_COLUMN not in next(iter(frames.values())).columns \
        else f"{SHEET_COLUMN}_name"
    parts = [f.dropna(axis=0, how="all").assign(**{column: name}) for name, f in frames.items()]
    joined = pd.concat(parts, ignore_index=True)
    joined.attrs.update(attrs)
    joined.attrs["joined_sheets"] = list(frames)
    joined.attrs["sheet_column"] = column
    return joined


def _largest_sheet(book) -> str:
    """The name of the sheet spanning the most cells (the first of equals).

    A workbook from a paper's supplement or a lab's export often opens on a sheet of notes
    ("README", "About") before the one that holds the table. The span is the sheet's used
    range as the file records it (rows times columns), so no sheet is read whole to choose.
    """
    def span(sheet) -> int:
        try:
            return int(sheet.max_row or 0) * int(sheet.max_column or 0)
        except (TypeError, ValueError):
            return 0

    sizes = [(span(sheet), -i, sheet.title) for i, sheet in enumerate(book.worksheets)]
    return max(sizes)[2] if sizes else book.sheetnames[0]


def _rows_as_csv(head: pd.DataFrame) -> str:
    """A sheet's first rows as the lines of a CSV, each up to its last filled cell.

    So a report's title rows above the header read as a CSV's would
    (:func:`clustering.csv_layout.lines_above_header`); a line break inside a cell is a space,
    so each row is one line.
    """
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    for row in head.itertuples(index=False):
        cells = ["" if pd.isna(v) else " ".join(str(v).splitlines()) for v in row]
        while cells and not cells[-1]:
            cells.pop()
        writer.writerow(cells)
    return out.getvalue()


def _without_blank_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The frame without columns that have neither a name nor a value.

    A trailing delimiter on every line, or a spreadsheet's formatted but empty column.
    """
    blank = [c for c in frame.columns
             if str(c).startswith("Unnamed:") and not frame[c].notna().any()]
    return frame.drop(columns=blank) if blank else frame


def _encodings(path: Path) -> tuple[str, ...]:
    """Encodings to try, in turn: the one the file declares, then :data:`LEGACY_ENCODINGS`.

    A file whose byte-order mark declares UTF-16 or UTF-32 is read only so.
    """
    declared = file_encoding(path)
    return (declared, *LEGACY_ENCODINGS) if declared == "utf-8-sig" else (declared,)


def _undecodable(path: Path, save_as: str) -> InputError:
    """The error for a file that no encoding tried reads.

    Latin-1 reads any byte, so only a file whose mark declares UTF-16 or UTF-32 gets here.
    """
    declared = file_encoding(path).upper()
    return InputError(f"'{path.name}' starts with the mark of {declared} text but is not "
                      f"valid {declared} (cut off or damaged?); save it as {save_as} and retry.")


def _sample(path: Path) -> str:
    with open(path, encoding=file_encoding(path), errors="replace") as handle:
        return handle.read(65536)


def rows_text(rows: np.ndarray, limit: int = 8) -> str:
    """Format data-row numbers (1-based) for a message, e.g. ``"3, 9, 12 and 4 more"``."""
    shown = ", ".join(str(int(r) + 1) for r in rows[:limit])
    extra = len(rows) - limit
    return shown + (f" and {extra:,} more" if extra > 0 else "")
