"""The Suppliers, Contracts and Methodology pages, and their query modules.

Expectations are worked out from the fixture tuples (tests/app_fixtures.AWARDS and the
richer store below), not from the queries under test."""

import json
import re
from datetime import date
from pathlib import Path

import pytest

from loaders.definitions import CAVEATS, DEFINITIONS
from loaders.info import summary
from loaders.storage import store
from loaders.storage.loading import import_files
from queries import contracts, method_text, quality, suppliers
from queries.filters import Filters
from tests.app_fixtures import AWARDS, LOOKUP, release
from ui.charts import COLOURS
from ui.registry import page

README = Path(__file__).resolve().parents[1] / "README.md"

# Hand-worked facts of AWARDS (buyer region, size group, supplier home district).
SIZE_GROUP = {"Aireside Care CIC": "VCSE", "Pennine Roads Ltd": "Large", "Northern Digital Ltd": "SME",
              "Colne Gardens Ltd": "SME", '=HYPERLINK("x") Ltd': "Large", "Irwell Services Ltd": "Unknown"}
HOME = {"Aireside Care CIC": "Leeds", "Pennine Roads Ltd": "Bradford", "Northern Digital Ltd": "Manchester",
        "Colne Gardens Ltd": "Colchester", '=HYPERLINK("x") Ltd': None, "Irwell Services Ltd": None}
TOTAL = sum(a[6] for a in AWARDS)

# The richer store: AWARDS, Pennine Roads also winning in Essex and Manchester (3 regions:
# a national provider), a joint award, names with % and _, a cancelled award, a release
# that cannot be read, a Find a Tender copy of award 1 (so the Contracts Finder copy is
# left out), and 120 small fillers so that tables need more than one page.
PENNINE_MORE = (
    ("Essex County Council", "CM1 1QH", "Pennine Roads Ltd", "2 High St, Bradford BD1 1AA", "large", False, 40_000, "2024-04-01"),
    ("Manchester City Council", "M1 1AE", "Pennine Roads Ltd", "2 High St, Bradford BD1 1AA", "large", False, 60_000, "2024-05-01"),
)
ODD_NAMES = (
    ("Leeds City Council", "LS1 1UR", "100% Local_Food Ltd", "5 Kirkgate, Leeds LS1 2AB", "micro", False, 7_000, "2024-07-01"),
    ("Leeds City Council", "LS1 1UR", "1000 LocalXFood Ltd", "6 Kirkgate, Leeds LS1 2AB", "micro", False, 6_000, "2024-07-02"),
)
FILLERS = tuple(("Leeds City Council", "LS1 1UR", f"Filler {i:03d} Ltd", "7 Briggate, Leeds LS1 3AB", "small",
                 False, 1_000 + i, f"2022-{1 + i % 12:02d}-{1 + i % 28:02d}") for i in range(120))
JOINT_VALUE = 90_000


def _rich_releases() -> list[dict]:
    releases = [release(i, a) for i, a in enumerate(AWARDS)]
    for offset, group in ((10, PENNINE_MORE), (20, ODD_NAMES), (100, FILLERS)):
        releases += [release(offset + i, a) for i, a in enumerate(group)]
    joint = release(30, ("Essex County Council", "CM1 1QH", "Blackwater Partners Ltd", "8 High St, Colchester CO1 1AA",
                         "small", False, JOINT_VALUE, "2024-08-01"))
    joint["parties"].append({"id": "S30b", "name": "Stour Partners Ltd", "roles": ["supplier"],
                             "address": {"streetAddress": "9 High St, Chelmsford CM1 1AA"},
                             "details": {"scale": "large"}})
    joint["awards"][0]["suppliers"].append({"id": "S30b", "name": "Stour Partners Ltd"})
    cancelled = release(31, ("Leeds City Council", "LS1 1UR", "Gone Ltd", "LS6 1AA", "sme", False, 5_000, "2024-01-01"))
    cancelled["awards"][0]["status"] = "cancelled"
    unreadable = release(32, ("Leeds City Council", "LS1 1UR", "Bad Ltd", "LS6 1AA", "sme", False, 5_000, "2024-01-01"))
    unreadable["awards"] = "oops"
    copy = release(1, AWARDS[1])  # Find a Tender's own notice of award 1: the Contracts Finder one is the copy
    copy["ocid"], copy["id"] = "ocds-h6vhtk-000001", "ocds-h6vhtk-000001-fts-1"
    return releases + [joint, cancelled, unreadable, copy]


