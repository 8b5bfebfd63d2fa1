"""Local or national? Where UK public contract money goes. The app's entry point: page
config, the shared sidebar filters, the demo banner, the page router and the footer."""

import streamlit as st

from ui import widgets

st.set_page_config(page_title="Local or national? UK contract awards", page_icon="📍", layout="wide")

navigation = st.navigation([
    st.Page("pages/overview.py", title="Overview", icon="📊", default=True),
    st.Page("pages/data.py", title="Data", icon="🗄️"),
])
facts = widgets.require_data()
widgets.demo_banner(facts)
st.session_state["filters"] = widgets.sidebar_filters(facts)
navigation.run()
widgets.footer(facts)
