"""Runs too large for one process: fit on a sample, assign every chunk, parts on disk.

1. **Plan** the chunks from metadata (:func:`clustering.chunks.plan_chunks`).
2. **Sample** by id hash: every chunk keeps the rows whose hash is under a cutoff, and the
   ``sample`` smallest hashes overall are the sample, sorted by hash — the same rows in the
   same order however the input is split into files.
3. **Fit** the usual pipeline on the sample, unchanged.
4. **Freeze** an :class:`~clustering.assigner.Assigner` (no pickle).
5. **Assign** every chunk as its own task (:mod:`workspace.chunk_tasks`), on this process or
   on Dask workers (:mod:`workspace.engines`), each writing
   ``assignments.parquet/part-NNNNN.parquet`` and a receipt; ``run.json`` is written last and
   the folder renamed into the store in one step.

Everything is kept in ``STORE/partial/run-KEY`` until the end, so a rerun after a crash, a
killed client or a cancel redoes only the chunks without a valid receipt. The engine and the
chunk size are not part of the run's key.
"""

from __future__ import annotations

import json
import logging
import shutil
import time
from pathlib import Path

import numpy as np
import pandas as pd

from clustering.chunks import ID, plan_chunks
from clustering.csv_parquet import BLOCK_ROWS, csv_as_parquet, is_csv_source
from clustering.dataset import Dataset
from clustering.errors import InputError
from clustering.pipeline import RunConfig
from clustering.progress import ProgressFn, no_progress

from .atomic import write_folder, write_json
from .chunk_tasks import (
    ASSIGNER,
    HASH,
    PARTS,
    RECEIPTS,
    SAMPLE_PARTS,
    VIEW_PARTS,
    assign_chunk,
    sample_chunk,
)
from .engines import EngineSettings, open_engine
from .fingerprint import data_fingerprint, package_versions, partition_fingerprint, run_key
from .runs import StoredRun, read_run
from .store import Store, now

__all__ = ["DEFAULT_SAMPLE", "ensure_partitioned_run", "work_dir"]

log = logging.getLogger(__name__)

DEFAULT_SAMPLE = 200_000
VIEW_ROWS = 1_000_000
"""The most rows the app's map draws of a partitioned run (the WebGL map was measured at a
million points); above, a uniform sample of about this many rows by id hash."""
SAMPLE_FILE = "sample.parquet"
SAMPLE_RUN = "sample-run"
"""The sample's own run artifacts (clustering, features, map) inside a partitioned run."""
PLAN = "plan.json"


def work_dir(store: Store, key: str) -> Path:
    """Where a partitioned run is built (and resumed from)."""
    return store.root / "partial" / f"run-{key}"


def _spec(config: RunConfig, text_column: str | None, gpu: bool = False) -> dict:
    return {"id_column": config.id_column, "kind": config.kind, "text_column": text_column,
            "label_column": config.label_column, "image_size": config.image_size,
            "device": "cuda" if gpu else "cpu"}


