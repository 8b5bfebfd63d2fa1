"""Council scorecard: one council (picked by name or by postcode) against its peers, its rank,
trend, suppliers and their footprint, awards to national providers, contracts ending soon,
and how complete its data are."""

import math
from datetime import date

import streamlit as st

from loaders.definitions import SMALL_NUMBERS
from queries import overview
from readings import overview as readings
from queries import scorecard as sc
from queries.formatting import money, pct
from ui import blocks, charts, tables, widgets

PAGE_ROWS = 200  # rows of a table shown at once; the download has them all
ROW_COLUMNS = (  # the award-row tables: national providers' awards, contracts ending
    "contract_end", "award_date", "title", "supplier_name", "supplier_size", "supplier_vcse", "locality",
    "value_gbp", "award_value_gbp", "n_suppliers", "regions_served", "councils_served", "national_provider",
    "notice_url")
NATIONAL_COLUMNS = (*ROW_COLUMNS[1:-1], "contract_end", "notice_url")  # award date first, end date after


def _forget_postcode() -> None:
    """A council picked by name replaces one found by postcode (and clears it from the URL)."""
    st.session_state["postcode"] = ""
    st.session_state["scorecard_postcode_used"] = ""


def choose_council(councils: list[str], filters) -> str | None:
    """The council picked by name, or found from a postcode just typed (which then moves the
    name picker to it, so the URL and the picker always agree)."""
    by_name, by_postcode = st.columns([2, 1])
    with by_postcode:
        postcode = st.text_input("Council by postcode", key="postcode", bind="query-params",
                                 placeholder="e.g. LS1 1UR or LS1",
                                 help="A postcode or postcode district, placed through the store's postcode table.")
    placed = widgets.query(sc.council_for_postcode, postcode.strip()) if postcode.strip() else None
    fresh = placed is not None and st.session_state.get("scorecard_postcode_used") != postcode
    target = placed["council"] if fresh and placed["council"] in councils else None
    set_now = bool(target) or "scorecard_council_pending" in st.session_state
    if set_now:
        st.session_state["council"] = target or st.session_state.pop("scorecard_council_pending")
    st.session_state["scorecard_postcode_used"] = postcode
    # With one council chosen in the sidebar, start from it (a default beside a value set in
    # code would draw Streamlit's warning, so none then).
    default = filters.buyers[0] if len(filters.buyers) == 1 and filters.buyers[0] in councils else None
    index = councils.index(default) if default and not set_now else None
    with by_name:
        council = st.selectbox("Council", councils, index=index, key="council", bind="query-params",
                               placeholder="Choose a council",
                               on_change=_forget_postcode)
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
    totals[1].metric("Awards", f"{row['awards']:,.0f}")
    for basis in ("value", "count"):
        shares = st.columns(3)
        for column, (key, label) in zip(shares, (("local", "Local"), ("sme", "SME"), ("vcse", "VCSE"))):
            column.metric(f"{label} (by {basis})", pct(row[f"{key}_{basis}_share"]))
    st.caption(readings.base_text({"total_value": row["value_gbp"], "valued_awards": row["valued_awards"],
                                   "awards": row["awards"]}))
    st.caption(sc.unknown_sentence(row))


def ranks_block(table, council, groups, measure, filters) -> None:
    """The council's figure, the peer medians and its rank in each peer group."""
    ranks = sc.rank_table(table, council, groups)
    st.subheader("Rank among its peers")
    st.text(sc.ranks_sentence(ranks, council, measure))
    config = {"label": "Measure", "council_text": "This council"}
    for key, (name, members) in groups.items():
        config[f"{key}_median_text"] = f"Median, {name} ({len(members)})"
        config[f"{key}_rank_short"] = f"Rank among {name}"
    st.dataframe(ranks, column_order=list(config), column_config=config, hide_index=True)
    st.caption("Rank 1 is the highest figure; councils with equal figures share a rank (\"joint\"). "
               "Medians take each council once, whatever its size. " + SMALL_NUMBERS)
    widgets.data_downloads(ranks, filters, "scorecard-ranks")


def peers_block(table, council, groups, measure, filters) -> None:
    """Every council of one peer group, side by side."""
    st.subheader("Its peers, council by council")
    keys = list(groups)
    chosen = st.segmented_control("Peer group", keys, format_func=sc.PEER_GROUPS.get, default=keys[0],
                                  key="peer_group", bind="query-params") or keys[0]
    name, members = groups.get(chosen, groups[keys[0]])
    frame = sc.group_members(table, members, council, measure)
    st.text(sc.peers_sentence(frame, council, name, measure, sc.unranked_members(table, members, council)))
    shares = [f"{k}_{b}_share" for k in sc.SHARES for b in ("value", "count")]
    tables.table(frame, "scorecard-peers",
                 ("council", "this_council", "value_gbp", "awards", "valued_awards", *shares, "region"))
    widgets.data_downloads(frame, filters, f"scorecard-peers-{chosen}")


