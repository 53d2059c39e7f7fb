"""Export: choose rows and a format, download the file, see its provenance."""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from clustering.errors import InputError
from ui import keys
from ui.common import open_run_page, who
from ui.job_panel import watch_file_job
from ui.safe_text import md
from workspace import jobs
from workspace.exports import (
    FORMATS,
    export_file_name,
    export_run,
    folder_export_allowed,
    fresh_export_dir,
)

FORMAT_NAMES = {"imagefolder": "folders (zip: a folder per label)"}
"""How the page names a format (the command line's name otherwise)."""

store, project, run, data, frame, table = open_run_page("Export")
names = dict(zip(table["cluster"], table["name"], strict=True))
if run.get("whole_path"):  # a partitioned run: the app holds the rows its map draws
    st.info(md(f"Exports here hold the {len(frame):,} rows the map shows; the cluster, "
               "confidence and map place of every row of this run are in "
               f"{run['whole_path']}/assignments.parquet."))

scope = st.radio("Rows", ["All points", "Chosen clusters", "Reviewed labels only",
                          "Current selection"], horizontal=True, key="scope")
clusters = ids = None
if scope == "Chosen clusters":
    clusters = st.multiselect("Clusters", table["cluster"].tolist(),
                              format_func=lambda c: f"{c} · {names[c]}", key="export_clusters")
elif scope == "Current selection":
    ids = st.session_state.get(keys.SELECTION) or []
    st.caption(f"{len(ids):,} points selected on the Explore page.")
formats = [f for f in FORMATS if f != "imagefolder" or folder_export_allowed(data)]
fmt = st.selectbox("Format", formats, format_func=lambda f: FORMAT_NAMES.get(f, f),
                   help="folders: a zip with one folder per label "
                   "holding each image or text file (texts from a table as .txt files), a "
                   "manifest and the provenance", key="format")

if st.button("Prepare export", type="primary", key="prepare_export"):
    suffix = ".zip" if fmt == "imagefolder" else f".{fmt}"
    out = fresh_export_dir(store.root, st.session_state.get(keys.EXPORT_FILE)) / \
        export_file_name(project["name"], run["key"], suffix)
    try:
        if scope == "Chosen clusters" and not clusters:
            raise InputError("Choose at least one cluster to export.")
        if scope == "Current selection" and not ids:
            raise InputError("Nothing is selected; draw a lasso on the Explore page first.")
        request = {"clusters": clusters, "ids": ids,
                   "reviewed_only": scope == "Reviewed labels only"}
        if fmt == "imagefolder":  # thousands of images take minutes: a background job
            job = jobs.submit_export(store, run, {**request, "format": fmt, "out": str(out)},
                                     who=who())
            st.session_state[keys.EXPORT_JOB] = job["id"]
            st.session_state[keys.EXPORT_FILE] = None
        else:
            prov = export_run(Path(run["path"]), fmt, out, store=store, who=who(),
                              dataset=data, **request)
            st.session_state[keys.EXPORT_FILE] = str(out)
            st.session_state[keys.EXPORT_PROVENANCE] = prov
    except InputError as exc:
        st.error(md(exc))


def _export_written(job: dict) -> None:
    out = Path(job["result"])
    st.session_state[keys.EXPORT_FILE] = str(out)
    st.session_state[keys.EXPORT_PROVENANCE] = json.loads(
        out.with_name(out.name + ".provenance.json").read_text())


if note := st.session_state.pop(keys.EXPORT_NOTE, None):
    st.error(md(note))
watch_file_job(store, keys.EXPORT_JOB, "Writing the zip", _export_written, keys.EXPORT_NOTE)

if st.session_state.get(keys.EXPORT_FILE) and Path(st.session_state[keys.EXPORT_FILE]).exists():
    out = Path(st.session_state[keys.EXPORT_FILE])
    prov = st.session_state[keys.EXPORT_PROVENANCE]
    st.success(f"{prov['rows']:,} rows ready in {out.name}.")
    st.download_button("Download " + out.name, out.read_bytes(), file_name=out.name,
                       type="primary", key="download")
    with st.expander("Provenance (also saved beside the file)", expanded=True):
        st.json(prov, expanded=False)
