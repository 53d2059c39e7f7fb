"""A SimCLR-style contrastive pretext for small images (Chen et al. 2020).

Implemented from the paper: two augmented views of each image (crop-and-resize, shift, small
rotation, noise, brightness and contrast; for colour images also saturation, channel order and
greyscale) are pulled together and pushed from the other images of the batch (NT-Xent loss).
The encoder's output is a representation for SCAN-style heads when no pretrained model exists.
"""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn

from .common import TrainContext, adam, batches, infer, step, train_epochs

__all__ = ["PoolTo4", "build_encoder", "colour_jitter", "contrastive_embedding",
           "contrastive_parts", "contrastive_pass", "encoder_shape", "nt_xent", "random_views",
           "train_contrastive"]


STRIDE_FROM = 16
"""Images this many pixels on their short side or more are read with a first stride of 2."""

POOL_FROM = 8
"""Images from this many pixels on their short side up to :data:`STRIDE_FROM` are max-pooled
after the first convolution, so the second (most of a step's arithmetic) reads a quarter of
the positions, as LeNet does. On ``demo:digits`` (8x8; ``auto``, k given, seeds 0-8, stop 76,
``benchmarks/results/encoder_pool_nine_seeds_stop76.json``) the pretext took 49-56 s instead
of 85-98 s on a 2-core CPU, with the same accuracy within the seeds' spread (see
``benchmarks/README.md``, stop 76): the SCAN heads' own random draw moves ``digits`` more
than the encoder does."""


CHANNELS_LAST_ON = ("cpu",)
"""Devices where the encoder's weights are kept channels-last while it trains in float32 (as
the fine-tuned ImageNet encoder's are, :mod:`.pretrained`). The convolutions then write
their outputs channels-last, and the batch norms and the max-pooling read them so: same
arithmetic, summed in another order. On 2 CPU cores (``benchmarks/contrastive_layout.py``,
stop 89; medians of 7 alternating rounds) a step on 256 8x8 ``digits`` took 0.79 of the
time (45.6 against 57.7 ms), on 28x28 grey images 0.95, on 32x32 colour images 1.02. In
bfloat16 on a CPU that computes it natively it took 0.91 of the time (stop 90), about 1 s of
``demo:digits``' 27-38 s there; left out, as that would change the rounding the shipped demo
was built with. Not measured on a GPU, so the layout is left as it was there too."""


