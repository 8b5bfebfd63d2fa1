"""Value bands: how awards and value spread across contract sizes (bands the user can redraw),
the procurement thresholds, SME and local shares per band, and a contract-size cap what-if."""

import streamlit as st

from queries import bands
from queries.export import csv_bytes
from queries.formatting import money, pct
from ui import charts, size_charts, widgets

PAGE_SIZE = 100
DEFAULT_CAP = 1_000_000

filters = widgets.page_filters()
st.title("How big are the contracts?")
st.caption("Bands are of each award's whole value; a value exactly on a breakpoint goes to the higher "
           "band; awards with no usable value are shown as unknown.")
widgets.left_out_line(filters)
measure = widgets.measure_switch()

typed = st.text_input("Band breakpoints (£)", value=bands.DEFAULT_TEXT, key="bands", bind="query-params",
                      help="Amounts separated by commas, e.g. 25k, 100k, 500k, 1m, 5m, 25m (k = thousand, "
                           "m = million, bn = billion).")
edges, problem = bands.edges_or_default(typed)
if problem:
    st.warning(widgets.plain(problem))

frame = widgets.query(bands.band_distribution, filters, edges)
widgets.chart_block("Awards and value by value band", charts.breakdown_bar(frame, measure), frame,
                    bands.distribution_sentence(frame, measure), bands.distribution_alt(frame, measure),
                    filters, "value-bands")

first, last = widgets.query(bands.period_shown, filters)
thresholds = bands.thresholds_in_force(first, last)
histogram = widgets.query(bands.value_histogram, filters)
widgets.chart_block("Award sizes and the procurement thresholds",
                    size_charts.value_histogram(histogram, measure, thresholds), histogram,
                    bands.histogram_sentence(histogram, measure), bands.histogram_alt(histogram, measure, thresholds),
                    filters, "value-histogram")
st.caption(bands.threshold_caption(thresholds, first))
unplotted = widgets.query(bands.unplotted_awards, filters)
if unplotted:
    st.caption(f"Not in the histogram: {unplotted:,.0f} awards with no value or a value under £1.")


widgets.chart_block("SME and local shares in each band", size_charts.band_shares(frame, measure), frame,
                    bands.band_shares_sentence(frame, measure), bands.band_shares_alt(frame, measure),
                    filters, "band-shares")
st.caption("SME counts every SME, VCSE or not. Local follows the definition chosen in the sidebar. "
           "Unknown size or location counts as neither.")

st.header("What if contracts were capped?")
st.caption("Splitting large contracts into smaller lots lets small and local organisations bid. "
           "Set a cap to see how much sits above it, and who awards it.")
cap = float(st.number_input("Cap on contract value (£)", min_value=1_000, max_value=10_000_000_000,
                            value=DEFAULT_CAP, step=100_000, key="cap", bind="query-params"))
summary = widgets.query(bands.above_cap, filters, cap)
columns = st.columns(4)
columns[0].metric("Awards above the cap", f"{summary['awards_above']:,.0f}")
columns[1].metric("Share of awards", pct(summary["awards_share"]))
columns[2].metric("Value above the cap", money(summary["value_above"]))
columns[3].metric("Share of value", pct(summary["value_share"]))
st.text(bands.cap_sentence(summary))

st.subheader("Buyers awarding most above the cap")
buyers = widgets.query(bands.buyers_above_cap, filters, cap, measure)
st.text(bands.buyers_sentence(buyers, cap, measure))
size_charts.notice_table(buyers, "buyers-above-cap", f"The buyers awarding most above {money(cap)}, "
                                                     f"{'by value' if measure == 'value' else 'by count'}.")
widgets.data_downloads(buyers, filters, "buyers-above-cap")

st.subheader("Contracts above the cap")
offset = size_charts.pager(summary["contracts_above"], PAGE_SIZE, "cap-contracts-page")
contracts = widgets.query(bands.contracts_above_cap, filters, cap, PAGE_SIZE, offset)
size_charts.notice_table(contracts, "contracts-above-cap",
                         f"Contracts over {money(cap)}, largest first, rows {offset + 1} to "
                         f"{offset + len(contracts)} of {summary['contracts_above']:,}.")
st.caption("Reason for not dividing into lots: the text of any field of the notice's releases whose name "
           "mentions lots and a reason or justification (the Find a Tender field for it is not confirmed); "
           "\"not stated\" where the notices give none.")
st.download_button(f"Download all {summary['contracts_above']:,} contracts above the cap (CSV)",
                   lambda: csv_bytes(widgets.query(bands.contracts_above_cap, filters, cap, None, 0)),
                   file_name=f"contracts-above-{int(cap)}_{filters.slug()}.csv", mime="text/csv",
                   key="cap-contracts-download", on_click="ignore")
