"""Figures for the Keep it Local page: the weights of social value criteria, with the 10%
minimum of central government as a reference line. Plain Plotly (tests read them)."""

import pandas as pd
import plotly.graph_objects as go

from readings.keep_it_local import SV_REFERENCE
from ui.charts import BAND_COLOUR, MARGIN


def social_value_weights(frame: pd.DataFrame) -> go.Figure:
    """Procurements per weight band of their social value criterion; a dashed line where the
    bands cross the reference weight (the bands are categories, so it sits between two bars)."""
    figure = go.Figure(go.Bar(x=frame["band"].tolist(), y=frame["procurements"].tolist(), marker_color=BAND_COLOUR,
                              hovertemplate="%{x}: %{y:,} procurements<extra></extra>"))
    position = int((frame["low"] < SV_REFERENCE).sum()) - 0.5
    figure.add_vline(x=position, line_dash="dash", line_width=2, line_color="#F46A25",
                     annotation_text=f"{SV_REFERENCE}%: central government's minimum", annotation_position="top right")
    figure.update_layout(xaxis={"title": "Weight of the social value criterion", "type": "category"},
                         yaxis={"title": "Procurements", "rangemode": "tozero", "tickformat": ",d"},
                         height=340, margin=MARGIN, showlegend=False)
    return figure
