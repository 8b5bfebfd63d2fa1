"""Figures for the Provider size and Value bands pages, and the paged notice tables they share.

The figure builders are plain Plotly (tests read them); only the table helpers use Streamlit.
Colours come from ui.charts.COLOURS, so SME, VCSE, large and local look the same everywhere.
"""

import math

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from queries import years
from queries.formatting import money, pct
from queries.measures import MEASURE
from queries.provider_size import GROUPS
from ui import tables
from ui.charts import BAND_COLOUR, COLOURS, amount_axis

MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}
LEGEND = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"}  # above the plot
SHARE_TITLES = {"value": "Share of award value", "count": "Share of awards"}
THRESHOLD_COLOURS = {"goods_services": "#F46A25", "works": "#3D3D3D"}
THRESHOLD_LABELS = {"goods_services": "Goods/services threshold", "works": "Works threshold"}


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


def value_histogram(frame: pd.DataFrame, measure: str, thresholds: pd.DataFrame) -> go.Figure:
    """Awards (or value) by award size on a log scale, with a dashed line at each procurement
    threshold in force; only the most recent figure of each kind is labelled, to stay legible."""
    column, axis_title = MEASURE[measure].amount, MEASURE[measure].axis
    widths = (frame["log10_to"] - frame["log10_from"]).tolist()
    figure = go.Figure(go.Bar(
        x=(frame["log10_from"] + frame["log10_to"]).div(2).tolist(), y=frame[column].tolist(), width=widths,
        marker_color=BAND_COLOUR, name=axis_title,
        customdata=[f"{money(a)} to {money(b)}" for a, b in zip(frame["from_gbp"], frame["to_gbp"])],
        hovertemplate="%{customdata}: %{y:,.0f}<extra></extra>" if measure == "count"
        else "%{customdata}: £%{y:,.0f}<extra></extra>"))
    for _, row in thresholds.iterrows():
        figure.add_vline(x=math.log10(row["amount_gbp"]), line_dash="dash", line_width=2,
                         line_color=THRESHOLD_COLOURS.get(row["kind"], "#3D3D3D"))
    latest = thresholds.sort_values("in_force_from").groupby("kind", sort=False).tail(1)
    for height, (_, row) in zip((1.09, 1.02), latest.iterrows()):
        figure.add_annotation(x=math.log10(row["amount_gbp"]), y=height, yref="paper", showarrow=False,
                              xanchor="left", yanchor="bottom", font={"color": THRESHOLD_COLOURS[row["kind"]]},
                              text=f"{THRESHOLD_LABELS[row['kind']]} {money(row['amount_gbp'])}")
    low = math.floor(min(frame["log10_from"].min(), 3)) if len(frame) else 0
    high = math.ceil(max(frame["log10_to"].max(), 8)) if len(frame) else 9
    ticks = list(range(low, high + 1))
    figure.update_layout(
        height=420, margin={**MARGIN, "t": 60}, bargap=0.05, showlegend=False, separators=".,",
        xaxis={"title": "Award value (log scale)", "tickvals": ticks, "ticktext": [money(10 ** t) for t in ticks]},
        yaxis={"title": axis_title, **amount_axis(frame[column].max() if len(frame) else 0, measure)})
    return figure


def band_shares(frame: pd.DataFrame, measure: str) -> go.Figure:
    """SME and local shares side by side in each value band (a band with no value has no bar
    by value: its share is undefined, not zero)."""
    traces = []
    for key, name, colour in (("sme", "SME", COLOURS["SME"]), ("local", "Local", COLOURS["local"])):
        shares = [None if pd.isna(v) else float(v) for v in frame[f"{key}_{measure}_share"]]
        traces.append(go.Bar(x=frame["label"].tolist(), y=shares, name=name, marker_color=colour,
                             text=[pct(s) if s is not None else "" for s in shares], textposition="outside",
                             hovertemplate=f"{name}, %{{x}}: %{{y:.0%}}<extra></extra>"))
    figure = go.Figure(traces)
    figure.update_layout(barmode="group", height=380, margin=MARGIN, legend=LEGEND,
                         xaxis_title="Award value band (£)",
                         yaxis={"tickformat": ".0%", "range": [0, 1.1], "title": SHARE_TITLES[measure]})
    return figure


# --- Tables of notices (Streamlit) ---------------------------------------------------------

def notice_table(frame: pd.DataFrame, key: str, alt: str) -> None:
    """A table of notices in the one vocabulary (ui/tables.py); downloads keep the exact figures."""
    tables.table(frame, key, alt=alt)


def pager(total: int, page_size: int, key: str) -> int:
    """A page picker when there are more rows than fit one page; returns the row offset."""
    pages = max(1, math.ceil(total / page_size))
    if pages == 1:
        return 0
    page = st.number_input(f"Page (of {pages:,}, {page_size} rows each)", min_value=1, max_value=pages,
                           value=1, step=1, key=key)
    return (int(page) - 1) * page_size
