"""The cluster card beside the map: rule, polyhedron, saliency, prototypes, keywords."""

from __future__ import annotations

import numpy as np
import streamlit as st

from .plots import bar_figure, heatmap_figure, reliability_figure
from .safe_text import code, md


def rule_text(any_of: list) -> list[str]:
    """One readable line per conjunction."""
    sym = {"<=": "≤", ">": ">"}
    return [" and ".join(f"{code(t['feature'])} {sym[t['op']]} {t['threshold']:g}" for t in conj)
            for conj in any_of]


def halfspace_text(h: dict) -> str:
    """``2·a − b ≤ 3.5`` style text of one half-space."""
    parts = []
    for i, (name, coef) in enumerate(h["coef"].items()):
        sign = "−" if coef < 0 else ("+" if i else "")
        size = abs(coef)
        parts.append(f"{sign} {'' if size == 1 else f'{size}·'}{code(name)}".strip())
    return " ".join(parts) + f" ≤ {h['rhs']:g}"


def thumbnails(data, ids: list[str], width: int = 64) -> None:
    """Images, text snippets or rows of the given ids."""
    index = {str(pid): i for i, pid in enumerate(data.ids)}
    rows = [index[i] for i in ids if i in index]
    if data.modality == "images":
        imgs = [data.images[r] for r in rows]
        if data.images.shape[1] <= 16:
            reps = (8, 8, 1) if data.images.ndim == 4 else (8, 8)
            imgs = [np.kron(im, np.ones(reps, dtype=np.uint8)) for im in imgs]
        st.image(imgs, caption=[str(data.ids[r]) for r in rows], width=width)
    elif data.texts is not None:
        for r in rows:
            st.markdown(f"- {md(data.texts[r][:240])}")
    else:
        st.dataframe(data.table.iloc[rows], width="stretch")


def cluster_card(entry: dict, data) -> None:
    """Everything known about one cluster."""
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
    st.markdown(f"**Polyhedron** — precision {poly['precision']:.2f}, coverage "
                f"{poly['coverage']:.2f}, {poly['complexity']['halfspaces']} half-spaces")
    for h in poly["halfspaces"]:
        st.markdown(f"- {halfspace_text(h)}")
    for note in poly.get("notes", []):
        st.caption(md(note))
    sal = entry.get("saliency")
    if sal:
        st.markdown(f"**Saliency** (Integrated Gradients) — deletion AUC "
                    f"{sal['deletion_auc']:.2f} vs random {sal['random_deletion_auc']:.2f}")
        if data.modality == "images" and "map" in sal and data.images.ndim == 3:
            h, w = data.images.shape[1:3]
            st.plotly_chart(heatmap_figure(np.array(sal["map"]).reshape(h, w)),
                            width="stretch", key=f"heat-{entry['cluster']}")
        else:
            names, values = zip(*sal["top_features"], strict=True)
            st.plotly_chart(bar_figure(list(names), list(values)), width="stretch",
                            key=f"bars-{entry['cluster']}")
    if entry.get("keywords"):
        st.markdown("**Keywords** — " + ", ".join(md(k) for k in entry["keywords"]))
    st.markdown("**Prototypes** (most central members)")
    thumbnails(data, entry["prototypes"])


def calibration_panel(report: dict) -> None:
    """Reliability diagram and ECE, when ground truth exists."""
    cal = report.get("calibration")
    if cal:
        st.markdown(f"**Calibration** — expected calibration error {cal['ece']:.3f} "
                    "(15 bins, Hungarian-matched)")
        st.plotly_chart(reliability_figure(cal), width="stretch", key="reliability")
