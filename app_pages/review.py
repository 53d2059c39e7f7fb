"""Review: name, accept/reject, merge, split, move the selection, label points, undo."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from clustering.errors import InputError
from ui import keys
from ui.common import edit_args, open_run_page, who
from ui.members import member_browser
from ui.safe_text import md
from workspace.explanations import load_point_ambiguity
from workspace.review import merge_clusters, move_points, split_cluster
from workspace.store import ConflictError

store, project, run, data, frame, table = open_run_page("Review")
key, path = run["key"], run["path"]
point_ambiguity = load_point_ambiguity(path)
if point_ambiguity is not None and len(point_ambiguity) == len(frame):
    frame["ambiguity"] = point_ambiguity
    per_cluster = frame.groupby("cluster")["ambiguity"].mean()
    table["ambiguity"] = table["cluster"].map(per_cluster)
    table = table.sort_values("ambiguity", ascending=False).reset_index(drop=True)


def act(fn, done: str, reset: tuple[str, ...] = ()) -> None:
    """Run one review change; report errors plainly; rerun so counts follow.

    On a conflict with another session, the widgets in ``reset`` drop what was typed so
    the page shows the other session's values, with the conflict explained above them.
    """
    try:
        fn()
    except ConflictError as exc:
        for widget in reset:
            st.session_state.pop(widget, None)
        st.session_state[keys.REVIEW_ERROR] = str(exc)
        st.rerun()
    except InputError as exc:
        st.error(md(exc))
        return
    st.toast(md(done))
    st.rerun()


if note := st.session_state.pop(keys.REVIEW_ERROR, None):
    st.error(md(note))


top = st.columns([4, 1])
top[0].dataframe(table, hide_index=True, width="stretch", height=260,
                 column_config={"suggested": st.column_config.CheckboxColumn(
                     "proposed name", help="Proposed from the data; not yet accepted")})
if top[1].button("↶ Undo last change", width="stretch", key="undo"):
    undone = store.undo_last(key, who=who(), session=edit_args()["session"])
    st.toast(f"Undid: {undone['action']}" if undone else "Nothing to undo")
    st.rerun()

ids = table["cluster"].tolist()
names = dict(zip(table["cluster"], table["name"], strict=True))
cluster = st.selectbox("Cluster", ids, format_func=lambda c: f"{c} · {names[c]}",
                       key="review_cluster")
row = table[table["cluster"] == cluster].iloc[0]
proposed = table[table["suggested"]]
if len(proposed):
    hint = st.columns([4, 1])
    hint[0].caption(f"{len(proposed)} cluster name(s) are proposals (from keywords, the "
                    "columns or the visible features that set each cluster apart), shown "
                    "until a reviewer accepts or edits them. Save a cluster to accept its "
                    "name, or accept them all.")
    if hint[1].button("Accept all proposed names", key="accept_names", width="stretch"):
        def accept_all() -> None:
            for c, proposal in zip(proposed["cluster"], proposed["name"], strict=True):
                store.set_cluster(key, int(c), name=proposal, who=who(), **edit_args())

        act(accept_all, f"Accepted {len(proposed)} proposed name(s)")

with st.expander(f"What cluster {cluster} holds ({int(row['size']):,} points)"):
    member_browser(data, np.flatnonzero(frame["cluster"].to_numpy() == cluster),
                   key=f"preview-{cluster}")

c1, c2 = st.columns(2)
with c1.form("name_form"):
    new_name = st.text_input("Name", value=row["name"], key=f"name-{cluster}")
    status = st.radio("Status", ["unreviewed", "accepted", "rejected"], horizontal=True,
                      index=["unreviewed", "accepted", "rejected"].index(row["status"]))
    notes = st.text_area("Notes", value=row["notes"] or "")
    if st.form_submit_button("Save", type="primary", key="save_cluster"):
        # a proposed name is not stored yet: saving it unchanged accepts it
        shown = {"name": None if row["suggested"] else row["name"], "status": row["status"],
                 "notes": row["notes"] or ""}
        changed = {f: v for f, v in (("name", new_name.strip() or None), ("status", status),
                                     ("notes", notes)) if v is not None and v != shown[f]}
        act(lambda: store.set_cluster(key, int(cluster), who=who(), **changed, **edit_args()),
            f"Saved cluster {cluster}" if changed else "Nothing changed",
            reset=(f"name-{cluster}",))
with c2:
    others = [c for c in ids if c != cluster]
    target = st.selectbox("Merge this cluster into", others,
                          format_func=lambda c: f"{c} · {names[c]}", key="merge_target")
    if st.button("Merge", disabled=not others, key="merge"):
        act(lambda: merge_clusters(store, key, path, int(cluster), int(target), who=who(),
                                   **edit_args()),
            f"Merged {cluster} into {target}")
    parts = st.number_input("Split into parts", 2, 10, 2, key="split_parts")
    if st.button("Split (re-cluster its members)", key="split"):
        act(lambda: split_cluster(store, key, path, int(cluster), int(parts), who=who(),
                                  **edit_args()),
            f"Split cluster {cluster}")

if "ambiguity" in frame:
    with st.expander("Review queue: the most ambiguous points", expanded=False):
        queue = frame[frame["cluster"] >= 0].nlargest(50, "ambiguity")[
            ["id", "cluster_name", "ambiguity", "confidence", "hover"]]
        st.dataframe(queue, hide_index=True, width="stretch")
        if st.button("Select these 50 points", key="select_queue"):
            st.session_state[keys.SELECTION] = queue["id"].astype(str).tolist()
            st.rerun()
else:
    st.caption("The review queue appears once explanations are computed (Explore → "
               "Cluster card).")

st.divider()
selection = st.session_state.get(keys.SELECTION) or []
st.subheader(f"Current selection: {len(selection):,} points")
if not selection:
    st.caption("Select points with the lasso on the Explore page to move or label them.")
else:
    s1, s2 = st.columns(2)
    with s1.form("move_form"):
        dest = st.selectbox("Move to", ["new cluster"] + ids,
                            format_func=lambda c: c if c == "new cluster" else
                            f"{c} · {names[c]}", key="move_target")
        dest_name = st.text_input("Name of the new cluster", key="new_cluster_name")
        if st.form_submit_button("Move selection", key="move"):
            act(lambda: move_points(store, key, path, selection,
                                    None if dest == "new cluster" else int(dest),
                                    new_name=dest_name.strip() or None, who=who(),
                                    **edit_args()),
                f"Moved {len(selection)} points")
    with s2.form("label_form"):
        point_label = st.text_input("Label for each selected point", key="point_label")
        if st.form_submit_button("Label selection", key="label"):
            act(lambda: store.label_points(key, selection, label=point_label.strip() or None,
                                           who=who(), **edit_args()),
                f"Labelled {len(selection)} points")

with st.expander("Audit trail"):
    log = store.audit_log(key, limit=50, brief=True)
    st.dataframe(pd.DataFrame([{"when": e["at"][:19], "who": e["who"], "what": e["action"],
                                "detail": str({k: v for k, v in e["detail"].items()
                                               if k not in ("before", "ids")})[:120]}
                               for e in log]), hide_index=True, width="stretch")
