"""What the app shows of a partitioned run: an ordinary run folder of the rows its map draws.

A partitioned run can hold tens of millions of rows; the app's map draws up to
:data:`~workspace.partitioned.VIEW_ROWS` of them (all rows below that, a uniform sample by id
hash above it), which the chunk tasks already set aside with their features. The first time
the app opens such a run, :func:`ensure_view` joins those parts into ``RUN/view/``: the rows
as ``rows.parquet`` (the view's data, fingerprinted like any input), their assignments,
clustering, features and feature transform — so every page, explanation, review and export
works on it as on any run, under the partitioned run's own key. Figures of the whole run
(rows, metrics over every row) stay in the run's own ``run.json``.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import numpy as np
import pandas as pd

from clustering.chunks import ID
from clustering.clustering_result import Clustering
from clustering.errors import InputError

from .atomic import write_folder, write_json
from .chunk_tasks import ASSIGNER, RESULT_COLUMNS, VIEW_PARTS
from .fingerprint import data_fingerprint
from .runs import ASSIGNMENTS, FEATURES_TRANSFORM, RUN_JSON, read_run

__all__ = ["VIEW", "ensure_view", "is_partitioned"]

log = logging.getLogger(__name__)

VIEW = "view"


def is_partitioned(run_dir: Path) -> bool:
    """Whether ``run_dir`` holds a run fitted on a sample and assigned in chunks."""
    return (Path(run_dir) / "sample-run").is_dir() and (Path(run_dir) / VIEW_PARTS).is_dir()


def ensure_view(run_dir: Path) -> Path:
    """The view folder of a partitioned run, joined from its parts on first use.

    Raises
    ------
    InputError
        A part is missing.
    """
    run_dir = Path(run_dir)
    view = run_dir / VIEW
    if (view / RUN_JSON).exists():
        return view
    whole = read_run(run_dir)
    parts = sorted((run_dir / VIEW_PARTS).glob("part-*.parquet"))
    if len(parts) != whole["partitioned"]["chunks"]:
        raise InputError(f"The stored run {run_dir.name} is damaged: {len(parts)} of "
                         f"{whole['partitioned']['chunks']} view parts are there; run it again.")
    return write_folder(view, lambda out: _write_view(run_dir, out, whole, parts),
                        replace=False)


def _link_images(rows: pd.DataFrame, folder: Path, label: str | None = None) -> Path:
    """The shown images as an image folder of hard links (copies across file systems), at
    the same relative paths, so the view loads like any image folder, in the run's order.

    With ``label`` a column of the table beside the images (a run's ``--label-column``, each
    chunk's images looked up in it), ``labels.csv`` beside them gives the view that column.
    """
    import os

    for rel, source in zip(rows[ID], rows["file"], strict=True):
        target = folder / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
    if label not in (None, "folder") and label in rows.columns:
        naming = "file" if label == "path" else "path"
        pd.DataFrame({naming: rows[ID], label: rows[label]}).to_csv(folder / "labels.csv",
                                                                    index=False)
    return folder


def _write_view(run_dir: Path, out: Path, whole: dict, parts: list[Path]) -> None:
    rows = pd.concat([pd.read_parquet(p) for p in parts], ignore_index=True)
    X = np.concatenate([np.load(p.with_suffix(".npy"), allow_pickle=False) for p in parts])
    result = {c: rows.pop(f"_clusterlab_{c}").to_numpy() for c in RESULT_COLUMNS}
    if whole["data"]["modality"] == "images":
        data = _link_images(rows, out / "images", whole["config"].get("label_column"))
    else:
        data = out / "rows.parquet"
        rows.to_parquet(data, index=False)
    labels = result["cluster"].astype(np.int64)
    confidence = result["confidence"].astype(np.float32)
    k = max(int(labels.max()) + 1, 1)
    soft = np.zeros((len(labels), k), np.float32)
    inside = labels >= 0
    soft[np.flatnonzero(inside), labels[inside]] = confidence[inside]
    Clustering(labels, soft, confidence, whole["method"], whole["params"],
               whole["fit_info"]).save(out / "clustering.npz")
    pd.DataFrame({"id": pd.Series(rows[ID].astype(str), dtype="string"), "cluster": labels,
                  "confidence": confidence.astype(np.float64),
                  "x": result["x"].astype(np.float64), "y": result["y"].astype(np.float64)}
                 ).to_parquet(out / ASSIGNMENTS, index=False)
    np.save(out / "features.npy", X.astype(np.float32), allow_pickle=False)
    import json

    transform = json.loads((run_dir / ASSIGNER / "assigner.json").read_text())["transform"]
    write_json(out / FEATURES_TRANSFORM, transform)
    write_json(out / "features_names.json", transform["names"])
    config = {**whole["config"], "data": str(run_dir / VIEW / data.name),
              "id_column": ID if data.suffix else None,
              "kind": "text" if whole.get("text_column") else whole["config"]["kind"],
              "text_column": whole.get("text_column")}
    config.pop("sample", None)
    shown = len(rows)
    write_json(out / RUN_JSON, {
        **whole, "config": config,
        "data": {**whole["data"], "source": config["data"], "rows": shown,
                 "sha256": data_fingerprint(str(data)),
                 "whole_rows": whole["data"]["rows"]},
        "notes": [*whole.get("notes", []),
                  f"The map shows {shown:,} of the run's {whole['data']['rows']:,} rows" + (
                      "." if shown == whole["data"]["rows"] else
                      " (a uniform sample by id hash); the figures above count every row.")]})
    log.info("view of partitioned run %s: %d of %d rows", run_dir.name, shown,
             whole["data"]["rows"])
