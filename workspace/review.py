"""Cluster-level review on top of the store: current labels, merge, split, move, new cluster."""

from __future__ import annotations

import numpy as np

from clustering.errors import InputError

from .runs import load_assignments
from .store import Store

__all__ = ["cluster_name", "current_labels", "merge_clusters", "move_points", "new_cluster_id",
           "row_positions", "split_cluster"]


def cluster_name(cluster, names: dict, suggested: dict | None = None) -> str:
    """A cluster's reviewed name (``names`` from ``Store.clusters``), ``noise`` for -1,
    else its proposed name (``suggested``, when given), else ``cluster <id>``."""
    cluster = int(cluster)
    if cluster < 0:
        return "noise"
    return ((names.get(cluster) or {}).get("name") or (suggested or {}).get(cluster)
            or f"cluster {cluster}")


def current_labels(store: Store, run_key: str, run_dir, *, frame=None, points=None
                   ) -> tuple[np.ndarray, np.ndarray]:
    """Point ids and their cluster after every review move.

    Parameters
    ----------
    store, run_key, run_dir
    frame : DataFrame, optional
        The run's assignments when the caller already read them.
    points : DataFrame, optional
        ``store.point_label_table(run_key)`` when the caller already read it.

    Returns
    -------
    ids : ndarray of str, shape (n,)
    labels : ndarray of int64, shape (n,)
    """
    frame = load_assignments(run_dir) if frame is None else frame
    ids = frame["id"].astype(str).to_numpy()
    labels = frame["cluster"].to_numpy(dtype=np.int64).copy()
    points = store.point_label_table(run_key) if points is None else points
    moved = points[points["cluster"].notna()]
    rows, found = row_positions(ids, moved["point_id"])
    labels[rows] = moved["cluster"].to_numpy()[found].astype(np.int64)
    return ids, labels


def row_positions(ids: np.ndarray, wanted) -> tuple[np.ndarray, np.ndarray]:
    """Rows of ``ids`` holding the ``wanted`` ids, and which of ``wanted`` were found."""
    import pandas as pd

    if len(wanted) == 0:  # nothing to find: no index over every id (a second per million)
        return np.empty(0, np.int64), np.zeros(0, bool)
    where = pd.Index(ids).get_indexer(pd.Index(wanted, dtype=object))
    found = where >= 0
    return where[found], found


def new_cluster_id(labels: np.ndarray, store: Store, run_key: str) -> int:
    """The next unused cluster id (also past named-but-empty clusters)."""
    named = list(store.clusters(run_key))
    return int(max([int(labels.max()) if len(labels) else -1, *named, -1]) + 1)


def move_points(store: Store, run_key: str, run_dir, point_ids, target: int | None = None,
                new_name: str | None = None, who: str | None = None, **edit) -> int:
    """Move points to an existing cluster, or to a new one named ``new_name``.

    ``edit`` (``seen``, ``session``) is passed to the store for conflict checks, here and
    in the other review functions.

    Returns
    -------
    int
        The target cluster id.
    """
    ids = [str(p) for p in point_ids]
    if not ids:
        raise InputError("No points are selected; draw a box or lasso on the map first.")
    if target is None:  # every cluster id ever used, without rebuilding current labels
        labels = np.concatenate([load_assignments(run_dir)["cluster"].to_numpy(np.int64),
                                 np.asarray(store.moved_clusters(run_key), np.int64)])
        target = new_cluster_id(labels, store, run_key)
        store.set_cluster(run_key, target, name=new_name or f"cluster {target}", who=who,
                          **edit)
    store.label_points(run_key, ids, cluster=int(target), who=who, action="move_points",
                       **edit)
    return int(target)


def merge_clusters(store: Store, run_key: str, run_dir, source: int, target: int,
                   who: str | None = None, **edit) -> int:
    """Move every member of ``source`` into ``target``; returns how many moved."""
    if source == target:
        raise InputError("Choose two different clusters to merge.")
    ids, labels = current_labels(store, run_key, run_dir)
    members = ids[labels == source].tolist()
    if not members:
        raise InputError(f"Cluster {source} has no members left to merge.")
    store.label_points(run_key, members, cluster=int(target), who=who, action="merge",
                       extra={"source": int(source), "target": int(target)}, **edit)
    return len(members)


def split_cluster(store: Store, run_key: str, run_dir, cluster: int, parts: int = 2,
                  seed: int = 0, who: str | None = None, **edit) -> list[int]:
    """Re-cluster one cluster's members with k-means on the run's features.

    The largest part keeps the cluster id; the others get new ids. The moves are one
    transaction and one audit entry, so Undo takes back the whole split.

    Returns
    -------
    list of int
        Cluster ids of the parts.
    """
    from pathlib import Path

    from clustering.kselect import kmeans_fit

    ids, labels = current_labels(store, run_key, run_dir)
    rows = np.flatnonzero(labels == cluster)
    if len(rows) < max(parts, 2) * 2:
        raise InputError(f"Cluster {cluster} has {len(rows)} member(s); a split into {parts} "
                         f"needs at least {max(parts, 2) * 2}.")
    X = np.load(Path(run_dir) / "features.npy", allow_pickle=False, mmap_mode="r")[rows]
    sub = kmeans_fit(np.asarray(X), parts, seed).labels_
    order = np.argsort(-np.bincount(sub, minlength=parts))
    first_new = new_cluster_id(labels, store, run_key)
    out, moved, targets = [int(cluster)], [], []
    for rank, part in enumerate(order[1:]):
        members = ids[rows[sub == part]].tolist()
        moved += members
        targets += [first_new + rank] * len(members)
        out.append(first_new + rank)
    store.label_points(run_key, moved, targets=targets, who=who, action="split",
                       extra={"source": int(cluster), "parts": out}, **edit)
    return out
