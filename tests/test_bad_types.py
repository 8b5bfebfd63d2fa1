"""Fields of the wrong type: the release (or award) is reported with its reason, never a
traceback, and the rest of the file, or of the refresh, is still loaded."""

import copy

import pytest

from loaders import info
from loaders.normalising import normalise, procurements
from loaders.sources import refresh
from loaders.storage import loading, store
from queries import quality
from tests.fake_api import FakeApi
from tests.ocds_factory import award, release, simple_release, supplier, write_package
from tests.ocds_factory import normalise as normalised
from tests.test_refresh import FTS_UNTIL, fts_releases, run

GOOD = [f"ocds-b5fd17-00000000-0000-0000-0000-{n:012d}" for n in (1, 2)]
BAD = "ocds-b5fd17-00000000-0000-0000-0000-000000000009"


def good_releases() -> list[dict]:
    return [simple_release(ocid, [supplier(n)], rid=f"{ocid[12:]}-1") for n, ocid in enumerate(GOOD, 1)]


def bad_release(mutate) -> dict:
    """A release that would be normalised, but for what `mutate` does to it."""
    data = simple_release(BAD, [supplier(9)], rid=f"{BAD[12:]}-1")
    mutate(data)
    return data


def set_in(*path_and_value):
    """A mutation setting data[path...] = value."""
    *path, key, value = path_and_value

    def mutate(data):
        holder = data
        for part in path:
            holder = holder[part]
        holder[key] = value
    return mutate


# case: (mutation, award id of the event (None: the whole release), reason)
CASES = {
    "currency_a_number": (set_in("awards", 0, "value", "currency", 5), "1",
                          "awards[0].value.currency is a number, not text"),
    "postal_code_a_number": (set_in("parties", 1, "address", "postalCode", 12345), None,
                             "parties[1].address.postalCode is a number, not text"),
    "address_a_list": (set_in("parties", 1, "address", ["1 High Street", "Lincoln"]), None,
                       "parties[1].address is a list, not an object"),
    "buyer_a_string": (set_in("buyer", "Lincoln City Council"), None, "buyer is text, not an object"),
    "tender_a_list": (set_in("tender", [{"title": "Grounds maintenance"}]), None, "tender is a list, not an object"),
    "value_a_list": (set_in("awards", 0, "value", [100_000, "GBP"]), "1", "awards[0].value is a list, not an object"),
    "amount_a_boolean": (set_in("awards", 0, "value", "amount", True), "1",
                         "awards[0].value.amount is a boolean, not a number"),
}


def query(path, sql, params=()):
    con = store.read_only(path)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


def import_with(tmp_path, bad: dict):
    path = tmp_path / "awards.duckdb"
    report = loading.import_files([write_package(tmp_path / "mixed.json", [good_releases()[0], bad,
                                                                           good_releases()[1]])], path)
    return path, report


@pytest.mark.parametrize("case", list(CASES))
def test_wrong_type_is_reported_and_the_rest_of_the_file_loaded(tmp_path, case):
    mutate, award_id, reason = CASES[case]
    path, report = import_with(tmp_path, bad_release(mutate))
    assert report.releases_read == 3 and report.releases_new == 3
    assert query(path, "SELECT DISTINCT ocid FROM awards ORDER BY 1") == [(GOOD[0],), (GOOD[1],)]
    assert query(path, "SELECT ocid, award_id, kind, detail FROM quality_events") == [
        (BAD, award_id, "release_not_normalised", reason)]
    summary = info.summary(path)
    assert summary["quality"]["events"] == {"release_not_normalised": 1}
    assert summary["not_normalised"] == [{"ocid": BAD, "release_id": f"{BAD[12:]}-1", "reason": reason}]
    assert f"not normalised: {BAD} {BAD[12:]}-1: {reason}" in info.format_summary(summary)
    with store.read_only(path) as con:
        assert quality.quality_events(con).set_index("kind")["count"]["release_not_normalised"] == 1
        assert quality.not_normalised(con)["reason"].tolist() == [reason]


def test_an_amount_that_is_not_a_number_is_reported_and_its_award_kept_without_value(tmp_path):
    path, _ = import_with(tmp_path, bad_release(set_in("awards", 0, "value", "amount", "abc")))
    assert query(path, "SELECT award_value_gbp, value_gbp, value_band FROM awards WHERE ocid = ?", [BAD]) == [
        (None, None, "unknown")]
    assert query(path, "SELECT count(DISTINCT ocid) FROM awards") == [(3,)]
    assert query(path, "SELECT ocid, award_id, kind, detail FROM quality_events") == [
        (BAD, "1", "value_not_numeric", "awards[0].value.amount is not a number: 'abc'")]
    summary = info.summary(path)
    assert summary["quality"]["events"] == {"value_not_numeric": 1}
    assert summary["quality"]["rows_without_value"] == 1
    with store.read_only(path) as con:
        assert quality.quality_events(con).set_index("kind")["count"]["value_not_numeric"] == 1


def test_a_contract_amount_that_is_not_a_number_names_its_award():
    data = simple_release(BAD, [supplier(9)], amount=None,
                          contracts=[{"id": "c1", "awardID": "1", "value": {"amount": "1,000", "currency": "GBP"}}])
    rows, events = _normalise(data)
    assert [r[normalise.ROW_FIELDS.index("award_value_gbp")] for r in rows] == [None]
    assert events == [(BAD, data["id"], "1", "value_not_numeric", "contracts[0].value.amount is not a number: '1,000'")]


