"""The Council scorecard page: a council picked by name or by postcode, its figures equal to
hand sums over tests/app_fixtures.AWARDS, its ranks among peers, its suppliers' footprint,
its contracts ending soon and its data coverage; its blocks, their readings and columns."""

import importlib.util
import json
from datetime import date, timedelta

import pytest

from loaders.storage import store
from loaders.storage.loading import import_files
from queries import scorecard as sc
from queries.filters import Filters
from queries.overview import GROUP_LABELS, summary, trend
from readings import scorecard as words
from tests.app_fixtures import AWARDS, LOOKUP, release
from tests.conftest import ROOT
from tests.test_app import LOCALITY, SME, VCSE, metrics, share
from ui import registry
from ui.blocks import Chart, View

pytestmark = pytest.mark.usefixtures("small_numbers_off")  # figures on a few awards

LEEDS, ESSEX, MANCHESTER = "Leeds City Council", "Essex County Council", "Manchester City Council"
TODAY = date.today()

# A second small store: one supplier serving councils in three regions (a national
# provider), contract end dates around today, and a name with markup in it.
NATIONAL = "Nationwide Services Ltd"
BOLD = "Bold <b>Co</b> & Sons Ltd"
EXTRA = (  # AWARDS-shaped rows, plus the contract end date
    (LEEDS, "LS1 1UR", NATIONAL, "9 Deansgate, Manchester, M1 1AA", "large", False, 500_000, "2024-05-01",
     TODAY + timedelta(days=180)),
    (MANCHESTER, "M1 1AE", NATIONAL, "9 Deansgate, Manchester, M1 1AA", "large", False, 200_000, "2024-05-02", None),
    (ESSEX, "CM1 1QH", NATIONAL, "9 Deansgate, Manchester, M1 1AA", "large", False, 100_000, "2024-05-03", None),
    (LEEDS, "LS1 1UR", BOLD, "1 Mill Lane, Leeds, LS6 2AB", "sme", False, 40_000, "2024-06-01",
     sc.add_months(TODAY, 30)),
    (LEEDS, "LS1 1UR", "Aireside Care CIC", "1 Mill Lane, Leeds, LS6 2AB", "sme", True, 60_000, "2023-05-01",
     TODAY - timedelta(days=30)),
)


def leeds_rows():
    return [(a, loc, sme, vcse) for a, loc, sme, vcse in zip(AWARDS, LOCALITY, SME, VCSE) if a[0] == LEEDS]


@pytest.fixture(scope="module")
def extra_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scorecard-extra")
    releases = []
    for index, (*award, end) in enumerate(EXTRA):
        item = release(index, tuple(award))
        if end:
            item["awards"][0]["contractPeriod"] = {"startDate": award[7], "endDate": end.isoformat()}
        releases.append(item)
    (folder / "awards.json").write_text(json.dumps({"releases": releases}))
    (folder / "lookup.csv").write_text(LOOKUP)
    path = folder / "extra.duckdb"
    import_files([folder / "awards.json"], path, [folder / "lookup.csv"])
    return path


# A third: Leeds awards one contract jointly to three suppliers (each on it, each carrying a
# third of it by count), and two more to one of them alone.
JOINT = ((LEEDS, "LS1 1UR", "Pennine Roads Ltd", "2 High St, Bradford BD1 1AA", "large", False, 90_000, "2024-02-01"),
         (LEEDS, "LS1 1UR", "Pennine Roads Ltd", "2 High St, Bradford BD1 1AA", "large", False, 60_000, "2024-03-01"),
         (LEEDS, "LS1 1UR", "Pennine Roads Ltd", "2 High St, Bradford BD1 1AA", "large", False, 10_000, "2024-04-01"))
PARTNERS = (("Aireside Care CIC", "1 Mill Lane, Leeds, LS6 2AB"),
            ("Northern Digital Ltd", "3 Deansgate, Manchester, M1 1AA"))


