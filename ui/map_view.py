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

from ui.map_payload import build_payload, selection_rows

BUNDLE = Path(__file__).parent / "map_component" / "map.js"


@st.cache_resource(show_spinner=False)
def _component():
    return st.components.v2.component("clusterlab_map", js=BUNDLE.read_text(encoding="utf-8"))


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


def cluster_map(frame: pd.DataFrame, *, run_key: str, colour: str, shown: list[str],
                selected_rows: np.ndarray | None, key: str,
                images: np.ndarray | None = None, height: int = 620) -> int | None:
    """Draw the map; the row of a point the user clicked, or None.

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
    clicked = result.get("clicked")
    row = int(clicked["row"]) if isinstance(clicked, dict) and "row" in clicked else None
    return row if row is not None and 0 <= row < len(frame) else None
