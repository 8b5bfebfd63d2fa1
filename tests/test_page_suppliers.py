"""The Suppliers page and its queries and words.

Expectations are worked out from the fixture tuples (tests/app_fixtures.AWARDS and the
richer store of tests/rich_store.py), not from the queries under test."""

import json
import re

import pandas as pd
import pytest

from loaders.definitions import NATIONAL_PROVIDER_REGIONS
from loaders.storage import store
from queries import suppliers
from queries.filters import Filters
from queries.formatting import pct
from readings import suppliers as words
from tests.app_fixtures import AWARDS
from tests.rich_store import FILLERS, JOINT_VALUE, ODD_NAMES, RICH_AWARDS, build_rich_store
from ui.charts import COLOURS

# Hand-worked facts of AWARDS (buyer region, size group, supplier home district).
SIZE_GROUP = {"Aireside Care CIC": "VCSE", "Pennine Roads Ltd": "Large", "Northern Digital Ltd": "SME",
              "Colne Gardens Ltd": "SME", '=HYPERLINK("x") Ltd': "Large", "Irwell Services Ltd": "Unknown"}
HOME = {"Aireside Care CIC": "Leeds", "Pennine Roads Ltd": "Bradford", "Northern Digital Ltd": "Manchester",
        "Colne Gardens Ltd": "Colchester", '=HYPERLINK("x") Ltd': None, "Irwell Services Ltd": None}
TOTAL = sum(a[6] for a in AWARDS)
RICH_SUPPLIERS = len(AWARDS) + len(ODD_NAMES) + len(FILLERS) + 2  # Pennine is in AWARDS; two on the joint award


@pytest.fixture(scope="module")
def rich_store(tmp_path_factory):
    return build_rich_store(tmp_path_factory.mktemp("rich"))


def texts(app) -> list[str]:
    return [t.value for t in app.text]


def chart_spec(app, index=0) -> dict:
    return json.loads(app.get("plotly_chart")[index].proto.spec)


def column_type(element, column: str) -> str:
    """The st.column_config type a table gives `column` ("link" for notice links)."""
    return json.loads(element.proto.columns)[column]["type_config"]["type"]


# ---------------------------------------------------------------- queries/suppliers.py

def test_top_suppliers_equal_the_fixture(small_store):
    with store.read_only(small_store) as con:
        frame = suppliers.top_suppliers(con, Filters(), "value")
    by_value = sorted(AWARDS, key=lambda a: -a[6])
    assert frame["supplier_name"].tolist() == [a[2] for a in by_value]
    assert frame["value_gbp"].tolist() == [a[6] for a in by_value]
    assert frame["value_share"].tolist() == pytest.approx([a[6] / TOTAL for a in by_value])
    assert frame["awards"].tolist() == [1] * len(AWARDS)
    assert frame["count_share"].tolist() == pytest.approx([1 / len(AWARDS)] * len(AWARDS))
    assert dict(zip(frame["supplier_name"], frame["size_group"])) == SIZE_GROUP
    homes = {n: (d if isinstance(d, str) else None) for n, d in zip(frame["supplier_name"], frame["home_district"])}
    assert homes == HOME
    hyperlink = frame.set_index("supplier_name").loc['=HYPERLINK("x") Ltd']
    assert hyperlink["home_country"] == "Ireland"
    assert pd.isna(frame.set_index("supplier_name").loc["Irwell Services Ltd", "supplier_vcse"])
    assert (frame["regions_served"] == 1).all() and (frame["councils_served"] == 1).all()
    assert not frame["national_provider"].any()


def test_national_provider_counts_regions_across_the_whole_store(rich_store):
    with store.read_only(rich_store) as con:
        everything = suppliers.top_suppliers(con, Filters(), "value").set_index("supplier_name")
        leeds_only = suppliers.top_suppliers(con, Filters(buyers=("Leeds City Council",)), "value")
    pennine = everything.loc["Pennine Roads Ltd"]
    # Award 1 is counted once (the Find a Tender notice), plus Essex and Manchester.
    assert pennine["value_gbp"] == 300_000 + 40_000 + 60_000
    assert pennine["awards"] == 3
    assert (pennine["regions_served"], pennine["councils_served"], pennine["buyers_served"]) == (3, 3, 3)
    assert NATIONAL_PROVIDER_REGIONS == 3 and pennine["national_provider"]
    assert everything["national_provider"].sum() == 1
    # Filters narrow the money, never the footprint.
    row = leeds_only.set_index("supplier_name").loc["Pennine Roads Ltd"]
    assert row["value_gbp"] == 300_000 and row["regions_served"] == 3 and row["national_provider"]


def test_a_joint_award_is_one_whole_award_for_each_supplier_with_half_the_value(rich_store):
    with store.read_only(rich_store) as con:
        frame = suppliers.top_suppliers(con, Filters(), "value", search="partners").set_index("supplier_name")
    assert frame["value_gbp"].tolist() == [JOINT_VALUE / 2] * 2
    assert frame["awards"].tolist() == [1, 1]  # whole awards: the awards it is on, never 0.5
    assert frame["count_share"].tolist() == pytest.approx([1 / RICH_AWARDS] * 2)
    assert frame.loc["Stour Partners Ltd", "size_group"] == "Large"


