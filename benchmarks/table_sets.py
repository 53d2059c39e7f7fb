"""Generated tables of the quality suite: groups under nuisance columns, scales and shapes.

Each is read as ``clusterlab run`` reads a table file (:func:`real_sets.table_set`).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from real_sets import table_set

from clustering.dataset import Dataset


def mixed_table(n: int = 1500, seed: int = 101) -> Dataset:
    """5 groups in 4 informative columns, 6 nuisance columns of other scales, 2 categoricals."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 5, n)
    centres = rng.normal(0, 3.0, (5, 4))
    info = centres[y] + rng.normal(0, 1.0, (n, 4))
    cols = {f"m{j}": info[:, j] * (10 ** j) + 50 for j in range(4)}
    for j in range(6):
        cols[f"noise{j}"] = rng.lognormal(0, 1 + j * 0.3, n) * (j + 1)
    grade = np.where(rng.random(n) < 0.7, y, rng.integers(0, 5, n))
    cols["grade"] = np.array(list("ABCDE"))[grade]
    cols["site"] = rng.choice(["north", "south", "east", "west"], n)
    return table_set("mixed-table", pd.DataFrame(cols), y)


def aniso_blobs(n: int = 2000, seed: int = 202) -> Dataset:
    """6 blobs under a random linear map, 8 uniform nuisance columns, a heavy-tailed one."""
    from sklearn.datasets import make_blobs

    X, y = make_blobs(n, n_features=5, centers=6, cluster_std=1.0, random_state=seed)
    rng = np.random.default_rng(seed)
    X = X @ rng.normal(0, 1, (5, 5))
    noise = rng.uniform(-5, 5, (n, 8))
    heavy = rng.standard_t(1.5, (n, 1))
    frame = pd.DataFrame(np.hstack([X, noise, heavy]),
                         columns=[f"x{j}" for j in range(5)] + [f"u{j}" for j in range(8)]
                         + ["t0"])
    return table_set("aniso-blobs", frame, y)


def skewed_table(n: int = 600, seed: int = 111) -> Dataset:
    """Two unequal classes in 30 positive, skewed columns of very different scales.

    Like a table of clinical measurements: 6 informative latent directions, 12 mixtures of
    them, 12 of noise, each column exponentiated or squared and given its own unit.
    """
    from sklearn.datasets import make_classification

    Z, y = make_classification(n, 30, n_informative=6, n_redundant=12, n_classes=2,
                               weights=[0.37], class_sep=1.0, flip_y=0.01, shuffle=True,
                               random_state=seed)
    rng = np.random.default_rng(seed)
    cols = {}
    for j in range(Z.shape[1]):
        z = Z[:, j] / Z[:, j].std()
        value = np.exp(0.6 * z) if j % 2 else (z - z.min() + 0.5) ** 2
        cols[f"x{j:02d}"] = value * 10 ** rng.uniform(-2, 3)
    return table_set("skewed-table", pd.DataFrame(cols), y)


def elongated_blobs(n: int = 1000, seed: int = 1501) -> Dataset:
    """5 groups of unequal size, each stretched along its own direction, in 4 columns, plus 5
    Gaussian nuisance columns of other scales and a binary one."""
    rng = np.random.default_rng(seed)
    y = rng.choice(5, n, p=[0.35, 0.25, 0.2, 0.12, 0.08])
    centres = rng.normal(0, 4.0, (5, 4))
    stretch = [np.linalg.qr(rng.normal(size=(4, 4)))[0][:, 0] for _ in range(5)]
    info = (centres[y] + rng.normal(0, 0.6, (n, 4))
            + rng.normal(0, 3.0, (n, 1)) * np.stack(stretch)[y])
    cols = {f"e{j}": info[:, j] * 10 ** rng.uniform(-1, 2) for j in range(4)}
    for j in range(5):
        cols[f"g{j}"] = rng.normal(rng.uniform(-5, 5), 10 ** rng.uniform(-1, 1), n)
    cols["flag"] = rng.integers(0, 2, n)
    return table_set("elongated-blobs", pd.DataFrame(cols), y)


def arcs_nuisance(n: int = 1200, seed: int = 1502) -> Dataset:
    """3 interleaved half-circle arcs (as in two moons, one more), mapped linearly into 6
    columns with a little noise, plus 3 log-normal nuisance columns."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    t = rng.uniform(0, np.pi, n)
    sign = np.where(y % 2, -1.0, 1.0)
    plane = np.stack([np.cos(t) + 1.1 * y, sign * np.sin(t) + 0.4 * sign], axis=1)
    plane += rng.normal(0, 0.12, plane.shape)
    info = plane @ rng.normal(0, 1, (2, 6)) + rng.normal(0, 0.05, (n, 6))
    cols = {f"a{j}": info[:, j] for j in range(6)}
    for j in range(3):
        cols[f"l{j}"] = rng.lognormal(0, 0.8, n) * (j + 1)
    return table_set("arcs-nuisance", pd.DataFrame(cols), y)


def small_blobs(n: int = 240, seed: int = 222) -> Dataset:
    """4 groups of unequal spread in 5 columns, plus 3 uniform nuisance columns."""
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 4, n)
    centres = rng.normal(0, 2.5, (4, 5))
    spread = np.array([0.6, 1.0, 1.4, 0.8])[y][:, None]
    info = centres[y] + rng.normal(0, 1.0, (n, 5)) * spread
    cols = {f"f{j}": info[:, j] * 10 ** rng.uniform(-1, 2) for j in range(5)}
    for j in range(3):
        cols[f"u{j}"] = rng.uniform(0, 10 ** rng.uniform(0, 2), n)
    return table_set("small-blobs", pd.DataFrame(cols), y)