@pytest.fixture(scope="module")
def joint_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scorecard-joint")
    releases = [release(index, award) for index, award in enumerate(JOINT)]
    for n, (name, address) in enumerate(PARTNERS):
        releases[0]["parties"].append({"id": f"P{n}", "name": name, "roles": ["supplier"],
                                       "address": {"streetAddress": address}, "details": {"scale": "sme"}})
        releases[0]["awards"][0]["suppliers"].append({"id": f"P{n}", "name": name})
    (folder / "awards.json").write_text(json.dumps({"releases": releases}))
    (folder / "lookup.csv").write_text(LOOKUP)
    path = folder / "joint.duckdb"
    import_files([folder / "awards.json"], path, [folder / "lookup.csv"])
    return path


@pytest.fixture(scope="module")
def page():
    """The page's module, not drawn (its blocks, settings and example hook)."""
    spec = importlib.util.spec_from_file_location("pages.scorecard", ROOT / "pages" / "scorecard.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def run(small_store):
    con = store.read_only(small_store)
    yield lambda function, *args: function(con, *args)
    con.close()


def texts(app) -> list[str]:
    return [t.value for t in app.text]


def charts(app) -> list[dict]:
    return [json.loads(c.proto.spec) for c in app.get("plotly_chart")]


# --- choosing the council --------------------------------------------------------------------

def test_leeds_by_name_shows_hand_computed_figures(open_page, small_store):
    app = open_page(small_store, "scorecard", council=LEEDS)
    rows = leeds_rows()
    values = [a[6] for a, *_ in rows]
    shown = metrics(app)
    assert shown["Total award value"] == "£450k" and sum(values) == 450_000
    assert shown["Awards"] == str(len(rows)) == "3"
    for label, flags in (("Local", [loc == "local" for _, loc, _, _ in rows]),
                         ("SME", [s for _, _, s, _ in rows]), ("VCSE", [v for _, _, _, v in rows])):
        assert shown[f"{label} (by value)"] == share(flags, values)
        assert shown[f"{label} (by count)"] == share(flags)
    assert shown["Local (by value)"] == "22%" and shown["SME (by count)"] == "67%"
    assert f"{LEEDS}: a metropolitan borough council (Leeds, E08000035), Yorkshire and The Humber." in texts(app)


@pytest.mark.parametrize("typed, note", [("LS1 1UR", "LS1 1UR is in Leeds: Leeds City Council."),
                                         ("ls11ur", "LS1 1UR is in Leeds: Leeds City Council."),
                                         ("LS6", "LS6 is in Leeds (placed by its postcode district): "
                                                 "Leeds City Council.")])
def test_leeds_by_postcode(open_page, small_store, typed, note):
    app = open_page(small_store, "scorecard", postcode=typed)
    assert app.text_input(key="postcode").label == "Council by postcode"
    assert app.selectbox(key="council").label == "Council"
    assert app.selectbox(key="council").value == LEEDS
    assert metrics(app)["Total award value"] == "£450k"
    assert note in texts(app)


def test_a_district_postcode_in_a_county_finds_the_county_council(open_page, small_store):
    app = open_page(small_store, "scorecard", postcode="CM1 1QH")  # Chelmsford, Essex
    assert app.selectbox(key="council").value == ESSEX
    assert metrics(app)["Total award value"] == "£100k"


@pytest.mark.parametrize("typed, message", [
    ("BD1 1AA", "No council in these data covers BD1 1AA."),
    ("SW1A 2AA", "Neither SW1A 2AA nor its postcode district"),
    ("hello", "That is not a UK postcode"),
])
def test_a_postcode_without_a_council_says_so(open_page, small_store, typed, message):
    app = open_page(small_store, "scorecard", postcode=typed)
    assert app.warning[0].value.startswith(message)
    assert app.selectbox(key="council").value is None
    assert "Pick a council by name" in app.info[0].value
    assert not app.metric


def test_a_postcode_beats_a_different_council_in_the_url(open_page, small_store):
    app = open_page(small_store, "scorecard", council=ESSEX, postcode="LS1 1UR")
    assert app.selectbox(key="council").value == LEEDS
    assert metrics(app)["Total award value"] == "£450k"


def test_picking_by_name_clears_the_postcode(open_page, small_store):
    app = open_page(small_store, "scorecard", postcode="LS1 1UR")
    app.selectbox(key="council").set_value(MANCHESTER).run()
    assert not app.exception
    assert app.text_input(key="postcode").value == ""
    assert metrics(app)["Total award value"] == "£10k"


def test_postcode_lookup_unit(small_store):
    with store.read_only(small_store) as con:
        assert sc.council_for_postcode(con, "LS1 1UR")["council"] == LEEDS
        assert sc.council_for_postcode(con, "ls6")["precision"] == "district"
        assert sc.council_for_postcode(con, "LS1 9ZZ")["council"] == LEEDS  # unknown postcode, known district
        essex = sc.council_for_postcode(con, "CO1 2AB")
        assert (essex["lad_name"], essex["county_code"], essex["council"]) == ("Colchester", "E10000012", ESSEX)
        assert sc.council_for_postcode(con, "BD1 1AA")["problem"] == "no_council"
        assert sc.council_for_postcode(con, "")["problem"] == "invalid"
        assert sc.councils(con) == [ESSEX, LEEDS, MANCHESTER]


# --- filters ---------------------------------------------------------------------------------

def test_sidebar_filters_apply_but_the_council_overrides_the_buyer(open_page, small_store):
    app = open_page(small_store, "scorecard", council=LEEDS, buyer=[ESSEX], **{"from": "2024-01-01"})
    assert metrics(app)["Total award value"] == "£350k"  # Leeds from 2024: 300k + 50k
    assert metrics(app)["Awards"] == "2"


def test_a_single_sidebar_council_is_the_default(open_page, small_store):
    app = open_page(small_store, "scorecard", buyer=[ESSEX])
    assert app.selectbox(key="council").value == ESSEX


# --- peers and ranks -------------------------------------------------------------------------

def test_council_table_equals_hand_sums(small_store):
    with store.read_only(small_store) as con:
        table = sc.council_table(con, sc.peer_filters(Filters())).set_index("council")
    assert table["value_gbp"].to_dict() == {ESSEX: 100_000, LEEDS: 450_000, MANCHESTER: 10_000}
    assert table["council_type"].to_dict() == {ESSEX: "E10", LEEDS: "E08", MANCHESTER: "E08"}
    assert table.loc[LEEDS, "local_value_share"] == pytest.approx(100_000 / 450_000)
    assert table.loc[ESSEX, "local_count_share"] == pytest.approx(1 / 2)
    assert table.loc[MANCHESTER, "local_value_share"] == 0  # its one supplier's place is unknown
    assert table.loc[ESSEX, "vcse_value_share"] == 0


def test_ranks_among_peers(small_store):
    with store.read_only(small_store) as con:
        table = sc.council_table(con, sc.peer_filters(Filters()))
    groups = sc.peer_groups(table, LEEDS, (ESSEX,))
    assert groups["type"] == ("metropolitan borough councils", (LEEDS, MANCHESTER))
    assert groups["region"] == ("councils in Yorkshire and The Humber", (LEEDS,))
    assert groups["list"] == ("councils on your list", (ESSEX, LEEDS))
    ranks = words.ranks_shown(sc.rank_table(table, LEEDS, groups)).set_index("measure")
    assert ranks.loc["local_value_share", "type_rank_text"] == \
        "1st of 2 metropolitan borough councils for % local by value"
    # % local by count: Leeds 1 of 3 awards, Essex 1 of 2
    assert ranks.loc["local_count_share", "list_rank_text"] == "2nd of 2 councils on your list for % local by count"
    assert ranks.loc["local_count_share", "list_median"] == pytest.approx((1 / 3 + 1 / 2) / 2)
    assert ranks.loc["value_gbp", "region_rank_text"].startswith("the only one of the councils in Yorkshire")
    manchester = words.ranks_shown(sc.rank_table(table, MANCHESTER, sc.peer_groups(table, MANCHESTER, ())))
    manchester = manchester.set_index("measure")
    assert manchester.loc["local_value_share", "type_rank_short"] == "2nd of 2"
    assert "list" not in sc.peer_groups(table, MANCHESTER, ())


def test_page_shows_the_ranks(open_page, small_store):
    app = open_page(small_store, "scorecard", council=LEEDS, peers=[ESSEX])
    sentence = next(t for t in texts(app) if t.startswith(f"{LEEDS} is "))
    assert "1st of 2 metropolitan borough councils for % local by value" in sentence
    assert "1st of 2 councils on your list for % local by value" in sentence
    ranks = app.dataframe[0].value.set_index("measure_label")
    assert ranks.loc["Local (by count)", "list_rank_short"] == "2nd of 2"
    peers = app.dataframe[1].value
    assert peers["council"].tolist() == [LEEDS, MANCHESTER]  # same type, highest % local first
    assert peers["this_council"].tolist() == ["yes", "no"]  # flags read yes / no / unknown


def test_the_rank_table_reads_in_sentence_case_with_a_column_per_peer_group(open_page, small_store):
    app = open_page(small_store, "scorecard", council=LEEDS)
    ranks = app.dataframe[0].value
    assert ranks["measure_label"].tolist() == [
        "Total award value", "Awards", "Local (by value)", "Local (by count)", "SME (by value)", "SME (by count)",
        "VCSE (by value)", "VCSE (by count)"]  # as the figures above it read, not "total award value"
    assert list(ranks.columns) == ["measure_label", "council_text", "type_median_text", "type_rank_short",
                                   "region_median_text", "region_rank_short"]  # no list chosen: no list columns
    assert ranks["council_text"].tolist()[:2] == ["£450k", "3"]
    assert ("Peer groups: same council type, metropolitan borough councils (2); same region, councils in "
            "Yorkshire and The Humber (1).") in [c.value for c in app.caption]
    listed = open_page(small_store, "scorecard", council=LEEDS, peers=[ESSEX]).dataframe[0].value
    assert list(listed.columns)[-2:] == ["list_median_text", "list_rank_short"]


def test_no_code_reaches_a_cell(open_page, extra_store):
    app = open_page(extra_store, "scorecard", council=LEEDS)
    assert len(app.dataframe) == 6  # ranks, peers, suppliers, national providers, contracts ending, coverage
    for table in (d.value for d in app.dataframe):
        assert not {"measure", "gap", "council_type", "area_code", "supplier_key", "group"} & set(table.columns)
        if "locality" in table:
            assert set(table["locality"].dropna()) <= set(GROUP_LABELS.values())
        for flag in {"this_council", "supplier_vcse", "national_provider"} & set(table.columns):
            assert set(table[flag]) <= {"yes", "no", "unknown"}


def test_ordinals_and_months():
    assert [words.ordinal(n) for n in (1, 2, 3, 4, 11, 12, 13, 21, 22, 101, 111)] == \
        ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "101st", "111th"]
    assert sc.add_months(date(2024, 2, 29), 24) == date(2026, 2, 28)
    assert sc.add_months(date(2024, 11, 30), 3) == date(2025, 2, 28)
    assert sc.add_months(date(2025, 1, 15), 24) == date(2027, 1, 15)
    assert [sc.council_type(c) for c in ("E06000001", "E10000012", "W06000015", "E92000001", None)] == \
        ["E06", "E10", "W06", None, None]