# Rows in every figure of the rich store: AWARDS (award 1 once, through Find a Tender), the
# extra Pennine awards, odd names, fillers and the two rows of the joint award.
RICH_ROWS = len(AWARDS) + len(PENNINE_MORE) + len(ODD_NAMES) + len(FILLERS) + 2
RICH_AWARDS = RICH_ROWS - 1


@pytest.fixture(scope="module")
def rich_store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("rich")
    (folder / "awards.json").write_text(json.dumps({"releases": _rich_releases()}))
    (folder / "lookup.csv").write_text(LOOKUP)
    path = folder / "rich.duckdb"
    import_files([folder / "awards.json"], path, [folder / "lookup.csv"])
    return path


def texts(app) -> list[str]:
    return [t.value for t in app.text]


# ---------------------------------------------------------------- queries/suppliers.py

def test_top_suppliers_equal_the_fixture(small_store):
    with store.read_only(small_store) as con:
        frame = suppliers.top_suppliers(con, Filters(), "value")
    by_value = sorted(AWARDS, key=lambda a: -a[6])
    assert frame["supplier_name"].tolist() == [a[2] for a in by_value]
    assert frame["value_gbp"].tolist() == [a[6] for a in by_value]
    assert frame["value_share"].tolist() == pytest.approx([a[6] / TOTAL for a in by_value])
    assert frame["count_share"].tolist() == pytest.approx([1 / len(AWARDS)] * len(AWARDS))
    assert dict(zip(frame["supplier_name"], frame["size_group"])) == SIZE_GROUP
    homes = {n: (d if isinstance(d, str) else None) for n, d in zip(frame["supplier_name"], frame["home_district"])}
    assert homes == HOME
    hyperlink = frame.set_index("supplier_name").loc['=HYPERLINK("x") Ltd']
    assert hyperlink["home_country"] == "Ireland"
    assert pd_na(frame.set_index("supplier_name").loc["Irwell Services Ltd", "supplier_vcse"])
    assert (frame["regions_served"] == 1).all() and (frame["councils_served"] == 1).all()
    assert not frame["national_provider"].any()


def pd_na(value) -> bool:
    import pandas as pd
    return bool(pd.isna(value))


def test_national_provider_counts_regions_across_the_whole_store(rich_store):
    with store.read_only(rich_store) as con:
        everything = suppliers.top_suppliers(con, Filters(), "value").set_index("supplier_name")
        leeds_only = suppliers.top_suppliers(con, Filters(buyers=("Leeds City Council",)), "value")
    pennine = everything.loc["Pennine Roads Ltd"]
    # Award 1 is counted once (the Find a Tender notice), plus Essex and Manchester.
    assert pennine["value_gbp"] == 300_000 + 40_000 + 60_000
    assert pennine["awards"] == 3
    assert (pennine["regions_served"], pennine["councils_served"], pennine["buyers_served"]) == (3, 3, 3)
    assert suppliers.NATIONAL_PROVIDER_REGIONS == 3 and pennine["national_provider"]
    assert everything["national_provider"].sum() == 1
    # Filters narrow the money, never the footprint.
    row = leeds_only.set_index("supplier_name").loc["Pennine Roads Ltd"]
    assert row["value_gbp"] == 300_000 and row["regions_served"] == 3 and row["national_provider"]


def test_joint_award_splits_value_and_count(rich_store):
    with store.read_only(rich_store) as con:
        frame = suppliers.top_suppliers(con, Filters(), "value", search="partners").set_index("supplier_name")
    assert frame["value_gbp"].tolist() == [JOINT_VALUE / 2] * 2
    assert frame["awards"].tolist() == [0.5, 0.5]
    assert frame.loc["Stour Partners Ltd", "size_group"] == "Large"


def test_table_is_capped(rich_store):
    with store.read_only(rich_store) as con:
        frame = suppliers.top_suppliers(con, Filters(), "count")
    assert len(frame) == suppliers.TOP_SHOWN == 100
    assert frame["awards"].is_monotonic_decreasing
    assert frame.iloc[0]["supplier_name"] == "Pennine Roads Ltd"


