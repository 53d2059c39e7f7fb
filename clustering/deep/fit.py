"""Train a registered deep method and return its :class:`Clustering`.

What every method shares (seeding, choosing k, the network from features to the view its heads read,
the calibration head) wrapped around the method's own ``train``.
"""

from __future__ import annotations

import time

import numpy as np

from ..clustering_result import Clustering
from ..kselect import choose_k
from ..progress import no_progress
from .base import TrainResult
from .common import TrainContext, seed_everything
from .model import DeepModel
from .registry import DEEP_METHODS, check_options, method_object

__all__ = ["fit_deep"]


def fit_deep(X: np.ndarray, method: str, n_clusters: int | None, *, random_state: int = 0,
             device: str = "cpu", progress=no_progress, should_stop=None,
             image_shape: tuple[int, ...] | None = None, checkpoint_dir=None,
             calibrate: bool = True, options: dict | None = None) -> Clustering:
    """Train one deep method and return its clustering (with the model attached).

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Feature rows.
    method : str
        A key of :data:`~.registry.DEEP_METHODS`.
    n_clusters : int, optional
        Chosen by silhouette of k-means when omitted (reported in ``info``).
    random_state : int
        Seed of every random choice.
    device : str
        Resolved device.
    progress, should_stop : callable
        ``progress(fraction, message)``; ``should_stop()`` True cancels.
    image_shape : tuple of int, optional
        Enables image augmentations when rows are flattened images.
    checkpoint_dir : Path, optional
        Training checkpoints go here and are resumed from when present.
    calibrate : bool
        Report the calibration head's confidence (see :mod:`.calibration`) instead of the
        clustering head's own maximum probability.
    options : dict, optional
        The method's settings (:func:`~.registry.check_options`); unknown ones raise
        ``TypeError``.

    Returns
    -------
    Clustering
        Labels, soft assignments, confidence and the trained :class:`DeepModel`.

    Examples
    --------
    >>> from sklearn.datasets import make_blobs
    >>> X, _ = make_blobs(150, centers=3, n_features=4, cluster_std=0.5, random_state=0)
    >>> result = fit_deep(X.astype("float32"), "sela", 3, options={"epochs": 5})
    >>> result.n_clusters, result.model.config["method"]
    (3, 'sela')
    """
    settings = check_options(method, options or {})
    seed_everything(random_state)
    info: dict = {"device": device}
    if n_clusters is None:
        n_clusters, info["k_selection"] = choose_k(X, random_state=random_state,
                                                   scores_out=info.setdefault("k_scores", {}))
    ctx = TrainContext(device, random_state, progress, should_stop, image_shape,
                       checkpoint_dir)
    start = time.perf_counter()
    trained = method_object(method).train(X, n_clusters, ctx, **settings)
    model = DeepModel(method_object(method).kind, {**trained.config, "method": method},
                      trained.module)
    view = _keep_view(model, X, trained, ctx, info)
    labels = (trained.soft.argmax(axis=1) if trained.labels is None
              else trained.labels).astype(np.int64)
    confidence = trained.soft[np.arange(len(labels)), labels].astype(np.float32)
    info.update(trained.info)
    info["train_seconds"] = round(time.perf_counter() - start, 3)
    info["seconds_per_epoch"] = round(info["train_seconds"] / max(trained.epochs, 1), 4)
    if calibrate:
        confidence = _calibrate(model, view, trained.soft, labels, ctx, info, confidence)
    info["predict_agreement"] = round(float((model.predict(X, device) == labels).mean()), 4)
    params = {"n_clusters": int(n_clusters), "epochs": trained.epochs}
    changed = {k: v for k, v in settings.items() if v != DEEP_METHODS[method].options[k]}
    if changed:
        params["options"] = changed
    return Clustering(labels, trained.soft.astype(np.float32), confidence, method, params,
                      info, model, alternatives=trained.alternatives)


def _calibrate(model, view, soft, labels, ctx, info, confidence) -> np.ndarray:
    """Train the calibration head, attach it to ``model``; return its confidence."""
    from .calibration import train_calibration_head

    calib = train_calibration_head(view, soft, ctx.part(0, 1, label="calibration"),
                                   labels=labels)
    model.calibration = calib.model
    model.config["calibration"] = {"sizes": calib.sizes}
    info["confidence"] = f"calibration head on {calib.n_regions} region-averaged assignments"
    info["head_confidence_mean"] = round(float(confidence.mean()), 4)
    return calib.confidence


def _keep_view(model: DeepModel, X: np.ndarray, trained: TrainResult, ctx, info) -> np.ndarray:
    """Attach to ``model`` the network from features to the view its head reads.

    The contrastive encoder for images, else an MLP distilled from the UMAP view.

    Returns the view as that network computes it (what the calibration head then learns
    from, so that it reads at training what it reads when predicting new rows).
    """
    from .view import distil_view, view_rows

    if trained.view is None or trained.view is X:
        return X
    view_net = trained.view_net
    if view_net is None:
        net, config, r2 = distil_view(X, trained.view, ctx.part(0, 1, label="view-fit"))
        info["view_fit_r2"] = round(r2, 4)
        view_net = (net, config)
    model.view, model.config["view"] = view_net
    return view_rows(model.view, X, ctx.device)
