"""Data: upload a file or pick a demo, set column roles, read the validation report."""

from __future__ import annotations

import streamlit as st

from clustering.demos import DEMOS
from clustering.errors import DROP_INVALID_LABEL, FILL_MISSING_LABEL, InputError
from clustering.loaders import TABLE_SUFFIXES
from ui import keys
from ui.common import who
from ui.context import page_context
from ui.safe_text import md
from ui.uploads import (
    cell_annotations,
    cell_maps,
    folder_label_columns,
    guessed_text_column,
    holds_count_matrix,
    parsed_columns,
    parsed_dataset,
    saved_upload,
    zip_of_texts,
)
from ui.views import column_roles
from workspace.jobs import submit_run
from workspace.projects import DEMO_CONFIG, adopt_upload, config_for
from workspace.run_data import file_fingerprint

IMAGE_SIDES = [16, 24, 32, 48, 64, 96, 128]
"""Sides the image-size slider offers (``RunConfig.image_size`` takes 8-256)."""
LISTED_COLUMNS = 500
"""Tables of more columns (a count matrix of 20,000 genes) get no column chooser."""

store = page_context().store
st.title("Data")

unfinished = [p for p in store.projects() if not p["n_runs"]]
if unfinished:
    with st.expander(f"Projects without a finished run ({len(unfinished)})"):
        st.caption("Their first run failed, was cancelled or is still running; the app does "
                   "not open on them. Delete one to remove it with its jobs and uploaded file.")
        for p in unfinished:
            left, right = st.columns([5, 1])
            left.text(f"{p['name']} · {p['data']} · created {p['created_at'][:16]}")
            if right.button("Delete", key=f"delete-project-{p['id']}"):
                try:
                    store.delete_project(p["id"], who=who())
                except InputError as exc:
                    st.error(md(exc))
                else:
                    if st.session_state.get(keys.PROJECT_ID) == p["id"]:
                        st.session_state[keys.PROJECT_ID] = None
                    st.rerun()

source_kind = st.radio("Source", ["Upload a file", "Built-in demo"], horizontal=True,
                       key="source_kind")
path = None
if source_kind == "Upload a file":
    # no type= filter: the browser would refuse other files with only a MIME type in a
    # tooltip; saved_upload says in one sentence what clusterlab reads instead
    upload = st.file_uploader(
        "CSV (also .csv.gz), a .txt of one text per line, Excel (.xlsx), Parquet, JSON Lines, "
        ".npy embeddings or images, or a .zip of PNG/JPEG/WebP/AVIF/HEIC/TIFF/BMP/GIF or DICOM "
        "images, of text files (.txt, .md, .html; one document each, sub-folders as groups) or "
        "of a 10x count matrix (matrix.mtx, barcodes.tsv, features.tsv); single-cell .h5ad "
        "and Cell Ranger .h5",
        key="uploader")
    if upload is not None:
        try:
            path = saved_upload(upload)
        except InputError as exc:
            st.error(md(exc))
else:
    demo = st.selectbox("Demo", list(DEMOS), format_func=lambda d: f"demo:{d} — {DEMOS[d]}")
    path = f"demo:{demo}"

if path is None:
    st.stop()

settings = {}
is_table = str(path).lower().endswith(TABLE_SUFFIXES)
if str(path).lower().endswith(".npy"):
    settings["kind"] = st.selectbox(
        "Rows are", ["auto", "images"], key="npy_kind",
        help="auto: a 3-D or 4-D array is images, a 2-D one embeddings. images: also each row "
        "of a 2-D array the pixels of a square grey image (784 columns: 28 x 28)")
