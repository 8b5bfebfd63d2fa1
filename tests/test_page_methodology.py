"""The Methodology and data page: the code's own words (checked against the README word for
word), coverage and data-quality figures equal to `info`, and its tables in words.

Expectations are worked out from the fixture tuples (tests/app_fixtures.AWARDS and the
richer store of tests/rich_store.py), not from the queries under test."""

import json
import re
from pathlib import Path

import pytest

from loaders.definitions import CAVEATS, DEFINITIONS, NATIONAL_PROVIDER_REGIONS
from loaders.info import summary
from loaders.storage import store
from queries import quality
from queries.filters import Filters
from readings import methodology as words
from tests.rich_store import build_rich_store, rich_releases
from ui import tables

README = Path(__file__).resolve().parents[1] / "README.md"
CODES = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")  # over_1bn, non_gbp, cross_published, ...


@pytest.fixture(scope="module")
def rich_store(tmp_path_factory):
    return build_rich_store(tmp_path_factory.mktemp("rich"))


def texts(app) -> list[str]:
    return [t.value for t in app.text]


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


# ---------------------------------------------------------------- readings/methodology.py

def plain_readme() -> str:
    """The README flattened, with its Markdown marks (** and `) set aside."""
    return " ".join(README.read_text().replace("**", "").replace("`", "").split())


@pytest.mark.parametrize("key", words.IN_README)
def test_rules_match_the_readme_word_for_word(key):
    text = dict((k, t) for k, _, t in words.RULES)[key]
    assert " ".join(text.split()) in plain_readme()


def test_rule_texts_agree_with_the_code():
    assert words.band_text() in words.VALUE_BANDS
    assert f"{NATIONAL_PROVIDER_REGIONS} or more regions" in words.NATIONAL_PROVIDER_TEXT
    assert "tender.suitability" in words.PROVIDER_SIZE
    assert "subcontracting" in words.SME_MEANING
    assert "one whole award for each of its suppliers" in words.AWARDS_TEXT
    assert words.LICENCE == "Open Government Licence v3.0" and words.LICENCE in plain_readme()
    assert len({k for k, _, _ in words.RULES}) == len(words.RULES)


def test_every_code_has_words():
    assert set(words.FLAG_LABELS) == set(quality.VALUE_FLAGS) == set(quality.LEFT_OUT_WORDS)
    assert set(words.EVENT_LABELS) == set(quality.EVENT_KINDS)
    for label in [*words.FLAG_LABELS.values(), *words.EVENT_LABELS.values()]:
        assert not CODES.search(label), label
    assert words.in_words("some_new_kind", words.EVENT_LABELS) == "Some new kind"


# ---------------------------------------------------------------- the page (AppTest)

def test_methodology_page_states_the_codes_words(open_page, rich_store):
    app = open_page(rich_store, "methodology")
    shown = texts(app)
    for text in DEFINITIONS.values():
        assert text in shown
    assert CAVEATS in shown
    for _, _, text in words.RULES:
        assert text in shown
    assert words.LICENCE_TEXT in shown
    markdown = " ".join(m.value for m in app.markdown)
    assert "Open Government Licence v3.0" in markdown and "Contracts Finder" in markdown
    assert "Find a Tender" in markdown and "postcodes.io" in markdown
    with store.read_only(rich_store) as con:
        coverage = quality.coverage(con, Filters())
    assert app.dataframe[0].value["store_rows"].tolist() == coverage["store_rows"].tolist()
    events = app.dataframe[2].value.set_index("quality_event")["records"]
    labels = words.EVENT_LABELS
    assert (events[labels["cross_published"]], events[labels["award_cancelled"]],
            events[labels["release_not_normalised"]]) == (1, 1, 1)
    assert app.dataframe[3].value["reason"].tolist() == ["'awards' is not a list"]
    assert app.dataframe[4].value["source"].tolist() == ["contracts-finder", "find-a-tender",
                                                         "public-contracts-scotland", "sell2wales"]
    assert {m.label: m.value for m in app.metric}["Releases kept"] == str(len(rich_releases()))


def test_methodology_tables_show_words_and_labels_not_codes(open_page, rich_store):
    app = open_page(rich_store, "methodology")
    flags, events, sources = app.dataframe[1], app.dataframe[2], app.dataframe[4]
    assert flags.value["value_flag"].tolist() == list(words.FLAG_LABELS.values())
    assert "Over £1bn" in flags.value["value_flag"].tolist()
    assert events.value["quality_event"].tolist()[:len(words.EVENT_LABELS)] == list(
        words.EVENT_LABELS.values())
    for element in (flags, events):
        for column in ("value_flag", "quality_event"):
            if column in element.value:
                assert not any(CODES.fullmatch(v) for v in element.value[column]), element.value[column]
    for element in app.dataframe:
        config = json.loads(element.proto.columns)
        shown = [c for c in element.value.columns if not config.get(c, {}).get("hidden")]
        assert all(config.get(c, {}).get("label") == tables.COLUMNS[c].label for c in shown), shown
    config = json.loads(sources.proto.columns)
    assert config["last_loaded"]["label"] == "Last loaded"
    assert config["last_loaded"]["type_config"]["format"] == "DD/MM/YYYY HH:mm"
    assert (sources.value["last_loaded"].dropna().dt.microsecond == 0).all()
    assert texts(app).count(words.COVERAGE_READING) == 1


def test_every_release_read_says_so_and_shows_no_empty_table(open_page, small_store):
    app = open_page(small_store, "methodology")
    assert words.ALL_READ in texts(app)
    assert len(app.dataframe) == 4  # coverage, value flags, records left out, sources


@pytest.mark.slow
def test_methodology_page_on_the_demo_store(open_page, demo_store):
    app = open_page(demo_store, "methodology")
    assert app.title and app.dataframe
