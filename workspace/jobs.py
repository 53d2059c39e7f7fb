"""Background jobs: heavy work runs in a worker process; its state lives in the store.

A job is a row of the ``jobs`` table (kind, content key, config, state, stage, progress,
worker pid, heartbeat). Every change is one SQLite transaction, so a reader never sees a
half-written state. States::

    queued → running → done | failed | cancelled
                     ↘ interrupted (the worker died: killed, crashed, machine restarted)
    interrupted | cancelled | failed → queued again on Resume

Submitting work whose key matches a queued or running job attaches to that job instead
of starting a second one. Finished stages and training checkpoints are kept under
``partial/<kind>-<key>/`` until the job is done, so Resume continues from them.
"""

from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from clustering.pipeline import RunConfig

from .runs import planned_key
from .store import Store, now, whoami

__all__ = ["ACTIVE", "RESUMABLE", "cancel", "checkpoint_dir", "dismiss", "duration_text",
           "eta_seconds", "get", "list_jobs", "refresh", "resume", "submit", "submit_explain",
           "submit_run", "wait"]

log = logging.getLogger(__name__)

ACTIVE = ("queued", "running")
RESUMABLE = ("interrupted", "cancelled", "failed")
STALE_SECONDS = 300.0
"""A running job whose worker has not written a heartbeat for this long is interrupted."""

REPO = Path(__file__).resolve().parent.parent


def _decode(row) -> dict:
    job = dict(row)
    job["config"] = json.loads(job["config"])
    return job


def get(store: Store, job_id: int) -> dict | None:
    """One job by id (None when unknown)."""
    rows = store._query("SELECT * FROM jobs WHERE id=?", (int(job_id),))
    return _decode(rows[0]) if rows else None


def list_jobs(store: Store, project_id: int | None = None,
              states: tuple[str, ...] | None = None) -> list[dict]:
    """Jobs, newest first, after marking the ones whose worker died as interrupted."""
    refresh(store)
    sql, args = "SELECT * FROM jobs WHERE 1=1", []
    if project_id is not None:
        sql += " AND project_id=?"
        args.append(int(project_id))
    if states:
        sql += f" AND state IN ({','.join('?' * len(states))})"
        args.extend(states)
    return [_decode(r) for r in store._query(sql + " ORDER BY id DESC", args)]


def checkpoint_dir(store: Store, job: dict) -> Path:
    """Folder of a job's finished stages and training checkpoints."""
    return store.root / "partial" / f"{job['kind']}-{job['key']}"


def submit(store: Store, kind: str, key: str, config: dict, project_id: int | None = None,
           who: str | None = None) -> tuple[dict, bool]:
    """Queue a job and start its worker, or attach to the active job with the same key.

    Returns
    -------
    job : dict
    attached : bool
        True when an identical job was already queued or running.
    """
    refresh(store)
    with store.transaction() as con:
        row = con.execute("SELECT * FROM jobs WHERE kind=? AND key=? AND state IN "
                          "('queued','running') ORDER BY id DESC LIMIT 1", (kind, key)).fetchone()
        if row:
            return _decode(row), True
        cur = con.execute("INSERT INTO jobs(kind, key, project_id, config, state, message, "
                          "heartbeat, created_at, created_by) VALUES (?,?,?,?,'queued',"
                          "'waiting for a worker',?,?,?)",
                          (kind, key, project_id, json.dumps(config), time.time(), now(),
                           who or whoami()))
        job_id = int(cur.lastrowid)
    _spawn(store, job_id)
    return get(store, job_id), False


def submit_run(store: Store, config: RunConfig, project_id: int | None = None,
               who: str | None = None, engine: dict | None = None) -> tuple[dict, bool]:
    """Submit a clustering run (a run already stored gives a finished job at once).

    The config is validated first (:meth:`RunConfig.validate`): a bad one raises
    ``InputError`` and nothing is queued. ``engine`` (:class:`~workspace.engines.
    EngineSettings` fields) says where a sampled run's chunks are assigned.
    """
    config.validate()
    if engine:
        from .engines import EngineSettings

        EngineSettings(**engine).validate()
    store.require(project_id, who, "run")
    key, _ = planned_key(config)
    if store.get_run(key):
        with store.transaction() as con:
            cur = con.execute(
                "INSERT INTO jobs(kind, key, project_id, config, state, fraction, message, "
                "created_at, created_by, started, finished, result) VALUES "
                "('run',?,?,?,'done',1,'reused an identical earlier run',?,?,?,?,?)",
                (key, project_id, json.dumps(config.to_dict()), now(), who or whoami(),
                 time.time(), time.time(), key))
        return get(store, int(cur.lastrowid)), False
    return submit(store, "run", key, {**config.to_dict(), **({"engine": engine} if engine
                                                             else {})}, project_id, who)