def ensure_partitioned_run(config: RunConfig, store: Store, settings: EngineSettings, *,
                           project_id: int | None = None, progress: ProgressFn = no_progress,
                           should_stop=None) -> StoredRun:
    """The stored run for ``config`` (``config.sample`` set), computed chunk by chunk.

    Parameters
    ----------
    config : RunConfig
        With ``sample``: rows the pipeline is fitted on.
    store : Store
    settings : EngineSettings
        Where the chunk tasks run (not part of the key).
    project_id : int, optional
    progress : callable
    should_stop : callable, optional
        True cancels; finished chunks are kept for the next run.

    Returns
    -------
    StoredRun

    Raises
    ------
    InputError
        Bad input or an unreachable engine (one sentence).
    Cancelled
        ``should_stop`` or the progress callback asked to stop.
    """
    config.validate()
    if config.sample is None:
        raise InputError("a partitioned run needs a sample size (--sample).")
    should_stop = should_stop or (lambda: False)
    start = time.perf_counter()
    csv = is_csv_source(config.data)
    chunks = None if csv else plan_chunks(config.data, settings.chunk_rows)
    data_hash = data_fingerprint(config.data) if csv else partition_fingerprint(chunks)
    key = run_key(config.to_dict(), data_hash)
    found = store.get_run(key)
    if found:
        progress(1.0, "reused an identical earlier run")
        return StoredRun(key, Path(found["path"]), read_run(Path(found["path"])), True)
    if csv:  # rewritten once as Parquet, whose row groups are the chunks
        parquet = csv_as_parquet(Path(config.data), store.converted_dir(),
                                 min(BLOCK_ROWS, settings.chunk_rows),
                                 progress=lambda f, m: progress(0.01 * f, m))
        chunks = plan_chunks(str(parquet), settings.chunk_rows)
        _not_a_manifest(Path(config.data), parquet)
    work = work_dir(store, key)
    (work / PARTS).mkdir(parents=True, exist_ok=True)
    (work / RECEIPTS).mkdir(exist_ok=True)
    write_json(work / PLAN, {"chunks": [c.to_dict() for c in chunks],
                             "chunk_rows": settings.chunk_rows})
    timings = {"plan": round(time.perf_counter() - start, 4)}
    rows = sum(c.rows for c in chunks)
    progress(0.01, f"planned {len(chunks)} chunk(s) of {rows:,} rows")
    engine = open_engine(settings)
    try:
        t = time.perf_counter()
        sample = _draw_sample(config, chunks, work, engine, rows,
                              lambda f, m: progress(0.01 + 0.09 * f, m), should_stop)
        timings["sample"] = round(time.perf_counter() - t, 4)
        t = time.perf_counter()
        fitted, text_column = _fit(config, sample, work,
                                   lambda f, m: progress(0.1 + 0.5 * f, m), should_stop)
        timings["fit"] = round(time.perf_counter() - t, 4)
        t = time.perf_counter()
        spec = {**_spec(config, text_column, settings.gpu),
                # image folders: the folder names are the ground truth, as for one process
                "label_column": config.label_column or fitted["data"].get("label_column"),
                # 16-bit images: every chunk over the sample's range, as the fit read them
                "pixel_range": fitted["data"].get("pixel_range"),
                "pixel_ranges": fitted["data"].get("pixel_ranges"),  # by kind
                # every chunk at the sample's side (chosen from the sample unless given)
                "image_size": fitted["data"].get("image_side") or config.image_size,
                "view_cutoff": None if rows <= VIEW_ROWS else int(VIEW_ROWS / rows * 2.0**64)}
        receipts = _assign(chunks, work, engine, spec,
                           lambda f, m: progress(0.6 + 0.38 * f, m), should_stop, key)
        timings["assign"] = round(time.perf_counter() - t, 4)
        described = engine.describe()
    finally:
        engine.close()
    run_json = _run_json(key, data_hash, config, settings, chunks, fitted, receipts,
                         described, timings, len(sample), work, spec["text_column"])
    run_json["timings"]["wall"] = round(time.perf_counter() - start, 4)
    return _publish(store, key, work, run_json, project_id, progress)


def _draw_sample(config, chunks, work, engine, rows, progress, should_stop) -> pd.DataFrame:
    """The sample rows, sorted by id hash (read back when an earlier attempt drew it)."""
    path = work / SAMPLE_FILE
    if path.exists():
        return pd.read_parquet(path)
    import pyarrow.parquet as pq

    want = config.sample
    share = 1.0 if want >= rows else min(1.0, want / rows * 1.1 + 64 / rows)
    cutoff = int(min(share * 2.0**64, 2**64 - 1))
    parts = work / SAMPLE_PARTS
    parts.mkdir(exist_ok=True)
    spec = {"id_column": config.id_column, "label_column": config.label_column, "cutoff": cutoff}
    args = [(c.to_dict(), spec, str(parts / f"part-{c.index:05d}.parquet")) for c in chunks]
    progress(0.0, f"sample: drawing {min(want, rows):,} of {rows:,} rows by id hash")
    engine.map(sample_chunk, args, lambda i, r: progress(
        (i + 1) / len(args), f"sample: {i + 1}/{len(args)} chunks read"), should_stop,
        "clusterlab-sample")
    files = [Path(a[2]) for a in args]
    hashes = np.concatenate([pq.read_table(f, columns=[HASH]).column(0).to_numpy()
                             for f in files]).astype(np.uint64)
    limit = np.partition(hashes, want - 1)[want - 1] if len(hashes) > want else \
        (hashes.max() if len(hashes) else np.uint64(0))
    frame = pd.concat([pd.read_parquet(f, filters=[(HASH, "<=", limit)]) for f in files],
                      ignore_index=True)
    frame = frame.sort_values([HASH, ID], kind="stable").reset_index(drop=True)
    if frame[ID].duplicated().any():
        first = frame.loc[frame[ID].duplicated(), ID].iloc[0]
        raise InputError(f"The id '{first}' appears more than once; every row needs a unique "
                         "id (fix the id column or leave --id-column out).")
    frame.to_parquet(path, index=False)
    shutil.rmtree(parts, ignore_errors=True)
    return frame