# --- charts ----------------------------------------------------------------------------------

def test_charts_draw_the_query_results(open_page, small_store):
    app = open_page(small_store, "scorecard", council=LEEDS)
    trend_chart, suppliers_chart = charts(app)
    leeds = sc.council_filters(Filters(), LEEDS)
    with store.read_only(small_store) as con:
        years = trend(summary(con, leeds), "value")
        suppliers = words.supplier_labels(sc.top_suppliers(con, leeds, "value", 15))
    assert years["financial_year"].tolist() == ["2023-24", "2024-25"]
    assert trend_chart["data"][0]["x"] == ["2023-24", "2024-25 (part year)"]  # the data end in June 2024
    assert trend_chart["data"][0]["y"] == pytest.approx([100_000 / 400_000, 0.0])
    bar = suppliers_chart["data"][0]
    assert bar["y"] == suppliers["label"].tolist() == ["Pennine Roads Ltd", "Aireside Care CIC", "Northern Digital Ltd"]
    assert bar["x"] == pytest.approx([300_000, 100_000, 50_000])
    assert ("In 2024-25 (part year: 1 Apr 2024 to 1 Jun 2024), 0% of Leeds City Council's award value went to "
            "local suppliers, down from 25% in 2023-24.") \
        in texts(app)


def test_count_switch_draws_counts(open_page, small_store):
    app = open_page(small_store, "scorecard", council=LEEDS)
    app.button_group(key="measure").set_value("count").run()
    assert not app.exception
    bar = charts(app)[1]["data"][0]
    assert bar["x"] == pytest.approx([1, 1, 1])
    assert (f"The largest supplier to {LEEDS} is Pennine Roads Ltd, with 33% of its awards (1 award); "
            "none of the 3 suppliers listed is a national provider.") in texts(app)