def submit_export(store: Store, run: dict, request: dict, who: str | None = None) -> dict:
    """Start an export in a worker (an image-folder zip of thousands of images takes
    minutes). ``request`` holds :func:`~workspace.exports.export_run`'s arguments:
    ``format``, ``out`` and optionally ``clusters``, ``ids``, ``reviewed_only``."""
    import uuid

    store.require(run.get("project_id"), who, "export")
    config = {"run_dir": str(run["path"]), "who": who, "clusters": None, "ids": None,
              "reviewed_only": False, **request, "out": str(request["out"])}
    job, _ = submit(store, "export", f"{run['key']}-{uuid.uuid4().hex[:8]}", config,
                    run.get("project_id"), who)
    return job


def submit_assign(store: Store, run: dict, request: dict, who: str | None = None) -> dict:
    """Start assigning a file of new rows to a run's clusters in a worker (the first
    assignment with a run fits its assigner). ``request`` holds
    :func:`~workspace.predict.assign_file`'s ``source`` and ``out`` and optionally its
    reading keywords (``drop_invalid``, ``fill_missing``, ...); ``run`` as the app's
    context gives it."""
    import uuid

    store.require(run.get("project_id"), who, "view")
    # a partitioned run's own folder, not the view the app draws (whose run.json reads the
    # drawn sample: without the id column, new rows would lose their ids)
    config = {"run_dir": str(run.get("whole_path") or run["path"]), **request,
              "source": str(request["source"]), "out": str(request["out"])}
    job, _ = submit(store, "assign", f"{run['key']}-{uuid.uuid4().hex[:8]}", config,
                    run.get("project_id"), who)
    return job


def submit_explain(store: Store, run: dict, who: str | None = None) -> tuple[dict, bool]:
    """Submit the explanations of a stored run."""
    return submit(store, "explain", run["key"], {"run_dir": str(run["path"])},
                  run.get("project_id"), who)


