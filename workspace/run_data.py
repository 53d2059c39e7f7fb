"""The data a run was computed on: found by its fingerprint, loaded with the run's roles.

Every reader of a run (map, review, export, the app's pages) goes through here, so a run is
never shown or exported with another file's rows: the file must still hash to the sha256 the
run recorded, and it is read with the column roles (kind, text/label/id column, …) the run
used, not with whatever a project's settings say today.
"""

from __future__ import annotations

import logging
from pathlib import Path

from clustering.dataset import Dataset
from clustering.errors import InputError
from clustering.loaders import load_data

from .atomic import write_json
from .fingerprint import data_fingerprint

log = logging.getLogger(__name__)

__all__ = ["ROLE_KEYS", "attach_data", "file_fingerprint", "load_run_data", "run_roles",
           "run_source"]

ROLE_KEYS = ("kind", "text_column", "label_column", "id_column", "drop_invalid",
             "image_size", "map_columns", "feature_columns", "ignore_columns", "fill_missing",
             "transpose", "images_root")
"""The :class:`~clustering.pipeline.RunConfig` fields that decide how a file is read."""

_HASHES: dict[tuple, str] = {}


def _stamp(path: Path) -> tuple:
    """What changes whenever a file's (or a folder's files') content can have changed."""
    if path.is_dir():
        return tuple(sorted((str(p.relative_to(path)), p.stat().st_size, p.stat().st_mtime_ns)
                            for p in path.rglob("*") if p.is_file()))
    stat = path.stat()
    return (stat.st_size, stat.st_mtime_ns, stat.st_ino)


def file_fingerprint(source: str) -> str:
    """:func:`~workspace.fingerprint.data_fingerprint`, hashed again only when the file's
    size or modification time changed (a page rerun must not re-read a large file)."""
    if source.startswith("demo:"):
        return data_fingerprint(source)
    path = Path(source)
    key = (str(path.resolve()), _stamp(path))
    if key not in _HASHES:
        if len(_HASHES) > 256:
            _HASHES.clear()
        _HASHES[key] = data_fingerprint(source)
    return _HASHES[key]


def run_source(run_json: dict, elsewhere: str | None = None) -> str:
    """Where the data of a run is now, checked against the fingerprint it was computed on.

    Parameters
    ----------
    run_json : dict
        The run's ``run.json``.
    elsewhere : str, optional
        Another place the same data may be (a project's re-attached file); used when the
        run's own path is gone or holds other content.

    Returns
    -------
    str
        A path (or ``demo:NAME``) whose content hashes to the run's ``data.sha256``.

    Raises
    ------
    InputError
        When no candidate holds the run's data.
    """
    source = run_json["config"]["data"]
    wanted = run_json["data"]["sha256"]
    candidates = [source] + ([elsewhere] if elsewhere and elsewhere != source else [])
    for candidate in candidates:
        if (candidate.startswith("demo:") or Path(candidate).exists()) and \
                file_fingerprint(candidate) == wanted:
            return candidate
    if source.startswith("demo:"):
        raise InputError(f"The demo '{source}' is not the version this run was made on "
                         "(scikit-learn changed); run it again.")
    changed = next((c for c in (elsewhere, source) if c and Path(c).exists()), None)
    if changed:  # where it was attached last, else where it was read
        raise InputError(f"The data '{changed}' changed since this run was made (its sha256 "
                         f"is no longer {wanted[:12]}…); run it again on the new content, or "
                         "put the original file back.")
    raise InputError(f"The run's data '{source}' is no longer there; put it back, or attach "
                     f"its new location with 'clusterlab attach --run {run_json['key']} "
                     "--data NEW_PATH'.")


def run_roles(config: dict) -> dict:
    """The column roles a run was read with (``kind``, ``text_column``, …)."""
    return {k: config.get(k) for k in ROLE_KEYS if config.get(k) is not None}


def load_run_data(run_json: dict, elsewhere: str | None = None) -> Dataset:
    """Load a run's data (see :func:`run_source`) with the run's own column roles."""
    source = run_source(run_json, elsewhere)
    roles = run_roles(run_json["config"])
    return load_data(source, roles.pop("kind", "auto"), **roles)


def attach_data(store, key: str, data: str, who: str | None = None) -> str:
    """Point a stored run (and its project, when it read the same file) at its data's new
    location, after checking that the file there is the run's data (same sha256).

    Returns
    -------
    str
        The new location.
    """
    from .runs import read_run

    run = store.get_run(key)
    if run is None:
        raise InputError(f"The store has no run '{key}'; 'clusterlab run' prints the keys.")
    if not Path(data).exists():
        raise InputError(f"'{data}' does not exist; give the path of the moved data.")
    run_json = read_run(Path(run["path"]))
    old = run_json["config"]["data"]
    if file_fingerprint(data) != run_json["data"]["sha256"]:
        raise InputError(f"'{data}' is not the data run {key} was made on (its sha256 "
                         "differs); run 'clusterlab run' on it instead.")
    run_json["config"]["data"] = data
    write_json(Path(run["path"]) / "run.json", run_json)
    store.relocate_run(key, data)
    project = store.project(run["project_id"]) if run["project_id"] is not None else None
    if project is not None and project["data"] == old:
        store.move_data(project["id"], data, who=who)
    log.info("run %s: data moved from %s to %s", key, old, data)
    return data
