"""Provider size: SME / VCSE / large / unknown, overall, over time, by buyer type, category and
CPV division, and the largest awards to large suppliers."""

import streamlit as st

from queries import overview, providers
from readings import breakdowns as readings
from queries.export import csv_bytes
from ui import charts, size_charts, widgets

SPLITS = (
    ("year", "Provider size by financial year"),
    ("buyer_type", "Provider size by buyer type"),
    ("category", "Provider size by category (goods, services, works)"),
)
TOP_DIVISIONS = 10
PAGE_SIZE = 100

filters = widgets.page_filters()
st.title("Small or large: who wins the contracts?")
st.caption("Size is as each supplier declared it in the notice (SME: fewer than 250 staff and limited "
           "turnover or balance sheet). VCSE organisations (voluntary, community and social enterprise) "
           "form their own group whatever their size, so the groups add up to the total. Both describe "
           "direct awards only and say nothing of subcontracting.")
widgets.left_out_line(filters)
measure = widgets.measure_switch()

frame = overview.breakdown(widgets.query(overview.summary, filters), "provider")
widgets.chart_block("Spend by provider size", charts.breakdown_bar(frame, measure), frame,
                    readings.largest_group(frame, measure), readings.bar_alt(frame, measure, "provider size"),
                    filters, "provider")

for split, title in SPLITS:
    frame = widgets.query(providers.provider_split, filters, split, widgets.data_period(filters))
    reading = (providers.year_sentence(frame, measure) if split == "year"
               else providers.split_sentence(frame, measure, split))
    widgets.chart_block(title, size_charts.provider_stack(frame, measure, split), frame, reading,
                        providers.stack_alt(frame, measure, split), filters, f"provider-{split}")

frame = widgets.query(providers.provider_by_division, filters, measure, TOP_DIVISIONS)
widgets.chart_block(f"Provider size in the top {TOP_DIVISIONS} CPV divisions",
                    size_charts.provider_stack(frame, measure, "cpv_division"), frame,
                    providers.split_sentence(frame, measure, "cpv_division"),
                    providers.stack_alt(frame, measure, "cpv_division"), filters, "provider-cpv")
st.caption("A CPV division is the first two digits of the notice's main CPV code (e.g. 45 is construction "
           "work); it is named where a notice uses the division's own code.")

st.subheader("Largest awards to large suppliers")
total = widgets.query(providers.large_award_rows, filters)
st.text(providers.largest_sentence(widgets.query(providers.largest_large_awards, filters, 1, 0)))
offset = size_charts.pager(total, PAGE_SIZE, "large-awards-page")
table = widgets.query(providers.largest_large_awards, filters, PAGE_SIZE, offset)
size_charts.notice_table(table, "large-awards", f"Awards to large suppliers, rows {offset + 1} to "
                                                 f"{offset + len(table)} of {total:,}, largest first.")
st.caption(f"{total:,} award rows to suppliers that declared themselves large; {PAGE_SIZE} a page. A joint "
           "award's value is split equally among its suppliers (Supplier's share).")
st.download_button(f"Download all {total:,} rows (CSV)",
                   lambda: csv_bytes(widgets.query(providers.largest_large_awards, filters, None, 0)),
                   file_name=f"large-supplier-awards_{filters.slug()}.csv", mime="text/csv",
                   key="large-awards-download", on_click="ignore")
