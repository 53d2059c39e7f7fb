"""The cluster card beside the map: rule, polyhedron, saliency, prototypes, keywords."""

from __future__ import annotations

import numpy as np
import streamlit as st

from explain import wording

from .members import enlarged_images, rows_table
from .plots import bar_figure, heatmap_figure, profile_figure, reliability_figure
from .safe_text import md

POLYHEDRON_MIN_PRECISION = 0.5
"""A polyhedron less precise than this describes the cluster badly and is not printed."""


def _emph(name: str) -> str:
    return f"**{md(name)}**"


def rule_text(any_of: list) -> list[str]:
    """One readable line per alternative (:func:`explain.wording.rule_lines`)."""
    return wording.rule_lines(any_of, _emph)


def halfspace_text(h: dict) -> str:
    """One half-space in its normal form (:func:`explain.wording.halfspace_text`)."""
    return wording.halfspace_text(h, _emph)


def thumbnails(data, ids: list[str], width: int = 64) -> None:
    """Images, text snippets or rows of the given ids."""
    index = {str(pid): i for i, pid in enumerate(data.ids)}
    rows = [index[i] for i in ids if i in index]
    if data.modality == "images":
        st.image(enlarged_images(data, rows), caption=[str(data.ids[r]) for r in rows],
                 width=width)
    elif data.texts is not None:
        for r in rows:
            st.markdown(f"- {md(data.texts[r][:240])}")
    else:
        st.dataframe(rows_table(data, rows), width="stretch")


def _saliency_image(sal: dict, images: np.ndarray) -> np.ndarray | None:
    """The attribution map as an (h, w) image (colour channels summed), if it is one."""
    values = np.abs(np.asarray(sal.get("map", []), dtype=np.float64))
    h, w = images.shape[1:3]
    channels = images.shape[3] if images.ndim == 4 else 1
    if values.size != h * w * channels:
        return None
    return values.reshape(h, w, channels).sum(-1)


def cluster_card(entry: dict, data, members: np.ndarray | None = None) -> None:
    """Everything known about one cluster.

    Parameters
    ----------
    entry : dict
        The cluster's entry of ``explanations.json``.
    data : Dataset
        The run's data.
    members : ndarray of bool, optional
        The cluster's rows (for the cluster-versus-rest profile of a table).
    """
    st.markdown(f"#### {md(entry['name'])}  ·  {entry['size']:,} points")
    if data.modality == "table":
        used = list(data.feature_table().columns)
        others = [c for c in data.table.columns if c not in used]
        st.caption(f"Clustered on {len(used)} column(s): {md(', '.join(used[:12]))}"
                   + (" …" if len(used) > 12 else "")
                   + (f" · kept for colouring only: {md(', '.join(others[:8]))}"
                      if others else ""))
    c1, c2 = st.columns(2)
    c1.metric("Ambiguity (mean)", f"{entry['ambiguity']:.2f}")
    c2.metric("Ambiguous members", f"{entry['ambiguous_share']:.0%}")
    rule = entry["rule"]
    st.markdown(f"**Rule** — precision {rule['precision']:.2f}, coverage "
                f"{rule['coverage']:.2f}")
    for line in rule_text(rule["any_of"])[:4]:
        st.markdown(f"- {line}")
    if len(rule["any_of"]) > 4:
        st.caption(f"… and {len(rule['any_of']) - 4} more alternatives")
    poly = entry["polyhedron"]
    if poly["precision"] >= POLYHEDRON_MIN_PRECISION:
        st.markdown(f"**Polyhedron** — precision {poly['precision']:.2f}, coverage "
                    f"{poly['coverage']:.2f}, {poly['complexity']['halfspaces']} "
                    f"condition{'' if poly['complexity']['halfspaces'] == 1 else 's'}")
        for h in poly["halfspaces"]:
            st.markdown(f"- {halfspace_text(h)}")
        for note in poly.get("notes", []):
            st.caption(md(note))
    else:
        st.caption(f"No short combination of conditions separates this cluster well (the "
                   f"best found has precision {poly['precision']:.2f}), so none is shown; "
                   "the rule above and the members below describe it better.")
    markers = [m["gene"] for m in entry.get("markers", [])]
    if markers:
        st.markdown("**Markers** (columns counted more in this cluster than in the rest, "
                    "as marker genes) — " + ", ".join(
                        f"{md(m['gene'])} ({m['share_in']:.0%} of its rows, "
                        f"{m['share_out']:.0%} of the others)" for m in entry["markers"][:8]))
    if data.modality == "table" and members is not None and members.any():
        st.markdown("**Profile** — this cluster (orange) against the rest (grey), in the "
                    "columns' own units" + (", its markers" if markers else ""))
        table = data.feature_table()
        st.plotly_chart(profile_figure(table[markers] if markers else table, members),
                        width="stretch", key=f"profile-{entry['cluster']}")
    sal = entry.get("saliency")
    if sal and entry.get("markers"):  # over principal components: the markers say it in genes
        st.caption(f"Saliency (Integrated Gradients, deletion AUC {sal['deletion_auc']:.2f} vs "
                   f"random {sal['random_deletion_auc']:.2f}) is over the principal components "
                   "the rows were clustered on, not shown: the markers above name the columns.")
    elif sal:
        st.markdown(f"**Saliency** (Integrated Gradients) — deletion AUC "
                    f"{sal['deletion_auc']:.2f} vs random {sal['random_deletion_auc']:.2f}")
        heat = _saliency_image(sal, data.images) if data.modality == "images" else None
        if heat is not None:
            st.caption("Where the model looks: brighter means the pixels weigh more in "
                       "putting an image in this cluster.")
            st.plotly_chart(heatmap_figure(heat), width="stretch",
                            key=f"heat-{entry['cluster']}")
        else:
            names, values = zip(*sal["top_features"], strict=True)
            st.plotly_chart(bar_figure(list(names), list(values)), width="stretch",
                            key=f"bars-{entry['cluster']}")
    if entry.get("keywords"):
        st.markdown("**Keywords** — " + ", ".join(md(k) for k in entry["keywords"]))
    st.markdown("**Prototypes** (most central members)")
    thumbnails(data, entry["prototypes"])
    if entry.get("contrasts"):
        st.markdown("**Near misses** (members of other clusters closest to this one)")
        thumbnails(data, entry["contrasts"])


def calibration_panel(report: dict) -> None:
    """Reliability diagram and ECE, when ground truth exists."""
    cal = report.get("calibration")
    if cal:
        st.markdown(f"**Calibration** — expected calibration error {cal['ece']:.3f} "
                    "(15 bins, Hungarian-matched)")
        st.plotly_chart(reliability_figure(cal), width="stretch", key="reliability")
