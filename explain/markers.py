"""Marker genes: what sets a cluster of cells (or samples, or texts' word counts) apart.

Where a run's table is one of counts (:func:`clustering.count_tables.looks_like_counts`:
reads per gene, per taxon, per word), the rows were clustered on principal components of
their log-normalised counts, and neither those components nor a rule on raw counts is what a
biologist reads a cluster by: the genes expressed more in it than in the other cells are.
As scanpy's ``rank_genes_groups`` (method ``t-test``) does, each cluster's genes are ranked
by Welch's t statistic of the log-normalised expression in the cluster against the rest,
and each is reported with the share of cells that read it inside and outside the cluster and
its log2 fold change (of the mean normalised expression).
"""

from __future__ import annotations

import numpy as np

from clustering.count_tables import looks_like_counts, median_total
from clustering.dataset import Dataset

__all__ = ["TOP_MARKERS", "count_matrix", "marker_genes"]

TOP_MARKERS = 10
"""Marker genes reported per cluster."""
BLOCK = 2000
"""Genes normalised at a time (a block of 2,000 genes of 10,000 cells is 160 MB)."""


def count_matrix(data: Dataset) -> tuple[np.ndarray, list[str]] | None:
    """The counts of a table run (rows x count columns) and the columns' names, else None."""
    if data.modality != "table" or data.table is None:
        return None
    table = data.feature_table()
    numeric = [c for c in table.columns if table[c].dtype.kind in "biuf"]
    if len(numeric) != table.shape[1]:
        return None
    values = table.to_numpy(dtype=np.float64)
    return (values, [str(c) for c in numeric]) if looks_like_counts(values) else None


def marker_genes(counts: np.ndarray, names: list[str], labels: np.ndarray,
                 top: int = TOP_MARKERS) -> dict[int, list[dict]]:
    """Each cluster's genes expressed more in it than in the other rows, strongest first.

    Parameters
    ----------
    counts : ndarray, shape (n, g)
        Whole numbers of zero or more.
    names : list of str
        The genes (columns).
    labels : ndarray of int, shape (n,)
        Clusters; -1 (noise) is in no cluster but in every cluster's "rest".
    top : int
        Genes per cluster.

    Returns
    -------
    dict
        Cluster id -> up to ``top`` dicts ``{"gene", "t", "log2_fold", "share_in",
        "share_out"}``; only genes with a higher mean inside (t > 0).

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> counts = rng.poisson(1.0, (60, 5)).astype(float)
    >>> counts[:30, 2] += 6  # gene c marks the first 30 rows
    >>> found = marker_genes(counts, list("abcde"), np.repeat([0, 1], 30))
    >>> found[0][0]["gene"], found[0][0]["share_in"] > found[0][0]["share_out"]
    ('c', True)
    """
    labels = np.asarray(labels)
    clusters = [int(c) for c in np.unique(labels) if c >= 0]
    inside = (labels[None, :] == np.array(clusters)[:, None]).astype(np.float64)  # (k, n)
    totals = np.asarray(counts, dtype=np.float64).sum(axis=1)
    scale = np.where(totals > 0, median_total(counts) / np.where(totals > 0, totals, 1), 0.0)
    parts = [_sums(np.log1p(np.asarray(counts[:, j:j + BLOCK], dtype=np.float64)
                            * scale[:, None]), counts[:, j:j + BLOCK], inside)
             for j in range(0, counts.shape[1], BLOCK)]
    (sums, sums_sq, reads, total, total_sq, total_read) = (
        np.concatenate([part[i] for part in parts], axis=-1) for i in range(6))
    n = len(labels)
    out = {}
    for i, c in enumerate(clusters):
        m = inside[i].sum()
        rest = n - m
        if m < 2 or rest < 2:
            out[c] = []
            continue
        mean_in, mean_out = sums[i] / m, (total - sums[i]) / rest
        var_in = np.maximum(sums_sq[i] / m - mean_in ** 2, 0) * m / (m - 1)
        var_out = np.maximum((total_sq - sums_sq[i]) / rest - mean_out ** 2, 0) * rest / (rest - 1)
        t = (mean_in - mean_out) / np.sqrt(var_in / m + var_out / rest + 1e-12)
        fold = np.log2((np.expm1(mean_in) + 1e-9) / (np.expm1(mean_out) + 1e-9))
        order = [j for j in np.argsort(-t, kind="stable")[:top] if t[j] > 0]
        out[c] = [{"gene": names[j], "t": round(float(t[j]), 3),
                   "log2_fold": round(float(fold[j]), 3),
                   "share_in": round(float(reads[i, j] / m), 4),
                   "share_out": round(float((total_read[j] - reads[i, j]) / rest), 4)}
                  for j in order]
    return out


def _sums(logged: np.ndarray, counts: np.ndarray, inside: np.ndarray) -> tuple:
    """Per cluster and over all rows: sums of the values, of their squares, rows read."""
    read = (np.asarray(counts) > 0).astype(np.float64)
    squares = logged ** 2
    return (inside @ logged, inside @ squares, inside @ read,
            logged.sum(0), squares.sum(0), read.sum(0))
