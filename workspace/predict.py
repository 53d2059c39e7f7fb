"""Assign new rows to the clusters of a stored run, with its frozen assigner.

Every run can assign new rows: deep runs with their saved network, k-means with its centres,
Gaussian mixtures with their components, every other method by the nearest row it
clustered; the map place comes from a network distilled from the run's map. A partitioned
run carries its assigner; for other runs it is fitted from the run's stored features on the
first ``predict`` and kept in the run's folder.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from clustering.dataset import Dataset
from clustering.errors import InputError
from clustering.progress import ProgressFn, no_progress

from .atomic import write_folder
from .review import cluster_name
from .runs import FEATURES_TRANSFORM, load_assignments, load_clustering, read_artifact, read_run
from .store import Store

__all__ = ["assign_file", "assign_new_rows", "read_new_rows", "run_assigner", "write_assigned"]

log = logging.getLogger(__name__)

ASSIGNER = "assigner"


def run_assigner(folder: Path, device: str = "cpu", progress: ProgressFn = no_progress):
    """The run's :class:`~clustering.assigner.Assigner`, fitted and kept on first use.

    Raises
    ------
    InputError
        The run predates saved feature settings, or a file is damaged.
    """
    import numpy as np

    from clustering.assigner import ASSIGNER_JSON, Assigner, fit_assigner

    folder = Path(folder)
    if (folder / ASSIGNER / ASSIGNER_JSON).exists():
        return read_artifact(folder / ASSIGNER / ASSIGNER_JSON,
                             lambda p: Assigner.load(p.parent))
    if not (folder / FEATURES_TRANSFORM).exists():
        raise InputError(f"Run {folder.name} was made before feature settings were saved with "
                         "runs; run it again to assign new rows.")
    transform = read_artifact(folder / FEATURES_TRANSFORM,
                              lambda p: json.loads(p.read_text(encoding="utf-8")))
    X = read_artifact(folder / "features.npy", lambda p: np.load(p, allow_pickle=False))
    clustering = load_clustering(folder)
    from clustering.deep.model import CONFIG

    if (folder / CONFIG).exists():
        from dataclasses import replace

        from clustering.deep.model import DeepModel

        model = read_artifact(folder / "model.pt", lambda _: DeepModel.load(folder))
        clustering = replace(clustering, model=model)
    frame = load_assignments(folder)
    xy = frame[["x", "y"]].to_numpy(np.float32)
    progress(0.0, "fitting the run's assigner (once)")
    assigner = fit_assigner(X, clustering, xy, transform, device=device, progress=progress)
    # another process may have kept its assigner meanwhile: same content, kept
    write_folder(folder / ASSIGNER, assigner.save, replace=False)
    return assigner


def assign_new_rows(run_dir: Path, data: Dataset, store: Store, device: str = "auto",
                    progress: ProgressFn = no_progress) -> pd.DataFrame:
    """Cluster, cluster name, confidence and map place of each row of ``data``.

    The rows get the run's features (same columns, order and scaling), then the run's
    assigner places them. Cluster names come from the review; points moved by reviewers do
    not change what is predicted for new rows.

    Parameters
    ----------
    run_dir : Path
        The ``--out`` folder of ``clusterlab run``, or the run's folder in the store.
    data : Dataset
        The new rows.
    store : Store
    device : str
        ``auto``, ``cpu`` or ``cuda``.
    progress : callable, optional
        ``progress(fraction, message)``; the first assignment with a run fits its assigner.

    Returns
    -------
    DataFrame
        ``id, cluster, cluster_name, confidence, x, y``.

    Raises
    ------
    InputError
        The run predates saved feature settings, or the data does not fit.
    """
    from clustering.device import resolve_device
    from clustering.features import featurize_like

    run_dir = Path(run_dir)
    if not (run_dir / "run.json").exists():
        raise InputError(f"'{run_dir}' is not a run folder (no run.json); give the --out "
                         "folder of 'clusterlab run'.")
    key = read_run(run_dir)["key"]
    device = resolve_device(device)
    # the assigner's fit (first use) fills the bar to 0.9, the assignment the rest
    assigner = run_assigner(store.run_dir(key), device, lambda f, m: progress(0.9 * f, m))
    progress(0.9, f"assigning {len(data.ids):,} new rows")
    X = featurize_like(data, assigner.transform, device=device)
    labels, confidence, xy = assigner.assign(X, device)
    names = store.clusters(key)
    log.info("assigned %d new rows with run %s", len(labels), key)
    return pd.DataFrame({"id": [str(i) for i in data.ids], "cluster": labels.astype(int),
                         "cluster_name": [cluster_name(c, names) for c in labels],
                         "confidence": confidence, "x": xy[:, 0], "y": xy[:, 1]})


def read_new_rows(source: str | Path, run_dir: Path, *, kind: str = "auto",
                  text_column: str | None = None, id_column: str | None = None,
                  drop_invalid: bool = False, fill_missing: bool = False,
                  images_root: str | None = None) -> tuple[Dataset, list[str]]:
    """New rows read as the run read its own data, and the notes to show about them.

    Column roles and kind not given are the run's (where the file has those columns), and a
    table's rows are read on the run's columns (no column chosen or noted again);
    images are read at the run's side and over its pixel ranges. Cells filled by
    ``fill_missing`` take the run's column means when they are assigned
    (:func:`clustering.features.featurize_like`), which the notes say instead of the
    loader's own fill note. ``images_root``: where a table naming image files has its paths
    start, where not in its own folder (``--images-root``).

    Raises
    ------
    InputError
        The file cannot be read, or its rows do not fit.
    """
    from clustering.loaders import load_data

    run_dir = Path(run_dir)
    run = read_run(run_dir) if (run_dir / "run.json").exists() else {}
    config, about = run.get("config", {}), run.get("data", {})
    like_run = {**config, **({"columns_clustered": about["feature_columns"]}
                             if about.get("feature_columns") else {})}
    data = load_data(source, kind, text_column=text_column, id_column=id_column,
                     drop_invalid=drop_invalid, fill_missing=fill_missing, like_run=like_run,
                     image_size=config.get("image_size") or about.get("image_side") or 32,
                     pixel_ranges=about.get("pixel_ranges"), images_root=images_root)
    notes = [n for n in data.notes if not (data.filled and n.startswith("Filled "))]
    if data.filled:
        cells = sum(len(rows) for rows in data.filled.values())
        notes.append(f"{cells:,} empty cell(s) of the new rows take the run's own column "
                     "means (the new rows' medians where the run did not scale its columns).")
    return data, notes


def write_assigned(frame: pd.DataFrame, out: Path) -> None:
    """Write assigned rows to ``out`` (``.csv``, formulas escaped, or ``.parquet``), whole or
    not at all."""
    from .atomic import write_with
    from .exports import escaped_csv

    out = Path(out)
    if out.suffix.lower() == ".csv":
        write_with(out, lambda p: escaped_csv(frame).to_csv(p, index=False))
    elif out.suffix.lower() == ".parquet":
        write_with(out, lambda p: frame.to_parquet(p, index=False))
    else:
        raise InputError(f"'{out.name}' must end in .csv or .parquet.")


SUMMARY = ".summary.json"
"""Suffix of the summary written beside the file of :func:`assign_file`."""


def assign_file(run_dir: Path, source: str | Path, out: Path, store: Store, *,
                device: str = "auto", progress: ProgressFn = no_progress, **reading) -> dict:
    """Read a file of new rows, assign them with the run and write them to ``out``.

    What the app's Assign page runs in a worker. Beside ``out`` goes ``<out>.summary.json``:
    rows, rows per cluster name, mean confidence, the notes and the run's key.

    Parameters
    ----------
    run_dir : Path
        The run's folder.
    source : str or Path
        The new rows, in the run's data format.
    out : Path
        A ``.csv`` or ``.parquet`` file.
    store : Store
    device : str
    progress : callable, optional
    **reading
        :func:`read_new_rows`'s keywords (``kind``, ``text_column``, ``id_column``,
        ``drop_invalid``, ``fill_missing``).

    Returns
    -------
    dict
        The summary.
    """
    from .atomic import write_with

    progress(0.0, "reading the new rows")
    data, notes = read_new_rows(source, run_dir, **reading)
    frame = assign_new_rows(run_dir, data, store, device=device, progress=progress)
    write_assigned(frame, out)
    counts = frame["cluster_name"].value_counts()
    summary = {"run": read_run(Path(run_dir))["key"], "source": Path(source).name,
               "rows": len(frame), "clusters": {str(k): int(v) for k, v in counts.items()},
               "mean_confidence": float(frame["confidence"].mean()) if len(frame) else None,
               "notes": notes}
    write_with(Path(str(out) + SUMMARY),
               lambda p: p.write_text(json.dumps(summary, indent=1), encoding="utf-8"))
    progress(1.0, f"assigned {len(frame):,} rows")
    return summary
