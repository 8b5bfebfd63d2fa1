"""The Streamlit helpers every page shares: the store connection, cached queries, the
sidebar filters bound to the URL, the banners and the footer (blocks are drawn by ui/blocks.py)."""

import json
import logging
import re
import secrets
import threading
from pathlib import Path

import duckdb
import streamlit as st
from streamlit.runtime.state.query_params import (CLIENT_STATE_QUERY_STRING_MAX_FIELDS,
                                                   CLIENT_STATE_QUERY_STRING_MAX_LENGTH)

from loaders.errors import StoreError
from loaders.storage import store
from queries import overview, quality
from queries.filters import CHOICES, LOCAL_KM, MEASURE_LABELS, Filters, ignored_in_link, local_label
from readings import quality as left_out
from ui.registry import PAGES


log = logging.getLogger("dashboard")
PAGE_FAILED = "Sorry: this page could not be drawn. The detail is in the server log"
STORE_UNREADABLE = "The data cannot be read just now. The detail is in the server log"
PAGE = "page"  # session state: the page being drawn (its module), set by run_page

_connections: dict[tuple[str, float], duckdb.DuckDBPyConnection] = {}
_connections_lock = threading.Lock()


def _open(path: str, modified: float) -> duckdb.DuckDBPyConnection:
    """One read-only connection per store file version, shared by every session.

    When a load swaps in a new file, the old connection is closed first: DuckDB keeps one
    database instance per path in a process, so while the old one is open a new connect()
    to the same path would still read the replaced file.
    """
    with _connections_lock:
        if (path, modified) not in _connections:
            for key in [k for k in _connections if k[0] == path]:
                _connections.pop(key).close()
            _connections[(path, modified)] = store.read_only(Path(path))
        return _connections[(path, modified)]


def store_version() -> tuple[str, float] | None:
    """(path, modification time) of the store, or None when there is none yet."""
    path = store.store_path()
    return (str(path), path.stat().st_mtime) if path.is_file() else None


def query(function, *args):
    """Run a query function `function(con, *args)` on the current store, cached by the store
    version, the function and its arguments (Filters are hashable for this; the measure is
    left out of them, as queries that count by it take it as an argument of its own)."""
    args = tuple(arg.without_measure() if isinstance(arg, Filters) else arg for arg in args)
    return _cached(store_version(), f"{function.__module__}.{function.__qualname__}", function, *args)


@st.cache_data(max_entries=1024, show_spinner=False, hash_funcs={type(lambda: 0): lambda f: None})
def _cached(version: tuple[str, float], name: str, function, *args):
    return function(_open(*version), *args)


def made_once(name: str, view, make):
    """`make()` once for every session, per store version, page being drawn, `name` (unique on
    a page, since it keys the page's widgets) and `view`: a chart made ready to draw. Visitors
    opening the same link (a shared link, a council's page) then pay only for sending it,
    which is what limits many visitors on a small machine. What it returns is shared, not
    copied: nothing may change it."""
    return _made(store_version(), st.session_state.get(PAGE, ""), name, view, make)


@st.cache_resource(max_entries=256, show_spinner=False)
def _made(version: tuple[str, float] | None, page: str, name: str, view, _make):
    return _make()


def require_data() -> dict:
    """The store's facts, or a helpful message and a stop when there is no data yet."""
    version = store_version()
    facts = None
    if version:
        try:
            facts = query(overview.store_facts)
        except (StoreError, duckdb.Error) as exc:  # a foreign or damaged file: say so, don't crash
            st.error(f"{STORE_UNREADABLE} (reference {_logged(exc)}).")
            st.stop()
    if not facts or not facts["rows"]:
        st.info("No award data yet. Build the demo store with `python -m loaders demo`, or load real "
                "notices with `python -m loaders import FILE...`, then reload this page.")
        st.stop()
    return facts


def sidebar_filters(facts: dict) -> Filters:
    """The shared filters, each bound to the URL so a link restores the view exactly."""
    options = query(overview.filter_options)
    first, last = facts["first_award_date"], facts["last_award_date"]
    link = {key: st.query_params.get_all(key) for key in st.query_params}
    for note in ignored_in_link(link, options, first, last):  # before the widgets tidy the URL
        st.warning(f"Part of this link was ignored. {note}", icon="🔗")
    if not link:
        link_dropped_notice()
    with st.sidebar:
        st.header("Filters")
        date_from = st.date_input("Awarded from", value=first, min_value=first, max_value=last,
                                  key="from", bind="query-params", format="DD/MM/YYYY")
        date_to = st.date_input("Awarded to", value=last, min_value=first, max_value=last,
                                key="to", bind="query-params", format="DD/MM/YYYY")
        picked = {choice.field: tuple(st.multiselect(choice.label, options[choice.field], key=choice.key,
                                                     bind="query-params"))
                  for choice in CHOICES}
        local_km = st.selectbox("Local means", LOCAL_KM, format_func=local_label, key="local",
                                bind="query-params",
                                help="The supplier's postcode in the buyer's own council area, or within "
                                     "a distance of the buyer's postcode (centroid to centroid).")
        measure = st.segmented_control("Measure", list(MEASURE_LABELS), format_func=MEASURE_LABELS.get,
                                       default="value", key="measure", bind="query-params",
                                       help="Every chart by award value or by number of awards.")
        exclude = st.checkbox("Exclude frameworks", key="no_frameworks", bind="query-params",
                              help="Framework and DPS values are ceilings, not spend; they can swamp totals.")
    return Filters(
        date_from=date_from if date_from != first else None,
        date_to=date_to if date_to != last else None,
        exclude_frameworks=bool(exclude), local_km=local_km or None, measure=measure or "value", **picked,
    )


