"""Read CSV/Parquet/Excel/JSON tables; sort their columns into numbers, categories and the rest."""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from dataclasses import dataclass, field
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
)
from .errors import InputError
from .gzip_tables import is_gzip_table, read_gzip_table
from .json_tables import JSON_SUFFIXES, read_json_table, spread_vectors, vectors_from_text
from .number_styles import NumberStyle, number_style

__all__ = ["MISSING_MARKS", "ColumnPlan", "fill_gaps", "header_reads_like_text",
           "lines_above_header", "not_numbers_error", "plan_columns", "read_numbers",
           "read_table", "reads_as_dates", "rows_text"]


MAX_CATEGORIES = 50


MAX_COLUMNS = 20_000
"""Widest table :func:`read_table` accepts (embeddings wider than this belong in .npy)."""


EXCEL_SUFFIXES = (".xlsx", ".xlsm")
"""Excel workbooks read (their first sheet's values; formulas as Excel last computed them,
never evaluated, and macros never run)."""


def read_table(path: Path) -> pd.DataFrame:
    """Read a CSV (any delimiter, UTF-8 or a Windows code page), Parquet, Excel or JSON file.

    A gzipped text table (``data.csv.gz``) is unpacked under limits first
    (:mod:`clustering.gzip_tables`).

    Parameters
    ----------
    path : Path
        The file.

    Returns
    -------
    DataFrame
    """
    suffix = path.suffix.lower()
    if path.stat().st_size == 0:
        raise InputError(f"'{path.name}' is empty (0 bytes); choose a file that has data.")
    if is_gzip_table(path):
        return read_gzip_table(path, read_table)
    try:
        if suffix in (".parquet", ".pq"):
            frame = spread_vectors(pd.read_parquet(path))
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
    if frame.shape[1] > MAX_COLUMNS:
        raise InputError(f"'{path.name}' has {frame.shape[1]:,} columns, more than the "
                         f"{MAX_COLUMNS:,} clusterlab reads; keep the columns to cluster on "
                         "(or save wide embeddings as a .npy file).")
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

    The encoding used is kept in ``frame.attrs["encoding"]`` when it was not UTF-8, and the
    lines skipped above the header (:func:`lines_above_header`) in
    ``frame.attrs["above_header"]``.
    """
    sample = _sample(path)
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
        frame = _without_blank_columns(frame)
        if frame.shape[1] == 1 and frame.iloc[:, 0].dtype.kind not in "biufcmM" \
                and header_reads_like_text(str(frame.columns[0])):
            frame.attrs["text_header"] = str(frame.columns[0])
        if encoding in LEGACY_ENCODINGS:
            frame.attrs["encoding"] = encoding
        if skip:
            frame.attrs["above_header"] = above
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
    """The first sheet of a workbook, once the zip archive it is has been checked (no bomb).

    When the workbook has more sheets, their names are kept in ``frame.attrs["sheets"]``.
    """
    from .safezip import checked_members

    if not zipfile.is_zipfile(path):
        raise InputError(f"'{path.name}' is not a readable Excel workbook (an .xlsx file is a "
                         "zip archive, and this one is not); save the sheet as .xlsx or CSV.")
    checked_members(path)
    try:
        with pd.ExcelFile(path, engine="openpyxl") as book:
            sheets = list(book.sheet_names)
            head = pd.read_excel(book, sheet_name=sheets[0], header=None,
                                 nrows=SAMPLED_RECORDS + 1)
            skip, above = lines_above_header(_rows_as_csv(head), ",")
            frame = pd.read_excel(book, sheet_name=sheets[0], header=skip)
            if skip:
                frame.attrs["above_header"] = above
            elif first_line_is_data(",".join(map(str, frame.columns)) + "\n", ","):
                frame = pd.read_excel(book, sheet_name=sheets[0], header=None)
                frame.columns = [f"column_{i + 1}" for i in range(frame.shape[1])]
                frame.attrs["no_header"] = True
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
    return frame


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


@dataclass(frozen=True)
class ColumnPlan:
    """How each feature column of a table will be used."""

    numeric: tuple[str, ...]
    categorical: tuple[str, ...]
    dropped: dict[str, str]
    marked: dict[str, int] = field(default_factory=dict)
    """Numeric columns -> how many cells held a missing-value mark (:data:`MISSING_MARKS`),
    now empty."""
    styles: dict[str, str] = field(default_factory=dict)
    """Numeric columns -> how their numbers were written where ``pd.to_numeric`` alone
    refused them (:func:`clustering.number_styles.number_style`)."""
    dates: tuple[str, ...] = ()
    """Dropped columns of dates or times (:func:`reads_as_dates`)."""


MISSING_MARKS = frozenset({"?", "-", "--", ".", "*", "n.a.", "missing"})
"""Cells that mean "no value" in a column of numbers (UCI's and Orange's ``?``, a dash, a
dot). pandas already reads ``NA``, ``N/A``, ``null``, ``NaN`` and empty cells as empty; these
become empty too, so such a column stays numeric and its gaps are handled like any others
(refused with the choices, left out, or filled)."""


def read_numbers(series: pd.Series, style: NumberStyle | None | str = "find"
                 ) -> tuple[pd.Series, pd.Series, pd.Series, NumberStyle | None]:
    """A text column read as numbers, as far as it holds them.

    Parameters
    ----------
    series : Series
        The cells.
    style : NumberStyle, None or "find"
        How the numbers are written: ``"find"`` works it out from the cells where
        ``pd.to_numeric`` alone refuses some; None reads plain numbers only; a
        :class:`~clustering.number_styles.NumberStyle` reads them so (a later block of a
        file read in blocks, as its first block was).

    Returns
    -------
    parsed : Series of float
        NaN where a cell is empty, a missing-value mark (:data:`MISSING_MARKS`) or not a
        number.
    present : Series of bool
        Cells neither empty nor a mark.
    mark : Series of bool
        Cells that are a missing-value mark.
    style : NumberStyle or None
        How the numbers are written where ``pd.to_numeric`` alone refuses them
        (:func:`clustering.number_styles.number_style`).

    Examples
    --------
    >>> parsed, present, mark, style = read_numbers(pd.Series(["5,1", "?", "12"]))
    >>> parsed.tolist()[::2], mark.tolist(), style.separators
    ([5.1, 12.0], [False, True, False], 'decimal comma')
    """
    if series.dtype.kind in "biuf":
        return (series.astype("float64"), series.notna(), pd.Series(False, index=series.index),
                None)
    parsed = pd.to_numeric(series, errors="coerce")
    text = series.astype(str).str.strip()
    mark = series.notna() & text.str.lower().isin(MISSING_MARKS)
    present = series.notna() & (text != "") & ~mark
    if isinstance(style, str):
        style = number_style(text[present]) if (present & parsed.isna()).any() else None
    if style:
        parsed = style.parse(text)
    return parsed.where(present), present, mark, style


def not_numbers_error(name: str, column: str, count: int, examples: list[tuple[int, str]]
                      ) -> InputError:
    """The error for a column of numbers with a few cells that are not numbers.

    Parameters
    ----------
    name : str
        File name.
    column : str
    count : int
        Cells that are not numbers.
    examples : list of (int, str)
        Some of them: data row (0-based) and value.

    Examples
    --------
    >>> str(not_numbers_error("t.csv", "age", 1, [(250, "1.2.3")]))[-67:]
    "('1.2.3' in data row(s) 251); fix those cells or remove the column."
    """
    values = ", ".join(repr(str(value)) for _, value in examples[:3])
    rows = ", ".join(str(row + 1) for row, _ in examples[:5])
    return InputError(f"'{name}': column '{column}' holds numbers except {count} value(s) that "
                      f"are not numbers ({values} in data row(s) {rows}); fix those cells or "
                      "remove the column.")


def plan_columns(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, ColumnPlan]:
    """Coerce numeric-looking text columns, and decide numeric / categorical / dropped.

    Parameters
    ----------
    frame : DataFrame
        Feature columns only (id, label and text columns already removed).
    name : str
        File name for messages.

    Returns
    -------
    frame : DataFrame
        Same columns, numeric ones as float64.
    plan : ColumnPlan
    """
    out = frame.copy()
    numeric, categorical, dropped, marked, styles, dates = [], [], {}, {}, {}, []
    for col in frame.columns:
        series = frame[col]
        if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
            out[col] = series.astype("float64")
            numeric.append(col)
            continue
        typed_dates = pd.api.types.is_datetime64_any_dtype(series)  # Excel's, Parquet's
        parsed, present, mark, style = read_numbers(
            series.astype(object) if typed_dates else series)  # no nanoseconds since 1970
        bad = present & parsed.isna()
        if style:
            styles[col] = style.describe()
        if present.sum() and bad.sum() <= 0.1 * present.sum() and bad.any():
            rows = np.flatnonzero(bad.to_numpy())[:5]
            raise not_numbers_error(name, col, int(bad.sum()),
                                    [(int(r), series.iloc[r]) for r in rows])
        if present.sum() and not bad.any():
            out[col] = parsed.astype("float64")  # the marks are not numbers: empty now
            numeric.append(col)
            if mark.any():
                marked[col] = int(mark.sum())
            continue
        n_unique = series.nunique(dropna=True)
        if n_unique <= max(2, min(MAX_CATEGORIES, len(series) // 2)):
            out[col] = series.astype(str).where(series.notna(), "(missing)")
            categorical.append(col)
        elif typed_dates or reads_as_dates(series):
            dates.append(col)
            dropped[col] = (f"dates or times ({n_unique:,} distinct values), which are not "
                            "clustered on (to cluster on one, add a column of numbers from "
                            "it, such as days since a start date)")
        else:
            dropped[col] = (f"text column with {n_unique:,} distinct values (name it as "
                            "the text column, --text-column, to cluster it as text)")
    return out, ColumnPlan(tuple(numeric), tuple(categorical), dropped, marked, styles,
                           tuple(dates))


DATE_SAMPLE = 200
"""Cells of a column read to tell whether it holds dates."""


def reads_as_dates(series: pd.Series) -> bool:
    """Whether a text column's cells (the first :data:`DATE_SAMPLE` present) are dates or times.

    Every cell must hold a digit and parse as a date or a time, in any one way per cell.

    Examples
    --------
    >>> reads_as_dates(pd.Series(["2021-03-04", "05/03/2021 14:00", None, "4 March 2021"]))
    True
    >>> reads_as_dates(pd.Series(["2021-03-04", "see notes", "2021-03-06"]))
    False
    """
    sample = series.dropna().astype(str).str.strip()
    sample = sample[sample != ""].head(DATE_SAMPLE)
    if not len(sample) or not sample.str.contains(r"\d").all():
        return False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # pandas warns on cells parsed one by one
        parsed = pd.to_datetime(sample, errors="coerce", format="mixed")
    return bool(parsed.notna().all())


def fill_gaps(frame: pd.DataFrame, columns: list[str], name: str, along_rows: bool = False
              ) -> tuple[pd.DataFrame, dict[str, np.ndarray], list[str]]:
    """Fill the empty cells of numeric columns (``fill_missing``, ``--fill-missing``).

    Parameters
    ----------
    frame : DataFrame
        The typed table (numeric columns as float64).
    columns : list of str
        The numeric columns to fill; empty cells are NaN (infinite values are not filled:
        they stay an error to fix or a row to leave out).
    name : str
        File name for messages.
    along_rows : bool
        Fill each row's gaps by linear interpolation between its neighbouring readings (a
        signal: the columns are ordered) instead of with each column's median.

    Returns
    -------
    frame : DataFrame
        A copy with the gaps filled.
    filled : dict
        Column -> positions of the rows whose cell was filled (exports leave them empty).
    notes : list of str
        One sentence saying what was filled and how.

    Raises
    ------
    InputError
        A column has no value at all.

    Examples
    --------
    >>> frame = pd.DataFrame({"a": [1.0, None, 3.0, 5.0], "b": [2.0, 2.0, 2.0, 2.0]})
    >>> out, filled, notes = fill_gaps(frame, ["a", "b"], "t.csv")
    >>> out["a"].tolist(), {c: v.tolist() for c, v in filled.items()}
    ([1.0, 3.0, 3.0, 5.0], {'a': [1]})
    """
    values = frame[columns]
    gaps = values.isna()
    if not gaps.to_numpy().any():
        return frame, {}, []
    empty = [c for c in columns if gaps[c].all()]
    if empty:
        raise InputError(f"'{name}': column(s) {', '.join(map(repr, empty[:6]))} have no value "
                         "at all, so there is nothing to fill them from; leave them out "
                         "(ignore_columns, --ignore-columns).")
    out = frame.copy()
    if along_rows:
        out[columns] = values.interpolate(axis=1, limit_direction="both")
        how = "by linear interpolation between the neighbouring readings of each row"
    else:
        out[columns] = values.fillna(values.replace([np.inf, -np.inf], np.nan).median())
        how = "with each column's median"
    filled = {c: np.flatnonzero(gaps[c].to_numpy()) for c in columns if gaps[c].any()}
    cells = sum(len(rows) for rows in filled.values())
    shown = ", ".join(f"'{c}' ({len(rows):,})" for c, rows in list(filled.items())[:6])
    more = f" and {len(filled) - 6} more column(s)" if len(filled) > 6 else ""
    note = (f"Filled {cells:,} empty cell(s) in {int(gaps.any(axis=1).sum()):,} row(s) {how}: "
            f"{shown}{more}; exports leave those cells empty.")
    return out, filled, [note]


def rows_text(rows: np.ndarray, limit: int = 8) -> str:
    """Format data-row numbers (1-based) for a message, e.g. ``"3, 9, 12 and 4 more"``."""
    shown = ", ".join(str(int(r) + 1) for r in rows[:limit])
    extra = len(rows) - limit
    return shown + (f" and {extra:,} more" if extra > 0 else "")
