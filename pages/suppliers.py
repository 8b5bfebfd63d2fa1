"""Suppliers: the largest suppliers with their size, VCSE status, home area and footprint
(national providers), a search by name, and one supplier's awards with notice links."""

import re

import streamlit as st

from queries import suppliers
from queries.export import csv_bytes
from queries.rows import ROW_CAP
from ui import charts, tables, widgets

SUPPLIER_COLUMNS = (
    "supplier_name", "size_group", "supplier_size", "supplier_vcse", "home_district", "home_region", "home_country",
    "value_gbp", "awards", "award_rows", "value_share", "count_share", "regions_served", "councils_served", "buyers_served",
    "national_provider")
AWARD_COLUMNS = (
    "award_date", "title", "buyer_name", "buyer_type", "buyer_region", "locality", "value_gbp",
    "award_value_gbp", "n_suppliers", "value_band", "supplier_size", "supplier_vcse", "is_framework",
    "contract_end", "source", "notice_url")

filters = widgets.page_filters()
st.title("Who wins the contracts?")
st.text("The suppliers that win the most, how big they are, where they are based and how many "
        "regions they work in.")
widgets.left_out_line(filters)
measure = widgets.measure_switch()

chart = widgets.query(suppliers.top_chart, filters, measure)
widgets.chart_block(f"The {suppliers.CHART_SUPPLIERS} largest suppliers "
                    f"{'by value' if measure == 'value' else 'by number of awards'}",
                    charts.breakdown_bar(chart, measure), chart, suppliers.top_reading(chart, measure),
                    suppliers.top_alt(chart, measure), filters, "top_suppliers")
st.caption("Each bar is coloured by the supplier's size group (SME, VCSE, Large or Unknown), "
           "also named beside the supplier.")

st.subheader("Suppliers: size, home area and footprint")
st.caption(f"{suppliers.NATIONAL_PROVIDER_TEXT} {suppliers.ATTRIBUTES_TEXT}")
search = st.text_input("Search suppliers by name", key="supplier_search", bind="query-params",
                       placeholder="part of a name, e.g. care").strip()
table = widgets.query(suppliers.top_suppliers, filters, measure, search)
if search:
    st.text(f'{len(table):,} supplier{"s" if len(table) != 1 else ""} whose name contains "{search}"'
            + (f" (the largest {suppliers.TOP_SHOWN} shown)." if len(table) == suppliers.TOP_SHOWN else "."))
else:
    st.text(f"The {len(table):,} largest suppliers {'by value' if measure == 'value' else 'by number of awards'}.")
tables.table(table, "suppliers", SUPPLIER_COLUMNS)
widgets.data_downloads(table, filters, "suppliers")

st.subheader("One supplier's awards")
if table.empty:
    st.info("No supplier matches: try another part of the name, or widen the filters.")
else:
    labels = suppliers.pick_labels(table)
    key = st.selectbox("Supplier", list(labels), format_func=labels.get, key="supplier_pick",
                       help="Any supplier in the table above; search by name to find others.")
    st.text(suppliers.supplier_sentence(table, key))
    awards = widgets.query(suppliers.supplier_awards, filters, key)
    total = widgets.query(suppliers.supplier_award_count, filters, key)
    st.text(f"Showing {len(awards):,} of {total:,} award row{'s' if total != 1 else ''}, newest first"
            + (" (download them all below)." if total > len(awards) else "."))
    tables.table(awards, "supplier-awards", AWARD_COLUMNS)
    stem = re.sub(r"[^a-z0-9]+", "-", labels[key].lower()).strip("-")[:60]
    st.download_button(f"Download all {total:,} of this supplier's award rows (CSV)",
                       lambda: csv_bytes(widgets.query(suppliers.supplier_awards, filters, key, ROW_CAP)),
                       file_name=f"supplier-awards_{stem}_{filters.slug()}.csv", mime="text/csv",
                       key="supplier-awards-download", on_click="ignore")
