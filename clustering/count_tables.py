"""Tables of counts: reads per gene, per taxon, occurrences per word.

A table whose feature columns are all whole numbers of zero or more, many of them and mostly
zeros (a single-cell or RNA-seq count matrix, an OTU table, a document-term matrix), is
clustered on its counts the way those fields do it: each row scaled to the median row total
(rows read to different depths, or texts of different lengths, become comparable), then
``log(1 + x)`` (a gene at 1,000 reads is not a thousand times as telling as one at 1). Raw
counts let the deepest-read rows and the most abundant columns decide everything, and the
columns of few distinct values (a rarely seen gene's 0, 1, 2) were read like categories.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .errors import InputError

__all__ = ["COUNTS", "COMPONENTS", "DEEP_MAX", "DEEP_TOTAL", "MIN_COUNT_COLUMNS",
           "MIN_ZERO_SHARE", "SCALE_CLIP", "VARIABLE_COLUMNS", "count_features", "count_note",
           "counts_like", "depth_regressed", "log_normalise", "looks_like_counts",
           "median_total", "most_read"]

COUNTS = "counts"
"""The representation's name (:data:`clustering.features.REPRESENTATIONS`)."""
MIN_COUNT_COLUMNS = 50
"""Fewest columns read as counts: genes, taxa and words number in the hundreds or thousands,
while a table of a few dozen whole-number columns (legs, cylinders, days, a survey's answers,
yes/no flags) is one of measurements. Of the quality suite's 84 tables one met the rule at
20 columns, ``bmt`` (22: 14 yes/no event flags beside 8 whole-number measurements of
transplant patients, not counts); none at 50."""
VARIABLE_COLUMNS = 2000
"""The most variable columns (after the log) kept for the principal components: scanpy's
``highly_variable_genes`` default; genes seen in a few cells only add noise."""
COMPONENTS = 50
"""Principal components the rows are clustered in (scanpy's and Seurat's default)."""
MIN_ZERO_SHARE = 0.25
"""Share of zero cells a table of counts has at least: genes, taxa and words are absent from
most rows (single cells 60-95 %, OTU tables 50-90 %, word counts 95 % and more)."""


SCALE_CLIP = 10.0
"""Each log-normalised column, its rows' read depth regressed out, is scaled to unit variance
and clipped at this many standard deviations before the principal components (scanpy's
``regress_out`` and ``scale(max_value=10)``, Seurat's ``ScaleData``): see
:func:`depth_regressed`."""


DEEP_TOTAL = 100_000
"""Median row total from which whole numbers are counts even with few zeros: bulk RNA-seq
libraries hold millions of reads and analysts filter out the genes rarely read, so such a
matrix has almost no zero (benchmarks/README.md, "Tables of counts", stop 74)."""
DEEP_MAX = 1_000
"""Largest cell a deep table of counts reaches at least (a highly expressed gene's reads;
not an 8-bit image's 255 or a survey's scores)."""


def looks_like_counts(values: np.ndarray) -> bool:
    """Whether a feature matrix is a table of counts (see the module's docstring).

    At least :data:`MIN_COUNT_COLUMNS` columns, every cell a whole number of zero or more,
    some cell above 1 (a table of yes/no columns is not counts), and at least
    :data:`MIN_ZERO_SHARE` of the cells zero or deep reads (a median row total of
    :data:`DEEP_TOTAL` or more and a cell of :data:`DEEP_MAX` or more, as bulk RNA-seq has).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> looks_like_counts(rng.poisson(0.5, (50, 60)).astype(float))
    True
    >>> looks_like_counts(rng.poisson(0.5, (50, 30)).astype(float))  # too few columns
    False
    >>> looks_like_counts(rng.integers(0, 2, (50, 60)).astype(float))  # yes/no only
    False
    >>> looks_like_counts(rng.normal(size=(50, 60)))
    False
    >>> looks_like_counts(rng.poisson(2_000, (50, 60)).astype(float))  # deep reads, no zero
    True
    >>> looks_like_counts(rng.integers(1, 256, (50, 784)).astype(float))  # 8-bit pixels
    False
    """
    values = np.asarray(values)
    if values.ndim != 2 or values.shape[1] < MIN_COUNT_COLUMNS or not values.size:
        return False
    if values.dtype.kind not in "iuf" or not np.isfinite(values).all():
        return False
    if values.min() < 0 or values.max() <= 1 or (values != np.round(values)).any():
        return False
    if float((values == 0).mean()) >= MIN_ZERO_SHARE:
        return True
    return bool(values.max() >= DEEP_MAX and np.median(values.sum(axis=1)) >= DEEP_TOTAL)


