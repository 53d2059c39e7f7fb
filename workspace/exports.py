"""Export a labelled subset of a run: CSV, Parquet, JSONL or an image-folder zip."""

from __future__ import annotations

import io
import json
import logging
import re
import shutil
import tempfile
import time
import zipfile
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pandas as pd

from clustering.dataset import Dataset
from clustering.errors import InputError
from clustering.progress import ProgressFn, no_progress

from .atomic import write_json, write_with
from .fingerprint import package_versions
from .review import cluster_name
from .run_data import load_run_data
from .runs import load_assignments, read_run
from .store import Store, now, whoami

__all__ = ["FORMATS", "escape_formula", "escaped_csv", "export_file_name", "export_run",
           "fresh_export_dir", "labelled_frame"]

log = logging.getLogger(__name__)

FORMATS = ("csv", "parquet", "jsonl", "imagefolder")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\0")


EXPORT_NAME_MAX = 80
"""Export file names keep at most this many characters of the project's name."""
EXPORTS_KEPT_S = 24 * 3600
"""Prepared export folders older than this are removed when the next export is prepared."""


def export_file_name(project: str, run_key: str, suffix: str) -> str:
    """A file name any file system takes: the project's name (letters, digits, ``._-``,
    at most :data:`EXPORT_NAME_MAX` characters), the run key's start and ``suffix``."""
    safe = re.sub(r"[^A-Za-z0-9._-]+", "-", project).strip("-.")[:EXPORT_NAME_MAX].strip("-.")
    return f"{safe or 'export'}-{run_key[:8]}{suffix}"


def fresh_export_dir(root: Path, previous: str | None = None) -> Path:
    """A new private folder under ``root`` for one prepared export.

    The folder of ``previous`` (this session's last export) and export folders older than
    :data:`EXPORTS_KEPT_S` are removed first, so prepared exports do not pile up.
    """
    root = Path(root)
    stale = time.time() - EXPORTS_KEPT_S
    for folder in root.glob("export-*"):
        gone = previous is not None and Path(previous).parent == folder
        try:
            if folder.is_dir() and not folder.is_symlink() and (
                    gone or folder.stat().st_mtime < stale):
                shutil.rmtree(folder)
        except OSError as exc:  # another session may be removing it too
            log.warning("could not remove the old export folder %s: %s", folder, exc)
    return Path(tempfile.mkdtemp(prefix="export-", dir=root))


def escape_formula(value):
    """Prefix a text cell with ``'`` when a spreadsheet would run it as a formula.

    Cells starting with ``= + - @``, tab, carriage return or NUL are escaped (OWASP), also
    after leading spaces or tabs. Non-text values pass through.
    """
    if isinstance(value, str) and (value.startswith(_FORMULA_START)
                                   or value.lstrip(" \t").startswith(_FORMULA_START)):
        return "'" + value
    return value


