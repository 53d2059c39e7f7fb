"""Worker process: ``python -m workspace.worker JOB_ID --store ROOT`` runs one job.

It waits for a free slot (at most :func:`max_workers` jobs run at once), writes stage,
progress and a heartbeat to the job's row, stops cleanly on SIGTERM or a cancel request,
and leaves finished stages and checkpoints behind when it does not finish, so that
Resume continues from them. It runs at a lower CPU priority than the app, so pages stay
quick while it works.
"""

from __future__ import annotations

import argparse
import logging
import os
import shutil
import signal
import threading
import time
from pathlib import Path

from clustering.errors import Cancelled, InputError

from .jobs import checkpoint_dir, get, max_workers
from .store import Store

log = logging.getLogger("clusterlab.worker")

HEARTBEAT_SECONDS = 2.0


def claim(store: Store, job_id: int) -> bool:
    """Wait for a free slot and mark the job running; False when it was cancelled first."""
    while True:
        with store.transaction() as con:
            row = con.execute("SELECT state, cancel FROM jobs WHERE id=?", (job_id,)).fetchone()
            if row is None or row["state"] != "queued" or row["cancel"]:
                return False
            busy = con.execute("SELECT count(*) FROM jobs WHERE state='running'").fetchone()[0]
            if busy < max_workers():
                con.execute("UPDATE jobs SET state='running', pid=?, started=?, heartbeat=?, "
                            "fraction=0, message='starting' WHERE id=?",
                            (os.getpid(), time.time(), time.time(), job_id))
                return True
            con.execute("UPDATE jobs SET pid=?, heartbeat=?, message=? WHERE id=?",
                        (os.getpid(), time.time(), f"waiting: {busy} job(s) already running",
                         job_id))
        time.sleep(1.0)


class StageClock:
    """Time left in the current stage, from the pace measured inside it.

    The first step of a stage (an epoch, a batch) often carries set-up work, and stages
    differ by orders of magnitude in cost, so the estimate is the pace since the stage's
    first reported step, applied to what is left of the stage — not the whole job's
    elapsed time against its weighted fraction (which said "4 s" for a 5-minute training).

    Parameters
    ----------
    stage_span : callable
        ``fraction -> (stage, start, end)`` of the job's overall progress.
    """

    def __init__(self, stage_span) -> None:
        self.stage_span = stage_span
        self.stage = None
        self.first = None  # (time, stage fraction) of the stage's first finished step

    def update(self, fraction: float, now: float) -> tuple[str, float | None]:
        """Record a report; return the stage and the seconds left in it (None until two
        steps of the stage were measured)."""
        stage, start, end = self.stage_span(fraction)
        done = (fraction - start) / max(end - start, 1e-12)
        if stage != self.stage:
            self.stage, self.first = stage, None
            return stage, None
        if self.first is None:
            if done > 0:
                self.first = (now, done)
            return stage, None
        t1, done1 = self.first
        if done <= done1 or now <= t1:
            return stage, None
        return stage, (now - t1) / (done - done1) * (1.0 - done)


class Reporter:
    """Progress callback that writes to the job row (at most twice a second) and raises
    :class:`Cancelled` once a cancel was requested."""

    def __init__(self, store: Store, job_id: int, stage_span, clock=time.monotonic) -> None:
        self.store, self.job_id = store, job_id
        self.stages = StageClock(stage_span)
        self.clock = clock
        self.last = -1.0
        self.cancelled = False

    def __call__(self, fraction: float, message: str) -> None:
        stamp = self.clock()
        stage, left = self.stages.update(float(fraction), stamp)
        if stamp - self.last < 0.5:
            return
        self.last = stamp
        ends = None if left is None else time.time() + left
        with self.store.transaction() as con:
            con.execute("UPDATE jobs SET stage=?, fraction=?, message=?, heartbeat=?, "
                        "stage_ends=? WHERE id=? AND state='running'",
                        (stage, float(fraction), str(message)[:300], time.time(), ends,
                         self.job_id))
            self.cancelled = bool(con.execute("SELECT cancel FROM jobs WHERE id=?",
                                              (self.job_id,)).fetchone()[0])
        if self.cancelled:
            raise Cancelled("cancelled by the user")

    def should_stop(self) -> bool:
        """Polled between training batches."""
        return self.cancelled


