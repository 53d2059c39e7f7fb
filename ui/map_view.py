"""The Explore map as a Streamlit component: WebGL points, lasso/box, tooltips, cluster names.

The JavaScript (``ui/map_component/map.js``) is built from ``ui/map_component/frontend`` with
esbuild and shipped as package data; nothing is fetched from the network. The payload format
is in :mod:`ui.map_payload`.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from ui.map_payload import build_payload, selection_rows

BUNDLE = Path(__file__).parent / "map_component" / "map.js"


@st.cache_resource(show_spinner=False)
def _component():
    return st.components.v2.component("clusterlab_map", js=BUNDLE.read_text(encoding="utf-8"))


@dataclass(frozen=True)
class MapEvent:
    """What the user did on the map in this rerun."""

    selected_rows: np.ndarray | None
    """Rows the user just selected (lasso or box), or None when the selection did not change."""
    clicked_row: int | None
    """Row of the point the user clicked, or None."""


def _ignore() -> None:
    """Streamlit needs a callback per reported value; the page reads the result instead."""


def cluster_map(frame: pd.DataFrame, *, run_key: str, colour: str, shown: list[str],
                selected_rows: np.ndarray | None, key: str,
                images: np.ndarray | None = None, height: int = 620) -> MapEvent:
    """Draw the map and report a new selection or a clicked point.

    Parameters
    ----------
    frame : DataFrame
        From :func:`ui.views.map_frame`, plus the colouring column.
    run_key : str
        The run drawn.
    colour : str
        ``cluster`` or a column of ``frame``.
    shown : list of str
        Cluster names to show; all when empty.
    selected_rows : ndarray, optional
        Rows drawn as selected.
    key : str
        Widget key (one per run).
    images : ndarray, optional
        Thumbnails for the tooltip.
    height : int
    """
    sent_key, seen_key = f"{key}-holds", f"{key}-seen"
    state = st.session_state.get(key) or {}
    missing = state.get("missing") if isinstance(state, dict) else None
    if missing and missing != st.session_state.get(f"{key}-missing"):
        st.session_state[f"{key}-missing"] = missing  # the page lost the positions: resend
        st.session_state.pop(sent_key, None)
    payload = build_payload(frame, run_key=run_key, colour=colour, shown=shown,
                            selected_rows=selected_rows,
                            browser_holds=st.session_state.get(sent_key), images=images,
                            height=height, widget=key)
    result = _component()(key=key, data=payload.data, height=height + 70,
                          on_selection_change=_ignore, on_missing_change=_ignore,
                          on_clicked_change=_ignore)
    st.session_state[sent_key] = payload.pos_key
    selection = result.get("selection")
    rows = None
    if isinstance(selection, dict) and selection.get("run") == run_key and \
            selection.get("token") != st.session_state.get(seen_key):
        st.session_state[seen_key] = selection.get("token")
        rows = selection_rows(selection, len(frame))
    clicked = result.get("clicked")
    row = int(clicked["row"]) if isinstance(clicked, dict) and "row" in clicked else None
    return MapEvent(rows, row if row is not None and 0 <= row < len(frame) else None)
