"""The Value bands page: figures equal sums worked out by hand from tests/app_fixtures.AWARDS,
charts draw their query results, bands typed by users are parsed safely, and lot-division
reasons are read from the raw releases."""

import json
import math
from datetime import date
from pathlib import Path

import pytest

from loaders.normalising import lot_reasons
from loaders.normalising.classify import DEFAULT_BAND_EDGES, band_labels
from loaders.storage import store
from loaders.storage.loading import import_files
from queries import value_bands
from queries.filters import Filters
from readings import value_bands as band_words
from tests.app_fixtures import AWARDS, LOOKUP, release
from tests.conftest import chart_specs
from ui import value_bands_charts

pytestmark = pytest.mark.usefixtures("small_numbers_off")  # figures on a few awards

PAGE = "value_bands"

# Ground truth by hand from AWARDS (index: value, locality).
VALUES = [a[6] for a in AWARDS]                                  # 100k 300k 50k 20k 80k 10k
LOCAL = (True, False, False, True, False, False)
SME = (True, False, True, True, False, False)                    # every SME, VCSE or not
REASON = "The works need one contractor to manage the site safely."


def total(flags, values=VALUES) -> float:
    return sum(v for f, v in zip(flags, values) if f)


@pytest.fixture(scope="module")
def lots_store(tmp_path_factory) -> Path:
    """The small awards, with a stated reason for not dividing award 1 (£300k) into lots, and a
    method rationale on award 4 that is not about lots (so must not be read as one)."""
    folder = tmp_path_factory.mktemp("lots")
    releases = [release(i, a) for i, a in enumerate(AWARDS)]
    releases[1]["tender"]["lotDetails"] = {"noLotsReason": REASON}
    releases[4]["tender"]["procurementMethodRationale"] = "Urgency: a reason, but not about lots."
    (folder / "awards.json").write_text(json.dumps({"releases": releases}))
    (folder / "lookup.csv").write_text(LOOKUP)
    import_files([folder / "awards.json"], folder / "lots.duckdb", [folder / "lookup.csv"])
    return folder / "lots.duckdb"


@pytest.mark.parametrize("text, edges", [
    (value_bands.DEFAULT_TEXT, DEFAULT_BAND_EDGES),
    ("25k, 100k, 500k, 1m, 5m, 25m", (25e3, 1e5, 5e5, 1e6, 5e6, 25e6)),
    ("£25,000, 100,000; 1.5m 2bn", (25e3, 1e5, 1.5e6, 2e9)),
    ("1M,25K", (25e3, 1e6)),                       # any order, any case
    ("100k, 100k, 50000", (5e4, 1e5)),             # repeats merged
    ("  250  ", (250.0,)),
])
def test_parse_edges_reads_amounts(text, edges):
    assert value_bands.parse_edges(text) == pytest.approx(edges)


@pytest.mark.parametrize("text, says", [
    ("", "at least one breakpoint"),
    ("25k, lots", '"lots" is not an amount'),
    ("25k; DROP TABLE awards", '"drop" is not an amount'),
    ("0, 25k", '"0" is out of range'),
    ("-5k", '"-5k" is not an amount'),
    ("5000bn", "out of range"),
    (", ".join(f"{i}k" for i in range(1, 15)), "at most 12"),
    ("12345.1, 12345.2", "too close"),
])
def test_parse_edges_refuses_bad_input_clearly(text, says):
    with pytest.raises(value_bands.BandError, match=says.replace("(", r"\(")):
        value_bands.parse_edges(text)


def test_bad_input_falls_back_to_the_default_bands():
    assert value_bands.edges_or_default("") == (DEFAULT_BAND_EDGES, None)
    edges, message = value_bands.edges_or_default("25k, 1x")
    assert edges == DEFAULT_BAND_EDGES
    assert message.startswith('"1x" is not an amount') and "Showing the default bands" in message


def test_default_labels_match_the_stored_bands():
    assert value_bands.labels_for(DEFAULT_BAND_EDGES) == band_labels(DEFAULT_BAND_EDGES)
    assert value_bands.labels_for((1.25e6, 2.5e6)) == ["under 1.25m", "1.25m-2.5m", "2.5m and over", "unknown"]