def most_read(in_rows: np.ndarray, room: int) -> tuple[np.ndarray, int]:
    """The ``room`` columns read (non-zero) in the most rows, in their order, as a mask.

    Ties are broken by position (the first columns kept).

    Returns
    -------
    kept : ndarray of bool
    least : int
        Rows the least-read kept column is read in.

    Examples
    --------
    >>> kept, least = most_read(np.array([0, 3, 1, 2, 3]), 3)
    >>> kept.tolist(), least
    ([False, True, False, True, True], 2)
    """
    order = np.argsort(-np.asarray(in_rows), kind="stable")[:room]
    kept = np.zeros(len(in_rows), dtype=bool)
    kept[order] = True
    return kept, int(in_rows[order[-1]]) if len(order) else 0


def log_normalise(values: np.ndarray, total: float) -> np.ndarray:
    """Each row scaled to ``total`` reads, then ``log(1 + x)``; rows of no reads stay 0.

    Examples
    --------
    >>> log_normalise(np.array([[1.0, 3.0], [10.0, 30.0], [0.0, 0.0]]), 4.0).round(3).tolist()
    [[0.693, 1.386], [0.693, 1.386], [0.0, 0.0]]
    """
    values = np.asarray(values, dtype=np.float64)
    totals = values.sum(axis=1, keepdims=True)
    return np.log1p(values / np.where(totals > 0, totals, 1.0) * total)


def depth_regressed(logged: np.ndarray, totals: np.ndarray, fit: dict | None = None
                    ) -> tuple[np.ndarray, dict]:
    """Log-normalised columns with the rows' read depth regressed out, then scaled.

    Scaling each row to the median total does not take the depth out of the log: a row read
    thinly has more zeros, and its few reads become large values once scaled up. In 20,000
    generated cells the first principal component followed log(depth) (correlation
    0.84-0.89) and held no cell type (benchmarks/README.md, "Single-cell atlases"). So each
    column's least-squares line on log(row total) is taken out (scanpy's ``regress_out``),
    then each column is scaled to unit variance and clipped at :data:`SCALE_CLIP` (scanpy's
    ``scale``): a column no longer weighs by its spread alone.

    Parameters
    ----------
    logged : ndarray, shape (n, m)
        Log-normalised columns (:func:`log_normalise`); changed in place.
    totals : ndarray, shape (n,)
        Each row's reads (all its columns).
    fit : dict, optional
        The ``depth_*`` and ``scale_*`` values of a run (new rows are treated alike); fitted
        on these rows when omitted.

    Returns
    -------
    scaled : ndarray, shape (n, m)
    fit : dict

    Examples
    --------
    >>> logged = np.log1p(np.array([[1.0, 4.0], [2.0, 2.0], [4.0, 1.0], [3.0, 3.0]]))
    >>> scaled, fit = depth_regressed(logged.copy(), np.array([10.0, 20.0, 40.0, 30.0]))
    >>> scaled.std(axis=0).round(3).tolist(), sorted(fit)
    ([1.0, 1.0], ['depth_mean', 'depth_slope', 'scale_mean', 'scale_sd'])
    """
    depth = np.log(np.maximum(np.asarray(totals, dtype=np.float64), 1.0))
    if fit is None:
        centred = depth - depth.mean()
        spread = float(centred @ centred)
        slope = (centred @ (logged - logged.mean(axis=0)) / spread if spread > 0
                 else np.zeros(logged.shape[1]))
        fit = {"depth_mean": float(depth.mean()), "depth_slope": slope.tolist()}
    logged -= np.outer(depth - fit["depth_mean"], np.asarray(fit["depth_slope"]))
    if "scale_mean" not in fit:
        sd = logged.std(axis=0)
        fit.update(scale_mean=logged.mean(axis=0).tolist(),
                   scale_sd=np.where(sd > 0, sd, 1.0).tolist())
    logged -= np.asarray(fit["scale_mean"])
    logged /= np.asarray(fit["scale_sd"])
    return np.clip(logged, -SCALE_CLIP, SCALE_CLIP, out=logged), fit


def median_total(values: np.ndarray) -> float:
    """The median row total (the depth every row is scaled to), at least 1."""
    return max(float(np.median(np.asarray(values, dtype=np.float64).sum(axis=1))), 1.0)


