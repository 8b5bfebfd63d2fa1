"""Overview: headline shares, spend by provider size, locality and value band, and the trend."""

import streamlit as st

from queries import overview
from queries.formatting import money, pct
from readings import overview as words
from ui import blocks, charts, widgets
from ui.blocks import Chart, Metrics, View, by_measure, of_frame

TOTALS = (("total_value", "Total award value"), ("awards", "Awards"), ("buyers", "Buyers"), ("suppliers", "Suppliers"))
SHARES = (("local", "Local"), ("sme", "SME"), ("vcse", "VCSE"))


def headline(run, view: View) -> dict:
    """The headline figures: totals, shares and what is unknown, from the one grouped scan."""
    return overview.headline(run(overview.summary, view.filters), run(overview.participants, view.filters))


def headline_rows(figures: dict, view: View) -> list[list[tuple[str, str]]]:
    totals = [(label, money(figures[key]) if key == "total_value" else f"{figures[key]:,}") for key, label in TOTALS]
    return [totals] + [[(f"{label} (by {basis})", pct(figures[f"{key}_{basis}_share"])) for key, label in SHARES]
                       for basis in ("value", "count")]


def headline_sentence(figures: dict, view: View) -> str:
    filters = view.filters
    return words.headline_sentence(figures, filters.buyers[0] if len(filters.buyers) == 1 else None, filters.local_km)


def trend(run, view: View):
    return overview.trend(run(overview.summary, view.filters), view.measure, blocks.period(run, view))


BLOCKS = (
    Metrics("headline", "", headline, headline_rows, headline_sentence,
            notes=(lambda figures, view: words.base_text(figures), lambda figures, view: words.unknown_text(figures))),
    blocks.breakdown("provider", "provider size", "provider size"),
    blocks.breakdown("locality", "supplier location", "supplier location"),
    blocks.breakdown("value_band", "value band", "contract value band"),
    Chart("trend", "Local, SME and VCSE shares over time", trend, of_frame(charts.trend_lines),
          by_measure(words.trend_sentence), of_frame(words.trend_alt), notes=(charts.PART_YEAR_NOTE,)),
)


def render() -> None:
    view = View(widgets.page_filters())
    st.title("Where does the contract money go?")
    blocks.show(BLOCKS[:1], view)
    widgets.left_out_line(view.filters)
    blocks.show(BLOCKS[1:], view)


if __name__ == "__main__":
    widgets.run_page(render)
