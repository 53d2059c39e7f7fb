"""The values of a table's id, label and map columns, checked, for :mod:`clustering.loaders`."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError
from .tables import rows_text

__all__ = ["WIDE_TABLE", "did_you_mean", "label_values", "map_coordinates", "role_choices",
           "row_ids"]

WIDE_TABLE = 100
"""Tables of more columns list the columns that could hold a role first (:func:`role_choices`)."""
ROWS_READ = 200
"""Rows :func:`role_choices` reads to tell whole numbers from places."""


def did_you_mean(col: str, columns) -> str:
    """``"; did you mean 'Species'?"`` for a column named in another case or nearly alike."""
    import difflib

    names = [str(c) for c in columns]
    same = [c for c in names if c.casefold() == str(col).casefold()]
    close = same or difflib.get_close_matches(str(col), names, n=1, cutoff=0.8)
    return f" (did you mean '{close[0]}'?)" if close else ""


def map_coordinates(frame: pd.DataFrame, columns: list[str], name: str) -> np.ndarray:
    """The two map columns as float32, refusing text, empty cells and inf."""
    if len(columns) != 2 or columns[0] == columns[1]:
        raise InputError(f"map columns must be two different columns (x and y), not "
                         f"{', '.join(map(repr, columns))}.")
    xy = np.empty((len(frame), 2), dtype=np.float64)
    for j, col in enumerate(columns):
        values = pd.to_numeric(frame[col], errors="coerce").to_numpy(dtype=np.float64)
        bad = ~np.isfinite(values)
        if bad.any():
            raise InputError(f"'{name}': map column '{col}' has {int(bad.sum()):,} cell(s) "
                             "that are not finite numbers (data row(s) "
                             f"{rows_text(np.flatnonzero(bad))}); fill them or choose other "
                             "map columns.")
        xy[:, j] = values
    return xy.astype(np.float32)


def row_ids(frame: pd.DataFrame, id_column: str | None, name: str) -> np.ndarray:
    """Each row's id: the id column's values as text (refusing repeats), else 0, 1, 2..."""
    if not id_column:
        return np.array([str(i) for i in range(len(frame))], dtype=object)
    ids = frame[id_column].astype(str).to_numpy(dtype=object)
    dup = pd.Series(ids).duplicated(keep=False).to_numpy()
    if dup.any():
        first = ", ".join(sorted({str(i) for i in ids[dup]})[:5])
        raise InputError(f"'{name}': id column '{id_column}' repeats ids ({first}); every row "
                         "needs a unique id, or leave id_column out to number the rows.")
    return ids


def label_values(frame: pd.DataFrame, column: str, name: str) -> tuple[np.ndarray, list[str]]:
    """The label column's values (empty where a row has none), and a note when some have none.

    A column of whole numbers with empty cells (read as floats) keeps its whole numbers.
    """
    values = frame[column]
    empty = values.isna()
    if empty.all():
        raise InputError(f"'{name}': label column '{column}' is empty in every row; name a "
                         "column that holds the true groups, or leave the label column out.")
    if not empty.any():
        return values.to_numpy(), []
    if values.dtype.kind == "f" and (values.dropna() % 1 == 0).all():
        values = values.astype("Int64")
    labels = values.astype(object).where(~empty, None).to_numpy()
    return labels, [f"Label column '{column}' is empty in {int(empty.sum()):,} of {len(values):,} "
                    "rows; ACC, NMI and ARI are measured on the labelled rows only."]


def role_choices(frame: pd.DataFrame, role: str) -> list[str]:
    """The table's columns to offer for a role, those that could hold it first in wide tables.

    In a table of :data:`WIDE_TABLE` columns or fewer the file's order is kept. In a wider
    one (cells x 20,000 genes) the cell type, an id or a text would be lost among the
    counts: for ``label``, ``id`` and ``text`` the columns that are not numbers come first,
    for ``map`` the numbers that are not whole (a UMAP's x and y among counts); the rest
    follow in the file's order.

    Parameters
    ----------
    frame : DataFrame
    role : {"label", "id", "text", "map"}

    Returns
    -------
    list of str
        Every column once.

    Examples
    --------
    >>> genes = {f"g{j}": [0, 3] for j in range(WIDE_TABLE)}
    >>> wide = pd.DataFrame({**genes, "umap_x": [0.5, 1.5], "cell_type": ["B", "T"]})
    >>> role_choices(wide, "label")[:2]
    ['cell_type', 'g0']
    >>> role_choices(wide, "map")[:2]
    ['umap_x', 'g0']
    >>> role_choices(wide.iloc[:, -3:], "label")  # narrow: the file's order
    ['g99', 'umap_x', 'cell_type']
    """
    columns = [str(c) for c in frame.columns]
    if len(columns) <= WIDE_TABLE:
        return columns
    kinds = np.array([dtype.kind for dtype in frame.dtypes])
    if role == "map":  # read on the first rows: whole numbers there are counts, not places
        floats = frame.iloc[:ROWS_READ, np.flatnonzero(kinds == "f")].to_numpy(np.float64)
        fits = kinds == "f"
        fits[fits] = ~np.all((floats % 1 == 0) | np.isnan(floats), axis=0)
    else:
        fits = ~np.isin(kinds, list("iufb"))
    order = np.argsort(~fits, kind="stable")  # those that fit first, each part in file order
    return [columns[j] for j in order]
