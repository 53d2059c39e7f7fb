"""The deep methods behind the common clusterer interface (each returns a ``Clustering``)."""

from __future__ import annotations

import logging
import time

import numpy as np

from ..clustering_result import Clustering
from ..progress import no_progress
from .common import TrainContext, seed_everything
from .model import DeepModel

__all__ = ["DEEP_METHODS", "fit_deep"]

log = logging.getLogger(__name__)

DEEP_METHODS = {
    "dec": "autoencoder + DEC (Student-t assignment, sharpened target, KL loss)",
    "idec": "autoencoder + IDEC (DEC that keeps the reconstruction loss)",
    "scan": "SCAN heads on a learned view (contrastive for images, UMAP otherwise), "
            "then self-labelling",
    "sela": "optimal-transport self-labelling with balanced Sinkhorn pseudo-labels (SeLa)",
    "p2ot": "progressive partial transport self-labelling for imbalanced clusters (P²OT)",
    "divclust": "several diverse SCAN-style clusterings (DivClust) and their consensus",
    "temi": "self-distilled heads (student vs. EMA teacher, TEMI's mutual-information loss) "
            "on a learned view",
}


def fit_deep(X: np.ndarray, method: str, n_clusters: int | None, *, random_state: int = 0,
             device: str = "cpu", progress=no_progress, should_stop=None,
             image_shape: tuple[int, ...] | None = None, epochs: int | None = None,
             knn=None, checkpoint_dir=None, calibrate: bool = True, **_) -> Clustering:
    """Train one deep method and return its clustering (with the model attached).

    Parameters
    ----------
    X : ndarray, shape (n, d)
    method : str
        A key of :data:`DEEP_METHODS`.
    n_clusters : int, optional
        Chosen by silhouette of k-means when omitted (reported in ``info``).
    random_state : int
    device : str
        Resolved device.
    progress, should_stop : callable
    image_shape : tuple of int, optional
        Enables image augmentations when rows are flattened images.
    epochs : int, optional
        Overrides the method's default length.
    knn : KnnGraph, optional
        Unused (SCAN mines its own neighbours).
    checkpoint_dir : Path, optional
        Training checkpoints go here and are resumed from when present.
    calibrate : bool
        Report the calibration head's confidence (see :mod:`.calibration`) instead of the
        clustering head's own maximum probability.

    Returns
    -------
    Clustering
    """
    from ..clusterers import _kmeans_labels, choose_k

    seed_everything(random_state)
    info: dict = {"device": device}
    if n_clusters is None:
        n_clusters, info["k_selection"] = choose_k(
            X, lambda k: _kmeans_labels(X, k, random_state).labels_, random_state)
    ctx = TrainContext(device, random_state, progress, should_stop, image_shape,
                       checkpoint_dir)
    start = time.perf_counter()
    alternatives = None
    if method in ("dec", "idec"):
        soft, model, extra, ep = _dec(X, n_clusters, ctx, method == "idec", epochs)
    elif method in ("scan", "divclust", "temi"):
        if method in ("scan", "temi"):
            soft, model, extra, ep = _scan(X, n_clusters, ctx, epochs, random_state,
                                           temi=method == "temi")
        else:
            soft, model, extra, ep, alternatives = _divclust(X, n_clusters, ctx, epochs,
                                                             random_state)
    else:
        soft, model, extra, ep = _ot(X, n_clusters, ctx, method == "p2ot", epochs)
    view = _keep_view(model, X, extra.pop("_view", X), extra.pop("_view_net", None), ctx,
                      info)
    labels = soft.argmax(axis=1).astype(np.int64)
    if method == "divclust":
        labels = extra.pop("consensus_labels")
    confidence = soft[np.arange(len(labels)), labels].astype(np.float32)
    info.update(extra)
    info["train_seconds"] = round(time.perf_counter() - start, 3)
    info["seconds_per_epoch"] = round(info["train_seconds"] / max(ep, 1), 4)
    if calibrate:
        from .calibration import train_calibration_head

        calib = train_calibration_head(view, soft, ctx.part(0, 1, label="calibration"),
                                       labels=labels)
        model.calibration = calib.model
        model.config["calibration"] = {"sizes": calib.sizes}
        info["confidence"] = (f"calibration head on {calib.n_regions} region-averaged "
                              "assignments")
        info["head_confidence_mean"] = round(float(confidence.mean()), 4)
        confidence = calib.confidence
    info["predict_agreement"] = round(float((model.predict(X, device) == labels).mean()), 4)
    return Clustering(labels, soft.astype(np.float32), confidence, method,
                      {"n_clusters": int(n_clusters), "epochs": ep}, info, model,
                      alternatives=alternatives)


def _keep_view(model, X, view, view_net, ctx, info) -> np.ndarray:
    """Attach to ``model`` the network from features to the view its head reads: the
    contrastive encoder for images, else an MLP distilled from the UMAP view.

    Returns the view as that network computes it (what the calibration head then learns
    from, so that it reads at training what it reads when predicting new rows).
    """
    from .view import distil_view, view_rows

    if view is X:
        return X
    if view_net is None:
        net, config, r2 = distil_view(X, view, ctx.part(0, 1, label="view-fit"))
        info["view_fit_r2"] = round(r2, 4)
        view_net = (net, config)
    model.view, model.config["view"] = view_net
    return view_rows(model.view, X, ctx.device)


