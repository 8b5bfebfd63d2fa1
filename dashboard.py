"""Local or national? Where UK public contract money goes. The app's entry point: page
config, the shared sidebar filters, the demo banner, the page router and the footer."""

from pathlib import Path

import streamlit as st

from ui import blocks, widgets

# The icon is a file of the project's: a Material icon name here would make every browser
# fetch it from a font CDN, and the app fetches nothing from the internet.
ICON = Path(__file__).with_name("ui") / "favicon.png"
st.set_page_config(page_title="Local or national? UK contract awards", page_icon=str(ICON), layout="wide")

navigation = widgets.navigation()
try:
    facts = widgets.require_data()
    widgets.demo_banner(facts)
    st.session_state["filters"] = widgets.sidebar_filters(facts)
    st.session_state[widgets.ROUTED] = True
    navigation.run()
    blocks.rows_download(st.session_state["filters"])  # on every page: the rows behind its figures
    widgets.footer(facts)
except Exception as exc:  # noqa: BLE001 - any failure: one friendly line here, the detail in the log
    widgets.page_failed(exc)
