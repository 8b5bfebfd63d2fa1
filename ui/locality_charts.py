"""Figures for the Locality page other than its maps (ui/maps.py): locality shares by year.
Plain Plotly, no Streamlit, so tests can read them."""

import pandas as pd
import plotly.graph_objects as go

from queries import years
from queries.locality import GROUPS
from queries.measures import MEASURE
from ui.charts import COLOURS, LEGEND, MARGIN

def share_over_time(frame: pd.DataFrame, measure: str) -> go.Figure:
    """Stacked bars, one per financial year, each locality's share of value (or of awards)."""
    shown = MEASURE[measure]
    traces = []
    for group in GROUPS:
        part = frame[frame["group"] == group]
        if part.empty:
            continue
        amounts = [shown.amount_text(v) for v in part[shown.amount]]
        traces.append(go.Bar(
            x=[years.shown_label(row) for row in part.to_dict("records")], y=part[shown.share].tolist(),
            name=part["label"].iloc[0],
            marker_color=COLOURS[group], customdata=amounts,
            hovertemplate="%{fullData.name}, %{x}: %{y:.0%} (%{customdata})<extra></extra>"))
    figure = go.Figure(traces)
    figure.update_layout(barmode="stack", height=400, margin=MARGIN, legend=LEGEND,
                         yaxis={"tickformat": ".0%", "range": [0, 1], "title": f"Share of {shown.noun}"},
                         xaxis={"title": "Financial year (April to March)", "type": "category"})
    return figure