def _dec(X, k, ctx, idec, epochs):
    from .dec import hidden_sizes, train_dec

    pre = epochs or 200
    result = train_dec(X, k, ctx, idec=idec, pretrain_epochs=pre, max_iter=100)
    model = DeepModel("dec", {"dim": X.shape[1], "n_clusters": k, "latent": 10,
                              "hidden": list(hidden_sizes(ctx.device))}, result.model)
    extra = {"dec_passes": result.iterations, "converged": result.converged,
             "last_label_change": result.changed}
    return result.soft, model, extra, pre + result.iterations


def _scan(X, k, ctx, epochs, seed, views: int = 3, m: int = 5, temi: bool = False):
    """SCAN (or TEMI) heads on a learned view of the data; SCAN then self-labels.

    Images get a contrastive (SimCLR-style) embedding trained from scratch; other data get
    standardised 10-D UMAPs, one per view (seed). Each view trains 10 heads; the (view,
    head) with the lowest own loss is kept. Ground truth is never looked at.
    """
    from .scan import self_label, train_scan
    from .temi import train_temi

    ep = epochs or 100
    spaces = _scan_spaces(X, ctx, seed, views, ep)
    best, best_view, losses, best_input, where, net = None, 0, [], None, "", None
    for view, (Z, label, view_net) in enumerate(spaces):
        ctx.check()
        neighbors = _neighbours(Z, m, seed)
        sub = ctx.part(view, len(spaces), label="view")
        result = (train_temi if temi else train_scan)(Z, neighbors, k, sub, epochs=ep,
                                                      n_heads=10)
        losses.append(min(result.head_losses))
        if best is None or losses[-1] < min(losses[:-1]):
            best, best_view, best_input, where, net = result, view, Z, label, view_net
    extra = {"neighbours": f"{m} nearest neighbours mined in the {where} view",
             "view": best_view, "view_losses": [round(v, 4) for v in losses],
             "head": best.head, "_view": best_input, "_view_net": net}
    config = {"dim": best_input.shape[1], "n_clusters": k, "n_heads": 10, "head": best.head,
              "input": where}
    if temi:
        config["temperature"] = 0.1
        return best.soft, DeepModel("scan", config, best.model), extra, len(spaces) * ep
    labelled = self_label(best, best_input, ctx.part(0, 1), epochs=max(ep // 5, 1),
                          threshold=0.9)
    return (best.soft, DeepModel("scan", config, best.model), {**extra, **labelled},
            len(spaces) * ep + max(ep // 5, 1))


def _scan_spaces(X, ctx, seed, views, epochs):
    """The inputs SCAN trains on: a contrastive embedding for images, UMAP views otherwise.

    Returns a list of ``(Z, label, view network or None)``; the contrastive encoder is its
    own view network, a UMAP view gets one distilled later (only the kept view).
    """
    from ..projection import knn_graph, umap_embed

    if ctx.image_shape is not None and len(X) > 200:
        from .contrastive import train_contrastive
        from .view import image_view

        images = X.reshape(len(X), *ctx.image_shape)
        sub = ctx.part(0, 1, image_shape=ctx.image_shape)
        emb, encoder = train_contrastive(images, sub, epochs=epochs)
        return [(emb.astype(np.float32), "contrastive-128d",
                 image_view(encoder, ctx.image_shape))]
    if len(X) <= 200:
        return [(X, "features", None)]
    base = knn_graph(X, 15, seed)
    out = []
    for view in range(views):
        Z = umap_embed(X, 10, base, seed + view, min_dist=0.0)
        out.append((((Z - Z.mean(axis=0)) / Z.std(axis=0).clip(1e-6)).astype(np.float32),
                    "umap-10d", None))
    return out


def _neighbours(Z, m, seed):
    from ..projection import knn_graph

    return knn_graph(Z, m + 1, seed).indices[:, 1:]


def _divclust(X, k, ctx, epochs, seed, diversity: float = 0.8):
    """DivClust heads on a standardised 10-D UMAP view (as SCAN), plus their consensus."""
    from ..projection import knn_graph, umap_embed
    from .divclust import column_order, train_divclust

    ep = epochs or 60
    Z = X
    if len(X) > 200:
        Z = umap_embed(X, 10, knn_graph(X, 15, seed), seed, min_dist=0.0)
        Z = ((Z - Z.mean(axis=0)) / Z.std(axis=0).clip(1e-6)).astype(np.float32)
    neighbors = knn_graph(Z, 6, seed).indices[:, 1:]
    sub = ctx.part(0, 1, image_shape=None if Z is not X else ctx.image_shape)
    result = train_divclust(Z, neighbors, k, sub, diversity=diversity, epochs=ep)
    # the saved model predicts the mean of the heads, each numbered like the consensus
    orders = [column_order(h, result.consensus_labels).tolist() for h in result.heads_soft]
    model = DeepModel("scan", {"dim": Z.shape[1], "n_clusters": k, "n_heads": 4, "head": 0,
                               "consensus": orders,
                               "input": "umap-10d" if Z is not X else "features"},
                      result.model)
    alternatives = np.stack([h.argmax(axis=1) for h in result.heads_soft], axis=1)
    extra = {"diversity_target": diversity, "consensus_labels": result.consensus_labels,
             "head_similarity_nmi": np.round(result.similarity, 3).tolist(), "_view": Z}
    return result.consensus_soft, model, extra, ep, alternatives


def _ot(X, k, ctx, imbalanced, epochs):
    from .selflabel import train_ot_selflabel

    ep = epochs or 40
    result = train_ot_selflabel(X, k, ctx, imbalanced=imbalanced, epochs=ep)
    model = DeepModel("scan", {"dim": X.shape[1], "n_clusters": k, "n_heads": 1, "head": 0},
                      result.model)
    return result.soft, model, {"rho_final": result.rho_final}, ep + 1
