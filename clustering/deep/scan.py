"""Neighbour-consistency clustering heads (SCAN, Van Gansbeke et al. 2020).

Implemented from the paper: neighbours should agree, cluster use should stay spread, then confident
points teach the rest (self-labelling). Several heads train at once; the one with the lowest own
loss is kept (never chosen by ground truth).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .base import TrainResult
from .common import TrainContext, adam, augment, batches, step, train_epochs
from .heads import HeadsMethod, ScanNet, head_soft
from .spaces import learned_views, mine_neighbours

__all__ = ["METHOD", "ScanMethod", "ScanResult", "scan_loss", "self_label", "train_on_views",
           "train_scan"]


def scan_loss(p_anchor, p_neighbor, entropy_weight: float = 5.0):
    """SCAN loss for one head.

    Parameters
    ----------
    p_anchor, p_neighbor : Tensor, shape (b, k) or (heads, b, k)
        Softmax outputs for anchors and one mined neighbour of each (of every head at once:
        the same numbers as head by head in a fifth of the calls).
    entropy_weight : float
        Weight of the entropy of the mean assignment (keeps clusters in use).

    Returns
    -------
    total, consistency, entropy : Tensor, shape () or (heads,)
        ``total = consistency - entropy_weight * entropy``.
    """
    dot = (p_anchor * p_neighbor).sum(dim=-1).clamp_min(1e-8)
    consistency = -torch.log(dot).mean(dim=-1)
    mean = p_anchor.mean(dim=-2).clamp_min(1e-8)
    entropy = -(mean * torch.log(mean)).sum(dim=-1)
    return consistency - entropy_weight * entropy, consistency, entropy


@dataclass
class ScanResult:
    """A trained heads network, its kept head, soft assignments and every head's loss."""

    model: object
    head: int
    soft: np.ndarray
    head_losses: list[float]


def train_scan(X: np.ndarray, neighbors: np.ndarray, n_clusters: int, ctx: TrainContext, *,
               n_heads: int = 5, epochs: int = 60, batch_size: int = 256, lr: float = 1e-3,
               entropy_weight: float = 5.0, weight_decay: float = 1e-4,
               sample_one: bool = False) -> ScanResult:
    """Train the heads so each point agrees with its mined neighbours.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        The rows the heads read.
    neighbors : ndarray of int, shape (n, m)
        Mined nearest neighbours of every point (itself excluded).
    n_clusters : int
        Width of every head.
    ctx : TrainContext
        Device, progress, cancellation, checkpoints.
    n_heads, epochs, batch_size, lr, entropy_weight, weight_decay
        Training settings.
    sample_one : bool
        Pair each anchor with one of its neighbours drawn at random each step (as the SCAN
        paper does) instead of with all of them: a wider neighbourhood at the cost of one.

    Returns
    -------
    ScanResult
        The head with the lowest own loss is kept.
    """
    net = ScanNet(X.shape[1], n_clusters, n_heads).to(ctx.device)
    opt = adam(net.parameters(), lr=lr, weight_decay=weight_decay)
    data = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)
    nbr = torch.as_tensor(neighbors, dtype=torch.long)
    m = nbr.shape[1]
    losses_t = torch.zeros(n_heads, dtype=torch.float64)
    head_loss = losses_t.numpy()  # shares memory: restored with the checkpoint

    def one_epoch(epoch: int) -> str:
        head_loss[:] = 0.0
        count = 0
        for idx in batches(len(X), batch_size, ctx):
            if sample_one:
                pick = torch.randint(0, m, (len(idx),), generator=ctx.generator)
                partners, repeat = nbr[idx, pick], 1
            else:
                partners, repeat = nbr[idx].reshape(-1), m
            with ctx.autocast():
                pa = torch.softmax(net(augment(data[idx], ctx)).float(), dim=-1)
                pn = torch.softmax(net(augment(data[partners], ctx)).float(), dim=-1)
                anchors = pa if repeat == 1 else pa.repeat_interleave(repeat, dim=1)
                losses = scan_loss(anchors, pn, entropy_weight)[0]
            step(opt, losses.sum())
            head_loss[:] = head_loss + losses.detach().cpu().numpy()
            count += 1
        head_loss[:] = head_loss / max(count, 1)
        return f"SCAN epoch {epoch + 1}/{epochs}, best head loss {head_loss.min():.3f}"

    train_epochs(ctx, "scan", {"net": net, "opt": opt, "head_loss": losses_t}, epochs,
                 one_epoch)
    best = int(np.argmin(head_loss))
    return ScanResult(net, best, head_soft(net, X, ctx.device, best), head_loss.tolist())


