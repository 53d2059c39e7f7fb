"""Generated single-cell reads for the count-matrix tests (numpy only: also imported by
``tests/data/h5ad/write_fixtures.py`` in an environment without clusterlab)."""

from __future__ import annotations

import numpy as np


def cell_counts(cells: int = 240, genes: int = 600, k: int = 3, seed: int = 0
                ) -> tuple[np.ndarray, np.ndarray, list[list[int]]]:
    """Reads of each gene in each cell (cells x genes), the cells' types and each type's
    marker genes (40 each, at eight times the reads); the first 30 genes are never read."""
    rng = np.random.default_rng(seed)
    types = np.arange(cells) % k
    mean = np.tile(rng.gamma(0.4, 0.8, genes), (cells, 1))
    markers = [sorted(rng.choice(np.arange(30, genes), 40, replace=False)) for _ in range(k)]
    for t in range(k):
        mean[np.ix_(types == t, markers[t])] *= 8
    mean *= rng.uniform(0.5, 2.0, (cells, 1))  # read depth
    counts = rng.poisson(mean)
    counts[:, :30] = 0
    return counts, types, markers
