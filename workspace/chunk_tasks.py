"""The work one chunk needs, as plain functions a Dask worker (or this process) runs.

Arguments are paths and small JSON-able dicts, never arrays or models; each function reads
its own chunk, writes its output under a temporary name and renames it into place
(:func:`~workspace.atomic.write_with`), so a
killed task leaves either nothing or a whole file, and a task that finds its valid receipt
returns it without redoing the chunk (every chunk is written exactly once).
"""

from __future__ import annotations

import json
import os
import socket
import time
from pathlib import Path

import numpy as np
import pandas as pd

from clustering.chunks import ID, Chunk, id_hashes, read_chunk
from clustering.dataset import Dataset
from clustering.errors import InputError
from clustering.html_text import visible_texts

from .atomic import write_with

__all__ = ["HASH", "assign_chunk", "chunk_dataset", "part_name", "receipt_is_valid",
           "sample_chunk"]

HASH = "_clusterlab_hash"
"""Column of a sample part holding each row's id hash."""
PARTS = "assignments.parquet"
RECEIPTS = "receipts"
SAMPLE_PARTS = "sample-parts"
VIEW_PARTS = "view-parts"
"""The rows the app's map draws (all, or a uniform sample by id hash): their columns, run
results and features, one part per chunk."""
ASSIGNER = "assigner"
RESULT_COLUMNS = ("cluster", "confidence", "x", "y")

_ASSIGNERS: dict[tuple, object] = {}


def part_name(index: int) -> str:
    """File name of a chunk's output part (sorts in input order)."""
    return f"part-{index:05d}.parquet"


def chunk_dataset(frame: pd.DataFrame, chunk: Chunk, spec: dict) -> Dataset:
    """A chunk's rows as the :class:`Dataset` the run's feature transform reads.

    Parameters
    ----------
    frame : DataFrame
        :func:`~clustering.chunks.read_chunk` output.
    chunk : Chunk
    spec : dict
        ``kind``, ``text_column``, ``label_column``, ``image_size``, ``pixel_range`` (16-bit
        and float images are brought to 8 bits over it), ``pixel_ranges`` (over their kind's,
        where the sample mixed kinds or 8-bit images; else each over its own range).
    """
    ids = frame[ID].to_numpy(object)
    name = f"{Path(chunk.path).name} (rows {chunk.start:,}-{chunk.start + chunk.rows - 1:,})"
    label = spec.get("label_column")
    rest = frame.drop(columns=[c for c in (ID, label) if c and c in frame.columns])
    if chunk.kind == "images":
        from clustering.image_blobs import file_blobs
        from clustering.images import decode_images

        blobs = file_blobs(list(ids), list(frame["file"]))  # each read when decoding reaches it
        span, ranges = spec.get("pixel_range"), spec.get("pixel_ranges")
        # each kind's range in the sample (runs planned before it was kept: the one range):
        # every part read alike, and as the sample was
        images, kept, _, _ = decode_images(blobs, size=spec.get("image_size") or 32,
                                           one_range=ranges or (tuple(span) if span else False))
        if len(kept) != len(blobs):
            raise InputError(f"{name}: {len(blobs) - len(kept)} image(s) could not be read.")
        return Dataset(name, "images", ids, pd.DataFrame(index=range(len(ids))), images=images,
                       source=chunk.path)
    if chunk.kind == "npy":
        return Dataset(name, "embeddings", ids, rest, embeddings=rest.to_numpy(np.float32),
                       source=chunk.path)
    text = spec.get("text_column")
    if text:
        if text not in rest.columns:
            raise InputError(f"{name} has no text column '{text}'.")
        texts, _ = visible_texts(rest[text].fillna("").astype(str).tolist())  # as load_data
        return Dataset(name, "text", ids, rest.drop(columns=[text]), texts=texts,
                       source=chunk.path)
    return Dataset(name, "table", ids, rest, source=chunk.path)


def _read_rows(chunk: Chunk, spec: dict) -> pd.DataFrame:
    """:func:`~clustering.chunks.read_chunk`; for images with a table's label column named
    (not ``folder``), that column too, from the table beside the images."""
    frame = read_chunk(chunk, spec.get("id_column"))
    label = spec.get("label_column")
    if chunk.kind == "images" and label and label not in frame.columns:
        from clustering.folder_tables import chunk_labels

        frame[label] = chunk_labels(Path(chunk.path), list(chunk.files), label)
    return frame


def sample_chunk(chunk: dict, spec: dict, out: str) -> dict:
    """Write the chunk's rows whose id hash is at most ``spec["cutoff"]`` to ``out``.

    Returns
    -------
    dict
        ``rows`` (the chunk's) and ``kept``.
    """
    c = Chunk.from_dict(chunk)
    frame = _read_rows(c, spec)
    hashes = id_hashes(frame[ID].to_numpy(object))
    keep = hashes <= np.uint64(spec["cutoff"])
    picked = frame.loc[keep].reset_index(drop=True)
    picked.insert(1, HASH, hashes[keep])
    write_with(Path(out), lambda p: picked.to_parquet(p, index=False))
    return {"rows": int(len(frame)), "kept": int(keep.sum())}


def receipt_is_valid(receipt_path: Path, part_path: Path, chunk: Chunk) -> dict | None:
    """The receipt when it and its part (and view part) are whole and match the chunk."""
    view = part_path.parent.parent / VIEW_PARTS / f"{part_path.stem}.npy"
    if not view.exists():
        return None
    try:
        receipt = json.loads(receipt_path.read_text(encoding="utf-8"))
        import pyarrow.parquet as pq

        rows = pq.ParquetFile(part_path).metadata.num_rows
    except (OSError, ValueError):
        return None
    except Exception:  # noqa: BLE001 - a truncated Parquet file raises pyarrow's own errors
        return None
    ok = receipt.get("chunk") == chunk.index and receipt.get("rows") == rows == chunk.rows
    return receipt if ok else None


