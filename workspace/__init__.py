"""What persists: the project store, run folders, exports, and the command line."""

from .store import Store

__all__ = ["Store"]
