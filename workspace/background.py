"""Background work for the app in a separate worker process, with progress in a file.

The page starts ``python -m workspace.worker explain RUN_DIR`` and reads
``RUN_DIR/.explain.progress.json`` (written atomically) on each refresh, so the map never
waits, a second click attaches to the running worker, and a crash of the worker cannot
take the app down.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

__all__ = ["progress_file", "read_progress", "start_worker"]

log = logging.getLogger(__name__)


def progress_file(run_dir: Path, kind: str) -> Path:
    """Where a worker of ``kind`` reports on a run."""
    return Path(run_dir) / f".{kind}.progress.json"


def read_progress(run_dir: Path, kind: str) -> dict | None:
    """The worker's last report (``state``: running, done, failed), or None."""
    path = progress_file(run_dir, kind)
    try:
        report = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if report.get("state") == "running" and not _alive(report.get("pid")):
        report.update(state="failed", error="the worker stopped before finishing")
    return report


def _alive(pid) -> bool:
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError):
        return False
    try:  # a finished child not yet reaped still answers the signal
        waited, _ = os.waitpid(int(pid), os.WNOHANG)
        return waited == 0
    except ChildProcessError:
        return True


def start_worker(run_dir: Path, kind: str, store_root: Path) -> dict:
    """Start a worker unless one runs for this run already; return its report."""
    report = read_progress(run_dir, kind)
    if report and report.get("state") in ("running", "done"):
        return report
    log_path = Path(run_dir) / f".{kind}.log"
    with open(log_path, "ab") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "workspace.worker", kind, str(run_dir), "--store",
             str(store_root)], stdout=log_file, stderr=subprocess.STDOUT,
            cwd=Path(__file__).resolve().parent.parent, start_new_session=True)
    report = {"state": "running", "pid": proc.pid, "fraction": 0.0, "message": "starting"}
    from .atomic import write_json

    write_json(progress_file(run_dir, kind), report)
    return report
