"""Autoencoder + DEC and IDEC (Xie et al. 2016; Guo et al. 2017), implemented from the papers.

Student-t soft assignment of embedded points to learnable centres, a sharpened target
distribution, KL divergence between them (plus the reconstruction loss for IDEC); training
stops when fewer than ``tol`` of the labels change between target updates. The DEC
assignment itself is the result (no final k-means).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

from ..kselect import kmeans_fit
from .base import DeepMethod, TrainResult
from .common import TrainContext, adam, augment, batches, infer, mlp, step, train_epochs

__all__ = ["METHOD", "AutoEncoder", "DECModule", "DecMethod", "DecResult",
           "pretrain_autoencoder", "soft_assign", "target_distribution", "train_dec"]


class AutoEncoder(nn.Module):
    """Symmetric MLP autoencoder ``d -> hidden -> latent`` (DEC's 500-500-2000 shape).

    Parameters
    ----------
    dim : int
        Input width.
    latent : int
        Code width.
    hidden : tuple of int
        Encoder widths (the decoder mirrors them).
    """

    def __init__(self, dim: int, latent: int = 10,
                 hidden: tuple[int, ...] = (500, 500, 2000)) -> None:
        super().__init__()
        self.encoder = mlp([dim, *hidden, latent], batchnorm=False)
        self.decoder = mlp([latent, *reversed(hidden), dim], batchnorm=False)

    def forward(self, x):
        """Code and reconstruction of a batch."""
        z = self.encoder(x)
        return z, self.decoder(z)


class DECModule(nn.Module):
    """Encoder plus cluster centres; ``forward`` gives (q, reconstruction).

    Parameters
    ----------
    autoencoder : AutoEncoder
        The pre-trained autoencoder.
    centers : ndarray, shape (k, latent)
        Initial centres.
    alpha : float
        Degrees of freedom of the Student-t kernel.
    """

    def __init__(self, autoencoder: AutoEncoder, centers: np.ndarray, alpha: float = 1.0):
        super().__init__()
        self.autoencoder = autoencoder
        self.centers = nn.Parameter(torch.as_tensor(centers, dtype=torch.float32))
        self.alpha = alpha

    def forward(self, x):
        """Soft assignment q and reconstruction of a batch."""
        z, recon = self.autoencoder(x)
        return soft_assign(z, self.centers, self.alpha), recon


def soft_assign(z, centers, alpha: float = 1.0):
    """Student-t kernel assignment q_ij (rows sum to 1).

    Parameters
    ----------
    z : Tensor, shape (b, latent)
        Codes.
    centers : Tensor, shape (k, latent)
        Cluster centres.
    alpha : float
        Degrees of freedom.

    Returns
    -------
    Tensor, shape (b, k)
        Soft assignments.
    """
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
                         epochs: int = 100, batch_size: int = 256,
                         lr: float = 1e-3) -> AutoEncoder:
    """Train the autoencoder on reconstruction (denoising views); returns the module."""
    ae = AutoEncoder(X.shape[1], latent, hidden_sizes(ctx.device)).to(ctx.device)
    opt = adam(ae.parameters(), lr=lr)
    data = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)

    def one_epoch(epoch: int) -> str:
        total = 0.0
        for idx in batches(len(X), batch_size, ctx):
            with ctx.autocast():
                _, recon = ae(augment(data[idx], ctx, strength=0.5))
                loss = torch.nn.functional.mse_loss(recon.float(), data[idx])
            step(opt, loss)
            total += float(loss.detach()) * len(idx)
        return f"autoencoder epoch {epoch + 1}/{epochs}, reconstruction {total / len(X):.4f}"

    train_epochs(ctx, "autoencoder", {"ae": ae, "opt": opt}, epochs, one_epoch)
    return ae


def q_all(model: DECModule, data, device="cpu") -> np.ndarray:
    """Soft assignments of all rows, shape (n, k)."""
    return infer(model, data, device, lambda x: model(x)[0])


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
              lr: float = 1e-3, latent: int = 10) -> DecResult:
    """Pre-train an autoencoder, initialise centres with k-means, then run DEC or IDEC.

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Feature rows.
    n_clusters : int
        Number of clusters.
    ctx : TrainContext
        Device, progress, cancellation, checkpoints.
    idec : bool
        Keep the reconstruction loss (weight 1) next to ``gamma`` * KL.
    gamma : float
        Weight of the clustering loss in IDEC.
    pretrain_epochs, max_iter, update_interval, tol, batch_size, lr, latent
        ``max_iter`` passes over the data; the target is refreshed every
        ``update_interval`` passes; stop when under ``tol`` of labels change.

    Returns
    -------
    DecResult
        The model and its soft assignments.
    """
    ae = pretrain_autoencoder(X, ctx, latent=latent, epochs=pretrain_epochs,
                              batch_size=batch_size, lr=lr)
    z = infer(ae, X, ctx.device, lambda x: ae.encoder(x))
    km = kmeans_fit(z, n_clusters, ctx.seed, n_init=20)
    model = DECModule(ae, km.cluster_centers_).to(ctx.device)
    opt = adam(model.parameters(), lr=lr * 0.1)
    data = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)
    # the loop's state lives in tensors, so a checkpoint restores it in place
    previous = torch.as_tensor(km.labels_, dtype=torch.long)
    target = torch.zeros(len(X), n_clusters, device=ctx.device)
    changed = torch.ones((), dtype=torch.float64)
    name = "IDEC" if idec else "DEC"

    def one_pass(epoch: int) -> str | None:
        if epoch % update_interval == 0:
            q = torch.as_tensor(q_all(model, data, ctx.device))
            labels = q.argmax(dim=1)
            changed.fill_(float((labels != previous).double().mean()))
            previous.copy_(labels)
            if epoch > 0 and float(changed) < tol:
                return None  # converged
            target.copy_(target_distribution(q))
        for idx in batches(len(X), batch_size, ctx):
            q, recon = model(data[idx])
            loss = torch.nn.functional.kl_div(q.clamp_min(1e-10).log(),
                                              target[idx.to(ctx.device)], reduction="batchmean")
            if idec:
                loss = gamma * loss + torch.nn.functional.mse_loss(recon, data[idx])
            step(opt, loss)
        return f"{name} pass {epoch + 1}: {float(changed):.2%} labels changed"

    done = train_epochs(ctx, "dec", {"model": model, "opt": opt, "previous": previous,
                                     "target": target, "changed": changed}, max_iter, one_pass)
    passes, converged = (done + 1, True) if done < max_iter else (max_iter, False)
    return DecResult(model, q_all(model, data, ctx.device), passes, converged,
                     float(changed))


class DecMethod(DeepMethod):
    """DEC, or IDEC with ``idec=True``."""

    kind = "dec"

    def __init__(self, idec: bool = False) -> None:
        self.idec = idec
        self.name = "idec" if idec else "dec"

    def train(self, X, k, ctx, *, epochs, max_iter, latent, tol, lr, batch_size,
              gamma=0.1) -> TrainResult:
        """Autoencoder for ``epochs``, then up to ``max_iter`` DEC passes."""
        result = train_dec(X, k, ctx, idec=self.idec, gamma=gamma, pretrain_epochs=epochs,
                           max_iter=max_iter, tol=tol, lr=lr, batch_size=batch_size,
                           latent=latent)
        config = {"dim": X.shape[1], "n_clusters": k, "latent": latent,
                  "hidden": list(hidden_sizes(ctx.device))}
        info = {"dec_passes": result.iterations, "converged": result.converged,
                "last_label_change": result.changed}
        return TrainResult(result.soft, result.model, config, epochs + result.iterations, info)

    def build(self, config: dict) -> DECModule:
        """The untrained DEC network of ``config``."""
        ae = AutoEncoder(config["dim"], config["latent"], tuple(config["hidden"]))
        return DECModule(ae, np.zeros((config["n_clusters"], config["latent"]), np.float32))

    def soft(self, module, Z, device, config: dict) -> np.ndarray:
        """Student-t assignments of rows ``Z``."""
        return q_all(module.to(device), Z, device)

    def logits(self, module, config: dict):
        """Log of the Student-t assignment."""
        return lambda x: module(x)[0].clamp_min(1e-12).log()


METHOD = DecMethod(idec=False)
