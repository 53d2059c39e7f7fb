"""Tables the app shows, computed without Streamlit: the map frame, cluster list, selection."""

from __future__ import annotations

import weakref

import numpy as np
import pandas as pd

from clustering.dataset import Dataset
from workspace.explanations import suggested_names
from workspace.review import cluster_name, current_labels, row_positions
from workspace.runs import load_assignments
from workspace.store import Store

from .map_payload import HOVER_UP_TO

__all__ = ["auto_choice_table", "cluster_table", "hover_text", "map_frame", "selection_summary"]


_HOVER: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def hover_text(data: Dataset, limit: int = 140) -> list[str]:
    """One short line per point: the text snippet, or the first column values (computed
    once per loaded data set)."""
    if data not in _HOVER or _HOVER[data][0] != limit:
        _HOVER[data] = (limit, _hover_text(data, limit))
    return _HOVER[data][1]


def _hover_text(data: Dataset, limit: int) -> list[str]:
    if data.texts is not None:
        return [t if len(t) <= limit else t[:limit] + "…" for t in data.texts]
    if data.modality == "images":
        return [str(i) for i in data.ids]
    cols = list(data.table.columns[:4])
    parts = []
    for c in cols:
        col = data.table[c]
        text = col.map(lambda v: f"{v:.4g}") if col.dtype.kind == "f" else col.astype(str)
        parts.append(f"{c}=" + text)
    joined = parts[0]
    for part in parts[1:]:
        joined = joined + ", " + part
    return joined.tolist()


def _named(codes: np.ndarray, names: list[str]) -> pd.Categorical:
    """``names[codes]`` as a categorical column (names may repeat; no string per row)."""
    categories = list(dict.fromkeys(names))
    position = {name: i for i, name in enumerate(categories)}
    remap = np.array([position[name] for name in names], np.int64)
    return pd.Categorical.from_codes(remap[codes], categories=categories)


def _as_categories(values: np.ndarray, label=str) -> pd.Categorical:
    """Any per-row values as a categorical of their texts (``label`` of each distinct one)."""
    codes, uniques = pd.factorize(np.asarray(values), use_na_sentinel=False)
    return _named(codes, [label(u) for u in uniques])


def map_frame(store: Store, run_key: str, run_dir, data) -> pd.DataFrame:
    """One row per point with everything the map needs.

    Columns: ``id, x, y, cluster, cluster_name, confidence, label, hover`` and ``truth``
    when the data has ground truth. Names, labels, truth and alternatives are categorical
    columns: a million rows cost integer codes, not a million strings.

    Parameters
    ----------
    store, run_key, run_dir
    data : Dataset or callable
        The run's data, or a function that loads it: then it is called only when the run's
        folder lacks what the map needs (proposed names, ground truth, texts or hover lines
        of a small run), so a large table's map does not wait for the table.
    """
    from workspace.runs import load_truth, read_run

    frame = load_assignments(run_dir)
    load = data if callable(data) else (lambda: data)
    points = store.point_label_table(run_key)
    ids, labels = current_labels(store, run_key, run_dir, frame=frame, points=points)
    names = store.clusters(run_key)
    info = read_run(run_dir).get("data", {})
    suggested = suggested_names(run_dir, load)
    frame.attrs["suggested_names"] = suggested
    frame.attrs["modality"] = info.get("modality")
    frame["id"] = pd.Series(ids, index=frame.index, dtype=object)  # fast hashed look-ups
    frame["cluster"] = labels
    frame["cluster_name"] = _as_categories(
        labels, lambda c: cluster_name(int(c), names, suggested))
    own = points[points["label"].notna() & (points["label"] != "")]
    rows, found = row_positions(ids, own["point_id"])
    if len(rows):
        label = frame["cluster_name"].to_numpy(object).copy()
        label[rows] = own["label"].to_numpy(object)[found]
        frame["label"] = _as_categories(label)
    else:
        frame["label"] = frame["cluster_name"]
    # the map carries hover lines up to HOVER_UP_TO points; above, no per-row formatting
    # (seconds per million table rows)
    small = len(frame) <= HOVER_UP_TO or info.get("modality") in ("text", None)
    frame["hover"] = hover_text(load()) if small else ""
    frame["row"] = np.arange(len(frame))
    truth = load_truth(run_dir)
    if truth is not None and len(truth[0]) == len(frame):
        frame["truth"] = _named(*truth)
    elif truth is None and load().labels is not None:  # a run from before truth.npz
        frame["truth"] = _as_categories(load().labels)
    alternatives = _alternatives(run_dir)
    if alternatives is not None and len(alternatives) == len(frame):
        for j in range(alternatives.shape[1]):
            frame[f"alternative {j + 1}"] = _as_categories(alternatives[:, j],
                                                           lambda c: f"cluster {c}")
    return frame


def _alternatives(run_dir) -> np.ndarray | None:
    from pathlib import Path

    from workspace.runs import read_artifact

    def read(path):
        with np.load(path, allow_pickle=False) as z:
            return z["alternatives"] if "alternatives" in z.files else None

    return read_artifact(Path(run_dir) / "clustering.npz", read)


