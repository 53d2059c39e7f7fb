"""Worker process entry: ``python -m workspace.worker explain RUN_DIR --store ROOT``."""

from __future__ import annotations

import argparse
import logging
import os
import time
from pathlib import Path

from .atomic import write_json
from .background import progress_file

log = logging.getLogger("clusterlab.worker")


def main(argv: list[str] | None = None) -> int:
    """Run one background task and report progress to the run folder."""
    parser = argparse.ArgumentParser(prog="clusterlab-worker")
    parser.add_argument("kind", choices=["explain"])
    parser.add_argument("run_dir", type=Path)
    parser.add_argument("--store", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    target = progress_file(args.run_dir, args.kind)
    state = {"last": 0.0}

    def report(fraction: float, message: str, final: str = "running", error=None) -> None:
        now = time.monotonic()
        if final == "running" and now - state["last"] < 0.5:
            return
        state["last"] = now
        write_json(target, {"state": final, "pid": os.getpid(), "fraction": fraction,
                            "message": message, "error": error})

    from clustering.errors import InputError

    from .explanations import ensure_explanations
    from .store import Store

    try:
        ensure_explanations(args.run_dir, Store(args.store), progress=report)
    except InputError as exc:
        report(1.0, "failed", "failed", str(exc))
        return 2
    except Exception as exc:  # noqa: BLE001 - reported to the page, logged in full
        log.exception("worker failed")
        report(1.0, "failed", "failed", f"{type(exc).__name__}: {exc}")
        return 1
    report(1.0, "done", "done")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
