"""The Contracts page and its queries and words.

Expectations are worked out from the fixture tuples (tests/app_fixtures.AWARDS and the
richer store of tests/rich_store.py), not from the queries under test."""

import json

import duckdb
import pytest

from loaders.storage import store
from queries import contracts
from queries.filters import Filters
from readings import contracts as words
from tests.app_fixtures import AWARDS
from tests.rich_store import JOINT_VALUE, RICH_AWARDS, RICH_ROWS, build_rich_store
from ui.registry import page

TOTAL = sum(a[6] for a in AWARDS)


@pytest.fixture(scope="module")
def rich_store(tmp_path_factory):
    return build_rich_store(tmp_path_factory.mktemp("rich"))


def texts(app) -> list[str]:
    return [t.value for t in app.text]


def column_type(element, column: str) -> str:
    """The st.column_config type a table gives `column` ("link" for notice links)."""
    return json.loads(element.proto.columns)[column]["type_config"]["type"]


# ---------------------------------------------------------------- queries/contracts.py

def test_contains_pattern_escapes_wildcards():
    assert contracts.contains_pattern(" 5%_off\\ ") == "%5\\%\\_off\\\\%"


def test_contracts_count_search_and_sort(small_store):
    with store.read_only(small_store) as con:
        assert contracts.matching(con, Filters()) == {"rows": 6, "awards": 6, "value_gbp": float(TOTAL)}
        leeds = contracts.matching(con, Filters(), "LEEDS")   # buyer names
        assert leeds == {"rows": 3, "awards": 3, "value_gbp": 450_000.0}
        assert contracts.matching(con, Filters(), "contract 4")["rows"] == 1  # titles
        assert contracts.matching(con, Filters(), "hyperlink")["rows"] == 1   # supplier names
        ascending = contracts.contracts(con, Filters(), "", "Value (this supplier's share)", "Ascending")
        newest = contracts.contracts(con, Filters(), "", "Award date", "Descending")
        by_supplier = contracts.contracts(con, Filters(), "", "Supplier", "Ascending")
    assert ascending["value_gbp"].tolist() == sorted(a[6] for a in AWARDS)
    assert newest["award_date"].dt.strftime("%Y-%m-%d").tolist() == sorted((a[7] for a in AWARDS), reverse=True)
    assert by_supplier["supplier_name"].tolist() == sorted(a[2] for a in AWARDS)
    assert newest["notice_url"].str.startswith("https://www.contractsfinder.service.gov.uk/Notice/").all()
    assert list(newest.columns) == contracts.CONTRACT_COLUMNS


def test_a_search_matching_one_supplier_of_a_joint_award_finds_one_whole_award(rich_store):
    with store.read_only(rich_store) as con:
        stour = contracts.matching(con, Filters(), "stour")
        both = contracts.matching(con, Filters(), "partners")
    assert stour == {"rows": 1, "awards": 1, "value_gbp": JOINT_VALUE / 2}  # not half an award
    assert both == {"rows": 2, "awards": 1, "value_gbp": float(JOINT_VALUE)}
    assert words.count_sentence(stour, "stour") == '1 award row (1 award, £45k) match "stour".'


def test_count_sentence():
    assert words.count_sentence({"rows": 0, "awards": 0, "value_gbp": 0.0}, " care ") == 'No award rows match "care".'
    assert words.count_sentence({"rows": 1234, "awards": 1200, "value_gbp": 45e6}, "") == (
        "1,234 award rows (1,200 awards, £45m) match the filters.")


@pytest.mark.parametrize("sort, direction", [("value_gbp", "DESC"), ("Award date", "DESC; DROP TABLE awards"),
                                             ("award_date; DROP TABLE awards", "Descending")])
def test_sort_comes_only_from_the_whitelist(small_store, sort, direction):
    with store.read_only(small_store) as con, pytest.raises(ValueError):
        contracts.contracts(con, Filters(), "", sort, direction)