def test_suppliers_by_count_are_whole_awards_a_joint_award_one_for_each_supplier(open_page, joint_store):
    app = open_page(joint_store, "scorecard", council=LEEDS, measure="By count")
    assert metrics(app)["Awards"] == "3"
    bar = charts(app)[1]["data"][0]
    assert bar["y"] == ["Pennine Roads Ltd", "Aireside Care CIC", "Northern Digital Ltd"]
    assert bar["x"] == [3, 1, 1]  # the awards each is on (not 2.33, 0.33, 0.33)
    assert bar["text"] == ["3 (100%)", "1 (33%)", "1 (33%)"]
    assert (f"The largest supplier to {LEEDS} is Pennine Roads Ltd, with 100% of its awards (3 awards); "
            "none of the 3 suppliers listed is a national provider.") in texts(app)
    assert any("an award won jointly counts as one whole award for each of its suppliers" in c.value
               for c in app.caption)
    table = next(d.value for d in app.dataframe if "supplier_home" in d.value)
    assert table["awards"].tolist() == [3, 1, 1]
    by_value = charts(open_page(joint_store, "scorecard", council=LEEDS))[1]["data"][0]
    assert by_value["x"] == pytest.approx([100_000, 30_000, 30_000])  # a third of the £90k award each


# --- suppliers, footprint and national providers ---------------------------------------------

