"""Background jobs with real worker processes: attach, cancel, kill, interrupted, resume."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path

import numpy as np
import pytest

from clustering.pipeline import RunConfig, run_pipeline
from workspace import jobs
from workspace.runs import load_clustering
from workspace.store import Store


def wait_for(condition, timeout: float = 120.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_each_worker_gets_its_share_of_the_cores(monkeypatch):
    """Jobs at once share the cores: torch, BLAS and numba threads per worker are the cores
    divided by the jobs allowed at once, unless the user set them."""
    for name in jobs.THREAD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setattr(os, "cpu_count", lambda: 16)
    monkeypatch.setenv("CLUSTERLAB_WORKERS", "4")
    env = jobs.worker_environment()
    assert all(env[name] == "4" for name in jobs.THREAD_VARIABLES)
    monkeypatch.setenv("CLUSTERLAB_WORKERS", "32")  # more jobs than cores: one thread each
    assert jobs.worker_environment()["NUMBA_NUM_THREADS"] == "1"
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # the user's own setting stands
    assert jobs.worker_environment()["OMP_NUM_THREADS"] == "3"


@pytest.mark.slow
def test_submit_runs_in_worker_and_identical_submit_attaches(isolated_store):
    store = Store(isolated_store)
    pid = store.create_project("iris", "demo:iris")
    config = RunConfig(data="demo:iris", method="kmeans", clusters=3)
    job, attached = jobs.submit_run(store, config, pid, who="ana")
    again, attached_again = jobs.submit_run(store, config, pid, who="ben")
    assert not attached and attached_again and again["id"] == job["id"]
    assert job["pid"] != os.getpid()
    done = jobs.wait(store, job["id"], timeout=120)
    assert done["state"] == "done" and done["fraction"] == 1.0, done
    assert store.get_run(done["result"])["metrics"]["ari"] > 0.6
    assert not jobs.checkpoint_dir(store, done).exists()
    share = jobs.worker_environment()["CLUSTERLAB_TORCH_THREADS"]
    log_text = (Path(isolated_store) / "jobs" / f"{job['id']}.log").read_text()
    assert f"threads per library: {share}" in log_text
    reused, attached = jobs.submit_run(store, config, pid)
    assert reused["state"] == "done" and reused["result"] == done["result"] and not attached
    assert len([j for j in jobs.list_jobs(store) if j["state"] == "done"]) == 2


@pytest.mark.slow
def test_bad_input_fails_the_job_with_the_plain_sentence(isolated_store, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("a,b\n1,x\n2,3\n" + "4,5\n" * 30)
    store = Store(isolated_store)
    job, _ = jobs.submit_run(store, RunConfig(data=str(bad)), None)
    done = jobs.wait(store, job["id"], timeout=120)
    assert done["state"] == "failed" and "column 'b'" in done["error"], done
    assert store.runs() == []


def _deep_job(store, epochs: int = 60):
    config = RunConfig(data="demo:digits", method="dec", clusters=10, epochs=epochs)
    job, _ = jobs.submit_run(store, config, store.create_project("d", "demo:digits"))
    return config, job


@pytest.mark.slow
def test_cancel_stops_a_running_deep_job_and_keeps_finished_stages(isolated_store):
    store = Store(isolated_store)
    _, job = _deep_job(store, epochs=2000)
    wait_for(lambda: jobs.get(store, job["id"])["stage"] == "cluster", what="training")
    jobs.cancel(store, job["id"])
    done = jobs.wait(store, job["id"], timeout=60)
    assert done["state"] == "cancelled", done
    kept = jobs.checkpoint_dir(store, done)
    assert (kept / "features").is_dir() and store.runs() == []


@pytest.mark.slow
def test_killed_worker_is_marked_interrupted_and_resumes_from_its_checkpoint(isolated_store):
    """SIGKILL mid-training; the next look marks the job interrupted; Resume continues from
    the saved epoch and ends with exactly the result of an uninterrupted run."""
    store = Store(isolated_store)
    config, job = _deep_job(store, epochs=60)
    checkpoint = wait_for(lambda: next(jobs.checkpoint_dir(store, job).rglob(
        "autoencoder.pt"), None), what="the first checkpoint")
    running = jobs.get(store, job["id"])
    os.kill(running["pid"], signal.SIGKILL)
    wait_for(lambda: jobs.get(store, job["id"])["state"] != "running" or
             jobs.refresh(store), timeout=30, what="the job to be marked")
    assert jobs.get(store, job["id"])["state"] == "interrupted"
    assert checkpoint.exists() and store.runs() == []

    resumed = jobs.resume(store, job["id"])
    assert resumed["state"] in jobs.ACTIVE and resumed["attempts"] == 1
    done = jobs.wait(store, job["id"], timeout=300)
    assert done["state"] == "done", done
    log = (store.root / "jobs" / f"{job['id']}.log").read_text()
    assert "reusing the finished stage 'features'" in log
    epoch = int(log.split("resumed autoencoder.pt at epoch ")[1].split()[0])
    assert 0 < epoch < 60
    stored = load_clustering(Path(store.get_run(done["result"])["path"]))
    fresh = run_pipeline(config).clustering
    np.testing.assert_array_equal(stored.labels, fresh.labels)


@pytest.mark.slow
def test_resume_is_refused_for_a_finished_job(isolated_store):
    store = Store(isolated_store)
    job, _ = jobs.submit_run(store, RunConfig(data="demo:iris", clusters=3), None)
    jobs.wait(store, job["id"], timeout=120)
    assert jobs.resume(store, job["id"])["state"] == "done"


@pytest.mark.parametrize("state", ["queued", "running"])
def test_a_job_whose_worker_vanished_is_interrupted(isolated_store, state):
    """A job left active by an app that was killed with its worker (pid no longer alive)."""
    store = Store(isolated_store)
    with store.transaction() as con:
        con.execute("INSERT INTO jobs(kind, key, config, state, pid, heartbeat, created_at, "
                    "created_by) VALUES ('run','k','{}',?,?,?,'t','x')",
                    (state, 2**22 + 12345, time.time()))
    assert jobs.refresh(store) == 1
    job = jobs.list_jobs(store)[0]
    assert job["state"] == "interrupted" and "stopped before finishing" in job["message"]


@pytest.mark.slow
def test_explain_in_the_cli_and_in_a_worker_give_identical_saliency(tmp_path, isolated_store):
    """Saliency draws from a generator seeded by the run's seed alone, so the worker process
    (other imports, other random draws before) writes what ``--explain`` wrote. A deep run:
    its saliency runs through the model, with no surrogate training that reseeds torch."""
    from helpers import tiny_table
    from workspace.cli import main
    from workspace.explanations import EXPLANATIONS

    data = tiny_table(tmp_path / "d")
    out = tmp_path / "out"
    assert main(["run", "--data", str(data), "--id-column", "item", "--label-column",
                 "group", "--method", "sela", "--epochs", "5", "--clusters", "3", "--explain",
                 "--out", str(out)]) == 0
    cli = json.loads((out / EXPLANATIONS).read_text())
    store = Store()
    run = store.runs()[0]
    (Path(run["path"]) / EXPLANATIONS).unlink()
    job, _ = jobs.submit_explain(store, run)
    assert jobs.wait(store, job["id"], timeout=300)["state"] == "done"
    worker = json.loads((Path(run["path"]) / EXPLANATIONS).read_text())
    for a, b in zip(cli["clusters"], worker["clusters"], strict=True):
        assert a["saliency"] == b["saliency"]


def test_time_left_follows_the_pace_measured_in_the_current_stage(isolated_store):
    """#12 item 5: SCAN on 500 images took 328 s while the estimate said 4 s (the whole
    job's elapsed time against its weighted fraction). Now: the pace of the current stage
    after its first step (which carries set-up work), applied to what is left of it."""
    from clustering.pipeline import stage_span
    from workspace.worker import Reporter

    store = Store(isolated_store)
    with store.transaction() as con:
        job_id = con.execute(
            "INSERT INTO jobs (kind, key, config, state, created_at, created_by, started) "
            "VALUES ('run', 'k', '{}', 'running', 'now', 'test', ?)", (time.time(),)).lastrowid
    now = [0.0]
    report = Reporter(store, job_id, stage_span, clock=lambda: now[0])
    for fraction in np.linspace(0.0, 0.4, 9)[:-1]:  # load, features, neighbours: 3 s
        now[0] += 0.4
        report(float(fraction), "…")
    epochs = 50
    report(0.4, "cluster...")
    now[0] += 20.0  # first epoch: 20 s with the set-up
    report(0.4 + 0.3 / epochs, f"epoch 1/{epochs}")
    for epoch in range(2, 11):  # then 6 s an epoch
        now[0] += 6.0
        report(0.4 + 0.3 * epoch / epochs, f"epoch {epoch}/{epochs}")
    job = jobs.get(store, job_id)
    assert job["stage"] == "cluster"
    left = jobs.eta_seconds(job)
    assert left is not None and 0.9 * 40 * 6 <= left <= 1.1 * 40 * 6, left
    now[0] += 6.0
    report(0.7, "map...")  # a new stage: no estimate until its own pace is measured
    assert jobs.eta_seconds(jobs.get(store, job_id)) is None
