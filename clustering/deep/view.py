"""What a deep head reads, as a network from the feature rows.

SCAN, TEMI and DivClust heads read a learned view of the data (a contrastive image
embedding, or a standardised UMAP), not the features themselves. Keeping that view as a
network lets a saved model assign new rows (``predict``) and lets saliency be traced back to
the features:

* images: the contrastive encoder itself (pixels in, L2-normalised embedding out);
* other data: a small MLP distilled to reproduce the UMAP coordinates of the training rows
  (UMAP has no saved-weights form; the fit is reported as R²).
"""

from __future__ import annotations

import logging
import math

import numpy as np
import torch
from torch import nn

from .common import TrainContext, adam, batches, infer, mlp, step, train_epochs

__all__ = ["ImageView", "build_view", "distil_view", "image_view", "view_rows"]

log = logging.getLogger(__name__)


class ImageView(nn.Module):
    """Flattened 0..1 pixel rows -> the contrastive encoder's normalised embedding.

    Parameters
    ----------
    encoder : torch.nn.Module
        Reads (b, c, h, w) images.
    image_shape : tuple of int
        ``(h, w)`` or ``(h, w, c)``.
    """

    def __init__(self, encoder, image_shape: tuple[int, ...]) -> None:
        super().__init__()
        self.encoder = encoder
        self.image_shape = tuple(image_shape)

    def forward(self, x):
        """L2-normalised embedding of flattened image rows."""
        h, w = self.image_shape[:2]
        if len(self.image_shape) == 3:
            images = x.reshape(len(x), h, w, self.image_shape[2]).permute(0, 3, 1, 2)
        else:
            images = x.reshape(len(x), 1, h, w)
        return torch.nn.functional.normalize(self.encoder(images), dim=1)


def image_view(encoder, image_shape: tuple[int, ...]):
    """The contrastive encoder as a view of flattened image rows.

    Returns
    -------
    module, config
        The ``torch.nn.Module`` and the dict :func:`build_view` rebuilds it from.
    """
    config = {"kind": "image", "image_shape": list(image_shape),
              "channels": int(image_shape[2]) if len(image_shape) == 3 else 1,
              "dim": int(encoder[-1].out_features), "stride": int(encoder[0].stride[0]),
              "pool": any(isinstance(layer, torch.nn.MaxPool2d) for layer in encoder)}
    return ImageView(encoder, image_shape), config


def distil_view(X: np.ndarray, Z: np.ndarray, ctx: TrainContext, *, steps: int = 3000,
                batch_size: int = 256, lr: float = 1e-3):
    """Fit an MLP from the features ``X`` to the view ``Z`` of the same rows (MSE).

    Parameters
    ----------
    X : ndarray, shape (n, d)
    Z : ndarray, shape (n, m)
        The view the head was trained on (standardised UMAP coordinates).
    ctx : TrainContext
    steps : int
        About this many optimiser steps in all (whole epochs; 5 to 300 of them).
    batch_size, lr : int, float

    Returns
    -------
    module, config, r2
        The network (eval mode), its :func:`build_view` config, and the R² of its fit on
        the training rows.
    """
    n, d = X.shape
    epochs = int(np.clip(math.ceil(steps / max(n // batch_size, 1)), 5, 300))
    sizes = [d, 256, 256, Z.shape[1]]
    net = mlp(sizes).to(ctx.device)
    opt = adam(net.parameters(), lr=lr, weight_decay=1e-5)
    x = torch.as_tensor(X, dtype=torch.float32, device=ctx.device)
    z = torch.as_tensor(Z, dtype=torch.float32, device=ctx.device)

    def one_epoch(epoch: int) -> str:
        for idx in batches(n, batch_size, ctx):
            idx = idx.to(ctx.device)
            step(opt, torch.nn.functional.mse_loss(net(x[idx]), z[idx]))
        return f"fitting the view network, epoch {epoch + 1}/{epochs}"

    train_epochs(ctx, "view-fit", {"net": net, "opt": opt}, epochs, one_epoch)
    net.eval()
    fitted = view_rows(net, X, ctx.device)
    r2 = 1.0 - float(((fitted - Z) ** 2).sum() / max(((Z - Z.mean(axis=0)) ** 2).sum(), 1e-12))
    log.info("view network fits the view with R² %.3f", r2)
    return net, {"kind": "mlp", "sizes": sizes}, r2


def build_view(config: dict):
    """An untrained view network of the shape ``config`` describes (for loading weights)."""
    if config["kind"] == "image":
        from .contrastive import build_encoder

        encoder = build_encoder(config["channels"], config["dim"], config.get("stride", 1),
                                config.get("pool", False))  # models saved before: no pool
        return ImageView(encoder, tuple(config["image_shape"]))
    return mlp(config["sizes"])


def view_rows(net, X: np.ndarray, device="cpu", batch_size: int = 2048) -> np.ndarray:
    """The view of feature rows, shape (n, m) (no gradients; ``net`` left in eval mode)."""
    net.eval()
    return infer(net, X, device, batch_size=batch_size)
