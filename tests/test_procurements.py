"""How procurements were run: the facts derived from releases of every stage
(loaders.normalising.procurements), the tables that hold them, and the real Find a Tender
notices checked against their own JSON."""

import json
from pathlib import Path

import pytest

from loaders.normalising.normalise import Release
from loaders.normalising.procurements import (CRITERION_FIELDS, LOT_FIELDS, PROCUREMENT_FIELDS,
                                              procurement_facts)
from loaders.storage import loading, store
from tests.ocds_factory import FTS_PREFIX, buyer, release, write_package

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "find-a-tender"
OCID = FTS_PREFIX + "000001"


def fts(rid, date, tag, tender=None, **extra):
    """A Find a Tender release of the procurement OCID with no awards."""
    return release(ocid=OCID, rid=rid, date=date, tag=tag, tender=tender or {"title": "Parks cafe"}, **extra)


def notice(kind, number):
    return {"id": number, "noticeType": kind, "documentType": "tenderNotice",
            "url": f"https://www.find-tender.service.gov.uk/Notice/{number}"}


def criterion(kind, name, number=None, weight="percentageExact", description=None):
    entry = {"type": kind, "name": name}
    if number is not None:
        entry["numbers"] = [{"number": number, "weight": weight}]
    if description is not None:
        entry["description"] = description
    return entry


def lot(lot_id, criteria=(), **extra):
    return {"id": lot_id, "awardCriteria": {"criteria": list(criteria)}, **extra}


def facts(*datas):
    """The three tables' rows of one ocid, as dicts."""
    found = procurement_facts([Release("find-a-tender", d["ocid"], d["id"], d) for d in datas])
    return ([dict(zip(PROCUREMENT_FIELDS, row)) for row in found.procurements],
            [dict(zip(LOT_FIELDS, row)) for row in found.lots],
            [dict(zip(CRITERION_FIELDS, row)) for row in found.criteria])


def test_every_stage_makes_one_procurement_with_its_notice_types_and_first_notice():
    planning = fts("000100-2025", "2025-04-01T09:00:00Z", ["planning"],
                   planning={"documents": [{"id": "000100-2025", "documentType": "marketEngagementNotice",
                                            "noticeType": "UK2"}]})
    tender = fts("000200-2025", "2025-05-01T09:00:00Z", ["tender"],
                 {"title": "Parks cafe", "documents": [notice("UK4", "000200-2025")],
                  "legalBasis": {"scheme": "UKPGA", "id": "2023/54"}})
    (row,), _, _ = facts(tender, planning)
    assert row["ocid"] == OCID and row["stages"] == "planning,tender"
    assert row["notice_types"] == "UK2,UK4"
    assert row["published_date"].isoformat() == "2025-04-01" and row["last_date"].isoformat() == "2025-05-01"
    assert row["notice_url"] == "https://www.find-tender.service.gov.uk/Notice/000100-2025"
    assert row["regime"] == "procurement_act"
    assert row["engagement_notice"] == "000100-2025" and row["no_engagement_rationale"] is None
    assert row["buyer_name"] == "City of Lincoln Council"  # the register's name, as for awards


def test_criteria_weights_and_the_social_value_criterion():
    tender = fts("000200-2025", "2025-05-01T09:00:00Z", ["tender"], {"title": "Parks cafe", "lots": [
        lot("1", [criterion("price", "Price", 60), criterion("quality", "Quality", 30),
                  criterion("quality", "Social Value", 10)]),
        lot("2", [criterion("price", "Cost", 0.7, weight="decimalExact"),
                  criterion("quality", "Delivery", description="Community benefits for the area", number=0.3,
                            weight="decimalExact")]),
        lot("3", [criterion("quality", "Method", 5, weight="pointsExact")]),
    ]})
    (row,), lots, criteria = facts(tender)
    assert row["lots"] == 3 and row["divided"] is True
    assert row["criteria_published"] and row["weights_published"] and row["social_value"] is True
    assert row["social_value_weight"] == 30.0  # the heaviest: lot 2's community benefit criterion, 0.3 as decimal
    by_lot = {entry["lot_id"]: entry for entry in lots}
    assert by_lot["1"]["criteria"] == "Price: Price 60%; Quality: Quality 30%; Quality: Social Value 10%"
    assert by_lot["1"]["social_value_weight"] == 10.0 and by_lot["3"]["social_value_weight"] is None
    points = next(c for c in criteria if c["lot_id"] == "3")
    assert points["weight_percent"] is None and points["weight_code"] == "pointsExact"
    assert [c["social_value"] for c in criteria] == [False, False, True, False, True, False]


