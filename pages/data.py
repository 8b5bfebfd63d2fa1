"""Data: what the store holds per source, when each was last refreshed, and a refresh."""

from datetime import datetime, timedelta, timezone

import streamlit as st

from loaders.errors import LoaderError
from loaders.sources import refresh
from loaders.storage import store
from ui import blocks, widgets
from ui.blocks import View

SOURCES_NOTE = ("Releases are kept exactly as received; award rows are derived from them. 'Refreshed until' is "
                "where the next refresh of that source starts.")
BLOCKS = (blocks.sources_table("What the store holds", SOURCES_NOTE),)


def refresh_form() -> None:
    """A refresh of the last few days of one source, with its progress in a status box."""
    st.subheader("Refresh recent notices")
    with st.form("refresh"):
        source = st.selectbox("Source", list(refresh.SOURCES))
        days = st.number_input("Days back", min_value=1, max_value=31, value=3,
                               help="Find a Tender allows about one request every 10 seconds: a day takes "
                                    "a few minutes.")
        start = st.form_submit_button("Refresh")
    if start:
        run_refresh(source, int(days))


def run_refresh(source: str, days: int) -> None:
    until = datetime.now(timezone.utc).replace(second=0, microsecond=0)
    with st.status(f"Refreshing {source}, last {days} days", expanded=True) as status:
        try:
            report = refresh.refresh(refresh.config_for(source), store.store_path(), until - timedelta(days=days),
                                     until, progress=widgets.StatusProgress(status))
        except LoaderError as exc:
            status.update(label=f"Refresh failed: {exc}", state="error")
            return
        status.update(label="Done", state="complete")
    st.session_state["refresh_done"] = (f"{source} refreshed: {report.releases_fetched:,} releases fetched, "
                                        f"{report.releases_new:,} new.")
    st.rerun()  # redraw the table from the new store


def render() -> None:
    view = View(widgets.page_filters())
    st.title("Data sources")
    if "refresh_done" in st.session_state:
        st.success(st.session_state.pop("refresh_done"))
    blocks.show(BLOCKS, view)
    refresh_form()


if __name__ == "__main__":
    render()
