"""Crash-safe writes: write to a temporary name in the same folder, fsync, then rename."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

__all__ = ["atomic_path", "write_bytes", "write_json", "write_with"]


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``final``; rename it over ``final`` on success.

    On any exception the temporary file is removed and ``final`` is left as it was, so
    a crash or a full disk never leaves a half-written file under the final name.

    Parameters
    ----------
    final : Path
    """
    final = Path(final)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{final.name}.", suffix=".tmp", dir=final.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        with open(tmp_path, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(tmp_path, final)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_with(final: Path, writer: Callable[[Path], None]) -> Path:
    """Call ``writer(tmp_path)`` and move the result to ``final`` atomically."""
    with atomic_path(final) as tmp:
        writer(tmp)
    return final


def write_bytes(final: Path, data: bytes) -> Path:
    """Write bytes atomically."""
    return write_with(final, lambda p: p.write_bytes(data))


def write_json(final: Path, obj) -> Path:
    """Write JSON (indented, UTF-8) atomically."""
    text = json.dumps(obj, indent=2, ensure_ascii=False, default=_jsonable)
    return write_bytes(final, text.encode("utf-8"))


def _jsonable(value):
    import numpy as np

    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, np.floating):
        return float(value)
    if isinstance(value, np.ndarray):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def write_folder(final: Path, writer: Callable[[Path], None], replace: bool = True) -> Path:
    """Call ``writer(staging_folder)`` and rename the folder to ``final`` in one step.

    With ``replace=False`` a ``final`` that appeared meanwhile (another process wrote the same
    content) is kept and the staging folder dropped. A failed writer leaves nothing behind.
    """
    import shutil

    final = Path(final)
    staging = Path(tempfile.mkdtemp(prefix=f".{final.name}.", dir=final.parent))
    try:
        writer(staging)
        if final.exists():
            if not replace:
                return final
            shutil.rmtree(final) if final.is_dir() else final.unlink()
        staging.rename(final)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return final
