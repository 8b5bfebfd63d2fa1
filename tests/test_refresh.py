"""Live refresh against fake APIs on 127.0.0.1: paging, faults, retries, resume, idempotence."""

import os
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timedelta, timezone
from pathlib import Path

import duckdb
import pytest

from loaders.sources import refresh
from loaders.sources.fetching import Fetcher, FetchError, windows
from loaders.storage import store, summaries
from tests.fake_api import FakeApi
from tests.fake_proactis import FakeProactis
from tests.ocds_factory import supplier, simple_release

ROOT = Path(__file__).resolve().parents[1]
SINCE = datetime(2025, 3, 1, tzinfo=timezone.utc)
FTS_UNTIL = SINCE + timedelta(days=1)     # four 6-hour windows
CF_UNTIL = SINCE + timedelta(days=40)     # three 15-day windows


def fts_releases(n=14):
    """Find a Tender-like award releases spread over one day."""
    out = []
    for i in range(n):
        when = SINCE + timedelta(hours=i * 24 / n)
        s = supplier(i, name=f"Fen Works {i} Ltd")
        out.append(simple_release(f"ocds-h6vhtk-{i:06x}", [s], amount=1000.0 * (i + 1), rid=f"{i:06d}-2025",
                                  date=when.isoformat().replace("+00:00", "Z")))
    return out


def cf_releases(n=10):
    """Contracts Finder-like award releases spread over forty days."""
    out = []
    for i in range(n):
        when = SINCE + timedelta(days=i * 4)
        guid = f"00000000-0000-0000-0000-{i:012d}"
        s = supplier(i, name=f"Quorfen Care {i} Ltd")
        out.append(simple_release(f"ocds-b5fd17-{guid}", [s], amount=500.0 * (i + 1), rid=f"{guid}-000001",
                                  date=when.isoformat().replace("+00:00", "Z")))
    return out


@pytest.fixture
def fts_api():
    with FakeApi("/api/1.0/ocdsReleasePackages", "updatedFrom", "updatedTo", fts_releases()) as api:
        yield api


@pytest.fixture
def cf_api():
    with FakeApi("/Published/Notices/OCDS/Search", "publishedFrom", "publishedTo", cf_releases()) as api:
        yield api


def run(api, source, path, until, waits=None, progress=None, **overrides):
    """A refresh with recorded (not slept) waits, so tests take seconds."""
    config = replace(refresh.config_for(source, api.base_url), **overrides)
    fetcher = Fetcher(config, sleep=(waits if waits is not None else []).append)
    return refresh.refresh(config, path, SINCE, until, fetcher=fetcher, progress=progress)


def snapshot(path: Path) -> tuple:
    """What must be identical between runs: the releases kept and the awards derived."""
    con = store.read_only(path)
    try:
        releases = con.execute("SELECT content_hash, source, ocid, release_id, json FROM releases "
                               "ORDER BY content_hash").fetchall()
        awards = con.execute("SELECT * FROM awards ORDER BY award_key").fetchall()
        return releases, awards
    finally:
        con.close()


def test_windows_cover_the_period_within_the_source_limit():
    spans = windows(SINCE, FTS_UNTIL, refresh.SOURCES["find-a-tender"].window)
    assert len(spans) == 4
    assert spans[0][0] == SINCE and spans[-1][1] == FTS_UNTIL
    assert all(end - start <= timedelta(hours=6) for start, end in spans)
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:]))


def test_first_url_carries_the_documented_parameters():
    url = refresh.SOURCES["contracts-finder"].first_url(SINCE, SINCE + timedelta(days=15))
    assert url.startswith("https://www.contractsfinder.service.gov.uk/Published/Notices/OCDS/Search?")
    assert "stages=award" in url and "limit=100" in url
    assert "publishedFrom=2025-03-01T00%3A00%3A00" in url and "publishedTo=2025-03-16T00%3A00%3A00" in url


def test_find_a_tender_is_asked_for_every_stage():
    """No `stages` filter: UK12 terminations, UK10 changes and the rest come too (sources-2 D)."""
    url = refresh.SOURCES["find-a-tender"].first_url(SINCE, SINCE + timedelta(hours=6))
    assert "stages" not in url and "limit=100" in url


