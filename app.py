"""clusterlab: explore, explain, review and export clusters (Streamlit entry point).

Each rerun resolves the current store, project and run once (:mod:`ui.context`) and hands
them to the page it runs.
"""

from __future__ import annotations

import logging
from pathlib import Path

import streamlit as st

from clustering.errors import InputError
from ui import keys
from ui.auth import sign_in_gate, sign_in_required
from ui.common import run_label
from ui.context import resolve_context
from ui.safe_text import md

log = logging.getLogger("clusterlab.app")
ASSETS = Path(__file__).parent / "assets"
logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
# a local icon: a ":material/..." icon would be fetched from fonts.gstatic.com
st.set_page_config(page_title="clusterlab", page_icon=str(ASSETS / "logo.png"), layout="wide")

for key, value in keys.DEFAULTS.items():
    st.session_state.setdefault(key, value)
sign_in_gate()  # with sign-in configured, nothing below is shown to a signed-out visitor

try:
    context = resolve_context()
except InputError as exc:
    st.error(md(exc))
    st.stop()
st.session_state[keys.CONTEXT] = context  # for this rerun's page (removed at the end)
store, project = context.store, context.project



def _project_picked() -> None:
    st.session_state[keys.PROJECT_ID] = st.session_state[keys.PROJECT_PICKER]
    st.session_state[keys.RUN_KEY] = None
    st.session_state[keys.SELECTION] = []


def _name_typed() -> None:
    st.session_state[keys.WHO] = st.session_state[keys.WHO_BOX].strip()


def _run_picked() -> None:
    st.session_state[keys.RUN_KEY] = st.session_state[keys.RUN_PICKER]
    st.session_state[keys.SELECTION] = []


with st.sidebar:
    st.markdown("### clusterlab")
    projects = store.projects()
    # the pickers show the session's current project and run (set by any page); choosing
    # in them changes that state before the rerun, so there is one source of truth
    st.session_state[keys.PROJECT_PICKER] = project["id"]
    names = {p["id"]: p["name"] + ("" if p["n_runs"] else " · no run yet") for p in projects}
    st.selectbox("Project", list(names), key=keys.PROJECT_PICKER, format_func=names.get,
                 on_change=_project_picked)
    runs = store.runs(project["id"])
    if context.run is not None:
        st.session_state[keys.RUN_PICKER] = context.run["key"]
        st.selectbox("Run", [r["key"] for r in runs], key=keys.RUN_PICKER,
                     format_func=lambda k: run_label(next(r for r in runs if r["key"] == k)),
                     on_change=_run_picked)
    if not sign_in_required():  # signed in, "who" is the identity and cannot be typed
        st.session_state[keys.WHO_BOX] = st.session_state[keys.WHO]
        st.text_input("Your name (for the audit trail)", key=keys.WHO_BOX,
                      placeholder="e.g. Dr. Ana Ruiz", on_change=_name_typed)

# the default page is served at "/" and only reserves its own address ("start", which
# nothing links to); "/explore", as "/data" opens Data, said "Page not found" before
explore = st.Page("app_pages/explore.py", title="Explore", icon=":material/scatter_plot:",
                  url_path="start", default=True)


def _to_explore() -> None:
    """``/explore`` opens Explore at ``/``."""
    st.switch_page(explore, query_params=st.query_params.to_dict())


pages = [
    explore,
    st.Page("app_pages/data.py", title="Data", icon=":material/upload_file:"),
    st.Page("app_pages/cluster.py", title="Cluster", icon=":material/tune:"),
    st.Page("app_pages/review.py", title="Review", icon=":material/fact_check:"),
    st.Page("app_pages/export.py", title="Export", icon=":material/download:"),
    st.Page("app_pages/assign.py", title="Assign", icon=":material/move_to_inbox:"),
    st.Page(_to_explore, title="Explore", url_path="explore", visibility="hidden"),
]
try:
    st.navigation(pages).run()
except InputError as exc:
    st.error(md(exc))
except Exception:  # noqa: BLE001 - the page must never show a traceback
    log.exception("page failed")
    st.error("Something went wrong on this page; the details are in the server log. Your "
             "stored work is safe: try again, or pick another run in the sidebar.")
finally:
    # the context belongs to this rerun only (st.stop and st.rerun pass through here too)
    st.session_state.pop(keys.CONTEXT, None)