if is_table:
    try:
        choices = parsed_columns(str(path))
    except InputError as exc:
        st.error(md(exc))
        st.stop()
    none = "(none)"
    c1, c2, c3, c4 = st.columns(4)
    settings["kind"] = c1.selectbox("Rows are", ["auto", "table", "text", "embeddings", "series",
                                                 "images"],
                                    help="auto: text if a column holds long texts (short "
                                    "ones only beside fewer than 3 number columns); images if "
                                    "the columns are named like pixels (pixel0, px_3_4); else "
                                    "table or series. images: each row the pixels of a square "
                                    "grey image",
                                    key="kind")
    settings["label_column"] = c3.selectbox("Label column (ground truth, optional)",
                                            [none] + choices["label"], key="label_col")
    settings["id_column"] = c4.selectbox("Id column (optional)", [none] + choices["id"],
                                         key="id_col")
    guess = None
    if settings["kind"] in ("auto", "text"):
        guess = guessed_text_column(str(path), *(None if v == none else v for v in (
            settings["label_column"], settings["id_column"])), settings["kind"] == "auto")
    automatic = f"{guess} (picked automatically)" if guess else none
    settings["text_column"] = c2.selectbox(
        "Text column", [automatic] + choices["text"], key=f"text_col-{guess}",
        help="The column of texts to cluster; picked automatically when one holds long "
        "text")
    if settings["text_column"] == automatic:
        settings["text_column"] = none
    settings = {k: (None if v == none else v) for k, v in settings.items()}
    map_columns = st.multiselect(
        "Map columns (optional): x and y of a 2-D map the data already has", choices["map"],
        max_selections=2, key="map_cols",
        help="Used as the map instead of UMAP (as Embedding Atlas accepts precomputed "
        "projections) and left out of the features")
    if len(map_columns) == 1:
        st.warning("Pick a second map column (y), or none to let UMAP draw the map.")
    settings["map_columns"] = map_columns if len(map_columns) == 2 else None
    named = {settings["text_column"], settings["label_column"], settings["id_column"],
             *map_columns}
    ignored = st.multiselect("Ignore columns (left out altogether)",
                             [c for c in choices["all"] if c not in named], key="ignore_cols")
    settings["ignore_columns"] = ignored or None
if str(path).lower().endswith(".h5ad") and (annotations := cell_annotations(str(path))):
    truth = st.selectbox("Label column (ground truth, optional): a cell annotation",
                         ["(none)", *annotations], key="label_col")
    settings["label_column"] = None if truth == "(none)" else truth
if str(path).lower().endswith(".h5ad") and (maps := cell_maps(str(path))):
    drawn = "(a UMAP drawn by clusterlab)"
    chosen = st.selectbox("Map: a 2-D map the file carries, or one drawn here", [drawn, *maps],
                          key="h5ad_map",
                          help="The file's own map (scanpy's X_umap, X_tsne) keeps the cells "
                          "where earlier figures showed them; the clusters are found on the "
                          "genes either way")
    settings["map_columns"] = None if chosen == drawn else [f"{chosen}_1", f"{chosen}_2"]
zip_of_files = str(path).lower().endswith(".zip") and not holds_count_matrix(str(path))
if zip_of_files:
    try:
        truths = folder_label_columns(str(path))
    except InputError as exc:
        st.error(md(exc))
        st.stop()
    if truths:  # a table beside the files names them (train.csv: image_id,label)
        folders = "(the sub-folders)"
        truth = st.selectbox("Label column (ground truth, optional)", [folders, *truths],
                             key="folder_label_col",
                             help="A table in the zip names each file; one of its columns "
                             "can be their ground truth (for ACC/NMI/ARI and colouring)")
        settings["label_column"] = None if truth == folders else truth
if str(path).lower().endswith(".npy") or settings.get("kind") == "images" or (
        zip_of_files and not zip_of_texts(str(path))):
    side = st.select_slider(
        "Image size (pixels a side)", ["automatic", *IMAGE_SIDES], value="automatic",
        key="image_size",
        help="Images larger than 64 px, or of different sizes, are reduced to this for "
        "clustering and the map: larger keeps finer detail and takes longer. Automatic: "
        "from their size and number (96 up to 2,604 images, then 64, 48, 32)")
    settings["image_size"] = None if side == "automatic" else side
settings["drop_invalid"] = st.checkbox(f"{DROP_INVALID_LABEL} (instead of stopping)",
                                       key="drop_invalid")
