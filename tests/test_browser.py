"""Browser tests: the dashboard served by `streamlit run`, driven in the system Chromium.

Run with `python -m pytest -m browser tests/test_browser.py`. Skipped when /usr/bin/chromium
is absent or Playwright cannot be imported. Only 127.0.0.1 is contacted.
"""

import contextlib
import csv
import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

from tools.serving import CHROMIUM_ARGS
from tools.serving import serving as serve_app
from ui.registry import PAGES

CHROMIUM = Path("/usr/bin/chromium")

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent"),
]

sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
expect = sync_api.expect

WAIT_MS = 15_000
ALL_TOTAL = "£560k"
LEEDS = "Leeds City Council"
LEEDS_TOTAL = "£450k"


@contextlib.contextmanager
def serving(store: Path, log: Path):
    """`streamlit run dashboard.py` over `store` on a free port; yields the base URL."""
    with serve_app(store, log) as (base, _process):
        yield base


@pytest.fixture(scope="module")
def app_url(small_store, tmp_path_factory):
    """Serve the app over the small fixture store; yield its base URL."""
    with serving(small_store, tmp_path_factory.mktemp("browser_log") / "streamlit.log") as base:
        yield base


@pytest.fixture(scope="module")
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                              args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(accept_downloads=True, viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    yield page
    context.close()


def wait_for_app(page) -> None:
    """Wait until the script has finished running (as Streamlit's own e2e tests do)."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']",
                           timeout=WAIT_MS)
    # A brief window can show notRunning before a rerun starts; confirm the page is built.
    expect(page.get_by_test_id("stMetric").first).to_be_visible(timeout=WAIT_MS)


def total_metric(page):
    """The value element of the "Total award value" metric."""
    metric = page.get_by_test_id("stMetric").filter(has_text="Total award value")
    return metric.get_by_test_id("stMetricValue")


def expect_total(page, text: str) -> None:
    wait_for_app(page)
    expect(total_metric(page)).to_have_text(text, timeout=WAIT_MS)
    wait_for_app(page)
    expect(total_metric(page)).to_have_text(text, timeout=WAIT_MS)


def buyer_multiselect(page):
    return page.get_by_test_id("stSidebar").get_by_test_id("stMultiSelect").filter(
        has_text="Council or buyer")


def test_filter_changes_headline_and_url(app_url, page):
    page.goto(app_url)
    expect_total(page, ALL_TOTAL)

    widget = buyer_multiselect(page)
    widget.locator("input").click()
    widget.locator("input").fill(LEEDS)
    page.get_by_role("option", name=LEEDS).click()
    page.keyboard.press("Escape")  # close the dropdown

    expect_total(page, LEEDS_TOTAL)
    page.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("buyer") == [LEEDS],
                      timeout=WAIT_MS)
    assert parse_qs(urlparse(page.url).query)["buyer"] == [LEEDS]
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_filtered_url_restores_view(app_url, page):
    page.goto(f"{app_url}/?buyer=Leeds+City+Council")
    expect_total(page, LEEDS_TOTAL)

    widget = buyer_multiselect(page)
    expect(widget).to_contain_text(LEEDS)
    # The selected option is drawn as a removable tag ("pill") inside the widget.
    expect(widget.get_by_text(LEEDS, exact=True)).to_be_visible()
    assert parse_qs(urlparse(page.url).query).get("buyer") == [LEEDS]


def test_link_with_an_unknown_council_says_what_was_ignored(app_url, page):
    page.goto(f"{app_url}/?buyer=Nowhere+Council&buyer=Leeds+City+Council")
    wait_for_app(page)
    expect(page.get_by_text('Council or buyer: "Nowhere Council" is not in the data, so it was ignored.')).to_be_visible()
    expect(total_metric(page)).to_have_text(LEEDS_TOTAL)  # the rest of the link still applies


def test_link_with_two_thousand_unknown_councils_does_not_show_the_national_total_silently(app_url, page):
    unknown = "&".join(f"buyer=Nowhere+{number}" for number in range(2000))
    page.goto(f"{app_url}/?{unknown}")
    wait_for_app(page)
    # Streamlit drops a query string of more than 1,000 parts before the app sees it: the browser says so.
    expect(page.get_by_role("alert").filter(has_text="This link was ignored")).to_have_text(
        "This link was ignored: it has 2,000 parts, more than the 1,000 a link can carry, so every filter "
        "in it was dropped and the page shows all awards.")
    expect(total_metric(page)).to_have_text(ALL_TOTAL)  # the total shown is said to be unfiltered
    page.goto(f"{app_url}/?{'&'.join(unknown.split('&')[:1000])}")  # at the limit the app reads them
    expect(page.get_by_text('Council or buyer: "Nowhere 0", "Nowhere 1", "Nowhere 2", "Nowhere 3", '
                            '"Nowhere 4" and 995 more are not in the data, so they were ignored.')).to_be_visible()
    expect(page.get_by_text(re.compile("^This link was ignored"))).to_have_count(0)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_csv_download_matches_chart(app_url, page):
    page.goto(app_url)
    expect_total(page, ALL_TOTAL)
    expect(page.get_by_test_id("stPlotlyChart")).to_have_count(4)

    button = page.get_by_role("button", name="Download data (CSV)").first
    with page.expect_download(timeout=WAIT_MS) as download_info:
        button.click()
    download = download_info.value
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))

    assert len(rows) == 4, rows
    assert [row["group"] for row in rows] == ["SME", "VCSE", "Large", "Unknown"]
    # One CSV row per bar the first chart draws.
    bars = page.get_by_test_id("stPlotlyChart").first.locator("g.trace.bars g.point")
    expect(bars).to_have_count(len(rows))
    assert sum(float(row["value_gbp"]) for row in rows) == pytest.approx(560_000, abs=0.01)
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_row_download_neutralises_formula_like_names(app_url, page):
    """The rows behind the figures: every award row, and a supplier named "=HYPERLINK(...)"
    comes out as text a spreadsheet will not run."""
    page.goto(app_url)
    expect_total(page, ALL_TOTAL)
    with page.expect_download(timeout=WAIT_MS) as download_info:
        page.get_by_role("button", name="Download the award rows behind these figures (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8"))))
    assert len(rows) == 6
    names = {row["supplier_name"] for row in rows}
    assert "'=HYPERLINK(\"x\") Ltd" in names
    assert not any(name.startswith("=") for name in names)
    assert all(row["notice_url"].startswith("https://www.contractsfinder.service.gov.uk/Notice/") for row in rows)




def test_every_page_opened_from_the_menu_draws_without_error(app_url, page):
    """In the router, a page runs inside dashboard.py, which draws the rows download and the
    footer after it: a page that drew them too failed there (a duplicate key), which a run of
    the page alone cannot show."""
    page.goto(app_url)
    expect_total(page, ALL_TOTAL)
    for registered in PAGES:
        page.get_by_test_id("stSidebarNav").get_by_role("link", name=registered.title, exact=True).click()
        page.wait_for_url(lambda url, path=registered.url_path: urlparse(url).path.strip("/") == path,
                          timeout=WAIT_MS)
        page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=WAIT_MS)
        expect(page.get_by_text(re.compile(r"^Awards dated .* Sources: "))).to_be_visible(timeout=WAIT_MS)  # the footer
        expect(page.get_by_test_id("stException")).to_have_count(0)
        expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)


@pytest.mark.parametrize("path", [p.url_path for p in PAGES])
def test_every_page_deep_linked_on_a_fresh_server_loads_without_error(small_store, tmp_path, browser, path):
    """A shared link is often the first request a server gets: it must work then too."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    try:
        with serving(small_store, tmp_path / "streamlit.log") as base:
            page.goto(f"{base}/{path}?buyer_type=local+authority")
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=WAIT_MS)
            expect(page.locator("h1").first).to_be_visible(timeout=WAIT_MS)
            page.wait_for_timeout(500)
            expect(page.get_by_test_id("stException")).to_have_count(0)
            expect(page.get_by_test_id("stAlertContentError")).to_have_count(0)
    finally:
        context.close()


