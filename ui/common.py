"""UI-edge helpers shared by the pages: cached store and data, the run page header, the
explanations panel, the reviewer's name."""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from workspace.isolated_load import load_isolated
from workspace.store import Store, default_root

from . import keys
from .safe_text import md


@st.cache_resource
def _store_at(root: str) -> Store:
    return Store(root)


def get_store() -> Store:
    """The store of this server ($CLUSTERLAB_HOME or ~/.clusterlab), opened once per folder,
    with the deployment's role policy when sign-in is configured."""
    from .auth import access_policy

    store = _store_at(str(default_root()))
    store.access = access_policy()
    return store


@st.cache_resource(max_entries=8, show_spinner="Reading the data…")
def get_dataset(source: str, settings_json: str, fingerprint: str = ""):
    """Load data once per server (read-only, shared between sessions); ``fingerprint``
    (the content's sha256, when known) makes new content a new cache entry. Images and
    large files are read in a separate memory-capped process (:mod:`workspace.isolated_load`)."""
    s = json.loads(settings_json)
    return load_isolated(source, s.get("kind") or "auto", text_column=s.get("text_column"),
                         label_column=s.get("label_column"), id_column=s.get("id_column"),
                         drop_invalid=bool(s.get("drop_invalid")),
                         fill_missing=bool(s.get("fill_missing")),
                         transpose=bool(s.get("transpose")),
                         map_columns=s.get("map_columns"), image_size=s.get("image_size"),
                         feature_columns=s.get("feature_columns"),
                         ignore_columns=s.get("ignore_columns"))


def _run_data_args(run: dict, project: dict) -> tuple[str, str, str]:
    """Where a run's data is (checked against the sha256 the run was computed on), the
    run's own column roles, and that sha256: what :func:`get_dataset` takes."""
    from pathlib import Path

    from workspace.run_data import run_roles, run_source
    from workspace.runs import read_run

    run_json = read_run(Path(run["path"]))
    return (run_source(run_json, project["data"]),
            json.dumps(run_roles(run_json["config"]), sort_keys=True), run_json["data"]["sha256"])



def open_run_page(title: str, data_later: bool = False):
    """Title, current project and run, its data, map frame and cluster table.

    Stops the page with a hint when the project has no run yet.

    Parameters
    ----------
    title : str
    data_later : bool
        Return a function that reads the data (once per server) instead of the data: the
        map frame of a large table does not need it, so the map can be drawn first.

    Returns
    -------
    store, project, run, data, frame, table
    """
    from .context import page_context
    from .views import cluster_table

    context = page_context()
    store, project, run = context.store, context.project, context.run
    st.title(title)
    if run is None:
        st.info("This project has no clustering yet. Open **Cluster** to run one.")
        st.stop()
    if run.get("whole_path") == run["path"]:  # partitioned, no view to draw: figures only
        partitioned_summary(run)
        st.stop()
    data_args = _run_data_args(run, project)  # the run's own data and roles, checked
    revision = _remember_revision(store, run["key"])
    frame = _cached_map_frame(run["key"], str(run["path"]), revision, *data_args)
    # pages add columns to their frame; a shallow copy keeps the shared one unchanged
    frame = frame.copy(deep=False)
    data = (lambda: get_dataset(*data_args)) if data_later else get_dataset(*data_args)
    return store, project, run, data, frame, cluster_table(frame, store, run["key"])


def partitioned_summary(run: dict) -> None:
    """What a run fitted on a sample and assigned in chunks holds (its rows are not loaded
    into the page: there can be tens of millions)."""
    import pandas as pd
    import pyarrow.dataset as ds

    from workspace.runs import read_run

    rj = read_run(Path(run["path"]))
    part = rj["partitioned"]
    st.info(f"This run assigned **{rj['data']['rows']:,}** rows in {part['chunks']} chunks "
            f"({part.get('engine', 'local')}), after fitting {rj['method']} on "
            f"{part['sample_rows']:,} rows drawn by id hash. The map and review of such runs "
            "are not drawn in the app yet; every row's cluster, confidence and map place "
            f"are in `{run['path']}/assignments.parquet` (a folder of parts that "
            "`pandas.read_parquet` reads whole).")
    table = ds.dataset(Path(run["path"]) / "assignments.parquet").to_table(columns=["cluster"])
    sizes = pd.Series(table.column(0).to_numpy()).value_counts().sort_index()
    m = rj.get("metrics") or {}
    cols = st.columns(4)
    cols[0].metric("Rows", f"{rj['data']['rows']:,}")
    cols[1].metric("Clusters", int((sizes.index >= 0).sum()))
    cols[2].metric("Map fit R²", rj.get("map_fit", {}).get("map_r2_held_out"))
    if "acc" in m:
        cols[3].metric("ACC (all rows)", f"{m['acc']:.3f}")
    st.dataframe(pd.DataFrame({"cluster": sizes.index, "rows": sizes.to_numpy()}),
                 hide_index=True)


