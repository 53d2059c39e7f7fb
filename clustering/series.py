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

__all__ = ["ALIGNED_FROM", "MIN_SERIES_COLUMNS", "ColumnGaps", "alignment", "column_gaps",
           "looks_like_series", "smoothness", "window_means"]

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

    Judged on the rows without empty cells (their gaps are then refused, left out or filled
    along the row, ``fill_missing``).

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
    if any(t.kind not in "iuf" for t in frame.dtypes):
        return False
    values = frame.to_numpy(dtype=np.float64)
    values = values[~np.isnan(values).any(axis=1)]  # judged on the rows without gaps
    if len(values) < 10 or not np.isfinite(values).all():
        return False
    spread = values.std(axis=0)
    if spread.min() <= 0 or spread.max() / spread.min() > 20:
        return False  # columns in different units
    gaps = column_gaps(values)
    return gaps.smoothness < SMOOTH_BELOW or (gaps.squared < NOISY_SMOOTH_BELOW
                                              and gaps.growth > NOISY_GROWTH_ABOVE)


ALIGNED_FROM = 0.3
"""Signals whose :func:`alignment` reaches this are read as aligned (their readings' places
carry meaning): ``auto`` then scores candidates in the raw readings' neighbour graph as well
as in the signal view's, whose augmentations shift rows by up to a fifth of their length.
Tuning half (stop 34): ``waveforms`` 0.02 and ``osuleaf`` 0.19 (shifted at random: reading
the raw graph too took ``waveforms`` 0.821 -> 0.716), ``daily-loads`` 0.38,
``seasonal-loads`` 0.50 and ``spectra`` 0.67 (aligned: 0.994 -> 0.995, 0.972 and 0.606
unchanged). Held out: ``cbf`` 0.21, ``control-charts`` 0.23, ``vibrations`` 0.00 stay as they
were; ``italy-power`` 0.61 (the hour of the day tells its classes apart) 0.506 -> 0.824."""


def window_means(values: np.ndarray, length: int) -> np.ndarray:
    """Rows averaged down to ``length`` readings in windows (as ``adaptive_avg_pool1d``).

    Rows of ``length`` readings or fewer are returned as they are.

    Examples
    --------
    >>> window_means(np.arange(6.0)[None], 3)
    array([[0.5, 2.5, 4.5]])
    """
    p = values.shape[1]
    if p <= length:
        return values
    starts = (np.arange(length) * p) // length
    ends = -((-(np.arange(1, length + 1)) * p) // length)
    sums = np.concatenate([np.zeros((len(values), 1)),
                           np.cumsum(values, axis=1, dtype=np.float64)], axis=1)
    return (sums[:, ends] - sums[:, starts]) / (ends - starts)


def _off_diagonal_share(Z: np.ndarray) -> float:
    """Share of ``Z.T @ Z``'s energy that its average along each diagonal leaves out."""
    p = Z.shape[1]
    M = Z.T @ Z / len(Z)
    offset = np.subtract.outer(np.arange(p), np.arange(p)) + p - 1
    diagonal_mean = (np.bincount(offset.ravel(), M.ravel(), 2 * p - 1)
                     / np.bincount(offset.ravel(), minlength=2 * p - 1))
    return float(((M - diagonal_mean[offset]) ** 2).sum() / max((M ** 2).sum(), 1e-12))


def alignment(values: np.ndarray, seed: int = 0, rows: int = 2000,
              length: int = 128) -> float:
    """How far a set of signals is from one whose rows are shifted at random.

    If every row were the same process started at a random time, the second moments of the
    standardised readings would depend only on how far apart two readings are (constant
    along each diagonal of the moment matrix). Aligned rows -- a day's hours, a spectrum's
    wavelengths -- have structure at fixed places instead. The score is the share of the
    moment matrix that its diagonal averages do not explain, less the same share for the
    rows rolled by random amounts (what sampling alone leaves), over one minus that.

    Parameters
    ----------
    values : ndarray, shape (n, p)
        Signal rows.
    seed : int
        Seed of the row sample and of the rolls.
    rows : int
        Rows looked at (a seeded sample).
    length : int
        Rows are averaged down to this many readings first (:func:`window_means`).

    Returns
    -------
    float
        About 0 for randomly shifted rows; up to 1 for rows aligned to their places.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> t = np.linspace(0, 1, 48)
    >>> shifted = np.sin(2 * np.pi * (4 * t + rng.uniform(0, 1, (300, 1))))
    >>> peaks = np.exp(-0.5 * ((t - rng.choice([0.3, 0.7], (300, 1))) / 0.05) ** 2)
    >>> alignment(shifted) < 0.05 < ALIGNED_FROM < alignment(peaks)
    True
    """
    rng = np.random.default_rng(seed)
    X = np.asarray(values, dtype=np.float64)
    X = window_means(X[rng.permutation(len(X))[:rows]], length)
    Z = (X - X.mean(axis=1, keepdims=True)) / X.std(axis=1, keepdims=True).clip(1e-12)
    shift = rng.integers(0, Z.shape[1], len(Z))
    rolled = Z[np.arange(len(Z))[:, None], (np.arange(Z.shape[1])[None, :] + shift[:, None])
               % Z.shape[1]]
    base = _off_diagonal_share(rolled)
    return (_off_diagonal_share(Z) - base) / max(1.0 - base, 1e-12)
