"""Tables wider than clusterlab reads whole: a count matrix keeps its most-read columns.

A single-cell count matrix saved as a table of cells x genes (scanpy's
``adata.to_df().to_csv()``, a GEO supplement, a Parquet export) has 20,000-60,000 gene
columns, more than :data:`clustering.tables.MAX_COLUMNS`. As the 10x and AnnData readers do
(:mod:`clustering.matrix_market`), such a table keeps the columns read (non-zero) in the most
rows, and the rows are then clustered on the most variable of those
(:mod:`clustering.count_tables`); columns the caller names (the label, ids, the columns a
saved run was clustered on) are kept first. Any other table that wide is refused in one
sentence, as before.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from .count_tables import VARIABLE_COLUMNS, looks_like_counts, most_read
from .errors import InputError

__all__ = ["MAX_OTHER_COLUMNS", "narrowed", "wide_counts_note"]

MAX_OTHER_COLUMNS = 100
"""Most columns beside the counts (cell ids, annotations, map coordinates) a wide table of
counts may have; a table with more is not a count matrix with a few annotations."""


def narrowed(frame: pd.DataFrame, name: str, max_columns: int,
             keep: Iterable[str] = ()) -> pd.DataFrame:
    """``frame`` cut to ``max_columns`` columns when it is a wide table of counts.

    Parameters
    ----------
    frame : DataFrame
        The table as read.
    name : str
        The file's name, for messages.
    max_columns : int
        Widest table kept.
    keep : iterable of str
        Columns kept whatever they hold (where the table has them).

    Returns
    -------
    DataFrame
        ``frame`` itself when it is not wider than ``max_columns``; else its columns that
        are not counts, those of ``keep``, and the count columns read in the most rows, in
        their order. ``attrs["wide_counts"]`` says what was kept (:func:`wide_counts_note`).

    Raises
    ------
    InputError
        When a table too wide is not one of counts.
    """
    width = frame.shape[1]
    if width <= max_columns:
        return frame
    numeric = [c for c, dtype in frame.dtypes.items() if dtype.kind in "biuf"]
    values = frame[numeric].to_numpy(dtype=np.float64, copy=False)
    whole = (np.isfinite(values) & (values >= 0) & (values == np.round(values))).all(axis=0)
    counts = [c for c, ok in zip(numeric, whole, strict=True) if ok]
    other = width - len(counts)
    values = values[:, whole]
    if other > MAX_OTHER_COLUMNS or not looks_like_counts(values):
        raise InputError(f"'{name}' has {width:,} columns, more than the {max_columns:,} "
                         "clusterlab reads, and they are not a table of counts (whose "
                         "most-read columns would be kept); keep the columns to cluster on "
                         "(or save wide embeddings as a .npy file).")
    named = {str(c) for c in keep}
    asked = np.array([str(c) in named for c in counts])
    n_asked = int(asked.sum())
    room = max_columns - other - n_asked
    if room < 0:
        raise InputError(f"'{name}' has {width:,} columns and {n_asked:,} of them "
                         f"were asked for by name, more than the {max_columns:,} clusterlab "
                         "reads; name fewer columns.")
    in_rows = (values != 0).sum(axis=0)
    rest, least = most_read(np.where(asked, -1, in_rows), room)
    rest &= in_rows > 0  # a column read in no row tells nothing
    least = max(least, 1)
    dropped = set(np.asarray(counts, dtype=object)[~(asked | rest)])
    out = frame[[c for c in frame.columns if c not in dropped]]
    out.attrs = {**frame.attrs, "wide_counts": {
        "columns": len(counts) - n_asked, "kept": int(rest.sum()), "asked": n_asked,
        "least": least, "rows": len(frame)}}
    return out


def wide_counts_note(facts: dict, name: str) -> str:
    """The note on the count columns :func:`narrowed` kept (its ``attrs["wide_counts"]``).

    Examples
    --------
    >>> wide_counts_note({"columns": 25000, "kept": 19999, "asked": 0, "least": 12,
    ...                   "rows": 300}, "cells.csv")[:60]
    "'cells.csv' has 25,000 columns of counts (whole numbers, mos"
    """
    asked = (f" (and the {facts['asked']:,} named: the label, ids or the run's columns)"
             if facts["asked"] else "")
    return (f"'{name}' has {facts['columns']:,} columns of counts (whole numbers, mostly "
            f"zero), more than clusterlab reads: kept the {facts['kept']:,} read (non-zero) in "
            f"the most of its {facts['rows']:,} rows{asked}, each in {facts['least']:,} rows "
            f"or more; {facts['columns'] - facts['kept']:,} read in fewer rows (or none) were left "
            "out "
            f"(read as counts, the rows are clustered on the {VARIABLE_COLUMNS:,} most "
            "variable of the columns kept).")