def test_pages_cover_every_row_once(rich_store):
    with store.read_only(rich_store) as con:
        found = contracts.matching(con, Filters())
        pages = [contracts.contracts(con, Filters(), "", "Whole award value", "Descending", 100, offset)
                 for offset in (0, 100, 200)]
        everything = contracts.contracts(con, Filters(), "", "Whole award value", "Descending", None)
    assert found["rows"] == RICH_ROWS and found["awards"] == RICH_AWARDS
    assert [len(p) for p in pages] == [100, RICH_ROWS - 100, 0]
    assert len(everything) == RICH_ROWS
    shown = [v for p in pages for v in p["award_value_gbp"]]
    assert shown == sorted(shown, reverse=True) == everything["award_value_gbp"].tolist()


def test_unsafe_notice_links_are_not_offered():
    con = duckdb.connect()
    rows = con.execute(f"""SELECT {contracts.SAFE_URL} FROM (VALUES ('javascript:alert(1)'),
        ('HTTPS://example.org/n'), ('http://example.org/n'), (NULL)) t(notice_url)""").fetchall()
    assert [r[0] for r in rows] == [None, "HTTPS://example.org/n", "http://example.org/n", None]


# ---------------------------------------------------------------- the page (AppTest)

def test_contracts_page_table_and_count(open_page, small_store):
    app = open_page(small_store, "contracts")
    assert "6 award rows (6 awards, £560k) match the filters." in texts(app)
    table = app.dataframe[0].value
    assert table["award_date"].dt.strftime("%Y-%m-%d").tolist() == sorted((a[7] for a in AWARDS), reverse=True)
    assert table["notice_url"].str.startswith("https://").all()
    assert column_type(app.dataframe[0], "notice_url") == "link"
    # The table's own downloads: every matching row in the table's order.
    assert [b.label for b in app.get("download_button")][:2] == ["Download the table (CSV)",
                                                                  "Download the table (XLSX)"]


def test_contracts_page_search_and_sort_from_the_url(open_page, small_store):
    app = open_page(small_store, "contracts", search="leeds", sort="Value (this supplier's share)",
                    order="Ascending")
    table = app.dataframe[0].value
    assert table["value_gbp"].tolist() == [50_000, 100_000, 300_000]
    assert '3 award rows (3 awards, £450k) match "leeds".' in texts(app)
    assert {"csv-contracts", "xlsx-contracts"} <= {b.key for b in app.get("download_button")}


def test_sidebar_filters_apply(open_page, small_store):
    # Opened at the root and navigated in the app, as before: this test is about the sidebar
    # filters carrying across page switches. (Under AppTest, a session that starts on a deep
    # link loses the sidebar's widget state for the first run after a switch_page.)
    app = open_page(small_store, buyer=["Leeds City Council"])
    app.switch_page(page("contracts").script).run()
    assert app.session_state["filters"].buyers == ("Leeds City Council",)
    assert app.dataframe[0].value["buyer_name"].unique().tolist() == ["Leeds City Council"]
    app.switch_page(page("suppliers").script).run()
    assert sorted(app.dataframe[0].value["supplier_name"]) == sorted(a[2] for a in AWARDS[:3])


def test_contracts_page_second_page(open_page, rich_store):
    app = open_page(rich_store, "contracts", page_no="2")  # the page number keeps its URL key
    assert len(app.dataframe[0].value) == RICH_ROWS - 100
    assert f"Page 2 of 2: rows 101 to {RICH_ROWS} of {RICH_ROWS}." in texts(app)
    assert [b.label for b in app.get("download_button")][:1] == [f"Download all {RICH_ROWS:,} rows (CSV)"]
    app = open_page(rich_store, "contracts", page_no="9")  # past the end: said so, and the last page
    assert f"Page 2 of 2: rows 101 to {RICH_ROWS} of {RICH_ROWS}." in texts(app)
    assert any(w.value.startswith("There is no page 9") for w in app.warning)
    app.text_input(key="search").set_value("filler").run()  # a new search starts at page 1
    assert not app.exception
    assert "Page 1 of 2: rows 1 to 100 of 120." in texts(app)


@pytest.mark.slow
def test_contracts_page_on_the_demo_store(open_page, demo_store):
    app = open_page(demo_store, "contracts")
    assert app.title and len(app.dataframe[0].value) == contracts.PAGE_SIZE