def test_scorecard_council_picked_by_postcode(app_url, page):
    page.goto(f"{app_url}/scorecard")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=WAIT_MS)
    field = page.get_by_role("textbox", name="Council by postcode")
    field.fill("LS1 1UR")
    field.press("Enter")
    expect(page.get_by_text("Leeds City Council").first).to_be_visible(timeout=WAIT_MS)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=WAIT_MS)
    expect(page.get_by_test_id("stMetric").filter(has_text="£450k").first).to_be_visible(timeout=WAIT_MS)
    assert parse_qs(urlparse(page.url).query).get("postcode") == ["LS1 1UR"]
    expect(page.get_by_test_id("stException")).to_have_count(0)


def wait_for_page(page) -> None:
    """Wait until a page without headline metrics has been drawn."""
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=WAIT_MS)
    expect(page.locator("h1").first).to_be_visible(timeout=WAIT_MS)
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=WAIT_MS)


def downloaded_rows(page, button: str) -> list[dict]:
    with page.expect_download(timeout=WAIT_MS) as download_info:
        page.get_by_role("button", name=button).first.click()
    return list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))


def test_contracts_table_download_holds_every_matching_row_in_order(app_url, page):
    page.goto(f"{app_url}/contracts?search=leeds&sort=Value+(this+supplier%27s+share)&order=Ascending")
    wait_for_page(page)
    expect(page.get_by_text('3 award rows (3 awards, £450k) match "leeds".')).to_be_visible()
    rows = downloaded_rows(page, "Download the table (CSV)")
    assert [float(row["value_gbp"]) for row in rows] == [50_000, 100_000, 300_000]
    assert all(row["notice_url"].startswith("https://www.contractsfinder.service.gov.uk/Notice/") for row in rows)
    assert parse_qs(urlparse(page.url).query).get("search") == ["leeds"]
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_suppliers_by_count_are_whole_awards_and_sizes_in_words(app_url, page):
    page.goto(f"{app_url}/suppliers?measure=By+count")
    wait_for_page(page)
    chart = page.get_by_test_id("stPlotlyChart").first
    expect(chart.get_by_text("Irwell Services Ltd (size unknown)")).to_be_visible()
    expect(chart.get_by_text("(Unknown)")).to_have_count(0)
    rows = downloaded_rows(page, "Download data (CSV)")
    assert len(rows) == 6 and {row["awards"] for row in rows} == {"1"}  # whole awards, never 0.5
    expect(page.get_by_text("Pennine Roads Ltd won £300k across 1 award in this selection.",
                            exact=False)).to_be_visible()
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_scorecard_peer_group_in_the_url_and_the_rank_table_download(app_url, page):
    """The peer group picked is bound to the URL; the rank table downloads with its measures in
    words and the council's exact figures beside them."""
    page.goto(f"{app_url}/scorecard?council=Leeds+City+Council&peers=Essex+County+Council")
    expect_total(page, LEEDS_TOTAL)
    page.get_by_test_id("stMainBlockContainer").get_by_test_id("stButtonGroup").get_by_text("Your list").click()
    page.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("peer_group") == ["Your list"], timeout=WAIT_MS)
    wait_for_app(page)
    expect(page.get_by_text("too few awards to say how it compares").first).to_be_visible()
    with page.expect_download(timeout=WAIT_MS) as download_info:
        page.get_by_role("button", name="Download the table (CSV)").first.click()
    assert download_info.value.suggested_filename.startswith("scorecard-ranks_")
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))
    assert [row["measure_label"] for row in rows[:3]] == ["Total award value", "Awards", "Local (by value)"]
    assert float(rows[0]["council"]) == 450_000 and rows[0]["council_text"] == LEEDS_TOTAL
    assert rows[0]["list_group"] == "councils on your list"
    expect(page.get_by_test_id("stException")).to_have_count(0)