def _sample_dataset(config: RunConfig, frame: pd.DataFrame) -> tuple[Dataset, str | None]:
    """The sample as the Dataset the pipeline fits on, and the text column it read."""
    from clustering.loaders import dataset_from_frame
    from clustering.text_column_guess import guess_text_column

    name = Path(config.data.rstrip("/")).name
    frame = frame.drop(columns=[HASH])
    if "file" in frame.columns and "folder" in frame.columns and config.kind in (
            "auto", "images") and Path(config.data).is_dir() and \
            not any(Path(config.data).glob("*.parquet")):
        return _image_dataset(config, frame, name), None
    if Path(config.data).suffix.lower() == ".npy":
        table = frame.drop(columns=[ID]).astype(np.float32)
        return Dataset(name, "embeddings", frame[ID].to_numpy(object), table,
                       embeddings=table.to_numpy(), source=config.data), None
    text = config.text_column
    if not text and config.kind in ("auto", "text"):
        text = guess_text_column(frame, {config.label_column, ID},
                                 prefer_table=config.kind == "auto")
    data = dataset_from_frame(frame, config.kind if config.kind != "auto" or not text
                              else "text", name=name, text_column=text,
                              label_column=config.label_column, id_column=ID,
                              drop_invalid=config.drop_invalid,
                              feature_columns=config.feature_columns,
                              ignore_columns=config.ignore_columns)
    return data, text if data.modality == "text" else None


def _image_dataset(config, frame, name) -> Dataset:
    from clustering.image_blobs import file_blobs
    from clustering.images import decode_images

    blobs = file_blobs(list(frame[ID]), list(frame["file"]))
    ranges: dict = {}
    images, kept, notes, span = decode_images(blobs, size=config.image_size, ranges_out=ranges)
    if len(kept) != len(blobs):
        raise InputError(f"{len(blobs) - len(kept)} image(s) of the sample could not be read.")
    label = config.label_column or "folder"
    if label == "folder":
        labels = frame["folder"].to_numpy(object)
        labels = labels if 1 < len(set(labels)) < len(labels) else None
    else:  # a table's column, each chunk's images looked up in it (chunk_tasks._read_rows)
        labels = frame[label].astype(object).where(frame[label].notna(), None).to_numpy()
        unlabelled = int(sum(v is None for v in labels))
        if unlabelled == len(labels):
            raise InputError(f"The table beside '{name}' with column '{label}' names none of "
                             f"the {len(labels):,} sampled images; name a column of the table "
                             "that names the images as the label column.")
        notes = [*notes, f"The ground truth is the column '{label}' of the table beside the "
                 "images" + (f"; {unlabelled:,} of the {len(labels):,} sampled images have "
                             "none there, so ACC, NMI and ARI are measured on the others."
                             if unlabelled else ".")]
    return Dataset(name, "images", frame[ID].to_numpy(object),
                   pd.DataFrame(index=range(len(frame))), labels=labels, images=images,
                   source=config.data, notes=tuple(notes), pixel_range=span,
                   pixel_ranges=ranges or None,
                   label_name=label if labels is not None else None)


def _fit(config, sample, work, progress, should_stop):
    """Fit the pipeline on the sample and freeze the assigner (both kept for resuming)."""
    from clustering.assigner import ASSIGNER_JSON, fit_assigner
    from clustering.device import resolve_device
    from clustering.pipeline import run_pipeline

    from .runs import build_run_json, write_artifacts

    data, text_column = _sample_dataset(config, sample)
    done = work / SAMPLE_RUN / "run.json"
    if done.exists() and (work / ASSIGNER / ASSIGNER_JSON).exists():
        return json.loads(done.read_text(encoding="utf-8")), text_column
    result = run_pipeline(config, lambda f, m: progress(0.9 * f, f"fit on the sample: {m}"),
                          dataset=data, should_stop=should_stop, checkpoint_dir=work / "fit")
    fitted = build_run_json("sample", result, "sample")
    assigner = fit_assigner(result.features.X, result.clustering, result.projection.xy,
                            result.features.transform(), random_state=config.seed,
                            device=resolve_device(config.device),
                            progress=lambda f, m: progress(0.9 + 0.1 * f, m))
    write_folder(work / ASSIGNER, assigner.save)
    write_folder(work / SAMPLE_RUN, lambda f: write_artifacts(f, result, fitted))
    shutil.rmtree(work / "fit", ignore_errors=True)
    return fitted, text_column