def test_band_sql_binds_the_edges_and_agrees_with_the_store(small_con):
    sql, params = value_bands.band_case((12_345.0, 67_890.0))
    assert "12345" not in sql and "67890" not in sql and params == [12_345.0, 67_890.0]
    sql, params = value_bands.band_case(DEFAULT_BAND_EDGES)
    labels = band_labels(DEFAULT_BAND_EDGES)
    pairs = small_con.cursor().execute(f"SELECT value_band, {sql} FROM awards", params).fetchall()
    assert len(pairs) == len(AWARDS)
    assert all(stored == labels[index] for stored, index in pairs)


def test_band_distribution_equals_hand_sums(small_con):
    frame = value_bands.band_distribution(small_con, Filters())
    assert frame["label"].tolist() == band_labels(DEFAULT_BAND_EDGES)
    assert frame["value_gbp"].tolist() == pytest.approx([30_000, 130_000, 400_000, 0, 0, 0, 0, 0])
    assert frame["awards"].tolist() == pytest.approx([2, 2, 2, 0, 0, 0, 0, 0])
    assert frame["value_share"].sum() == pytest.approx(1)
    # under 25k: 20k SME local + 10k unknown; 25k-100k: 50k SME + 80k large; 100k-500k: 100k SME local + 300k
    assert frame["sme_value_share"].tolist()[:3] == pytest.approx([20 / 30, 50 / 130, 100 / 400])
    assert frame["sme_count_share"].tolist()[:3] == pytest.approx([0.5, 0.5, 0.5])
    assert frame["local_value_share"].tolist()[:3] == pytest.approx([20 / 30, 0, 100 / 400])
    assert frame["sme_value_share"].iloc[3:].isna().all()   # no awards: no share, not 0%


def test_custom_edges_put_a_value_on_an_edge_in_the_higher_band(small_con):
    frame = value_bands.band_distribution(small_con, Filters(), (50_000.0, 100_000.0))
    assert frame["label"].tolist() == ["under 50k", "50k-100k", "100k and over", "unknown"]
    assert frame["value_gbp"].tolist() == pytest.approx([30_000, 130_000, 400_000, 0])


def test_histogram_bins(small_con):
    frame = value_bands.value_histogram(small_con, Filters())
    # log10: 10k 4.0, 20k 4.30, 50k 4.70, 80k 4.90, 100k 5.0, 300k 5.48
    assert frame["log10_from"].tolist() == pytest.approx([4.0, 4.25, 4.5, 4.75, 5.0, 5.25])
    assert frame["value_gbp"].tolist() == pytest.approx([10_000, 20_000, 50_000, 80_000, 100_000, 300_000])
    assert frame["awards"].sum() == len(AWARDS)
    assert value_bands.unplotted_awards(small_con, Filters()) == 0


def test_thresholds_in_force_for_the_period_shown(small_con):
    first, last = value_bands.period_shown(small_con, Filters())
    assert (first, last) == (date(2022, 1, 1), date(2024, 6, 1))
    frame = value_bands.thresholds_in_force(first, last)
    assert frame["amount_gbp"].tolist() == [213_477, 5_336_937, 214_904, 5_372_609]
    assert set(frame["basis"]) == {"inc VAT"}
    early = value_bands.thresholds_in_force(date(2021, 3, 1), date(2021, 6, 1))
    assert early["amount_gbp"].tolist() == [189_330, 4_733_252] and set(early["basis"]) == {"ex VAT"}
    caption = band_words.threshold_caption(frame, first)
    assert "procurement started, not the award date" in caption and "include VAT" in caption


def test_cap_what_if(small_con):
    summary = value_bands.above_cap(small_con, Filters(), 75_000)      # 80k, 100k and 300k are over
    assert summary["awards_above"] == 3 and summary["contracts_above"] == 3
    assert summary["value_above"] == pytest.approx(480_000)
    assert summary["value_share"] == pytest.approx(480 / 560) and summary["awards_share"] == pytest.approx(0.5)
    assert band_words.cap_sentence(summary) == (
        "3 awards (50% of awards) are over £75k; they hold £480k (86% of award value).")
    buyers = value_bands.buyers_above_cap(small_con, Filters(), 75_000)
    assert buyers["buyer_name"].tolist() == ["Leeds City Council", "Essex County Council"]
    assert buyers["value_above"].tolist() == pytest.approx([400_000, 80_000])
    assert buyers["share_of_buyer_value_above"].tolist() == pytest.approx([400 / 450, 80 / 100])
    by_count = value_bands.buyers_above_cap(small_con, Filters(), 75_000, "count")
    assert by_count["awards_above"].tolist() == [2, 1]
    contracts = value_bands.contracts_above_cap(small_con, Filters(), 75_000)
    assert contracts["award_value_gbp"].tolist() == [300_000, 100_000, 80_000]
    assert contracts["reason_not_divided_into_lots"].tolist() == [value_bands.NOT_STATED] * 3
    assert value_bands.contracts_above_cap(small_con, Filters(), 75_000, 1, 1)["award_value_gbp"].tolist() == [100_000]