def test_footprint_on_the_small_store(small_store):
    with store.read_only(small_store) as con:
        suppliers = sc.top_suppliers(con, sc.council_filters(Filters(), LEEDS), "value")
        assert suppliers["value_share"].tolist() == pytest.approx([300 / 450, 100 / 450, 50 / 450])
        assert not suppliers["national_provider"].any()
        assert sc.national_awards(con, sc.council_filters(Filters(), LEEDS)).empty


def test_national_provider_footprint(extra_store):
    leeds = sc.council_filters(Filters(), LEEDS)
    with store.read_only(extra_store) as con:
        suppliers = words.supplier_labels(sc.top_suppliers(con, leeds, "value"))
        national = sc.national_awards(con, leeds)
        summary = sc.national_summary(con, leeds)
    assert sc.NATIONAL_PROVIDER_REGIONS == 3
    first = suppliers.iloc[0]
    assert (first["supplier_name"], first["regions_served"], first["councils_served"], first["national_provider"]) \
        == (NATIONAL, 3, 3, True)
    assert first["label"] == f"{NATIONAL} (national provider)"
    assert suppliers.loc[suppliers["supplier_name"] == BOLD, "label"].tolist() == \
        ["Bold &lt;b&gt;Co&lt;/b&gt; &amp; Sons Ltd"]  # Plotly reads tags in text: escaped
    assert national["supplier_name"].tolist() == [NATIONAL]
    assert national["value_gbp"].tolist() == [500_000]
    assert summary["value_share"] == pytest.approx(500 / 600) and summary["suppliers"] == 1


def test_page_lists_national_awards_with_links(open_page, extra_store):
    app = open_page(extra_store, "scorecard", council=LEEDS)
    assert f"1 national provider won £500k (83%) of {LEEDS}'s award value and 33% of its awards." in texts(app)
    tables = [d.value for d in app.dataframe]
    national = next(t for t in tables if "regions_served" in t and "title" in t and "contract_end" in t
                    and "councils_served" in t)
    assert national["supplier_name"].tolist() == [NATIONAL]
    assert national["notice_url"].str.startswith("https://www.contractsfinder.service.gov.uk/Notice/").all()


