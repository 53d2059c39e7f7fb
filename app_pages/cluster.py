"""Cluster: choose representation, method and its few parameters; run; switch runs."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from clustering.clusterers import METHODS
from clustering.errors import InputError
from clustering.features import REPRESENTATIONS
from ui import keys
from ui.common import run_label, who
from ui.compare_view import compare_panel
from ui.context import page_context
from ui.engine_panel import engine_settings
from ui.job_panel import job_panel
from ui.safe_text import code, md
from ui.views import RUN_FORM_KEYS, auto_choice_table, run_form_defaults
from workspace.jobs import submit_run
from workspace.projects import config_for
from workspace.runs import read_run

context = page_context()
store, project, run = context.store, context.project, context.run
st.title("Cluster")
st.caption(f"Project **{md(project['name'])}** · data {code(project['data'])}")

sample, engine = engine_settings()
# the form starts from the shown run's settings (again when another run is shown)
shown_key = run["key"] if run is not None else None
if st.session_state.get(keys.RUN_FORM_OF) != shown_key:
    for widget in RUN_FORM_KEYS:
        st.session_state.pop(widget, None)
    st.session_state[keys.RUN_FORM_OF] = shown_key
start = run_form_defaults(run["config"] if run is not None else None)
DEVICES = ["auto", "cpu", "cuda"]
with st.form("run_form"):
    if run is not None:
        st.caption("Filled in with the shown run's settings; change any and run.")
    c1, c2 = st.columns(2)
    rep = c1.selectbox("Representation", list(REPRESENTATIONS),
                       index=list(REPRESENTATIONS).index(start["rep"]),
                       format_func=lambda r: f"{r} — {REPRESENTATIONS[r]}",
                       help="How rows become numbers before clustering", key="rep")
    method = c2.selectbox("Method", list(METHODS), index=list(METHODS).index(start["method"]),
                          format_func=lambda m: f"{m} — {METHODS[m].summary}", key="method")
    c3, c4, c5, c6 = st.columns(4)
    k = c3.number_input("Clusters (0 = choose automatically)", 0, 200, min(start["k"], 200),
                        help="Every method but the HDBSCAN ones, which find k themselves. With 0 "
                             "the method estimates k and the run's notes say how.",
                        key="k")
    mcs = c4.number_input("Min cluster size (0 = automatic)", 0, 100000, min(start["mcs"], 100000),
                          help="HDBSCAN methods: the smallest group that counts as a cluster",
                          key="mcs")
    seed = c5.number_input("Seed", 0, 2**31 - 1, start["seed"], help="Same seed, same result",
                           key="seed")
    device = c6.selectbox("Device", DEVICES, index=DEVICES.index(start["device"]),
                          help="auto uses a GPU when there is one", key="device")
    d1, d2 = st.columns(2)
    epochs = d1.number_input("Training epochs for deep methods (0 = method default)", 0, 2000,
                             min(start["epochs"], 2000), key="epochs",
                             help="DEC/IDEC: autoencoder epochs; SCAN: "
                             "epochs per view; SeLa/P²OT: self-labelling epochs")
    imbalanced = d2.checkbox("Clusters may be very different in size", key="imbalanced",
                             help="With transport self-labelling, use P²OT (partial, "
                             "size-aware) instead of SeLa's equal-size pseudo-labels")
    submitted = st.form_submit_button("Run", type="primary", key="run")

if submitted:
    if imbalanced and method == "sela":
        method = "p2ot"
    config = config_for(project["data"], representation=rep, method=method, clusters=int(k),
                        epochs=int(epochs) or None,
                        min_cluster_size=int(mcs), seed=int(seed), device=device,
                        **{key: project["settings"].get(key) for key in
                           ("kind", "text_column", "label_column", "id_column",
                            "map_columns", "feature_columns", "ignore_columns",
                           "image_size")
                           if project["settings"].get(key)},
                        drop_invalid=bool(project["settings"].get("drop_invalid")),
                        fill_missing=bool(project["settings"].get("fill_missing")),
                        transpose=bool(project["settings"].get("transpose")),
                        sample=sample)
    try:
        job, attached = submit_run(store, config, project["id"], who=who(), engine=engine)
    except InputError as exc:  # e.g. a viewer's role does not allow runs
        st.error(md(exc))
    else:
        st.session_state[keys.WATCHED_JOB] = job["id"]
        if attached:
            st.info("The same run is already being computed; showing its progress.")

job_panel(store, project["id"])
if run is not None and st.session_state.get(keys.RUN_KEY) == run["key"]:
    shown_run = read_run(Path(run["path"]))
    for note in shown_run.get("notes", []):
        st.info(md(note))
    choice = shown_run.get("fit_info", {}).get("auto")
    if choice:
        with st.expander(f"How auto chose **{choice['winner']}**"):
            st.caption(f"Criterion: {choice['criterion']}. Higher is better; the UMAP + "
                       "k-means baseline always takes part.")
            st.dataframe(auto_choice_table(choice), hide_index=True)

st.subheader("Runs of this project")
runs = store.runs(project["id"])
if not runs:
    st.info("No runs yet.")
for r in runs:
    m = r.get("metrics") or {}
    cols = st.columns([5, 1])
    current = " (shown)" if r["key"] == st.session_state.get(keys.RUN_KEY) else ""
    cols[0].markdown(f"**{run_label(r)}**{current}  \n"
                     f"silhouette {m.get('silhouette') or float('nan'):.3f} · noise "
                     f"{m.get('noise_share', 0):.1%} · {r['timings'].get('total', 0):.1f} s")
    if cols[1].button("Show", key=f"show-{r['key']}", disabled=bool(current)):
        st.session_state[keys.RUN_KEY] = r["key"]
        st.session_state[keys.SELECTION] = []
        st.rerun()

if len(runs) > 1:
    with st.expander("Compare two runs"):
        compare_panel(store, runs)

if store.access is not None:  # sign-in configured: who may do what on this project
    with st.expander("People and roles"):
        members = store.members(project["id"])
        st.caption("viewer: look and export · reviewer: also review and run · admin: also "
                   "manage people and the project. Everyone signed in is a "
                   f"{store.access.default_role} unless listed here.")
        if members:
            st.dataframe([{"person": u, "role": r} for u, r in sorted(members.items())],
                         hide_index=True)
        with st.form("member_form"):
            c1, c2 = st.columns([3, 1])
            person = c1.text_input("E-mail (as they sign in)", key="member_email")
            role = c2.selectbox("Role", ["viewer", "reviewer", "admin", "remove"],
                                key="member_role")
            if st.form_submit_button("Save", key="member_save"):
                try:
                    store.set_member(project["id"], person,
                                     None if role == "remove" else role, who=who())
                except InputError as exc:
                    st.error(md(exc))
                else:
                    st.rerun()
