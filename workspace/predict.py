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

__all__ = ["assign_new_rows", "run_assigner"]

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


def assign_new_rows(run_dir: Path, data: Dataset, store: Store, device: str = "auto"
                    ) -> pd.DataFrame:
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
    assigner = run_assigner(store.run_dir(key), device)
    X = featurize_like(data, assigner.transform, device=device)
    labels, confidence, xy = assigner.assign(X, device)
    names = store.clusters(key)
    log.info("assigned %d new rows with run %s", len(labels), key)
    return pd.DataFrame({"id": [str(i) for i in data.ids], "cluster": labels.astype(int),
                         "cluster_name": [cluster_name(c, names) for c in labels],
                         "confidence": confidence, "x": xy[:, 0], "y": xy[:, 1]})
