"""Overview: headline shares, spend by provider size, locality and value band, and the trend."""

import streamlit as st

from queries import overview
from queries.formatting import money, pct
from readings import overview as words
from ui import blocks, charts, widgets
from ui.blocks import Chart, View, by_measure, of_frame


def trend(run, view: View):
    return overview.trend(run(overview.summary, view.filters), view.measure, blocks.period(run, view))


BLOCKS = (
    blocks.breakdown("provider", "provider size", "Spend by provider size"),
    blocks.breakdown("locality", "supplier location", "Spend by supplier location"),
    blocks.breakdown("value_band", "value band", "Spend by contract value band"),
    Chart("trend", "Local, SME and VCSE shares over time", trend, of_frame(charts.trend_lines),
          by_measure(words.trend_sentence), of_frame(words.trend_alt), notes=(charts.PART_YEAR_NOTE,)),
)


def headline(view: View) -> None:
    """The title, the headline sentence and the figures it rests on, with what they leave out."""
    filters = view.filters
    figures = overview.headline(widgets.query(overview.summary, filters), widgets.query(overview.participants, filters))
    st.title("Where does the contract money go?")
    st.text(words.headline_sentence(figures, filters.buyers[0] if len(filters.buyers) == 1 else None, filters.local_km))
    totals = st.columns(4)
    totals[0].metric("Total award value", money(figures["total_value"]))
    for column, (key, label) in zip(totals[1:], (("awards", "Awards"), ("buyers", "Buyers"), ("suppliers", "Suppliers"))):
        column.metric(label, f"{figures[key]:,}")
    for basis in ("value", "count"):
        for column, (key, label) in zip(st.columns(3), (("local", "Local"), ("sme", "SME"), ("vcse", "VCSE"))):
            column.metric(f"{label} (by {basis})", pct(figures[f"{key}_{basis}_share"]))
    st.caption(words.base_text(figures))
    st.caption(words.unknown_text(figures))
    widgets.left_out_line(filters)


def render() -> None:
    view = View(widgets.page_filters())
    headline(view)
    blocks.show(BLOCKS, view)


if __name__ == "__main__":
    render()