def test_no_criteria_means_social_value_unknown_and_no_lots_reason_is_kept():
    tender = fts("000200-2025", "2025-05-01T09:00:00Z", ["tender"], {
        "title": "Waste", "lots": [{"id": "1"}], "lotDetails": {"noLotsDivisionRationale": "One fleet"}})
    (row,), _, criteria = facts(tender)
    assert criteria == [] and row["criteria_published"] is False and row["social_value"] is None
    assert row["lots"] == 1 and row["divided"] is False and row["no_lots_rationale"] == "One fleet"


def test_earlier_rules_weights_in_description_are_marked_as_such():
    tender = fts("ocds-old-1", "2024-06-01T09:00:00Z", ["tender"], {
        "title": "Roads", "legalBasis": {"scheme": "CELEX", "id": "32014L0024"},
        "lots": [lot("1", [{"type": "quality", "name": "Social value", "description": "10"},
                           {"type": "price", "name": "Price", "description": "90"}])]})
    (row,), _, criteria = facts(tender)
    assert row["regime"] == "earlier_rules"
    assert [(c["weight_percent"], c["weight_basis"]) for c in criteria] == [(10.0, "description"),
                                                                           (90.0, "description")]
    assert row["social_value_weight"] == 10.0


def test_the_latest_release_wins_for_criteria_and_bid_statistics():
    first = fts("000200-2025", "2025-05-01T09:00:00Z", ["tender"],
                {"title": "Parks cafe", "lots": [lot("1", [criterion("price", "Price", 100)])]},
                bids={"statistics": [{"id": "1", "measure": "bids", "value": 9, "relatedLot": "1"}]})
    later = fts("000300-2025", "2025-07-01T09:00:00Z", ["award"], {"title": "Parks cafe", "lots": [
        lot("1", [criterion("price", "Price", 70), criterion("quality", "Social value", 30)]), lot("2")]},
        bids={"statistics": [{"id": "1", "measure": "bids", "value": 4, "relatedLot": "1"},
                             {"id": "2", "measure": "smeBids", "value": 3, "relatedLot": "1"},
                             {"id": "3", "measure": "bids", "value": 2, "relatedLot": "2"},
                             {"id": "4", "measure": "vcseFinalStageBids", "value": 1, "relatedLot": "2"},
                             {"id": "5", "measure": "lowestValidBidValue", "value": 5000, "relatedLot": "2"}]})
    (row,), lots, criteria = facts(later, first)
    assert [c["weight_percent"] for c in criteria] == [70.0, 30.0] and row["social_value_weight"] == 30.0
    assert (row["bids"], row["sme_bids"], row["vcse_bids"], row["final_stage_bids"]) == (6, 3, 1, None)
    assert {entry["lot_id"]: entry["bids"] for entry in lots} == {"1": 4, "2": 2}


def test_statistics_without_a_lot_are_never_counted_twice():
    stats = [{"id": str(n), "measure": "bids", "value": v} for n, v in enumerate((4, 4, 2, 1))]
    (row,), _, _ = facts(fts("000300-2025", "2025-07-01T09:00:00Z", ["award"], bids={"statistics": stats}))
    assert row["bids"] == 4


def test_engagement_reason_suitability_procedure_value_and_cancellation():
    tender = fts("000200-2025", "2025-05-01T09:00:00Z", ["tender"], {
        "title": "Care", "procurementMethod": "direct", "procurementMethodDetails": "Direct award",
        "procurementMethodRationale": "Extreme urgency", "value": {"amount": 250_000, "currency": "GBP"},
        "aboveThreshold": True, "lots": [{"id": "1", "suitability": {"sme": False, "vcse": True}},
                                         {"id": "2", "suitability": {"sme": False}}]},
        planning={"noEngagementNoticeRationale": "Market well known"})
    ended = fts("000400-2025", "2025-08-01T09:00:00Z", ["tenderCancellation"], {
        "status": "withdrawn", "documents": [notice("UK12", "000400-2025")]})
    (row,), _, _ = facts(tender, ended)
    assert row["engagement_notice"] is None and row["no_engagement_rationale"] == "Market well known"
    assert (row["suitable_sme"], row["suitable_vcse"]) == (False, True)
    assert (row["procedure"], row["procedure_rationale"]) == ("direct", "Extreme urgency")
    assert (row["tender_value_gbp"], row["above_threshold"], row["cancelled"]) == (250_000, True, True)


def test_a_release_that_cannot_be_read_gives_no_procurement():
    assert facts({"ocid": OCID, "id": "x", "awards": "not a list"}) == ([], [], [])


# --- the store ------------------------------------------------------------------------------

