"""The Provider size page: figures equal sums worked out by hand from tests/app_fixtures.AWARDS,
and its charts draw their query results."""

import pytest

from loaders.storage import store
from queries import provider_size
from queries.filters import Filters
from queries.overview import breakdown, summary
from readings import provider_size as provider_words
from tests.app_fixtures import AWARDS
from tests.conftest import chart_specs
from ui import provider_size_charts

pytestmark = pytest.mark.usefixtures("small_numbers_off")  # figures on a few awards

PAGE = "provider_size"

# Ground truth by hand from AWARDS (index: value, provider group, financial year).
VALUES = [a[6] for a in AWARDS]                                  # 100k 300k 50k 20k 80k 10k
GROUP = ("VCSE", "Large", "SME", "SME", "Large", "Unknown")
YEAR = ("2023-24", "2023-24", "2024-25", "2023-24", "2023-24", "2021-22")


def split(con, filters: Filters, name: str):
    """One split as the page makes it: from the one scan of every split."""
    return provider_size.provider_split(provider_size.split_sums(con, filters), name, provider_size.division_labels(con))


def divisions(con, filters: Filters, measure: str, top: int = 10):
    return provider_size.provider_by_division(provider_size.split_sums(con, filters), measure,
                                              provider_size.division_labels(con), top)


def total(flags, values=VALUES) -> float:
    return sum(v for f, v in zip(flags, values) if f)


def test_provider_split_by_year_equals_hand_sums(small_con, small_numbers_off):
    frame = split(small_con, Filters(), "year")
    assert list(dict.fromkeys(frame["key_label"])) == ["2021-22", "2023-24", "2024-25"]
    for year in ("2021-22", "2023-24", "2024-25"):
        for group in ("SME", "VCSE", "Large", "Unknown"):
            row = frame[(frame["key_label"] == year) & (frame["group"] == group)]
            flags = [y == year and g == group for y, g in zip(YEAR, GROUP)]
            assert row["value_gbp"].item() == pytest.approx(total(flags))
            assert row["awards"].item() == sum(flags)
    in_2023 = frame[frame["key_label"] == "2023-24"]
    assert in_2023["value_share"].sum() == pytest.approx(1)
    assert provider_words.year_sentence(frame, "value") == (
        "In 2024-25, 100% of award value went to SMEs (not VCSE), up from 0% in 2021-22. VCSE organisations "
        "won 0% and large suppliers (not VCSE) 0% in 2024-25.")


def test_provider_split_by_category_buyer_type_and_division(small_con):
    category = split(small_con, Filters(), "category")
    assert set(category["key"]) == {"services"}
    assert category["value_gbp"].tolist() == pytest.approx(
        [total([g == group for g in GROUP]) for group in ("SME", "VCSE", "Large", "Unknown")])
    buyer_type = split(small_con, Filters(), "buyer_type")
    assert set(buyer_type["key"]) == {"local authority"}
    division = divisions(small_con, Filters(), "value")
    assert set(division["key_label"]) == {"No CPV code"}      # the fixture notices carry no CPV code
    assert division["value_gbp"].sum() == pytest.approx(sum(VALUES))
    assert provider_words.split_sentence(category, "value", "category") == (
        "For category services, large suppliers (not VCSE) won 68% of award value and SMEs and VCSEs 30%.")


def test_largest_awards_to_large_suppliers(small_con):
    frame = provider_size.largest_large_awards(small_con, Filters())
    assert frame["supplier_name"].tolist() == ["Pennine Roads Ltd", '=HYPERLINK("x") Ltd']
    assert frame["value_gbp"].tolist() == [300_000, 80_000]
    assert frame["locality"].tolist() == ["Same region", "Outside UK"]
    assert frame["notice_url"].str.startswith("https://").all()
    assert provider_size.large_award_rows(small_con, Filters()) == 2
    assert provider_words.largest_sentence(frame) == (
        "The largest award to a large supplier is £300k from Leeds City Council to Pennine Roads Ltd: Contract 1.")


def test_provider_page_draws_its_queries(open_page, small_store, small_con):
    app = open_page(small_store, PAGE)
    assert not app.exception
    charts = chart_specs(app)
    assert len(charts) == 5
    overall = breakdown(summary(small_con, Filters()), "provider")
    assert charts[0]["data"][0]["x"] == pytest.approx(overall["value_gbp"].tolist())
    by_hand = [total([g == group for g in GROUP]) for group in ("SME", "VCSE", "Large", "Unknown")]
    assert charts[0]["data"][0]["x"] == pytest.approx(by_hand)
    years = split(small_con, Filters(), "year")
    for trace in charts[1]["data"]:
        part = years[years["label"] == trace["name"]]
        # The data run from January 2022 to June 2024: the first and last years are part years.
        assert trace["x"] == ["2021-22 (part year)", "2023-24", "2024-25 (part year)"] == \
               [f"{y} (part year)" if y != "2023-24" else y for y in part["key_label"]]
        assert trace["y"] == pytest.approx(part["value_gbp"].tolist())
    large = next(t for t in charts[1]["data"] if t["name"] == "Large (not VCSE)")
    assert large["y"] == pytest.approx([0, 380_000, 0])
    category = split(small_con, Filters(), "category")
    for trace in charts[3]["data"]:
        assert trace["x"] == pytest.approx(category.loc[category["label"] == trace["name"], "value_share"].tolist())
    table = app.dataframe[0].value
    assert table["supplier_name"].tolist() == ["Pennine Roads Ltd", '=HYPERLINK("x") Ltd']
    assert table["value_gbp"].tolist() == [300_000, 80_000]
    assert any(t.value.startswith("The largest award to a large supplier is £300k") for t in app.text)


def test_provider_page_by_count(open_page, small_store):
    app = open_page(small_store, PAGE, measure="By count")
    assert not app.exception
    assert chart_specs(app)[0]["data"][0]["x"] == pytest.approx([2, 1, 2, 1])


def test_queries_follow_the_filters(small_con):
    leeds = Filters(buyers=("Leeds City Council",))
    assert split(small_con, leeds, "year")["value_gbp"].sum() == pytest.approx(450_000)
    assert provider_size.largest_large_awards(small_con, leeds)["value_gbp"].tolist() == [300_000]


def test_the_page_runs_on_the_demo_store(open_page, demo_store):
    app = open_page(demo_store, PAGE)
    assert app.title
    with store.read_only(demo_store) as connection:
        division = divisions(connection, Filters(), "value", 10)
        everything = breakdown(summary(connection, Filters()), "provider")["value_gbp"].sum()
    keys = list(dict.fromkeys(division["key"]))
    assert len(keys) == 11 and keys[-1] == provider_size.OTHER       # top 10 divisions, then the rest together
    assert division["value_gbp"].sum() == pytest.approx(everything)


def test_filters_matching_nothing_give_empty_figures_not_errors(small_con):
    nobody = Filters(buyers=("No Such Council",))
    for name in ("year", "buyer_type", "category"):
        frame = split(small_con, nobody, name)
        assert frame.empty
        provider_size_charts.provider_stack(frame, "value", name)
        assert provider_words.stack_alt(frame, "value", name).endswith("No awards.")
    assert provider_words.year_sentence(split(small_con, nobody, "year"), "value").startswith("No awards")
    assert divisions(small_con, nobody, "count").empty
    assert provider_words.largest_sentence(provider_size.largest_large_awards(small_con, nobody)).startswith("No awards")