# --- contracts ending ------------------------------------------------------------------------

def test_contracts_ending_within_24_months(extra_store):
    leeds = sc.council_filters(Filters(), LEEDS)
    with store.read_only(extra_store) as con:
        now = sc.ending_contracts(con, leeds, TODAY)
        later = sc.ending_contracts(con, leeds, TODAY + timedelta(days=200))
        edge = sc.ending_contracts(con, leeds, sc.add_months(TODAY, 6))  # ends exactly 24 months on
    assert now["supplier_name"].tolist() == [NATIONAL]  # the ended and the 30-month contracts left out
    assert now["national_provider"].tolist() == [True]
    assert later["supplier_name"].tolist() == [BOLD]
    assert BOLD in edge["supplier_name"].tolist()


def test_contracts_ending_a_page_at_a_time_and_their_sums(extra_store):
    leeds = sc.council_filters(Filters(), LEEDS)
    later = TODAY + timedelta(days=200)  # the Bold contract (ends in 30 months) only
    with store.read_only(extra_store) as con:
        every = sc.ending_contracts(con, leeds, TODAY - timedelta(days=60), 36)
        pages = [sc.ending_contracts(con, leeds, TODAY - timedelta(days=60), 36, 1, offset) for offset in (0, 1, 2)]
        summed = sc.ending_summary(con, leeds, TODAY - timedelta(days=60), 36)
        assert sc.ending_summary(con, leeds, later) == {"rows": 1, "awards": 1.0, "value_gbp": 40_000.0,
                                                         "national_awards": 0.0, "national_value_gbp": 0.0}
    assert every["supplier_name"].tolist() == ["Aireside Care CIC", NATIONAL, BOLD]
    assert [p["supplier_name"].tolist() for p in pages] == [["Aireside Care CIC"], [NATIONAL], [BOLD]]
    assert summed == {"rows": 3, "awards": 3.0, "value_gbp": 600_000.0, "national_awards": 1.0,
                      "national_value_gbp": 500_000.0}


def test_page_lists_contracts_ending(open_page, extra_store):
    app = open_page(extra_store, "scorecard", council=LEEDS)
    until = sc.add_months(TODAY, 24)
    assert (f"One contract of {LEEDS}'s, worth £500k, ends between {TODAY:%d %b %Y} and {until:%d %b %Y}; "
            f"1 of them, worth £500k, with national providers.") in texts(app)
    ending = next(d.value for d in app.dataframe if "national_provider" in d.value and "contract_end" in d.value
                  and "councils_served" not in d.value)
    assert ending["supplier_name"].tolist() == [NATIONAL]
    assert ending["notice_url"].notna().all()


def test_no_contract_end_dates_says_so(open_page, small_store):
    app = open_page(small_store, "scorecard", council=LEEDS)
    assert any(t.startswith(f"None of {LEEDS}'s contracts under these filters has an end date between")
               for t in texts(app))


# --- data coverage ---------------------------------------------------------------------------

def test_coverage(small_store):
    with store.read_only(small_store) as con:
        manchester = sc.coverage(con, sc.council_filters(Filters(), MANCHESTER)).set_index("gap")
        essex = sc.coverage(con, sc.council_filters(Filters(), ESSEX)).set_index("gap")
        leeds = sc.coverage_against(con, Filters(), LEEDS, (LEEDS, MANCHESTER)).set_index("gap")
    assert manchester["gap_share"].to_dict() == {"value": 0, "postcode": 1, "size": 1, "any": 1}
    assert essex["gap_rows"].to_dict() == {"value": 0, "postcode": 1, "size": 0, "any": 1}  # the Dublin supplier
    assert leeds["gap_rows"].to_dict() == {"value": 0, "postcode": 0, "size": 0, "any": 0}
    assert leeds["peers_gap_share"].to_dict() == {"value": 0, "postcode": 0.25, "size": 0.25, "any": 0.25}


