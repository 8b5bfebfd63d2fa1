"""Suppliers: the largest suppliers with their size, VCSE status, home area and footprint
(national providers), a search by name, and one supplier's awards with notice links."""

import streamlit as st

from queries import suppliers
from queries.filters import Filters
from readings import suppliers as words
from ui import blocks, charts, widgets
from ui.blocks import Chart, Table, View, by_measure

SUPPLIER_COLUMNS = (
    "supplier_name", "size_group", "supplier_size", "supplier_vcse", "home_district", "home_region", "home_country",
    "value_gbp", "awards", "value_share", "count_share", "regions_served", "councils_served", "buyers_served",
    "national_provider")
SUPPLIERS_PAGE = "suppliers-page"  # the URL keys of the two tables' page numbers
AWARDS_PAGE = "supplier-awards-page"
INPUTS = {"search": "", "supplier": None}  # the name searched for, and the supplier key picked


def top_chart(run, view: View):
    """The largest suppliers by the measure, each bar labelled with its name and size group."""
    frame = run(suppliers.top_chart, view.filters, view.measure).copy()
    frame.insert(1, "label", words.chart_labels(frame))
    return frame


def ranked(run, view: View, limit: int | None, offset: int):
    """The suppliers whose name contains the search, largest first by the measure."""
    return run(suppliers.top_suppliers, view.filters, view.measure, view["search"], limit, offset)


def awards(run, view: View, limit: int | None, offset: int):
    """The picked supplier's award rows, newest first."""
    return run(suppliers.supplier_awards, view.filters, view["supplier"], limit, offset)


BLOCKS = (
    Chart("top_suppliers", lambda view: words.chart_title(view.measure, suppliers.CHART_SUPPLIERS), top_chart,
          by_measure(charts.breakdown_bar), by_measure(words.top_reading), by_measure(words.top_alt),
          notes=(words.COLOUR_NOTE,)),
    Table("suppliers", "Suppliers: size, home area and footprint", ranked,
          lambda run, view: run(suppliers.supplier_count, view.filters, view["search"]), SUPPLIER_COLUMNS,
          lambda run, view, total: words.table_sentence(total, view["search"], view.measure),
          notes=(f"{words.NATIONAL_PROVIDER_TEXT} {words.ATTRIBUTES_TEXT}", words.AWARDS_TEXT),
          page_size=suppliers.TOP_SHOWN, page_key=SUPPLIERS_PAGE),
    Table("supplier-awards", "One supplier's awards", awards,
          lambda run, view: run(suppliers.supplier_award_count, view.filters, view["supplier"]),
          tuple(suppliers.AWARD_COLUMNS),
          lambda run, view, total: words.supplier_sentence(run(suppliers.one_supplier, view.filters,
                                                               view["supplier"])),
          page_size=suppliers.AWARDS_SHOWN, page_key=AWARDS_PAGE),
)


def example_inputs(run) -> dict:
    """Settings that show every block with data on any store: the largest supplier picked."""
    largest = run(suppliers.top_suppliers, Filters(), "value", "", 1, 0)
    return {"supplier": largest["supplier_key"].iloc[0]} if len(largest) else {}


def _first_page(key: str):
    """A new search or supplier starts its table again at page 1."""
    return lambda: st.session_state.__setitem__(key, 1)


def pick(view: View) -> str | None:
    """The supplier picker: the largest suppliers that match the search (None if none do)."""
    picks = widgets.query(suppliers.top_suppliers, view.filters, view.measure, view["search"],
                          suppliers.TOP_SHOWN, 0)
    if picks.empty:
        st.info(words.NO_MATCH)
        return None
    labels = words.pick_labels(picks)
    return st.selectbox("Supplier", list(labels), format_func=labels.get, key="supplier_pick",
                        help=words.PICK_HELP.format(n=len(labels)), on_change=_first_page(AWARDS_PAGE))


def render() -> None:
    view = View(widgets.page_filters(), tuple(sorted(INPUTS.items())))
    st.title("Who wins the contracts?")
    st.text(words.INTRO)
    widgets.left_out_line(view.filters)
    blocks.show(BLOCKS[:1], view)
    search = st.text_input("Search suppliers by name", key="supplier_search", bind="query-params",
                           placeholder="part of a name, e.g. care", on_change=_first_page(SUPPLIERS_PAGE))
    view = view.having(search=search.strip())
    blocks.show(BLOCKS[1:2], view)
    supplier = pick(view)
    if supplier is not None:
        blocks.show(BLOCKS[2:], view.having(supplier=supplier))


if __name__ == "__main__":
    widgets.run_page(render)