@pytest.mark.parametrize("text, expected", [
    ("100%", ["100% Local_Food Ltd"]),        # % is a literal, not "anything"
    ("l_f", ["100% Local_Food Ltd"]),         # _ is a literal, not "any one character"
    ("LOCAL", ["100% Local_Food Ltd", "1000 LocalXFood Ltd"]),  # case-insensitive
    ("  localx ", ["1000 LocalXFood Ltd"]),   # spaces around are ignored
    ("'; DROP TABLE awards; --", []),
])
def test_search_by_name_is_literal_and_case_insensitive(rich_store, text, expected):
    with store.read_only(rich_store) as con:
        frame = suppliers.top_suppliers(con, Filters(), "value", search=text)
    assert sorted(frame["supplier_name"]) == expected


def test_contains_pattern_escapes_wildcards():
    assert contracts.contains_pattern(" 5%_off\\ ") == "%5\\%\\_off\\\\%"


def test_one_suppliers_awards(rich_store):
    with store.read_only(rich_store) as con:
        awards = suppliers.supplier_awards(con, Filters(), "name:pennine roads")
        assert suppliers.supplier_award_count(con, Filters(), "name:pennine roads") == 3
        assert len(suppliers.supplier_awards(con, Filters(), "name:pennine roads", 2)) == 2
    assert awards["award_date"].dt.date.tolist() == [date(2024, 5, 1), date(2024, 4, 1), date(2024, 2, 1)]
    assert awards["buyer_name"].tolist() == ["Manchester City Council", "Essex County Council", "Leeds City Council"]
    assert awards["source"].tolist() == ["contracts-finder", "contracts-finder", "find-a-tender"]
    assert awards["notice_url"].str.startswith("https://").all()


def test_top_chart_labels_and_readings(small_store):
    with store.read_only(small_store) as con:
        frame = suppliers.top_chart(con, Filters(), "value")
    assert frame["group"].tolist() == frame["size_group"].tolist()
    assert frame["label"].iloc[0] == "Pennine Roads Ltd (Large)"
    assert suppliers.top_reading(frame, "value") == (
        "Pennine Roads Ltd won the most award value: £300k (54% of the total). The top 6 suppliers won "
        "100% of it; 0 of them are national providers (buyers in 3 or more regions).")
    assert "Pennine Roads Ltd, Large: £300k (54%)" in suppliers.top_alt(frame, "value")


def test_chart_labels_escape_html_and_stay_unique():
    import pandas as pd
    frame = pd.DataFrame({"supplier_name": ["<b>Bold</b> Ltd", "Twin Ltd", "Twin Ltd"],
                          "size_group": ["SME", "SME", "SME"], "supplier_key": ["a", "b", "c"]})
    assert suppliers._chart_labels(frame) == ["&lt;b&gt;Bold&lt;/b&gt; Ltd (SME)", "Twin Ltd (SME)",
                                              "Twin Ltd (SME, c)"]


# ---------------------------------------------------------------- queries/contracts.py

def test_contracts_count_search_and_sort(small_store):
    with store.read_only(small_store) as con:
        assert contracts.matching(con, Filters()) == {"rows": 6, "awards": 6.0, "value_gbp": float(TOTAL)}
        leeds = contracts.matching(con, Filters(), "LEEDS")   # buyer names
        assert leeds == {"rows": 3, "awards": 3.0, "value_gbp": 450_000.0}
        assert contracts.matching(con, Filters(), "contract 4")["rows"] == 1  # titles
        assert contracts.matching(con, Filters(), "hyperlink")["rows"] == 1   # supplier names
        ascending = contracts.contracts(con, Filters(), "", "Value (this supplier's share)", "Ascending")
        newest = contracts.contracts(con, Filters(), "", "Award date", "Descending")
        by_supplier = contracts.contracts(con, Filters(), "", "Supplier", "Ascending")
    assert ascending["value_gbp"].tolist() == sorted(a[6] for a in AWARDS)
    assert newest["award_date"].dt.strftime("%Y-%m-%d").tolist() == sorted((a[7] for a in AWARDS), reverse=True)
    assert by_supplier["supplier_name"].tolist() == sorted(a[2] for a in AWARDS)
    assert newest["notice_url"].str.startswith("https://www.contractsfinder.service.gov.uk/Notice/").all()


