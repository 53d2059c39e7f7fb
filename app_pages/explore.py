"""Explore: the map, colouring, cluster filter, selection panel with a gallery."""

from __future__ import annotations

import os

import streamlit as st

from clustering.errors import InputError
from ui import keys
from ui.cards import calibration_panel, cluster_card
from ui.common import explanations_panel, open_run_page, shown_revision
from ui.concerns import concerns_panel
from ui.map_view import (
    cluster_map,
    html_map,
    map_selection,
    plotly_map,
    select_rows,
    selected_rows_of,
)
from ui.members import member_browser
from ui.safe_text import md
from ui.views import selection_summary
from workspace.explanations import load_point_ambiguity, rules_with_budget
from workspace.search import find_rows

store, project, run, load_data, frame, clusters = open_run_page("Explore", data_later=True)
point_ambiguity = load_point_ambiguity(run["path"])
if point_ambiguity is not None and len(point_ambiguity) == len(frame):
    frame["ambiguity"] = point_ambiguity
if st.session_state.get(keys.SELECTION_RUN) != run["key"]:
    st.session_state[keys.SELECTION] = []
    st.session_state[keys.SELECTION_RUN] = run["key"]
    st.session_state.pop(keys.FIND_NOTE, None)  # another run: the last search is not its

m = run.get("metrics") or {}
cols = st.columns(5)
whole = m.get("rows") if run.get("whole_path") else None  # a partitioned run's true count
cols[0].metric("Points", f"{whole:,}" if whole else f"{len(frame):,}")
if whole and whole != len(frame):
    st.caption(f"The map shows {len(frame):,} of the run's {whole:,} rows (a uniform sample "
               "by id hash); the figures above count every row.")
cols[1].metric("Clusters", m.get("n_clusters", "?"))
cols[2].metric("Noise", f"{m.get('noise_share', 0):.1%}")
if m.get("acc") is not None:
    cols[3].metric("ACC vs truth", f"{m['acc']:.3f}",
                   help=f"On the {m['labelled']:,} rows with a label." if m.get("labelled")
                   else None)
    cols[4].metric("NMI / ARI", f"{m['nmi']:.2f} / {m['ari']:.2f}")
concerns_panel(store, run, clusters)

left, right = st.columns([3, 2], gap="medium")
# The map is drawn before the controls above it are filled in: its frame does not need the
# data set, and reading a large table (in its own process) must not hold up the first map.
# The controls' values are read from the session (their keys) before the widgets exist.
with left:
    controls = st.container()
    map_area = st.container()
options = ["cluster", "confidence"] + (["ambiguity"] if "ambiguity" in frame else []) + \
    (["truth"] if "truth" in frame else []) + \
    [c for c in frame.columns if c.startswith("alternative ")]
find_key = f"find-{run['key']}"
found = st.session_state.get(find_key, "")
find_error = None
if found != st.session_state.get(keys.FIND_APPLIED, ""):
    st.session_state[keys.FIND_APPLIED] = found
    if found.strip():
        try:
            hits = find_rows(load_data(), found)
        except InputError as exc:
            find_error = md(exc)
        else:
            st.session_state[keys.SELECTION] = frame["id"].iloc[hits].astype(str).tolist()
            st.session_state[keys.FIND_NOTE] = (len(hits), (
                f"{len(hits):,} point(s) match “{md(found.strip())}” — selected on the "
                "map and listed beside it." if len(hits) else
                f"No point matches “{md(found.strip())}”."))
color = st.session_state.get("color_by", "cluster")
if color not in options:  # a column of the data (or a colouring another run had)
    table = load_data().table
    if color in table.columns[:200]:
        frame[color] = table[color].to_numpy()
    else:
        color = "cluster"
shown = [c for c in st.session_state.get("cluster_filter") or [] if c in set(clusters["name"])]
map_key = f"map-{run['key']}"
with map_area:
    if os.environ.get("CLUSTERLAB_MAP") == "plotly":  # the old map: a benchmark baseline
        clicked = None
        rows = plotly_map(frame, colour=color, shown=shown, key=map_key,
                          selected_ids=st.session_state[keys.SELECTION])
        if rows is not None:
            select_rows(frame, run["key"], rows)
    else:
        new_rows = map_selection(map_key, run["key"], len(frame))
        if new_rows is not None:
            select_rows(frame, run["key"], new_rows)
        modality = frame.attrs.get("modality") or load_data().modality
        images = load_data().images if modality == "images" else None
        clicked = cluster_map(frame, run_key=run["key"], revision=shown_revision(run["key"]),
                              colour=color, shown=shown,
                              selected_rows=selected_rows_of(frame, run["key"]), key=map_key,
                              images=images)
    if clicked is not None:
        st.session_state[keys.CARD_CLUSTER] = int(frame["cluster"].iloc[clicked])
        st.session_state[keys.EXPLORE_TAB] = "Cluster card"
        st.session_state[keys.SELECTION] = []
    st.caption("Lasso or box: drag on the map (Shift or *Add to selection* adds to it); "
               "Pan: drag to move, wheel to zoom; click a point to open its cluster's card; "
               "double-click or *Reset view* to see everything; *PNG* saves the view.")
    with st.expander("Download the map as a standalone HTML page"):
        if st.button("Prepare the HTML map", key="prepare_html"):
            with st.spinner("Drawing the map…"):
                st.session_state[keys.HTML_MAP] = (run["key"], html_map(
                    frame, colour=color, shown=shown,
                    title=f"{project['name']} · {run.get('method', '')}"))
        ready = st.session_state.get(keys.HTML_MAP)
        if ready and ready[0] == run["key"]:
            st.download_button("Download map.html", ready[1], file_name="clusterlab-map.html",
                               mime="text/html", key="download_html")