def test_page_shows_coverage(open_page, small_store):
    app = open_page(small_store, "scorecard", council=MANCHESTER)
    assert (f"Of {MANCHESTER}'s 1 award row, 0% have no value, 100% no supplier postcode (so locality is "
            f"unknown) and 100% no size.") in texts(app)


# --- the page's blocks ------------------------------------------------------------------------

def test_the_settings_for_tests_name_a_council_of_the_example_link(page, run):
    assert page.INPUTS["council"] == registry.page("scorecard").example["council"] == LEEDS
    assert page.example_inputs(run) == {"council": LEEDS}  # the council with the most awards
    names = [block.name for block in page.BLOCKS]
    assert names == ["scorecard-ranks", "scorecard-peers-type", "scorecard-peers-region", "scorecard-peers-network",
                     "scorecard-peers-list",
                     "scorecard-trend", "scorecard-suppliers", "scorecard-suppliers-table", "scorecard-national",
                     "scorecard-ending", "scorecard-coverage"]  # the old keys and file names


@pytest.mark.parametrize("settings", [{}, {"peers": (ESSEX,)}, {"other_bodies": True}, {"council": MANCHESTER}])
def test_every_block_with_a_list_other_bodies_or_another_council(page, run, settings):
    view = View(Filters()).having(**{**page.INPUTS, **settings})
    for block in page.BLOCKS:
        if isinstance(block, Chart):
            frame = block.data(run, view)
            assert block.reading(frame, view).strip() and block.alt(frame, view).strip(), block.name
            continue
        total = block.total(run, view)
        every = block.rows(run, view, None, 0)
        assert len(every) == total and set(block.columns) <= set(every.columns), block.name
        assert block.reading is None or block.reading(run, view, total).strip(), block.name
    listed = page.PEERS["list"].rows(run, view, None, 0)["council"].tolist()
    assert listed == ([LEEDS, ESSEX] if settings.get("peers") else [])


def test_a_council_without_awards_gives_empty_blocks(page, run):
    view = View(Filters(date_from=date(2030, 1, 1))).having(**page.INPUTS)
    for block in page.BLOCKS:
        frame = block.data(run, view) if isinstance(block, Chart) else block.rows(run, view, None, 0)
        assert frame.empty or block.name == "scorecard-coverage", block.name


def test_the_coverage_line_says_what_covers_a_council_and_what_is_missing():
    assert words.sources_sentence("Leeds City Council", "Yorkshire and The Humber", ["contracts-finder"]) == (
        "Leeds City Council's awards here come from Contracts Finder.")
    fife = words.sources_sentence("Fife Council", "Scotland", ["find-a-tender"])
    assert fife.startswith("Fife Council's awards here come from Find a Tender. Scotland's councils publish most")
    assert fife.endswith("Public Contracts Scotland is not loaded, so most of this council's awards are missing "
                         "(python -m loaders refresh --source public-contracts-scotland loads it).")
    cardiff = words.sources_sentence("Cardiff Council", "Wales", ["find-a-tender", "sell2wales"])
    assert cardiff.endswith("on Sell2Wales, and only the largest on Find a Tender.")
    belfast = words.sources_sentence("Belfast City Council", "Northern Ireland", ["find-a-tender"])
    assert "eTendersNI, which has no open API: those are missing here" in belfast


def test_the_scorecard_of_a_council_names_its_sources(open_page, small_store):
    app = open_page(small_store, "scorecard", council="Leeds City Council", source=["contracts-finder"])
    assert "Leeds City Council's awards here come from Contracts Finder." in [c.value for c in app.caption]


def test_a_link_to_a_council_without_awards_says_it_was_ignored(open_page, small_store):
    app = open_page(small_store, "scorecard", council="Fife Council")
    assert [w.value for w in app.warning if w.value.startswith("Part of this link was ignored. Council: ")] == [
        'Part of this link was ignored. Council: "Fife Council" has no awards in these data, so it was not '
        "chosen. (Scottish and Welsh councils publish most of their awards on Public Contracts Scotland and "
        "Sell2Wales: see the Data page for the sources loaded.)"]
    assert not open_page(small_store, "scorecard", council="Leeds City Council").warning