@pytest.mark.parametrize("sort, direction", [("value_gbp", "DESC"), ("Award date", "DESC; DROP TABLE awards"),
                                             ("award_date; DROP TABLE awards", "Descending")])
def test_sort_comes_only_from_the_whitelist(small_store, sort, direction):
    with store.read_only(small_store) as con, pytest.raises(ValueError):
        contracts.contracts(con, Filters(), "", sort, direction)


def test_pages_cover_every_row_once(rich_store):
    with store.read_only(rich_store) as con:
        found = contracts.matching(con, Filters())
        pages = [contracts.contracts(con, Filters(), "", "Whole award value", "Descending", n)
                 for n in range(1, contracts.pages(found["rows"]) + 2)]
        everything = contracts.all_matching(con, Filters())
    assert found["rows"] == RICH_ROWS and found["awards"] == pytest.approx(RICH_AWARDS)
    assert contracts.pages(found["rows"]) == 2 and [len(p) for p in pages] == [100, RICH_ROWS - 100, 0]
    assert len(everything) == RICH_ROWS and everything["duplicate_of"].isna().all()
    shown = [v for p in pages for v in p["award_value_gbp"]]
    assert shown == sorted(shown, reverse=True)
    assert sum(shown) == pytest.approx(everything["award_value_gbp"].sum())
    assert contracts.pages(0) == 1 and contracts.pages(100) == 1 and contracts.pages(101) == 2


def test_unsafe_notice_links_are_not_offered():
    import duckdb
    con = duckdb.connect()
    rows = con.execute(f"""SELECT {contracts.SAFE_URL} FROM (VALUES ('javascript:alert(1)'),
        ('HTTPS://example.org/n'), ('http://example.org/n'), (NULL)) t(notice_url)""").fetchall()
    assert [r[0] for r in rows] == [None, "HTTPS://example.org/n", "http://example.org/n", None]


# ---------------------------------------------------------------- queries/quality.py

def test_store_coverage_equals_info(rich_store):
    info = summary(rich_store)
    with store.read_only(rich_store) as con:
        frame = quality.coverage(con, Filters()).set_index("figure")["store_rows"]
        counts = quality.store_counts(con)
        events = quality.quality_events(con).set_index("kind")["count"]
        flags = quality.value_flags(con).set_index("flag")["rows"]
        failed = quality.not_normalised(con)
    q = info["quality"]
    assert frame.tolist() == [q["rows_without_value"], q["rows_without_supplier_postcode"],
                              q["rows_with_unknown_size"], q["rows_with_unknown_vcse"],
                              q["rows_with_unknown_locality"], q["rows_with_unnamed_supplier"],
                              q["rows_valued_from_contract"]]
    assert {k: counts[k] for k in ("releases", "award_rows", "awards", "suppliers", "buyers",
                                   "postcodes_cached", "postcodes_unresolved")} == \
        {k: info[k] for k in ("releases", "award_rows", "awards", "suppliers", "buyers",
                              "postcodes_cached", "postcodes_unresolved")}
    assert {k: v for k, v in events.items() if v} == info["quality"]["events"] == \
        {"award_cancelled": 1, "cross_published": 1, "release_not_normalised": 1}
    assert {k: v for k, v in flags.items() if v} == info["quality"]["value_flags"] == {}
    assert failed.to_dict("records") == [{"ocid": i["ocid"], "release_id": i["release_id"], "reason": i["reason"]}
                                         for i in info["not_normalised"]]
    assert failed["reason"].tolist() == ["'awards' is not a list"]


def test_selection_coverage_follows_the_filters(small_store):
    with store.read_only(small_store) as con:
        manchester = quality.coverage(con, Filters(buyers=("Manchester City Council",))).set_index("figure")
        leeds = quality.coverage(con, Filters(buyers=("Leeds City Council",))).set_index("figure")
    # Manchester's one award went to Irwell Services: no postcode, no size, no VCSE status.
    assert manchester.loc["Award rows with unknown supplier size", "selection_share"] == 1.0
    assert manchester.loc["Award rows without a supplier postcode", "selection_rows"] == 1
    assert leeds["selection_rows"].sum() == 0
    assert leeds.loc["Award rows with unknown supplier size", "store_rows"] == 1