# Streamlit drops a whole query string that is too long before any script sees it, and the
# page would then show every award under a URL that still names its filters; only the
# browser knows, so a script there says so, with Streamlit's own limits.
LINK_DROPPED = ("This link was ignored: it has {fields} parts, more than the {limit:,} a link "
                "can carry, so every filter in it was dropped and the page shows all awards.")
_LINK_DROPPED_HTML = """<div class="link-dropped" role="alert" hidden
  style="padding:1rem;border-radius:0.5rem;background:rgba(255,189,69,0.2);color:rgb(146,108,5)"></div>
<script>
(() => {{
  const notice = document.currentScript.previousElementSibling;
  const query = window.location.search.replace(/^[?]/, "");
  const fields = query ? query.split("&").length : 0;
  if (fields > {limit} || query.length > {characters}) {{
    notice.textContent = {message}.replace("{{fields}}", fields.toLocaleString("en-GB"));
    notice.hidden = false;
  }}
}})();
</script>"""


def link_dropped_notice() -> None:
    """Say so when the browser's link was too long for Streamlit to read (see LINK_DROPPED)."""
    message = json.dumps(LINK_DROPPED.format(fields="{fields}", limit=CLIENT_STATE_QUERY_STRING_MAX_FIELDS))
    st.html(_LINK_DROPPED_HTML.format(limit=CLIENT_STATE_QUERY_STRING_MAX_FIELDS, message=message,
                                      characters=CLIENT_STATE_QUERY_STRING_MAX_LENGTH),
            unsafe_allow_javascript=True)


def linked_council_not_held(councils: list[str]) -> None:
    """Say so when a link names a council the page's picker cannot choose (no awards in these
    data, as for a Scottish council whose portal is not loaded): the picker would drop it silently."""
    wanted = st.query_params.get("council")
    if wanted and wanted not in councils and "council" not in st.session_state:
        st.warning(f"Part of this link was ignored. Council: \"{plain(wanted)}\" has no awards in these data, "
                   "so it was not chosen. (Scottish and Welsh councils publish most of their awards on Public "
                   "Contracts Scotland and Sell2Wales: see the Data page for the sources loaded.)", icon="🔗")


ROUTED = "routed"


def page_filters() -> Filters:
    """The shared filters for this page run.

    Normally dashboard.py has drawn the sidebar and set them. But on a freshly started
    server Streamlit runs a deep-linked page file (/suppliers?...) directly, before any
    session has called st.navigation; the page then draws the shared frame itself, so a
    shared link works from the first request.
    """
    if st.session_state.pop(ROUTED, False):
        return st.session_state["filters"]
    facts = require_data()
    demo_banner(facts)
    st.session_state["filters"] = sidebar_filters(facts)
    return st.session_state["filters"]


def navigation():
    """The app's menu and router: every registered page with its title and icon (ui/registry.py)."""
    return st.navigation([st.Page(page.script, title=page.title, icon=page.icon, default=page.default)
                          for page in PAGES])


def run_page(render) -> None:
    """Draw a page, or one friendly line if it fails. A page runs either inside dashboard.py
    or, for a deep link on a freshly started server, on its own; both ways come through here."""
    st.session_state[PAGE] = Path(render.__code__.co_filename).stem
    try:
        render()
    except Exception as exc:  # noqa: BLE001 - any failure: one friendly line, the detail in the log
        page_failed(exc)


def page_failed(exc: Exception) -> None:
    """One friendly line for a page that raised, and the whole traceback in the server log
    under a reference the visitor can quote: no traceback or server path reaches a page."""
    st.error(f"{PAGE_FAILED} (reference {_logged(exc)}).")


def _logged(exc: Exception) -> str:
    reference = secrets.token_hex(4)
    log.error("reference %s: %s", reference, exc, exc_info=exc)
    return reference


def demo_banner(facts: dict) -> None:
    if facts["is_demo"]:
        st.warning("Demo data: invented suppliers and awards for real council areas, made up to show "
                   "how the dashboard works. No figure here describes real spending.", icon="⚠️")


def footer(facts: dict) -> None:
    st.divider()
    st.caption(f"Awards dated {facts['first_award_date']:%d %b %Y} to {facts['last_award_date']:%d %b %Y}. "
               f"Sources: {', '.join(facts['sources'])}. Contains public sector information licensed "
               "under the Open Government Licence v3.0.")


def left_out_line(filters: Filters) -> None:
    """The one line under value totals: how many awards, and how much value, each value flag
    leaves out of them (over £1bn, negative, other currencies, placeholders)."""
    st.caption(left_out.left_out_sentence(query(quality.left_out, filters)))


def plain(text: str) -> str:
    """Text safe to pass to Markdown-rendering elements: Markdown characters escaped."""
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$])", r"\\\1", text)
