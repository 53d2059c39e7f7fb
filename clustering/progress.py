"""The progress-callback signature shared by every slow stage."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["ProgressFn", "no_progress"]

ProgressFn = Callable[[float, str], None]
"""Called with a fraction in [0, 1] of the current stage and a short message."""


def no_progress(fraction: float, message: str) -> None:
    """Ignore progress reports (the default callback)."""
