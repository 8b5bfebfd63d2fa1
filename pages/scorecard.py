"""Council scorecard: one council (picked by name or by postcode) against its peers, its rank,
trend, suppliers and their footprint, awards to national providers, contracts ending soon,
and how complete its data are."""

from dataclasses import replace
from datetime import date

import pandas as pd
import streamlit as st

from loaders.definitions import SMALL_NUMBERS
from loaders.geography import network
from queries import overview
from queries import scorecard as sc
from queries.filters import Filters
from queries.formatting import money, pct, whole
from readings import overview as overview_words
from readings import scorecard as words
from ui import blocks, charts, registry, widgets
from ui.blocks import Chart, Table, View, by_measure, of_frame, paged_frame

# The page's settings for the generic tests: the council of the registered example link, no
# other bodies or own list, today's date.
INPUTS = {"council": registry.page("scorecard").example["council"], "other_bodies": False, "peers": (),
          "today": None}
TOP_SUPPLIERS = 15
NATIONAL_AWARDS = 20  # the biggest awards to national providers shown
ROW_COLUMNS = (  # contracts ending, soonest first
    "contract_end", "award_date", "title", "supplier_name", "supplier_size", "supplier_vcse", "locality",
    "value_gbp", "award_value_gbp", "n_suppliers", "regions_served", "national_provider", "notice_url")
NATIONAL_COLUMNS = ("award_date", "title", "supplier_name", "supplier_size", "locality", "value_gbp",
                    "award_value_gbp", "n_suppliers", "regions_served", "councils_served", "contract_end",
                    "notice_url")
SUPPLIER_COLUMNS = ("supplier_name", "value_gbp", "awards", "supplier_size", "supplier_vcse", "supplier_home",
                    "locality", "regions_served", "councils_served", "national_provider")
PEER_COLUMNS = ("council", "this_council", "value_gbp", "awards", "valued_awards",
                *(f"{key}_{basis}_share" for key in sc.SHARES for basis in ("value", "count")), "region")
COVERAGE_COLUMNS = ("gap_label", "gap_rows", "council_rows", "gap_share", "peers_gap_share")


def rank_columns(keys) -> tuple[str, ...]:
    """The rank table's columns for these peer groups (type, region, network, list)."""
    return ("measure_label", "council_text",
            *(f"{key}_{part}" for key in keys for part in ("median_text", "rank_short")))


# --- the blocks' data: the council's filters, every council's figures, its peer groups --------

def mine(view: View) -> Filters:
    """The sidebar filters for the chosen council (it replaces the buyer, type and region choices)."""
    return sc.council_filters(view.filters, view["council"])


def today(view: View) -> date:
    return view.get("today") or date.today()


def peers_and_ranks(run, view: View) -> tuple[pd.DataFrame, dict, pd.DataFrame]:
    """Every council's figures (with the other local bodies when chosen), the chosen
    council's peer groups (none when it has no awards under the filters) and its ranks."""
    return run(sc.council_peers, sc.peer_filters(view.filters), bool(view["other_bodies"]), view["council"],
               tuple(view["peers"]))


def peers(run, view: View) -> tuple[pd.DataFrame, dict]:
    """Every council's figures and the chosen council's peer groups."""
    return peers_and_ranks(run, view)[:2]


def ranks(run, view: View) -> pd.DataFrame:
    return words.ranks_shown(peers_and_ranks(run, view)[2])


def ranks_reading(run, view: View, total: int) -> str:
    return words.ranks_sentence(ranks(run, view), view["council"], view.measure)


def members(run, view: View, key: str) -> pd.DataFrame:
    """The councils of one peer group, side by side (none when the council has no such group)."""
    table, groups = peers(run, view)
    return sc.group_members(table, groups.get(key, ("", ()))[1], view["council"], view.measure)


def members_reading(run, view: View, key: str) -> str:
    table, groups = peers(run, view)
    name, group = groups.get(key, (words.group_words(key), ()))
    return words.peers_sentence(members(run, view, key), view["council"], name, view.measure,
                                sc.unranked_members(table, group, view["council"]))


def trend(run, view: View) -> pd.DataFrame:
    return overview.trend(run(overview.summary, mine(view)), view.measure, blocks.period(run, view))


def suppliers(run, view: View) -> pd.DataFrame:
    return words.supplier_labels(run(sc.top_suppliers, mine(view), view.measure, TOP_SUPPLIERS))


def national(run, view: View) -> pd.DataFrame:
    return run(sc.national_awards, mine(view), NATIONAL_AWARDS)


def ending(run, view: View, limit: int | None, offset: int) -> pd.DataFrame:
    return run(sc.ending_contracts, mine(view), today(view), sc.ENDING_MONTHS, limit, offset)


def ending_summary(run, view: View) -> dict:
    return run(sc.ending_summary, mine(view), today(view), sc.ENDING_MONTHS)


def coverage_peers(run, view: View) -> tuple[str, tuple[str, ...]]:
    """The peers of the coverage table: the council's type, else its region (else none)."""
    groups = peers(run, view)[1]
    return groups.get("type", groups.get("region", ("", (view["council"],))))