def test_one_award_of_the_wrong_type_leaves_the_other_awards_of_its_release():
    s1, s2 = supplier(1), supplier(2)
    data = release(BAD, awards=[award("1", [s1], currency=5), award("2", [s2])], parties=[s1, s2])
    rows, events = _normalise(data)
    assert {r[normalise.ROW_FIELDS.index("award_id")] for r in rows} == {"2"}
    assert events == [(BAD, data["id"], "1", "release_not_normalised", "awards[0].value.currency is a number, not text")]


def test_an_award_of_the_wrong_type_gives_way_to_its_earlier_version():
    """As a release of the wrong shape does: the latest readable version of the award wins."""
    s = supplier(1)
    first = simple_release(BAD, [s], amount=10_000, rid="r1", date="2025-01-01T00:00:00Z")
    later = simple_release(BAD, [s], amount=20_000, rid="r2", date="2025-02-01T00:00:00Z")
    later["awards"][0]["suppliers"] = "Supplier 1 Ltd"
    rows, events = _normalise(first, later)
    assert [(r[normalise.ROW_FIELDS.index("release_id")], r[normalise.ROW_FIELDS.index("award_value_gbp")])
            for r in rows] == [("r1", 10_000)]
    assert events == [(BAD, "r2", "1", "release_not_normalised", "awards[0].suppliers is text, not a list")]


def test_any_other_error_normalising_becomes_an_event_naming_it(monkeypatch):
    def boom(data):
        raise RuntimeError("boom")
    monkeypatch.setattr(normalise, "buyer_fields", boom)
    data = simple_release(BAD, [supplier(1)])
    rows, events = _normalise(data)
    assert rows == []
    assert events == [(BAD, data["id"], "1", "release_not_normalised", "could not be normalised (RuntimeError: boom)")]


def test_an_error_deriving_a_procurement_becomes_an_event(monkeypatch, tmp_path):
    def boom(releases):
        raise KeyError("lots")
    monkeypatch.setattr(procurements, "_lots", boom)
    path = tmp_path / "awards.duckdb"
    loading.import_files([write_package(tmp_path / "x.json", good_releases()[:1])], path)
    assert query(path, "SELECT count(*) FROM awards") == [(1,)]
    assert query(path, "SELECT count(*) FROM procurements") == [(0,)]
    assert query(path, "SELECT ocid, kind, detail FROM quality_events") == [
        (GOOD[0], "release_not_normalised", "procurement could not be derived (KeyError: 'lots')")]


def _normalise(*datas):
    result = normalise.normalise_ocid([normalise.Release("contracts-finder", d["ocid"], d["id"], d) for d in datas])
    return result.rows, result.events


# --- the refresh ---------------------------------------------------------------------------

def fts_with_a_bad_release() -> tuple[list[dict], dict]:
    releases = fts_releases(6)
    bad = releases[2]
    bad["awards"][0]["value"]["currency"] = 5
    return releases, bad


def test_a_refresh_merges_past_a_release_of_the_wrong_type(tmp_path):
    releases, bad = fts_with_a_bad_release()
    path = tmp_path / "s.duckdb"
    with FakeApi("/api/1.0/ocdsReleasePackages", "updatedFrom", "updatedTo", copy.deepcopy(releases)) as api:
        report = run(api, "find-a-tender", path, FTS_UNTIL)
    assert report.releases_new == 6 and report.award_rows == 5
    assert not refresh.staging_file(path, "find-a-tender").exists()
    assert query(path, "SELECT ocid, kind, detail FROM quality_events") == [
        (bad["ocid"], "release_not_normalised", "awards[0].value.currency is a number, not text")]
    assert query(path, "SELECT covered_until FROM refresh_state")[0][0] == FTS_UNTIL.replace(tzinfo=None)


def test_a_refresh_stopped_with_a_bad_release_staged_merges_it_on_the_rerun(tmp_path, monkeypatch):
    """The staging file left by a run stopped before its merge holds the bad release; the
    rerun merges it (it no longer fails on it every time) and removes the file."""
    releases, bad = fts_with_a_bad_release()
    path = tmp_path / "s.duckdb"
    merge = refresh._merge

    def stopped(*args):
        raise KeyboardInterrupt
    with FakeApi("/api/1.0/ocdsReleasePackages", "updatedFrom", "updatedTo", copy.deepcopy(releases)) as api:
        monkeypatch.setattr(refresh, "_merge", stopped)
        with pytest.raises(KeyboardInterrupt):
            run(api, "find-a-tender", path, FTS_UNTIL)
        staging = refresh.staging_file(path, "find-a-tender")
        assert staging.exists()
        monkeypatch.setattr(refresh, "_merge", merge)
        requests = len(api.requests)
        report = run(api, "find-a-tender", path, FTS_UNTIL)
        assert len(api.requests) == requests  # every window was staged: nothing fetched again
    assert report.award_rows == 5 and not staging.exists()
    assert query(path, "SELECT count(*) FROM releases") == [(6,)]
    assert query(path, "SELECT ocid, kind FROM quality_events") == [(bad["ocid"], "release_not_normalised")]
    assert query(path, "SELECT covered_until FROM refresh_state")[0][0] == FTS_UNTIL.replace(tzinfo=None)


def test_an_integer_supplier_id_is_read_as_text():
    """OCDS allows integer ids: a supplier referenced as {"id": 1} is normalised, not reported
    (found by the fuzz test)."""
    data = simple_release("ocds-b5fd17-1", [supplier(1)])
    data["parties"][1]["id"] = 1
    data["awards"][0]["suppliers"] = [{"id": 1, "name": "Supplier 1 Ltd"}]
    rows, events = normalised(data)
    assert [row["supplier_name"] for row in rows] == ["Supplier 1 Ltd"] and not events
