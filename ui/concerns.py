"""What may be wrong with the shown run, each with a button that runs the fix."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from clustering.diagnostics import run_concerns
from clustering.errors import InputError
from clustering.pipeline import RunConfig
from workspace.jobs import submit_run
from workspace.runs import read_run

from . import keys
from .common import who
from .safe_text import md


def concerns_panel(store, run: dict, clusters) -> None:
    """A warning per concern (:func:`clustering.diagnostics.run_concerns`); its button
    queues the run with the fix and opens the Cluster page to follow it."""
    run_json = read_run(Path(run["path"]))
    sizes = clusters.loc[clusters["cluster"] >= 0, "size"].to_numpy()
    for i, concern in enumerate(run_concerns(run_json, sizes=sizes)):
        box = st.container(border=True)
        box.warning(md(concern.message), icon="⚠️")
        if concern.fix and box.button(concern.fix_label, key=f"fix-{run['key']}-{i}"):
            config = RunConfig(**{**run_json["config"], **concern.fix})
            try:
                job, _ = submit_run(store, config, run["project_id"], who=who())
            except InputError as exc:
                box.error(md(exc))
                continue
            st.session_state[keys.WATCHED_JOB] = job["id"]
            st.switch_page("app_pages/cluster.py")