data = load_data()
with controls:
    extra = [c for c in data.table.columns[:200] if c not in options]
    st.text_input(
        "Find points", key=find_key,
        placeholder="an id, words of a text, any value, or a filter such as "
                    "batch = B1 or size > 3",
        help="The matching points are selected: highlighted on the map and listed beside it")
    if find_error:
        st.error(find_error)
    note = st.session_state.get(keys.FIND_NOTE)
    if note and note[0] == len(st.session_state[keys.SELECTION]):  # not after a new lasso
        st.caption(note[1])
    c1, c2 = st.columns([1, 2])
    c1.selectbox("Colour by", options + extra, key="color_by",
                 help="Cluster, the model's confidence, ground truth, or any column")
    c2.multiselect("Show clusters", clusters["name"].tolist(), key="cluster_filter",
                   placeholder="all clusters")

with right:
    selection = st.session_state[keys.SELECTION]
    if not selection:
        tab_list, tab_card = st.tabs(["Clusters", "Cluster card"], key=keys.EXPLORE_TAB,
                                     on_change="rerun")
        # only the open tab is computed: the card's charts (and Plotly's 4.7 MB bundle) wait
        # until the card is asked for
        with tab_list:
            if tab_list.open:
                picked_row = st.dataframe(
                    clusters, hide_index=True, width="stretch", on_select="rerun",
                    selection_mode="single-row", key="cluster_rows",
                    column_config={"confidence": st.column_config.ProgressColumn(
                        "mean confidence", min_value=0.0, max_value=1.0, format="%.2f"),
                        "suggested": st.column_config.CheckboxColumn(
                            "proposed name", help="Proposed from the data; accept or edit "
                            "it on the Review page")})
                rows = picked_row.selection.rows if picked_row else []
                if rows:
                    st.session_state[keys.CARD_CLUSTER] = int(
                        clusters["cluster"].iloc[rows[0]])
                    st.caption("Open the **Cluster card** tab to read about this cluster.")
        with tab_card:
            if tab_card.open:
                report = explanations_panel(store, run, data)
                if report:
                    entries = {e["cluster"]: e for e in report["clusters"]}
                    names = dict(zip(clusters["cluster"], clusters["name"], strict=True))
                    pick = st.selectbox(
                        "Cluster", [c for c in clusters["cluster"] if c in entries],
                        format_func=lambda c: f"{c} · {names.get(c, c)}", key=keys.CARD_CLUSTER)
                    k = len(entries)
                    default = min(max(report["rules_leaves"], k), 4 * k)
                    budget = st.slider("Rule leaf budget", k, max(4 * k, k + 1), default,
                                       key="rule_budget",
                                       help="More leaves: more precise, longer rules")
                    if pick is not None:
                        entry = {**entries[pick],
                                 "name": names.get(pick, entries[pick]["name"])}
                        if budget != default:
                            regrown = rules_with_budget(run["path"], data, budget)
                            entry["rule"] = regrown["rules"][pick]
                        cluster_card(entry, data,
                                     members=frame["cluster"].to_numpy() == pick)
                    st.caption(f"Rules reproduce the clustering for "
                               f"{report['rules_fidelity']:.0%} of points; view ambiguity of "
                               f"the map {report['view_ambiguity']:.2f} (0 = clear, 1 = mixed).")
                    with st.expander("Calibration"):
                        calibration_panel(report)
    else:
        st.subheader(f"Selection: {len(selection):,} points")
        if st.button("Clear selection", key="clear_sel"):
            st.session_state[keys.SELECTION] = []
            st.session_state.pop(keys.FIND_NOTE, None)
            st.rerun()
        chosen = selected_rows_of(frame, run["key"])
        st.dataframe(selection_summary(frame, chosen), hide_index=True,
                     width="stretch",
                     column_config={"share": st.column_config.ProgressColumn(
                         "share", min_value=0.0, max_value=1.0, format="%.2f")})
        member_browser(data, chosen, key="selection")
        st.page_link("app_pages/review.py", label="Move or label this selection in Review →")