def coverage(run, view: View) -> pd.DataFrame:
    """The council's data coverage beside its peers' (named in `peers_group`, `peers_councils`)."""
    name, councils = coverage_peers(run, view)
    frame = run(sc.coverage_against, view.filters, view["council"], councils)
    return frame.assign(peers_group=name, peers_councils=len(councils))


def peer_table(key: str) -> Table:
    """The councils of one peer group, side by side (the page shows the group picked)."""
    def of_group(run, view):
        return members(run, view, key)
    return Table(f"scorecard-peers-{key}", "Its peers, council by council", *paged_frame(of_group), PEER_COLUMNS,
                 reading=lambda run, view, total: members_reading(run, view, key),
                 notes=(network.sentence(),) if key == "network" else ())


RANKS = Table("scorecard-ranks", "Rank among its peers", *paged_frame(ranks), rank_columns(sc.PEER_KEYS),
              reading=ranks_reading, notes=(of_frame(words.groups_note), words.RANKS_NOTE + SMALL_NUMBERS))
PEERS = {key: peer_table(key) for key in sc.PEER_KEYS}
LATER = (
    Chart("scorecard-trend", "Local, SME and VCSE shares by financial year", trend, of_frame(charts.trend_lines),
          lambda frame, view: overview_words.trend_sentence(frame, view.measure, view["council"]),
          of_frame(overview_words.trend_alt), notes=(charts.PART_YEAR_NOTE,)),
    Chart("scorecard-suppliers", "Top suppliers and their footprint", suppliers, by_measure(charts.breakdown_bar),
          lambda frame, view: words.suppliers_sentence(frame, view["council"], view.measure),
          by_measure(words.suppliers_alt), notes=(words.SUPPLIERS_NOTE,)),
    Table("scorecard-suppliers-table", "Top suppliers: size, home and footprint", *paged_frame(suppliers),
          SUPPLIER_COLUMNS),
    Table("scorecard-national", "Biggest awards to national providers", *paged_frame(national), NATIONAL_COLUMNS,
          reading=lambda run, view, total: words.national_sentence(run(sc.national_summary, mine(view)),
                                                                   view["council"])),
    Table("scorecard-ending", f"Contracts ending in the next {sc.ENDING_MONTHS} months", ending,
          lambda run, view: ending_summary(run, view)["rows"], ROW_COLUMNS,
          reading=lambda run, view, total: words.ending_sentence(ending_summary(run, view), view["council"],
                                                                 today(view)),
          notes=(lambda frame, view: words.ENDING_NOTE if len(frame) else "",), page_size=200),
    Table("scorecard-coverage", "Data coverage", *paged_frame(coverage), COVERAGE_COLUMNS,
          reading=lambda run, view, total: words.coverage_sentence(coverage(run, view), view["council"]),
          notes=(of_frame(words.coverage_note),)),
)
BLOCKS = (RANKS, *PEERS.values(), *LATER)


def example_inputs(run) -> dict:
    """Settings that show every block with data on any store: the council with the most awards."""
    table = run(sc.council_table, sc.peer_filters(Filters()), False)
    largest = table.sort_values(["awards", "council"], ascending=[False, True])["council"]
    return {"council": largest.iloc[0]} if len(largest) else {}


# --- drawing --------------------------------------------------------------------------------

def _forget_postcode() -> None:
    """A council picked by name replaces one found by postcode (and clears it from the URL)."""
    st.session_state["postcode"] = ""
    st.session_state["scorecard_postcode_used"] = ""


def by_postcode(councils: list[str]) -> tuple[dict | None, str | None]:
    """The postcode typed, placed (None when none is typed), and the council it finds when it
    was typed just now (else None)."""
    postcode = st.text_input("Council by postcode", key="postcode", bind="query-params",
                             placeholder="e.g. LS1 1UR or LS1",
                             help="A postcode or postcode district, placed through the store's postcode table.")
    placed = widgets.query(sc.council_for_postcode, postcode.strip()) if postcode.strip() else None
    fresh = placed is not None and st.session_state.get("scorecard_postcode_used") != postcode
    st.session_state["scorecard_postcode_used"] = postcode
    return placed, placed["council"] if fresh and placed["council"] in councils else None


def choose_council(councils: list[str], filters: Filters) -> str | None:
    """The council picked by name, or found from a postcode just typed (which then moves the
    name picker to it, so the URL and the picker always agree)."""
    widgets.linked_council_not_held(councils)
    name_column, postcode_column = st.columns([2, 1])
    with postcode_column:
        placed, target = by_postcode(councils)
    set_now = bool(target) or "scorecard_council_pending" in st.session_state
    if set_now:
        st.session_state["council"] = target or st.session_state.pop("scorecard_council_pending")
    # With one council chosen in the sidebar, start from it (a default beside a value set in
    # code would draw Streamlit's warning, so none then).
    default = filters.buyers[0] if len(filters.buyers) == 1 and filters.buyers[0] in councils else None
    index = councils.index(default) if default and not set_now else None
    with name_column:
        council = st.selectbox("Council", councils, index=index, key="council", bind="query-params",
                               placeholder="Choose a council", on_change=_forget_postcode)
    if target and council != target:
        # On a page's first load the URL's council beats a value set in code: set it again
        # on a rerun, where the postcode (typed later than any name) wins.
        st.session_state["scorecard_council_pending"] = target
        st.rerun()
    if placed is not None:
        _postcode_note(placed)
    return council