# ---------------------------------------------------------------- queries/method_text.py

def plain_readme() -> str:
    """The README flattened, with its Markdown marks (** and `) set aside."""
    return " ".join(README.read_text().replace("**", "").replace("`", "").split())


@pytest.mark.parametrize("key", method_text.IN_README)
def test_rules_match_the_readme_word_for_word(key):
    text = dict((k, t) for k, _, t in method_text.RULES)[key]
    assert " ".join(text.split()) in plain_readme()


def test_rule_texts_agree_with_the_code():
    assert method_text.band_text() in method_text.VALUE_BANDS
    assert f"{suppliers.NATIONAL_PROVIDER_REGIONS} or more regions" in method_text.NATIONAL_PROVIDER_TEXT
    assert "tender.suitability" in method_text.PROVIDER_SIZE
    assert "subcontracting" in method_text.SME_MEANING
    assert method_text.LICENCE == "Open Government Licence v3.0" and method_text.LICENCE in plain_readme()
    assert len({k for k, _, _ in method_text.RULES}) == len(method_text.RULES)


# ---------------------------------------------------------------- the pages (AppTest)

def column_type(element, column: str) -> str:
    """The st.column_config type a table gives `column` ("link" for notice links)."""
    return json.loads(element.proto.columns)[column]["type_config"]["type"]


def chart_spec(app, index=0) -> dict:
    return json.loads(app.get("plotly_chart")[index].proto.spec)


def test_suppliers_page_draws_the_query_results(open_page, small_store):
    app = open_page(small_store, "suppliers")
    with store.read_only(small_store) as con:
        expected = suppliers.top_chart(con, Filters(), "value")
    bar = chart_spec(app)["data"][0]
    assert bar["y"] == expected["label"].tolist()
    assert bar["x"] == pytest.approx([a[6] for a in sorted(AWARDS, key=lambda a: -a[6])])
    assert bar["marker"]["color"] == [COLOURS[SIZE_GROUP[n]] for n in expected["supplier_name"]]
    assert suppliers.top_reading(expected, "value") in texts(app)
    assert any(c.value.startswith("Chart description: Horizontal bar chart") for c in app.caption)
    table = app.dataframe[0].value
    assert table["supplier_name"].tolist() == expected["supplier_name"].tolist()
    assert table["value_gbp"].sum() == TOTAL
    # The first supplier is picked: its awards, with notice links.
    awards = app.dataframe[1].value
    assert awards["buyer_name"].tolist() == ["Leeds City Council"] and awards["value_gbp"].tolist() == [300_000]
    assert awards["notice_url"].str.startswith("https://").all()
    assert column_type(app.dataframe[1], "notice_url") == "link"
    assert "Showing 1 of 1 award row, newest first." in texts(app)


def test_suppliers_page_by_count_from_the_url(open_page, rich_store):
    app = open_page(rich_store, "suppliers", measure="By count")
    bar = chart_spec(app)["data"][0]
    assert len(bar["x"]) == suppliers.CHART_SUPPLIERS
    assert bar["y"][0] == "Pennine Roads Ltd (Large)" and bar["x"][0] == 3
    assert len(app.dataframe[0].value) == suppliers.TOP_SHOWN
    assert app.dataframe[0].value["national_provider"].iloc[0]


def test_supplier_search_and_pick(open_page, rich_store):
    app = open_page(rich_store, "suppliers", supplier_search="partners")
    assert app.dataframe[0].value["supplier_name"].tolist() == ["Blackwater Partners Ltd", "Stour Partners Ltd"]
    assert '2 suppliers whose name contains "partners".' in texts(app)
    app.selectbox(key="supplier_pick").set_value("name:stour partners").run()
    assert not app.exception
    awards = app.dataframe[1].value
    assert awards["value_gbp"].tolist() == [JOINT_VALUE / 2] and awards["n_suppliers"].tolist() == [2]
    assert any(t.startswith("Stour Partners Ltd won £45k across 1 award") for t in texts(app))


def test_supplier_search_with_no_match(open_page, small_store):
    app = open_page(small_store, "suppliers", supplier_search="zzz%")
    assert app.dataframe[0].value.empty
    assert app.info[0].value.startswith("No supplier matches")