def _assign(chunks, work, engine, spec, progress, should_stop, key):
    receipts: dict[int, dict] = {}

    def done(i, receipt):
        receipts[i] = receipt
        progress(len(receipts) / len(chunks), f"assign: {len(receipts)}/{len(chunks)} chunks "
                 "done")

    write_json(work / "spec.json", spec)  # how chunks were read (kept with the run)
    progress(0.0, f"assign: 0/{len(chunks)} chunks done")
    engine.map(assign_chunk, [(c.to_dict(), str(work), spec) for c in chunks], done,
               should_stop, f"clusterlab-assign-{key}")
    # a killed task's temporary files (write_with's hidden ".NAME.*.tmp")
    for folder in (work / PARTS, work / RECEIPTS, work / VIEW_PARTS):
        for tmp in folder.glob(".*.tmp"):
            tmp.unlink(missing_ok=True)
    return [receipts[i] for i in range(len(chunks))]


def _run_json(key, data_hash, config, settings, chunks, fitted, receipts, described, timings,
              sample_rows, work, text_column) -> dict:
    from clustering.assigner import ASSIGNER_JSON
    from clustering.metrics import contingency_metrics

    assigner = json.loads((work / ASSIGNER / ASSIGNER_JSON).read_text(encoding="utf-8"))
    rows = sum(r["rows"] for r in receipts)
    table: dict[str, dict[str, int]] = {}
    for r in receipts:
        for truth, row in r.get("contingency", {}).items():
            for k, v in row.items():
                table.setdefault(truth, {}).setdefault(k, 0)
                table[truth][k] += v
    sizes: dict[str, int] = {}
    for r in receipts:
        for k, v in r["sizes"].items():
            sizes[k] = sizes.get(k, 0) + v
    metrics = {"rows": rows, "n_clusters": sum(int(k) >= 0 for k in sizes),
               "noise_share": sizes.get("-1", 0) / rows if rows else 0.0,
               **(contingency_metrics(table) if table else {})}
    busy = sum(r["seconds"] for r in receipts if not r.get("reused"))
    return {
        "key": key, "created_at": now(), "config": config.to_dict(), "seed": config.seed,
        "method": fitted["method"], "params": fitted["params"], "fit_info": fitted["fit_info"],
        "data": {**fitted["data"], "source": config.data, "rows": rows, "sha256": data_hash},
        "map": "assigner-mlp", "map_fit": assigner["fit"], "text_column": text_column,
        "partitioned": {
            "sample": config.sample, "sample_rows": int(sample_rows), "chunks": len(chunks),
            "chunk_rows": settings.chunk_rows, **described,
            "chunks_reused": sum(bool(r.get("reused")) for r in receipts),
            "task_seconds": round(busy, 3),
            "rows_per_task_second": round(rows / busy, 1) if busy else None,
            "peak_rss_mb": max((r["peak_rss_mb"] for r in receipts
                                if r.get("peak_rss_mb") is not None), default=None),
            "worker_pids": sorted({r["pid"] for r in receipts})},
        "timings": {**timings, "total": round(sum(timings.values()), 4)},
        "versions": package_versions(), "metrics": metrics,
        "metrics_sample": fitted.get("metrics", {}),
        "notes": [*fitted.get("notes", []), f"Fitted on {sample_rows:,} rows drawn by id hash; "
                  f"all {rows:,} rows assigned in {len(chunks)} chunk(s)."]}


def _publish(store, key, work, run_json, project_id, progress) -> StoredRun:
    """Write run.json last, move the folder into the store, register it."""
    final = store.run_dir(key)
    (work / PLAN).unlink(missing_ok=True)
    (work / SAMPLE_FILE).replace(work / SAMPLE_RUN / SAMPLE_FILE)
    write_json(work / "run.json", run_json)
    if final.exists():
        shutil.rmtree(final)
    work.rename(final)
    try:
        store.register_run(key, project_id, run_json)
    except BaseException:
        shutil.rmtree(final, ignore_errors=True)
        raise
    progress(1.0, "done")
    return StoredRun(key, final, run_json, False)


def _not_a_manifest(csv: Path, parquet: Path) -> None:
    """Refuse a table naming image files beside it: a sampled run reads its own columns.

    Raises
    ------
    InputError
        When a column of the table's first rows names image files found in its folder
        (:func:`clustering.image_manifest.image_column`).
    """
    import pyarrow.parquet as pq

    from clustering.image_manifest import image_column

    head = pq.ParquetFile(parquet).read_row_group(0).slice(0, 200).to_pandas()
    column = image_column(head, csv)
    if column is not None:
        raise InputError(f"'{csv.name}' names image files in its folder (column '{column}'), "
                         "which a sampled run (--sample, --engine dask) does not read: it reads "
                         "a table's own columns in chunks; leave --sample out to cluster the "
                         "images it names, or give the images' folder with --sample.")
