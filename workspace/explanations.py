"""Explanations of a stored run, computed once and kept in the run's folder."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np

from clustering.progress import ProgressFn, no_progress

from .atomic import write_json, write_with
from .run_data import load_run_data
from .runs import load_assignments, load_clustering, read_artifact, read_run
from .store import Store

__all__ = ["EXPLANATIONS", "SUGGESTED_NAMES", "ensure_explanations", "explanations_ready",
           "load_point_ambiguity", "rules_with_budget", "suggested_names"]

log = logging.getLogger(__name__)

EXPLANATIONS = "explanations.json"
AMBIGUITY = "ambiguity.npy"
SUGGESTED_NAMES = "suggested_names.json"


def _stored_report(run_dir: Path) -> dict | None:
    """The stored report when it exists and was made by this :data:`EXPLAIN_VERSION`."""
    from explain.report import EXPLAIN_VERSION

    target = Path(run_dir) / EXPLANATIONS
    if not target.exists():
        return None
    report = read_artifact(target, lambda p: json.loads(p.read_text(encoding="utf-8")))
    if report.get("explain_version") != EXPLAIN_VERSION:
        log.info("explanations of %s are from another explain version; recomputing",
                 Path(run_dir).name)
        return None
    return report


def explanations_ready(run_dir: Path) -> bool:
    """True when the run's explanations are stored and current (nothing to compute)."""
    return _stored_report(run_dir) is not None


def ensure_explanations(run_dir: Path, store: Store | None = None,
                        progress: ProgressFn = no_progress, dataset=None, **options) -> dict:
    """Read ``explanations.json`` of a run, computing and storing it when missing.

    Parameters
    ----------
    run_dir : Path
        A stored run folder.
    store : Store, optional
        For cluster names.
    progress : callable
    dataset : Dataset, optional
        The run's data (reloaded when omitted).
    **options
        Budgets passed to :func:`explain.report.explain_clustering`.

    Returns
    -------
    dict
    """
    from explain.report import explain_clustering

    run_dir = Path(run_dir)
    target = run_dir / EXPLANATIONS
    stored = None if options else _stored_report(run_dir)
    if stored is not None:
        return stored
    run_json = read_run(run_dir)
    data = dataset or load_run_data(run_json)
    X = read_artifact(run_dir / "features.npy", lambda p: np.load(p, allow_pickle=False))
    feature_names = read_artifact(run_dir / "features_names.json",
                                  lambda p: json.loads(p.read_text()))
    clustering = load_clustering(run_dir)
    if (run_dir / "model.json").exists():
        from clustering.deep.model import DeepModel

        clustering = _with_model(clustering, DeepModel.load(run_dir))
    frame = load_assignments(run_dir)
    xy = frame[["x", "y"]].to_numpy()
    names = {c: r.get("name") for c, r in store.clusters(run_json["key"]).items()} \
        if store else {}
    report, score = explain_clustering(data, X, feature_names, clustering, xy, names=names,
                                       random_state=run_json["seed"], progress=progress,
                                       **options)
    write_with(run_dir / AMBIGUITY, lambda p: _save_npy(p, score))
    write_json(target, report)
    return report


def _save_npy(path: Path, values: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, values.astype(np.float32), allow_pickle=False)


def _with_model(clustering, model):
    from dataclasses import replace

    return replace(clustering, model=model)


def rules_with_budget(run_dir: Path, data, max_leaves: int) -> dict:
    """Re-grow only the rule tree with another leaf budget (fast; nothing is stored)."""
    from explain.readable import readable_features
    from explain.rules import describe_rules

    clustering = load_clustering(run_dir)
    X, names = readable_features(data)
    rules = describe_rules(X, names, clustering.labels, max_leaves=max_leaves)
    return {"fidelity": rules.fidelity, "leaves": rules.leaves,
            "rules": {c: r.to_json() for c, r in rules.rules.items()}}


def load_point_ambiguity(run_dir: Path) -> np.ndarray | None:
    """Per-point ambiguity of a run, or None before explanations were computed."""
    path = Path(run_dir) / AMBIGUITY
    if not path.exists():
        return None
    return read_artifact(path, lambda p: np.load(p, allow_pickle=False))



def suggested_names(run_dir: Path, data) -> dict[int, str]:
    """Proposed names of a run's clusters (:func:`explain.naming.suggest_names` on the
    run's own labels), computed once and kept in the run's folder.

    Parameters
    ----------
    run_dir : Path
    data : Dataset, callable or None
        The run's data, or a function that loads it (called only when the names must be
        computed); None: only what was kept is read, nothing is computed.

    Returns
    -------
    dict
        Cluster id -> proposed name.
    """
    from explain.naming import suggest_names
    from explain.report import EXPLAIN_VERSION

    target = Path(run_dir) / SUGGESTED_NAMES
    if target.exists():
        stored = read_artifact(target, lambda p: json.loads(p.read_text(encoding="utf-8")))
        if stored.get("explain_version") == EXPLAIN_VERSION:
            return {int(c): n for c, n in stored["names"].items()}
    if data is None:
        return {}
    names = suggest_names(data() if callable(data) else data, load_clustering(run_dir).labels)
    try:
        write_json(target, {"explain_version": EXPLAIN_VERSION,
                            "names": {str(c): n for c, n in names.items()}})
    except OSError as exc:  # a read-only run folder still shows the names
        log.warning("could not keep the suggested names of %s: %s", Path(run_dir).name, exc)
    return names
