"""Methodology and data: every definition in the words the code uses, the other rules,
sources and licence, coverage and data quality, what is unknown and why, and when each
source was last refreshed."""

import streamlit as st

from loaders.definitions import CAVEATS, DEFINITIONS
from queries import method_text, quality, sources
from ui import widgets

filters = widgets.page_filters()
st.title("Methodology and data")
st.text("How every figure in this dashboard is made, where the data comes from, and what it cannot "
        "tell you. The definitions below are the same text the code uses.")

definitions, data_sources, data_quality, refreshes = st.tabs(
    ["Definitions and rules", "Sources and licence", "Coverage and data quality", "Last refresh per source"])

with definitions:
    st.header("Where the supplier is: the definitions of local")
    for text in DEFINITIONS.values():
        st.text(text)
    st.markdown("**Caveat**")
    st.text(CAVEATS)
    st.header("The other rules")
    for _, heading, text in method_text.RULES:
        st.markdown(f"**{heading}**")
        st.text(text)

with data_sources:
    st.header("Sources")
    for name, url, text in method_text.SOURCES:
        st.markdown(f"**[{name}]({url})**")
        st.text(text)
    st.header("Licence")
    st.markdown(f"**[{method_text.LICENCE}]({method_text.LICENCE_URL})**")
    st.text(method_text.LICENCE_TEXT)

with data_quality:
    st.header("Coverage and data quality")
    counts = widgets.query(quality.store_counts)
    cells = st.columns(4)
    cells[0].metric("Releases kept", f"{counts['releases']:,}")
    cells[1].metric("Award rows", f"{counts['award_rows']:,}")
    cells[2].metric("Suppliers", f"{counts['suppliers']:,}")
    cells[3].metric("Buyers", f"{counts['buyers']:,}")
    st.text(f"{counts['postcodes_cached']:,} postcodes placed; {counts['postcodes_unresolved']:,} postcodes "
            "in the awards could not be placed yet (python -m loaders geocode places them).")

    st.subheader("What is unknown, and why")
    st.text("Each figure for the whole store (every award row, as python -m loaders info counts them) and "
            "for the rows the sidebar filters select (published-on-both copies left out, as in every figure).")
    coverage = widgets.query(quality.coverage, filters)
    st.dataframe(coverage, hide_index=True, column_config={
        "figure": "Figure", "store_rows": "Rows (whole store)",
        "store_share": st.column_config.NumberColumn("Share (whole store)", format="percent"),
        "selection_rows": "Rows (filters)",
        "selection_share": st.column_config.NumberColumn("Share (filters)", format="percent"),
        "why": st.column_config.TextColumn("Why", width="large")})
    widgets.data_downloads(coverage, filters, "coverage")

    st.subheader("Suspect values")
    st.dataframe(widgets.query(quality.value_flags), hide_index=True,
                 column_config={"flag": "Value flag", "rows": "Award rows", "meaning": "What it means"})

    st.subheader("Left out of the figures")
    st.dataframe(widgets.query(quality.quality_events), hide_index=True,
                 column_config={"kind": "Kind", "count": "Records", "meaning": "What it means"})
    failed = widgets.query(quality.not_normalised)
    if failed.empty:
        st.text("Every stored release could be read (tender, planning and other notices that carry no "
                "award give no award rows).")
    else:
        st.text(f"Releases kept but not normalised, with the reason (the first {quality.NOT_NORMALISED_SHOWN}):")
        st.dataframe(failed, hide_index=True)

with refreshes:
    st.header("Last refresh per source")
    st.dataframe(widgets.query(sources.source_status), hide_index=True)
    st.caption("Releases are kept exactly as received; award rows are derived from them. 'Last refreshed' "
               "and the refreshed period are for live refreshes; files and the demo count as loads.")
