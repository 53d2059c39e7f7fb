"""The store, project and run one rerun shows: computed once in ``app.py``, read by pages."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from workspace.projects import bootstrap_demo
from workspace.store import Store

from . import keys
from .common import get_store
from .safe_text import md

__all__ = ["PageContext", "page_context", "resolve_context"]


@dataclass(frozen=True)
class PageContext:
    """What this rerun shows.

    Parameters
    ----------
    store : Store
        The server's project store.
    project : dict
        The current project.
    run : dict or None
        The current run of the project (None before its first run).
    """

    store: Store
    project: dict
    run: dict | None


def resolve_context() -> PageContext:
    """Find the current project and run.

    A new session opens on the last project anyone looked at that has a finished run,
    else the newest such project, else the demo (prepared on first use).
    """
    store = get_store()
    projects = {p["id"]: p for p in store.projects()}
    _follow_link(store, projects)
    pid = st.session_state.get(keys.PROJECT_ID)
    if pid not in projects:
        pid = store.opening_project()
        if pid is None:
            bar = st.progress(0.0, text="Preparing the demo project (digits)…")
            pid, _ = bootstrap_demo(store, progress=lambda f, m: bar.progress(
                min(max(f, 0.0), 1.0), text=m))
            bar.empty()
            projects = {p["id"]: p for p in store.projects()}
        st.session_state[keys.PROJECT_ID] = pid
    if st.session_state.get(keys.OPENED_PROJECT) != pid:  # one write per project switch
        store.touch_project(pid)
        st.session_state[keys.OPENED_PROJECT] = pid
    runs = store.runs(pid)
    run_keys = [r["key"] for r in runs]
    if st.session_state.get(keys.RUN_KEY) not in run_keys:
        st.session_state[keys.RUN_KEY] = run_keys[0] if run_keys else None
    run = next((r for r in runs if r["key"] == st.session_state[keys.RUN_KEY]), None)
    if run is not None:
        run = _view_of(run)
    _show_link(projects[pid], run)
    return PageContext(store, projects[pid], run)


def _follow_link(store: Store, projects: dict) -> None:
    """Open the project and run a ``?project=NAME&run=KEY`` link names (once per link)."""
    name, key = st.query_params.get("project"), st.query_params.get("run")
    if not name or st.session_state.get(keys.LINK_SEEN) == (name, key):
        return
    st.session_state[keys.LINK_SEEN] = (name, key)
    match = next((p for p in projects.values() if p["name"] == name), None)
    if match is None:
        st.warning(f"The link names a project that is not in this store "
                   f"({md(name)}); showing another one.")
        return
    st.session_state[keys.PROJECT_ID] = match["id"]
    if key:
        if key in {r["key"] for r in store.runs(match["id"])}:
            st.session_state[keys.RUN_KEY] = key
        else:
            st.warning(f"The link's run ({md(key)}) is not one of this project's "
                       "runs; showing its newest run.")
    st.session_state[keys.SELECTION] = []


def _show_link(project: dict, run: dict | None) -> None:
    """Keep the address bar a link to what is shown (a reviewer can share it)."""
    link = (project["name"], run["key"] if run else None)
    if (st.query_params.get("project"), st.query_params.get("run")) != link:
        st.query_params.clear()
        st.query_params["project"] = link[0]
        if link[1]:
            st.query_params["run"] = link[1]
    st.session_state[keys.LINK_SEEN] = link


def _view_of(run: dict) -> dict:
    """A partitioned run is shown through its view (the rows its map draws); ``whole_path``
    keeps the run's own folder. Without a view (images) the pages show its figures only."""
    from pathlib import Path

    from clustering.errors import InputError
    from workspace.partitioned_view import ensure_view, is_partitioned

    if not is_partitioned(Path(run["path"])):
        return run
    try:
        with st.spinner("Preparing the map of this run (once)…"):
            return {**run, "path": str(ensure_view(Path(run["path"]))),
                    "whole_path": run["path"]}
    except InputError:
        return {**run, "whole_path": run["path"]}


def page_context() -> PageContext:
    """The context ``app.py`` computed for this rerun (resolved here when a page runs on
    its own, as ``AppTest.switch_page`` runs it)."""
    return st.session_state.get(keys.CONTEXT) or resolve_context()
