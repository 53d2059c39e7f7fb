"""The ``Clustering`` record every clusterer returns, saved without pickle."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

__all__ = ["Clustering"]


@dataclass(frozen=True, eq=False)
class Clustering:
    """Cluster labels with soft assignments and per-point confidence.

    Parameters
    ----------
    labels : ndarray of int64, shape (n,)
        Cluster ids 0..k-1; -1 marks noise.
    soft : ndarray of float32, shape (n, k)
        Soft assignment / membership probability per cluster (rows of noise points may
        sum to less than 1).
    confidence : ndarray of float32, shape (n,)
        Confidence of each point's label in [0, 1] (0 for noise).
    method : str
        Method name.
    params : dict
        JSON-serialisable parameters actually used (``n_clusters`` included).
    info : dict
        JSON-serialisable facts about the fit (how k was chosen, iterations, ...).
    model : DeepModel, optional
        The trained network of deep methods (saved separately, see ``DeepModel.save``).
    alternatives : ndarray of int64, shape (n, m), optional
        Other clusterings of the same points (DivClust's heads), one column each.
    space : ndarray of float32, shape (n, d), optional
        The rows in the space the clusters were cut in, when that is not the features
        (``auto``'s learned views); the map is laid out from it, so that it shows the
        groups the clusters are.
    """

    labels: np.ndarray
    soft: np.ndarray
    confidence: np.ndarray
    method: str
    params: dict = field(default_factory=dict)
    info: dict = field(default_factory=dict)
    model: object = field(default=None, repr=False)
    alternatives: np.ndarray | None = None
    space: np.ndarray | None = None

    def __post_init__(self) -> None:
        """Check that the arrays agree in shape (``ValueError`` otherwise)."""
        n = len(self.labels)
        if self.soft.ndim != 2 or len(self.soft) != n:
            raise ValueError(f"soft must be (n, k) with n={n}, got {self.soft.shape}")
        if self.confidence.shape != (n,):
            raise ValueError(f"confidence must be ({n},), got {self.confidence.shape}")
        if n and self.labels.max() >= max(self.soft.shape[1], 1):
            raise ValueError("a label is larger than the number of soft columns")
        if self.space is not None and len(self.space) != n:
            raise ValueError(f"space must have n={n} rows, got {self.space.shape}")

    def map_input(self, X: np.ndarray, knn):
        """The rows the map is laid out from, and their neighbour graph.

        ``space`` when set (its graph is computed anew by the projection), else the
        features ``X`` with their graph ``knn``.
        """
        return (X, knn) if self.space is None else (self.space, None)

    @property
    def n_clusters(self) -> int:
        """Number of clusters, noise not counted."""
        return int(len(np.unique(self.labels[self.labels >= 0])))

    def save(self, path: Path) -> None:
        """Write to ``path`` (.npz, no pickle); callers make it atomic."""
        meta = json.dumps({"method": self.method, "params": self.params, "info": self.info})
        extra = {name: value for name, value in (("alternatives", self.alternatives),
                                                 ("space", self.space)) if value is not None}
        with open(path, "wb") as handle:
            np.savez(handle, labels=self.labels, soft=self.soft, confidence=self.confidence,
                     meta=np.array(meta), **extra)

    @classmethod
    def load(cls, path: Path) -> Clustering:
        """Read a file written by :meth:`save`."""
        with np.load(path, allow_pickle=False) as z:
            meta = json.loads(str(z["meta"]))
            extra = {name: z[name] for name in ("alternatives", "space") if name in z.files}
            return cls(labels=z["labels"], soft=z["soft"], confidence=z["confidence"],
                       **extra, **meta)