def test_lot_reasons_come_from_the_release_json(lots_store):
    with store.read_only(lots_store) as connection:
        contracts = value_bands.contracts_above_cap(connection, Filters(), 75_000)
    reasons = dict(zip(contracts["award_value_gbp"], contracts["reason_not_divided_into_lots"]))
    assert reasons == {300_000: REASON, 100_000: value_bands.NOT_STATED, 80_000: value_bands.NOT_STATED}


def test_lot_reason_texts_reads_only_lot_fields():
    release_json = {
        "tender": {"procurementMethodRationale": "not about lots",
                   "lots": [{"id": "1", "statusDetails": "x", "justification": {"description": "One site."}}],
                   "lotDetails": {"reasonForNotUsingLots": "Single supplier market."}},
        "awards": [{"statusReason": "not about lots"}],
    }
    assert sorted(lot_reasons.lot_reason_texts(release_json)) == ["One site.", "Single supplier market."]


def test_band_readings(small_con):
    frame = value_bands.band_distribution(small_con, Filters())
    assert band_words.distribution_sentence(frame, "value") == (
        "Awards of £100k to £500k are 33% of awards but hold 71% of award value (£400k).")
    assert band_words.band_shares_sentence(frame, "value") == (
        "SMEs won 67% of award value in the under 25k band and 25% in the 100k-500k band; "
        "local suppliers 67% and 25%.")


def test_value_bands_page_draws_its_queries(open_page, small_store, small_con):
    app = open_page(small_store, PAGE)
    assert not app.exception
    assert not app.warning
    charts = chart_specs(app)
    assert len(charts) == 3
    distribution = value_bands.band_distribution(small_con, Filters())
    assert charts[0]["data"][0]["y"] == distribution["label"].tolist()
    assert charts[0]["data"][0]["x"] == pytest.approx([30_000, 130_000, 400_000, 0, 0, 0, 0, 0])
    histogram = value_bands.value_histogram(small_con, Filters())
    assert charts[1]["data"][0]["y"] == pytest.approx(histogram["value_gbp"].tolist())
    lines = sorted(shape["x0"] for shape in charts[1]["layout"]["shapes"])
    assert lines == pytest.approx(sorted(math.log10(v) for v in (213_477, 5_336_937, 214_904, 5_372_609)))
    sme = charts[2]["data"][0]
    assert sme["y"][:3] == pytest.approx([20 / 30, 50 / 130, 100 / 400]) and sme["y"][3] is None
    assert any("include VAT" in c.value for c in app.caption)


def test_value_bands_page_by_count(open_page, small_store, small_con):
    app = open_page(small_store, PAGE, measure="By count")
    assert not app.exception
    charts = chart_specs(app)
    assert charts[0]["data"][0]["x"] == pytest.approx([2, 2, 2, 0, 0, 0, 0, 0])
    assert charts[1]["data"][0]["y"] == pytest.approx(value_bands.value_histogram(small_con, Filters())["awards"].tolist())
    assert charts[2]["data"][0]["y"][:3] == pytest.approx([0.5, 0.5, 0.5])       # SME share of awards
    assert charts[2]["data"][1]["y"][:3] == pytest.approx([0.5, 0, 0.5])         # local share of awards


def test_value_bands_page_with_typed_bands_and_a_cap(open_page, small_store):
    app = open_page(small_store, PAGE, bands="50k, 100k", cap="75000")
    assert not app.exception
    bar = chart_specs(app)[0]["data"][0]
    assert bar["y"] == ["under 50k", "50k-100k", "100k and over", "unknown"]
    assert bar["x"] == pytest.approx([30_000, 130_000, 400_000, 0])
    shown = {m.label: m.value for m in app.metric}
    assert shown["Awards above the cap"] == "3" and shown["Value above the cap"] == "£480k"
    assert shown["Share of value"] == f"{100 * 480 / 560:.0f}%"
    buyers, contracts = app.dataframe[0].value, app.dataframe[1].value
    assert buyers["buyer_name"].tolist() == ["Leeds City Council", "Essex County Council"]
    assert contracts["award_value_gbp"].tolist() == [300_000, 100_000, 80_000]
    assert set(contracts["reason_not_divided_into_lots"]) == {"not stated"}


