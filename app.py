"""clusterlab: explore, explain, review and export clusters (Streamlit entry point).

Each rerun resolves the current store, project and run once (:mod:`ui.context`) and hands
them to the page it runs.
"""

from __future__ import annotations

import logging

import streamlit as st

from clustering.errors import InputError
from ui import keys
from ui.common import run_label
from ui.context import resolve_context

log = logging.getLogger("clusterlab.app")
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
st.set_page_config(page_title="clusterlab", page_icon=":material/bubble_chart:", layout="wide")

for key, value in keys.DEFAULTS.items():
    st.session_state.setdefault(key, value)

try:
    context = resolve_context()
except InputError as exc:
    st.error(str(exc))
    st.stop()
store, project = context.store, context.project

with st.sidebar:
    st.markdown("### clusterlab")
    projects = store.projects()
    ids = [p["id"] for p in projects]
    chosen = st.selectbox("Project", ids, index=ids.index(project["id"]),
                          format_func=lambda i: next(p["name"] for p in projects if p["id"] == i),
                          key="project_picker")
    if chosen != project["id"]:
        st.session_state[keys.PROJECT_ID] = chosen
        st.session_state[keys.RUN_KEY] = None
        st.rerun()
    runs = store.runs(project["id"])
    if runs:
        run_keys = [r["key"] for r in runs]
        picked = st.selectbox("Run", run_keys,
                              index=run_keys.index(st.session_state[keys.RUN_KEY]),
                              format_func=lambda k: run_label(next(r for r in runs
                                                                   if r["key"] == k)),
                              key="run_picker")
        if picked != st.session_state[keys.RUN_KEY]:
            st.session_state[keys.RUN_KEY] = picked
            st.session_state[keys.SELECTION] = []
            st.rerun()
    st.text_input("Your name (for the audit trail)", key=keys.WHO,
                  placeholder="e.g. Dr. Ana Ruiz")

pages = [
    st.Page("pages/explore.py", title="Explore", icon=":material/scatter_plot:", default=True),
    st.Page("pages/data.py", title="Data", icon=":material/upload_file:"),
    st.Page("pages/cluster.py", title="Cluster", icon=":material/tune:"),
    st.Page("pages/review.py", title="Review", icon=":material/fact_check:"),
    st.Page("pages/export.py", title="Export", icon=":material/download:"),
]
try:
    st.navigation(pages).run()
except InputError as exc:
    st.error(str(exc))
except Exception:  # noqa: BLE001 - the page must never show a traceback
    log.exception("page failed")
    st.error("Something went wrong on this page; the details are in the server log. Your "
             "stored work is safe: try again, or pick another run in the sidebar.")
