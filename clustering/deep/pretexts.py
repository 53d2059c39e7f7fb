"""Contrastive views for tables and signals, with augmentations that make sense for each.

* Tables: SCARF (Bahri et al. 2022), implemented from the paper: a random subset of each row's
  features is replaced by values drawn from those features' empirical marginals (the same
  column of random other rows); an MLP encoder learns to match a row's two corrupted copies
  against the rest of the batch (NT-Xent).
* Signals (ordered numeric columns): a 1-D convolutional encoder over the row standardised to
  mean 0, sd 1, with random shift, time scaling, smooth time warp, amplitude scaling and noise.

Both return L2-normalised embeddings (the view clustering reads) and the encoder, which maps
feature rows to the view for new rows.
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from .common import TrainContext, adam, batches, infer, mlp, step, train_epochs
from .contrastive import nt_xent

__all__ = ["SeriesEncoder", "TableEncoder", "corrupt_rows", "train_pretext", "warp_series"]


class TableEncoder(nn.Module):
    """MLP from feature rows to a ``dim``-D representation."""

    def __init__(self, n_features: int, dim: int = 64) -> None:
        super().__init__()
        self.net = mlp([n_features, 256, 256, dim])

    def forward(self, x):
        """(b, d) -> (b, dim)."""
        return self.net(x)


SERIES_MAX_LENGTH = 128
"""Longer signals are averaged down to this many readings before the convolutions (window
means: no aliasing). The encoder's cost grows with the length: the view of 442 readings of
427 cost 72 s of a 83 s ``auto`` run on 2 cores, so a few thousand rows of long signals would
not fit ``auto``'s two minutes."""


class SeriesEncoder(nn.Module):
    """1-D convolutions over a row standardised to mean 0, sd 1; (b, length) -> (b, dim).

    Rows longer than ``max_length`` readings are averaged down to it first.
    """

    def __init__(self, dim: int = 64, max_length: int | None = None) -> None:
        super().__init__()
        self.max_length = SERIES_MAX_LENGTH if max_length is None else max_length
        self.conv = nn.Sequential(
            nn.Conv1d(1, 32, 7, padding=3), nn.BatchNorm1d(32), nn.ReLU(),
            nn.Conv1d(32, 64, 5, padding=2, stride=2), nn.BatchNorm1d(64), nn.ReLU(),
            nn.Conv1d(64, 64, 5, padding=2, stride=2), nn.BatchNorm1d(64), nn.ReLU())
        self.out = nn.Linear(128, dim)

    def forward(self, x):
        """Average long rows down, standardise, convolve, pool (mean and max), project."""
        if x.shape[1] > self.max_length:
            x = nn.functional.adaptive_avg_pool1d(x[:, None, :], self.max_length)[:, 0]
        x = (x - x.mean(dim=1, keepdim=True)) / x.std(dim=1, keepdim=True).clamp_min(1e-6)
        h = self.conv(x[:, None, :])
        return self.out(torch.cat([h.mean(dim=2), h.amax(dim=2)], dim=1))


def corrupt_rows(x, pool, ctx: TrainContext, rate: float = 0.6):
    """Replace a random ``rate`` of each row's features by draws from their marginals.

    Parameters
    ----------
    x : Tensor, shape (b, d)
        The rows.
    pool : Tensor, shape (n, d)
        All rows (the empirical marginals).
    ctx : TrainContext
        Its generator draws the mask and the donor rows.
    rate : float
        Share of features replaced.

    Returns
    -------
    Tensor, shape (b, d)
    """
    g = ctx.generator
    mask = (torch.rand(x.shape, generator=g) < rate).to(x.device)
    donors = torch.randint(0, len(pool), x.shape, generator=g).to(x.device)
    drawn = pool[donors, torch.arange(x.shape[1], device=x.device)[None, :]]
    return torch.where(mask, drawn, x)


def warp_series(x, ctx: TrainContext, shift: float = 0.2, scale: float = 0.15,
                warp: float = 0.1, noise: float = 0.1):
    """Random shift, time scaling, smooth warp, amplitude scaling and noise of each row.

    Parameters
    ----------
    x : Tensor, shape (b, length)
    ctx : TrainContext
    shift, scale, warp, noise : float
        Largest shift and warp (share of the length), time-scale change, noise sd (in
        row standard deviations).

    Returns
    -------
    Tensor, shape (b, length)
    """
    g = ctx.generator
    b, length = x.shape
    t = torch.linspace(-1, 1, length)[None, :]
    u = lambda low, high: low + (high - low) * torch.rand(b, 1, generator=g)  # noqa: E731
    coords = u(-shift, shift) * 2 + u(1 - scale, 1 + scale) * t \
        + u(-warp, warp) * torch.sin(torch.pi * (t + 1) / 2)
    grid = torch.stack([coords, torch.zeros_like(coords)], dim=-1)[:, None].to(x.device)
    out = torch.nn.functional.grid_sample(x[:, None, None, :], grid, padding_mode="border",
                                          align_corners=True)[:, 0, 0]
    sd = x.std(dim=1, keepdim=True).clamp_min(1e-6)
    jitter = torch.randn(out.shape, generator=g).to(x.device) * noise * sd
    return out * u(0.7, 1.3).to(x.device) + jitter


def train_pretext(X: np.ndarray, kind: str, ctx: TrainContext, *, epochs: int,
                  batch_size: int = 256, lr: float = 1e-3, dim: int = 64):
    """Train a contrastive encoder for tables (``scarf``) or signals (``series``).

    Parameters
    ----------
    X : ndarray, shape (n, d)
        Feature rows (scaled table columns, or raw signal readings).
    kind : {"scarf", "series"}
        Which pretext.
    ctx : TrainContext
        Device, seed, progress, cancellation, checkpoints.
    epochs, batch_size, lr, dim
        Training settings.

    Returns
    -------
    embedding : ndarray, shape (n, dim)
        L2-normalised.
    encoder : torch.nn.Module
        In eval mode; reads feature rows.
    """
    x = torch.as_tensor(np.asarray(X, dtype=np.float32), device=ctx.device)
    encoder = (TableEncoder(x.shape[1], dim) if kind == "scarf" else SeriesEncoder(dim))
    encoder = encoder.to(ctx.device)
    projector = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, 32)).to(ctx.device)
    opt = adam([*encoder.parameters(), *projector.parameters()], lr=lr, weight_decay=1e-5)

    def view(batch):
        return corrupt_rows(batch, x, ctx) if kind == "scarf" else warp_series(batch, ctx)

    def one_epoch(epoch: int) -> str:
        total = 0.0
        for idx in batches(len(x), min(batch_size, len(x)), ctx):
            batch = x[idx.to(ctx.device)]
            if len(batch) < 2:
                continue
            with ctx.autocast():
                loss = nt_xent(projector(encoder(view(batch))).float(),
                               projector(encoder(view(batch))).float())
            step(opt, loss)
            total += float(loss.detach())
        return f"{kind} pretext epoch {epoch + 1}/{epochs}, loss {total:.3f}"

    train_epochs(ctx, kind, {"encoder": encoder, "projector": projector, "opt": opt}, epochs,
                 one_epoch)
    encoder.eval()
    emb = torch.as_tensor(infer(encoder, x, ctx.device, batch_size=2048))
    return torch.nn.functional.normalize(emb, dim=1).numpy(), encoder
