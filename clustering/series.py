"""Recognising tables whose columns are one ordered signal (readings over time or position).

A table is read as a signal when it has many numeric columns in one unit whose neighbours
vary together: the gap between adjacent columns is much smaller than between columns far
apart, or, for a signal in strong noise (which widens every gap alike), the squared gaps
grow steadily with the distance between columns. Such rows are clustered through a 1-D
convolutional view (``--kind series``).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import pandas as pd

__all__ = ["MIN_SERIES_COLUMNS", "ColumnGaps", "column_gaps", "looks_like_series", "smoothness"]

MIN_SERIES_COLUMNS = 16
"""Fewest columns read as a signal."""

SMOOTH_BELOW = 0.6
"""Largest ratio of adjacent-column to random-column gaps read as a signal."""
NOISY_SMOOTH_BELOW = 0.6
"""Largest ratio of adjacent-column to random-column *squared* gaps read as a noisy signal
(white noise adds the same to both; absolute gaps dilute the difference more)..."""
NOISY_GROWTH_ABOVE = 0.3
"""... when the squared gap also grows by more than this share of the random-column one from
one column apart to three. Blocks of related columns (a questionnaire's sub-scales) have
small adjacent gaps too, but theirs stay flat within a block: five-item sub-scales 0.27,
a sine in noise of half its amplitude 0.49, ``vibrations`` (stop 33's held-out signal,
missed by the first test: 0.70) 0.51."""


class ColumnGaps(NamedTuple):
    """How the gaps between a table's columns grow with their distance (see :func:`column_gaps`)."""

    smoothness: float
    """Mean absolute gap of adjacent columns over that of random column pairs: about 1 for
    columns in arbitrary order, well below 1 for a smooth signal."""
    squared: float
    """The same ratio of mean squared gaps (less diluted by white noise)."""
    growth: float
    """Mean squared gap of columns three apart minus that of adjacent ones, over that of
    random pairs: about 0 for columns in arbitrary order."""


def column_gaps(values: np.ndarray, seed: int = 0, rows: int = 500) -> ColumnGaps:
    """Gaps between adjacent, three-apart and random columns over a seeded sample of rows.

    Parameters
    ----------
    values : ndarray, shape (n, p)
        Numeric rows, p >= 4.
    seed : int
        Seed of the row sample and column pairs.
    rows : int
        Rows looked at.

    Returns
    -------
    ColumnGaps

    Examples
    --------
    >>> t = np.linspace(0, 6, 40)
    >>> column_gaps(np.sin(t[None, :] + np.arange(50)[:, None])).smoothness < 0.3
    True
    >>> rng = np.random.default_rng(0)
    >>> t = np.arange(64)
    >>> noisy = np.sin(t / 2 + rng.uniform(0, 6, (200, 1))) + rng.normal(0, 0.5, (200, 64))
    >>> gaps = column_gaps(noisy)
    >>> bool(gaps.smoothness > 0.6 and gaps.squared < 0.6 and gaps.growth > 0.3)
    True
    """
    rng = np.random.default_rng(seed)
    sample = values[rng.choice(len(values), min(rows, len(values)), replace=False)]
    a, b = rng.integers(0, values.shape[1], (2, 4 * values.shape[1]))
    far = sample[:, a] - sample[:, b]
    far_abs, far_sq = np.abs(far).mean(), (far ** 2).mean()
    if far_abs <= 0:
        return ColumnGaps(1.0, 1.0, 0.0)
    near = np.diff(sample, axis=1)
    near_sq, three_sq = (near ** 2).mean(), ((sample[:, 3:] - sample[:, :-3]) ** 2).mean()
    return ColumnGaps(float(np.abs(near).mean() / far_abs), float(near_sq / far_sq),
                      float((three_sq - near_sq) / far_sq))


def smoothness(values: np.ndarray, seed: int = 0, rows: int = 500) -> float:
    """:attr:`ColumnGaps.smoothness` of :func:`column_gaps` (same parameters)."""
    return column_gaps(values, seed, rows).smoothness


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
    gaps = column_gaps(values)
    return gaps.smoothness < SMOOTH_BELOW or (gaps.squared < NOISY_SMOOTH_BELOW
                                              and gaps.growth > NOISY_GROWTH_ABOVE)