def count_note(columns: int, zero_share: float, total: float) -> str:
    """The note saying the table was read as counts, and how to read it otherwise."""
    return (f"Read the {columns:,} columns as counts (whole numbers, {zero_share:.0%} of the "
            "cells zero, as reads per gene, taxon or word are): each row scaled to the median "
            f"row total ({total:,.0f}) and log-transformed, log(1 + x), then the read depth "
            "regressed out of each column and each column scaled, as single-cell tools do; to "
            "cluster on the numbers as they are, choose the "
            "representation 'scaled' (--representation scaled).")


def count_features(table: pd.DataFrame, name: str
                   ) -> tuple[np.ndarray, list[str], dict, str]:
    """The features of a table of counts: log-normalised, then principal components.

    Each row is scaled to the median row total and log-transformed (:func:`log_normalise`);
    the :data:`VARIABLE_COLUMNS` columns of largest variance, the rows' depth regressed out
    and each scaled (:func:`depth_regressed`), then give :data:`COMPONENTS` principal
    components (fewer for fewer rows or columns).

    Returns
    -------
    X : ndarray, shape (n, m)
        The rows' principal-component scores.
    names : list of str
        ``pc_1`` .. ``pc_m``.
    transform : dict
        What new rows need to be featurised alike (:func:`counts_like`).
    note : str
        What was done, for the run's notes.

    Raises
    ------
    InputError
        When a cell is not a whole number of zero or more (the representation was asked for
        a table that is not of counts).
    """
    from sklearn.decomposition import PCA

    columns = [str(c) for c in table.columns]
    values = _count_values(table, name)
    total = median_total(values)
    logged = log_normalise(values, total)
    spread = logged.var(axis=0)
    order = np.argsort(-spread, kind="stable")[:VARIABLE_COLUMNS]
    kept = np.sort(order[spread[order] > 0])
    if not len(kept):
        raise InputError(f"'{name}': every count column holds the same value in every row, "
                         "so there is nothing to cluster on.")
    m = max(1, min(COMPONENTS, len(values) - 1, len(kept)))
    scaled, fit = depth_regressed(logged[:, kept], values.sum(axis=1))
    del logged
    pca = PCA(m, random_state=0).fit(scaled)
    X = pca.transform(scaled)
    transform = {"count_total": total, "count_columns": columns,
                 "pca_columns": [columns[j] for j in kept], **fit,
                 "pca_mean": pca.mean_.tolist(), "pca_components": pca.components_.tolist()}
    note = count_note(len(columns), float((values == 0).mean()), total)
    return X.astype(np.float32), [f"pc_{j + 1}" for j in range(m)], transform, note


def counts_like(table: pd.DataFrame, transform: dict) -> np.ndarray:
    """New rows' features as :func:`count_features` computed a run's (its ``transform``).

    Raises
    ------
    InputError
        When a count column of the run is missing or a cell is not a count.
    """
    columns = transform["count_columns"]
    missing = [c for c in columns if c not in table.columns]
    if missing:
        shown = ", ".join(missing[:8]) + (" ..." if len(missing) > 8 else "")
        raise InputError(f"The new data lacks {len(missing)} count column(s) the run was "
                         f"clustered on: {shown}. Give the same columns as the run's data.")
    values = _count_values(table[columns], "the new data")
    logged = pd.DataFrame(log_normalise(values, transform["count_total"]), columns=columns)
    logged = np.array(logged[transform["pca_columns"]].to_numpy(), dtype=np.float64)
    if "depth_slope" in transform:  # runs before pipeline version 38 used the logged columns
        logged, _ = depth_regressed(logged, values.sum(axis=1), transform)
    centred = logged - np.asarray(transform["pca_mean"])
    return (centred @ np.asarray(transform["pca_components"]).T).astype(np.float32)


def _count_values(table: pd.DataFrame, name: str) -> np.ndarray:
    """The table's cells as floats, checked to be whole numbers of zero or more."""
    try:
        values = table.to_numpy(dtype=np.float64)
    except (TypeError, ValueError):
        raise InputError(f"'{name}' has columns that are not numbers, so it cannot be read as "
                         "counts; choose the representation 'scaled'.") from None
    bad = ~np.isfinite(values) | (values < 0) | (values != np.round(values))
    if bad.any():
        row, col = map(int, np.argwhere(bad)[0])
        raise InputError(f"'{name}' is not a table of counts: column '{table.columns[col]}' "
                         f"holds {values[row, col]:g} (data row {row + 1}), and counts are "
                         "whole numbers of zero or more; choose the representation 'scaled'.")
    return values
