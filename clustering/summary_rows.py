"""A spreadsheet's total or average row at the bottom of a table, found and left out.

Reports exported from Excel or an accounting tool often end in a row of column totals
(``Total``, ``Sum``, ``Average``). Clustered as one more row it is an outlier many times
larger than any other, which takes a cluster of its own and stretches every scale. The
last row is such a row when each of its numbers is the sum (or each the mean) of the rows
above it, in two number columns or more (three for means); nothing else is needed, so an
unnamed one is found too, and a row that only says ``Total`` is not taken on its word.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["summary_row", "without_summary_row"]

MIN_COLUMNS = {"sum": 2, "mean": 3}
"""Number columns whose last value must be the sum (or the mean) of the values above: an
ordinary row can sit near the means of two columns of small whole numbers, not near their
sums."""
MIN_ROWS = 3
"""Rows above it, fewest."""


def summary_row(frame: pd.DataFrame) -> str | None:
    """``"sum"`` or ``"mean"`` when the frame's last row totals or averages the rows above.

    Parameters
    ----------
    frame : DataFrame
        A table as read from its file (numbers may still be text).

    Returns
    -------
    str or None

    Examples
    --------
    >>> f = pd.DataFrame({"item": ["a", "b", "c", "Total"], "x": [1.5, 2, 3, 6.5],
    ...                   "y": ["10", "20", "30", "60"]})
    >>> summary_row(f), summary_row(f.iloc[:3])
    ('sum', None)
    """
    if len(frame) < MIN_ROWS + 1:
        return None
    for kind in ("sum", "mean"):
        matched = 0
        for col in frame.columns:
            if np.isnan(pd.to_numeric(frame[col].iloc[-1:], errors="coerce").to_numpy(
                    np.float64)[0]):
                continue  # no number in the last row: the column says nothing (read no more)
            values = pd.to_numeric(frame[col], errors="coerce").to_numpy(np.float64)
            above, last = values[:-1], values[-1]
            if np.isnan(above).all():
                continue
            if np.ptp(above[~np.isnan(above)]) == 0:
                continue  # a constant column says nothing
            found = np.nansum(above) if kind == "sum" else np.nanmean(above)
            if not np.isclose(last, found, rtol=1e-3, atol=1e-9):
                matched = -1  # a number that is not the total: not a total row
                break
            matched += 1
        if matched >= MIN_COLUMNS[kind]:
            return kind
    return None


def without_summary_row(frame: pd.DataFrame, name: str) -> tuple[pd.DataFrame, list[str]]:
    """The frame without a total or average last row (:func:`summary_row`), and its note."""
    kind = summary_row(frame)
    if kind is None:
        return frame, []
    first = next((str(v) for v in frame.iloc[-1] if isinstance(v, str) and v.strip()), "")
    return frame.iloc[:-1], [
        f"Left out the last row of '{name}'" + (f" ('{first[:40]}')" if first else "")
        + f": each of its numbers is the {kind} of the rows above it, as a spreadsheet's "
        + ("total" if kind == "sum" else "average") + " row is."]
