"""An upload is saved and parsed once, not on every rerun of the Data page.

It is staged outside the store until a project is made from it (see
:func:`workspace.projects.stage_upload`). The staged path holds its content hash
(``<sha256>/<name>``), so caching by path is caching by content.
"""

from __future__ import annotations

import json
from pathlib import Path

import streamlit as st

from clustering.tables import read_table
from workspace.projects import stage_upload

from .common import get_dataset
from .safe_text import md

__all__ = ["cell_annotations", "folder_label_columns", "guessed_text_column", "holds_count_matrix",
           "parsed_columns", "parsed_dataset", "saved_upload", "zip_of_texts"]

_SAVED = "saved_uploads"
"""Session key: uploader file id -> saved path."""


def saved_upload(upload) -> str:
    """Stage a ``st.file_uploader`` file once per upload (by its file id); its path."""
    saved = st.session_state.setdefault(_SAVED, {})
    if upload.file_id not in saved:
        saved.clear()  # one upload at a time: do not keep paths of replaced files
        # hashing and writing take about 5 s a GiB: say so rather than sit still
        with st.spinner(f"Saving {md(upload.name)} ({upload.size / 2**20:,.1f} MiB)…",
                        show_time=True):
            saved[upload.file_id] = str(stage_upload(upload.name, upload.getvalue()))
    return saved[upload.file_id]


@st.cache_data(max_entries=8, show_spinner="Reading the file…")
def parsed_columns(path: str) -> dict[str, list[str]]:
    """Column names of a saved table (read once per file content) to offer for each role.

    ``"all"``: the file's order; ``"label"``, ``"id"``, ``"text"``, ``"map"``: those that
    could hold the role first in a wide table (:func:`clustering.role_columns.role_choices`).
    """
    from clustering.role_columns import role_choices

    frame = read_table(Path(path))
    return {"all": [str(c) for c in frame.columns],
            **{role: role_choices(frame, role) for role in ("label", "id", "text", "map")}}


@st.cache_data(max_entries=8, show_spinner=False)
def guessed_text_column(path: str, label_column: str | None, id_column: str | None,
                        prefer_table: bool = True) -> str | None:
    """The column clusterlab reads as text when none is chosen (None: it is a table);
    ``prefer_table`` False when the rows were said to be texts."""
    from clustering.text_column_guess import guess_text_column

    return guess_text_column(read_table(Path(path)), {label_column, id_column}, prefer_table)


@st.cache_data(max_entries=8, show_spinner=False)
def zip_of_texts(path: str) -> bool:
    """Whether a saved zip holds text files and no image (it is read as texts)."""
    from clustering.text_folders import reads_as_texts

    return reads_as_texts(Path(path))


@st.cache_data(max_entries=8, show_spinner=False)
def folder_label_columns(path: str) -> list[str]:
    """The columns of a table beside a zip's files that could be their ground truth."""
    from clustering.folder_tables import label_table_columns

    return label_table_columns(Path(path))


@st.cache_data(max_entries=8, show_spinner=False)
def holds_count_matrix(path: str) -> bool:
    """Whether a saved zip holds a 10x count matrix (read as a table of cells, with no image
    or label-table settings); True for a broken one too, whose reading then says why."""
    from clustering.errors import InputError
    from clustering.matrix_market import find_10x

    try:
        return find_10x(Path(path)) is not None
    except InputError:
        return True


@st.cache_data(max_entries=8, show_spinner=False)
def cell_annotations(path: str) -> list[str]:
    """The cell annotations of a saved ``.h5ad`` (its label column choices)."""
    from clustering.hdf5_counts import annotation_columns

    return annotation_columns(Path(path))


def cell_maps(path: str) -> list[str]:
    """The 2-D maps a saved ``.h5ad`` carries (``X_umap``...): the map's choices."""
    from clustering.hdf5_counts import map_names

    return map_names(Path(path))


def parsed_dataset(path: str, settings: dict):
    """The Dataset of a saved upload or demo with these column roles (parsed once per file
    content and roles, shared read-only)."""
    return get_dataset(path, json.dumps(settings, sort_keys=True))
