"""Local or national? Where UK public contract money goes. The app's entry point: page
config, the shared sidebar filters, the demo banner, the page router and the footer."""

from pathlib import Path

import streamlit as st

from ui import widgets

# The icon is a file of the project's: a Material icon name here would make every browser
# fetch it from a font CDN, and the app fetches nothing from the internet.
ICON = Path(__file__).with_name("ui") / "favicon.png"
st.set_page_config(page_title="Local or national? UK contract awards", page_icon=str(ICON), layout="wide")

navigation = st.navigation([
    st.Page("pages/overview.py", title="Overview", icon=":material/dashboard:", default=True),
    st.Page("pages/provider_size.py", title="Provider size", icon=":material/storefront:"),
    st.Page("pages/locality.py", title="Locality", icon=":material/location_on:"),
    st.Page("pages/value_bands.py", title="Value bands", icon=":material/payments:"),
    st.Page("pages/scorecard.py", title="Council scorecard", icon=":material/account_balance:"),
    st.Page("pages/suppliers.py", title="Suppliers", icon=":material/groups:"),
    st.Page("pages/contracts.py", title="Contracts", icon=":material/description:"),
    st.Page("pages/methodology.py", title="Methodology and data", icon=":material/menu_book:"),
    st.Page("pages/data.py", title="Data", icon=":material/database:"),
])
facts = widgets.require_data()
widgets.demo_banner(facts)
st.session_state["filters"] = widgets.sidebar_filters(facts)
st.session_state[widgets.ROUTED] = True
navigation.run()
widgets.rows_download(st.session_state["filters"])  # on every page: the rows behind its figures
widgets.footer(facts)
