"""Train a clustering network on optimal-transport pseudo-labels (SeLa).

The training is shared with P²OT (imbalanced clusters, see :mod:`.p2ot`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..kselect import kmeans_fit
from .base import TrainResult
from .common import TrainContext, adam, augment, batches, step, train_epochs
from .heads import HeadsMethod, ScanNet, head_soft
from .transport import partial_sinkhorn, sinkhorn

__all__ = ["METHOD", "OTResult", "TransportMethod", "train_ot_selflabel"]


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
        The network and its soft assignments.
    """
    net = ScanNet(X.shape[1], n_clusters, n_heads=1).to(ctx.device)
    opt = adam(net.parameters(), lr=lr, weight_decay=1e-4)
    data = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)
    init = _initial_labels(X, n_clusters, imbalanced, ctx.seed)
    targets = torch.nn.functional.one_hot(torch.as_tensor(init, dtype=torch.long),
                                          n_clusters).float()
    weights = torch.ones(len(X))
    state = {"targets": targets, "weights": weights, "rho": 1.0}

    def one_epoch(epoch: int) -> str:
        if epoch > 0:
            log_p = torch.as_tensor(head_soft(net, X, ctx.device, 0)).clamp_min(1e-8).log()
            if imbalanced:
                state["rho"] = rho0 + (1.0 - rho0) * min(1.0, (epoch - 1) / max(epochs * 0.7, 1))
                plan, state["weights"] = partial_sinkhorn(log_p, state["rho"], lam=lam, tau=tau)
                state["targets"] = plan / plan.sum(dim=1, keepdim=True).clamp_min(1e-8)
            else:
                state["targets"] = sinkhorn(log_p, lam=lam)
        _train_epoch(net, opt, data, state["targets"].to(ctx.device),
                     state["weights"].to(ctx.device), ctx, batch_size)
        return (f"{'P²OT' if imbalanced else 'SeLa'} epoch {epoch}/{epochs}"
                + (f", rho={state['rho']:.2f}" if imbalanced else ""))

    train_epochs(ctx, "selflabel", {"net": net, "opt": opt}, epochs + 1, one_epoch)
    return OTResult(net, head_soft(net, X, ctx.device, 0), state["rho"], epochs)


def _initial_labels(X: np.ndarray, k: int, imbalanced: bool, seed: int) -> np.ndarray:
    """k-means for the balanced mode; a Gaussian mixture (unequal weights) otherwise."""
    from sklearn.mixture import GaussianMixture

    if not imbalanced:
        return kmeans_fit(X, k, seed).labels_
    cov = "full" if X.shape[1] <= 10 else "diag"
    return GaussianMixture(k, covariance_type=cov, n_init=3, reg_covar=1e-4,
                           random_state=seed).fit_predict(X)


def _train_epoch(net, opt, data, targets, weights, ctx: TrainContext, batch_size: int) -> None:
    for idx in batches(len(data), batch_size, ctx):
        idx = idx.to(ctx.device)
        with ctx.autocast():
            logits = net(augment(data[idx], ctx), head=0).float()
        per_row = -(targets[idx] * torch.log_softmax(logits, dim=1)).sum(dim=1)
        loss = (per_row * weights[idx]).sum() / weights[idx].sum().clamp_min(1e-8)
        step(opt, loss)


class TransportMethod(HeadsMethod):
    """SeLa, or P²OT with ``imbalanced=True``: one head trained on transport pseudo-labels."""

    def __init__(self, imbalanced: bool = False) -> None:
        self.imbalanced = imbalanced
        self.name = "p2ot" if imbalanced else "sela"

    def train(self, X, k, ctx, *, epochs, lam, lr, batch_size, rho0=0.2,
              tau=0.2) -> TrainResult:
        """A warm-up epoch on k-means (or GMM) labels, then ``epochs`` of transport."""
        result = train_ot_selflabel(X, k, ctx, imbalanced=self.imbalanced, epochs=epochs,
                                    lam=lam, lr=lr, batch_size=batch_size, rho0=rho0, tau=tau)
        config = {"dim": X.shape[1], "n_clusters": k, "n_heads": 1, "head": 0}
        return TrainResult(result.soft, result.model, config, epochs + 1,
                           {"rho_final": result.rho_final})


METHOD = TransportMethod(imbalanced=False)
