"""Plotly figures for breakdown frames. Plain Plotly, no Streamlit, so tests can read them."""

import math

import pandas as pd
import plotly.graph_objects as go

from queries import years
from queries.formatting import money, pct
from queries.measures import MEASURE

# UK Government Analysis Function categorical palette (colour-blind safe). One category,
# one colour, on every chart.
COLOURS = {
    "SME": "#28A197", "VCSE": "#801650", "Large": "#12436D", "Unknown": "#A6A6A6",
    "local": "#F46A25", "same_region": "#A285D1", "elsewhere_uk": "#12436D",
    "outside_uk": "#3D3D3D", "unknown": "#A6A6A6",
}
BAND_COLOUR = "#12436D"
MARGIN = {"l": 10, "r": 10, "t": 40, "b": 10}  # room above the plot for a legend
LEGEND = {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom", "traceorder": "normal"}  # above the plot
SHARE_TITLES = {"value": "Share of award value", "count": "Share of awards"}


def breakdown_bar(frame: pd.DataFrame, measure: str) -> go.Figure:
    """Horizontal bars, one per group in the frame's order, labelled with amount and share.

    No figure title: the page heads each chart, and the PNG export is named after it."""
    amount_col, share_col, axis_title = MEASURE[measure].amount, MEASURE[measure].share, MEASURE[measure].axis
    labels = [f"{MEASURE[measure].figure(row[amount_col])} ({pct(row[share_col])})" for _, row in frame.iterrows()]
    figure = go.Figure(go.Bar(
        x=frame[amount_col].tolist(), y=frame["label"].tolist(), orientation="h",
        marker_color=[COLOURS.get(g, BAND_COLOUR) for g in frame["group"]],
        text=labels, textposition="auto", customdata=frame[share_col].tolist(),
        hovertemplate="%{y}: %{text}<extra></extra>",
    ))
    figure.update_layout(
        xaxis={"title": axis_title, **amount_axis(frame[amount_col].max() if len(frame) else 0, measure)},
        yaxis={"autorange": "reversed"},
        margin={"l": 10, "r": 10, "t": 10, "b": 10}, height=60 + 40 * len(frame),
        separators=".,",
    )
    return figure


def amount_axis(top: float, measure: str) -> dict:
    """Axis settings for amounts: ticks in the one money format (£500k, £10m, £1.2bn, never
    Plotly's "£1B"), or whole awards when counting."""
    if measure != "value":
        return {"tickformat": ",d"}
    if not top or top <= 0 or math.isnan(top):
        return {"tickprefix": "£"}
    magnitude = 10 ** math.floor(math.log10(top / 4))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if top / (m * magnitude) <= 5)
    ticks = [step * i for i in range(int(top // step) + 1)]
    return {"tickvals": ticks, "ticktext": [money(t) if t else "£0" for t in ticks]}


TREND_LINES = (("local_share", "Local", COLOURS["local"]), ("sme_share", "SME", COLOURS["SME"]),
               ("vcse_share", "VCSE", COLOURS["VCSE"]))


PART_YEAR_NOTE = ("A year marked \"(part year)\", with hollow markers, is one the data covers only in part "
                  "(it starts before the first award held or ends after the last); compare it with care.")


def trend_lines(frame: pd.DataFrame) -> go.Figure:
    """% local, % SME and % VCSE by financial year, one line each; part years (the data
    covers only some of their months) are labelled so and drawn with hollow markers."""
    rows = frame.to_dict("records")
    x = [years.shown_label(row) for row in rows]
    symbols = ["circle-open" if row.get("part_year") else "circle" for row in rows]
    bases = [f"{row['awards']:,.0f} award{'' if round(row['awards']) == 1 else 's'}" for row in rows]
    figure = go.Figure([go.Scatter(x=x, y=frame[column].tolist(), name=name, customdata=bases,
                                   mode="lines+markers", line={"color": colour, "width": 3},
                                   marker={"symbol": symbols, "size": 9},
                                   hovertemplate=f"{name} %{{x}}: %{{y:.0%}} (of %{{customdata}})<extra></extra>")
                        for column, name, colour in TREND_LINES])
    figure.update_layout(yaxis={"tickformat": ".0%", "rangemode": "tozero", "title": "Share"},
                         xaxis={"title": "Financial year (April to March)", "type": "category"}, height=360,
                         margin={"l": 10, "r": 10, "t": 10, "b": 10}, legend={"orientation": "h"})
    return figure
