"""Finished pipeline stages kept on disk, so an interrupted run resumes after the last one.

Each stage's output goes into its own sub-folder, written under a temporary name and
renamed into place when complete: a folder that exists is always whole. Arrays are stored
with ``allow_pickle=False`` and deep models as state dicts.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
from collections.abc import Callable
from pathlib import Path

import numpy as np

from .clustering_result import Clustering
from .features import Features
from .projection import KnnGraph, Projection

__all__ = ["StageCache"]

log = logging.getLogger(__name__)


class StageCache:
    """Save and reload the outputs of the pipeline's stages in ``folder``.

    Parameters
    ----------
    folder : Path or None
        None disables caching (every call computes).
    """

    def __init__(self, folder: Path | None) -> None:
        self.folder = Path(folder) if folder else None

    @property
    def train_dir(self) -> Path | None:
        """Where deep training keeps its checkpoints."""
        return self.folder / "train" if self.folder else None

    def get(self, stage: str, compute: Callable[[], object]) -> object:
        """The stage's stored output, or ``compute()`` stored for next time."""
        save, load = _IO[stage]
        if self.folder is not None and (self.folder / stage).is_dir():
            log.info("resuming: reusing the finished stage '%s'", stage)
            return load(self.folder / stage)
        value = compute()
        if self.folder is not None:
            staging = self.folder / f".{stage}.{os.getpid()}"
            shutil.rmtree(staging, ignore_errors=True)
            staging.mkdir(parents=True)
            save(staging, value)
            os.replace(staging, self.folder / stage)
        return value


def _npy(path: Path, array: np.ndarray) -> None:
    with open(path, "wb") as handle:
        np.save(handle, array, allow_pickle=False)


def _load(path: Path) -> np.ndarray:
    return np.load(path, allow_pickle=False)


def _save_features(folder: Path, f: Features) -> None:
    _npy(folder / "X.npy", f.X)
    (folder / "meta.json").write_text(json.dumps(
        {"names": list(f.names), "representation": f.representation, "notes": list(f.notes),
         "scaling": f.scaling, "extra": f.extra}))


def _load_features(folder: Path) -> Features:
    meta = json.loads((folder / "meta.json").read_text())
    return Features(_load(folder / "X.npy"), tuple(meta["names"]), meta["representation"],
                    tuple(meta["notes"]), meta.get("scaling"), meta.get("extra") or {})


def _save_knn(folder: Path, knn: KnnGraph | None) -> None:
    if knn is not None:
        _npy(folder / "indices.npy", knn.indices)
        _npy(folder / "distances.npy", knn.distances)


def _load_knn(folder: Path) -> KnnGraph | None:
    if not (folder / "indices.npy").exists():
        return None
    return KnnGraph(_load(folder / "indices.npy"), _load(folder / "distances.npy"))


def _save_clustering(folder: Path, c: Clustering) -> None:
    c.save(folder / "clustering.npz")
    if c.model is not None:
        c.model.save(folder)


def _load_clustering(folder: Path) -> Clustering:
    from dataclasses import replace

    clustering = Clustering.load(folder / "clustering.npz")
    if (folder / "model.json").exists():
        from .deep.model import DeepModel

        clustering = replace(clustering, model=DeepModel.load(folder))
    return clustering


def _save_projection(folder: Path, p: Projection) -> None:
    _npy(folder / "xy.npy", p.xy)
    (folder / "meta.json").write_text(json.dumps({"method": p.method, "fit": p.fit}))


def _load_projection(folder: Path) -> Projection:
    meta = json.loads((folder / "meta.json").read_text())
    return Projection(_load(folder / "xy.npy"), meta["method"], meta.get("fit") or {})


_IO = {"features": (_save_features, _load_features), "neighbours": (_save_knn, _load_knn),
       "cluster": (_save_clustering, _load_clustering),
       "map": (_save_projection, _load_projection)}
