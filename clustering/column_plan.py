"""What each column of a table read as text is: numbers, categories, dates or free text.

Numbers as spreadsheets write them (:mod:`clustering.number_styles`) and missing-value marks
are read as numbers; a column of few values is a category; dates and free text are left out
with a note. Empty numeric cells can be filled (:func:`fill_gaps`). The same reading serves
the whole-file loader and the rewrite of a large CSV in blocks (:mod:`clustering.csv_parquet`).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .errors import InputError
from .number_styles import NumberStyle, number_style, reads_two_ways, separator_hint

__all__ = ["MAX_CATEGORIES", "MISSING_MARKS", "ColumnPlan", "fill_gaps", "not_numbers_error",
           "plan_columns", "read_numbers", "reads_as_dates"]

MAX_CATEGORIES = 50


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


SPREADSHEET_ERRORS = frozenset({"#div/0!", "#value!", "#ref!", "#num!", "#name?", "#null!",
                                "#spill!", "#calc!", "#getting_data"})
"""What Excel, LibreOffice and Google Sheets show (and save in CSV) where a formula failed
(``#DIV/0!``: a ratio over zero). Before stop 78 three such cells made a column of numbers
"numbers except 3 value(s) that are not numbers"; they hold no value, like an empty cell."""
MISSING_MARKS = frozenset({"?", "-", "--", ".", "*", "n.a.", "missing"}) | SPREADSHEET_ERRORS
"""Cells that mean "no value" in a column of numbers (UCI's and Orange's ``?``, a dash, a
dot, a spreadsheet formula's error). pandas already reads ``NA``, ``N/A``, ``#N/A``,
``null``, ``NaN`` and empty cells as empty; these become empty too, so such a column stays
numeric and its gaps are handled like any others (refused with the choices, left out, or
filled)."""


def read_numbers(series: pd.Series, style: NumberStyle | None | str = "find",
                 hint: str | None = None
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
    hint : str, optional
        How the table's other columns write their numbers, for cells that could be read
        either way (:func:`clustering.number_styles.separator_hint`).

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
        style = number_style(text[present], hint) if (present & parsed.isna()).any() else None
    if style:
        parsed = style.parse(text)
    return parsed.where(present), present, mark, style


def read_settled(series: pd.Series, name: str, frame: pd.DataFrame,
                 found: dict[str, NumberStyle], hints: dict[int, str | None]
                 ) -> tuple[pd.Series, pd.Series, pd.Series, NumberStyle | None]:
    """:func:`read_numbers` of a table's column, cells that read two ways settled by the rest.

    ``51,364`` may be 51364 or 51.364; where the column's cells leave it open, the table's
    other columns settle it (:func:`clustering.number_styles.separator_hint`: its typed
    columns and those read so far, whose styles ``found`` gathers and which gets this one's;
    ``hints`` keeps the answer while no new style is found, so it is worked out once for a
    table of many such columns).
    """
    parsed, present, mark, style = read_numbers(series)
    if style is None and (present & parsed.isna()).any():
        if len(found) not in hints:
            hints[len(found)] = separator_hint(frame, found)
        hint = hints[len(found)]
        if hint:
            parsed, present, mark, style = read_numbers(series, hint=hint)
        if style and hint == "decimal comma" and frame.attrs.get("semicolons") and not any(
                s.separators == hint and not s.why for s in found.values()):  # semicolons
            # settled it: no column's own cells did
            style = style._replace(why="semicolons part the file's cells, as where the comma "
                                       "is the decimal mark")
    if style:
        found[name] = style
    return parsed, present, mark, style


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
    sheet = frame.attrs.get("sheet_column")
    typed = [col for col, dtype in zip(frame.columns, frame.dtypes, strict=True) if col != sheet
             and (pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype))]
    # at once: one column at a time took 2 ms each on a table of 20,000 genes
    out = pd.concat([frame[typed].astype("float64"), frame.drop(columns=typed)],
                    axis=1)[frame.columns] if typed else frame.copy()
    out.attrs = dict(frame.attrs)
    typed_set = set(typed)
    numeric, categorical, dropped, marked, styles, dates = [], [], {}, {}, {}, []
    styles_found: dict[str, NumberStyle] = {}
    hints: dict[int, str | None] = {}  # worked out where a column needs it
    for col in frame.columns:
        if col in typed_set:
            numeric.append(col)
            continue
        series = frame[col]
        if col == sheet:  # sheet names ('2023') are no numbers
            out[col] = series.astype(str)
            categorical.append(col)
            continue
        typed_dates = pd.api.types.is_datetime64_any_dtype(series)  # Excel's, Parquet's
        parsed, present, mark, style = read_settled(
            series.astype(object) if typed_dates else series,  # no nanoseconds since 1970
            col, frame, styles_found, hints)
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
        elif reads_two_ways(series[present].astype(str).str.strip()):
            example = str(series[present].iloc[0]).strip()
            dropped[col] = (f"numbers such as '{example}' may have a comma between thousands "
                            f"or a decimal comma ({example.replace(',', '')} or "
                            f"{example.replace(',', '.')}), and no other column tells which; "
                            "write them without the comma, or with a decimal point, to "
                            "cluster on it")
        elif names_files(series):
            dropped[col] = IMAGE_PATHS.format(example=series.dropna().iloc[0])
        elif names_rows(series):
            dropped[col] = (f"a different name in every row ({n_unique:,}, such as "
                            f"'{series.iloc[0]}'), like sample or accession names, which are "
                            "not clustered on (make it the id column, --id-column, so "
                            "exports carry them)")
        elif bad.sum() <= 0.5 * present.sum():  # mostly numbers: say which cells are not
            shown = ", ".join(f"'{v}'" for v in list(dict.fromkeys(series[bad].astype(str)))[:3])
            dropped[col] = (f"{int(bad.sum()):,} of its {int(present.sum()):,} cells are not "
                            f"numbers (such as {shown}) though the others are; empty those "
                            "cells, or write NA in them, to cluster on it")
        else:
            dropped[col] = (f"text column with {n_unique:,} distinct values (name it as "
                            "the text column, --text-column, to cluster it as text)")
    return out, ColumnPlan(tuple(numeric), tuple(categorical), dropped, marked, styles,
                           tuple(dates))


IMAGE_PATHS = ("it names image files (such as '{example}'), none found in the table's folder "
               "or below it, and a table does not read them; to cluster the images, keep this "
               "table in the folder its paths start from, or name that folder (--images-root, "
               "the command line only; its columns come along for colouring and export, and "
               "the one named as the label column, --label-column, is their "
               "ground truth), or load that folder, or a zip of it, with the table inside")
"""Why a column naming image files (a data set's manifest) is left out, and what to do."""


def names_files(series: pd.Series) -> bool:
    """Whether a text column names image files (90 % of its values end like one).

    Examples
    --------
    >>> names_files(pd.Series(["train/a.png", "train/b.JPG", None]))
    True
    >>> names_files(pd.Series(["a.png", "notes", "b"]))
    False
    """
    from .images import IMAGE_SUFFIXES

    values = series.dropna().astype(str).str.strip().str.lower()
    return bool(len(values) and values.str.endswith(IMAGE_SUFFIXES).mean() >= 0.9)


NAME_CHARS = 40
"""Longest value of a column of row names (:func:`names_rows`)."""


def names_rows(series: pd.Series) -> bool:
    """Whether a text column names the rows.

    A different short value in every row, each one piece without spaces (``GSM1234``,
    ``sample_07``, ``P-0012``), none missing.

    Examples
    --------
    >>> names_rows(pd.Series(["GSM101", "GSM102", "GSM103"]))
    True
    >>> names_rows(pd.Series(["GSM101", "GSM101", "GSM103"]))
    False
    """
    text = series.astype(str)
    return bool(series.notna().all() and len(series) > 2 and text.is_unique
                and text.str.len().max() <= NAME_CHARS and not text.str.contains(r"\s").any())


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
