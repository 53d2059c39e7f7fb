"""Assign new rows to the clusters of a stored deep run, with its saved model."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pandas as pd

from clustering.dataset import Dataset
from clustering.errors import InputError

from .review import cluster_name
from .runs import FEATURES_TRANSFORM, read_artifact, read_run
from .store import Store

__all__ = ["assign_new_rows"]

log = logging.getLogger(__name__)


def assign_new_rows(run_dir: Path, data: Dataset, store: Store, device: str = "auto"
                    ) -> pd.DataFrame:
    """Cluster, cluster name and confidence of each row of ``data``.

    The rows get the run's features (same columns, order and scaling), then the saved
    network (with its view network and calibration head) assigns them. Cluster names
    come from the review; points moved by reviewers do not change what the network
    predicts for new rows.

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
        ``id, cluster, cluster_name, confidence``.

    Raises
    ------
    InputError
        The run keeps no model, predates saved feature settings, or the data does not fit.
    """
    from clustering.deep.model import CONFIG, DeepModel
    from clustering.deep.registry import DEEP_METHODS
    from clustering.device import resolve_device
    from clustering.features import featurize_like

    run_dir = Path(run_dir)
    if not (run_dir / "run.json").exists():
        raise InputError(f"'{run_dir}' is not a run folder (no run.json); give the --out "
                         "folder of 'clusterlab run'.")
    run_json = read_run(run_dir)
    key = run_json["key"]
    folder = store.run_dir(key)
    if not (folder / CONFIG).exists():
        raise InputError(f"Run {key} used {run_json['method']}, which keeps no trained model; "
                         f"cluster with a deep method ({', '.join(DEEP_METHODS)}) to assign "
                         "new rows.")
    if not (folder / FEATURES_TRANSFORM).exists():
        raise InputError(f"Run {key} was made before feature settings were saved with runs; "
                         "run it again to assign new rows.")
    transform = read_artifact(folder / FEATURES_TRANSFORM,
                              lambda p: json.loads(p.read_text(encoding="utf-8")))
    device = resolve_device(device)
    X = featurize_like(data, transform, device=device)
    model = read_artifact(folder / "model.pt", lambda _: DeepModel.load(folder))
    labels, confidence = model.predict_confidence(X, device)
    names = store.clusters(key)
    log.info("assigned %d new rows with run %s", len(labels), key)
    return pd.DataFrame({"id": [str(i) for i in data.ids], "cluster": labels.astype(int),
                         "cluster_name": [cluster_name(c, names) for c in labels],
                         "confidence": confidence})