@pytest.mark.parametrize("path", ("", "locality", "scorecard?council=Leeds+City+Council"))
def test_the_app_fetches_nothing_from_the_internet(app_url, page, path):
    """Every request the page makes (favicon, fonts, maps, icons) goes to the app's own server."""
    hosts = set()
    page.on("request", lambda request: hosts.add(urlparse(request.url).hostname))
    page.goto(f"{app_url}/{path}")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=WAIT_MS)
    expect(page.locator("h1").first).to_be_visible(timeout=WAIT_MS)
    page.wait_for_timeout(1500)  # let late requests (favicon, fonts) go out
    assert hosts - {None} == {"127.0.0.1"}
    icon = page.locator("link[rel*='icon']").first.get_attribute("href")
    assert icon and (not icon.startswith("http") or urlparse(icon).hostname == "127.0.0.1"), icon


@pytest.fixture(scope="module")
def procurement_app_url(tmp_path_factory):
    """The app over the Keep it Local page's own procurements (tests/test_page_keep_it_local)."""
    from loaders.storage.loading import import_files
    from tests.ocds_factory import write_package
    from tests.test_page_keep_it_local import procurements
    folder = tmp_path_factory.mktemp("procurements")
    store = folder / "awards.duckdb"
    import_files([write_package(folder / "procurements.json", procurements())], store)
    with serving(store, folder / "streamlit.log") as base:
        yield base


def test_keep_it_local_for_one_council_with_a_searched_reason_and_its_download(procurement_app_url, page):
    page.goto(f"{procurement_app_url}/keep_it_local?council=Leeds+City+Council")
    wait_for_page(page)
    expect(page.get_by_text("Of the 2 procurements under the Procurement Act with weighted award criteria, 1 (50%) "
                            "has a social value criterion.", exact=False)).to_be_visible()
    field = page.get_by_role("textbox", name="Search the reasons for not dividing")
    field.fill("single site")
    field.press("Enter")
    page.wait_for_url(lambda url: parse_qs(urlparse(url).query).get("lots_search") == ["single site"],
                      timeout=WAIT_MS)
    wait_for_page(page)
    expect(page.get_by_text('1 stated reason for not dividing into lots matching "single site"')).to_be_visible()
    with page.expect_download(timeout=WAIT_MS) as download_info:
        page.get_by_role("button", name="Download the table (CSV)").nth(1).click()
    assert download_info.value.suggested_filename.startswith("lots-reasons_")
    rows = list(csv.DictReader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))
    assert [row["reason"] for row in rows] == ["A single site needs one contractor"]
    assert rows[0]["notice_url"] == "https://www.find-tender.service.gov.uk/Notice/100001-2025"
    expect(page.get_by_test_id("stException")).to_have_count(0)


def test_public_mode_data_page_has_no_refresh_control(app_url, page):
    """Served as a public deployment is (no AWARDS_APP_WRITES, no secrets), no page can
    start a write: the Data page says it is read-only and has no refresh form."""
    page.goto(f"{app_url}/data")
    wait_for_page(page)
    expect(page.get_by_text("This dashboard is read-only")).to_be_visible()
    assert page.get_by_role("button", name="Refresh").count() == 0
    assert page.get_by_test_id("stForm").count() == 0