def cluster_table(frame: pd.DataFrame, store: Store, run_key: str) -> pd.DataFrame:
    """Per cluster: name, size, mean confidence, review status (largest first).

    ``suggested`` is True where the name shown is a proposal (``frame.attrs
    ["suggested_names"]``) that no reviewer has accepted yet."""
    review = store.clusters(run_key)
    proposals = frame.attrs.get("suggested_names") or {}
    labels = frame["cluster"].to_numpy(np.int64)
    low = int(labels.min()) if len(labels) else 0
    sizes = np.bincount(labels - low)
    present = np.flatnonzero(sizes)
    confidence = np.bincount(labels - low, weights=frame["confidence"].to_numpy(np.float64))
    grouped = pd.DataFrame({"size": sizes[present],
                            "confidence": confidence[present] / sizes[present]},
                           index=pd.Index(present + low, name="cluster"))
    grouped["name"] = [cluster_name(c, review, proposals) for c in grouped.index]
    grouped["suggested"] = [not (review.get(int(c)) or {}).get("name") and int(c) in proposals
                            for c in grouped.index]
    grouped["status"] = [(review.get(int(c)) or {}).get("status", "unreviewed")
                         for c in grouped.index]
    grouped["notes"] = [(review.get(int(c)) or {}).get("notes", "") for c in grouped.index]
    out = grouped.reset_index()[["cluster", "name", "suggested", "size", "confidence",
                                 "status", "notes"]]
    return out.sort_values(["size", "cluster"], ascending=[False, True]).reset_index(drop=True)


def selection_summary(frame: pd.DataFrame, rows: np.ndarray) -> pd.DataFrame:
    """Cluster composition of a selection (rows of ``frame``): cluster, name, count, share."""
    rows = np.asarray(rows, np.int64)
    if not len(rows):
        return pd.DataFrame(columns=["cluster", "name", "count", "share"])
    chosen = frame["cluster"].to_numpy(np.int64)[rows]
    clusters, first, count = np.unique(chosen, return_index=True, return_counts=True)
    names = frame["cluster_name"].to_numpy(object)[rows[first]]
    counts = pd.DataFrame({"cluster": clusters, "name": [str(n) for n in names],
                           "count": count})
    counts["share"] = counts["count"] / counts["count"].sum()
    return counts.sort_values("count", ascending=False, kind="stable").reset_index(drop=True)


def auto_choice_table(choice: dict) -> pd.DataFrame:
    """Every candidate ``auto`` tried: its criterion value per reference graph, mean, seconds.

    Parameters
    ----------
    choice : dict
        ``run.json``'s ``fit_info["auto"]``.

    Returns
    -------
    DataFrame
        One row per candidate, best first, the winner marked.
    """
    rows = []
    for name, score in sorted(choice["scores"].items(), key=lambda kv: -kv[1]):
        per_graph = choice.get("scores_per_graph", {}).get(name, {})
        rows.append({"candidate": name + (" (chosen)" if name == choice["winner"] else ""),
                     "score": score, **{f"on {g} graph": v for g, v in per_graph.items()},
                     "seconds": choice.get("seconds", {}).get(name)})
    return pd.DataFrame(rows)



def column_roles(columns: list[str], settings: dict, data) -> list[dict]:
    """Each column of a table and what it is for: feature, colour/export only, id, ground
    truth, text, map or ignored (the Data page's table)."""
    features = set(data.feature_table().columns) if data.modality in ("table", "series",
                                                                      "embeddings") else set()
    kept = set(data.table.columns)
    fixed = {settings.get("id_column"): "id", settings.get("label_column"): "ground truth",
             settings.get("text_column"): "text",
             **{c: "map" for c in settings.get("map_columns") or []},
             **{c: "ignored" for c in settings.get("ignore_columns") or []}}
    rows = []
    for col in columns:
        if col in fixed:
            role = fixed[col]
        elif col in features:
            role = "feature (clustered on)"
        elif col in kept:
            role = "colour and export only"
        else:
            role = "ignored (see the notes above)"
        rows.append({"column": col, "role": role})
    return rows


RUN_FORM_KEYS = ("rep", "method", "k", "mcs", "seed", "device", "epochs")
"""Widget keys of the Cluster page's run form that :func:`run_form_defaults` fills."""


def run_form_defaults(config: dict | None) -> dict:
    """The Cluster page's run form filled from a run's config (its defaults without one).

    So "run it again" repeats the shown run, and changing one setting keeps the others.

    Parameters
    ----------
    config : dict or None
        ``run.json``'s ``config`` of the shown run.

    Returns
    -------
    dict
        Widget key -> starting value, for every key in :data:`RUN_FORM_KEYS`.

    Examples
    --------
    >>> run_form_defaults({"method": "auto", "clusters": 10, "seed": 0})["k"]
    10
    >>> run_form_defaults(None)["method"], run_form_defaults({"method": "gone"})["method"]
    ('auto', 'auto')
    """
    from clustering.clusterers import METHODS
    from clustering.features import REPRESENTATIONS

    config = config or {}

    def known(value, allowed, default):
        return value if value in allowed else default

    return {"rep": known(config.get("representation"), REPRESENTATIONS, "auto"),
            "method": known(config.get("method"), METHODS, "auto"),
            "k": int(config.get("clusters") or 0),
            "mcs": int(config.get("min_cluster_size") or 0),
            "seed": int(config.get("seed") or 0),
            "device": known(config.get("device"), ("auto", "cpu", "cuda"), "auto"),
            "epochs": int(config.get("epochs") or 0)}
