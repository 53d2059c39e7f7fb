"""Train a clustering network on optimal-transport pseudo-labels (SeLa / P²OT)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .common import TrainContext, augment, batches
from .scan import _module as _scan_net
from .scan import predict_soft
from .transport import partial_sinkhorn, sinkhorn

__all__ = ["OTResult", "train_ot_selflabel"]

log = logging.getLogger(__name__)


@dataclass
class OTResult:
    """A trained self-labelling network and its soft assignments."""

    model: object
    soft: np.ndarray
    rho_final: float
    epochs: int


def train_ot_selflabel(X: np.ndarray, n_clusters: int, ctx: TrainContext, *,
                       imbalanced: bool = False, epochs: int = 40, batch_size: int = 256,
                       lr: float = 1e-3, lam: float = 25.0, rho0: float = 0.2,
                       tau: float = 0.2) -> OTResult:
    """Alternate: transport-based pseudo-labels of all points, then one epoch of training.

    The network starts from k-means labels (one warm-up epoch). Balanced mode uses
    Sinkhorn with equal cluster sizes (SeLa). Imbalanced mode uses partial transport whose
    transported share ``rho`` grows linearly from ``rho0`` to 1 (P²OT's curriculum),
    with cluster sizes only softly pulled towards uniform.

    Parameters
    ----------
    X : ndarray, shape (n, d)
    n_clusters : int
    ctx : TrainContext
    imbalanced : bool
    epochs, batch_size, lr, lam, rho0, tau
        Training and transport settings.

    Returns
    -------
    OTResult
    """
    import torch

    net = _scan_net()(X.shape[1], n_clusters, n_heads=1).to(ctx.device)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=1e-4)
    data = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)
    init = _initial_labels(X, n_clusters, imbalanced, ctx.seed)
    targets = torch.nn.functional.one_hot(torch.as_tensor(init, dtype=torch.long),
                                          n_clusters).float()
    weights = torch.ones(len(X))
    rho = 1.0
    ck = ctx.checkpoint("selflabel", {"net": net, "opt": opt}, epochs + 1)
    for epoch in range(ck.start, epochs + 1):
        if epoch > 0:
            soft = torch.as_tensor(predict_soft(net, X, ctx, head=0))
            log_p = soft.clamp_min(1e-8).log()
            if imbalanced:
                rho = rho0 + (1.0 - rho0) * min(1.0, (epoch - 1) / max(epochs * 0.7, 1))
                plan, weights = partial_sinkhorn(log_p, rho, lam=lam, tau=tau)
                targets = plan / plan.sum(dim=1, keepdim=True).clamp_min(1e-8)
            else:
                targets = sinkhorn(log_p, lam=lam)
        _train_epoch(net, opt, data, targets.to(ctx.device), weights.to(ctx.device), ctx,
                     batch_size)
        ctx.progress(epoch / epochs, f"{'P²OT' if imbalanced else 'SeLa'} epoch "
                     f"{epoch}/{epochs}" + (f", rho={rho:.2f}" if imbalanced else ""))
        ck.save(epoch + 1)
    return OTResult(net, predict_soft(net, X, ctx, head=0), rho, epochs)


def _initial_labels(X: np.ndarray, k: int, imbalanced: bool, seed: int) -> np.ndarray:
    """k-means for the balanced mode; a Gaussian mixture (unequal weights) otherwise."""
    from sklearn.cluster import KMeans
    from sklearn.mixture import GaussianMixture

    if not imbalanced:
        return KMeans(k, n_init=10, random_state=seed).fit_predict(X)
    cov = "full" if X.shape[1] <= 10 else "diag"
    return GaussianMixture(k, covariance_type=cov, n_init=3, reg_covar=1e-4,
                           random_state=seed).fit_predict(X)


def _train_epoch(net, opt, data, targets, weights, ctx: TrainContext, batch_size: int) -> None:
    import torch

    for idx in batches(len(data), batch_size, ctx):
        ctx.check()
        idx = idx.to(ctx.device)
        with ctx.autocast():
            logits = net(augment(data[idx], ctx), head=0).float()
        per_row = -(targets[idx] * torch.log_softmax(logits, dim=1)).sum(dim=1)
        loss = (per_row * weights[idx]).sum() / weights[idx].sum().clamp_min(1e-8)
        opt.zero_grad()
        loss.backward()
        opt.step()
