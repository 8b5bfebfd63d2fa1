"""The Keep it Local page: each step's figures equal counts made by hand from a small set of
procurements written here, the real samples give what their notices say (most steps "no data
yet"), and the page opens on the demo store and on the real samples."""

import json
from pathlib import Path

import duckdb
import pytest

from loaders.storage import store
from loaders.storage.loading import import_files
from queries import keep_it_local as kil
from queries import overview
from queries.filters import Filters
from readings import keep_it_local as words
from tests.conftest import SAMPLES
from tests.ocds_factory import FTS_PREFIX, award, buyer, release, supplier, write_package

PAGE = "keep_it_local"
LEEDS = buyer("Leeds City Council", postcode="LS1 1UR", pid="GB-FTS-LEEDS")
BRADFORD = buyer("Bradford Metropolitan District Council", postcode="BD1 1HY", pid="GB-FTS-BRAD")
ACT = {"scheme": "UKPGA", "id": "2023/54"}
CAP = 1_000_000


def criteria(*pairs, in_description=False):
    """Award criteria from (type, name, weight) triples."""
    if in_description:
        return {"criteria": [{"type": t, "name": n, "description": str(w)} for t, n, w in pairs]}
    return {"criteria": [{"type": t, "name": n, "numbers": [{"number": w, "weight": "percentageExact"}]}
                         for t, n, w in pairs]}


def tender(ocid, rid, who, date, lots, value, notice="UK4", basis=ACT, planning=None, bids=None, **more):
    """A tender release; `more` goes into its tender, `planning` and `bids` beside it."""
    beside = {key: part for key, part in (("planning", planning), ("bids", bids)) if part}
    body = {"title": f"Procurement {ocid[-1]}", "legalBasis": basis, "value": {"amount": value, "currency": "GBP"},
            "lots": lots, **more}
    if notice:
        body["documents"] = [{"id": rid, "noticeType": notice, "documentType": "tenderNotice"}]
    return release(ocid=ocid, rid=rid, date=date, tag=["tender"], buyer_party=who, tender=body, **beside)


def engagement_notice(ocid, rid, who, date):
    return release(ocid=ocid, rid=rid, date=date, tag=["planning"], buyer_party=who, tender={"title": "Planned"},
                   planning={"documents": [{"id": rid, "noticeType": "UK2", "documentType": "marketEngagementNotice"}]})


def procurements() -> list[dict]:
    """Six procurements, with the facts each step counts (see the expectations below)."""
    p = [FTS_PREFIX + f"kil00{n}" for n in range(1, 7)]
    sme = supplier(1, "Leeds Works Ltd", street="1 Park Row, Leeds, LS1 5AB", scale="sme")
    return [
        # P1 Leeds: engaged (UK2 first), social value 10%, £2m in one lot with a reason, bids 5 (2 SME), awarded.
        engagement_notice(p[0], "100001-2025", LEEDS, "2025-03-10T09:00:00Z"),
        tender(p[0], "100002-2025", LEEDS, "2025-04-01T09:00:00Z",
               [{"id": "1", "awardCriteria": criteria(("price", "Price", 60), ("quality", "Quality", 30),
                                                      ("quality", "Social value", 10))}], 2_000_000,
               lotDetails={"noLotsDivisionRationale": "A single site needs one contractor"}),
        release(ocid=p[0], rid="100003-2025", date="2025-07-01T09:00:00Z", tag=["award"], buyer_party=LEEDS,
                parties=[sme], awards=[award("1", [sme], amount=1_900_000, date="2025-06-30T00:00:00Z")],
                tender={"title": "Procurement 1"},
                bids={"statistics": [{"id": "1", "measure": "bids", "value": 5, "relatedLot": "1"},
                                     {"id": "2", "measure": "smeBids", "value": 2, "relatedLot": "1"}]}),
        # P2 Leeds: no engagement (reason stated), no social value, £3m in two lots, bids 4 (1 SME; 1 VCSE of 2 final).
        tender(p[1], "100004-2025", LEEDS, "2025-05-01T09:00:00Z",
               [{"id": "1", "awardCriteria": criteria(("price", "Price", 80), ("quality", "Quality", 20))},
                {"id": "2", "awardCriteria": criteria(("price", "Price", 80), ("quality", "Quality", 20))}],
               3_000_000, planning={"noEngagementNoticeRationale": "The market is well known"},
               bids={"statistics": [{"id": "1", "measure": "bids", "value": 4, "relatedLot": "1"},
                                    {"id": "2", "measure": "smeBids", "value": 1, "relatedLot": "1"},
                                    {"id": "3", "measure": "finalStageBids", "value": 2, "relatedLot": "1"},
                                    {"id": "4", "measure": "vcseFinalStageBids", "value": 1, "relatedLot": "1"}]}),
        # P3 Leeds: a direct award (not in step 5's base).
        tender(p[2], "100005-2025", LEEDS, "2025-05-02T09:00:00Z", [{"id": "1"}], 50_000, notice="UK5",
               procurementMethod="direct"),
        # P4 Leeds: planning only (not in step 5's base).
        engagement_notice(p[3], "100006-2025", LEEDS, "2025-06-01T09:00:00Z"),
        # P5 Bradford: community benefit criterion 20%, £500k (under the cap).
        tender(p[4], "100007-2025", BRADFORD, "2025-05-03T09:00:00Z",
               [{"id": "1", "awardCriteria": criteria(("price", "Price", 80), ("quality", "Community benefits", 20))}],
               500_000),
        # P6 Bradford, earlier rules: weights in the description, social value named.
        tender(p[5], "100008-2024", BRADFORD, "2024-06-01T09:00:00Z",
               [{"id": "1", "awardCriteria": criteria(("quality", "Social value", 10), ("price", "Price", 90),
                                                      in_description=True)}],
               800_000, notice=None, basis={"scheme": "CELEX", "id": "32014L0024"}),
    ]