def test_every_supplier_a_page_at_a_time(rich_store):
    with store.read_only(rich_store) as con:
        total = suppliers.supplier_count(con, Filters())
        everyone = suppliers.top_suppliers(con, Filters(), "count", limit=None)
        first = suppliers.top_suppliers(con, Filters(), "count")
        second = suppliers.top_suppliers(con, Filters(), "count", limit=100, offset=100)
        assert suppliers.supplier_count(con, Filters(), "partners") == 2
    assert total == RICH_SUPPLIERS == len(everyone)
    assert len(first) == suppliers.TOP_SHOWN == 100 and len(second) == RICH_SUPPLIERS - 100
    assert pd.concat([first, second])["supplier_key"].tolist() == everyone["supplier_key"].tolist()
    assert everyone["awards"].is_monotonic_decreasing
    assert everyone.iloc[0]["supplier_name"] == "Pennine Roads Ltd"
    # Ties on awards go to the larger value: the one-award suppliers follow by value.
    ones = everyone[everyone["awards"] == 1]
    assert ones["value_gbp"].is_monotonic_decreasing


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
        assert suppliers.supplier_count(con, Filters(), text) == len(expected)
    assert sorted(frame["supplier_name"]) == expected


def test_one_suppliers_awards(rich_store):
    with store.read_only(rich_store) as con:
        awards = suppliers.supplier_awards(con, Filters(), "name:pennine roads")
        assert suppliers.supplier_award_count(con, Filters(), "name:pennine roads") == 3
        assert len(suppliers.supplier_awards(con, Filters(), "name:pennine roads", 2)) == 2
        rest = suppliers.supplier_awards(con, Filters(), "name:pennine roads", 2, 2)
        assert suppliers.supplier_awards(con, Filters(), None).empty
        assert suppliers.supplier_award_count(con, Filters(), None) == 0
        one = suppliers.one_supplier(con, Filters(), "name:pennine roads")
        assert suppliers.one_supplier(con, Filters(), None).empty
    assert awards["award_date"].dt.date.astype(str).tolist() == ["2024-05-01", "2024-04-01", "2024-02-01"]
    assert awards["buyer_name"].tolist() == ["Manchester City Council", "Essex County Council", "Leeds City Council"]
    assert awards["source"].tolist() == ["contracts-finder", "contracts-finder", "find-a-tender"]
    assert awards["notice_url"].str.startswith("https://").all()
    assert rest["buyer_name"].tolist() == ["Leeds City Council"]
    assert one["supplier_name"].tolist() == ["Pennine Roads Ltd"] and one["awards"].tolist() == [3]


def test_top_chart_labels_and_readings(small_store):
    with store.read_only(small_store) as con:
        frame = suppliers.top_chart(con, Filters(), "value")
    assert frame["group"].tolist() == frame["size_group"].tolist()
    labels = words.chart_labels(frame)
    assert labels[0] == "Pennine Roads Ltd (Large)"
    assert "Irwell Services Ltd (size unknown)" in labels  # a size group in words, never "(Unknown)"
    assert words.top_reading(frame, "value") == (
        "Pennine Roads Ltd won the most award value: £300k (54% of the total). The top 6 suppliers won "
        "100% of it; 0 of them are national providers (buyers in 3 or more regions).")
    alt = words.top_alt(frame, "value")
    assert "Pennine Roads Ltd, Large: £300k (54%)" in alt and "Irwell Services Ltd, size unknown: £10k (2%)" in alt


def test_by_count_the_top_suppliers_share_counts_a_joint_award_once(rich_store):
    with store.read_only(rich_store) as con:
        frame = suppliers.top_chart(con, Filters(), "count")
    # Pennine (3 awards), then one-award suppliers by value: Aireside, =HYPERLINK, Northern,
    # Blackwater and Stour (the same joint award), Colne, Irwell, the two odd names, 5 fillers.
    assert frame["awards"].tolist() == [3] + [1] * 14
    assert {"Blackwater Partners Ltd", "Stour Partners Ltd"} <= set(frame["supplier_name"])
    together = (3 + 14 - 1) / RICH_AWARDS
    assert frame["together_count_share"].iloc[0] == pytest.approx(together)
    assert words.top_reading(frame, "count") == (
        f"Pennine Roads Ltd won the most awards: 3 awards ({pct(3 / RICH_AWARDS)} of all awards). The top 15 "
        f"suppliers won {pct(together)} of the awards (an award won by several of them counted once); 1 of them "
        "is a national provider (buyers in 3 or more regions).")


def test_chart_labels_escape_html_and_stay_unique():
    frame = pd.DataFrame({"supplier_name": ["<b>Bold</b> Ltd", "Twin Ltd", "Twin Ltd", "Fog Ltd"],
                          "size_group": ["SME", "SME", "SME", "Unknown"], "supplier_key": ["a", "b", "c", "d"]})
    assert words.chart_labels(frame) == ["&lt;b&gt;Bold&lt;/b&gt; Ltd (SME)", "Twin Ltd (SME)", "Twin Ltd (SME, c)",
                                         "Fog Ltd (size unknown)"]


