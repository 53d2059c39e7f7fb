"""Two runs of one project side by side: their figures and how their clusters overlap."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from clustering.errors import InputError

from .review import cluster_name, current_labels
from .store import Store

__all__ = ["Comparison", "compare_runs"]

FIGURES = (("method", "method"), ("n_clusters", "clusters"), ("noise_share", "noise"),
           ("silhouette", "silhouette"), ("acc", "ACC vs truth"), ("nmi", "NMI vs truth"),
           ("ari", "ARI vs truth"))


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare_runs` found.

    Parameters
    ----------
    figures : DataFrame
        One row per figure (method, clusters, noise, silhouette, truth metrics, time),
        one column per run.
    crosstab : DataFrame
        Points in each pair of clusters (rows: the first run's clusters, columns: the
        second's), named as the review names them.
    ari, nmi : float
        Agreement of the two clusterings (1 = the same partition).
    shared : int
        Points both runs assign (matched by id).
    """

    figures: pd.DataFrame
    crosstab: pd.DataFrame
    ari: float
    nmi: float
    shared: int


def _names(store: Store, run: dict, labels: np.ndarray) -> np.ndarray:
    from .explanations import suggested_names

    reviewed = store.clusters(run["key"])
    proposed = suggested_names(Path(run["path"]), None)
    table = {int(c): cluster_name(c, reviewed, proposed) for c in np.unique(labels)}
    return np.array([table[int(c)] for c in labels], dtype=object)


def compare_runs(store: Store, run_a: dict, run_b: dict) -> Comparison:
    """Compare two runs of the same data (review moves included).

    Parameters
    ----------
    store : Store
    run_a, run_b : dict
        Runs as ``Store.runs`` lists them.

    Returns
    -------
    Comparison
    """
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    if run_a["project_id"] != run_b["project_id"]:
        raise InputError("Only runs of the same project (the same data) can be compared.")
    ids_a, labels_a = current_labels(store, run_a["key"], run_a["path"])
    ids_b, labels_b = current_labels(store, run_b["key"], run_b["path"])
    a = pd.Series(_names(store, run_a, labels_a), index=ids_a.astype(str), name="a")
    b = pd.Series(_names(store, run_b, labels_b), index=ids_b.astype(str), name="b")
    both = pd.concat([a, b], axis=1, join="inner")
    if both.empty:
        raise InputError("These two runs share no point ids, so their clusters cannot be "
                         "compared.")
    crosstab = pd.crosstab(both["a"], both["b"])
    crosstab.index.name, crosstab.columns.name = "first run", "second run"
    columns = {}
    for run in (run_a, run_b):
        metrics = run.get("metrics") or {}
        values = [run["config"]["method"] if key == "method" else metrics.get(key)
                  for key, _ in FIGURES]
        values.append(run["timings"].get("total"))
        columns[f"{run['config']['method']} · {run['key'][:8]}"] = values
    figures = pd.DataFrame(columns, index=[label for _, label in FIGURES] + ["seconds"])
    figures = figures.map(lambda v: f"{v:.3f}" if isinstance(v, float) else
                          ("–" if v is None else str(v)))
    return Comparison(figures, crosstab,
                      float(adjusted_rand_score(both["a"], both["b"])),
                      float(normalized_mutual_info_score(both["a"], both["b"])), len(both))
