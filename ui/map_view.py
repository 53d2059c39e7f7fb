"""The Explore map as a Streamlit component: WebGL points, lasso/box, tooltips, cluster names.

The JavaScript (``ui/map_component/map.js``) is built from ``ui/map_component/frontend`` with
esbuild and shipped as package data; nothing is fetched from the network. The payload format
is in :mod:`ui.map_payload`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from ui import keys
from ui.map_payload import (
    colour_points,
    encode_map,
    point_positions,
    prepare_points,
    selection_rows,
)

BUNDLE = Path(__file__).parent / "map_component" / "map.js"


@st.cache_resource(show_spinner=False)
def _component():
    return st.components.v2.component("clusterlab_map", js=BUNDLE.read_text(encoding="utf-8"))


@st.cache_resource(max_entries=4, show_spinner=False)
def _positions(run_key: str, n: int, _frame: pd.DataFrame, _images):
    """Positions, ids, hover lines and thumbnails of a run's map: the same for every
    review revision (a move changes clusters, not places)."""
    return point_positions(_frame, run_key=run_key, images=_images)


@st.cache_resource(max_entries=4, show_spinner=False)
def _points(run_key: str, revision: int, height: int, widget: str, _frame: pd.DataFrame,
            _images):
    """The colour-independent part of a map, shared by reruns and sessions (a review change
    is a new revision)."""
    return prepare_points(_frame, run_key=run_key, images=_images, height=height,
                          widget=widget, placed=_positions(run_key, len(_frame), _frame,
                                                           _images))


@st.cache_resource(max_entries=8, show_spinner=False)
def _prepared(run_key: str, revision: int, colour: str, shown: tuple, height: int, widget: str,
              _frame: pd.DataFrame, _images):
    """The selection-independent part of a map: a colouring of :func:`_points` (a colour
    change reuses the positions and codes)."""
    points = _points(run_key, revision, height, widget, _frame, _images)
    return colour_points(points, _frame, colour, list(shown))


def selected_rows_of(frame: pd.DataFrame, run_key: str) -> np.ndarray:
    """Rows of the session's selection (ids), remembered while the selection is unchanged."""
    ids = st.session_state.get(keys.SELECTION) or []
    cached = st.session_state.get(keys.SELECTION_ROWS)
    if cached and cached[0] is ids and cached[1] == run_key:
        return cached[2]
    rows = np.flatnonzero(frame["id"].isin(set(map(str, ids))).to_numpy()) if ids \
        else np.empty(0, np.int64)
    st.session_state[keys.SELECTION_ROWS] = (ids, run_key, rows)
    return rows


def select_rows(frame: pd.DataFrame, run_key: str, rows: np.ndarray) -> None:
    """Make ``rows`` of ``frame`` the session's selection."""
    ids = [str(i) for i in frame["id"].to_numpy()[rows]]
    st.session_state[keys.SELECTION] = ids
    st.session_state[keys.SELECTION_ROWS] = (ids, run_key, np.asarray(rows, np.int64))


def _ignore() -> None:
    """Streamlit needs a callback per reported value; the page reads the result instead."""


def map_selection(key: str, run_key: str, n: int) -> np.ndarray | None:
    """Rows the user selected on the map since the last rerun, or None.

    Read before the map is drawn, so that the rerun draws (and the page shows) the new
    selection rather than the one before it.
    """
    state = st.session_state.get(key)
    selection = state.get("selection") if isinstance(state, dict) else None
    seen_key = f"{key}-seen"
    if not isinstance(selection, dict) or selection.get("run") != run_key or \
            selection.get("token") == st.session_state.get(seen_key):
        return None
    st.session_state[seen_key] = selection.get("token")
    return selection_rows(selection, n)


def cluster_map(frame: pd.DataFrame, *, run_key: str, revision: int, colour: str,
                shown: list[str], selected_rows: np.ndarray | None, key: str,
                images: np.ndarray | None = None, height: int = 620) -> int | None:
    """Draw the map; the row of a point the user clicked, or None.

    Parameters
    ----------
    frame : DataFrame
        From :func:`ui.views.map_frame`, plus the colouring column.
    run_key : str
        The run drawn.
    revision : int
        Its review revision (``frame`` is the same for the same revision).
    colour : str
        ``cluster`` or a column of ``frame``.
    shown : list of str
        Cluster names to show; all when empty.
    selected_rows : ndarray, optional
        Rows drawn as selected (after :func:`map_selection` was applied).
    key : str
        Widget key (one per run).
    images : ndarray, optional
        Thumbnails for the tooltip.
    height : int
    """
    sent_key = f"{key}-holds"
    state = st.session_state.get(key) or {}
    missing = state.get("missing") if isinstance(state, dict) else None
    if missing and missing != st.session_state.get(f"{key}-missing"):
        st.session_state[f"{key}-missing"] = missing  # the page lost what it held: resend
        st.session_state.pop(sent_key, None)
    prepared = _prepared(run_key, revision, colour, tuple(sorted(shown)), height, key, frame,
                         images)
    payload = encode_map(prepared, selected_rows, st.session_state.get(sent_key))
    result = _component()(key=key, data=payload.data, height=height + 70,
                          on_selection_change=_ignore, on_missing_change=_ignore,
                          on_clicked_change=_ignore)
    st.session_state[sent_key] = payload.holds
    clicked = result.get("clicked")
    row = int(clicked["row"]) if isinstance(clicked, dict) and "row" in clicked else None
    return row if row is not None and 0 <= row < len(frame) else None


def plotly_map(frame: pd.DataFrame, *, colour: str, shown: list[str],
               selected_ids: list[str], key: str) -> np.ndarray | None:
    """The previous map (Plotly Scattergl with lasso), kept as the baseline that
    ``benchmarks/map_scale.py`` measures the WebGL map against (``CLUSTERLAB_MAP=plotly``).

    Returns the rows of a new selection, or None.
    """
    from ui.plots import map_figure

    view = frame[frame["cluster_name"].isin(shown)] if shown else frame
    state = st.session_state.get(key)
    drawn = bool(state and state.get("selection", {}).get("points"))
    fig = map_figure(view, color=colour, highlight=None if drawn else selected_ids)
    event = st.plotly_chart(fig, on_select="rerun", selection_mode=("box", "lasso", "points"),
                            key=key, width="stretch")
    points = (event or {}).get("selection", {}).get("points", []) if event else []
    rows = sorted({int(p["customdata"][0] if isinstance(p.get("customdata"), list)
                       else p["customdata"]) for p in points if p.get("customdata") is not None})
    return np.asarray(rows, np.int64) if rows else None


HTML_POINTS = 200_000
"""A standalone HTML map carries at most this many points (a seeded uniform sample)."""


def html_map(frame: pd.DataFrame, *, colour: str, shown: list[str], title: str) -> bytes:
    """The map as one self-contained HTML file (Plotly, its script inside: opens offline).

    Above :data:`HTML_POINTS` points a seeded uniform sample is drawn and the title says so.
    """
    from ui.plots import map_figure

    view = frame[frame["cluster_name"].isin(shown)] if shown else frame
    note = ""
    if len(view) > HTML_POINTS:
        keep = np.sort(np.random.default_rng(0).choice(len(view), HTML_POINTS, replace=False))
        note = f" (a uniform sample of {HTML_POINTS:,} of {len(view):,} points)"
        view = view.iloc[keep]
    fig = map_figure(view, color=colour)
    fig.update_layout(title={"text": f"{title}{note}"}, margin={"t": 50})
    return fig.to_html(include_plotlyjs=True, full_html=True).encode("utf-8")
