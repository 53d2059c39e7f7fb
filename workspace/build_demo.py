"""Compute the demo's first run and store it as package data (``workspace/demo_run/``).

Run ``python -m workspace.build_demo`` after a change that alters results (a new
``PIPELINE_VERSION``) and commit the folder; ``tests/test_demo.py`` checks that the shipped
run matches the code and the demo config.
"""

from __future__ import annotations

import logging
import shutil
import sys
import tempfile
from pathlib import Path

from .explanations import SUGGESTED_NAMES, ensure_explanations, suggested_names
from .projects import DEMO_CONFIG, SHIPPED_DEMO
from .runs import ensure_run
from .store import Store

SHIPPED_FILES = ("run.json", "assignments.parquet", "clustering.npz", "features.npy",
                 "features_names.json", "features_transform.json", "explanations.json",
                 "ambiguity.npy", SUGGESTED_NAMES)
"""What a run of the demo's method (no deep model) consists of."""


def build(target: Path = SHIPPED_DEMO) -> Path:
    """Compute :data:`DEMO_CONFIG` and its explanations in a scratch store; copy the run's
    files into ``target`` (replacing what was there)."""
    with tempfile.TemporaryDirectory() as scratch:
        store = Store(Path(scratch))
        run = ensure_run(DEMO_CONFIG, store)
        ensure_explanations(run.path, store)
        from .run_data import load_run_data
        from .runs import read_run

        suggested_names(run.path, load_run_data(read_run(run.path)))
        staging = target.with_name(f".{target.name}.new")
        shutil.rmtree(staging, ignore_errors=True)
        staging.mkdir(parents=True)
        for name in SHIPPED_FILES:
            shutil.copyfile(run.path / name, staging / name)
        shutil.rmtree(target, ignore_errors=True)
        staging.rename(target)
    return target


if __name__ == "__main__":
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    sys.stdout.write(f"demo run written to {build()}\n")
