"""Resolve the compute device once: CUDA, then Apple MPS, then CPU."""

from __future__ import annotations

import logging

from .errors import InputError

__all__ = ["cpu_has_native_bf16", "cpu_threads", "fix_cublas_workspace", "limit_cpu_threads",
           "out_of_memory", "resolve_device"]

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
    if device == "cuda":
        fix_cublas_workspace()
    log.info("device: %s (asked for %s)", device, requested)
    return device


def fix_cublas_workspace() -> None:
    """Give cuBLAS the fixed workspace it needs to compute the same sums on every run.

    cuBLAS reads ``CUBLAS_WORKSPACE_CONFIG`` when a process first uses it, so this is set
    when the device is resolved and again before training (a no-op once set, and never over
    a value the user chose); without it, the same seed may give other numbers on a GPU.
    """
    import os

    os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")


def cpu_threads() -> int:
    """Threads this process computes on: every core, or ``CLUSTERLAB_TORCH_THREADS``.

    The app's job workers are given their share of the cores in it
    (:func:`workspace.jobs.worker_environment`); torch, and the threads that decode images
    (:func:`clustering.images.decode_threads`), keep to it.
    """
    import os

    return max(1, int(os.environ.get("CLUSTERLAB_TORCH_THREADS") or os.cpu_count() or 1))


def limit_cpu_threads() -> int:
    """Set torch's CPU thread count (every core, or ``CLUSTERLAB_TORCH_THREADS``) and return it.

    Called before every training loop and inference pass: numba (UMAP) resets the OpenMP
    thread count it shares with torch, and a different count gives different floating-point
    sums, so the same seed would not give the same result. Every core: on this project's
    2-core machine the contrastive image pretext took 133 s on one thread and 64 s on two
    (5,000 images). Set ``CLUSTERLAB_TORCH_THREADS`` lower where other work shares the cores.
    """
    import torch

    threads = cpu_threads()
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)
    return threads


def cpu_has_native_bf16() -> bool:
    """Whether this CPU computes bfloat16 natively (AVX512-BF16 or AMX).

    ``CLUSTERLAB_CPU_BF16=0`` says no whatever the CPU. Where it does, ``auto``'s contrastive
    image pretext trains its small encoder in bfloat16
    (:meth:`clustering.deep.common.TrainContext.autocast`): on this project's 2-core machine
    (AMX) a step of 256 8x8 images took 31 ms instead of 54 ms. Without native support
    bfloat16 is emulated and slower, so float32 is kept.
    """
    import os

    import torch

    if os.environ.get("CLUSTERLAB_CPU_BF16", "1") == "0":
        return False
    try:
        return bool(torch.cpu._is_avx512_bf16_supported() or torch.cpu._is_amx_tile_supported())
    except (AttributeError, RuntimeError):  # private helpers: absent in other torch builds
        return False


def out_of_memory(exc: BaseException) -> str | None:
    """One sentence for a run that ran out of memory, on the GPU or in RAM; None otherwise.

    A GPU's memory is smaller than a machine's, and ``--device cpu`` (the app's Device
    ``cpu``) is the way round it, so the sentence says that rather than "internal error".

    Examples
    --------
    >>> out_of_memory(MemoryError())[:40]
    'the machine ran out of memory; try a sma'
    >>> out_of_memory(ValueError("x")) is None
    True
    """
    if isinstance(exc, MemoryError):
        return "the machine ran out of memory; try a smaller data set or fewer dimensions."
    import sys

    torch = sys.modules.get("torch")  # a CUDA error can only come from an imported torch
    oom = getattr(torch, "OutOfMemoryError", None) if torch is not None else None
    if oom is not None and isinstance(exc, oom):
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        detail = f" ({first[:160]})" if first else ""
        return (f"the GPU ran out of memory{detail}; run on the CPU (--device cpu, or Device "
                "cpu in the app) or on fewer rows.")
    return None