@st.cache_resource(max_entries=6, show_spinner=False)
def _cached_map_frame(run_key: str, run_path: str, revision: int, source: str,
                      settings_json: str, fingerprint: str):
    """The map frame of a run at one review revision, shared read-only by sessions (no
    per-rerun copy or unpickling). A review change makes a new revision, so it is never
    stale."""
    from .views import map_frame

    return map_frame(get_store(), run_key, run_path,
                     lambda: get_dataset(source, settings_json, fingerprint))


def _remember_revision(store, run_key: str) -> int:
    """Keep the review revision this render shows, and the one the previous render showed
    (what the user looked at when they clicked), for :func:`edit_args`."""
    shown = st.session_state.setdefault(keys.SHOWN_REVISION, {})
    st.session_state[keys.CLICKED_ON_REVISION] = shown.get(run_key)
    shown[run_key] = store.revision(run_key)
    return shown[run_key]


def shown_revision(run_key: str) -> int:
    """The review revision this render shows of ``run_key`` (set by :func:`open_run_page`)."""
    return st.session_state.get(keys.SHOWN_REVISION, {}).get(run_key, 0)


def edit_args() -> dict:
    """``seen`` and ``session`` for review changes: a change that collides with another
    session's change made after what this page showed is reported, not written."""
    import uuid

    session = st.session_state.setdefault(keys.SESSION_ID, uuid.uuid4().hex[:12])
    return {"seen": st.session_state.get(keys.CLICKED_ON_REVISION), "session": session}


def explanations_panel(store, run, data):
    """Explanations of the run if ready; otherwise start the worker process and show its
    progress (refreshed every second) without blocking the rest of the page."""
    from pathlib import Path

    from workspace import jobs
    from workspace.explanations import ensure_explanations, explanations_ready

    path = Path(run["path"])
    if explanations_ready(path):
        return ensure_explanations(path, store)
    last = next((j for j in jobs.list_jobs(store, run.get("project_id"))
                 if j["kind"] == "explain" and j["key"] == run["key"]), None)
    if last and last["state"] in jobs.RESUMABLE:
        st.error(f"Explanations were not computed ({last['state']}): "
                 f"{md(last['error'] or last['message'])}")
        if not st.button("Try again", key="retry_explain"):
            return None
        jobs.resume(store, last["id"])
    else:
        last, _ = jobs.submit_explain(store, run, who=who())

    @st.fragment(run_every=1.0)
    def watch() -> None:
        now = jobs.get(store, last["id"])
        if explanations_ready(path) or now["state"] not in jobs.ACTIVE:
            st.rerun()
        st.progress(float(now["fraction"]), text="Explaining the clusters in the background: "
                    f"{md(now['message'])}")

    watch()
    return None


def who() -> str:
    """Who acts: the signed-in identity when sign-in is configured (it cannot be typed),
    otherwise the reviewer name typed in the sidebar."""
    from .auth import identity, sign_in_required

    if sign_in_required():
        return identity() or ""
    return st.session_state.get(keys.WHO) or "anonymous"


def run_label(run: dict) -> str:
    """Short label for a run: method, k, metrics."""
    m = run.get("metrics") or {}
    cfg = run["config"]
    bits = [cfg["method"], f"k={m.get('n_clusters', '?')}", f"seed {cfg['seed']}"]
    if m.get("acc") is not None:
        bits.append(f"ACC {m['acc']:.2f}")
    return " · ".join(bits) + f" · {run['created_at'][:16].replace('T', ' ')}"
