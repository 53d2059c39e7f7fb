"""Checks on the feature matrix that every clusterer relies on."""

from __future__ import annotations

import numpy as np

from .errors import InputError

__all__ = ["check_min_rows", "check_not_identical", "drop_constant_columns"]


def drop_constant_columns(X: np.ndarray, names: list[str]
                          ) -> tuple[np.ndarray, list[str], list[str]]:
    """Remove columns with a single value.

    Parameters
    ----------
    X : ndarray, shape (n, d)
    names : list of str, length d

    Returns
    -------
    X : ndarray, shape (n, d')
    names : list of str
    dropped : list of str
        Names of the constant columns.
    """
    if len(X) == 0:
        return X, names, []
    const = np.all(X == X[:1], axis=0)
    dropped = [n for n, c in zip(names, const, strict=True) if c]
    return X[:, ~const], [n for n, c in zip(names, const, strict=True) if not c], dropped


def check_not_identical(X: np.ndarray, name: str) -> None:
    """Refuse a matrix whose rows are all the same (nothing to cluster), or one row alone."""
    if len(X) < 2:
        raise InputError(f"'{name}' has {len(X)} row(s); clustering needs more rows than "
                         "clusters (at least 3 for 2 clusters), so add rows and retry.")
    if X.shape[1] == 0 or np.all(X == X[:1]):
        raise InputError(f"All {len(X):,} rows of '{name}' are identical in every used column, "
                         "so there is nothing to cluster; check that the right columns were "
                         "loaded.")


def check_min_rows(n: int, needed: int, what: str, name: str) -> None:
    """Refuse data with fewer rows than a method needs.

    Parameters
    ----------
    n : int
        Rows available.
    needed : int
        Rows the method needs.
    what : str
        The method and setting that needs them, for the message.
    name : str
        Data set name.
    """
    if n < needed:
        raise InputError(f"'{name}' has {n} row(s), but {what} needs at least {needed}; add rows "
                         "or choose fewer clusters.")