def termination(ocid: str, when: datetime, lots=("1",), award_id="1") -> dict:
    """A UK12 procurement termination release, shaped as the real 083256-2026."""
    return {"ocid": ocid, "id": "900001-2025", "date": when.isoformat().replace("+00:00", "Z"),
            "tag": ["tenderCancellation"],
            "tender": {"id": ocid, "status": "withdrawn", "lots": [{"id": lot, "status": "withdrawn"} for lot in lots],
                       "documents": [{"id": "d1", "documentType": "tenderCancellationNotice", "noticeType": "UK12"}]},
            "awards": [{"id": award_id, "status": "cancelled", "relatedLots": list(lots)}], "parties": []}


def test_a_termination_after_an_award_cancels_it(tmp_path):
    """A UK6 award notice, then a UK12 termination of its lot on a later page: the award is
    kept as received but left out of the figures, counted as cancelled by termination."""
    awarded = fts_releases(2)
    awarded[0]["awards"][0]["relatedLots"] = ["1"]
    awarded[1]["awards"][0]["relatedLots"] = ["2"]
    ending = termination(awarded[0]["ocid"], SINCE + timedelta(hours=20), award_id="t1")
    other_lot = termination(awarded[1]["ocid"], SINCE + timedelta(hours=21), lots=("1",), award_id="t1")
    with FakeApi("/api/1.0/ocdsReleasePackages", "updatedFrom", "updatedTo", awarded + [ending, other_lot]) as api:
        run(api, "find-a-tender", tmp_path / "s.duckdb", FTS_UNTIL)
        assert all("stages" not in request for request in api.requests)
    con = store.read_only(tmp_path / "s.duckdb")
    try:
        kept = con.execute("SELECT count(*) FROM releases").fetchone()[0]
        rows = con.execute("SELECT ocid FROM awards").fetchall()
        events = con.execute("SELECT ocid, kind, detail FROM quality_events").fetchall()
    finally:
        con.close()
    assert kept == 4
    assert rows == [(awarded[1]["ocid"],)]       # its lot 2 was not the lot withdrawn
    assert (awarded[0]["ocid"], "award_cancelled_by_termination",
            "procurement termination notice 900001-2025 (UK12)") in events


def test_refresh_keeps_every_release_once(fts_api, tmp_path):
    fts_api.faults = [None, "duplicate", None, "duplicate"]
    report = run(fts_api, "find-a-tender", tmp_path / "s.duckdb", FTS_UNTIL)
    releases, awards = snapshot(tmp_path / "s.duckdb")
    assert len(releases) == len({r[0] for r in releases}) == len(fts_api.releases)
    assert len(awards) == len(fts_api.releases)
    assert report.releases_new == len(fts_api.releases)
    assert all(not request.startswith("http") for request in fts_api.requests)  # all on our host


def test_faults_are_retried_and_nothing_is_lost(fts_api, tmp_path):
    # Each fault hits one request; the retry (or the next page) is served normally.
    faults = ["429", "429-retry-after", "500", "503", "truncated", "drop", "slow", "invalid-numbers"]
    fts_api.faults = [f for fault in faults for f in (fault, None)]
    waits = []
    run(fts_api, "find-a-tender", tmp_path / "s.duckdb", FTS_UNTIL, waits, timeout_s=0.5)
    releases, awards = snapshot(tmp_path / "s.duckdb")
    assert len(releases) == len(fts_api.releases) and len(awards) == len(fts_api.releases)
    assert 30.0 in waits          # 429 without Retry-After: the source's rate-limit wait
    assert 7.0 in waits           # Retry-After honoured


def test_contracts_finder_403_waits_five_minutes(cf_api, tmp_path):
    cf_api.faults = ["403"]
    waits = []
    run(cf_api, "contracts-finder", tmp_path / "s.duckdb", CF_UNTIL, waits)
    assert 300.0 in waits
    assert len(snapshot(tmp_path / "s.duckdb")[0]) == len(cf_api.releases)


