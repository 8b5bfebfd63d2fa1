"""The demo's notices before the award (loaders/sources/demo.py): planning (UK2) and tender
(UK4) releases on the ocids of a share of each buyer's awards, bid statistics and direct
award reasons on the award releases, earlier-rules tenders with their weights as text; and
the award rows exactly as a build from the award releases alone. Every figure here is
computed from the JSON of the `releases` table, not from the derived tables."""

import json
from collections import Counter, defaultdict
from datetime import date

import orjson
import pytest

from loaders.sources import demo
from loaders.storage import store

pytestmark = pytest.mark.slow

ACT_START = date(2025, 2, 24)
MEASURES = {"bids", "smeBids", "vcseFinalStageBids"}


@pytest.fixture(scope="module")
def releases(demo_store) -> list[dict]:
    """Every release of the shared demo store, parsed, with its tags."""
    con = store.read_only(demo_store)
    try:
        rows = con.execute("SELECT json FROM releases ORDER BY release_id").fetchall()
    finally:
        con.close()
    return [json.loads(text) for (text,) in rows]


@pytest.fixture(scope="module")
def by_ocid(releases) -> dict[str, dict[str, list[dict]]]:
    """ocid -> tag ("planning", "tender", "award", "awardUpdate") -> its releases."""
    grouped: dict[str, dict[str, list[dict]]] = defaultdict(lambda: defaultdict(list))
    for release in releases:
        grouped[release["ocid"]][release["tag"][0]].append(release)
    return grouped


@pytest.fixture(scope="module")
def awards_only(tmp_path_factory):
    """The demo built from its award releases alone (no notices before the award)."""
    path = tmp_path_factory.mktemp("demo-awards-only") / "demo.duckdb"
    demo.build(path, before_award=False)
    return path


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def _tenders(by_ocid, legal_basis: str) -> list[tuple[dict, dict]]:
    """(tender release, first award release) for the tenders of one legal basis."""
    return [(kinds["tender"][0], kinds["award"][0]) for kinds in by_ocid.values()
            if kinds.get("tender") and kinds["tender"][0]["tender"]["legalBasis"]["id"] == legal_basis]


def _criteria(tender: dict) -> list[dict]:
    return [c for lot in tender["tender"]["lots"] for c in lot["awardCriteria"]["criteria"]]


def _social_value(tender: dict) -> bool:
    return any("social value" in (c.get("name") or "").lower() for c in _criteria(tender))


def test_planning_and_tender_releases_exist_and_carry_no_awards(releases):
    kinds = defaultdict(int)
    for release in releases:
        kinds[release["tag"][0]] += 1
        if release["tag"] in (["planning"], ["tender"]):
            assert "awards" not in release and "contracts" not in release
            assert release["ocid"].startswith(demo.DEMO_OCID_PREFIX)
    assert kinds["tender"] >= 1_500 and kinds["planning"] >= 200
    # A few thousand releases beside the awards, not a store of a new size.
    assert kinds["tender"] + kinds["planning"] < 0.2 * kinds["award"]


def test_award_rows_equal_a_build_from_the_award_releases_alone(demo_store, awards_only):
    con = store.read_only(demo_store)
    try:
        con.execute(f"ATTACH '{awards_only}' AS alone (READ_ONLY)")
        count = con.execute("SELECT count(*) FROM awards").fetchone()[0]
        assert count == con.execute("SELECT count(*) FROM alone.awards").fetchone()[0] > 20_000
        for a, b in (("awards", "alone.awards"), ("alone.awards", "awards")):
            assert con.execute(f"SELECT count(*) FROM (SELECT * FROM {a} EXCEPT ALL SELECT * FROM {b})").fetchone()[0] == 0
        tags = con.execute("SELECT DISTINCT tags FROM alone.releases").fetchall()
    finally:
        con.execute("DETACH alone")  # the database instance is shared with the other tests' connections
        con.close()
    assert {t for (t,) in tags} == {"award", "awardUpdate"}


def test_same_seed_same_releases(tmp_path, releases):
    """Compared as text: Public Contracts Scotland-shaped releases have no id."""
    written = Counter()
    for path in demo.write_packages(tmp_path):
        written.update(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in orjson.loads(path.read_bytes())["releases"])
    assert written == Counter(orjson.dumps(r, option=orjson.OPT_SORT_KEYS) for r in releases)


def test_notices_share_the_award_buyer_and_title_and_come_before_it(by_ocid):
    checked = 0
    for kinds in by_ocid.values():
        award = kinds["award"][0]
        before = kinds.get("planning", []) + kinds.get("tender", [])
        for release in before:
            assert release["buyer"] == award["buyer"]
            assert [p for p in release["parties"] if p["roles"] == ["buyer"]] == \
                   [p for p in award["parties"] if p["roles"] == ["buyer"]]
            assert release["tender"]["title"] == award["tender"]["title"]
            checked += 1
        dates = [_day(r["date"]) for r in before] + [_day(award["date"])]
        assert dates == sorted(dates)
        if kinds.get("planning"):
            assert kinds.get("tender"), "a planning notice is followed by a tender"
            planning = kinds["planning"][0]["planning"]
            assert [(d["documentType"], d["noticeType"]) for d in planning["documents"]] == [("marketEngagementNotice", "UK2")]
            assert planning["milestones"][0]["type"] == "engagement"
            assert _day(planning["milestones"][0]["dueDate"]) < _day(kinds["tender"][0]["date"])
    assert checked > 1_500