def escaped_csv(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with every text cell and column name escaped by :func:`escape_formula`
    (the header row reaches the spreadsheet too)."""
    out = frame.map(escape_formula)
    out.columns = [escape_formula(str(c)) for c in frame.columns]
    return out


def labelled_frame(run_dir: Path, store: Store | None = None, dataset: Dataset | None = None
                   ) -> tuple[pd.DataFrame, dict, Dataset]:
    """Assignments joined with review state and the original columns.

    Columns: ``id, cluster, cluster_name, label, reviewed, confidence, x, y`` then the
    ground-truth column (if any), the text, and the original table columns.

    Parameters
    ----------
    run_dir : Path
        A run folder (from ``clusterlab run --out`` or the store).
    store : Store, optional
        Where review state lives; without it, clusters keep default names.
    dataset : Dataset, optional
        The loaded data (reloaded from ``run.json`` when omitted).

    Returns
    -------
    frame : DataFrame
    run_json : dict
    dataset : Dataset
    """
    run_dir = Path(run_dir)
    if not (run_dir / "run.json").exists() or not (run_dir / "assignments.parquet").exists():
        raise InputError(f"'{run_dir}' is not a run folder (no run.json/assignments.parquet); "
                         "give the --out folder of 'clusterlab run'.")
    run_json = read_run(run_dir)
    frame = load_assignments(run_dir)
    stored = store.get_run(run_json["key"]) if store else None  # knows a re-attached path
    data = dataset or load_run_data(run_json, stored["config"]["data"] if stored else None)
    if data.n != len(frame):
        raise InputError(f"The data given for run {run_json['key']} has {data.n:,} rows, the "
                         f"run {len(frame):,}: it is not the data the run was made on.")
    key = run_json["key"]
    names = store.clusters(key) if store else {}
    points = store.point_labels(key) if store else {}
    ids = [str(i) for i in frame["id"]]
    moved = [(points.get(i) or {}).get("cluster") for i in ids]
    cluster = [int(m) if m is not None else int(c) for m, c in zip(moved, frame["cluster"],
                                                                      strict=True)]
    frame["cluster"] = np.asarray(cluster, dtype=np.int64)
    named = [cluster_name(c, names) for c in cluster]
    own = [(points.get(i) or {}).get("label") for i in ids]
    frame.insert(2, "cluster_name", named)
    frame.insert(3, "label", [o if o is not None else n for o, n in zip(own, named,
                                                                          strict=True)])
    frame.insert(4, "reviewed", [i in points or (names.get(c) or {}).get("status") == "accepted"
                                 for i, c in zip(ids, cluster, strict=True)])
    extra = data.table.reset_index(drop=True).copy()
    for col, rows in (data.filled or {}).items():  # cells the run filled stay empty here
        extra.loc[rows, col] = np.nan
    if data.modality == "images" and data.image_files:  # the file, and a table's columns
        beside = [c for c in data.table.columns if data.features and c not in data.features]
        extra = pd.concat([pd.DataFrame({"file": list(data.image_files)}),
                           data.table[beside].reset_index(drop=True)], axis=1)
    if data.texts is not None:
        extra.insert(0, "text", data.texts)
    if data.labels is not None:
        extra.insert(0, f"truth_{data.label_name or 'label'}", data.labels)
    extra = extra[[c for c in extra.columns if c not in frame.columns]]
    return pd.concat([frame, extra], axis=1), run_json, data


def select_rows(frame: pd.DataFrame, clusters=None, ids=None, reviewed_only=False
                ) -> pd.DataFrame:
    """Keep rows in the given clusters, with the given ids, and/or reviewed."""
    keep = np.ones(len(frame), dtype=bool)
    if clusters:
        known = set(frame["cluster"].unique().tolist())
        missing = [c for c in clusters if c not in known]
        if missing:
            raise InputError(f"This run has no cluster {', '.join(map(str, missing))}; its "
                             f"clusters are {', '.join(map(str, sorted(known)))}.")
        keep &= frame["cluster"].isin(list(clusters)).to_numpy()
    if ids is not None:
        wanted = {str(i) for i in ids}
        unknown = wanted - set(frame["id"])
        if unknown:
            raise InputError(f"{len(unknown)} id(s) are not in this run (e.g. "
                             f"'{sorted(unknown)[0]}'); check the id list.")
        keep &= frame["id"].isin(wanted).to_numpy()
    if reviewed_only:
        keep &= frame["reviewed"].to_numpy()
    out = frame[keep].reset_index(drop=True)
    if out.empty:
        raise InputError("The selection is empty: no row matches the chosen clusters, ids or "
                         "review state; widen the selection.")
    return out


def export_run(run_dir: Path, fmt: str, out: Path, *, store: Store | None = None,
               clusters=None, ids=None, reviewed_only: bool = False,
               who: str | None = None, dataset: Dataset | None = None,
               progress: ProgressFn = no_progress) -> dict:
    """Write a subset of a run in one format, plus ``<out>.provenance.json``.

    Parameters
    ----------
    run_dir : Path
    fmt : {"csv", "parquet", "jsonl", "imagefolder"}
    out : Path
        Output file (a ``.zip`` for ``imagefolder``).
    store : Store, optional
    clusters : list of int, optional
    ids : list of str, optional
    reviewed_only : bool
    who : str, optional
    dataset : Dataset, optional
    progress : callable, optional
        ``progress(fraction, message)`` while an image-folder zip is written (the app runs
        that export as a background job).

    Returns
    -------
    dict
        The provenance record.
    """
    if fmt not in FORMATS:
        raise InputError(f"--format must be one of {', '.join(FORMATS)}, not '{fmt}'.")
    frame, run_json, data = labelled_frame(run_dir, store, dataset)
    rows = select_rows(frame, clusters, ids, reviewed_only)
    out = Path(out)
    if out.is_dir():
        raise InputError(f"--out '{out}' is a folder; give a file name such as export.{fmt}.")
    prov = _provenance(run_json, store, fmt, rows, clusters, ids, reviewed_only, who)
    if fmt == "csv":
        write_with(out, lambda p: escaped_csv(rows).to_csv(p, index=False))
    elif fmt == "parquet":
        write_with(out, lambda p: rows.to_parquet(p, index=False))
    elif fmt == "jsonl":
        write_with(out, lambda p: rows.to_json(p, orient="records", lines=True,
                                               force_ascii=False))
    else:
        if not folder_export_allowed(data):
            raise InputError(f"A folder export needs images or texts; this run is on "
                             f"{data.modality} data. Choose csv, parquet or jsonl.")
        write_with(out, lambda p: _write_folder_zip(p, rows, data, prov, progress))
    write_json(out.with_name(out.name + ".provenance.json"), prov)
    log.info("exported %d rows to %s", len(rows), out)
    return prov


def _provenance(run_json, store, fmt, rows, clusters, ids, reviewed_only, who) -> dict:
    key = run_json["key"]
    return {
        "exported_at": now(), "exported_by": who or whoami(), "format": fmt,
        "rows": int(len(rows)),
        "selection": {"clusters": list(clusters) if clusters else None,
                      "ids": len(ids) if ids is not None else None,
                      "reviewed_only": reviewed_only},
        "run": {"key": key, "created_at": run_json.get("created_at"),
                "config": run_json["config"], "seed": run_json["seed"],
                "metrics": run_json.get("metrics"), "versions": run_json["versions"],
                "data": run_json["data"]},
        "reviewers": store.reviewers(key) if store else [],
        "exporter_versions": package_versions()}


def _safe_folder(label: str) -> str:
    cleaned = re.sub(r"[^\w\- ]+", "_", str(label))
    cleaned = re.sub(r"_+", "_", cleaned).strip(" ._") or "unnamed"
    return cleaned[:80]


def folder_export_allowed(data: Dataset) -> bool:
    """Whether a run's rows can be exported as a zip of one folder per label: images, and
    texts (each the file it was read from, else a ``.txt`` of it)."""
    return data.modality in ("images", "text")


def _from_folder(data: Dataset) -> bool:
    """Whether ``data``'s texts were read one per file from a folder or zip (ids the files)."""
    source = Path(data.source)
    return not data.source.startswith("demo:") and (source.is_dir() or
                                                     source.suffix.lower() == ".zip")


@contextmanager
def _member_reader(source: Path, names):
    """``read(index) -> (bytes, suffix)`` for files ``names`` of a folder or zip (the zip
    opened and its member list checked once, not once per file)."""
    if source.is_dir():
        yield lambda i: ((source / names[i]).read_bytes(), Path(names[i]).suffix.lower())
        return
    from clustering.safezip import checked_members, read_member

    members = {m.filename: m for m in checked_members(source)}
    with zipfile.ZipFile(source) as zf:
        yield lambda i: (read_member(zf, members[names[i]]), Path(names[i]).suffix.lower())


@contextmanager
def _file_reader(data: Dataset):
    """``read(index) -> (bytes, suffix)`` for the rows of ``data``: the original files of
    images or of texts read one per file, PNGs of a demo's pixels, or each text as UTF-8."""
    if data.modality == "text":
        if _from_folder(data):
            with _member_reader(Path(data.source), [str(i) for i in data.ids]) as read:
                yield read
            return
        yield lambda i: (data.texts[i].encode("utf-8"), ".txt")
        return
    if data.image_files and not data.source.startswith("demo:"):
        source = Path(data.source)  # a folder, a zip, or a table naming files beside it
        if data.files_root:  # a table naming files under a folder named with it
            source = Path(data.files_root)
        elif source.is_file() and source.suffix.lower() != ".zip":
            source = source.parent
        with _member_reader(source, data.image_files) as read:
            yield read
        return
    from PIL import Image

    def png(i: int) -> tuple[bytes, str]:
        buf = io.BytesIO()
        Image.fromarray(data.images[i]).save(buf, format="PNG")
        return buf.getvalue(), ".png"

    yield png


def _write_folder_zip(path: Path, rows: pd.DataFrame, data: Dataset, prov: dict,
                      progress: ProgressFn = no_progress) -> None:
    position = {str(i): k for k, i in enumerate(data.ids)}
    manifest, used = [], set()
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf, \
            _file_reader(data) as read:
        for done, row in enumerate(rows.itertuples(index=False)):
            if done % 200 == 0:
                progress(done / max(len(rows), 1), f"{done:,} of {len(rows):,} files")
            blob, suffix = read(position[str(row.id)])
            stem = _safe_folder(Path(str(row.id)).stem)
            member = f"{_safe_folder(row.label)}/{stem}{suffix}"
            if member in used:
                member = f"{_safe_folder(row.label)}/{stem}-{position[str(row.id)]}{suffix}"
            used.add(member)
            zf.writestr(member, blob)
            manifest.append({"file": member, "id": row.id, "label": row.label,
                             "cluster": int(row.cluster), "confidence": float(row.confidence)})
        zf.writestr("manifest.csv",
                    escaped_csv(pd.DataFrame(manifest)).to_csv(index=False))
        zf.writestr("provenance.json", json.dumps(prov, indent=2, default=str))