def test_requests_are_spaced_by_the_source_interval(fts_api, tmp_path):
    waits = []
    run(fts_api, "find-a-tender", tmp_path / "s.duckdb", FTS_UNTIL, waits)
    assert waits and all(0 < w <= 10.0 for w in waits)
    assert max(waits) > 9.0  # about ten seconds between Find a Tender requests


def test_giving_up_leaves_the_store_untouched(fts_api, tmp_path):
    path = tmp_path / "s.duckdb"
    run(fts_api, "find-a-tender", path, FTS_UNTIL)
    before = path.read_bytes()
    fts_api.faults = ["500"] * 10
    with pytest.raises(FetchError, match="gave up after 3 attempts"):
        run(fts_api, "find-a-tender", path, FTS_UNTIL + timedelta(hours=6), max_attempts=3)
    assert path.read_bytes() == before


class Killed(Exception):
    pass


class KillAfter(refresh.QuietProgress):
    """Progress that kills the refresh after `pages` pages have been staged."""
    def __init__(self, pages):
        self.left = pages

    def page(self, releases):
        self.left -= 1
        if self.left == 0:
            raise Killed


@pytest.mark.parametrize("pages", [1, 2, 4, 5])
def test_killed_refresh_resumes_to_the_identical_store(fts_api, tmp_path, pages):
    whole, resumed = tmp_path / "whole.duckdb", tmp_path / "resumed.duckdb"
    run(fts_api, "find-a-tender", whole, FTS_UNTIL)
    with pytest.raises(Killed):
        run(fts_api, "find-a-tender", resumed, FTS_UNTIL, progress=KillAfter(pages))
    assert not resumed.exists()  # nothing merged until every window is done
    requests_before = len(fts_api.requests)
    run(fts_api, "find-a-tender", resumed, FTS_UNTIL)
    assert snapshot(resumed) == snapshot(whole)
    assert len(fts_api.requests) - requests_before < requests_before  # resumed, not restarted
    assert not refresh.staging_file(resumed, "find-a-tender").exists()


def test_releases_keep_the_time_their_page_was_fetched(fts_api, tmp_path):
    path = tmp_path / "store.duckdb"
    with pytest.raises(Killed):
        run(fts_api, "find-a-tender", path, FTS_UNTIL, progress=KillAfter(2))
    staged = duckdb.connect(str(refresh.staging_file(path, "find-a-tender")), read_only=True)
    first = dict(staged.execute("SELECT content_hash, fetched_at FROM staged").fetchall())
    staged.close()
    resumed = datetime.now(timezone.utc)
    run(fts_api, "find-a-tender", path, FTS_UNTIL)
    con = store.read_only(path)
    kept = dict(con.execute("SELECT content_hash, fetched_at FROM releases").fetchall())
    merged = con.execute("SELECT max(loaded_at) FROM loads").fetchone()[0]
    con.close()
    assert first and set(first) < set(kept)
    assert all(kept[h] == first[h] < resumed for h in first)  # fetched before the resume, not at the merge
    assert all(resumed <= t <= merged for h, t in kept.items() if h not in first)


def test_rerunning_a_finished_refresh_changes_nothing(cf_api, tmp_path):
    path = tmp_path / "s.duckdb"
    run(cf_api, "contracts-finder", path, CF_UNTIL)
    first = snapshot(path)
    run(cf_api, "contracts-finder", path, CF_UNTIL)
    assert snapshot(path) == first


def test_resume_point_is_where_the_last_refresh_ended(cf_api, tmp_path):
    path = tmp_path / "s.duckdb"
    assert refresh.resume_point(path, "contracts-finder") is None
    run(cf_api, "contracts-finder", path, CF_UNTIL)
    assert refresh.resume_point(path, "contracts-finder") == CF_UNTIL.replace(tzinfo=None)
    assert refresh.resume_point(path, "find-a-tender") is None


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "loaders", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def test_cli_refresh_against_the_fake_server(cf_api, tmp_path):
    path = tmp_path / "s.duckdb"
    env = {"CONTRACTS_FINDER_URL": cf_api.base_url}
    result = cli("refresh", "--source", "contracts-finder", "--since", "2025-03-01", "--until", "2025-04-10",
                 "--store", str(path), env=env)
    assert result.returncode == 0, result.stderr
    assert "releases fetched" in result.stderr
    assert len(snapshot(path)[0]) == len(cf_api.releases)
    again = cli("refresh", "--source", "contracts-finder", "--until", "2025-04-10", "--store", str(path), env=env)
    assert again.returncode == 2 and "nothing to fetch" in again.stderr  # continues from 2025-04-10