def self_label(result: ScanResult, X: np.ndarray, ctx: TrainContext, *, threshold: float = 0.99,
               epochs: int = 30, batch_size: int = 256, lr: float = 1e-4) -> dict:
    """Fine-tune the kept head on its own confident predictions (strongly augmented views).

    Points whose probability exceeds ``threshold`` become pseudo-labelled; the
    cross-entropy is weighted by inverse class frequency so large clusters do not grow
    at the others' expense.

    Parameters
    ----------
    result : ScanResult
        Trained heads; its ``soft`` is updated.
    X : ndarray, shape (n, d)
        The rows the heads read.
    ctx : TrainContext
        Device, progress, cancellation.
    threshold, epochs, batch_size, lr
        Confidence threshold and training settings.

    Returns
    -------
    dict
        Share of confident points before and after.
    """
    net, head = result.model, result.head
    opt = adam(net.parameters(), lr=lr, weight_decay=1e-4)
    data = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)
    before = float((result.soft.max(axis=1) > threshold).mean())
    def one_epoch(epoch: int) -> str | None:
        soft = head_soft(net, X, ctx.device, head)
        mask = np.flatnonzero(soft.max(axis=1) > threshold)
        if len(mask) < 2:
            return None  # nothing confident left to learn from
        targets = torch.as_tensor(soft.argmax(axis=1), dtype=torch.long, device=ctx.device)
        counts = np.bincount(soft.argmax(axis=1)[mask], minlength=soft.shape[1]).astype(float)
        weights = torch.as_tensor(np.where(counts > 0, counts.sum() / np.maximum(counts, 1), 0)
                                  / soft.shape[1], dtype=torch.float32, device=ctx.device)
        chosen = torch.as_tensor(mask, dtype=torch.long)
        for idx in batches(len(mask), batch_size, ctx):
            rows = chosen[idx]
            with ctx.autocast():
                logits = net(augment(data[rows], ctx, strength=1.5), head=head).float()
                loss = torch.nn.functional.cross_entropy(logits, targets[rows], weight=weights)
            step(opt, loss)
        return f"self-labelling epoch {epoch + 1}/{epochs}: {len(mask):,} confident points"

    train_epochs(ctx, "self-label", {"net": net, "opt": opt}, epochs, one_epoch)
    result.soft = head_soft(net, X, ctx.device, head)
    return {"confident_before": before,
            "confident_after": float((result.soft.max(axis=1) > threshold).mean())}


def train_on_views(X: np.ndarray, k: int, ctx: TrainContext, train, *, views: int,
                   neighbours: int, epochs: int):
    """Train heads on every learned view; keep the (view, head) with the lowest own loss.

    ``train(Z, neighbours, ctx)`` trains the heads on one view.

    Returns
    -------
    result, Z, view, info
        The kept training result, the view it read, its ``View`` and facts for
        ``run.json``.
    """
    spaces = learned_views(X, ctx, views, epochs)
    best, kept, losses = None, 0, []
    for index, (Z, _label, _net) in enumerate(spaces):
        ctx.check()
        result = train(Z, mine_neighbours(Z, neighbours, ctx.seed),
                       ctx.part(index, len(spaces), label="view"))
        losses.append(min(result.head_losses))
        if best is None or losses[-1] < min(losses[:-1]):
            best, kept = result, index
    Z, label, _ = spaces[kept]
    info = {"neighbours": f"{neighbours} nearest neighbours mined in the {label} view",
            "view": kept, "view_losses": [round(v, 4) for v in losses], "head": best.head}
    return best, Z, spaces[kept], info


class ScanMethod(HeadsMethod):
    """SCAN heads on a learned view, then self-labelling."""

    name = "scan"

    def train(self, X, k, ctx, *, epochs, views, neighbours, heads, entropy_weight,
              self_label_threshold, lr, batch_size) -> TrainResult:
        """Heads on each view for ``epochs``, the best kept.

        Then ``epochs // 5`` of self-labelling.
        """
        def train(Z, nbrs, sub):
            return train_scan(Z, nbrs, k, sub, epochs=epochs, n_heads=heads, lr=lr,
                              batch_size=batch_size, entropy_weight=entropy_weight)

        best, Z, (_, where, net), info = train_on_views(
            X, k, ctx, train, views=views, neighbours=neighbours, epochs=epochs)
        tail = max(epochs // 5, 1)
        info.update(self_label(best, Z, ctx.part(0, 1), epochs=tail,
                               threshold=self_label_threshold, batch_size=batch_size))
        config = {"dim": Z.shape[1], "n_clusters": k, "n_heads": heads, "head": best.head,
                  "input": where}
        views_run = len(info["view_losses"])
        return TrainResult(best.soft, best.model, config, views_run * epochs + tail, info,
                           view=Z, view_net=net)


METHOD = ScanMethod()
