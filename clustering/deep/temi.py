"""Self-distillation clustering heads in the spirit of TEMI (Adaloglou et al. 2023).

Implemented from the paper's description.

A student network and a teacher (an exponential moving average of the student) each have
several heads. For an anchor and one of its mined neighbours, a head maximises the
pointwise mutual information between the student's assignment of one and the teacher's
assignment of the other, ``log Σ_c (q_s(c|x) q_t(c|x'))^β / q̄_t(c)``, where ``q̄_t`` is a
running estimate of the teacher's cluster marginal (this keeps every cluster in use) and
each pair is weighted by how much the teacher already agrees on it. The head with the
lowest own loss is kept; ground truth is never looked at.
"""

from __future__ import annotations

import copy

import numpy as np
import torch

from .base import TrainResult
from .common import TrainContext, adam, augment, batches, step, train_epochs
from .heads import HeadsMethod, ScanNet, head_soft
from .scan import ScanResult, train_on_views

__all__ = ["METHOD", "TemiMethod", "temi_loss", "train_temi"]


def temi_loss(student, teacher_other, teacher_self, prior, beta: float = 0.6):
    """TEMI loss of one head for (anchor, neighbour) pairs.

    Parameters
    ----------
    student : Tensor, shape (b, k)
        Student probabilities for one side of each pair.
    teacher_other : Tensor, shape (b, k)
        Teacher probabilities for the other side.
    teacher_self : Tensor, shape (b, k)
        Teacher probabilities for the student's side (pair weights).
    prior : Tensor, shape (k,)
        Running mean of the teacher's probabilities.
    beta : float
        Exponent of the joint (β < 1 dampens the pull towards a single cluster).

    Returns
    -------
    Tensor
        Scalar loss (lower is better).
    """
    joint = ((student * teacher_other).clamp_min(1e-12) ** beta / prior).sum(dim=1)
    weight = (teacher_self * teacher_other).sum(dim=1).detach()
    return -(weight * torch.log(joint.clamp_min(1e-12))).sum() / weight.sum().clamp_min(1e-8)


def train_temi(X: np.ndarray, neighbors: np.ndarray, n_clusters: int, ctx: TrainContext, *,
               n_heads: int = 10, epochs: int = 100, batch_size: int = 256, lr: float = 1e-3,
               beta: float = 0.6, student_temp: float = 0.2, teacher_temp: float = 0.1,
               momentum: float = 0.99, prior_momentum: float = 0.9) -> ScanResult:
    """Train student heads against an EMA teacher on mined neighbour pairs.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        The view the heads read (a contrastive embedding or a UMAP).
    neighbors : ndarray of int, shape (n, m)
        Mined neighbours of every point (itself excluded).
    n_clusters : int
    ctx : TrainContext
    n_heads, epochs, batch_size, lr : int, int, int, float
    beta, student_temp, teacher_temp : float
        Loss exponent and softmax temperatures (the teacher's is sharper).
    momentum, prior_momentum : float
        EMA rates of the teacher weights and of the cluster prior.

    Returns
    -------
    ScanResult
        The teacher network and its head with the lowest own loss.
    """
    student = ScanNet(X.shape[1], n_clusters, n_heads).to(ctx.device)
    teacher = copy.deepcopy(student)
    for p in teacher.parameters():
        p.requires_grad_(False)
    opt = adam(student.parameters(), decoupled=True, lr=lr, weight_decay=1e-4)
    data = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)
    nbr = torch.as_tensor(neighbors, dtype=torch.long)
    prior = torch.full((n_heads, n_clusters), 1.0 / n_clusters, device=ctx.device)
    head_loss = torch.zeros(n_heads, dtype=torch.float64)
    # The teacher's EMA is shortened on short runs (at most 1 - 10 / steps): with a fixed
    # 0.99 over a few dozen steps the teacher stays near its random start and every head
    # is poor.
    steps_total = epochs * max(len(X) // batch_size, 1)
    momentum = min(momentum, 1.0 - 10.0 / max(steps_total, 20))

    def one_epoch(epoch: int) -> str:
        head_loss.zero_()
        steps = 0
        for idx in batches(len(X), batch_size, ctx):
            pick = torch.randint(0, nbr.shape[1], (len(idx),), generator=ctx.generator)
            a = augment(data[idx], ctx)
            b = augment(data[nbr[idx, pick]], ctx)
            with ctx.autocast():
                sa = torch.softmax(student(a).float() / student_temp, dim=-1)
                sb = torch.softmax(student(b).float() / student_temp, dim=-1)
                with torch.no_grad():
                    ta = torch.softmax(teacher(a).float() / teacher_temp, dim=-1)
                    tb = torch.softmax(teacher(b).float() / teacher_temp, dim=-1)
            losses = torch.stack([
                0.5 * (temi_loss(sa[h], tb[h], ta[h], prior[h], beta)
                       + temi_loss(sb[h], ta[h], tb[h], prior[h], beta))
                for h in range(n_heads)])
            step(opt, losses.sum())
            with torch.no_grad():
                for pt, ps in zip(teacher.parameters(), student.parameters(), strict=True):
                    pt.mul_(momentum).add_(ps.detach(), alpha=1 - momentum)
                for bt, bs in zip(teacher.buffers(), student.buffers(), strict=True):
                    bt.copy_(bs)
                batch_prior = torch.cat([ta, tb], dim=1).mean(dim=1)
                prior.mul_(prior_momentum).add_(batch_prior, alpha=1 - prior_momentum)
            head_loss.add_(losses.detach().double().cpu())
            steps += 1
        head_loss.div_(max(steps, 1))
        return f"TEMI epoch {epoch + 1}/{epochs}, best head loss {float(head_loss.min()):.3f}"

    train_epochs(ctx, "temi", {"student": student, "teacher": teacher, "opt": opt,
                               "prior": prior, "head_loss": head_loss}, epochs, one_epoch)
    best = int(torch.argmin(head_loss))
    soft = head_soft(teacher, X, ctx.device, best, temperature=student_temp)
    return ScanResult(teacher, best, soft, head_loss.tolist())


class TemiMethod(HeadsMethod):
    """TEMI heads on a learned view (no self-labelling)."""

    name = "temi"

    def train(self, X, k, ctx, *, epochs, views, neighbours, heads, beta, student_temp,
              teacher_temp, momentum, lr, batch_size) -> TrainResult:
        """Student and teacher heads on each view for ``epochs``; the best head kept."""
        def train(Z, nbrs, sub):
            return train_temi(Z, nbrs, k, sub, epochs=epochs, n_heads=heads, lr=lr,
                              batch_size=batch_size, beta=beta, student_temp=student_temp,
                              teacher_temp=teacher_temp, momentum=momentum)

        best, Z, (_, where, net), info = train_on_views(
            X, k, ctx, train, views=views, neighbours=neighbours, epochs=epochs)
        config = {"dim": Z.shape[1], "n_clusters": k, "n_heads": heads, "head": best.head,
                  "input": where, "temperature": student_temp}
        return TrainResult(best.soft, best.model, config, len(info["view_losses"]) * epochs,
                           info, view=Z, view_net=net)


METHOD = TemiMethod()
