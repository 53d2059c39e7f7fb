"""A calibration head for deep clustering.

After the dual-head idea of calibrated deep clustering (2024), implemented from the
description.

A clustering head is usually over-confident: it is trained to be sharp. The calibration
head learns instead what the clustering head says *on average in a small region* of the
representation: the view is cut into many mini-clusters (k-means with a few dozen points
each), every point's target is the mean soft assignment of its mini-cluster, and a small
network is fitted to those targets on augmented views. Where the clustering head is
consistent the target stays sharp; where it flips between clusters inside one region the
target — and so the confidence — drops. The reported confidence of a point is the
calibration head's probability of the cluster the clustering head assigned.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .common import TrainContext, adam, augment, batches, infer, mlp, step, train_epochs

__all__ = ["CalibrationResult", "region_targets", "train_calibration_head"]


def region_targets(Z: np.ndarray, soft: np.ndarray, n_regions: int, seed: int = 0
                   ) -> np.ndarray:
    """Mean soft assignment of each point's mini-cluster.

    Parameters
    ----------
    Z : ndarray, shape (n, d)
        The representation the clustering head reads.
    soft : ndarray, shape (n, k)
    n_regions : int
        Number of mini-clusters (k-means).
    seed : int

    Returns
    -------
    ndarray, shape (n, k)
        Rows sum to one.
    """
    from sklearn.cluster import KMeans

    n_regions = int(min(max(n_regions, 1), len(Z)))
    regions = KMeans(n_regions, n_init=1, random_state=seed).fit_predict(Z)
    sums = np.zeros((n_regions, soft.shape[1]))
    np.add.at(sums, regions, soft)
    counts = np.bincount(regions, minlength=n_regions).clip(1)
    return (sums / counts[:, None])[regions]


@dataclass
class CalibrationResult:
    """The calibration network and its outputs on the training rows."""

    model: object
    probabilities: np.ndarray
    confidence: np.ndarray
    n_regions: int
    sizes: list[int]
    """Layer widths of ``model`` (an :func:`~.common.mlp`), to rebuild it."""


def train_calibration_head(Z: np.ndarray, soft: np.ndarray, ctx: TrainContext, *,
                           epochs: int = 30, batch_size: int = 256, lr: float = 1e-3,
                           n_regions: int | None = None,
                           labels: np.ndarray | None = None) -> CalibrationResult:
    """Fit the calibration head to region-averaged assignments.

    Parameters
    ----------
    Z : ndarray, shape (n, d)
    soft : ndarray, shape (n, k)
        The clustering head's soft assignments.
    ctx : TrainContext
    epochs, batch_size, lr : int, int, float
    n_regions : int, optional
        Default: one mini-cluster per ~20 points, at least ``2k`` and at most 1000.
    labels : ndarray of int, shape (n,), optional
        The assigned clusters (default ``argmax soft``).

    Returns
    -------
    CalibrationResult
        ``confidence[i]`` is the head's probability of the assigned cluster.
    """
    import torch

    n, k = soft.shape
    regions = n_regions or int(np.clip(n // 20, 2 * k, 1000))
    target = torch.as_tensor(ctx.cached("calibration-targets", lambda: region_targets(
        Z, soft, regions, ctx.seed)), dtype=torch.float32, device=ctx.device)
    sizes = [Z.shape[1], 256, k]
    net = mlp(sizes).to(ctx.device)
    opt = adam(net.parameters(), lr=lr, weight_decay=1e-4)
    data = torch.as_tensor(Z, dtype=torch.float32, device=ctx.device)

    def one_epoch(epoch: int) -> str:
        for idx in batches(n, batch_size, ctx):
            with ctx.autocast():
                logp = torch.log_softmax(net(augment(data[idx], ctx)).float(), dim=-1)
            step(opt, -(target[idx] * logp).sum(dim=1).mean())
        return f"calibration head epoch {epoch + 1}/{epochs}"

    train_epochs(ctx, "calibration", {"net": net, "opt": opt}, epochs, one_epoch)
    net.eval()
    probs = infer(net, data, ctx.device, lambda x: torch.softmax(net(x).float(), dim=-1))
    assigned = soft.argmax(axis=1) if labels is None else np.asarray(labels)
    confidence = probs[np.arange(n), assigned]
    return CalibrationResult(net, probs, confidence.astype(np.float32), regions, sizes)
