"""A frozen, row-wise assigner: new rows -> cluster, confidence and place on the map.

Fitted once from a finished clustering (of all rows or of a sample) and saved without
pickle: JSON, an ``.npz`` of plain arrays (read with ``allow_pickle=False``) and network
weights as ``state_dict`` files (read with ``weights_only=True``). Every row is assigned on
its own, so the result does not depend on how the rows are split into chunks.

How each method assigns:

- ``kmeans``: the nearest centre, soft assignment with the temperature measured on the fit;
- ``gmm``: the mixture's posterior (weights, means and covariances re-estimated from the
  fit's responsibilities — the fixed point of EM);
- deep methods with a saved model: the model itself (view network, heads, calibration);
- every other method (HDBSCAN, UMAP-based ones, ``auto``): the cluster of the nearest fitted
  row (noise when that row is noise), its confidence carried over (only the sample's rows
  are kept where ``auto`` fitted on a sample, :mod:`clustering.fit_on_sample`);
- the map: an MLP distilled from features to the fit's 2-D map (R² kept in ``fit``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .clustering_result import Clustering
from .progress import ProgressFn, no_progress

__all__ = ["ASSIGNER_JSON", "Assigner", "fit_assigner"]

log = logging.getLogger(__name__)

ASSIGNER_JSON = "assigner.json"
ARRAYS = "assigner.npz"
MAP_WEIGHTS = "map.pt"
MODEL_DIR = "model"


@dataclass(eq=False)
class Assigner:
    """Everything needed to assign new feature rows (see the module docstring)."""

    transform: dict
    kind: str
    """``centroids``, ``gmm``, ``deep`` or ``nearest``."""
    params: dict
    arrays: dict[str, np.ndarray]
    map_config: dict
    map_net: object = field(repr=False)
    model: object = field(default=None, repr=False)
    fit: dict = field(default_factory=dict)

    def assign(self, X: np.ndarray, device: str = "cpu"
               ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Cluster, confidence and map place of each row.

        Parameters
        ----------
        X : ndarray, shape (n, d)
            Feature rows computed with :attr:`transform`.
        device : str

        Returns
        -------
        labels : ndarray of int64, shape (n,)
            -1 is noise.
        confidence : ndarray of float32, shape (n,)
        xy : ndarray of float32, shape (n, 2)
        """
        from .deep.view import view_rows

        X = np.ascontiguousarray(X, dtype=np.float32)
        if self.kind == "deep":
            labels, confidence = self.model.predict_confidence(X, device)
        elif self.kind == "centroids":
            labels, confidence = _centroid_assign(X, self.arrays["centres"],
                                                  self.params["temperature"])
        elif self.kind == "gmm":
            labels, confidence = _gmm_assign(X, self.arrays, self.params["covariance_type"])
        else:
            labels, confidence = _nearest_assign(X, self.arrays)
        scale = np.asarray(self.map_config["scale"], np.float32)
        centre = np.asarray(self.map_config["centre"], np.float32)
        xy = view_rows(self.map_net, X, device) * scale + centre
        return (np.asarray(labels, np.int64), np.asarray(confidence, np.float32),
                xy.astype(np.float32))

    def save(self, folder: Path) -> None:
        """Write the assigner into ``folder`` (JSON, npz and state_dict files only)."""
        import torch

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        np.savez(folder / ARRAYS, **self.arrays)
        torch.save(self.map_net.state_dict(), folder / MAP_WEIGHTS)
        if self.model is not None:
            (folder / MODEL_DIR).mkdir(exist_ok=True)
            self.model.save(folder / MODEL_DIR)
        (folder / ASSIGNER_JSON).write_text(json.dumps({
            "transform": self.transform, "kind": self.kind, "params": self.params,
            "map": self.map_config, "fit": self.fit}, indent=1), encoding="utf-8")

    @classmethod
    def load(cls, folder: Path) -> Assigner:
        """Read :meth:`save` output (no pickle anywhere)."""
        import torch

        from .deep.view import build_view

        folder = Path(folder)
        meta = json.loads((folder / ASSIGNER_JSON).read_text(encoding="utf-8"))
        with np.load(folder / ARRAYS, allow_pickle=False) as npz:
            arrays = {k: npz[k] for k in npz.files}
        net = build_view(meta["map"]["net"])
        net.load_state_dict(torch.load(folder / MAP_WEIGHTS, map_location="cpu",
                                       weights_only=True))
        model = None
        if meta["kind"] == "deep":
            from .deep.model import DeepModel

            model = DeepModel.load(folder / MODEL_DIR)
        return cls(meta["transform"], meta["kind"], meta["params"], arrays, meta["map"],
                   net.eval(), model, meta.get("fit", {}))


