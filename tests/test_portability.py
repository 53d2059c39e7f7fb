"""Parts that use POSIX-only modules carry on where those are missing (Windows).

Simulated here by hiding ``resource`` (``sys.modules[name] = None`` makes its import fail)
and ``/proc``; before, ``workspace.chunk_tasks`` imported ``resource`` at the top, so
no chunked run could even start without it.
"""

from __future__ import annotations

import importlib
import sys


def test_chunk_tasks_and_the_reading_process_run_without_resource(monkeypatch):
    import workspace.chunk_tasks as chunk_tasks
    from workspace.isolated_load import _cap_memory

    monkeypatch.setitem(sys.modules, "resource", None)
    fresh = importlib.reload(chunk_tasks)  # imports without it
    try:
        assert fresh._peak_memory_mb() > 0  # Linux: from /proc

        class NoProc:
            def __init__(self, *_):
                pass

            def read_text(self):
                raise OSError("no /proc here")

        monkeypatch.setattr(fresh, "Path", NoProc)
        assert fresh._peak_memory_mb() is None  # not known, not a crash
        _cap_memory(2**40)  # no cap, a warning; no ImportError
    finally:
        monkeypatch.undo()
        importlib.reload(chunk_tasks)
