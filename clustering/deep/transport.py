"""Optimal-transport pseudo-labels for self-labelling, implemented from the papers.

Balanced Sinkhorn pseudo-labels (SeLa, Asano et al. 2020) and progressive partial
transport for imbalanced clusters (P²OT, Zhang et al. 2024).
"""

from __future__ import annotations

import numpy as np

__all__ = ["partial_sinkhorn", "sinkhorn"]


def sinkhorn(log_probs, n_iters: int = 50, lam: float = 25.0):
    """Balanced transport plan: every point one unit of mass, every cluster n/k.

    Solves ``min <Q, -log P> - H(Q)/lam`` with row marginals 1/n and column marginals 1/k
    (SeLa's equal-size prior) by Sinkhorn-Knopp scaling in the log domain.

    Parameters
    ----------
    log_probs : Tensor, shape (n, k)
        Log of the model's soft assignment.
    n_iters : int
    lam : float
        Inverse entropic regularisation; larger is closer to a hard assignment.

    Returns
    -------
    Tensor, shape (n, k)
        The plan scaled so each row sums to 1 (a soft pseudo-label per point).
    """
    import torch

    n, k = log_probs.shape
    log_k = lam * log_probs.double()
    log_a = torch.full((n,), -np.log(n), dtype=torch.float64, device=log_probs.device)
    log_b = torch.full((k,), -np.log(k), dtype=torch.float64, device=log_probs.device)
    log_u = torch.zeros_like(log_a)
    log_v = torch.zeros_like(log_b)
    for _ in range(n_iters):
        log_u = log_a - torch.logsumexp(log_k + log_v[None, :], dim=1)
        log_v = log_b - torch.logsumexp(log_k + log_u[:, None], dim=0)
    plan = torch.exp(log_k + log_u[:, None] + log_v[None, :])
    return (plan / plan.sum(dim=1, keepdim=True)).float()


def partial_sinkhorn(log_probs, rho: float, n_iters: int = 100, lam: float = 25.0,
                     tau: float = 1.0):
    """Partial, semi-relaxed plan: move only ``rho`` of the mass, cluster sizes softly even.

    P²OT's problem ``min <Q, -log P> + tau * KL(Q^T 1 || rho/k)`` with ``Q 1 <= 1/n`` and total
    mass ``rho``, solved with a virtual cluster that takes the remaining ``1 - rho`` at zero
    cost; the KL relaxation lets real clusters grow or shrink with the data.

    Parameters
    ----------
    log_probs : Tensor, shape (n, k)
    rho : float
        Share of the mass transported (0 < rho <= 1); grown during training.
    n_iters : int
    lam : float
        Inverse entropic regularisation.
    tau : float
        Strength of the soft uniform prior on cluster sizes.

    Returns
    -------
    plan : Tensor, shape (n, k)
        Mass each point sends to each real cluster (rows sum to at most 1 after scaling
        by n).
    selected : Tensor, shape (n,)
        Share of each point's mass sent to real clusters (its pseudo-label weight).
    """
    import torch

    n, k = log_probs.shape
    dev = log_probs.device
    cost = torch.cat([lam * log_probs.double(),
                      torch.zeros((n, 1), dtype=torch.float64, device=dev)], dim=1)
    log_a = torch.full((n,), -np.log(n), dtype=torch.float64, device=dev)
    log_b = torch.cat([torch.full((k,), np.log(max(rho, 1e-6) / k), dtype=torch.float64,
                                  device=dev),
                       torch.tensor([np.log(max(1.0 - rho, 1e-12))], dtype=torch.float64,
                                    device=dev)])
    relax = (tau * lam) / (tau * lam + 1.0)
    log_u = torch.zeros(n, dtype=torch.float64, device=dev)
    log_v = torch.zeros(k + 1, dtype=torch.float64, device=dev)
    for _ in range(n_iters):
        log_u = log_a - torch.logsumexp(cost + log_v[None, :], dim=1)
        col = torch.logsumexp(cost + log_u[:, None], dim=0)
        new_v = log_b - col
        new_v[:k] = relax * new_v[:k]
        log_v = new_v
    plan = torch.exp(cost + log_u[:, None] + log_v[None, :]) * n
    return plan[:, :k].float(), plan[:, :k].sum(dim=1).float()