def test_value_bands_page_explains_bad_bands(open_page, small_store):
    app = open_page(small_store, PAGE, bands="25k, [x](http://evil)")
    assert not app.exception
    assert "is not an amount" in app.warning[0].value and "Showing the default bands" in app.warning[0].value
    assert "](" not in app.warning[0].value                 # Markdown escaped, no link rendered
    assert chart_specs(app)[0]["data"][0]["y"] == band_labels(DEFAULT_BAND_EDGES)


def test_value_bands_page_shows_lot_reasons(open_page, lots_store):
    app = open_page(lots_store, PAGE, cap="75000")
    assert not app.exception
    contracts = app.dataframe[1].value
    assert contracts["reason_not_divided_into_lots"].tolist() == [REASON, "not stated", "not stated"]


def test_queries_follow_the_filters(small_con):
    leeds = Filters(buyers=("Leeds City Council",))
    assert value_bands.band_distribution(small_con, leeds)["value_gbp"].sum() == pytest.approx(450_000)
    assert value_bands.above_cap(small_con, leeds, 75_000)["value_above"] == pytest.approx(400_000)
    essex_and_leeds = Filters(buyers=("Essex County Council", "Leeds City Council"), date_from=date(2024, 1, 1))
    buyers = value_bands.buyers_above_cap(small_con, essex_and_leeds, 75_000)       # 300k (Feb 2024) and 80k (Mar 2024)
    assert buyers["buyer_name"].tolist() == ["Leeds City Council", "Essex County Council"]
    assert buyers["value_above"].tolist() == pytest.approx([300_000, 80_000])
    assert value_bands.contracts_above_cap(small_con, essex_and_leeds, 75_000)["award_value_gbp"].tolist() == [300_000, 80_000]
    assert value_bands.value_histogram(small_con, leeds)["value_gbp"].sum() == pytest.approx(450_000)


def test_the_page_runs_on_the_demo_store(open_page, demo_store):
    assert open_page(demo_store, PAGE).title


def test_filters_matching_nothing_give_empty_figures_not_errors(small_con):
    nobody = Filters(buyers=("No Such Council",))
    distribution = value_bands.band_distribution(small_con, nobody)
    assert distribution["awards"].sum() == 0
    assert band_words.distribution_sentence(distribution, "value") == "No awards match these filters."
    assert band_words.band_shares_sentence(distribution, "count").startswith("No awards")
    histogram = value_bands.value_histogram(small_con, nobody)
    value_bands_charts.value_histogram(histogram, "count", value_bands.thresholds_in_force(*value_bands.period_shown(small_con, nobody)))
    assert band_words.histogram_sentence(histogram, "count").startswith("No awards")
    summary = value_bands.above_cap(small_con, nobody, 1_000_000)
    assert summary["awards_above"] == 0 and band_words.cap_sentence(summary) == "No awards match these filters."
    assert value_bands.buyers_above_cap(small_con, nobody, 1_000_000).empty
    assert value_bands.contracts_above_cap(small_con, nobody, 1_000_000).empty


def test_a_link_to_a_page_past_the_last_says_so_and_shows_the_last(open_page, demo_store):
    """The one pager: a page number in the link beyond the table's pages is not dropped silently."""
    app = open_page(demo_store, PAGE, **{"cap-contracts-page": "100000"})
    warnings = [w.value for w in app.warning]
    assert any(w.startswith("There is no page 100,000: the table has ") for w in warnings), warnings
    pages = int(next(w for w in warnings if w.startswith("There is no page")).split("has ")[1].split(" pages")[0].replace(",", ""))
    assert any(t.value.startswith(f"Page {pages:,} of {pages:,}: rows ") for t in app.text)


def test_a_link_to_a_later_page_of_a_one_page_table_says_so(open_page, small_store):
    app = open_page(small_store, PAGE, **{"cap-contracts-page": "3"})
    assert "There is no page 3: the table has one page, so it is shown." in [w.value for w in app.warning]
