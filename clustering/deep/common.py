"""Shared pieces of the deep methods: seeding, device, small MLPs, augmentations, batches."""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Iterator
from pathlib import Path

import numpy as np

from ..errors import Cancelled
from ..progress import ProgressFn, no_progress
from .checkpoint import Checkpoint, save_atomic

__all__ = ["Cancelled", "TrainContext", "adam", "augment", "batches", "infer", "mlp",
           "seed_everything", "step", "train_epochs"]

log = logging.getLogger(__name__)


class TrainContext:
    """Device, random generator, progress and cancellation for one training run.

    Parameters
    ----------
    device : str
        ``cpu``, ``cuda`` or ``mps`` (already resolved).
    seed : int
    progress : callable
        ``progress(fraction, message)``.
    should_stop : callable, optional
        Returns True when the user cancelled; checked between batches.
    image_shape : tuple of int, optional
        ``(h, w)`` or ``(h, w, c)`` when rows are flattened images (enables image
        augmentations).
    checkpoint_dir : Path, optional
        Where training loops keep checkpoints (resumed from when present).
    """

    def __init__(self, device: str = "cpu", seed: int = 0, progress: ProgressFn = no_progress,
                 should_stop: Callable[[], bool] | None = None,
                 image_shape: tuple[int, ...] | None = None,
                 checkpoint_dir: Path | None = None) -> None:
        import torch

        from ..device import limit_cpu_threads

        limit_cpu_threads()
        self.device = torch.device(device)
        self.seed = seed
        self.progress = progress
        self.should_stop = should_stop or (lambda: False)
        self.image_shape = image_shape
        self.generator = torch.Generator(device="cpu").manual_seed(seed)
        self.checkpoint_dir = Path(checkpoint_dir) if checkpoint_dir else None
        self.scope = ""

    def part(self, index: int, parts: int, image_shape: tuple[int, ...] | None = None,
             label: str = "step") -> TrainContext:
        """A copy reporting progress as part ``index`` of ``parts``.

        It shares the generator, device and cancellation, and has its own ``image_shape``.
        """
        import copy

        sub = copy.copy(self)
        sub.image_shape = image_shape
        sub.scope = f"{self.scope}{label}{index}-"
        prefix = f"{label} {index + 1}/{parts}: " if parts > 1 else ""
        sub.progress = lambda f, msg: self.progress((index + f) / parts, prefix + msg)
        return sub

    def checkpoint(self, name: str, objects: dict, total: int) -> Checkpoint:
        """Checkpoint of one training loop (``.start`` is the epoch to continue from)."""
        path = self.checkpoint_dir / f"{self.scope}{name}.pt" if self.checkpoint_dir else None
        return Checkpoint(path, objects, self.generator, total)

    def cached(self, name: str, compute: Callable[[], np.ndarray]) -> np.ndarray:
        """The array a finished step returned, computed once per checkpointed run.

        The generator state after the step is kept with it, so what follows a resumed
        step draws the same random numbers as before.
        """
        import torch

        path = self.checkpoint_dir / f"{self.scope}{name}.pt" if self.checkpoint_dir else None
        if path is not None and path.exists():
            state = torch.load(path, map_location="cpu", weights_only=True)
            self.generator.set_state(state["generator"])
            log.info("reused the finished step %s", path.name)
            return state["array"].numpy()
        array = np.asarray(compute())
        if path is not None:
            save_atomic({"array": torch.from_numpy(np.ascontiguousarray(array)),
                         "generator": self.generator.get_state()}, path)
        return array

    def check(self) -> None:
        """Raise :class:`Cancelled` when the caller asked to stop."""
        if self.should_stop():
            raise Cancelled("training was cancelled")

    def autocast(self, bf16: bool = False):
        """bfloat16 autocast where asked and the device computes it natively, else a no-op.

        Every training loop runs in float32 unless it asks (``auto``'s contrastive image
        pretext does), on a GPU as on the CPU: all of ``auto``'s figures were measured so.
        The first GPU run (stop 52, H200), with every loop in bfloat16 on CUDA, gave
        ``demo:digits`` 0.961 on seed 0 where the CPU gives 0.976; on the CPU, every loop
        autocast to bfloat16 gave 0.948 / 0.959 (seeds 0 / 1; 0.976 / 0.979 in float32), the
        contrastive pretext alone 0.977 / 0.969 / 0.964 (seeds 0-2, stop 30).

        Parameters
        ----------
        bf16 : bool
            This loop may train in bfloat16: on CUDA, and on a CPU that computes it natively
            (:func:`clustering.device.cpu_has_native_bf16`).
        """
        import contextlib

        import torch

        if self.bf16_applies(bf16):
            return torch.autocast(self.device.type, dtype=torch.bfloat16)
        return contextlib.nullcontext()

    def bf16_applies(self, asked: bool = True) -> bool:
        """Whether ``autocast(bf16=asked)`` computes in bfloat16 on this device."""
        from ..device import cpu_has_native_bf16

        if not asked:
            return False
        return self.device.type == "cuda" or (self.device.type == "cpu"
                                              and cpu_has_native_bf16())