def fit_assigner(X: np.ndarray, clustering: Clustering, xy: np.ndarray, transform: dict, *,
                 random_state: int = 0, device: str = "cpu",
                 progress: ProgressFn = no_progress) -> Assigner:
    """Freeze a finished clustering and map of the rows ``X`` into an :class:`Assigner`.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        The fitted rows' features.
    clustering : Clustering
        Their clustering (its model is kept for deep methods).
    xy : ndarray, shape (n, 2)
        Their 2-D map.
    transform : dict
        :meth:`~clustering.features.Features.transform` of the features.
    random_state : int
    device : str
        Where the map network trains.
    progress : callable

    Returns
    -------
    Assigner
        With ``fit``: the map network's R² on held-out rows and the share of fitted rows the
        assigner puts in the cluster the fit gave them.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> from clustering.clusterers import cluster
    >>> X, _ = make_blobs(600, centers=3, n_features=4, random_state=0)
    >>> X = X.astype("float32")
    >>> clus = cluster(X, "kmeans", 3)
    >>> a = fit_assigner(X, clus, X[:, :2], {"representation": "raw"})
    >>> labels, conf, xy = a.assign(X)
    >>> bool((labels == clus.labels).all()), a.fit["map_r2_held_out"] > 0.9
    (True, True)
    """
    from .sampled_map import distil_map

    X = np.ascontiguousarray(X, dtype=np.float32)
    labels = clustering.labels
    kind, params, arrays, model = _cluster_part(X, clustering)
    progress(0.1, "assigner: fitting the map network")
    net, config, centre, scale, r2, r2_train = distil_map(
        X, xy, np.random.default_rng(random_state), random_state, device,
        lambda f, m: progress(0.1 + 0.8 * f, f"assigner: {m}"))
    net = net.cpu().eval()
    assigner = Assigner(transform, kind, params, arrays,
                        {"net": config, "centre": centre.tolist(), "scale": scale.tolist()},
                        net, model)
    again, _, _ = assigner.assign(X, "cpu")
    assigner.fit = {"rows": int(len(X)), "kind": kind,
                    "map_r2_held_out": None if r2 is None else round(r2, 4),
                    "map_r2_train": round(float(r2_train), 4),
                    "agreement_with_fit": round(float((again == labels).mean()), 4)}
    log.info("assigner (%s): map R² %s, agreement with the fit %.4f", kind, r2,
             assigner.fit["agreement_with_fit"])
    progress(1.0, "assigner: done")
    return assigner


def _cluster_part(X: np.ndarray, clustering: Clustering):
    """(kind, params, arrays, model) of the clustering's assignment rule."""
    labels = clustering.labels
    if clustering.model is not None and clustering.method != "auto":
        return "deep", {"method": clustering.method}, {}, clustering.model
    if clustering.method == "kmeans" and (labels >= 0).all():
        k = int(labels.max()) + 1
        centres = np.stack([X[labels == c].mean(axis=0) for c in range(k)])
        from .kselect import chunked_d2

        d2 = chunked_d2(X, centres)
        two = np.sort(d2, axis=1)[:, :2] if k > 1 else np.zeros((len(X), 2))
        temperature = max(float(np.median(two[:, 1] - two[:, 0])) / 2.0, 1e-12)
        return "centroids", {"temperature": temperature}, {"centres": centres}, None
    if clustering.method == "gmm":
        cov = clustering.params.get("covariance_type", "diag")
        return "gmm", {"covariance_type": cov}, _gmm_parameters(X, clustering.soft, cov), None
    keep = slice(None)
    fitted_on = clustering.info.get("fitted_on")
    if fitted_on:  # fitted on a sample: every other row copied its nearest sampled row
        from .fit_on_sample import sample_rows

        keep = sample_rows(len(X), fitted_on["rows"], fitted_on["seed"])
    return "nearest", {}, {"rows": X[keep], "labels": labels[keep].astype(np.int64),
                           "confidence": clustering.confidence[keep].astype(np.float32)}, None


def _centroid_assign(X, centres, temperature):
    from .kselect import chunked_d2

    d2 = chunked_d2(X, centres)
    logits = -(d2 - d2.min(axis=1, keepdims=True)) / temperature
    soft = np.exp(logits)
    soft /= soft.sum(axis=1, keepdims=True)
    return d2.argmin(axis=1), soft.max(axis=1)


REG_COVAR = 1e-4


def _gmm_parameters(X: np.ndarray, soft: np.ndarray, cov: str) -> dict[str, np.ndarray]:
    """One M-step from the fit's responsibilities (what EM converged to)."""
    X = X.astype(np.float64)
    resp = soft.astype(np.float64)
    nk = resp.sum(axis=0) + 1e-10
    means = resp.T @ X / nk[:, None]
    if cov == "full":
        covs = np.stack([((resp[:, j, None] * (X - means[j])).T @ (X - means[j])) / nk[j]
                         + REG_COVAR * np.eye(X.shape[1]) for j in range(len(nk))])
    else:
        covs = np.stack([(resp[:, j, None] * (X - means[j]) ** 2).sum(axis=0) / nk[j]
                         + REG_COVAR for j in range(len(nk))])
    return {"weights": nk / nk.sum(), "means": means, "covariances": covs}


def _gmm_assign(X, arrays, cov):
    X = X.astype(np.float64)
    weights, means, covs = arrays["weights"], arrays["means"], arrays["covariances"]
    logp = np.empty((len(X), len(weights)))
    d = X.shape[1]
    for j in range(len(weights)):
        diff = X - means[j]
        if cov == "full":
            chol = np.linalg.cholesky(covs[j])
            sol = np.linalg.solve(chol, diff.T)
            maha, logdet = (sol ** 2).sum(axis=0), 2 * np.log(np.diag(chol)).sum()
        else:
            maha, logdet = (diff ** 2 / covs[j]).sum(axis=1), np.log(covs[j]).sum()
        logp[:, j] = np.log(weights[j]) - 0.5 * (d * np.log(2 * np.pi) + logdet + maha)
    logp -= logp.max(axis=1, keepdims=True)
    post = np.exp(logp)
    post /= post.sum(axis=1, keepdims=True)
    return post.argmax(axis=1), post.max(axis=1)


def _nearest_assign(X, arrays):
    from sklearn.metrics import pairwise_distances_argmin

    if not len(X):
        return np.zeros(0, np.int64), np.zeros(0, np.float32)
    nearest = pairwise_distances_argmin(X, arrays["rows"])
    return arrays["labels"][nearest], arrays["confidence"][nearest]
