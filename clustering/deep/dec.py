"""Autoencoder + DEC and IDEC (Xie et al. 2016; Guo et al. 2017), implemented from the papers.

Student-t soft assignment of embedded points to learnable centres, a sharpened target
distribution, KL divergence between them (plus the reconstruction loss for IDEC); training
stops when fewer than ``tol`` of the labels change between target updates. The DEC
assignment itself is the result (no final k-means).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from .common import TrainContext, augment, batches, mlp

__all__ = ["DecResult", "pretrain_autoencoder", "soft_assign", "target_distribution",
           "train_dec"]

log = logging.getLogger(__name__)


def _modules():
    import torch
    from torch import nn

    class AutoEncoder(nn.Module):
        """Symmetric MLP autoencoder ``d -> 500 -> 500 -> 2000 -> latent`` (DEC's shape)."""

        def __init__(self, dim: int, latent: int = 10,
                     hidden: tuple[int, ...] = (500, 500, 2000)) -> None:
            super().__init__()
            self.encoder = mlp([dim, *hidden, latent], batchnorm=False)
            self.decoder = mlp([latent, *reversed(hidden), dim], batchnorm=False)

        def forward(self, x):
            z = self.encoder(x)
            return z, self.decoder(z)

    class DECModule(nn.Module):
        """Encoder plus cluster centres; ``forward`` gives (q, reconstruction)."""

        def __init__(self, autoencoder: AutoEncoder, centers: np.ndarray, alpha: float = 1.0):
            super().__init__()
            self.autoencoder = autoencoder
            self.centers = nn.Parameter(torch.as_tensor(centers, dtype=torch.float32))
            self.alpha = alpha

        def forward(self, x):
            z, recon = self.autoencoder(x)
            return soft_assign(z, self.centers, self.alpha), recon

    return AutoEncoder, DECModule


def soft_assign(z, centers, alpha: float = 1.0):
    """Student-t kernel assignment q_ij (rows sum to 1).

    Parameters
    ----------
    z : Tensor, shape (b, latent)
    centers : Tensor, shape (k, latent)
    alpha : float
        Degrees of freedom.

    Returns
    -------
    Tensor, shape (b, k)
    """
    import torch

    d2 = torch.cdist(z, centers).pow(2)
    q = (1.0 + d2 / alpha).pow(-(alpha + 1.0) / 2.0)
    return q / q.sum(dim=1, keepdim=True)


def target_distribution(q):
    """DEC's sharpened target p_ij = (q_ij^2 / f_j) / sum_j'(q_ij'^2 / f_j'), f_j = sum_i q_ij."""
    weight = q.pow(2) / q.sum(dim=0, keepdim=True)
    return weight / weight.sum(dim=1, keepdim=True)


def hidden_sizes(device) -> tuple[int, ...]:
    """DEC's 500-500-2000 on a GPU; a quarter-width 256-256-512 on the CPU (same depth)."""
    return (500, 500, 2000) if str(device).startswith("cuda") else (256, 256, 512)


def pretrain_autoencoder(X: np.ndarray, ctx: TrainContext, *, latent: int = 10,
                         epochs: int = 100, batch_size: int = 256, lr: float = 1e-3):
    """Train the autoencoder on reconstruction (denoising views); returns the module."""
    import torch

    AutoEncoder, _ = _modules()
    ae = AutoEncoder(X.shape[1], latent, hidden_sizes(ctx.device)).to(ctx.device)
    opt = torch.optim.Adam(ae.parameters(), lr=lr)
    data = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)
    ck = ctx.checkpoint("autoencoder", {"ae": ae, "opt": opt}, epochs)
    for epoch in range(ck.start, epochs):
        total = 0.0
        for idx in batches(len(X), batch_size, ctx):
            ctx.check()
            with ctx.autocast():
                _, recon = ae(augment(data[idx], ctx, strength=0.5))
                loss = torch.nn.functional.mse_loss(recon.float(), data[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.detach()) * len(idx)
        ctx.progress((epoch + 1) / epochs, f"autoencoder epoch {epoch + 1}/{epochs}, "
                     f"reconstruction {total / len(X):.4f}")
        ck.save(epoch + 1)
    return ae


def embed(module, X: np.ndarray, ctx: TrainContext, batch_size: int = 4096) -> np.ndarray:
    """Encoder output for all rows, shape (n, latent)."""
    import torch

    module.eval()
    with torch.no_grad():
        out = [module.encoder(torch.as_tensor(X[s:s + batch_size], dtype=torch.float32,
                                              device=ctx.device)).float().cpu().numpy()
               for s in range(0, len(X), batch_size)]
    module.train()
    return np.vstack(out)


@dataclass
class DecResult:
    """A trained DEC/IDEC model and its soft assignments."""

    model: object
    soft: np.ndarray
    iterations: int
    converged: bool
    changed: float


def train_dec(X: np.ndarray, n_clusters: int, ctx: TrainContext, *, idec: bool = False,
              gamma: float = 0.1, pretrain_epochs: int = 100, max_iter: int = 60,
              update_interval: int = 1, tol: float = 1e-3, batch_size: int = 256,
              lr: float = 1e-3) -> DecResult:
    """Pre-train an autoencoder, initialise centres with k-means, then run DEC or IDEC.

    Parameters
    ----------
    X : ndarray, shape (n, d)
    n_clusters : int
    ctx : TrainContext
    idec : bool
        Keep the reconstruction loss (weight 1) next to ``gamma`` * KL.
    gamma : float
        Weight of the clustering loss in IDEC.
    pretrain_epochs, max_iter, update_interval, tol, batch_size, lr
        ``max_iter`` passes over the data; the target is refreshed every
        ``update_interval`` passes; stop when under ``tol`` of labels change.

    Returns
    -------
    DecResult
    """
    import torch
    from sklearn.cluster import KMeans

    ae = pretrain_autoencoder(X, ctx, epochs=pretrain_epochs, batch_size=batch_size)
    z = embed(ae, X, ctx)
    km = KMeans(n_clusters, n_init=20, random_state=ctx.seed).fit(z)
    _, DECModule = _modules()
    model = DECModule(ae, km.cluster_centers_).to(ctx.device)
    opt = torch.optim.Adam(model.parameters(), lr=lr * 0.1)
    data = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)
    previous = km.labels_
    converged, changed, it = False, 1.0, 0
    for it in range(1, max_iter + 1):
        if (it - 1) % update_interval == 0:
            q_all = _q_all(model, data)
            labels = q_all.argmax(dim=1).cpu().numpy()
            changed = float(np.mean(labels != previous))
            previous = labels
            if it > 1 and changed < tol:
                converged = True
                break
            p_all = target_distribution(q_all).detach()
        for idx in batches(len(X), batch_size, ctx):
            ctx.check()
            q, recon = model(data[idx])
            loss = torch.nn.functional.kl_div(q.clamp_min(1e-10).log(), p_all[idx.to(
                ctx.device)], reduction="batchmean")
            if idec:
                loss = gamma * loss + torch.nn.functional.mse_loss(recon, data[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        ctx.progress(it / max_iter, f"{'IDEC' if idec else 'DEC'} pass {it}: {changed:.2%} "
                     "labels changed")
    soft = _q_all(model, data).detach().cpu().numpy()
    return DecResult(model, soft, it, converged, changed)


def _q_all(model, data, batch_size: int = 4096):
    import torch

    model.eval()
    with torch.no_grad():
        q = torch.cat([model(data[s:s + batch_size])[0] for s in range(0, len(data),
                                                                       batch_size)])
    model.train()
    return q