def test_table_sentence():
    assert words.table_sentence(1, "", "value") == "1 supplier under these filters, the largest by value first."
    assert words.table_sentence(1234, "care", "count") == (
        '1,234 suppliers whose name contains "care", the largest by number of awards first.')


# ---------------------------------------------------------------- the page (AppTest)

def test_suppliers_page_draws_the_query_results(open_page, small_store):
    app = open_page(small_store, "suppliers")
    with store.read_only(small_store) as con:
        expected = suppliers.top_chart(con, Filters(), "value")
    bar = chart_spec(app)["data"][0]
    assert bar["y"] == words.chart_labels(expected)
    assert bar["x"] == pytest.approx([a[6] for a in sorted(AWARDS, key=lambda a: -a[6])])
    assert bar["marker"]["color"] == [COLOURS[SIZE_GROUP[n]] for n in expected["supplier_name"]]
    assert words.top_reading(expected, "value") in texts(app)
    assert any(c.value.startswith("Chart description: Horizontal bar chart") for c in app.caption)
    assert any(c.value == words.AWARDS_TEXT for c in app.caption)
    table = app.dataframe[0].value
    assert table["supplier_name"].tolist() == expected["supplier_name"].tolist()
    assert table["value_gbp"].sum() == TOTAL
    assert "6 suppliers under these filters, the largest by value first." in texts(app)
    # The first supplier is picked: its awards, with notice links.
    awards = app.dataframe[1].value
    assert awards["buyer_name"].tolist() == ["Leeds City Council"] and awards["value_gbp"].tolist() == [300_000]
    assert awards["notice_url"].str.startswith("https://").all()
    assert column_type(app.dataframe[1], "notice_url") == "link"
    assert any(t.startswith("Pennine Roads Ltd won £300k across 1 award in this selection.") for t in texts(app))
    assert {b.key for b in app.get("download_button")} >= {"csv-top_suppliers", "csv-suppliers",
                                                           "csv-supplier-awards"}


def test_suppliers_page_by_count_shows_whole_awards_that_agree(open_page, rich_store):
    """One count everywhere: the bars, the table's Awards and the sentence all count the awards
    a supplier is on, as whole numbers."""
    app = open_page(rich_store, "suppliers", measure="By count")
    bar = chart_spec(app)["data"][0]
    assert len(bar["x"]) == suppliers.CHART_SUPPLIERS
    assert bar["y"][0] == "Pennine Roads Ltd (Large)" and bar["x"][0] == 3
    assert all(float(x).is_integer() for x in bar["x"])
    table = app.dataframe[0].value
    assert len(table) == suppliers.TOP_SHOWN and table["national_provider"].iloc[0] == "yes"
    assert table["awards"].tolist()[:15] == bar["x"]
    assert "award_rows" not in table.columns
    assert any(t.startswith("Pennine Roads Ltd won £400k across 3 awards in this selection.") for t in texts(app))
    assert f"Page 1 of 2: rows 1 to 100 of {RICH_SUPPLIERS}." in texts(app)


def test_suppliers_table_second_page_from_the_url_and_a_search_starts_again(open_page, rich_store):
    app = open_page(rich_store, "suppliers", **{"suppliers-page": "2"})
    assert len(app.dataframe[0].value) == RICH_SUPPLIERS - 100
    app.text_input(key="supplier_search").set_value("filler").run()
    assert not app.exception
    assert "Page 1 of 2: rows 1 to 100 of 120." in texts(app)


def test_supplier_search_and_pick(open_page, rich_store):
    app = open_page(rich_store, "suppliers", supplier_search="partners")
    assert app.dataframe[0].value["supplier_name"].tolist() == ["Blackwater Partners Ltd", "Stour Partners Ltd"]
    assert '2 suppliers whose name contains "partners", the largest by value first.' in texts(app)
    app.selectbox(key="supplier_pick").set_value("name:stour partners").run()
    assert not app.exception
    awards = app.dataframe[1].value
    assert awards["value_gbp"].tolist() == [JOINT_VALUE / 2] and awards["n_suppliers"].tolist() == [2]
    assert any(t.startswith("Stour Partners Ltd won £45k across 1 award") for t in texts(app))


def test_supplier_search_with_no_match(open_page, small_store):
    app = open_page(small_store, "suppliers", supplier_search="zzz%")
    assert app.dataframe[0].value.empty and len(app.dataframe) == 1
    assert app.info[0].value == words.NO_MATCH


@pytest.mark.slow
def test_suppliers_page_on_the_demo_store(open_page, demo_store):
    app = open_page(demo_store, "suppliers", measure="By count")
    chart = chart_spec(app)["data"][0]
    assert len(chart["y"]) == suppliers.CHART_SUPPLIERS and not any(re.search(r"<", y) for y in chart["y"])
    assert not any(y.endswith("(Unknown)") for y in chart["y"])
    assert all(float(x).is_integer() for x in chart["x"])
    assert app.dataframe[0].value["awards"].tolist()[:suppliers.CHART_SUPPLIERS] == chart["x"]
