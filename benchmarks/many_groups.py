"""Sets with more groups than ``auto`` tried when it estimated k (stop 91).

Until stop 91 every estimate of k looked at k = 2..15 (:data:`clustering.kselect.K_RANGE`)
and the suite had one set with more groups (``newsgroups``, 20). On 1,200 rows of 20 clean
blobs ``auto`` without k said k = 2: the prediction strength of k-means stays low below the
true k (k-means joins different groups in each half), so no k in 2..15 qualified and the
rows were called "no distinct groups".

``MANY_TUNING`` is what the change was built on; ``FRESH_25`` was frozen on 2026-12-08 (stop
91) and committed before any code for it was written or any of it was run. ``blobs-12``
(inside the old range) and ``noise-table`` (no groups: its label is the sign of one column)
are there to show what the change must not move.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from image_sets import _glyphs, _images
from real_sets import table_set

from clustering.dataset import Dataset

MANY_TUNING = ("blobs-20",)
FRESH_25 = ("aniso-24", "blobs-18-nuisance", "letters-20", "blobs-12", "noise-table")
"""The twenty-fifth held-out batch, frozen on 2026-12-08 (stop 91) before the change for
more than 15 groups was written."""


def blobs(name: str, n: int, groups: int, seed: int, dims: int = 6, spread: float = 0.4
          ) -> Dataset:
    """``groups`` round Gaussian blobs of equal spread in ``dims`` columns."""
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n, dims, centers=groups, cluster_std=spread, center_box=(-30, 30),
                      random_state=seed)
    return table_set(name, pd.DataFrame(X, columns=[f"c{j}" for j in range(dims)]), y)


def aniso_24(n: int = 2400, seed: int = 2424) -> Dataset:
    """24 groups of unequal size (about 40 to 160 rows) under a random linear map of 5
    columns, beside 4 uniform nuisance columns."""
    rng = np.random.default_rng(seed)
    weights = rng.uniform(1, 4, 24)
    y = rng.choice(24, n, p=weights / weights.sum())
    centres = rng.uniform(-20, 20, (24, 5))
    X = (centres[y] + rng.normal(0, 1.0, (n, 5))) @ rng.normal(0, 1, (5, 5))
    noise = rng.uniform(-10, 10, (n, 4))
    frame = pd.DataFrame(np.hstack([X, noise]),
                         columns=[f"x{j}" for j in range(5)] + [f"u{j}" for j in range(4)])
    return table_set("aniso-24", frame, y)


def blobs_18_nuisance(n: int = 1800, seed: int = 1818) -> Dataset:
    """18 groups in 8 columns, each group with its own spread (0.5-1.5), beside 3
    log-normal nuisance columns of other scales."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 18, n)
    centres = rng.uniform(-15, 15, (18, 8))
    spread = rng.uniform(0.5, 1.5, 18)
    X = centres[y] + rng.normal(0, 1, (n, 8)) * spread[y, None]
    cols = {f"m{j}": X[:, j] for j in range(8)}
    for j in range(3):
        cols[f"n{j}"] = rng.lognormal(0, 1, n) * 10 ** j
    return table_set("blobs-18-nuisance", pd.DataFrame(cols), y)


def letters_20(n: int = 1200, size: int = 24, seed: int = 2020) -> Dataset:
    """20 capital letters (not ``letters``' six) in the bundled font at random sizes, turns
    and places, grey on dark, in noise."""
    return _images("letters-20", *_glyphs("BCDFGIJLMNPQRTUVWXYZ", n, size, seed, (14, 21),
                                           25, False))


def noise_table(n: int = 1000, seed: int = 77) -> Dataset:
    """No groups: 6 uniform columns; the label is the sign of the first (not a cluster)."""
    X = np.random.default_rng(seed).uniform(-1, 1, (n, 6))
    return table_set("noise-table", pd.DataFrame(X, columns=[f"u{j}" for j in range(6)]),
                     (X[:, 0] > 0).astype(int))


BUILDERS = {
    "blobs-20": lambda: blobs("blobs-20", 1200, 20, 3),
    "aniso-24": aniso_24,
    "blobs-18-nuisance": blobs_18_nuisance,
    "letters-20": letters_20,
    "blobs-12": lambda: blobs("blobs-12", 1200, 12, 1212, spread=1.0),
    "noise-table": noise_table,
}
