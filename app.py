"""clusterlab: explore, explain, review and export clusters (Streamlit entry point)."""

from __future__ import annotations

import logging

import streamlit as st

from clustering.errors import InputError
from pages.common import ensure_current, run_label

log = logging.getLogger("clusterlab.app")
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
st.set_page_config(page_title="clusterlab", page_icon=":material/bubble_chart:", layout="wide")

for key, value in {"project_id": None, "run_key": None, "selection": [],
                   "selection_run": None, "who": ""}.items():
    st.session_state.setdefault(key, value)

try:
    store, project, run = ensure_current()
except InputError as exc:
    st.error(str(exc))
    st.stop()

with st.sidebar:
    st.markdown("### clusterlab")
    projects = store.projects()
    ids = [p["id"] for p in projects]
    chosen = st.selectbox("Project", ids, index=ids.index(project["id"]),
                          format_func=lambda i: next(p["name"] for p in projects if p["id"] == i),
                          key="project_picker")
    if chosen != project["id"]:
        st.session_state["project_id"] = chosen
        st.session_state["run_key"] = None
        st.rerun()
    runs = store.runs(project["id"])
    if runs:
        keys = [r["key"] for r in runs]
        picked = st.selectbox("Run", keys, index=keys.index(st.session_state["run_key"]),
                              format_func=lambda k: run_label(next(r for r in runs
                                                                   if r["key"] == k)),
                              key="run_picker")
        if picked != st.session_state["run_key"]:
            st.session_state["run_key"] = picked
            st.session_state["selection"] = []
            st.rerun()
    st.text_input("Your name (for the audit trail)", key="who", placeholder="e.g. Dr. Ana Ruiz")

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
