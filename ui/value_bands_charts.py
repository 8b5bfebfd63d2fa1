"""Figures for the Value bands page: the award-size histogram with the procurement thresholds,
and the SME and local shares in each band. Plain Plotly (tests read them)."""

import math

import pandas as pd
import plotly.graph_objects as go

from queries.formatting import money, pct
from queries.measures import MEASURE
from ui.charts import BAND_COLOUR, COLOURS, LEGEND, MARGIN, SHARE_TITLES, amount_axis

THRESHOLD_COLOURS = {"goods_services": "#F46A25", "works": "#3D3D3D"}
THRESHOLD_LABELS = {"goods_services": "Goods/services threshold", "works": "Works threshold"}


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
