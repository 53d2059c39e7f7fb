"""A bare ``__main__`` while child processes start.

Under Streamlit (and after any ``AppTest`` run) ``sys.modules["__main__"]`` is the app
script, and a ``spawn``-started child runs its main module's file again before anything
else: the app script, outside Streamlit, touching the store and failing. Processes started
inside :func:`bare_main_module` get an empty main module instead.
"""

from __future__ import annotations

import sys
import threading
import types
from contextlib import contextmanager

__all__ = ["bare_main_module"]

_LOCK = threading.Lock()


@contextmanager
def bare_main_module():
    """Replace ``__main__`` with an empty module until the block ends (one thread at a time).

    Examples
    --------
    >>> import sys
    >>> main = sys.modules["__main__"]
    >>> with bare_main_module():
    ...     hasattr(sys.modules["__main__"], "__file__")
    False
    >>> sys.modules["__main__"] is main
    True
    """
    with _LOCK:
        main = sys.modules.get("__main__")
        sys.modules["__main__"] = types.ModuleType("__main__")
        try:
            yield
        finally:
            if main is not None:
                sys.modules["__main__"] = main
