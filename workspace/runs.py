"""Compute a run once, keep its artifacts under its content key, and reuse them."""

from __future__ import annotations

import logging
import pickle
import shutil
import tempfile
import time
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from clustering.clustering_result import Clustering
from clustering.errors import InputError, InternalError
from clustering.pipeline import RunConfig, RunResult, run_pipeline
from clustering.progress import ProgressFn, no_progress

from .atomic import write_folder, write_json, write_with
from .fingerprint import data_fingerprint, package_versions, run_key
from .store import Store, now

__all__ = ["TRUTH", "StoredRun", "build_run_json", "ensure_run", "load_assignments",
           "load_truth", "planned_key", "read_artifact", "read_run", "save_truth",
           "write_artifacts", "write_outputs"]

log = logging.getLogger(__name__)

ASSIGNMENTS = "assignments.parquet"
FEATURES_TRANSFORM = "features_transform.json"
"""How the run's features were computed (to compute them for new rows)."""
RUN_JSON = "run.json"


@dataclass(frozen=True)
class StoredRun:
    """A run on disk."""

    key: str
    path: Path
    run_json: dict
    reused: bool


def assignments_frame(result: RunResult) -> pd.DataFrame:
    """One row per input row: ``id, cluster, confidence, x, y``."""
    clus, xy = result.clustering, result.projection.xy
    return pd.DataFrame({
        "id": pd.Series(result.dataset.ids, dtype="string"),
        "cluster": clus.labels.astype(np.int64),
        "confidence": np.clip(clus.confidence, 0, 1).astype(np.float64),
        "x": xy[:, 0].astype(np.float64), "y": xy[:, 1].astype(np.float64)})


def build_run_json(key: str, result: RunResult, data_hash: str) -> dict:
    """The ``run.json`` document of a finished run."""
    data = result.dataset
    metrics = dict(result.metrics)
    return {
        "key": key, "created_at": now(), "config": result.config.to_dict(),
        "seed": result.config.seed, "method": result.clustering.method,
        "params": result.clustering.params, "fit_info": result.clustering.info,
        "data": {"source": data.source, "name": data.name, "modality": data.modality,
                 "rows": data.n, "sha256": data_hash, "label_column": data.label_name,
                 "representation": result.features.representation,
                 "feature_dims": int(result.features.X.shape[1]),
                 **({"feature_columns": list(data.feature_table().columns)}
                    if data.modality == "table" else {}),
                 **({"image_side": int(data.images.shape[1])} if data.images is not None
                    else {}),
                 **({"pixel_range": list(data.pixel_range)} if data.pixel_range else {}),
                 **({"pixel_ranges": {kind: list(span) for kind, span in
                                      data.pixel_ranges.items()}} if data.pixel_ranges
                    else {})},
        "map": result.projection.method, **({"map_fit": result.projection.fit}
                                             if result.projection.fit else {}),
        "timings": {**result.timings, "total": round(sum(result.timings.values()), 4)},
        "versions": package_versions(), "metrics": metrics, "notes": list(result.notes)}


def planned_key(config: RunConfig) -> tuple[str, str]:
    """The content key a run of ``config`` is (or will be) stored under, and the data hash."""
    if config.sample is not None:  # read in chunks: the files' metadata is hashed
        from .fingerprint import partitioned_data_hash

        data_hash = partitioned_data_hash(config.data)
        return run_key(config.to_dict(), data_hash), data_hash
    data_hash = data_fingerprint(config.data) if config.data.startswith("demo:") or \
        Path(config.data).exists() else "missing"
    return run_key(config.to_dict(), data_hash), data_hash


def ensure_run(config: RunConfig, store: Store, project_id: int | None = None,
               progress: ProgressFn = no_progress, should_stop=None,
               checkpoint_dir: Path | None = None) -> StoredRun:
    """Return the stored run for ``config``, computing and storing it when new.

    The folder is built under a temporary name and renamed into place, and only then
    registered in the database, so a crash never leaves a half-written run.

    Parameters
    ----------
    config : RunConfig
    store : Store
    project_id : int, optional
    progress : callable
    should_stop : callable, optional
        Polled during long stages; True cancels the run.
    checkpoint_dir : Path, optional
        Finished stages and training checkpoints (a rerun with it resumes).

    Returns
    -------
    StoredRun
    """
    key, data_hash = planned_key(config)
    found = store.get_run(key)
    if found:
        log.info("reusing stored run %s", key)
        progress(1.0, "reused an identical earlier run")
        return StoredRun(key, Path(found["path"]), read_run(Path(found["path"])), True)
    start = time.perf_counter()
    result = run_pipeline(config, progress, should_stop=should_stop,
                          checkpoint_dir=checkpoint_dir)
    run_json = build_run_json(key, result, data_hash)
    run_json["timings"]["wall"] = round(time.perf_counter() - start, 4)
    final = store.run_dir(key)
    staging = Path(tempfile.mkdtemp(prefix=f".{key}.", dir=final.parent))
    try:
        write_artifacts(staging, result, run_json)
        if final.exists():
            shutil.rmtree(final)
        staging.rename(final)
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    try:
        store.register_run(key, project_id, run_json)
    except BaseException:  # e.g. the store is locked: no unregistered folder is left
        shutil.rmtree(final, ignore_errors=True)
        raise
    return StoredRun(key, final, run_json, False)


