"""Figures for the Provider size page: provider size stacked by year, buyer type, category
and CPV division. Plain Plotly (tests read them); colours from ui.charts.COLOURS, so SME,
VCSE, large and local look the same everywhere."""

import pandas as pd
import plotly.graph_objects as go

from queries import years
from queries.formatting import pct
from queries.measures import MEASURE
from queries.provider_size import GROUPS
from ui.charts import COLOURS, LEGEND, MARGIN, SHARE_TITLES, amount_axis


def provider_stack(frame: pd.DataFrame, measure: str, split: str) -> go.Figure:
    """One stacked bar per key (financial year, buyer type, category or CPV division), one
    segment per provider group. Years stack amounts (growth shows); other splits stack
    shares to 100% (so small and large buyer types compare)."""
    amount_col, share_col, axis_title = MEASURE[measure].amount, MEASURE[measure].share, MEASURE[measure].axis
    by_year = split == "year"
    traces = []
    for group in GROUPS:
        part = frame[frame["group"] == group]
        if part.empty:
            continue
        keys = ([years.shown_label({"financial_year": r["key_label"], "part_year": r["part_year"]})
                 for r in part.to_dict("records")] if by_year else part["key_label"].tolist())
        amounts, shares = part[amount_col].tolist(), part[share_col].tolist()
        text = [MEASURE[measure].amount_text(a) + f" ({pct(s)})" for a, s in zip(amounts, shares)]
        values = amounts if by_year else shares
        traces.append(go.Bar(
            x=keys if by_year else values, y=values if by_year else keys,
            orientation="v" if by_year else "h", name=part["label"].iloc[0],
            marker_color=COLOURS[group], text=text, textposition="none",
            hovertemplate=f"{part['label'].iloc[0]}, %{{{'x' if by_year else 'y'}}}: %{{text}}<extra></extra>"))
    figure = go.Figure(traces)
    figure.update_layout(barmode="stack", margin=MARGIN, legend=LEGEND, separators=".,")
    if by_year:
        top = frame.groupby("key_label")[amount_col].sum().max() if len(frame) else 0
        figure.update_layout(height=380, xaxis_title="Financial year (April to March)",
                             yaxis={"title": axis_title, **amount_axis(top, measure)})
    else:
        keys = frame["key_label"].nunique()
        figure.update_layout(height=120 + 36 * keys, yaxis={"autorange": "reversed"},
                             xaxis={"tickformat": ".0%", "range": [0, 1], "title": SHARE_TITLES[measure]})
    return figure