class PoolTo4(nn.Module):
    """Average pooling to a 4x4 grid, as ``nn.AdaptiveAvgPool2d(4)`` computes it.

    Where both sides divide by 4 (8x8 ``digits``, 24x24 images after a first stride of 2)
    the windows do not overlap and plain average pooling gives the same numbers: on 2 CPU
    cores a contrastive step on 256 8x8 digits took 35 ms against 41-50 ms. A 4x4 grid is
    passed on as it is (8x8 images max-pooled, :data:`POOL_FROM`): pooling 1x1 windows cost
    4 ms of a 55 ms step, forward and backward, for the same numbers. Other sizes fall back to
    the adaptive pooling. No parameters, so checkpoints of the encoder built
    with ``nn.AdaptiveAvgPool2d`` load unchanged.
    """

    def forward(self, x):
        """(b, c, h, w) -> (b, c, 4, 4)."""
        h, w = x.shape[-2:]
        if h == w == 4:  # 8x8 digits after the max-pooling: already there
            return x
        if h % 4 or w % 4:
            return nn.functional.adaptive_avg_pool2d(x, 4)
        return nn.functional.avg_pool2d(x, (h // 4, w // 4))


def build_encoder(channels: int, dim: int = 128, stride: int = 1,
                  pool: bool = False) -> nn.Sequential:
    """The small convolutional image encoder: (b, channels, h, w) -> (b, dim).

    ``stride=2`` halves the first layer's output (about 5 times faster on 24x24 images);
    ``pool`` max-pools it 2x2 instead (:data:`POOL_FROM`).
    """
    first = [nn.Conv2d(channels, 32, 3, padding=1, stride=stride), nn.BatchNorm2d(32),
             nn.ReLU()]
    return nn.Sequential(
        *first, *([nn.MaxPool2d(2)] if pool else []),
        nn.Conv2d(32, 64, 3, padding=1), nn.BatchNorm2d(64), nn.ReLU(),
        PoolTo4(), nn.Flatten(), nn.Linear(64 * 16, dim))


def encoder_shape(image_side: int) -> dict:
    """The encoder's ``stride`` and ``pool`` for images of this short side (pixels)."""
    return {"stride": 2 if image_side >= STRIDE_FROM else 1,
            "pool": POOL_FROM <= image_side < STRIDE_FROM}


def random_views(images, ctx: TrainContext, max_rotation: float = 15.0,
                 min_scale: float = 0.8):
    """Random crop-and-resize, shift and rotation (one affine warp) plus noise.

    Parameters
    ----------
    images : Tensor, shape (b, c, h, w), values in 0..1

    Returns
    -------
    Tensor, shape (b, c, h, w)
    """
    g = ctx.generator
    b = len(images)
    angle = (torch.rand(b, generator=g) * 2 - 1) * math.radians(max_rotation)
    scale = min_scale + torch.rand(b, generator=g) * (1 - min_scale)
    shift = (torch.rand(b, 2, generator=g) * 2 - 1) * 0.15
    cos, sin = torch.cos(angle) * scale, torch.sin(angle) * scale
    theta = torch.stack([torch.stack([cos, -sin, shift[:, 0]], 1),
                         torch.stack([sin, cos, shift[:, 1]], 1)], 1).to(images.device)
    grid = torch.nn.functional.affine_grid(theta, list(images.shape), align_corners=False)
    out = torch.nn.functional.grid_sample(images, grid, align_corners=False)
    noise = torch.randn(out.shape, generator=g).to(images.device) * 0.05
    out = colour_jitter(out, ctx)
    return (out + noise).clamp(0, 1)


def colour_jitter(images, ctx: TrainContext, grey_share: float = 0.2):
    """Random brightness and contrast; for RGB also saturation, channel order and greyscale.

    Parameters
    ----------
    images : Tensor, shape (b, c, h, w), values in 0..1, c = 1 or 3
    ctx : TrainContext
    grey_share : float
        Share of images turned grey.

    Returns
    -------
    Tensor, shape (b, c, h, w)
        So that intensity and colour alone cannot tell two views of one image apart from
        the others.
    """
    g = ctx.generator
    b = len(images)
    u = lambda low, high: (low + (high - low) * torch.rand(b, 1, 1, 1, generator=g)  # noqa: E731
                           ).to(images.device)
    mean = images.mean(dim=(1, 2, 3), keepdim=True)
    out = (mean + (images - mean) * u(0.6, 1.4)) * u(0.6, 1.4)  # contrast, brightness
    if images.shape[1] != 3:
        return out
    grey = out.mean(dim=1, keepdim=True)
    out = grey + (out - grey) * u(0.0, 1.6)  # saturation
    order = torch.argsort(torch.rand(b, 3, generator=g), dim=1).to(images.device)
    out = torch.gather(out, 1, order[:, :, None, None].expand_as(out))
    to_grey = (torch.rand(b, 1, 1, 1, generator=g) < grey_share).to(images.device)
    return torch.where(to_grey, out.mean(dim=1, keepdim=True).expand_as(out), out)


def nt_xent(z1, z2, temperature: float = 0.5):
    """Normalised-temperature cross-entropy over 2b views (each view's positive is its twin)."""
    z = torch.nn.functional.normalize(torch.cat([z1, z2]), dim=1)
    sim = z @ z.T / temperature
    n = len(z1)
    sim.fill_diagonal_(float("-inf"))
    target = torch.cat([torch.arange(n, 2 * n), torch.arange(0, n)]).to(z.device)
    return torch.nn.functional.cross_entropy(sim, target)


def contrastive_pass(x, index_batches, encoder, projector, opt, ctx: TrainContext,
                     bf16: bool = False) -> float:
    """One pass of NT-Xent steps over the given batches of ``x``; the summed loss.

    ``bf16``: bfloat16 where the device computes it natively (see ``ctx.autocast``).
    """
    total = 0.0
    for idx in index_batches:
        batch = x[idx.to(ctx.device)]
        with ctx.autocast(bf16):
            loss = nt_xent(projector(encoder(random_views(batch, ctx))).float(),
                           projector(encoder(random_views(batch, ctx))).float())
        step(opt, loss)
        total += float(loss.detach())
    return total


def contrastive_embedding(images: np.ndarray, ctx: TrainContext, **settings) -> np.ndarray:
    """Train the encoder on the images and return L2-normalised embeddings, shape (n, dim).

    ``settings`` are those of :func:`train_contrastive`.
    """
    return train_contrastive(images, ctx, **settings)[0]


def contrastive_parts(channels: int, side: int, device, *, dim: int = 128, lr: float = 1e-3,
                      channels_last: bool = False):
    """The encoder, projector and optimiser the contrastive pretext trains.

    Parameters
    ----------
    channels : int
        Image channels (1 or 3).
    side : int
        The images' shorter side in pixels (sets the encoder's depth).
    device : torch.device
    dim, lr
        Embedding width and learning rate.
    channels_last : bool
        Keep the encoder's weights channels-last (:data:`CHANNELS_LAST_ON`).

    Returns
    -------
    encoder, projector : torch.nn.Module
    opt : torch.optim.Optimizer
        Adam over both.
    """
    encoder = build_encoder(channels, dim, **encoder_shape(side)).to(device)
    if channels_last:
        encoder = encoder.to(memory_format=torch.channels_last)
    projector = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(), nn.Linear(dim, 64)).to(device)
    return encoder, projector, adam([*encoder.parameters(), *projector.parameters()], lr=lr,
                                    weight_decay=1e-5)


def train_contrastive(images: np.ndarray, ctx: TrainContext, *, epochs: int = 100,
                      batch_size: int = 256, lr: float = 1e-3, dim: int = 128,
                      bf16: bool = False):
    """Train the encoder on the images (resuming from the context's checkpoint).

    Parameters
    ----------
    images : ndarray, shape (n, h, w) or (n, h, w, 3), uint8 or 0..1 floats
    ctx : TrainContext
    epochs, batch_size, lr, dim
        Training settings.
    bf16 : bool
        Train in bfloat16 on CUDA and on a CPU that computes it natively (``auto`` does).

    Returns
    -------
    embedding : ndarray, shape (n, dim)
        L2-normalised.
    encoder : torch.nn.Module
        In eval mode; reads (b, c, h, w) images in 0..1.
    """
    x = torch.as_tensor(np.asarray(images, dtype=np.float32))
    if x.max() > 1.0:
        x = x / 255.0
    x = x[:, None] if x.ndim == 3 else x.permute(0, 3, 1, 2)
    x = x.to(ctx.device)
    encoder, projector, opt = contrastive_parts(
        x.shape[1], min(x.shape[2:]), ctx.device, dim=dim, lr=lr,
        channels_last=ctx.device.type in CHANNELS_LAST_ON and not ctx.bf16_applies(bf16))

    def one_epoch(epoch: int) -> str:
        total = contrastive_pass(x, batches(len(x), batch_size, ctx), encoder, projector, opt,
                                 ctx, bf16)
        return f"contrastive pretext epoch {epoch + 1}/{epochs}, loss {total:.3f}"

    train_epochs(ctx, "contrastive", {"encoder": encoder, "projector": projector, "opt": opt},
                 epochs, one_epoch)
    encoder.eval()
    emb = torch.as_tensor(infer(encoder, x, ctx.device, batch_size=2048))
    return torch.nn.functional.normalize(emb, dim=1).numpy(), encoder
