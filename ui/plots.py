"""Plotly figures for the app (no Streamlit): the cluster map."""

from __future__ import annotations

import numpy as np
import pandas as pd

__all__ = ["assigned_figure", "bar_figure", "heatmap_figure", "map_figure", "profile_figure",
           "reliability_figure"]

LARGE_MAP = 20_000
"""Above this many points the map carries no per-point hover text (payload size)."""
_PALETTE = ("#4C78A8", "#F58518", "#54A24B", "#E45756", "#72B7B2", "#B279A2", "#FF9DA6",
            "#9D755D", "#EECA3B", "#BAB0AC", "#1F77B4", "#2CA02C", "#D62728", "#9467BD",
            "#8C564B", "#E377C2", "#17BECF", "#BCBD22")


def map_figure(frame: pd.DataFrame, color: str = "cluster", highlight: list[str] | None = None,
               height: int = 620):
    """The 2-D map as WebGL scatter traces, one per category (or one continuous trace).

    Parameters
    ----------
    frame : DataFrame
        From :func:`ui.views.map_frame` (``id, x, y, cluster_name, hover`` ...).
    color : str
        ``cluster``, ``confidence``, ``truth`` or any other column of ``frame``.
    highlight : list of str, optional
        Ids drawn with a dark outline (the current selection).
    height : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    fig = go.Figure()
    size = 6 if len(frame) < 5000 else (4 if len(frame) < 30000 else 3)
    column = "cluster_name" if color == "cluster" else color
    values = frame[column]
    # customdata carries only the row number (small payload); the pages map it to ids
    rows = frame["row"].to_numpy() if "row" in frame else np.arange(len(frame))
    x, y = frame["x"].to_numpy(np.float32), frame["y"].to_numpy(np.float32)
    if len(frame) <= LARGE_MAP:
        hover = (frame["id"].astype(str) + " · " + frame["cluster_name"].astype(str) + "<br>"
                 + frame["hover"].astype(str).str.slice(0, 140)).to_numpy()
        template = "%{text}<extra></extra>"
    else:  # no per-point text: the figure stays ~1 MB; the side panel shows the details
        hover = np.full(len(frame), None)
        template = "%{fullData.name} · row %{customdata}<extra></extra>"
    if pd.api.types.is_numeric_dtype(values) and values.nunique() > 20:
        fig.add_trace(go.Scattergl(
            x=x, y=y, mode="markers", customdata=rows,
            text=hover if len(frame) <= LARGE_MAP else None,
            hovertemplate=template.replace("%{fullData.name}", "%{marker.color:.3g}"),
            name=column,
            marker={"size": size, "color": values.to_numpy(np.float32), "colorscale": "Viridis",
                    "showscale": True,
                    "colorbar": {"title": column}}))
    else:
        cats = values.astype(str)
        order = cats.value_counts().index.tolist()
        for i, cat in enumerate(order):
            mask = (cats == cat).to_numpy()
            colour = "#BBBBBB" if cat == "noise" else _PALETTE[i % len(_PALETTE)]
            fig.add_trace(go.Scattergl(
                x=x[mask], y=y[mask], mode="markers", name=cat, customdata=rows[mask],
                text=hover[mask] if len(frame) <= LARGE_MAP else None,
                hovertemplate=template,
                marker={"size": size, "color": colour, "opacity": 0.8}))
    if highlight:
        sel = frame["id"].isin(set(highlight)).to_numpy()
        fig.add_trace(go.Scattergl(
            x=x[sel], y=y[sel], mode="markers", name="selected",
            hoverinfo="skip", customdata=rows[sel],
            marker={"size": size + 4, "color": "rgba(0,0,0,0)",
                    "line": {"width": 1.5, "color": "black"}}))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      dragmode="lasso", legend={"itemsizing": "constant"},
                      xaxis={"visible": False}, yaxis={"visible": False},
                      plot_bgcolor="white", uirevision="map")
    return fig


def assigned_figure(background: pd.DataFrame, new: pd.DataFrame, order: list[str],
                    height: int = 520, most: int = LARGE_MAP, seed: int = 0):
    """New rows on the run's map: the run's points in grey, the new ones by their cluster.

    Parameters
    ----------
    background : DataFrame
        The run's ``x, y``.
    new : DataFrame
        Assigned rows (``id, cluster_name, confidence, x, y``).
    order : list of str
        The run's cluster names, largest first: each keeps the colour the run's map gives
        it (:func:`map_figure`).
    height : int
    most : int
        Points drawn of each (a seeded sample beyond it).
    seed : int

    Returns
    -------
    plotly.graph_objects.Figure
    """
    import plotly.graph_objects as go

    rng = np.random.default_rng(seed)
    if len(background) > most:
        background = background.iloc[np.sort(rng.choice(len(background), most, replace=False))]
    if len(new) > most:
        new = new.iloc[np.sort(rng.choice(len(new), most, replace=False))]
    fig = go.Figure(go.Scattergl(
        x=background["x"].to_numpy(np.float32), y=background["y"].to_numpy(np.float32),
        mode="markers", name="the run's rows", hoverinfo="skip",
        marker={"size": 4, "color": "#D0D0D0"}))
    names = new["cluster_name"].astype(str)
    order = list(order) + sorted(set(names) - set(order))
    for name in names.value_counts().index:
        i = order.index(name)
        part = new[(names == name).to_numpy()]
        fig.add_trace(go.Scattergl(
            x=part["x"].to_numpy(np.float32), y=part["y"].to_numpy(np.float32),
            mode="markers", name=name,
            text=(part["id"].astype(str) + " · " + name + " · confidence "
                  + part["confidence"].map("{:.2f}".format)).to_numpy(),
            hovertemplate="%{text}<extra></extra>",
            marker={"size": 8, "color": "#BBBBBB" if name == "noise"
                    else _PALETTE[i % len(_PALETTE)], "line": {"width": 1, "color": "black"}}))
    fig.update_layout(height=height, margin={"l": 10, "r": 10, "t": 10, "b": 10},
                      legend={"itemsizing": "constant"}, xaxis={"visible": False},
                      yaxis={"visible": False}, plot_bgcolor="white")
    return fig


def heatmap_figure(values: np.ndarray, height: int = 220):
    """A saliency heatmap (image rows top to bottom)."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Heatmap(z=values, colorscale="Inferno", showscale=False))
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                      yaxis={"autorange": "reversed", "visible": False, "scaleanchor": "x"},
                      xaxis={"visible": False})
    return fig