def test_cli_refresh_needs_since_the_first_time(tmp_path):
    result = cli("refresh", "--source", "find-a-tender", "--store", str(tmp_path / "s.duckdb"))
    assert result.returncode == 2
    assert result.stderr.strip() == "error: find-a-tender: has never been refreshed into this store: give --since DATE"


def test_cli_base_url_needs_one_source(tmp_path):
    result = cli("refresh", "--source", "all", "--since", "2025-01-01", "--base-url", "http://127.0.0.1:9",
                 "--store", str(tmp_path / "s.duckdb"))
    assert result.returncode == 2 and "--base-url" in result.stderr


def test_invalid_numbers_in_bodies_are_patched_not_retried(fts_api, tmp_path):
    fts_api.faults = ["invalid-numbers"] * 100  # every response carries 1e9999 and " 000,"
    run(fts_api, "find-a-tender", tmp_path / "s.duckdb", FTS_UNTIL, max_attempts=1)
    assert len(snapshot(tmp_path / "s.duckdb")[0]) == len(fts_api.releases)


def test_user_agent_names_the_project(fts_api, tmp_path):
    run(fts_api, "find-a-tender", tmp_path / "s.duckdb", FTS_UNTIL)
    assert fts_api.user_agents and all("local-contracts-dashboard" in ua for ua in fts_api.user_agents)


def test_cli_refresh_all_sources(cf_api, fts_api, tmp_path):
    """The README's command, against fake servers of every source (pages large enough to need
    no pacing waits; the Scottish and Welsh portals asked for one notice type, with nothing)."""
    cf_api.page_size = fts_api.page_size = 100
    path = tmp_path / "s.duckdb"
    with FakeProactis({}) as pcs, FakeProactis({}) as s2w:
        env = {"CONTRACTS_FINDER_URL": cf_api.base_url, "FIND_A_TENDER_URL": fts_api.base_url,
               "PUBLIC_CONTRACTS_SCOTLAND_URL": pcs.base_url, "SELL2WALES_URL": s2w.base_url}
        result = cli("refresh", "--source", "all", "--since", "2025-03-01", "--until", "2025-03-01T06:00",
                     "--notice-types", "3", "--store", str(path), "--quiet", env=env)
    assert result.returncode == 0, result.stderr
    with store.read_only(path) as con:
        counts = dict(con.execute("SELECT source, count(*) FROM releases GROUP BY 1").fetchall())
    in_window = lambda api: sum(1 for r in api.releases if r["date"] < "2025-03-01T06:00")
    assert counts == {"contracts-finder": in_window(cf_api), "find-a-tender": in_window(fts_api)}


def test_a_refresh_brings_an_older_store_up_to_date(cf_api, fts_api, tmp_path):
    """The summary tables of a store left by older code (here dropped straight from the file)
    are rebuilt by the refresh's merge, so that opening the store for reading need not."""
    path = tmp_path / "s.duckdb"
    run(cf_api, "contracts-finder", path, CF_UNTIL)
    con = duckdb.connect(str(path))
    con.execute("DROP TABLE supplier_footprint; DELETE FROM meta WHERE key = 'summaries_version'")
    con.close()
    run(fts_api, "find-a-tender", path, FTS_UNTIL)
    con = duckdb.connect(str(path), read_only=True)
    try:
        assert con.execute("SELECT value FROM meta WHERE key = 'summaries_version'").fetchall() == [
            (summaries.VERSION,)]
        assert con.execute("SELECT count(*) FROM supplier_footprint").fetchone()[0] == (
            len(cf_api.releases) + len(fts_api.releases))
    finally:
        con.close()
