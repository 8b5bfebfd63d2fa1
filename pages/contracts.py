"""Contracts: every filtered award row, searchable and sortable, a page at a time, each
linking to its public notice; the table's downloads hold every matching row in the chosen
order (the router adds the download of every column of every filtered row below every page)."""

import streamlit as st

from queries import contracts
from readings import contracts as words
from ui import blocks, widgets
from ui.blocks import Table, View

PAGE_KEY = "page_no"  # the URL key of the page number, as links made before the pager used it
INPUTS = {"search": "", "sort": "Award date", "order": "Descending"}


def rows(run, view: View, limit: int | None, offset: int):
    """The matching rows in the chosen order, `limit` of them from `offset`."""
    return run(contracts.contracts, view.filters, view["search"], view["sort"], view["order"], limit, offset)


def found(run, view: View) -> dict:
    return run(contracts.matching, view.filters, view["search"])


BLOCKS = (
    Table("contracts", "Award rows", rows, lambda run, view: found(run, view)["rows"],
          tuple(contracts.CONTRACT_COLUMNS),
          lambda run, view, total: words.count_sentence(found(run, view), view["search"]),
          notes=(words.ORDER_NOTE,), page_size=contracts.PAGE_SIZE, page_key=PAGE_KEY, settings={"height": 560}),
)


def _first_page() -> None:
    """A new search or order starts again at page 1."""
    st.session_state[PAGE_KEY] = 1


def choices() -> dict:
    """The search, sort and order, each bound to the URL."""
    search_col, sort_col, order_col = st.columns([3, 2, 1])
    search = search_col.text_input("Search titles, buyers and suppliers", key="search", bind="query-params",
                                   placeholder="part of a title or name, e.g. care", help=words.SEARCH_HELP,
                                   on_change=_first_page)
    sort = sort_col.selectbox("Sort by", list(contracts.SORTS), key="sort", bind="query-params",
                              on_change=_first_page)
    order = order_col.selectbox("Order", list(contracts.DIRECTIONS), key="order", bind="query-params",
                                on_change=_first_page)
    return {"search": search.strip(), "sort": sort, "order": order}


def render() -> None:
    filters = widgets.page_filters()
    st.title("Contracts")
    st.text(words.INTRO)
    widgets.left_out_line(filters)
    view = View(filters).having(**choices())
    blocks.show(BLOCKS, view)


if __name__ == "__main__":
    widgets.run_page(render)
