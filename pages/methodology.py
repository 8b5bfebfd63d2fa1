"""Methodology and data: every definition in the words the code uses, the other rules,
sources and licence, coverage and data quality, what is unknown and why, and when each
source was last refreshed."""

import pandas as pd
import streamlit as st

from loaders.definitions import CAVEATS, DEFINITIONS, KEEP_IT_LOCAL, KEEP_IT_LOCAL_COVERAGE
from queries import quality
from readings import methodology as words
from ui import blocks, widgets
from ui.blocks import Metrics, Table, View, sliced

COUNTS = (("releases", "Releases kept"), ("award_rows", "Award rows"), ("suppliers", "Suppliers"), ("buyers", "Buyers"))


def small(query, filtered: bool = False, renamed: dict | None = None):
    """A block's rows and total from the small frame of `query(con)` (`query(con, filters)`
    when `filtered`), its columns renamed into the table vocabulary."""
    def frame(run, view: View) -> pd.DataFrame:
        got = run(query, view.filters) if filtered else run(query)
        return got.rename(columns=renamed or {})
    return (lambda run, view, limit, offset: sliced(frame(run, view), limit, offset),
            lambda run, view: len(frame(run, view)))


def constant(sentence: str):
    return lambda run, view, total: sentence


def postcodes_line(counts: dict, view: View) -> str:
    return words.POSTCODES_LINE.format(cached=counts["postcodes_cached"], unresolved=counts["postcodes_unresolved"])


BLOCKS = (
    Metrics("store-counts", "", lambda run, view: run(quality.store_counts),
            lambda counts, view: [[(label, f"{counts[key]:,}") for key, label in COUNTS]], notes=(postcodes_line,)),
    Table("coverage", "What is unknown, and why", *small(quality.coverage, filtered=True),
          ("figure", "store_rows", "store_share", "selection_rows", "selection_share", "why"),
          constant(words.COVERAGE_READING)),
    Table("value-flags", "Suspect values", *small(quality.value_flags, renamed={"flag": "value_flag",
                                                                               "rows": "award_rows"}),
          ("value_flag", "award_rows", "meaning")),
    Table("quality-events", "Left out of the figures", *small(quality.quality_events,
                                                              renamed={"kind": "quality_event", "count": "records"}),
          ("quality_event", "records", "meaning")),
    Table("not-normalised", "Releases that could not be read", *small(quality.not_normalised),
          ("ocid", "release_id", "reason"), constant(words.NOT_READ.format(shown=quality.NOT_NORMALISED_SHOWN))),
    blocks.sources_table("Last refresh per source", words.SOURCES_NOTE),
)
COUNTS_BLOCK, COVERAGE, FLAGS, EVENTS, NOT_NORMALISED, SOURCES = ((block,) for block in BLOCKS)


def rules() -> None:
    st.header("Where the supplier is: the definitions of local")
    for text in DEFINITIONS.values():
        st.text(text)
    st.markdown("**Caveat**")
    st.text(CAVEATS)
    st.header("Keep it Local: how each step is measured")
    for text in KEEP_IT_LOCAL.values():
        st.text(text)
    st.markdown("**What these rest on**")
    st.text(KEEP_IT_LOCAL_COVERAGE)
    st.header("The other rules")
    for _, heading, text in words.RULES:
        st.markdown(f"**{heading}**")
        st.text(text)


def data_sources() -> None:
    st.header("Sources")
    for name, url, text in words.SOURCES:
        st.markdown(f"**[{name}]({url})**")
        st.text(text)
    st.header("Licence")
    st.markdown(f"**[{words.LICENCE}]({words.LICENCE_URL})**")
    st.text(words.LICENCE_TEXT)


def data_quality(view: View) -> None:
    st.header("Coverage and data quality")
    blocks.show(COUNTS_BLOCK + COVERAGE + FLAGS + EVENTS, view)
    if widgets.query(quality.not_normalised).empty:
        st.text(words.ALL_READ)
    else:
        blocks.show(NOT_NORMALISED, view)


def render() -> None:
    view = View(widgets.page_filters())
    st.title("Methodology and data")
    st.text(words.INTRO)
    tabs = st.tabs(list(words.TABS))
    with tabs[0]:
        rules()
    with tabs[1]:
        data_sources()
    with tabs[2]:
        data_quality(view)
    with tabs[3]:
        blocks.show(SOURCES, view)


if __name__ == "__main__":
    widgets.run_page(render)
