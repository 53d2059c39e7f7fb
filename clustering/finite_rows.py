"""The check that every numeric cell is finite, and its one-sentence error."""

from __future__ import annotations

import shlex

import numpy as np

from .errors import DROP_INVALID, FILL_MISSING, InputError
from .tables import rows_text

__all__ = ["MOSTLY_EMPTY", "finite_rows"]

MOSTLY_EMPTY = 0.5
"""A table column with at least this share of its cells missing is named in the error as one
to leave out: filling half a column with its median invents most of it."""


def finite_rows(values: np.ndarray, name: str, columns: list[str], drop_invalid: bool,
                fillable: bool = False) -> tuple[np.ndarray, list[str]]:
    """Rows whose values are all finite, or an :class:`InputError` naming the others.

    Parameters
    ----------
    values : ndarray, shape (n, d)
        The numeric cells.
    name : str
        The file's name, for the message.
    columns : list of str, length d
        The columns' names, for the message.
    drop_invalid : bool
        Leave the other rows out (with a note) instead of raising.
    fillable : bool
        A table, whose gaps ``fill_missing`` can fill: the message offers that, and leaving
        out columns at least :data:`MOSTLY_EMPTY` empty.

    Returns
    -------
    keep : ndarray of bool, shape (n,)
    notes : list of str
        What was left out, when anything was.
    """
    finite = np.isfinite(values)
    ok = finite.all(axis=1)
    if ok.all():
        return ok, []
    bad_rows = np.flatnonzero(~ok)
    bad_cols = [columns[j] for j in np.flatnonzero(~finite.all(axis=0))]
    cols = ", ".join(f"'{c}'" for c in bad_cols[:6]) + (" ..." if len(bad_cols) > 6 else "")
    rows = f"{len(bad_rows):,} row(s) of '{name}'"
    detail = f"missing or infinite values (column(s) {cols}; data row(s) {rows_text(bad_rows)})"
    what = f"{rows} have {detail}"
    if not drop_invalid:
        if fillable and np.isnan(values).any():
            raise InputError(f"{what}; fix those cells,{_leave_out_empty(values, columns)} fill "
                             f"the empty ones with each column's median ({FILL_MISSING}) or "
                             f"leave those rows out ({DROP_INVALID}).")
        raise InputError(f"{what}; fix those cells or leave those rows out ({DROP_INVALID}).")
    if ok.sum() == 0:
        raise InputError(f"{what}, and no row is complete; fix the data.")
    return ok, [f"Left out {rows}, which had {detail}."]


def _leave_out_empty(values: np.ndarray, columns: list[str]) -> str:
    """The error's advice to leave out the columns at least :data:`MOSTLY_EMPTY` empty.

    `` leave the mostly empty column(s) 'a' (90% empty) out (ignore_columns,
    --ignore-columns a),``, or ``""`` where no column is that empty (NaN; infinities are
    not gaps).
    """
    share = np.isnan(values).mean(axis=0)
    empty = [(columns[j], share[j]) for j in np.flatnonzero(share >= MOSTLY_EMPTY)]
    if not empty:
        return ""
    named = ", ".join(f"'{c}' ({s:.0%} empty)" for c, s in empty[:6]) + \
        (" ..." if len(empty) > 6 else "")
    return (f" leave the mostly empty column(s) {named} out (ignore_columns, "
            f"--ignore-columns {' '.join(shlex.quote(c) for c, _ in empty[:6])}),")