def write_artifacts(folder: Path, result: RunResult, run_json: dict) -> None:
    """Write a finished run's files into ``folder`` (``run.json`` last)."""
    assignments_frame(result).to_parquet(folder / ASSIGNMENTS, index=False)
    result.clustering.save(folder / "clustering.npz")
    if result.clustering.model is not None:
        result.clustering.model.save(folder)
    np.save(folder / "features.npy", result.features.X, allow_pickle=False)
    save_truth(folder, result.dataset.labels)
    write_json(folder / "features_names.json", list(result.features.names))
    write_json(folder / FEATURES_TRANSFORM, result.features.transform())
    _keep_proposed_names(folder, result)
    write_json(folder / RUN_JSON, run_json)


def _keep_proposed_names(folder: Path, result: RunResult) -> None:
    """Propose the clusters' names now, while the data is in memory (the map of a large
    table is then drawn without reading the table). A failure only leaves them to be
    proposed when the run is first opened."""
    from workspace.explanations import suggested_names

    try:
        suggested_names(folder, result.dataset)
    except Exception:  # noqa: BLE001 - names are a convenience; the run stands without them
        log.warning("could not propose names for %s", folder.name, exc_info=True)


FILE_ERRORS = (OSError, EOFError, ValueError, KeyError, RuntimeError, zipfile.BadZipFile,
               pickle.UnpicklingError)
"""What a missing, truncated or garbled file makes readers raise (JSON, npz, Parquet and
``torch.load`` errors are among these); anything else is a bug in the reader."""


def read_artifact(path: Path, reader):
    """``reader(path)``, with a damaged or missing file reported as one plain sentence.

    Raises
    ------
    InputError
        The file is missing or cannot be parsed: names the run and file; other runs and
        projects are not affected.
    InternalError
        The reader failed for another reason (a bug); the traceback is logged.
    """
    path = Path(path)
    try:
        return reader(path)
    except FILE_ERRORS as exc:
        log.warning("cannot read %s: %s: %s", path, type(exc).__name__, exc)
        raise InputError(f"The stored run {path.parent.name} is damaged: '{path.name}' cannot "
                         f"be read ({type(exc).__name__}); pick another run or run it again "
                         "— other runs and projects are not affected.") from None
    except Exception as exc:
        log.exception("reading %s failed in the reader itself", path)
        raise InternalError(f"clusterlab failed while reading '{path.name}' of run "
                            f"{path.parent.name} ({type(exc).__name__}: {exc}); this is a "
                            "bug, the details are in the log.") from exc


def read_run(folder: Path) -> dict:
    """Read ``run.json`` of a run folder."""
    import json

    return read_artifact(Path(folder) / RUN_JSON,
                         lambda p: json.loads(p.read_text(encoding="utf-8")))


TRUTH = "truth.npz"
"""Ground truth of a run's rows as ``codes`` (int32) into ``names`` (their texts), empty
when the data has none: the map reads it without loading the data set."""


NO_LABEL = "(no label)"
"""The ground truth shown for a row that a partly labelled column leaves empty."""


def save_truth(folder: Path, labels) -> None:
    """Write the ground truth of a run's rows, or that it has none (see :data:`TRUTH`)."""
    codes, uniques = pd.factorize(np.asarray(labels if labels is not None else []),
                                  use_na_sentinel=False)
    names = np.array([NO_LABEL if pd.isna(u) else str(u) for u in uniques], dtype=str)
    with open(Path(folder) / TRUTH, "wb") as fh:
        np.savez(fh, codes=codes.astype(np.int32), names=names)


def load_truth(folder: Path) -> tuple[np.ndarray, list[str]] | None:
    """``(codes, names)`` of a run's ground truth (empty codes: the data has none), or None
    when the run did not keep it (runs made before it was kept)."""
    path = Path(folder) / TRUTH
    if not path.exists():
        return None

    def read(p):
        with np.load(p, allow_pickle=False) as z:
            return z["codes"].astype(np.int64), [str(n) for n in z["names"]]

    return read_artifact(path, read)


def load_assignments(folder: Path) -> pd.DataFrame:
    """Read ``assignments.parquet`` of a run folder."""
    return read_artifact(Path(folder) / ASSIGNMENTS, pd.read_parquet)


def load_clustering(folder: Path) -> Clustering:
    """Read the stored :class:`Clustering` of a run folder."""
    return read_artifact(Path(folder) / "clustering.npz", Clustering.load)


def write_outputs(run: StoredRun, out: Path, extra: list[str] | None = None) -> None:
    """Copy ``assignments.parquet``, ``run.json`` (and ``extra`` files) into ``out``,
    each atomically."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out '{out}' is a file; give a folder for the results.")
    out.mkdir(parents=True, exist_ok=True)
    for name in (ASSIGNMENTS, RUN_JSON, *(extra or [])):
        if (run.path / name).is_dir():  # a partitioned run's parts
            write_folder(out / name, lambda tmp, n=name: shutil.copytree(
                run.path / n, tmp, dirs_exist_ok=True))
        else:
            write_with(out / name, lambda tmp, n=name: shutil.copyfile(run.path / n, tmp))
