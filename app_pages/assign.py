"""Assign: new rows get the shown run's clusters, confidences and map places."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import streamlit as st

from clustering.errors import InputError
from ui import keys
from ui.common import who
from ui.context import page_context
from ui.job_panel import watch_file_job
from ui.plots import assigned_figure
from ui.safe_text import code, md
from ui.uploads import saved_upload
from workspace import jobs
from workspace.exports import export_file_name, fresh_export_dir
from workspace.predict import SUMMARY
from workspace.review import cluster_name
from workspace.runs import load_assignments

PREVIEW_ROWS = 200
"""Rows of the assigned file the page shows (the download holds them all)."""

context = page_context()
store, project, run = context.store, context.project, context.run
st.title("Assign")
if run is None:
    st.info("This project has no clustering yet. Open **Cluster** to run one.")
    st.stop()
st.caption(f"New rows of the kind this run clustered ({code(project['data'])}) get its "
           "clusters, with their reviewed names, a confidence and a place on its map, from "
           "the run's frozen assigner (the first assignment with a run fits it). The run "
           "and its review do not change.")

upload = st.file_uploader(
    "New rows in the run's data format: a table with its columns, texts (or a .zip of text "
    "files), .npy embeddings of its width, or images (a .zip of them)", key="assign_uploader")
c1, c2, c3 = st.columns(3)
drop = c1.checkbox("Leave out rows with NaN/inf", key="assign_drop",
                   help="Otherwise such rows stop the assignment with a message naming them.")
fill = c2.checkbox("Fill empty numeric cells", key="assign_fill",
                   help="With the run's own column means.")
fmt = c3.radio("File", ["csv", "parquet"], horizontal=True, key="assign_format")

if st.button("Assign", type="primary", key="assign", disabled=upload is None):
    try:
        source = saved_upload(upload)
        out = fresh_export_dir(store.root, st.session_state.get(keys.ASSIGN_FILE)) / \
            export_file_name(project["name"], run["key"], f"-assigned.{fmt}")
        job = jobs.submit_assign(store, run, {"source": source, "out": out,
                                              "drop_invalid": drop, "fill_missing": fill},
                                 who=who())
        st.session_state[keys.ASSIGN_JOB] = job["id"]
        st.session_state[keys.ASSIGN_FILE] = None
    except InputError as exc:
        st.error(md(exc))


def _assigned(job: dict) -> None:
    st.session_state[keys.ASSIGN_FILE] = job["result"]


if note := st.session_state.pop(keys.ASSIGN_NOTE, None):
    st.error(md(note))
watch_file_job(store, keys.ASSIGN_JOB, "Assigning the new rows", _assigned, keys.ASSIGN_NOTE)

if st.session_state.get(keys.ASSIGN_FILE) and Path(st.session_state[keys.ASSIGN_FILE]).exists():
    out = Path(st.session_state[keys.ASSIGN_FILE])
    summary = json.loads(Path(str(out) + SUMMARY).read_text(encoding="utf-8"))
    if summary["run"] != run["key"]:
        st.caption(f"Assigned with run {code(summary['run'][:8])}, not the one shown.")
    for line in summary["notes"]:
        st.info(md(line))
    confidence = summary["mean_confidence"]
    st.success(f"{summary['rows']:,} rows of {md(summary['source'])} assigned to "
               f"{len(summary['clusters'])} clusters"
               + ("" if confidence is None else f" (mean confidence {confidence:.2f})") + ".")
    st.download_button("Download " + out.name, out.read_bytes(), file_name=out.name,
                       type="primary", key="download_assigned")
    frame = (pd.read_csv(out, dtype={"id": str}) if out.suffix == ".csv"
             else pd.read_parquet(out))
    left, right = st.columns([1, 2])
    left.dataframe(pd.DataFrame({"cluster": list(summary["clusters"]),
                                 "rows": list(summary["clusters"].values())}),
                   hide_index=True, key="assigned_counts")
    right.dataframe(frame.head(PREVIEW_ROWS), hide_index=True, key="assigned_rows")
    if summary["rows"] > PREVIEW_ROWS:
        right.caption(f"The first {PREVIEW_ROWS} of {summary['rows']:,} rows; the download "
                      "holds them all.")
    # (a partitioned run without a drawn view may hold tens of millions of rows: no map)
    if summary["run"] == run["key"] and run.get("whole_path") != run["path"]:
        st.subheader("Where they fall on the run's map")
        assigned, named = load_assignments(Path(run["path"])), store.clusters(run["key"])
        order = [cluster_name(c, named) for c in assigned["cluster"].value_counts().index
                 if c >= 0]  # the map's colours go to clusters by size, noise grey
        st.plotly_chart(assigned_figure(assigned[["x", "y"]], frame, order), key="assigned_map")