def paged(frame, key: str):
    """At most PAGE_ROWS rows of `frame`, with a page picker when there are more."""
    pages = max(1, math.ceil(len(frame) / PAGE_ROWS))
    page = st.number_input(f"Page (of {pages})", 1, pages, key=key) if pages > 1 else 1
    return frame.iloc[(page - 1) * PAGE_ROWS: page * PAGE_ROWS]


def scorecard(council: str, filters) -> None:
    own = widgets.query(sc.council_table, sc.peer_filters(filters))
    if council not in set(own["council"]):
        st.info("The chosen council has no awards under these filters. Widen the dates or other filters in "
                "the sidebar.")
        return
    mine = sc.council_filters(filters, council)
    row = own.loc[own["council"] == council].iloc[0]
    st.text(sc.describe_council(own, council))
    st.caption("The sidebar filters apply (dates, source, supplier size, category, frameworks, what local "
               "means); the council chosen here replaces the sidebar's buyer, buyer type and region choices.")
    figures(row)
    widgets.left_out_line(mine)
    blocks.rows_download(mine, "rows-council", "this council's award rows")
    measure = widgets.measure_switch()

    st.header("Against its peers")
    with_others = st.toggle("Include other local buyers placed in each council's area", key="other_bodies",
                            bind="query-params",
                            help="NHS bodies, police and fire, schools, housing associations and other buyers that "
                                 "are not central government count for the councils whose area holds their address.")
    added = widgets.query(sc.other_bodies_added, sc.peer_filters(filters), council)
    st.text(sc.other_bodies_sentence(added, council, with_others))
    table = widgets.query(sc.council_table, sc.peer_filters(filters), with_others) if with_others else own
    peers = st.multiselect("Your own list of councils to compare with", widgets.query(sc.councils), key="peers",
                           bind="query-params",
                           help="For example the councils that have signed up to the Keep It Local principles.")
    groups = sc.peer_groups(table, council, tuple(peers))
    ranks_block(table, council, groups, measure, mine)
    peers_block(table, council, groups, measure, mine)

    trend = overview.trend(widgets.query(overview.summary, mine), measure, widgets.data_period(mine))
    widgets.chart_block("Local, SME and VCSE shares by financial year", charts.trend_lines(trend), trend,
                        readings.trend_sentence(trend, measure, council), readings.trend_alt(trend), mine,
                        "scorecard-trend")
    st.caption(charts.PART_YEAR_NOTE)

    suppliers = widgets.query(sc.top_suppliers, mine, measure, 15)
    widgets.chart_block("Top suppliers and their footprint", charts.breakdown_bar(suppliers, measure), suppliers,
                        sc.suppliers_sentence(suppliers, council, measure), sc.suppliers_alt(suppliers, measure),
                        mine, "scorecard-suppliers")
    st.caption(f"{sc.NATIONAL_PROVIDER_TEXT} Regions and councils served count every award in the data, "
               "whatever the filters.")
    tables.table(suppliers, "scorecard-suppliers-table",
                 ("supplier_name", "value_gbp", "awards", "supplier_size", "supplier_vcse", "supplier_home",
                  "locality", "regions_served", "councils_served", "national_provider"))

    st.subheader("Biggest awards to national providers")
    st.text(sc.national_sentence(widgets.query(sc.national_summary, mine), council))
    national = widgets.query(sc.national_awards, mine, 20)
    if not national.empty:
        tables.table(national, "scorecard-national", NATIONAL_COLUMNS)
        widgets.data_downloads(national, mine, "scorecard-national")

    today = date.today()
    st.subheader(f"Contracts ending in the next {sc.ENDING_MONTHS} months")
    ending = widgets.query(sc.ending_contracts, mine, today)
    st.text(sc.ending_sentence(ending, council, today))
    if not ending.empty:
        st.caption("Chances to re-commission, perhaps locally or in smaller lots. End dates are as the notices "
                   "state them; many notices give none.")
        tables.table(paged(ending, "ending_page"), "scorecard-ending", ROW_COLUMNS)
        widgets.data_downloads(ending, mine, "scorecard-ending")

    st.subheader("Data coverage")
    type_peers = groups.get("type", groups.get("region", ("", (council,))))
    gaps = widgets.query(sc.coverage_against, filters, council, type_peers[1])
    st.text(sc.coverage_sentence(gaps, council))
    st.dataframe(gaps, hide_index=True, column_order=["label", "missing", "rows", "share", "peers_share"],
                 column_config={"label": "Award rows with", "missing": "This council (rows)", "rows": "Of rows",
                                "share": st.column_config.ProgressColumn("This council", format="percent",
                                                                         min_value=0, max_value=1),
                                "peers_share": st.column_config.ProgressColumn(
                                    f"All {type_peers[0] or 'peer councils'}", format="percent",
                                    min_value=0, max_value=1)})
    widgets.data_downloads(gaps, mine, "scorecard-coverage")


filters = widgets.page_filters()
st.title("Council scorecard")
st.text("How much of a council's contract money stays local, goes to small firms and charities, "
        "or goes to national providers, against similar councils.")
chosen = choose_council(widgets.query(sc.councils), filters)
if chosen is None:
    st.info("Pick a council by name, or type a postcode, to see its scorecard.")
else:
    scorecard(chosen, filters)
