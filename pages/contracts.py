"""Contracts: every filtered award row, searchable and sortable, a page at a time, each
linking to its public notice; the rows that match a search as a download (the router adds
the download of every filtered row, widgets.rows_download, below every page)."""

import streamlit as st

from queries import contracts
from queries.export import csv_bytes
from ui import tables, widgets

COLUMNS = (
    "award_date", "title", "buyer_name", "supplier_name", "supplier_size", "supplier_vcse", "locality",
    "value_gbp", "award_value_gbp", "n_suppliers", "value_band", "is_framework", "contract_end", "source",
    "notice_url")


def _first_page() -> None:
    """A new search or order starts again at page 1."""
    st.session_state["page_no"] = 1


filters = widgets.page_filters()
st.title("Contracts")
st.text("Every award in the filters, one row per award and supplier (a joint award has a row per "
        "supplier, each with its equal share of the value). Each row links to its public notice.")
widgets.left_out_line(filters)

search_col, sort_col, order_col = st.columns([3, 2, 1])
search = search_col.text_input("Search titles, buyers and suppliers", key="search", bind="query-params",
                               placeholder="part of a title or name, e.g. care", on_change=_first_page).strip()
sort = sort_col.selectbox("Sort by", list(contracts.SORTS), key="sort", bind="query-params", on_change=_first_page)
direction = order_col.selectbox("Order", list(contracts.DIRECTIONS), key="order", bind="query-params",
                                on_change=_first_page)

found = widgets.query(contracts.matching, filters, search)
pages = contracts.pages(found["rows"])
st.text(contracts.count_sentence(found, search))
page = st.number_input(f"Page (1 to {pages:,})", min_value=1, value=1, step=1, key="page_no",
                       bind="query-params", help=f"{contracts.PAGE_SIZE} rows a page")
page = min(int(page or 1), pages)
table = widgets.query(contracts.contracts, filters, search, sort, direction, page)
if found["rows"]:
    first = (page - 1) * contracts.PAGE_SIZE + 1
    st.text(f"Page {page:,} of {pages:,}: rows {first:,} to {first + len(table) - 1:,} of {found['rows']:,}.")
tables.table(table, "contracts", COLUMNS, height=560)

if search and found["rows"]:
    st.download_button(f"Download the {found['rows']:,} matching rows (CSV)",
                       lambda: csv_bytes(widgets.query(contracts.all_matching, filters, search)),
                       file_name=f"award-rows_{filters.slug()}_matching.csv", mime="text/csv",
                       key="matching-download", on_click="ignore")