@pytest.fixture(scope="module")
def con(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kil")
    path = folder / "awards.duckdb"
    import_files([write_package(folder / "procurements.json", procurements())], path)
    connection = store.read_only(path)
    yield connection
    connection.close()


def test_social_value_counts_only_weighted_act_procurements(con):
    found = kil.figures(con, Filters(), CAP)
    assert (found["weighted"], found["with_social_value"], found["at_least_ten"]) == (3, 2, 2)  # P1, P2, P5
    assert found["social_value_share"] == pytest.approx(2 / 3) and found["median_weight"] == 15
    assert (found["earlier_with_criteria"], found["earlier_with_social_value"]) == (1, 1)  # P6, apart
    leeds = kil.figures(con, Filters(buyers=("Leeds City Council",)), CAP)
    assert (leeds["weighted"], leeds["with_social_value"]) == (2, 1)
    assert leeds["median_weight"] == 10  # one weight: itself; above, two: their mean


@pytest.mark.parametrize("weights", [[5], [5, 5, 10], [10, 20, 20, 30], [0, 7.5, 7.5, 7.5, 40, 40], [3, 1, 2, 2, 9, 4, 4, 4]])
def test_the_median_weight_from_the_groups_is_the_median_of_the_rows(weights):
    """MEDIAN_WEIGHT works from weights and their counts; DuckDB's median from the rows."""
    con = duckdb.connect()
    rows = ", ".join(f"({w})" for w in weights)
    groups = f"""SELECT true AS is_act, true AS weights_published, true AS social_value, w AS social_value_weight,
                        count(*) AS procurements FROM (VALUES {rows}) AS t(w) GROUP BY w"""
    ours = con.execute(f"WITH groups AS ({groups}) SELECT {kil.MEDIAN_WEIGHT}").fetchone()[0]
    assert ours == con.execute(f"SELECT median(w) FROM (VALUES {rows}) AS t(w)").fetchone()[0]


def test_social_value_weights_and_the_procurements_behind_them(con):
    frame = kil.social_value_weights(kil.figures(con, Filters(), CAP))
    assert dict(zip(frame["band"], frame["procurements"])) == {
        "0% to under 5%": 0, "5% to under 10%": 0, "10% to under 15%": 1, "15% to under 20%": 0,
        "20% to under 30%": 1, "30% or more": 0}
    rows = kil.social_value_procurements(con, Filters(), None, 0)
    assert list(rows["social_value_weight"]) == [20.0, 10.0, 10.0]  # heaviest first; P6 (earlier rules) too
    assert kil.social_value_count(con, Filters()) == 3
    assert "Quality: Social value 10%" in rows.loc[rows["buyer_name"] == "Leeds City Council", "criteria"].iloc[0]
    assert words.weights_sentence(frame).startswith("Of the 2 procurements whose social value criterion has a "
                                                    "percentage weight, 2 (100%) weigh it at 10% or more")


def test_capacity_bids_where_published(con):
    found = kil.figures(con, Filters(), CAP)
    assert (found["with_sme_bids"], found["sme_bids"], found["bids_with_sme"]) == (2, 3, 9)  # P1 and P2
    assert found["sme_bid_share"] == pytest.approx(3 / 9)
    assert (found["with_vcse_bids"], found["vcse_bid_share"]) == (1, 0.5)  # P2: 1 of 2 final-stage bids
    small = kil.small_organisations(overview.summary(con, Filters()))
    assert (small["small_awards"], small["small_value"]) == (1, 1_900_000)  # P1's award to an SME


def test_contract_size_over_the_cap(con):
    found = kil.figures(con, Filters(), CAP)
    assert (found["large"], found["not_divided"], found["with_reason"]) == (2, 1, 1)  # P1 (one lot), P2 (two)
    assert found["not_divided_share"] == 0.5
    assert kil.figures(con, Filters(), 100_000)["large"] == 4  # P5 and P6 too
    reasons = kil.lots_reasons(con, Filters(), "", None, 0)
    assert list(reasons["reason"]) == ["A single site needs one contractor"]
    assert list(reasons["size_gbp"]) == [2_000_000]
    assert kil.reason_count(con, Filters(), "no_lots_rationale", "SINGLE contractor") == 1
    assert kil.reason_count(con, Filters(), "no_lots_rationale", "single lorry") == 0


def test_engagement_base_leaves_out_direct_awards_and_planning(con):
    found = kil.figures(con, Filters(), CAP)
    assert (found["engagement_base"], found["engaged"], found["reason_given"], found["planning_only"]) == (3, 1, 1, 1)
    assert found["engagement_share"] == pytest.approx(1 / 3)
    reasons = kil.engagement_reasons(con, Filters(), "well known", None, 0)
    assert list(reasons["reason"]) == ["The market is well known"]


def test_dates_filter_procurements_by_their_first_notice(con):
    from datetime import date
    found = kil.figures(con, Filters(date_from=date(2025, 4, 15)), CAP)
    assert found["engagement_base"] == 2  # P1's first notice (March) is before the date: P2 and P5 remain


def test_councils_side_by_side(con):
    frame = kil.councils_side_by_side(con, Filters(), ("Bradford Metropolitan District Council", "Leeds City Council"),
                                      "Leeds City Council", CAP).set_index("council")
    leeds = frame.loc["Leeds City Council"]
    assert bool(leeds["this_council"]) and leeds["weighted"] == 2 and leeds["social_value_share"] == 0.5
    assert leeds["large_known_lots"] == 2 and leeds["not_divided_share"] == 0.5
    assert leeds["beyond_planning"] == 2 and leeds["engagement_share"] == 0.5
    assert not frame.loc["Bradford Metropolitan District Council", "this_council"]


def test_no_data_yet_is_said_not_zero(con):
    nothing = Filters(buyers=("No Such Council",))
    found = kil.figures(con, nothing, CAP)
    assert words.social_value_sentence(found).startswith("No data yet")
    assert words.engagement_sentence(found).startswith("No data yet")
    assert words.size_sentence(0.0, found).endswith("says how it is divided.")
    assert found["social_value_share"] is None and found["engagement_share"] is None


# --- the real samples ------------------------------------------------------------------------

def real_fts_releases() -> list[dict]:
    """Every Find a Tender release of the samples, read with this test's own code."""
    found = []
    for path in sorted((SAMPLES / "find-a-tender").glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if "records" in doc:
            found += [{"ocid": r["ocid"], **r["compiledRelease"]} for r in doc["records"]]
        else:
            found += doc.get("releases", [doc])
    return found


def test_real_samples_give_what_their_notices_say(all_samples_store):
    releases = real_fts_releases()
    def types(r):
        holders = [r.get("tender") or {}, r.get("planning") or {}, *(r.get("awards") or []), *(r.get("contracts") or [])]
        return {d.get("noticeType") for h in holders for d in h.get("documents") or []} - {None}
    act = [r for r in releases if any(t.startswith("UK") for t in types(r))
           or (r.get("tender") or {}).get("legalBasis", {}).get("id") == "2023/54"]
    weighted = [r for r in act if any(c.get("numbers") for lot in (r.get("tender") or {}).get("lots") or []
                                      for c in (lot.get("awardCriteria") or {}).get("criteria") or [])]
    beyond = [r for r in act if r.get("tag") != ["planning"] and (r.get("tender") or {}).get("procurementMethod") != "direct"]
    con = store.read_only(all_samples_store)
    try:
        sv = engaged = kil.figures(con, Filters(), CAP)
    finally:
        con.close()
    assert sv["weighted"] == len(weighted) == 1 and sv["with_social_value"] == 0  # 083662: price 20, quality 80
    assert engaged["engagement_base"] == len(beyond)
    assert engaged["planning_only"] == len([r for r in act if r.get("tag") == ["planning"]])
    assert engaged["engaged"] == 0  # the UK2 (083655) has no tender yet


def test_the_page_opens_on_the_real_samples_and_says_no_data_yet(all_samples_store, open_page):
    app = open_page(all_samples_store, PAGE)
    shown = " ".join(t.value for t in app.text)
    assert "No data yet" in shown
    assert [h.value for h in app.subheader][:1] == ["1. A place-based approach"]


def test_the_page_opens_on_the_demo_store_for_one_council(demo_store, open_page):
    app = open_page(demo_store, PAGE, council="Leeds City Council")
    assert app.selectbox(key="council").value == "Leeds City Council"
    headers = [h.value for h in app.subheader]
    for step in ("1. A place-based approach", "2. Social value in every procurement", "3. Community capacity",
                 "4. Contract sizes small organisations can bid for", "5. Co-design with local people"):
        assert step in headers


def test_a_link_to_a_council_without_awards_says_it_was_ignored(open_page, small_store):
    app = open_page(small_store, "keep_it_local", council="Cardiff Council")
    assert any(w.value.startswith('Part of this link was ignored. Council: "Cardiff Council" has no awards')
               for w in app.warning)