def profile_figure(table: pd.DataFrame, members: np.ndarray, max_columns: int = 12,
                   per_row: int = 4):
    """Small multiples: each numeric column's values in a cluster against the rest (box
    plots of the 5th/25th/50th/75th/95th percentiles, in the column's own units); a
    categorical column shows the share of its most common value in the cluster against
    the rest."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    columns = list(table.columns[:max_columns])
    rows = -(-len(columns) // per_row)
    fig = make_subplots(rows=rows, cols=per_row, subplot_titles=[str(c) for c in columns],
                        vertical_spacing=0.12 if rows > 1 else 0.2)
    for i, name in enumerate(columns):
        at = {"row": i // per_row + 1, "col": i % per_row + 1}
        col = table[name]
        if col.dtype.kind in "biuf":
            for part, colour, label in ((members, "#F58518", "cluster"),
                                        (~members, "#9D9D9D", "rest")):
                values = col[part].dropna().to_numpy(np.float64)
                if not len(values):
                    continue
                # five numbers, not the values: the figure stays small for any row count
                q = np.percentile(values, [5, 25, 50, 75, 95])
                fig.add_trace(go.Box(x=[label], q1=[q[1]], median=[q[2]], q3=[q[3]],
                                     lowerfence=[q[0]], upperfence=[q[4]], name=label,
                                     marker_color=colour, showlegend=False), **at)
        else:
            top = col[members].astype(str).value_counts().index[0]
            shares = [(col[part].astype(str) == top).mean() for part in (members, ~members)]
            fig.add_trace(go.Bar(x=["cluster", "rest"], y=shares, showlegend=False,
                                 marker_color=["#F58518", "#9D9D9D"],
                                 hovertext=[f"share = {top}"] * 2), **at)
            fig.layout.annotations[i].text = f"{name} = {top} (share)"
    fig.update_layout(height=170 * rows + 30, margin={"l": 0, "r": 0, "t": 30, "b": 0})
    fig.update_annotations(font_size=11)
    return fig


def bar_figure(names: list[str], values: list[float], height: int = 240):
    """Horizontal bars of top features, largest on top."""
    import plotly.graph_objects as go

    fig = go.Figure(go.Bar(x=values[::-1], y=names[::-1], orientation="h",
                           marker_color="#4C78A8"))
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 0, "b": 0})
    return fig


def reliability_figure(cal: dict, height: int = 260):
    """Reliability diagram: accuracy per confidence bin against the diagonal."""
    import plotly.graph_objects as go

    pairs = [(c, a, n) for c, a, n in zip(cal["confidence"], cal["accuracy"], cal["count"],
                                          strict=True) if c is not None]
    fig = go.Figure()
    fig.add_trace(go.Scatter(x=[0, 1], y=[0, 1], mode="lines", name="perfect",
                             line={"dash": "dash", "color": "#999"}))
    fig.add_trace(go.Scatter(x=[p[0] for p in pairs], y=[p[1] for p in pairs],
                             mode="lines+markers", name="observed",
                             text=[f"{p[2]} points" for p in pairs]))
    fig.update_layout(height=height, margin={"l": 0, "r": 0, "t": 0, "b": 0},
                      xaxis_title="confidence", yaxis_title="accuracy")
    return fig