def table(path, sql):
    con = store.read_only(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture()
def loaded(tmp_path):
    """A store of one Procurement Act procurement: tender, then award."""
    council = buyer("Leeds City Council", postcode="LS1 1UR")
    tender = fts("000200-2025", "2025-05-01T09:00:00Z", ["tender"], {
        "title": "Parks cafe", "lots": [lot("1", [criterion("quality", "Social value", 15)])]},
        buyer_party=council)
    path = tmp_path / "awards.duckdb"
    loading.import_files([write_package(tmp_path / "tender.json", [tender])], path)
    return path


def test_procurements_are_derived_on_import_and_rebuilt_identically(loaded):
    sql = "SELECT * FROM procurements ORDER BY ocid"
    before = table(loaded, sql)
    assert len(before) == 1
    row = dict(zip(store.DERIVED_LAYOUTS["procurements"], before[0]))
    assert row["buyer_name"] == "Leeds City Council" and row["buyer_area_name"] == "Leeds"
    assert row["buyer_region"] == "Yorkshire and The Humber" and row["social_value_weight"] == 15.0
    loading.rebuild(loaded)
    assert table(loaded, sql) == before
    assert table(loaded, "SELECT count(*) FROM procurement_criteria") == [(1,)]


def test_a_store_without_the_procurement_tables_is_told_to_rebuild_then_rebuilt(loaded):
    con = store.duckdb.connect(str(loaded))
    con.execute("DROP TABLE procurement_criteria")
    con.close()
    with pytest.raises(store.StoreError, match="rebuild"):
        store.read_only(loaded)
    loading.rebuild(loaded)
    assert table(loaded, "SELECT count(*) FROM procurement_criteria") == [(1,)]


# --- the real notices, read with this test's own code ----------------------------------------

def real_release(notice_id):
    """The release of a real Find a Tender notice, found by its id in the shared samples."""
    if not DATA.is_dir():
        pytest.skip(f"{DATA} is absent")
    for path in sorted(DATA.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        for entry in doc.get("releases", [doc]):
            if entry.get("id") == notice_id:
                return entry
    pytest.fail(f"notice {notice_id} is not in {DATA}")


@pytest.fixture(scope="module")
def real(tmp_path_factory):
    """Every Find a Tender sample imported into one store."""
    if not DATA.is_dir():
        pytest.skip(f"{DATA} is absent")
    path = tmp_path_factory.mktemp("fts") / "awards.duckdb"
    loading.import_files(sorted(DATA.glob("*.json")), path)
    return path


def procurement(path, ocid):
    columns = store.DERIVED_LAYOUTS["procurements"]
    (found,) = table(path, f"SELECT * FROM procurements WHERE ocid = '{ocid}'")
    return dict(zip(columns, found))


def test_real_criteria_and_weights_of_083662(real):
    raw = real_release("083662-2026")
    expected = [(c["type"], c["name"], float(c["numbers"][0]["number"]))
                for lot_ in raw["tender"]["lots"] for c in lot_["awardCriteria"]["criteria"]]
    assert expected == [("price", "Total Price", 20.0), ("quality", "Quality", 80.0)]
    stored = table(real, f"SELECT type, name, weight_percent FROM procurement_criteria "
                         f"WHERE ocid = '{raw['ocid']}' ORDER BY lot_id, position")
    assert stored == expected
    row = procurement(real, raw["ocid"])
    assert row["social_value"] is False and row["regime"] == "procurement_act" and row["notice_types"] == "UK4"
    assert (row["suitable_sme"], row["suitable_vcse"]) == (True, True)
    assert row["tender_value_gbp"] == raw["tender"]["value"]["amount"]


def test_real_cancellation_in_p002(real):
    raw = real_release("083256-2026")
    assert raw["tag"] == ["tenderCancellation"] and raw["tender"]["status"] == "withdrawn"
    row = procurement(real, raw["ocid"])
    assert row["cancelled"] is True and row["stages"] == "termination" and row["notice_types"] == "UK12"


def test_real_bid_statistics_of_083257(real):
    raw = real_release("083257-2026")
    figures = {s["measure"]: s["value"] for s in raw["bids"]["statistics"]}
    row = procurement(real, raw["ocid"])
    assert (row["bids"], row["sme_bids"]) == (figures["bids"], figures["smeBids"]) == (1, 0)
    assert row["vcse_bids"] is None  # not published: unknown, not zero
    assert row["regime"] == "earlier_rules" and row["criteria_published"] and not row["weights_published"]


def test_real_uk2_planning_notice_083655(real):
    raw = real_release("083655-2026")
    documents = raw["planning"]["documents"]
    assert any(d.get("noticeType") == "UK2" for d in documents)
    row = procurement(real, raw["ocid"])
    assert row["engagement_notice"] == "083655-2026" and row["stages"] == "planning"
    assert row["buyer_name"] == "Leeds City Council"
