"""Projects as the app sees them: the demo bootstrap, uploads saved to disk, run configs."""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from clustering.errors import InputError
from clustering.hdf5_counts import HDF5_SUFFIXES
from clustering.loaders import TABLE_SUFFIXES
from clustering.pipeline import RunConfig

from .atomic import write_bytes, write_with
from .store import Store

__all__ = ["DEMO_CONFIG", "MAX_UPLOAD_BYTES", "SHIPPED_DEMO", "adopt_upload", "bootstrap_demo",
           "config_for", "import_run", "stage_upload"]

log = logging.getLogger(__name__)

DEMO_CONFIG = RunConfig(data="demo:digits", method="auto", clusters=10, seed=0)
"""The run every fresh store starts with: ``auto``, the default method, on the ten digits.

k is given because the demo's groups are known (ten digits) and ``auto``'s estimate of it
varies with the learned view on these few pixels (seed 0: 9 clusters, ACC 0.881; seed 1:
11, 0.926; given 10: 0.975). Until stop 61 the demo was HDBSCAN on a 5-D UMAP (14 clusters,
ACC 0.913), so a new user's first map was not the method the app runs by default."""

MAX_UPLOAD_BYTES = 1024 * 1024**2
UPLOAD_SUFFIXES = (*TABLE_SUFFIXES, ".npy", ".zip", *HDF5_SUFFIXES)


SHIPPED_DEMO = Path(__file__).parent / "demo_run"
"""The demo's first run, computed when clusterlab was built (``python -m
workspace.build_demo``) and installed with it, so a new user's first map needs no
computation. ``CLUSTERLAB_SHIPPED_DEMO=0`` makes the app compute it instead."""


def bootstrap_demo(store: Store, progress=None, timeout: float = 600.0) -> tuple[int, str]:
    """Make sure the demo project exists and has its first run (reused when stored).

    The run shipped with clusterlab (:data:`SHIPPED_DEMO`) is copied into the store when
    there is one; otherwise a worker process computes it (see :mod:`workspace.jobs`) and
    this waits for it, reporting progress, because a fresh store has nothing else to show.

    Returns
    -------
    project_id : int
    run_key : str
    """
    import os

    from . import jobs

    pid = store.create_project("demo:digits", "demo:digits")
    if os.environ.get("CLUSTERLAB_SHIPPED_DEMO", "1") != "0" and \
            (SHIPPED_DEMO / "run.json").exists():
        return pid, import_run(store, SHIPPED_DEMO, pid, note=(
            "This demo run was computed when clusterlab was built and installed with it; "
            "run it again from the Cluster page to compute it here."))
    job, _ = jobs.submit_run(store, DEMO_CONFIG, pid)
    job = jobs.wait(store, job["id"], timeout, on_progress=lambda j: progress and progress(
        float(j["fraction"]), j["message"]))
    if job["state"] != "done":
        raise InputError(f"The demo could not be prepared ({job['state']}: "
                         f"{job['error'] or job['message']}); see the server log.")
    return pid, job["result"]


def import_run(store: Store, folder: Path, project_id: int, note: str = "") -> str:
    """Copy a finished run folder into the store under its key and register it.

    The folder is copied under a temporary name and renamed into place, as
    :func:`workspace.runs.ensure_run` stores a computed run.

    Returns
    -------
    str
        The run's key.
    """
    import json
    import shutil
    import tempfile

    run_json = json.loads((Path(folder) / "run.json").read_text(encoding="utf-8"))
    key = run_json["key"]
    if store.get_run(key) is None:
        final = store.run_dir(key)
        staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=final.parent))
        try:
            shutil.copytree(folder, staging, dirs_exist_ok=True)
            if note:
                run_json["notes"] = [*run_json.get("notes", []), note]
                (staging / "run.json").write_text(json.dumps(run_json), encoding="utf-8")
            if final.exists():
                shutil.rmtree(final)
            staging.rename(final)
        finally:
            shutil.rmtree(staging, ignore_errors=True)
        store.register_run(key, project_id, run_json)
    return key


_STAGING: list[Path] = []
"""This process's staging folder (made on first use)."""


def stage_upload(filename: str, data: bytes) -> Path:
    """Write an upload to a private staging folder outside the store.

    The Data page reads it from there, and only a project made from it moves it into the
    store (:func:`adopt_upload`), so a refused or abandoned upload leaves the store as it
    was. The name is reduced to safe characters; the content hash keeps two different files
    with one name apart and makes a repeated upload land on the same path. The folder is
    made by ``tempfile.mkdtemp`` (new, owner-only, unguessable) once per process.

    Raises
    ------
    InputError
        An empty file, one over :data:`MAX_UPLOAD_BYTES`, or a type clusterlab does not read.
    """
    import tempfile

    if not _STAGING or not _STAGING[0].is_dir():
        _STAGING[:] = [Path(tempfile.mkdtemp(prefix="clusterlab-staging-"))]
    return _write_upload(_STAGING[0], filename, data)


def adopt_upload(store: Store, path: str | Path) -> Path:
    """Move a staged upload into the store's ``uploads/<hash>/``; other paths (demos, files
    already in the store) come back unchanged."""
    import shutil

    path = Path(path)
    if not path.parent.parent.name.startswith("clusterlab-staging-"):
        return path
    target = store.root / "uploads" / path.parent.name / path.name
    if not target.exists():
        write_with(target, lambda tmp: shutil.copyfile(path, tmp))
    return target


def _write_upload(folder: Path, filename: str, data: bytes) -> Path:
    if len(data) == 0:
        raise InputError(f"'{filename}' is empty (0 bytes); choose a file that has data.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise InputError(f"'{filename}' is {len(data) / 2**20:,.0f} MiB, over the "
                         f"{MAX_UPLOAD_BYTES // 2**20:,} MiB upload limit; split it or use "
                         "the command line on the file directly.")
    safe = re.sub(r"[^\w.\-]+", "_", Path(filename).name).lstrip(".") or "upload"
    if not safe.lower().endswith(UPLOAD_SUFFIXES):
        raise InputError(f"'{filename}' is not a type clusterlab reads; upload CSV (also "
                         ".csv.gz), Excel (.xlsx), Parquet, JSON Lines, .npy, a single-cell "
                         ".h5ad or .h5, or a .zip of images, texts or a 10x count matrix.")
    digest = hashlib.sha256(data).hexdigest()[:16]
    path = folder / digest / safe
    if not path.exists():
        write_bytes(path, data)
    return path


def config_for(data: str, **settings) -> RunConfig:
    """A :class:`RunConfig` from the app's widget values (``None`` and 0 mean automatic)."""
    clusters = settings.pop("clusters", None) or None
    mcs = settings.pop("min_cluster_size", None) or None
    return RunConfig(data=data, clusters=clusters, min_cluster_size=mcs, **settings)