def _write_view_part(work: Path, chunk: Chunk, frame: pd.DataFrame, out: pd.DataFrame,
                     X: np.ndarray, cutoff: int | None) -> None:
    """The chunk's rows the app's map draws: id hash at most ``cutoff`` (all when None)."""
    keep = np.ones(len(frame), bool) if cutoff is None else \
        id_hashes(frame[ID].to_numpy(object)) <= np.uint64(cutoff)
    rows = frame.loc[keep].reset_index(drop=True)
    for col in RESULT_COLUMNS:
        rows[f"_clusterlab_{col}"] = out[col].to_numpy()[keep]
    folder = work / VIEW_PARTS
    folder.mkdir(exist_ok=True)
    write_with(folder / f"part-{chunk.index:05d}.parquet",
                  lambda p: rows.to_parquet(p, index=False))
    write_with(folder / f"part-{chunk.index:05d}.npy", lambda p: _save_npy(p, X[keep]))


def _save_npy(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as handle:  # a file object: np.save adds no ".npy" to the name
        np.save(handle, array, allow_pickle=False)


def _reset_peak_memory() -> None:
    """Start this task's peak-memory count (Linux: ``/proc/self/clear_refs``)."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        pass


def _peak_memory_mb() -> float | None:
    """Peak resident memory since :func:`_reset_peak_memory` (Linux ``VmHWM``; elsewhere the
    process's ``ru_maxrss``, which also counts what the parent held when the worker started;
    None where neither is there)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    try:
        import resource
    except ImportError:  # Windows: neither; the peak is not known
        return None
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _assigner(folder: Path):
    from clustering.assigner import ASSIGNER_JSON, Assigner

    stamp = (str(folder), (folder / ASSIGNER_JSON).stat().st_mtime_ns)
    if stamp not in _ASSIGNERS:
        _ASSIGNERS.clear()
        _ASSIGNERS[stamp] = Assigner.load(folder)
    return _ASSIGNERS[stamp]


def assign_chunk(chunk: dict, work: str, spec: dict) -> dict:
    """Assign one chunk with the run's frozen assigner; write its part and receipt.

    Parameters
    ----------
    chunk : dict
        :meth:`Chunk.to_dict`.
    work : str
        The run's working folder (holds ``assigner/``; parts and receipts go there).
    spec : dict
        How to read the rows (see :func:`chunk_dataset`), ``id_column`` and ``device``.

    Returns
    -------
    dict
        The receipt: ``chunk``, ``rows``, ``start``/``end`` (epoch seconds), ``seconds``,
        ``pid``, ``host``, ``peak_rss_mb`` (the task's peak resident memory), ``sizes``
        (cluster -> rows), ``contingency`` (ground truth value -> cluster -> rows, when a
        label column is named), ``reused``.
    """
    import torch

    from clustering.features import featurize_like

    c, work_dir = Chunk.from_dict(chunk), Path(work)
    part = work_dir / PARTS / part_name(c.index)
    receipt_path = work_dir / RECEIPTS / f"part-{c.index:05d}.json"
    found = receipt_is_valid(receipt_path, part, c)
    if found:
        return {**found, "reused": True}
    torch.set_num_threads(1)
    _reset_peak_memory()
    start = time.time()
    assigner = _assigner(work_dir / ASSIGNER)
    frame = _read_rows(c, spec)
    data = chunk_dataset(frame, c, spec)
    X = featurize_like(data, assigner.transform, device=spec.get("device", "cpu"))
    bad = ~np.isfinite(X).all(axis=1)
    if bad.any():
        raise InputError(f"{data.name}: {int(bad.sum()):,} row(s) have empty or infinite "
                         f"values (first id {data.ids[np.flatnonzero(bad)[0]]}); fill or remove "
                         "them and run again.")
    labels, confidence, xy = assigner.assign(X, spec.get("device", "cpu"))
    out = pd.DataFrame({"id": pd.Series(data.ids, dtype="string"), "cluster": labels,
                        "confidence": confidence.astype(np.float64),
                        "x": xy[:, 0].astype(np.float64), "y": xy[:, 1].astype(np.float64)})
    _write_view_part(work_dir, c, frame, out, X, spec.get("view_cutoff"))
    write_with(part, lambda p: out.to_parquet(p, index=False))
    receipt = {"chunk": c.index, "rows": int(len(out)), "start": start, "end": time.time(),
               "seconds": round(time.time() - start, 4), "pid": os.getpid(),
               "host": socket.gethostname(),
               "peak_rss_mb": _peak_memory_mb()}
    values, counts = np.unique(labels, return_counts=True)
    receipt["sizes"] = {str(int(v)): int(n) for v, n in zip(values, counts, strict=True)}
    label = spec.get("label_column")
    if label and label in frame.columns:  # rows a partly labelled column leaves empty: out
        known = frame[label].notna().to_numpy()
        counts = pd.crosstab(frame[label][known].astype(str).to_numpy(), labels[known])
        receipt["contingency"] = {str(t): {str(k): int(v) for k, v in row.items() if v}
                                  for t, row in counts.iterrows()}
    write_with(receipt_path, lambda p: p.write_text(json.dumps(receipt),
                                                        encoding="utf-8"))
    return {**receipt, "reused": False}
