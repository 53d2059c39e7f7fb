"""Every member of a selection or a cluster: search within them and page through."""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import streamlit as st

from workspace.search import matching

from .safe_text import md

PAGE_SIZES = {"images": 24, "text": 20, "table": 50}
"""Members per page by modality (tables and embeddings: rows)."""


def rows_table(data, rows) -> pd.DataFrame:
    """The data's rows, indexed by their ids (not row numbers)."""
    rows = np.asarray(rows, dtype=np.int64)
    part = data.table.iloc[rows]
    return part.set_axis(pd.Index(np.asarray(data.ids)[rows].astype(str), name="id"), axis=0)


def enlarged_images(data, rows) -> list[np.ndarray]:
    """The images of ``rows``, tiny ones (16 px or less, such as 8x8 digits) scaled up 8x
    so they can be seen."""
    if data.images.shape[1] > 16:
        return [data.images[r] for r in rows]
    reps = (8, 8, 1) if data.images.ndim == 4 else (8, 8)
    return [np.kron(data.images[r], np.ones(reps, np.uint8)) for r in rows]


def member_browser(data, rows, key: str) -> None:
    """Search box, pager and the members on the current page (images, texts or rows).

    Parameters
    ----------
    data : Dataset
    rows : array of int
        Rows of ``data`` to browse.
    key : str
        Widget-key prefix (one per place the browser is shown).
    """
    rows = np.asarray(rows, dtype=np.int64)
    kind = data.modality if data.modality in PAGE_SIZES else "table"
    kind = "text" if data.texts is not None else kind
    query = st.text_input("Search within these", key=f"{key}-search",
                          placeholder="id" + (", words" if kind == "text" else
                                              "" if kind == "images" else ", any value"))
    found = matching(data, rows, query)
    size = PAGE_SIZES[kind]
    pages = max(1, -(-len(found) // size))
    # a new search starts on its first page
    tag = hashlib.sha1(query.encode()).hexdigest()[:8]
    page = 1
    if pages > 1:
        page = int(st.number_input(f"Page (of {pages:,})", 1, pages, 1,
                                   key=f"{key}-page-{tag}"))
    chunk = found[(page - 1) * size: page * size]
    what = f" matching “{md(query.strip())}”" if query.strip() else ""
    st.caption(f"Showing {len(chunk) and (page - 1) * size + 1:,}–"
               f"{(page - 1) * size + len(chunk):,} of {len(found):,}{what}"
               + (f" (of {len(rows):,})" if what else ""))
    if not len(chunk):
        return
    if kind == "images":
        st.image(enlarged_images(data, chunk), caption=[str(data.ids[r]) for r in chunk],
                 width=72)
    elif kind == "text":
        for r in chunk:
            st.markdown(f"- **{md(data.ids[r])}** · {md(data.texts[r][:300])}")
    else:
        st.dataframe(rows_table(data, chunk), width="stretch")