def seed_everything(seed: int) -> None:
    """Seed Python, NumPy and torch; deterministic kernels where torch has them.

    On CUDA that includes cuBLAS's (:func:`clustering.device.fix_cublas_workspace`).
    """
    import torch

    from ..device import fix_cublas_workspace

    fix_cublas_workspace()
    random.seed(seed)
    np.random.seed(seed % 2**32)  # noqa: NPY002 - libraries reading the global state
    torch.manual_seed(seed)
    torch.use_deterministic_algorithms(True, warn_only=True)
    if torch.backends.cudnn.is_available():
        torch.backends.cudnn.benchmark = False


def mlp(sizes: list[int], batchnorm: bool = True, last_activation: bool = False):
    """Linear layers with ReLU (and BatchNorm) between them."""
    from torch import nn

    layers: list = []
    for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:], strict=True)):
        layers.append(nn.Linear(a, b))
        if i < len(sizes) - 2 or last_activation:
            if batchnorm:
                layers.append(nn.BatchNorm1d(b))
            layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def batches(n: int, batch_size: int, ctx: TrainContext, shuffle: bool = True) -> Iterator:
    """Index tensors of mini-batches (seeded shuffle); drops a last batch of one row.

    Cancellation is checked before every batch (:meth:`TrainContext.check`).

    Parameters
    ----------
    n : int
        Rows to cover.
    batch_size : int
        Rows per batch.
    ctx : TrainContext
        Its generator shuffles; its ``should_stop`` is polled.
    shuffle : bool
        Seeded random order when True, else 0..n-1.

    Yields
    ------
    Tensor of int64, shape (b,)
        Row indices of one batch (on the CPU).
    """
    import torch

    order = torch.randperm(n, generator=ctx.generator) if shuffle else torch.arange(n)
    for start in range(0, n, batch_size):
        idx = order[start:start + batch_size]
        if len(idx) > 1:
            ctx.check()
            yield idx


def adam(params, *, decoupled: bool = False, **settings):
    """Adam (``decoupled``: AdamW) with torch's multi-tensor update on every device.

    torch uses it by default on CUDA only; on the CPU it computes the same numbers (checked
    bit for bit on the SCAN heads' network) in fewer calls: 1.9 ms a step against 2.6 ms on
    the heads' network on 2 cores, a second of every 1,000 steps.
    """
    import torch

    kind = torch.optim.AdamW if decoupled else torch.optim.Adam
    return kind(params, foreach=True, **settings)


def step(optimizer, loss) -> None:
    """One optimiser step on ``loss`` (zero the gradients, backpropagate, update)."""
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()