settings["fill_missing"] = st.checkbox(f"{FILL_MISSING_LABEL} (each column's median; a "
                                       "signal's along its row) instead of stopping",
                                       key="fill_missing")
if str(path).lower().endswith(TABLE_SUFFIXES):
    settings["transpose"] = st.checkbox(
        "Rows are features: swap rows and columns", key="transpose",
        help="For a count matrix with a gene in each row and a sample in each column: the "
        "columns become the rows clustered. The identifier column names the column that "
        "names the rows; the ground truth is then a row's name")

try:
    data = parsed_dataset(str(path), settings)
    if data.modality == "table" and data.table.shape[1] > LISTED_COLUMNS:
        st.caption(f"Clustered on {data.feature_table().shape[1]:,} of its "
                   f"{data.table.shape[1]:,} columns, too many to choose from here (name "
                   "them with --feature-columns in the CLI).")
    elif data.modality == "table":  # which columns are clustered on: guessed, then chosen
        guessed = list(data.feature_table().columns)
        chosen = st.multiselect(
            "Cluster on these columns (features)", list(data.table.columns), default=guessed,
            key=f"feature_cols-{len(guessed)}-{'|'.join(guessed)[:200]}",
            help="Ids and categorical columns (a batch, a site) are left out by default: they "
            "would split every group; the others stay for colouring and export.")
        if not chosen:
            raise InputError("Choose at least one column to cluster on.")
        if chosen != guessed:
            settings["feature_columns"] = chosen
            data = parsed_dataset(str(path), settings)
except InputError as exc:
    st.error(md(exc))
    st.stop()
if is_table:
    read_as_text = guess if data.texts is not None and not settings["text_column"] else None
    st.dataframe(column_roles(choices["all"], {**settings, "text_column": settings["text_column"]
                                        or read_as_text}, data), hide_index=True,
                 column_config={"role": st.column_config.TextColumn("role", width="medium")})

what = {"table": "table rows", "images": "images", "text": "texts",
        "embeddings": "embedding rows", "series": "signals"}[data.modality]
truth = f", ground truth in '{md(data.label_name)}'" if data.labels is not None else ""
st.success(f"Read {data.n:,} {what} from **{md(data.name)}**{truth}.")
for note in data.notes:
    st.info(md(note))
if data.modality == "images":
    st.image([data.images[i] for i in range(min(12, data.n))], width=64,
             caption=[str(data.ids[i]) for i in range(min(12, data.n))])
elif data.texts is not None:
    st.dataframe({"id": data.ids[:20], "text": data.texts[:20]}, width="stretch")
else:
    st.dataframe(data.table.head(20), width="stretch")

left, right = st.columns([3, 1])
name = left.text_input("Project name", value=data.name, key="project_name")
expected = right.number_input(
    "Groups expected (0 = estimate)", 0, 200, 0, key="expected_k",
    help="If you know how many groups the data holds, say so: the first run then makes that "
    "many clusters. Left at 0, auto estimates it and says how"
    + (" (for images the estimate is often off)" if data.modality == "images" else ""))
if st.button("Create project and cluster it", type="primary", key="create_project"):
    path = adopt_upload(store, path)  # the upload enters the store with its project
    config = (DEMO_CONFIG if str(path) == DEMO_CONFIG.data and not expected else
              config_for(str(path), method="auto", clusters=int(expected) or None,
                         **{k: v for k, v in settings.items() if v}).validate())
    # bound to the data's sha256: a name taken by other data makes "NAME (2)"
    pid = store.create_project(name, str(path), who=who(), settings=settings,
                               fingerprint=file_fingerprint(str(path)))
    st.session_state[keys.PROJECT_ID] = pid
    job, _ = submit_run(store, config, pid, who=who())
    st.session_state[keys.WATCHED_JOB] = job["id"]
    st.session_state[keys.RUN_KEY] = None
    st.session_state[keys.SELECTION] = []
    st.switch_page("app_pages/cluster.py")