def max_workers() -> int:
    """Jobs allowed to run at once: ``$CLUSTERLAB_WORKERS`` or half the cores."""
    return max(1, int(os.environ.get("CLUSTERLAB_WORKERS") or (os.cpu_count() or 2) // 2))


THREAD_VARIABLES = ("CLUSTERLAB_TORCH_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS",
                    "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS")
"""The thread counts a worker is given (``CLUSTERLAB_TORCH_THREADS``: see
:func:`clustering.device.limit_cpu_threads`)."""


def worker_environment() -> dict[str, str]:
    """The environment of a worker process: this one's, with each job's share of the cores
    (``cores // max_workers()`` threads for torch, the BLAS libraries and numba's UMAP)
    where the environment does not set them already.

    Without it every job starts a thread per core: two ``auto`` fits at once on two cores
    took 874 s for one that takes 25 s alone.
    """
    threads = str(max(1, (os.cpu_count() or 1) // max_workers()))
    env = dict(os.environ)
    for name in THREAD_VARIABLES:
        env.setdefault(name, threads)
    return env


def _spawn(store: Store, job_id: int) -> None:
    log_path = store.root / "jobs" / f"{job_id}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with open(log_path, "ab") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "workspace.worker", str(job_id), "--store", str(store.root)],
            stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, cwd=REPO,
            env=worker_environment(), start_new_session=True)
    with store.transaction() as con:
        con.execute("UPDATE jobs SET pid=?, heartbeat=? WHERE id=? AND state='queued'",
                    (proc.pid, time.time(), job_id))
    log.info("job %d: worker pid %d", job_id, proc.pid)


def _alive(pid) -> bool:
    """Whether a worker process still runs (a finished child is reaped here)."""
    if not pid:
        return False
    try:
        os.kill(int(pid), 0)
    except (OSError, ValueError):
        return False
    try:
        waited, _ = os.waitpid(int(pid), os.WNOHANG)
        return waited == 0
    except ChildProcessError:  # not our child: started by an earlier app process
        return _is_worker(pid)


def _is_worker(pid) -> bool:
    """True when ``pid`` is a clusterlab worker (guards against reused pids)."""
    try:
        cmdline = Path(f"/proc/{int(pid)}/cmdline").read_bytes()
    except OSError:
        return sys.platform != "linux"  # no /proc to check: trust the signal
    return b"workspace.worker" in cmdline


def refresh(store: Store) -> int:
    """Mark active jobs whose worker is gone (or silent too long) as interrupted.

    Returns
    -------
    int
        How many jobs were marked.
    """
    stamp = time.time()
    marked = 0
    for row in store._query("SELECT id, pid, heartbeat, stage FROM jobs WHERE state IN "
                            "('queued','running')"):
        silent = row["heartbeat"] is not None and stamp - row["heartbeat"] > STALE_SECONDS
        if _alive(row["pid"]) and not silent:
            continue
        if row["pid"] is None and not silent:
            continue  # submitted a moment ago; its worker is being started
        if silent and _alive(row["pid"]):
            _signal(row["pid"], getattr(signal, "SIGKILL", signal.SIGTERM))  # Windows: no KILL
        reason = ("its worker stopped answering" if silent else
                  "its worker stopped before finishing (killed, crashed or the machine "
                  "restarted)")
        with store.transaction() as con:
            marked += con.execute(
                "UPDATE jobs SET state='interrupted', message=?, finished=? WHERE id=? AND "
                "state IN ('queued','running')",
                (f"interrupted during {row['stage'] or 'start-up'}: {reason}", stamp,
                 row["id"])).rowcount
    return marked


def _signal(pid, sig) -> None:
    if _is_worker(pid):
        try:
            os.kill(int(pid), sig)
        except OSError:
            pass


def cancel(store: Store, job_id: int) -> None:
    """Ask a job to stop: a queued job is cancelled at once, a running one is signalled and
    stops at its next check (its finished stages are kept for Resume)."""
    with store.transaction() as con:
        con.execute("UPDATE jobs SET cancel=1 WHERE id=?", (int(job_id),))
        con.execute("UPDATE jobs SET state='cancelled', message='cancelled before it started', "
                    "finished=? WHERE id=? AND state='queued'", (time.time(), int(job_id)))
    job = get(store, job_id)
    if job and job["state"] == "running":
        _signal(job["pid"], signal.SIGTERM)


def resume(store: Store, job_id: int) -> dict:
    """Start an interrupted, cancelled or failed job again from its last finished stage.

    Returns
    -------
    dict
        The job (unchanged when it was not resumable).
    """
    refresh(store)
    with store.transaction() as con:
        changed = con.execute(
            "UPDATE jobs SET state='queued', cancel=0, error=NULL, finished=NULL, fraction=0, "
            "message='resuming', attempts=attempts+1, pid=NULL, heartbeat=? WHERE id=? AND "
            "state IN ('interrupted','cancelled','failed')", (time.time(), int(job_id))).rowcount
    if changed:
        _spawn(store, int(job_id))
    return get(store, job_id)


def dismiss(store: Store, job_id: int) -> None:
    """Hide a job that will not be resumed and delete its kept stages."""
    import shutil

    with store.transaction() as con:
        con.execute("UPDATE jobs SET state='dismissed' WHERE id=? AND state IN "
                    "('interrupted','cancelled','failed')", (int(job_id),))
    job = get(store, job_id)
    if job and job["state"] == "dismissed":
        shutil.rmtree(checkpoint_dir(store, job), ignore_errors=True)


def duration_text(seconds: float) -> str:
    """``"40 s"`` below two minutes, else ``"3 min"``."""
    return f"{seconds:,.0f} s" if seconds < 120 else f"{seconds / 60:,.0f} min"


def eta_seconds(job: dict) -> float | None:
    """Seconds left in the job's current stage, from the pace measured inside it by the
    worker (:class:`workspace.worker.StageClock`); None until there is a basis."""
    if job["state"] != "running" or job.get("stage_ends") is None:
        return None
    return max(0.0, job["stage_ends"] - time.time())


def wait(store: Store, job_id: int, timeout: float = 600.0, on_progress=None,
         poll: float = 0.25) -> dict:
    """Block until a job leaves the active states (for the CLI, tests and the first start).

    Raises
    ------
    TimeoutError
        When it is still active after ``timeout`` seconds.
    """
    deadline = time.monotonic() + timeout
    while True:
        refresh(store)
        job = get(store, job_id)
        if job["state"] not in ACTIVE:
            return job
        if on_progress:
            on_progress(job)
        if time.monotonic() > deadline:
            raise TimeoutError(f"job {job_id} still {job['state']} after {timeout:.0f} s")
        time.sleep(poll)
