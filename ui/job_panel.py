"""The background-jobs panel: stage, progress, time left, Cancel, Resume (polled each second)."""

from __future__ import annotations

import streamlit as st

from workspace import jobs

from . import keys
from .safe_text import md


def describe(job: dict) -> str:
    """One line naming what a job computes."""
    if job["kind"] == "explain":
        return f"explanations of run {job['key']}"
    if job["kind"] == "assign":
        return f"new rows of {job['config']['source'].rsplit('/', 1)[-1]} assigned with run " \
            f"{job['key'].rsplit('-', 1)[0]}"
    if job["kind"] == "export":
        return f"{job['config']['format']} export of run {job['key'].rsplit('-', 1)[0]}"
    cfg = job["config"]
    text = f"{cfg['method']} on {cfg['data'].rsplit('/', 1)[-1]} (seed {cfg['seed']})"
    if cfg.get("sample"):
        engine = (cfg.get("engine") or {}).get("engine", "local")
        text += f", fitted on {cfg['sample']:,} rows, chunks assigned on {engine}"
    return text


def _eta_text(job: dict) -> str:
    left = jobs.eta_seconds(job)
    if job["state"] != "running":
        return ""
    if left is None:
        return " · estimating the time left…"
    later = " (then the later stages)" if _stage_place(job)[0] < _stage_place(job)[1] else ""
    return f" · about {jobs.duration_text(left)} left in this stage{later}"


def _stage_place(job: dict) -> tuple[int, int]:
    """(number of the current stage, stages in all); (1, 1) for a one-stage job."""
    from clustering.pipeline import STAGES

    if job["kind"] != "run" or job["stage"] not in STAGES:
        return 1, 1
    return STAGES.index(job["stage"]) + 1, len(STAGES)


def _active(store, job: dict) -> None:
    number, stages = _stage_place(job)
    stage = md(job["stage"] or "waiting")
    if stages > 1:
        stage = f"stage {number} of {stages}, {stage}"
    text = f"**{md(describe(job))}** — {stage}: {md(job['message'])}"
    st.progress(min(max(float(job["fraction"]), 0.0), 1.0), text=text + _eta_text(job))
    if st.button("Cancel", key=f"cancel-{job['id']}"):
        jobs.cancel(store, job["id"])
        st.rerun()


def _stopped(store, job: dict) -> None:
    what = {"interrupted": "was interrupted", "cancelled": "was cancelled",
            "failed": "failed"}[job["state"]]
    body = f"**{md(describe(job))}** {what}: {md(job['error'] or job['message'])}"
    if job["state"] == "failed":
        st.error(body)
    else:
        st.warning(body + " — Resume continues from the last finished stage.")
    c1, c2, _ = st.columns([1, 1, 4])
    if c1.button("Resume", key=f"resume-{job['id']}", type="primary"):
        jobs.resume(store, job["id"])
        st.session_state[keys.WATCHED_JOB] = job["id"]
        st.rerun()
    if c2.button("Dismiss", key=f"dismiss-{job['id']}"):
        jobs.dismiss(store, job["id"])
        st.rerun()


def _finished(store, project_id: int) -> None:
    """Switch this session to the run its watched job produced, once."""
    watched = st.session_state.get(keys.WATCHED_JOB)
    job = jobs.get(store, watched) if watched else None
    if not job or job["state"] in jobs.ACTIVE or job["project_id"] != project_id:
        return
    st.session_state[keys.WATCHED_JOB] = None
    if job["state"] == "done" and job["kind"] == "run":
        st.session_state[keys.RUN_KEY] = job["result"]
        st.session_state[keys.SELECTION] = []
        st.session_state[keys.JOB_NOTE] = f"Finished: {describe(job)} — now shown."
        st.rerun(scope="app")


def job_panel(store, project_id: int) -> None:
    """Jobs of a project that run or wait for a decision; refreshes itself while any run."""
    note = st.session_state.pop(keys.JOB_NOTE, None)
    if note:
        st.success(note)
    listed = [j for j in jobs.list_jobs(store, project_id)
              if j["state"] in (*jobs.ACTIVE, *jobs.RESUMABLE)]
    if not listed and not st.session_state.get(keys.WATCHED_JOB):
        return
    running = any(j["state"] in jobs.ACTIVE for j in listed)

    @st.fragment(run_every=1.0 if running else None)
    def panel() -> None:
        _finished(store, project_id)
        current = [j for j in jobs.list_jobs(store, project_id)
                   if j["state"] in (*jobs.ACTIVE, *jobs.RESUMABLE)]
        if any(j["state"] in jobs.ACTIVE for j in current) != running:
            st.rerun(scope="app")  # start or stop polling
        for job in current:
            (_active if job["state"] in jobs.ACTIVE else _stopped)(store, job)

    st.subheader("Background jobs")
    panel()


def watch_file_job(store, job_key: str, what: str, on_done, note_key: str) -> None:
    """Progress and Cancel of the worker writing a file for this session (its job id in
    ``st.session_state[job_key]``), polled each second.

    When the job ends: ``on_done(job)`` if it is done, else a sentence saying how it ended
    is kept under ``note_key`` for the page to show and the job is dismissed (clicking
    again starts it anew); then the whole page reruns.
    """
    job_id = st.session_state.get(job_key)
    if not job_id:
        return

    @st.fragment(run_every=1.0)
    def watch() -> None:
        job = jobs.get(store, job_id)
        if job["state"] in jobs.ACTIVE:
            st.progress(min(max(float(job["fraction"]), 0.0), 1.0),
                        text=f"{what}: {md(job['message'])}")
            if st.button("Cancel", key=f"cancel-{job_key}"):
                jobs.cancel(store, job_id)
            return
        st.session_state.pop(job_key, None)
        if job["state"] == "done":
            on_done(job)
        else:
            what_ended = describe(job)
            st.session_state[note_key] = f"{what_ended[:1].upper()}{what_ended[1:]} " \
                f"{job['state']}: {job['error'] or job['message']}"
            jobs.dismiss(store, job_id)  # said here: not offered for Resume on the Cluster page
        st.rerun(scope="app")

    watch()
