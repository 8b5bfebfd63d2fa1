"""Keep it Local, step by step: one block per step of the campaign, for all buyers or one
council, each an indicator with its base, a reading, downloads and links to the notices; then
the Keep it Local network councils side by side."""

from dataclasses import replace

import streamlit as st

from loaders import definitions
from loaders.geography import network
from queries import keep_it_local as kil
from queries import overview, scorecard, value_bands
from queries.formatting import money, pct
from readings import keep_it_local as words
from readings import overview as overview_words
from ui import blocks, charts, keep_it_local_charts, widgets
from ui.blocks import Chart, Metrics, Table, View, by_measure, of_frame, paged_frame

DEFAULT_CAP = 1_000_000  # as the Value bands page
INPUTS = {"council": None, "cap": float(DEFAULT_CAP), "lots_search": "", "engagement_search": ""}
STEPS = ("1. A place-based approach", "2. Social value in every procurement", "3. Community capacity",
         "4. Contract sizes small organisations can bid for", "5. Co-design with local people")


def shares_row(figures: dict, keys: tuple[tuple[str, str], ...]) -> list[tuple[str, str]]:
    return [(f"{label} (by {basis})", pct(figures[f"{key}_{basis}_share"])) for key, label in keys
            for basis in ("value", "count")]


def outcome(run, view: View) -> dict:
    """The headline of the awards (value, awards, local / SME / VCSE shares by value and count)."""
    return overview.headline(run(overview.summary, view.filters), run(overview.participants, view.filters))


def trend(run, view: View):
    return overview.trend(run(overview.summary, view.filters), view.measure, blocks.period(run, view))


PLACE = (
    Metrics("place", STEPS[0], outcome, lambda f, view: [shares_row(f, (("local", "Local"),))],
            lambda f, view: words.place_sentence(f, view.filters.local_km),
            notes=(lambda f, view: overview_words.base_text(f),)),
    Chart("place-trend", "The local share over the years, beside the SME and VCSE shares", trend, of_frame(charts.trend_lines),
          by_measure(overview_words.trend_sentence), of_frame(overview_words.trend_alt), notes=(charts.PART_YEAR_NOTE,)),
)


def process(run, view: View) -> dict:
    """Steps 2 to 5 from the procurements: one cached scan that every block of them reads."""
    return run(kil.figures, view.filters, view["cap"])


def picked(*keys: str):
    """A step's figures from `process`: only its own, so its download holds only those."""
    def data(run, view: View) -> dict:
        found = process(run, view)
        return {key: found[key] for key in keys}
    return data


SOCIAL_KEYS = ("weighted", "with_social_value", "social_value_share", "median_weight", "at_least_ten",
               "earlier_with_criteria", "earlier_with_social_value")


def social_rows(figures: dict, view: View) -> list[list[tuple[str, str]]]:
    return [[("Procurement Act procurements with weighted criteria", f"{figures['weighted']:,}"),
             ("With a social value criterion", f"{figures['with_social_value']:,}"),
             ("Share (a lower bound)", pct(figures["social_value_share"])),
             ("Median weight", "–" if figures["median_weight"] is None else f"{figures['median_weight']:g}%")]]


def social_procurements(run, view: View, limit, offset):
    return run(kil.social_value_procurements, view.filters, limit, offset)


SOCIAL_VALUE = (
    Metrics("social-value", STEPS[1], picked(*SOCIAL_KEYS), social_rows,
            lambda f, view: words.social_value_sentence(f), notes=(words.earlier_rules_note,)),
    Chart("social-value-weights", "The weight of social value criteria",
          lambda run, view: kil.social_value_weights(process(run, view)),
          of_frame(keep_it_local_charts.social_value_weights), of_frame(words.weights_sentence),
          of_frame(words.weights_alt),
          notes=("Central government must weigh social value at 10% or more (PPN 06/20, PPN 002); councils are "
                 "not bound, and some use 20-30%.",)),
    Table("social-value-procurements", "Procurements with a social value criterion", social_procurements,
          lambda run, view: run(kil.social_value_count, view.filters), tuple(kil.SOCIAL_VALUE_COLUMNS)),
)


def capacity(run, view: View) -> dict:
    """The award shares and awards to small organisations, with the bids from the procurements."""
    bids = ("with_sme_bids", "sme_bid_share", "with_vcse_bids", "vcse_bid_share")
    return {**outcome(run, view), **kil.small_organisations(run(overview.summary, view.filters)),
            **picked(*bids)(run, view)}


def capacity_rows(figures: dict, view: View) -> list[list[tuple[str, str]]]:
    bids = [("SME share of bids", pct(figures["sme_bid_share"])),
            ("Procurements with SME bid figures", f"{figures['with_sme_bids']:,}"),
            ("VCSE share of final-stage bids", pct(figures["vcse_bid_share"])),
            ("Procurements with VCSE bid figures", f"{figures['with_vcse_bids']:,}")]
    small = [("Awards to small organisations", f"{round(figures['small_awards']):,}"),
             ("Their value", money(figures["small_value"]))]
    return [shares_row(figures, (("sme", "SME"), ("vcse", "VCSE"))), small, bids]


CAPACITY = (
    Metrics("capacity", STEPS[2], capacity, capacity_rows, lambda f, view: words.capacity_sentence(f),
            notes=("Small organisations: SMEs and VCSEs, whatever their size (a VCSE is counted once). Bids only "
                   "where a notice publishes bid statistics, from the latest notice that states them.",)),
)