def _heartbeat(store: Store, job_id: int, stop: threading.Event) -> None:
    while not stop.wait(HEARTBEAT_SECONDS):
        try:
            with store.transaction() as con:
                con.execute("UPDATE jobs SET heartbeat=? WHERE id=? AND state='running'",
                            (time.time(), job_id))
        except Exception:  # noqa: BLE001 - a missed beat is not fatal
            log.warning("heartbeat failed", exc_info=True)


def _finish(store: Store, job_id: int, state: str, message: str, error: str | None = None,
            result: str | None = None) -> None:
    with store.transaction() as con:
        con.execute("UPDATE jobs SET state=?, message=?, error=?, result=?, finished=?, "
                    "fraction=CASE WHEN ?='done' THEN 1 ELSE fraction END WHERE id=?",
                    (state, message, error, result, time.time(), state, job_id))


def _run_job(store: Store, job: dict, reporter: Reporter) -> str:
    """Do the work of one job; return its result (a run key, or an export's file)."""
    if job["kind"] == "run":
        from clustering.pipeline import RunConfig

        from .runs import ensure_run

        fields = dict(job["config"])
        engine = fields.pop("engine", None)  # where chunks run: not part of the key
        config = RunConfig(**fields)
        if config.sample is not None:
            from .engines import EngineSettings
            from .partitioned import ensure_partitioned_run

            return ensure_partitioned_run(config, store, EngineSettings(**(engine or {})),
                                          project_id=job["project_id"], progress=reporter,
                                          should_stop=reporter.should_stop).key
        run = ensure_run(config, store, job["project_id"],
                         progress=reporter, should_stop=reporter.should_stop,
                         checkpoint_dir=checkpoint_dir(store, job))
        return run.key
    if job["kind"] == "export":
        from .exports import export_run

        cfg = job["config"]
        export_run(Path(cfg["run_dir"]), cfg["format"], Path(cfg["out"]), store=store,
                   clusters=cfg["clusters"], ids=cfg["ids"],
                   reviewed_only=cfg["reviewed_only"], who=cfg["who"], progress=reporter)
        return cfg["out"]
    if job["kind"] == "assign":
        from .predict import assign_file

        cfg = dict(job["config"])
        assign_file(Path(cfg.pop("run_dir")), cfg.pop("source"), Path(cfg.pop("out")), store,
                    progress=reporter, **cfg)
        return job["config"]["out"]
    from .explanations import ensure_explanations

    ensure_explanations(Path(job["config"]["run_dir"]), store, progress=reporter)
    return job["key"]


def _raise_cancelled(signum, frame) -> None:
    raise Cancelled("cancelled by the user")


def main(argv: list[str] | None = None) -> int:
    """Run one job to its end; the exit code says how it ended (0 done, 2 bad input)."""
    parser = argparse.ArgumentParser(prog="clusterlab-worker")
    parser.add_argument("job_id", type=int)
    parser.add_argument("--store", type=Path, required=True)
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    log.info("threads per library: %s", os.environ.get("CLUSTERLAB_TORCH_THREADS", "all cores"))
    try:
        os.nice(10)
    except OSError:
        pass
    store = Store(args.store)
    if not claim(store, args.job_id):
        log.info("job %d is no longer queued; nothing to do", args.job_id)
        return 0
    job = get(store, args.job_id)
    log.info("job %d (%s %s), attempt %d", job["id"], job["kind"], job["key"],
             job["attempts"] + 1)
    from clustering.pipeline import stage_span

    reporter = Reporter(store, job["id"], stage_span if job["kind"] == "run" else
                        (lambda f, kind=job["kind"]: (kind, 0.0, 1.0)))
    stop = threading.Event()
    threading.Thread(target=_heartbeat, args=(store, job["id"], stop), daemon=True).start()
    signal.signal(signal.SIGTERM, _raise_cancelled)
    try:
        result = _run_job(store, job, reporter)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    except Cancelled:
        _finish(store, job["id"], "cancelled", "cancelled; finished stages are kept for Resume")
        return 0
    except InputError as exc:
        _finish(store, job["id"], "failed", "failed", str(exc))
        return 2
    except Exception as exc:  # noqa: BLE001 - reported to the page, logged in full
        from clustering.device import out_of_memory

        log.exception("job %d failed", job["id"])
        _finish(store, job["id"], "failed", "failed",
                out_of_memory(exc) or f"{type(exc).__name__}: {exc}")
        return 1
    finally:
        stop.set()
    _finish(store, job["id"], "done", "done", result=result)
    shutil.rmtree(checkpoint_dir(store, job), ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
