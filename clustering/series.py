"""Recognising tables whose columns are one ordered signal (readings over time or position).

A table is read as a signal when it has many numeric columns in one unit whose neighbours
vary together: the gap between adjacent columns is much smaller than between columns far
apart. Such rows are clustered through a 1-D convolutional view (``--kind series``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["MIN_SERIES_COLUMNS", "looks_like_series", "smoothness"]

MIN_SERIES_COLUMNS = 16
"""Fewest columns read as a signal."""

SMOOTH_BELOW = 0.6
"""Largest ratio of adjacent-column to random-column gaps read as a signal."""


def smoothness(values: np.ndarray, seed: int = 0, rows: int = 500) -> float:
    """Mean absolute gap between adjacent columns over the gap between random column pairs.

    Parameters
    ----------
    values : ndarray, shape (n, p)
        Numeric rows.
    seed : int
        Seed of the row sample and column pairs.
    rows : int
        Rows looked at.

    Returns
    -------
    float
        About 1 for columns in arbitrary order, well below 1 for a smooth signal.

    Examples
    --------
    >>> t = np.linspace(0, 6, 40)
    >>> smoothness(np.sin(t[None, :] + np.arange(50)[:, None])) < 0.3
    True
    """
    rng = np.random.default_rng(seed)
    sample = values[rng.choice(len(values), min(rows, len(values)), replace=False)]
    adjacent = np.abs(np.diff(sample, axis=1)).mean()
    a, b = rng.integers(0, values.shape[1], (2, 4 * values.shape[1]))
    far = np.abs(sample[:, a] - sample[:, b]).mean()
    return float(adjacent / far) if far > 0 else 1.0


def looks_like_series(frame: pd.DataFrame) -> bool:
    """Whether every column is numeric, in one unit, and neighbouring columns move together.

    Parameters
    ----------
    frame : DataFrame
        The feature columns (roles such as id and label removed).

    Returns
    -------
    bool
    """
    if frame.shape[1] < MIN_SERIES_COLUMNS or len(frame) < 10:
        return False
    if any(frame[c].dtype.kind not in "iuf" for c in frame.columns):
        return False
    values = frame.to_numpy(dtype=np.float64)
    if not np.isfinite(values).all():
        return False
    spread = values.std(axis=0)
    if spread.min() <= 0 or spread.max() / spread.min() > 20:
        return False  # columns in different units
    return smoothness(values) < SMOOTH_BELOW
