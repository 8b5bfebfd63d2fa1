"""Data: what the store holds per source, when each was last refreshed, and (when the
operator allows writes) a refresh that every visitor of the app sees the progress of."""

import streamlit as st

from loaders.errors import LoaderError
from loaders.sources import background, refresh
from loaders.storage import store
from ui import blocks, settings, widgets
from ui.blocks import View

SOURCES_NOTE = ("Releases are kept exactly as received; award rows are derived from them. 'Refreshed until' is "
                "where the next refresh of that source starts.")
BLOCKS = (blocks.sources_table("What the store holds", SOURCES_NOTE),)
READ_ONLY = ("This dashboard is read-only: its data are refreshed by whoever runs it (see the README, "
             "\"Running it for the public\").")
DEMO_STORE = ("This is the demo store of invented data: a refresh would mix real notices into it, so the app "
              "offers none. Load real data into a store of its own from the command line (see the README, "
              "\"Loading real data\").")
POLL_SECONDS = 2


def refresh_form(running: bool) -> None:
    """A refresh of the last few days of one source (not while one is running)."""
    with st.form("refresh"):
        source = st.selectbox("Source", list(refresh.SOURCES), disabled=running)
        days = st.number_input("Days back", min_value=1, max_value=31, value=3, disabled=running,
                               help="Find a Tender allows about one request every 10 seconds: a day takes "
                                    "a few minutes.")
        start = st.form_submit_button("Refresh", disabled=running)
    if start:
        try:
            started = background.SHARED.start(source, int(days), store.store_path())
        except LoaderError as exc:
            st.error(f"Refresh not started: {exc.problem}")
            return
        if not started:
            st.warning("A refresh is already running; its progress is shown above.")
        st.rerun()


@st.fragment(run_every=POLL_SECONDS)
def refresh_progress() -> None:
    """The shared refresh's state, redrawn every few seconds while it runs; when it has
    ended since this visitor last looked, the whole page is redrawn from the new store."""
    state = background.SHARED.state()
    if state is None:
        return
    when = f"started {state.started_at:%d %b %Y %H:%M} UTC"
    if state.running:
        st.info(f"A refresh is running: {state.source}, last {state.days} days ({when}). It is shared by "
                "everyone using this dashboard; the figures change when it ends.")
        st.progress(state.fraction, text=state.message)
        st.session_state["refresh_seen_running"] = state.started_at
        return
    if st.session_state.pop("refresh_seen_running", None) == state.started_at:
        st.rerun(scope="app")  # the store changed: redraw the table and every figure
    if state.status == "done":
        st.success(f"{state.source} refreshed ({when}): {state.message}")
    else:
        st.error(f"The refresh of {state.source} ({when}) failed: {state.message}")


def render() -> None:
    view = View(widgets.page_filters())
    st.title("Data sources")
    blocks.show(BLOCKS, view)
    st.subheader("Refresh recent notices")
    if not settings.writes_allowed():
        st.caption(READ_ONLY)
        return
    if widgets.require_data()["is_demo"]:  # the refresh would be refused: real data never joins the demo
        st.caption(DEMO_STORE)
        return
    refresh_progress()
    state = background.SHARED.state()
    refresh_form(running=state is not None and state.running)


if __name__ == "__main__":
    widgets.run_page(render)
