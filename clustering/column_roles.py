"""Which of a table's columns are clustered on when the user names none.

Numeric columns are, unless they look like an id, hold a handful of values among continuous
columns (a year or batch number), or are empty; categorical columns are kept for colouring
and export only, unless nothing else is left.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .count_tables import looks_like_counts

__all__ = ["FEW_VALUES", "ID_NOTE", "default_features", "distinct_counts", "id_columns",
           "ids_among", "looks_like_id"]


_ID_NAME = re.compile(r"(^|[_\s-])(id|ids|index|idx|key|no|nr|number)$", re.IGNORECASE)


FEW_VALUES = 5
"""A numeric column with at most this many distinct values among continuous ones is read like
a category (a ``year``, ``batch``, ``site`` or ``plate`` number): kept for colouring, not
clustered on unless listed among the feature columns (unless such columns are most of the
numeric ones: a survey's answers, :func:`_few_values`). Tuning half: Palmer
penguins' ``year``
(2007-2009) made UMAP + k-means follow the years (ARI with the year 0.46, with the species
0.37); without it ``auto`` went from 0.742 to 0.973 (3 seeds), and on ``cars`` (``Cylinders``,
5 values) from 0.454 to 0.457."""


def _few_values(typed: pd.DataFrame, chosen: list[str]) -> list[str]:
    """Numeric features with a handful of values beside continuous ones (see FEW_VALUES).

    Scales (3 values or more) are kept when they are most of the numeric columns: then they
    are the data (a survey's answers from 1 to 5 beside an age), not a year or batch beside
    measurements. Yes/no columns are not: on the one benchmark table where they are most of
    the columns (``bmt``: 14 event flags beside 8 measurements, groups by disease) keeping
    them took ``auto`` from 0.555 to 0.460 (seeds 0-2).
    """
    counts = dict(zip(chosen, distinct_counts(typed[chosen].to_numpy(dtype=np.float64)).tolist(),
                      strict=True))
    if not counts or max(counts.values()) <= 20:
        return []  # no continuous column for a discrete one to stand out from
    few = [col for col, count in counts.items()  # constant ones are dropped elsewhere
           if 2 <= count <= FEW_VALUES and len(typed) >= 10 * count]
    scales = [col for col in few if counts[col] >= 3]
    if len(scales) > len(chosen) / 2:
        return [col for col in few if col not in scales]
    return few


NOTED_ONE_BY_ONE = 3
"""Up to this many columns read like categories get a note each; more share one note (a
wide table of counts, 3,000 genes of which 29 had at most 5 values, printed 29 notes)."""


def _few_values_group_note(typed: pd.DataFrame, cols: list[str]) -> str:
    counts = [typed[col].nunique() for col in cols]
    shown = ", ".join(f"'{c}'" for c in cols[:3])
    return (f"{len(cols):,} columns ({shown} and {len(cols) - 3:,} more) have only "
            f"{min(counts)}-{max(counts)} distinct values each among continuous columns, so "
            "they are read like categories (a year, batch or site number would split every "
            "group by it): kept for colouring but not clustered on; list them among the "
            "feature columns to cluster on them.")


def _few_values_note(typed: pd.DataFrame, col: str) -> str:
    values = ", ".join(f"{v:g}" for v in sorted(typed[col].dropna().unique()))
    return (f"Column '{col}' has only {typed[col].nunique()} distinct values ({values}) among "
            "continuous columns, so it is read like a category (a year, batch or site number "
            "would split every group by it): kept for colouring but not clustered on; list it "
            "among the feature columns to cluster on it.")


ID_NOTE = ("Column '{}' looks like an id (a different whole number in every row), so it "
           "is not clustered on; make it the id column, or list it among the feature columns "
           "to use it.")
"""The note for a column left out as an id (``ID_NOTE.format(column)``)."""


def looks_like_id(values: np.ndarray, name) -> bool:
    """Whole numbers, a different one in every row, with an id-like name or consecutive.

    Examples
    --------
    >>> looks_like_id(np.array([3.0, 1.0, 2.0]), "x"), looks_like_id(np.array([7, 1, 40]), "no")
    (True, True)
    >>> looks_like_id(np.array([7, 1, 40]), "dose"), looks_like_id(np.array([1.5, 2, 3]), "id")
    (False, False)
    """
    return bool(ids_among(np.asarray(values, dtype=np.float64)[:, None], [name])[0])


def ids_among(values: np.ndarray, names) -> np.ndarray:
    """:func:`looks_like_id` of every column of ``values`` (n, m) at once (m names).

    A table of 20,000 gene columns is judged in a second (column by column it took 6 s).
    """
    out = np.zeros(values.shape[1], dtype=bool)
    if len(values) <= 2:
        return out
    for start in range(0, values.shape[1], CHUNK):  # a bounded copy at a time
        block = values[:, start:start + CHUNK]
        whole = np.isfinite(block).all(axis=0)
        whole[whole] = (block[:, whole] == np.round(block[:, whole])).all(axis=0)
        ordered = np.sort(block[:, whole], axis=0)
        unique = np.zeros(block.shape[1], dtype=bool)
        unique[whole] = (np.diff(ordered, axis=0) != 0).all(axis=0)
        span = np.zeros(block.shape[1])
        span[whole] = ordered[-1] - ordered[0]
        named = np.array([bool(_ID_NAME.search(str(n))) for n in names[start:start + CHUNK]])
        out[start:start + CHUNK] = unique & (named | (span == len(values) - 1))
    return out


CHUNK = 2000
"""Columns judged at once by :func:`ids_among` and :func:`distinct_counts`."""


def distinct_counts(values: np.ndarray) -> np.ndarray:
    """Distinct values of every column of ``values`` (n, m), as ``DataFrame.nunique`` counts.

    Empty cells (NaN) are not counted.

    Examples
    --------
    >>> distinct_counts(np.array([[1.0, np.nan], [1.0, np.nan], [2.0, 5.0]]))
    array([2, 1])
    """
    out = np.zeros(values.shape[1], dtype=np.int64)
    for start in range(0, values.shape[1], CHUNK):
        ordered = np.sort(values[:, start:start + CHUNK], axis=0)  # empty cells last
        present = ~np.isnan(ordered)
        changes = (np.diff(ordered, axis=0) != 0) & present[1:]
        out[start:start + CHUNK] = present[:1].sum(axis=0) + changes.sum(axis=0)
    return out


def id_columns(frame: pd.DataFrame) -> list[str]:
    """The columns of numbers of ``frame`` that look like an id (:func:`looks_like_id`)."""
    numeric = [col for col, kind in zip(frame.columns, frame.dtypes.map(lambda t: t.kind),
                                        strict=True) if kind in "iuf"]
    if not numeric:
        return []
    found = ids_among(frame[numeric].to_numpy(dtype=np.float64, na_value=np.nan), numeric)
    return [col for col, hit in zip(numeric, found, strict=True) if hit]


def default_features(typed: pd.DataFrame, plan, kind: str) -> tuple[list[str], list[str]]:
    """The columns clustered on when none were chosen, and a note for each one left out.

    Numeric columns are features unless they look like an id (whole numbers, a different
    one in every row, and an id-like name or consecutive values) or hold at most
    :data:`FEW_VALUES` values among continuous columns (read like a category); categorical
    columns are not (a ``batch`` or ``site`` one-hot encoded splits every group by it) unless
    nothing else is left. Embeddings keep every column (they are all numbers), series every
    column but an id.
    """
    if kind == "embeddings":
        return list(plan.numeric), []
    if kind == "series":  # every reading, but not a row number (it is not in their unit)
        ids = id_columns(typed[list(plan.numeric)])
        return [c for c in plan.numeric if c not in ids], [ID_NOTE.format(c) for c in ids]
    chosen, notes = [], []
    values = typed[list(plan.numeric)].to_numpy(dtype=np.float64)
    empty = np.isnan(values).all(axis=0) if len(values) else np.ones(values.shape[1], bool)
    ids = ids_among(values, list(plan.numeric))
    for col, is_empty, is_id in zip(plan.numeric, empty, ids, strict=True):
        if is_empty:
            notes.append(f"Column '{col}' is empty (no value in any row), so it is not "
                         "clustered on.")
        elif is_id:
            notes.append(ID_NOTE.format(col))
        else:
            chosen.append(col)
    if not chosen:
        if plan.categorical:
            cols = ", ".join(f"'{c}'" for c in plan.categorical[:6])
            more = f" and {len(plan.categorical) - 6} more" if len(plan.categorical) > 6 else ""
            notes.append(f"No column of numbers to cluster on, so the rows are clustered on "
                         f"their categories ({cols}{more}; each category one yes/no column).")
        return list(plan.categorical), notes
    few = [] if looks_like_counts(typed[chosen].to_numpy(dtype=np.float64)) else \
        _few_values(typed, chosen)  # a rare gene's 0, 1, 2 reads are counts, not categories
    chosen = [col for col in chosen if col not in few]
    notes += ([_few_values_note(typed, col) for col in few] if len(few) <= NOTED_ONE_BY_ONE
              else [_few_values_group_note(typed, few)])
    for col in plan.categorical:
        count = typed[col].nunique()
        notes.append(f"Column '{col}' ({count:,} {'category' if count == 1 else 'categories'}) "
                     "is kept for colouring but not clustered on, since categories such as a "
                     "batch or site would split every group; list it among the feature "
                     "columns to cluster on it.")
    return chosen, notes