def test_contracts_page_table_and_count(open_page, small_store):
    app = open_page(small_store, "contracts")
    assert "6 award rows (6 awards, £560k) match the filters." in texts(app)
    table = app.dataframe[0].value
    assert table["award_date"].dt.strftime("%Y-%m-%d").tolist() == sorted((a[7] for a in AWARDS), reverse=True)
    assert table["notice_url"].str.startswith("https://").all()
    assert column_type(app.dataframe[0], "notice_url") == "link"
    assert not app.get("download_button")  # no search: the router's download of every row is enough


def test_contracts_page_search_and_sort_from_the_url(open_page, small_store):
    app = open_page(small_store, "contracts", search="leeds", sort="Value (this supplier's share)",
                    order="Ascending")
    table = app.dataframe[0].value
    assert table["value_gbp"].tolist() == [50_000, 100_000, 300_000]
    assert '3 award rows (3 awards, £450k) match "leeds".' in texts(app)
    assert any(b.label == "Download the 3 matching rows (CSV)" for b in app.get("download_button"))


def test_sidebar_filters_apply(open_page, small_store):
    # Opened at the root and navigated in the app, as before: this test is about the sidebar
    # filters carrying across page switches. (Under AppTest, a session that starts on a deep
    # link loses the sidebar's widget state for the first run after a switch_page.)
    app = open_page(small_store, buyer=["Leeds City Council"])
    app.switch_page(page("contracts").script).run()
    assert app.session_state["filters"].buyers == ("Leeds City Council",)
    assert app.dataframe[0].value["buyer_name"].unique().tolist() == ["Leeds City Council"]
    app.switch_page("pages/suppliers.py").run()
    assert sorted(app.dataframe[0].value["supplier_name"]) == sorted(a[2] for a in AWARDS[:3])


def test_contracts_page_second_page(open_page, rich_store):
    app = open_page(rich_store, "contracts", page_no="2")
    assert len(app.dataframe[0].value) == RICH_ROWS - 100
    assert f"Page 2 of 2: rows 101 to {RICH_ROWS} of {RICH_ROWS}." in texts(app)
    app = open_page(rich_store, "contracts", page_no="9")  # past the end: the last page
    assert f"Page 2 of 2: rows 101 to {RICH_ROWS} of {RICH_ROWS}." in texts(app)
    app.text_input(key="search").set_value("filler").run()  # a new search starts at page 1
    assert not app.exception
    assert "Page 1 of 2: rows 1 to 100 of 120." in texts(app)


def test_methodology_page_states_the_codes_words(open_page, rich_store):
    app = open_page(rich_store, "methodology")
    shown = texts(app)
    for text in DEFINITIONS.values():
        assert text in shown
    assert CAVEATS in shown
    for _, _, text in method_text.RULES:
        assert text in shown
    assert method_text.LICENCE_TEXT in shown
    markdown = " ".join(m.value for m in app.markdown)
    assert "Open Government Licence v3.0" in markdown and "Contracts Finder" in markdown
    assert "Find a Tender" in markdown and "postcodes.io" in markdown
    with store.read_only(rich_store) as con:
        coverage = quality.coverage(con, Filters())
    assert app.dataframe[0].value["store_rows"].tolist() == coverage["store_rows"].tolist()
    events = app.dataframe[2].value.set_index("kind")["count"]
    assert (events["cross_published"], events["award_cancelled"], events["release_not_normalised"]) == (1, 1, 1)
    assert app.dataframe[3].value["reason"].tolist() == ["'awards' is not a list"]
    assert app.dataframe[4].value["source"].tolist() == ["contracts-finder", "find-a-tender"]
    assert {m.label: m.value for m in app.metric}["Releases kept"] == str(len(_rich_releases()))


@pytest.mark.slow
def test_pages_run_on_the_demo_store(open_page, demo_store):
    for name in ("suppliers", "contracts", "methodology"):
        app = open_page(demo_store, name)
        assert app.title and app.dataframe
    chart = chart_spec(open_page(demo_store, "suppliers"))["data"][0]
    assert len(chart["y"]) == suppliers.CHART_SUPPLIERS and not any(re.search(r"<", y) for y in chart["y"])
