"""Compare two runs of the project: figures side by side, a cross-table of their clusters,
and a button to open either."""

from __future__ import annotations

import streamlit as st

from clustering.errors import InputError
from workspace.compare import compare_runs

from . import keys
from .common import run_label
from .safe_text import md


def _open(key: str) -> None:
    st.session_state[keys.RUN_KEY] = key
    st.session_state[keys.SELECTION] = []


def compare_panel(store, runs: list[dict]) -> None:
    """Two run pickers (the shown run and the one before it by default) and what differs."""
    by_key = {r["key"]: r for r in runs}
    order = list(by_key)
    shown = st.session_state.get(keys.RUN_KEY)
    first = order.index(shown) if shown in by_key else 0
    c1, c2 = st.columns(2)
    a = c1.selectbox("First run", order, index=first, key="compare_a",
                     format_func=lambda k: run_label(by_key[k]))
    b = c2.selectbox("Second run", order, index=(first + 1) % len(order), key="compare_b",
                     format_func=lambda k: run_label(by_key[k]))
    if a == b:
        st.caption("Pick two different runs.")
        return
    try:
        result = compare_runs(store, by_key[a], by_key[b])
    except InputError as exc:
        st.error(md(exc))
        return
    st.dataframe(result.figures, width="stretch")
    st.markdown(f"The two clusterings agree with ARI **{result.ari:.2f}** and NMI "
                f"**{result.nmi:.2f}** (1 = the same groups) over {result.shared:,} points. "
                "Each cell below counts the points the first run puts in the row's cluster "
                "and the second in the column's.")
    st.dataframe(result.crosstab, width="stretch")
    o1, o2 = st.columns(2)
    o1.button("Open the first run", key="open_a", on_click=_open, args=(a,),
              disabled=a == shown)
    o2.button("Open the second run", key="open_b", on_click=_open, args=(b,),
              disabled=b == shown)