def test_act_tenders_under_the_act_with_weights_as_numbers(by_ocid):
    tenders = _tenders(by_ocid, "2023/54")
    assert len(tenders) > 1_000
    for release, award in tenders:
        tender = release["tender"]
        assert _day(award["awards"][0]["date"]) >= ACT_START and _day(release["date"]) >= ACT_START
        assert [(d["documentType"], d["noticeType"]) for d in tender["documents"]] == [("tenderNotice", "UK4")]
        assert tender["legalBasis"]["scheme"] == "UKPGA" and isinstance(tender["aboveThreshold"], bool)
        assert tender["procurementMethod"] == award["tender"]["procurementMethod"] != "direct"
        assert tender["value"]["currency"] == "GBP" and tender["value"]["amountGross"] > tender["value"]["amount"]
        for lot in tender["lots"]:
            criteria = lot["awardCriteria"]["criteria"]
            assert {c["type"] for c in criteria} <= {"price", "quality", "cost"}
            assert all(c["numbers"][0]["weight"] == "percentageExact" and "description" not in c for c in criteria)
            assert sum(c["numbers"][0]["number"] for c in criteria) == 100
            assert set(lot["suitability"]) == {"sme", "vcse"}
        if tender["value"]["amount"] >= demo.LOTS_FROM:
            assert len(tender["lots"]) > 1 or tender["lotDetails"]["noLotsDivisionRationale"]


def test_engagement_notice_or_reason_or_neither(by_ocid):
    outcomes = defaultdict(int)
    reasons = set()
    for release, _award in _tenders(by_ocid, "2023/54"):
        reason = release.get("planning", {}).get("noEngagementNoticeRationale")
        held = bool(by_ocid[release["ocid"]].get("planning"))
        assert not (held and reason)
        outcomes["held" if held else "reason" if reason else "neither"] += 1
        reasons.add(reason)
    assert set(outcomes) == {"held", "reason", "neither"} and min(outcomes.values()) > 100, outcomes
    assert len(reasons - {None}) >= 3


def test_earlier_tenders_give_weights_in_description_only(by_ocid):
    tenders = _tenders(by_ocid, "32014L0024")
    assert 100 < len(tenders) < len(_tenders(by_ocid, "2023/54"))
    for release, award in tenders:
        tender = release["tender"]
        assert _day(award["awards"][0]["date"]) < ACT_START and tender["legalBasis"]["scheme"] == "CELEX"
        assert "noticeType" not in tender["documents"][0] and not by_ocid[release["ocid"]].get("planning")
        for lot in tender["lots"]:
            criteria = lot["awardCriteria"]["criteria"]
            assert all("numbers" not in c and c["description"].isdigit() for c in criteria)
            assert sum(int(c["description"]) for c in criteria) == 100
    assert any(_social_value(release) for release, _ in tenders)


def test_bid_statistics_and_direct_award_reasons_on_the_award_releases(by_ocid):
    with_bids = direct = 0
    for kinds in by_ocid.values():
        for award in kinds["award"] + kinds.get("awardUpdate", []):
            tender = award["tender"]
            if "procurementMethodRationale" in tender:
                assert tender["procurementMethod"] == "direct" and tender["legalBasis"]["id"] == "2023/54"
                assert not kinds.get("tender")
                direct += 1
            if "bids" in award:
                lots = {lot["id"] for lot in kinds["tender"][0]["tender"]["lots"]}
                figures = {(s["measure"], s["relatedLot"]): s["value"] for s in award["bids"]["statistics"]}
                assert {m for m, _ in figures} <= MEASURES and {lot for _, lot in figures} == lots
                assert all(figures[("smeBids", lot)] <= figures[("bids", lot)] for lot in lots)
                with_bids += 1
    assert with_bids > 500 and direct > 300


def test_council_mixes_differ(by_ocid):
    """Each buyer has its own leanings: shares and social value weights differ between councils."""
    per_buyer = defaultdict(list)
    for release, _award in _tenders(by_ocid, "2023/54"):
        per_buyer[release["buyer"]["name"]].append(release)
    counted = {name: tenders for name, tenders in per_buyer.items() if len(tenders) >= 25}
    assert len(counted) >= 20

    def spread(share) -> float:
        values = [share(tenders) for tenders in counted.values()]
        return max(values) - min(values)

    assert spread(lambda ts: sum(map(_social_value, ts)) / len(ts)) > 0.4
    assert spread(lambda ts: sum(bool(by_ocid[t["ocid"]].get("planning")) for t in ts) / len(ts)) > 0.25
    assert spread(lambda ts: sum(any(lot["suitability"]["sme"] for lot in t["tender"]["lots"]) for t in ts) / len(ts)) > 0.25
    weights = {c["numbers"][0]["number"] for ts in counted.values() for t in ts for c in _criteria(t)
               if c["name"] == "Social value"}
    assert {5, 10, 15, 20} <= weights
