"""Overview: headline shares, spend by provider size, locality and value band, and the trend."""

import streamlit as st

from queries import overview, readings
from queries.formatting import money, pct
from ui import charts, widgets

CHARTS = (
    ("provider", "Spend by provider size", "provider size"),
    ("locality", "Spend by supplier location", "supplier location"),
    ("value_band", "Spend by contract value band", "value band"),
)

filters = widgets.page_filters()
summary = widgets.query(overview.summary, filters)
figures = overview.headline(summary, widgets.query(overview.participants, filters))
area = filters.buyers[0] if len(filters.buyers) == 1 else None

st.title("Where does the contract money go?")
st.text(readings.headline_sentence(figures, area, filters.local_km))

totals = st.columns(4)
totals[0].metric("Total award value", money(figures["total_value"]))
totals[1].metric("Awards", f"{figures['awards']:,}")
totals[2].metric("Buyers", f"{figures['buyers']:,}")
totals[3].metric("Suppliers", f"{figures['suppliers']:,}")
for basis in ("value", "count"):
    shares = st.columns(3)
    for column, (key, label) in zip(shares, (("local", "Local"), ("sme", "SME"), ("vcse", "VCSE"))):
        column.metric(f"{label} (by {basis})", pct(figures[f"{key}_{basis}_share"]))
st.caption(readings.base_text(figures))
st.caption(
    f"Unknown: locality {pct(figures['unknown_locality_value_share'])} of value, supplier size "
    f"{pct(figures['unknown_size_value_share'])} (every supplier that declared no size, VCSE or not; the "
    f"provider-size chart puts VCSE organisations in a bar of their own, so its Unknown bar counts only those "
    f"that are not VCSE), VCSE status {pct(figures['unknown_vcse_value_share'])}. "
    f"Frameworks and dynamic purchasing systems account for {money(figures['framework_value'])} "
    f"of the value shown; their values are ceilings, not spend (exclude them in the sidebar)."
)
widgets.left_out_line(filters)

measure = widgets.measure_switch()
for dimension, title, subject in CHARTS:
    frame = overview.breakdown(summary, dimension)
    widgets.chart_block(title, charts.breakdown_bar(frame, measure), frame,
                        readings.largest_group(frame, measure), readings.bar_alt(frame, measure, subject),
                        filters, dimension)

trend = overview.trend(summary, measure, widgets.data_period(filters))
widgets.chart_block("Local, SME and VCSE shares over time", charts.trend_lines(trend), trend,
                    readings.trend_sentence(trend, measure), readings.trend_alt(trend), filters, "trend")
st.caption(charts.PART_YEAR_NOTE)
