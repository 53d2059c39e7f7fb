"""Resolve the compute device once: CUDA, then Apple MPS, then CPU."""

from __future__ import annotations

import logging

from .errors import InputError

__all__ = ["limit_cpu_threads", "resolve_device"]

log = logging.getLogger(__name__)


def resolve_device(requested: str = "auto") -> str:
    """Return ``cuda``, ``mps`` or ``cpu`` for a request of ``auto``, ``cpu`` or ``cuda``.

    Parameters
    ----------
    requested : {"auto", "cpu", "cuda", "mps"}

    Returns
    -------
    str
    """
    if requested not in ("auto", "cpu", "cuda", "mps"):
        raise InputError(f"device must be auto, cpu or cuda, not '{requested}'.")
    if requested == "cpu":
        return "cpu"
    import torch

    if requested in ("auto", "cuda") and torch.cuda.is_available():
        device = "cuda"
    elif requested in ("auto", "mps") and getattr(torch.backends, "mps", None) \
            and torch.backends.mps.is_available():
        device = "mps"
    elif requested == "auto":
        device = "cpu"
    else:
        raise InputError(f"device '{requested}' was asked for but no such device is available "
                         "here; use device auto or cpu.")
    log.info("device: %s (asked for %s)", device, requested)
    return device


def limit_cpu_threads() -> int:
    """Use half the cores for torch's CPU kernels (at least one) and return the count.

    Small networks gain nothing from more threads, and on a busy machine (the app server,
    UMAP, another job) spinning intra-op threads slow training by orders of magnitude.
    """
    import os

    import torch

    threads = max(1, (os.cpu_count() or 2) // 2)
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads
