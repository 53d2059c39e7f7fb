"""Neighbour-consistency clustering heads (SCAN, Van Gansbeke et al. 2020), implemented
from the paper: neighbours should agree, cluster use should stay spread, then confident
points teach the rest (self-labelling). Several heads train at once; the one with the
lowest own loss is kept (never chosen by ground truth)."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .common import TrainContext, augment, batches, mlp

__all__ = ["ScanResult", "predict_soft", "scan_loss", "self_label", "train_scan"]

log = logging.getLogger(__name__)


def _module():
    from torch import nn

    class ScanNet(nn.Module):
        """MLP backbone with several linear clustering heads.

        Parameters
        ----------
        dim : int
            Input width.
        n_clusters : int
        n_heads : int
        hidden : tuple of int
        """

        def __init__(self, dim: int, n_clusters: int, n_heads: int = 5,
                     hidden: tuple[int, ...] = (512, 256)) -> None:
            super().__init__()
            self.backbone = mlp([dim, *hidden], last_activation=True)
            self.heads = nn.ModuleList(nn.Linear(hidden[-1], n_clusters)
                                       for _ in range(n_heads))

        def forward(self, x, head: int | None = None):
            """Logits of every head, shape (n_heads, b, k), or of one head (b, k)."""
            import torch

            h = self.backbone(x)
            if head is not None:
                return self.heads[head](h)
            return torch.stack([head_(h) for head_ in self.heads])

    return ScanNet


def scan_loss(p_anchor, p_neighbor, entropy_weight: float = 5.0):
    """SCAN loss for one head.

    Parameters
    ----------
    p_anchor, p_neighbor : Tensor, shape (b, k)
        Softmax outputs for anchors and one mined neighbour of each.
    entropy_weight : float
        Weight of the entropy of the mean assignment (keeps clusters in use).

    Returns
    -------
    total, consistency, entropy : Tensor
        ``total = consistency - entropy_weight * entropy``.
    """
    import torch

    dot = (p_anchor * p_neighbor).sum(dim=1).clamp_min(1e-8)
    consistency = -torch.log(dot).mean()
    mean = p_anchor.mean(dim=0).clamp_min(1e-8)
    entropy = -(mean * torch.log(mean)).sum()
    return consistency - entropy_weight * entropy, consistency, entropy


@dataclass
class ScanResult:
    """A trained SCAN model and its soft assignments."""

    model: object
    head: int
    soft: np.ndarray
    head_losses: list[float]
    epochs: int


def train_scan(X: np.ndarray, neighbors: np.ndarray, n_clusters: int, ctx: TrainContext, *,
               n_heads: int = 5, epochs: int = 60, batch_size: int = 256, lr: float = 1e-3,
               entropy_weight: float = 5.0, weight_decay: float = 1e-4) -> ScanResult:
    """Train the heads so each point agrees with its mined neighbours.

    Parameters
    ----------
    X : ndarray, shape (n, d)
    neighbors : ndarray of int, shape (n, m)
        Mined nearest neighbours of every point (itself excluded).
    n_clusters : int
    ctx : TrainContext
    n_heads, epochs, batch_size, lr, entropy_weight, weight_decay
        Training settings.

    Returns
    -------
    ScanResult
    """
    import torch

    net = _module()(X.shape[1], n_clusters, n_heads).to(ctx.device)
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=weight_decay)
    data = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)
    nbr = torch.as_tensor(neighbors, dtype=torch.long)
    losses_t = torch.zeros(n_heads, dtype=torch.float64)
    head_loss = losses_t.numpy()  # shares memory: restored with the checkpoint
    ck = ctx.checkpoint("scan", {"net": net, "opt": opt, "head_loss": losses_t}, epochs)
    for epoch in range(ck.start, epochs):
        head_loss[:] = 0.0
        count = 0
        for idx in batches(len(X), batch_size, ctx):
            ctx.check()
            nb = nbr[idx].reshape(-1)
            m = nbr.shape[1]
            with ctx.autocast():
                pa = torch.softmax(net(augment(data[idx], ctx)).float(), dim=-1)
                pn = torch.softmax(net(augment(data[nb], ctx)).float(), dim=-1)
                losses = torch.stack([scan_loss(pa[h].repeat_interleave(m, dim=0), pn[h],
                                                entropy_weight)[0]
                                      for h in range(n_heads)])
            opt.zero_grad()
            losses.sum().backward()
            opt.step()
            head_loss += losses.detach().cpu().numpy()
            count += 1
        head_loss /= max(count, 1)
        ctx.progress((epoch + 1) / epochs, f"SCAN epoch {epoch + 1}/{epochs}, best head loss "
                     f"{head_loss.min():.3f}")
        ck.save(epoch + 1)
    best = int(np.argmin(head_loss))
    soft = predict_soft(net, X, ctx, head=best)
    return ScanResult(net, best, soft, head_loss.tolist(), epochs)


def predict_soft(net, X: np.ndarray, ctx: TrainContext, head: int, batch_size: int = 4096,
                 temperature: float = 1.0) -> np.ndarray:
    """Softmax of one head (logits divided by ``temperature``) on un-augmented rows,
    shape (n, k)."""
    import torch

    net.eval()
    out = []
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            x = torch.as_tensor(X[start:start + batch_size], dtype=torch.float32,
                                device=ctx.device)
            out.append(torch.softmax(net(x, head=head).float() / temperature,
                                     dim=-1).cpu().numpy())
    net.train()
    return np.vstack(out)


def self_label(result: ScanResult, X: np.ndarray, ctx: TrainContext, *, threshold: float = 0.99,
               epochs: int = 30, batch_size: int = 256, lr: float = 1e-4) -> dict:
    """Fine-tune the kept head on its own confident predictions (strongly augmented views).

    Points whose probability exceeds ``threshold`` become pseudo-labelled; the
    cross-entropy is weighted by inverse class frequency so large clusters do not grow
    at the others' expense.

    Returns
    -------
    dict
        ``confident_share`` before and after, epochs run.
    """
    import torch

    net, head = result.model, result.head
    opt = torch.optim.Adam(net.parameters(), lr=lr, weight_decay=1e-4)
    data = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)
    before = float((result.soft.max(axis=1) > threshold).mean())
    for epoch in range(epochs):
        soft = predict_soft(net, X, ctx, head)
        conf = soft.max(axis=1)
        mask = np.flatnonzero(conf > threshold)
        if len(mask) < 2:
            break
        targets = torch.as_tensor(soft.argmax(axis=1), dtype=torch.long, device=ctx.device)
        counts = np.bincount(soft.argmax(axis=1)[mask], minlength=soft.shape[1]).astype(float)
        weights = torch.as_tensor(np.where(counts > 0, counts.sum() / np.maximum(counts, 1), 0)
                                  / soft.shape[1], dtype=torch.float32, device=ctx.device)
        chosen = torch.as_tensor(mask, dtype=torch.long)
        for idx in batches(len(mask), batch_size, ctx):
            ctx.check()
            rows = chosen[idx]
            with ctx.autocast():
                logits = net(augment(data[rows], ctx, strength=1.5), head=head).float()
                loss = torch.nn.functional.cross_entropy(logits, targets[rows], weight=weights)
            opt.zero_grad()
            loss.backward()
            opt.step()
        ctx.progress((epoch + 1) / epochs, f"self-labelling epoch {epoch + 1}/{epochs}: "
                     f"{len(mask):,} confident points")
    result.soft = predict_soft(net, X, ctx, head)
    return {"confident_before": before,
            "confident_after": float((result.soft.max(axis=1) > threshold).mean())}
