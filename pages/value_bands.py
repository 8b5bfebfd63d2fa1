"""Value bands: how awards and value spread across contract sizes (bands the user can redraw),
the procurement thresholds, SME and local shares per band, and a contract-size cap what-if."""

import streamlit as st

from queries import value_bands
from queries.formatting import money, pct
from readings import value_bands as words
from ui import blocks, charts, value_bands_charts, widgets
from ui.blocks import Chart, Metrics, Table, View, by_measure, sliced

DEFAULT_CAP = 1_000_000
INPUTS = {"edges": value_bands.DEFAULT_BAND_EDGES, "cap": float(DEFAULT_CAP)}
CAP_INTRO = ("Splitting large contracts into smaller lots lets small and local organisations bid. Set a cap to see "
             "how much sits above it, and who awards it.")
LOTS_NOTE = ("Reason for not dividing into lots: the text of any field of the notice's releases whose name mentions "
             "lots and a reason or justification (the Find a Tender field for it is not confirmed); \"not stated\" "
             "where the notices give none.")


def distribution(run, view: View):
    return run(value_bands.band_distribution, view.filters, view["edges"])


def thresholds(run, view: View) -> dict:
    """The thresholds in force over the period shown, and the awards the histogram cannot place."""
    first, last = run(value_bands.period_shown, view.filters)
    return {"thresholds": value_bands.thresholds_in_force(first, last), "first": first,
            "unplotted": run(value_bands.unplotted_awards, view.filters)}


def unplotted_note(frame, view: View) -> str:
    unplotted = view["unplotted"]
    return f"Not in the histogram: {unplotted:,.0f} awards with no value or a value under £1." if unplotted else ""


def buyers_above(run, view: View, limit: int | None, offset: int):
    return sliced(run(value_bands.buyers_above_cap, view.filters, view["cap"], view.measure), limit, offset)


def contracts_above(run, view: View, limit: int | None, offset: int):
    return run(value_bands.contracts_above_cap, view.filters, view["cap"], limit, offset)


BAND_CHARTS = (
    Chart("value-bands", "Awards and value by value band", distribution, by_measure(charts.breakdown_bar),
          by_measure(words.distribution_sentence), by_measure(words.distribution_alt)),
    Chart("value-histogram", "Award sizes and the procurement thresholds",
          lambda run, view: run(value_bands.value_histogram, view.filters),
          lambda frame, view: value_bands_charts.value_histogram(frame, view.measure, view["thresholds"]),
          by_measure(words.histogram_sentence),
          lambda frame, view: words.histogram_alt(frame, view.measure, view["thresholds"]),
          notes=(lambda frame, view: words.threshold_caption(view["thresholds"], view["first"]), unplotted_note),
          context=thresholds),
    Chart("band-shares", "SME and local shares in each band", distribution, by_measure(value_bands_charts.band_shares),
          by_measure(words.band_shares_sentence), by_measure(words.band_shares_alt),
          notes=("SME counts every SME, VCSE or not. Local follows the definition chosen in the sidebar. Unknown "
                 "size or location counts as neither.",)),
)
def cap_summary(run, view: View) -> dict:
    return run(value_bands.above_cap, view.filters, view["cap"])


def cap_rows(summary: dict, view: View) -> list[list[tuple[str, str]]]:
    return [[("Awards above the cap", f"{summary['awards_above']:,.0f}"), ("Share of awards", pct(summary["awards_share"])),
             ("Value above the cap", money(summary["value_above"])), ("Share of value", pct(summary["value_share"]))]]


CAP_BLOCKS = (
    Metrics("above-cap", "", cap_summary, cap_rows, notes=(lambda summary, view: words.cap_sentence(summary),)),
    Table("buyers-above-cap", "Buyers awarding most above the cap", buyers_above,
          lambda run, view: len(buyers_above(run, view, None, 0)),
          reading=lambda run, view, total: words.buyers_sentence(buyers_above(run, view, None, 0), view["cap"],
                                                                 view.measure)),
    Table("cap-contracts", "Contracts above the cap", contracts_above,
          lambda run, view: cap_summary(run, view)["contracts_above"],
          tuple(value_bands.CONTRACT_COLUMNS), notes=(LOTS_NOTE,)),
)
BLOCKS = BAND_CHARTS + CAP_BLOCKS


def band_edges() -> tuple[float, ...]:
    """The breakpoints typed (bound to the URL), or the default ones with a warning saying why."""
    typed = st.text_input("Band breakpoints (£)", value=value_bands.DEFAULT_TEXT, key="bands", bind="query-params",
                          help="Amounts separated by commas, e.g. 25k, 100k, 500k, 1m, 5m, 25m (k = thousand, "
                               "m = million, bn = billion).")
    edges, problem = value_bands.edges_or_default(typed)
    if problem:
        st.warning(widgets.plain(problem))
    return edges


def render() -> None:
    filters = widgets.page_filters()
    st.title("How big are the contracts?")
    st.caption("Bands are of each award's whole value; a value exactly on a breakpoint goes to the higher band; "
               "awards with no usable value are shown as unknown.")
    widgets.left_out_line(filters)
    view = View(filters).having(edges=band_edges())
    blocks.show(BAND_CHARTS, view)
    st.header("What if contracts were capped?")
    st.caption(CAP_INTRO)
    cap = st.number_input("Cap on contract value (£)", min_value=1_000, max_value=10_000_000_000, value=DEFAULT_CAP,
                          step=100_000, key="cap", bind="query-params")
    blocks.show(CAP_BLOCKS, view.having(cap=float(cap)))


if __name__ == "__main__":
    widgets.run_page(render)