def train_epochs(ctx: TrainContext, name: str, objects: dict, epochs: int,
                 one_epoch: Callable[[int], str | None]) -> int:
    """The training loop every deep method shares: resume, epochs, progress, checkpoints.

    Parameters
    ----------
    ctx : TrainContext
        Device, progress, cancellation and the checkpoint folder.
    name : str
        Name of this loop's checkpoint file.
    objects : dict
        Modules, optimizers and tensors whose state is checkpointed (and restored when a
        checkpoint exists); modules are put in training mode before each epoch.
    epochs : int
        Length of the loop.
    one_epoch : callable
        ``one_epoch(epoch) -> message``: trains one epoch (batches from :func:`batches`)
        and returns the progress message, or None to stop early (converged).

    Returns
    -------
    int
        Epochs done in all (fewer than ``epochs`` when stopped early).
    """
    from torch import nn

    from ..device import limit_cpu_threads

    limit_cpu_threads()  # again: a library may have reset it since (same seed, same result)
    ck = ctx.checkpoint(name, objects, epochs)
    for epoch in range(ck.start, epochs):
        for obj in objects.values():
            if isinstance(obj, nn.Module):
                obj.train()
        message = one_epoch(epoch)
        if message is None:
            return epoch
        ctx.progress((epoch + 1) / epochs, message)
        ck.save(epoch + 1)
    return epochs


def infer(module, X, device="cpu", fn: Callable | None = None,
          batch_size: int = 4096, progress: Callable[[float], None] | None = None
          ) -> np.ndarray:
    """Run a network over all rows in batches, without gradients, in evaluation mode.

    Parameters
    ----------
    module : torch.nn.Module
        Put in evaluation mode for the pass; its previous mode is restored after.
    X : ndarray or Tensor, shape (n, ...)
        Input rows.
    device : str or torch.device
        Where the batches are computed.
    fn : callable, optional
        ``fn(batch) -> Tensor`` (default: ``module(batch)``).
    batch_size : int
        Rows per batch.
    progress : callable, optional
        ``progress(fraction)`` of the rows done, after each batch.

    Returns
    -------
    ndarray of float32, shape (n, ...)
        The outputs, concatenated on the CPU.
    """
    import torch

    from ..device import limit_cpu_threads

    limit_cpu_threads()
    was_training = module.training
    module.eval()
    fn = fn or module
    out = []
    with torch.no_grad():
        for start in range(0, len(X), batch_size):
            x = torch.as_tensor(X[start:start + batch_size], dtype=torch.float32)
            out.append(fn(x.to(device)).float().cpu())
            if progress is not None:
                progress(min(1.0, (start + batch_size) / len(X)))
    module.train(was_training)
    return torch.cat(out).numpy() if out else np.zeros((0, 0), np.float32)


def augment(x, ctx: TrainContext, strength: float = 1.0):
    """A random view of a batch: pixel shifts and noise for images, noise and dropout else.

    Parameters
    ----------
    x : Tensor, shape (b, d)
    ctx : TrainContext
    strength : float
        Scales shift range, noise and dropout.

    Returns
    -------
    Tensor, shape (b, d)
    """
    import torch

    g = ctx.generator
    if ctx.image_shape is not None:
        shape = ctx.image_shape if len(ctx.image_shape) == 3 else (*ctx.image_shape, 1)
        h, w, c = shape
        img = x.reshape(len(x), h, w, c).permute(0, 3, 1, 2)
        shift = max(1, round(min(h, w) / 8 * strength))
        pad = torch.nn.functional.pad(img, (shift, shift, shift, shift))
        dy = torch.randint(0, 2 * shift + 1, (len(x),), generator=g)
        dx = torch.randint(0, 2 * shift + 1, (len(x),), generator=g)
        rows = (torch.arange(h)[None, :] + dy[:, None]).to(x.device)
        cols = (torch.arange(w)[None, :] + dx[:, None]).to(x.device)
        b = torch.arange(len(x), device=x.device)[:, None, None]
        out = pad.permute(0, 2, 3, 1)[b, rows[:, :, None], cols[:, None, :]]
        out = out.reshape(len(x), -1)
        noise = torch.randn(out.shape, generator=g).to(x.device) * 0.05 * strength
        return (out + noise).clamp(0, 1)
    noise = torch.randn(x.shape, generator=g).to(x.device) * 0.1 * strength
    keep = (torch.rand(x.shape, generator=g) > 0.1 * strength).to(x.device)
    return (x + noise * x.std(dim=0, keepdim=True).clamp_min(1e-6)) * keep
