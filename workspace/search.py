"""Find points: by id, by words of a text, by any value, or by a column filter."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from clustering.errors import InputError

__all__ = ["find_rows", "matching"]

_FILTER = re.compile(r"^\s*(?P<column>.+?)\s*(?P<op>==|!=|<=|>=|=|<|>)\s*(?P<value>.+?)\s*$")


def matching(data, rows: np.ndarray, query: str) -> np.ndarray:
    """The ``rows`` whose id, text or any cell contains ``query`` (case-insensitive).

    Parameters
    ----------
    data : Dataset
    rows : ndarray of int
    query : str

    Returns
    -------
    ndarray of int
    """
    query = query.strip().lower()
    rows = np.asarray(rows, dtype=np.int64)
    if not query:
        return rows
    ids = pd.Series(np.asarray(data.ids)[rows].astype(str)).str.lower()
    hit = ids.str.contains(query, regex=False).to_numpy().copy()
    if data.texts is not None:
        texts = pd.Series([data.texts[r] for r in rows]).str.lower()
        hit |= texts.str.contains(query, regex=False).to_numpy()
    if data.modality != "images" and data.table.shape[1] <= 200:
        cells = data.table.iloc[rows].astype(str).apply(lambda c: c.str.lower())
        hit |= cells.apply(lambda c: c.str.contains(query, regex=False)).any(axis=1).to_numpy()
    return rows[hit]


def find_rows(data, query: str) -> np.ndarray:
    """Rows matching a search: ``COLUMN OP VALUE`` (``=``, ``!=``, ``<``, ``<=``, ``>``,
    ``>=``) when COLUMN is one of the data's columns (the ground-truth column included),
    else :func:`matching` over all rows.

    Raises
    ------
    InputError
        A filter that compares a text column with ``<``/``>`` or a numeric one with a word.

    Examples
    --------
    >>> import pandas as pd
    >>> from clustering.loaders import dataset_from_frame
    >>> data = dataset_from_frame(pd.DataFrame({"size": [1.0, 5.0, 9.0], "w": [1, 2, 3]}))
    >>> find_rows(data, "size > 3").tolist(), find_rows(data, "9").tolist()
    ([1, 2], [2])
    """
    found = _FILTER.match(query)
    columns = dict(data.table.items())
    if data.labels is not None and data.label_name:
        columns.setdefault(data.label_name, pd.Series(data.labels))
    if found and found["column"] in columns:
        column, op, value = found["column"], found["op"], found["value"].strip("'\"")
        col = columns[column]
        if col.dtype.kind in "biuf":
            try:
                number = float(value)
            except ValueError:
                raise InputError(f"Column '{column}' holds numbers; compare it with a number "
                                 f"(such as {column} > 3), not '{value}'.") from None
            values = col.to_numpy(np.float64)
        else:
            if op not in ("=", "==", "!="):
                raise InputError(f"Column '{column}' holds text; use = or != with it "
                                 f"(such as {column} = {value}).")
            values, number = col.astype(str).str.lower().to_numpy(), value.lower()
        test = {"=": np.equal, "==": np.equal, "!=": np.not_equal, "<": np.less,
                "<=": np.less_equal, ">": np.greater, ">=": np.greater_equal}[op]
        return np.flatnonzero(test(values, number))
    return matching(data, np.arange(data.n), query)