def _postcode_note(placed: dict) -> None:
    """Say where the postcode was placed, or clearly why no council was found."""
    where = placed["query"]  # normalised postcode or outward code: letters, digits, a space
    if placed["problem"] == "invalid":
        st.warning("That is not a UK postcode or postcode district (for example LS1 1UR, or LS1).")
    elif placed["problem"] == "unplaced":
        st.warning(f"Neither {where} nor its postcode district is among the places this store knows. "
                   "Pick the council by name instead.")
    elif placed["problem"] == "no_council":
        st.warning(f"No council in these data covers {where}.")
        county = f", {placed['county_name']}" if placed["county_name"] else ""
        st.text(f"{where} is in {placed['lad_name']}{county}, but no council for that area has awards in the data.")
    else:
        how = "" if placed["precision"] == "postcode" else " (placed by its postcode district)"
        also = f" Also covering it: {', '.join(placed['others'])}." if placed["others"] else ""
        st.text(f"{where} is in {placed['lad_name']}{how}: {placed['council']}.{also}")


def figures(row) -> None:
    """The council's value, awards and shares by value and by count, with what they are of."""
    totals = st.columns(2)
    totals[0].metric("Total award value", money(row["value_gbp"]) if row["valued_awards"] else "–")
    totals[1].metric("Awards", f"{whole(row['awards']):,}")
    for basis in ("value", "count"):
        shares = st.columns(3)
        for column, (key, label) in zip(shares, (("local", "Local"), ("sme", "SME"), ("vcse", "VCSE"))):
            column.metric(f"{label} (by {basis})", pct(row[f"{key}_{basis}_share"]))
    st.caption(overview_words.base_text({"total_value": row["value_gbp"], "valued_awards": row["valued_awards"],
                                         "awards": row["awards"]}))
    st.caption(words.unknown_sentence(row))


def headline(view: View, own: pd.DataFrame) -> None:
    """Who the council is, its figures, what the value totals leave out, and its award rows."""
    st.text(words.describe_council(own, view["council"]))
    region = own.loc[own["council"] == view["council"], "region"].iloc[0]
    st.caption(words.sources_sentence(view["council"], region, widgets.query(sc.sources_held, mine(view))))
    st.caption(words.FILTERS_NOTE)
    figures(own.loc[own["council"] == view["council"]].iloc[0])
    widgets.left_out_line(mine(view))
    blocks.rows_download(mine(view), "rows-council", "this council's award rows")


def peer_settings(view: View) -> View:
    """Whether other local bodies count for the peers, and the user's own list of peers."""
    st.header("Against its peers")
    with_others = st.toggle("Include other local buyers placed in each council's area", key="other_bodies",
                            bind="query-params", help=words.OTHER_BODIES_HELP)
    added = widgets.query(sc.other_bodies_added, sc.peer_filters(view.filters), view["council"])
    st.text(words.other_bodies_sentence(added, view["council"], with_others))
    chosen = st.multiselect("Your own list of councils to compare with", widgets.query(sc.councils), key="peers",
                            bind="query-params",
                            help="Any councils you want to compare with, for example your neighbours.")
    return view.having(other_bodies=bool(with_others), peers=tuple(chosen))


def show_peers(view: View) -> None:
    """The ranks in each peer group the council has, then one group's councils side by side."""
    keys = list(peers(widgets.query, view)[1])
    blocks.show((replace(RANKS, columns=rank_columns(keys)),), view)
    if keys:
        chosen = st.segmented_control("Peer group", keys, format_func=words.PEER_GROUPS.get, default=keys[0],
                                      key="peer_group", bind="query-params")
        blocks.show((PEERS[chosen if chosen in keys else keys[0]],), view)


def render() -> None:
    filters = widgets.page_filters()
    st.title("Council scorecard")
    st.text(words.INTRO)
    council = choose_council(widgets.query(sc.councils), filters)
    if council is None:
        st.info("Pick a council by name, or type a postcode, to see its scorecard.")
        return
    view = View(filters).having(**{**INPUTS, "council": council, "today": date.today()})
    own = widgets.query(sc.council_table, sc.peer_filters(filters), False)
    if council not in set(own["council"]):
        st.info("The chosen council has no awards under these filters. Widen the dates or other filters in "
                "the sidebar.")
        return
    headline(view, own)
    view = peer_settings(view)
    show_peers(view)
    blocks.show(LATER, view)


if __name__ == "__main__":
    widgets.run_page(render)