def size(run, view: View) -> dict:
    """The value above the cap (as on Value bands) and the large procurements' lots."""
    lots = ("cap", "large", "not_divided", "with_reason", "lots_unknown", "not_divided_share")
    above = run(value_bands.above_cap, view.filters, view["cap"])
    return {"value_above_share": above["value_share"], **picked(*lots)(run, view)}


def size_rows(figures: dict, view: View) -> list[list[tuple[str, str]]]:
    return [[("Share of value above the cap", pct(figures["value_above_share"])),
             ("Procurements over the cap, lots known", f"{figures['large']:,}"),
             ("Not divided into lots", f"{figures['not_divided']:,}"),
             ("Share not divided", pct(figures["not_divided_share"]))]]


def lots_reasons(run, view: View, limit, offset):
    return run(kil.lots_reasons, view.filters, view["lots_search"], limit, offset)


def lots_total(run, view: View) -> int:
    return run(kil.reason_count, view.filters, "no_lots_rationale", view["lots_search"])


SIZE = (
    Metrics("contract-size", STEPS[3], size, size_rows, lambda f, view: words.size_sentence(f["value_above_share"], f),
            notes=(words.lots_unknown_note,)),
    Table("lots-reasons", "Reasons given for not dividing into lots", lots_reasons, lots_total,
          tuple(kil.REASON_COLUMNS),
          reading=lambda run, view, total: words.reasons_sentence(total, "not dividing into lots", view["lots_search"]),
          notes=("Every procurement that states a reason, whatever its value; the figures above count only those "
                 "over the cap.",)),
)


def engagement_rows(figures: dict, view: View) -> list[list[tuple[str, str]]]:
    return [[("Procurement Act procurements beyond planning (not direct awards)", f"{figures['engagement_base']:,}"),
             ("With a market engagement notice (UK2)", f"{figures['engaged']:,}"),
             ("Share", pct(figures["engagement_share"])), ("Reason stated for none", f"{figures['reason_given']:,}")]]


def engagement_reasons(run, view: View, limit, offset):
    return run(kil.engagement_reasons, view.filters, view["engagement_search"], limit, offset)


def engagement_total(run, view: View) -> int:
    return run(kil.reason_count, view.filters, "no_engagement_rationale", view["engagement_search"])


CO_DESIGN = (
    Metrics("co-design", STEPS[4],
            picked("engagement_base", "engaged", "engagement_share", "reason_given", "planning_only"), engagement_rows,
            lambda f, view: words.engagement_sentence(f),
            notes=(words.planning_note,)),
    Table("engagement-reasons", "Reasons given for holding no market engagement", engagement_reasons,
          engagement_total, tuple(kil.REASON_COLUMNS),
          reading=lambda run, view, total: words.reasons_sentence(total, "holding no market engagement",
                                                                  view["engagement_search"])),
)


def network_rows(run, view: View):
    """The network's councils in the store (and the council chosen, when it is not one of
    them) side by side, under the page's filters but for the council choice."""
    chosen = view["council"]
    members = run(kil.network_councils, network.codes())
    names = sorted({*members, *([chosen] if chosen else [])})
    frame = run(kil.councils_side_by_side, replace(view.filters, buyers=()), tuple(names), chosen, view["cap"])
    return frame.assign(in_network=frame["council"].isin(members))


NETWORK = Table("network", "The Keep it Local network councils side by side", *paged_frame(network_rows),
                ("council", "in_network", *kil.PEER_COLUMNS[1:]),
                reading=lambda run, view, total: words.network_sentence(network_rows(run, view), network.LABEL,
                                                                         len(network.members())),
                notes=(network.sentence(),))


BLOCKS = PLACE + SOCIAL_VALUE + CAPACITY + SIZE + CO_DESIGN + (NETWORK,)


def choose_council(filters) -> str | None:
    """One council, or all buyers (the sidebar's filters still apply)."""
    councils = widgets.query(scorecard.councils)
    widgets.linked_council_not_held(councils)
    return st.selectbox("Council", councils, index=None, key="council", bind="query-params",
                        placeholder="All buyers (choose a council to see one)")


def search(label: str, key: str) -> str:
    return st.text_input(label, key=key, bind="query-params", placeholder="Words in the reason, e.g. single supplier")


def render() -> None:
    filters = widgets.page_filters()
    st.title("Keep it Local, step by step")
    st.caption("The campaign asks councils for five things. Each step here is measured as far as the published "
               "notices allow, and each figure says what it is of.")
    council = choose_council(filters)
    if council:
        filters = replace(filters, buyers=(council,))
    unused = filters.unused_for_procurements()
    if unused:
        st.caption(f"Procurement figures (steps 2, 4 and 5, and bids) do not follow: {', '.join(unused)}; a "
                   "procurement has no supplier yet.")
    st.caption(definitions.KEEP_IT_LOCAL_COVERAGE)
    widgets.left_out_line(filters)
    view = View(filters).having(**{**INPUTS, "council": council})
    blocks.show(PLACE + SOCIAL_VALUE + CAPACITY, view)
    cap = st.number_input("Cap on contract value (£)", min_value=1_000, max_value=10_000_000_000, value=DEFAULT_CAP,
                          step=100_000, key="cap", bind="query-params")
    view = view.having(cap=float(cap))
    blocks.show(SIZE[:1], view)
    view = view.having(lots_search=search("Search the reasons for not dividing", "lots_search"))
    blocks.show(SIZE[1:] + CO_DESIGN[:1], view)
    view = view.having(engagement_search=search("Search the reasons for no engagement", "engagement_search"))
    blocks.show(CO_DESIGN[1:] + (NETWORK,), view)


if __name__ == "__main__":
    widgets.run_page(render)
