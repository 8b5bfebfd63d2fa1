"""Public Contracts Scotland and Sell2Wales: month-by-notice-type windows, faults (empty
packages, failing months kept as gaps, truncated bodies, certificate problems), release
ids for releases published without one, and the real samples refreshed from a fake server."""

import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pytest

from loaders import info
from loaders.errors import LoaderError
from loaders.sources import public_contracts_scotland, refresh, sell2wales
from loaders.sources.fetching import CertificateError, Fetcher
from loaders.sources.readers import releases_in
from loaders.storage import store
from tests.fake_proactis import FakeProactis
from tests.ocds_factory import simple_release, supplier

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PCS_SAMPLE = DATA / "public-contracts-scotland" / "pcs_tender_releases_2019-03_04.jsonl"
S2W_SAMPLE = DATA / "sell2wales" / "s2w_tender_releases_2025-02.jsonl"
SINCE = datetime(2025, 1, 1, tzinfo=timezone.utc)
UNTIL = datetime(2025, 3, 1, tzinfo=timezone.utc)   # January and February


def pcs_award(i: int, month: int, rid: bool = False) -> dict:
    """An award release in the portals' shape: no release id (as PCS), local party ids."""
    data = simple_release(f"ocds-r6ebe6-{i:010d}", [supplier(i, name=f"Glenbrae Works {i} Ltd")],
                          amount=1000.0 * (i + 1), date=f"2025-{month:02d}-{10 + i:02d}T00:00:00Z")
    if not rid:
        data.pop("id", None)
    return data


def awards_by_type() -> dict[str, list[dict]]:
    """Four awards: two of type 3 in January, one of 103 in January, one of 104 in February."""
    return {"3": [pcs_award(0, 1), pcs_award(1, 1)], "103": [pcs_award(2, 1)], "104": [pcs_award(3, 2)]}


def run(api, source, path, since=SINCE, until=UNTIL, waits=None, progress=None, notice_types=None, **overrides):
    """A refresh with recorded (not slept) waits, so tests take seconds."""
    config = replace(refresh.config_for(source, api.base_url, notice_types=notice_types), **overrides)
    fetcher = Fetcher(config, sleep=(waits if waits is not None else []).append)
    return refresh.refresh(config, path, since, until, fetcher=fetcher, progress=progress)


def stored(path: Path) -> list[tuple]:
    with store.read_only(path) as con:
        return con.execute("SELECT content_hash, source, ocid, release_id, json FROM releases "
                           "ORDER BY content_hash").fetchall()


def snapshot(path: Path) -> tuple:
    with store.read_only(path) as con:
        return stored(path), con.execute("SELECT * FROM awards ORDER BY award_key").fetchall()


class Notes(refresh.QuietProgress):
    def __init__(self):
        self.notes = []

    def note(self, message):
        self.notes.append(message)


# --- configuration ---------------------------------------------------------------------------

def test_one_window_per_month_and_award_notice_type():
    config = refresh.SOURCES["public-contracts-scotland"]
    spans = config.windows_between(datetime(2025, 1, 15, tzinfo=timezone.utc), UNTIL)
    assert [(s.month, t) for s, _, t in spans] == [(m, t) for m in (1, 2) for t in ("3", "6", "25", "103", "104",
                                                                                   "15", "20")]
    assert all((e.year, e.month, e.day) == ((s.year, s.month + 1, 1)) for s, e, _ in spans)
    december = config.windows_between(datetime(2024, 12, 1, tzinfo=timezone.utc), SINCE)
    assert december[-1][1] == SINCE  # December ends at the first of January


def test_first_urls_carry_the_documented_parameters():
    start, end = SINCE, UNTIL
    assert refresh.SOURCES["public-contracts-scotland"].first_url(start, end, "104") == (
        "https://api.publiccontractsscotland.gov.uk/v1/Notices?dateFrom=01-2025&noticeType=104&outputType=0")
    assert refresh.SOURCES["sell2wales"].first_url(start, end, "53") == (
        "https://api.sell2wales.gov.wales/v1/Notices?dateFrom=01-2025&noticeType=53&outputType=0&locale=2057")


def test_sell2wales_asks_for_its_award_types_by_default():
    assert set(refresh.SOURCES["sell2wales"].notice_types) == {"3", "6", "15", "20", "25", "53"}


def test_notice_types_all_or_a_list(monkeypatch):
    monkeypatch.delenv("SELL2WALES_URL", raising=False)
    every = refresh.config_for("sell2wales", notice_types="all")
    assert every.notice_types == sell2wales.AWARD_NOTICE_TYPES + sell2wales.TENDER_AND_PLANNING_NOTICE_TYPES
    assert refresh.config_for("public-contracts-scotland", notice_types="3, 104,3").notice_types == ("3", "104")
    with pytest.raises(LoaderError, match="99 is not a notice type of public-contracts-scotland"):
        refresh.config_for("public-contracts-scotland", notice_types="3,99")
    assert "102" in public_contracts_scotland.TENDER_AND_PLANNING_NOTICE_TYPES
    # A source without notice types ignores them (so --source all --notice-types all works).
    assert refresh.config_for("find-a-tender", notice_types="all") == refresh.config_for("find-a-tender")


def test_base_url_from_the_environment(monkeypatch):
    monkeypatch.setenv("PUBLIC_CONTRACTS_SCOTLAND_URL", "http://127.0.0.1:1")
    monkeypatch.setenv("SELL2WALES_URL", "http://127.0.0.1:2")
    assert refresh.config_for("public-contracts-scotland").base_url == "http://127.0.0.1:1"
    assert refresh.config_for("sell2wales").base_url == "http://127.0.0.1:2"
    assert refresh.config_for("sell2wales", "http://127.0.0.1:3").base_url == "http://127.0.0.1:3"


# --- release ids -------------------------------------------------------------------------------

def test_a_release_without_id_is_keyed_by_ocid_date_and_content():
    data = pcs_award(0, 1)
    first, = releases_in(data, "test")
    assert first.release_id == f"{data['ocid']}/{data['date']}/sha256:{first.content_hash[:16]}"
    assert releases_in(json.loads(json.dumps(data)), "again")[0].release_id == first.release_id  # stable
    changed = {**data, "description": "amended"}
    assert releases_in(changed, "test")[0].release_id != first.release_id  # same ocid and date, other content
    published = pcs_award(0, 1, rid=True)
    assert releases_in(published, "test")[0].release_id == published["id"]  # a published id is kept


# --- refresh and faults --------------------------------------------------------------------

def test_refresh_fetches_each_month_and_type_once(tmp_path):
    with FakeProactis(awards_by_type()) as api:
        report = run(api, "public-contracts-scotland", tmp_path / "s.duckdb")
    assert len(api.requests) == report.windows == 14 and report.gaps == 0
    assert len(set(api.requests)) == 14
    releases = stored(tmp_path / "s.duckdb")
    assert len(releases) == 4 and {r[1] for r in releases} == {"public-contracts-scotland"}
    with store.read_only(tmp_path / "s.duckdb") as con:
        assert con.execute("SELECT count(*) FROM awards").fetchone()[0] == 4
    assert not refresh.staging_file(tmp_path / "s.duckdb", "public-contracts-scotland").exists()


def test_sell2wales_sends_its_locale(tmp_path):
    by_type = {"53": [pcs_award(0, 1, rid=True)]}
    with FakeProactis(by_type, locale="2057") as api:
        report = run(api, "sell2wales", tmp_path / "s.duckdb")
    assert report.gaps == 0 and report.releases_new == 1  # the fake answers 400 without locale=2057


def test_empty_packages_are_empty_months(tmp_path):
    """Most months and types answer a package with no `releases` array: nothing, no error."""
    with FakeProactis({}) as api:
        assert "releases" not in api.package("01-2025", "3")
        report = run(api, "public-contracts-scotland", tmp_path / "s.duckdb")
    assert report.windows == 14 and report.gaps == 0 and report.releases_fetched == 0


def test_a_truncated_body_is_retried(tmp_path):
    with FakeProactis(awards_by_type()) as api:
        api.faults = ["truncated", None, "500", None, "drop"]
        waits = []
        report = run(api, "public-contracts-scotland", tmp_path / "s.duckdb", waits=waits)
    assert report.gaps == 0 and len(stored(tmp_path / "s.duckdb")) == 4
    assert len(api.requests) == 14 + 3


def test_a_month_failing_after_every_retry_is_a_gap_retried_first_next_time(tmp_path):
    path = tmp_path / "s.duckdb"
    notes = Notes()
    with FakeProactis(awards_by_type()) as api:
        api.failing = {("01-2025", "3")}
        report = run(api, "public-contracts-scotland", path, progress=notes, max_attempts=3)
        assert report.gaps == 1
        assert len(stored(path)) == 2  # the rest is merged
        assert sum("dateFrom=01-2025&noticeType=3&" in r for r in api.requests) == 3  # retried, then left
        assert any("01-2025 notice type 3: GAP" in n and "HTTP 500" in n for n in notes.notes)
        assert any("kept as gaps" in n for n in notes.notes)
        staging = refresh.staging_file(path, "public-contracts-scotland")
        with duckdb.connect(str(staging), read_only=True) as con:
            assert con.execute("SELECT notice_type, done FROM checkpoints").fetchall() == [("3", False)]
            assert con.execute("SELECT count(*) FROM staged").fetchone()[0] == 0
        gaps = info.summary(path)["gaps"]
        assert [(g["source"], g["from"], g["notice_type"]) for g in gaps] == [
            ("public-contracts-scotland", "2025-01-01T00:00:00", "3")]
        assert "gap: public-contracts-scotland 01-2025 notice type 3" in info.format_summary(info.summary(path))

        api.failing, api.requests[:] = set(), []
        march = datetime(2025, 4, 1, tzinfo=timezone.utc)
        report = run(api, "public-contracts-scotland", path, since=UNTIL, until=march)
    assert "dateFrom=01-2025&noticeType=3&" in api.requests[0]  # the gap first
    assert report.gaps == 0 and report.windows == 8
    assert len(stored(path)) == 4
    assert not staging.exists() and info.summary(path)["gaps"] == []


def test_a_gap_still_failing_stays_a_gap(tmp_path):
    path = tmp_path / "s.duckdb"
    with FakeProactis(awards_by_type()) as api:
        api.failing = {("02-2025", "104")}
        run(api, "public-contracts-scotland", path, max_attempts=2)
        report = run(api, "public-contracts-scotland", path, since=UNTIL,
                     until=datetime(2025, 3, 2, tzinfo=timezone.utc), max_attempts=2)
    assert report.gaps == 1 and [g["notice_type"] for g in refresh.known_gaps(path)] == ["104"]


def test_contracts_finder_and_find_a_tender_allow_no_gaps():
    """They keep their behaviour: giving up fails the refresh (test_refresh covers it)."""
    assert not refresh.SOURCES["contracts-finder"].gaps_allowed
    assert not refresh.SOURCES["find-a-tender"].gaps_allowed


def test_a_staging_file_of_older_code_is_resumed(tmp_path):
    """Checkpoints staged before windows had notice types are read as windows without one."""
    from tests.fake_api import FakeApi
    path = tmp_path / "s.duckdb"
    since = datetime(2025, 3, 1, tzinfo=timezone.utc)
    staging = refresh.staging_file(path, "contracts-finder")
    with duckdb.connect(str(staging)) as con:
        con.execute("""CREATE TABLE checkpoints (window_start TIMESTAMP, window_end TIMESTAMP, next_url VARCHAR,
                       done BOOLEAN, pages INTEGER, releases INTEGER, PRIMARY KEY (window_start, window_end));
                       INSERT INTO checkpoints VALUES ('2025-03-01', '2025-03-16', NULL, true, 1, 0)""")
    with FakeApi("/Published/Notices/OCDS/Search", "publishedFrom", "publishedTo", []) as api:
        config = refresh.config_for("contracts-finder", api.base_url)
        report = refresh.refresh(config, path, since, datetime(2025, 3, 31, tzinfo=timezone.utc),
                                 fetcher=Fetcher(config, sleep=lambda s: None))
    assert report.windows == 2 and len(api.requests) == 1  # the done window was not fetched again


# --- certificates ------------------------------------------------------------------------

@pytest.fixture(scope="module")
def certificates(tmp_path_factory):
    """A CA and a server certificate for 127.0.0.1 signed by it (the system does not trust the CA)."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is not installed")
    folder = tmp_path_factory.mktemp("tls")
    ca, ca_key, cert, key = (str(folder / n) for n in ("ca.pem", "ca.key", "server.pem", "server.key"))

    def openssl(*args):
        subprocess.run(["openssl", *args], check=True, capture_output=True, cwd=folder)

    openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca_key, "-out", ca, "-days", "2",
            "-subj", "/CN=Test CA")
    openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", str(folder / "server.csr"),
            "-subj", "/CN=127.0.0.1")
    (folder / "ext.cnf").write_text("subjectAltName=IP:127.0.0.1\n")
    openssl("x509", "-req", "-in", str(folder / "server.csr"), "-CA", ca, "-CAkey", ca_key, "-CAcreateserial",
            "-out", cert, "-days", "2", "-extfile", str(folder / "ext.cnf"))
    return ca, cert, key


def test_a_certificate_problem_is_one_clear_line_and_not_retried(tmp_path, certificates):
    ca, cert, key = certificates
    with FakeProactis(awards_by_type(), tls=(cert, key)) as api:
        with pytest.raises(CertificateError) as caught:
            run(api, "public-contracts-scotland", tmp_path / "s.duckdb")
        host = api.base_url.removeprefix("https://")
    message = str(caught.value)
    assert message.startswith(f"{host}: its TLS certificate could not be verified (certificate verify failed")
    assert "--ca-bundle FILE" in message and "\n" not in message
    assert not (tmp_path / "s.duckdb").exists()


def test_ca_bundle_trusts_the_given_certificates(tmp_path, certificates):
    ca, cert, key = certificates
    with FakeProactis(awards_by_type(), tls=(cert, key)) as api:
        config = refresh.config_for("public-contracts-scotland", api.base_url, ca_bundle=ca)
        assert config.ca_bundle == ca
        report = refresh.refresh(config, tmp_path / "s.duckdb", SINCE, UNTIL,
                                 fetcher=Fetcher(config, sleep=lambda s: None))
    assert report.releases_new == 4


def cli(*args, env=None):
    return subprocess.run([sys.executable, "-m", "loaders", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **(env or {})})


def test_cli_certificate_error_and_ca_bundle(tmp_path, certificates):
    ca, cert, key = certificates
    path = tmp_path / "s.duckdb"
    with FakeProactis(awards_by_type(), tls=(cert, key)) as api:
        args = ["refresh", "--source", "public-contracts-scotland", "--since", "2025-01-01", "--until", "2025-01-02",
                "--notice-types", "3", "--store", str(path), "--quiet"]
        env = {"PUBLIC_CONTRACTS_SCOTLAND_URL": api.base_url}
        failed = cli(*args, env=env)
        assert failed.returncode == 2
        assert failed.stderr.strip().splitlines() == [failed.stderr.strip()]
        assert "127.0.0.1" in failed.stderr and "--ca-bundle FILE" in failed.stderr
        trusted = cli(*args, "--ca-bundle", ca, env=env)
        assert trusted.returncode == 0, trusted.stderr
        missing = cli(*args, "--ca-bundle", str(tmp_path / "nope.pem"), env=env)
        assert missing.returncode == 2 and "no such file" in missing.stderr
    assert len(stored(path)) == 2


def test_cli_shows_a_gap_and_the_next_refresh_retries_it(tmp_path):
    path = tmp_path / "s.duckdb"
    with FakeProactis(awards_by_type()) as api:
        api.failing = {("01-2025", "103")}
        run(api, "public-contracts-scotland", path, until=datetime(2025, 1, 31, tzinfo=timezone.utc),
            notice_types="3,103", max_attempts=2)
        shown = cli("info", "--store", str(path))
        assert "gap: public-contracts-scotland 01-2025 notice type 103: not fetched" in shown.stdout
        api.failing, api.requests[:] = set(), []
        result = cli("refresh", "--source", "public-contracts-scotland", "--until", "2025-02-28",
                     "--notice-types", "3,103", "--store", str(path),
                     env={"PUBLIC_CONTRACTS_SCOTLAND_URL": api.base_url})
    assert result.returncode == 0, result.stderr
    assert "noticeType=103" in api.requests[0] and "dateFrom=01-2025" in api.requests[0]  # the gap first
    assert {r.split("noticeType=")[1].split("&")[0] for r in api.requests} == {"3", "103"}
    assert "GAP" not in result.stderr
    assert len(stored(path)) == 3
    assert "gap:" not in cli("info", "--store", str(path)).stdout


# --- the real samples, month by month ------------------------------------------------------

def real(path: Path) -> list[dict]:
    if not path.is_file():
        pytest.skip(f"{path} is not here")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


class Killed(Exception):
    pass


class KillAfter(refresh.QuietProgress):
    def __init__(self, pages):
        self.left = pages

    def page(self, releases):
        self.left -= 1
        if self.left == 0:
            raise Killed


SAMPLES = [
    # source, sample, the two notice types the tenders are served under (alternately), months,
    # the month of the second type that fails, locale
    ("public-contracts-scotland", PCS_SAMPLE, ("2", "102"), (datetime(2019, 3, 1), datetime(2019, 5, 1)), "04-2019",
     None),
    ("sell2wales", S2W_SAMPLE, ("2", "51"), (datetime(2025, 1, 1), datetime(2025, 3, 1)), "02-2025", "2057"),
]


def served(releases: list[dict], notice_types: tuple[str, str]) -> dict[str, list[dict]]:
    """The sample split between two notice types, so one type's month can fail alone."""
    return {notice_types[0]: releases[::2], notice_types[1]: releases[1::2]}


@pytest.mark.realdata
@pytest.mark.parametrize("source, sample, notice_types, months, failing, locale", SAMPLES)
def test_real_samples_refresh_every_release_exactly_once(tmp_path, source, sample, notice_types, months, failing,
                                                        locale):
    releases = real(sample)
    since, until = (m.replace(tzinfo=timezone.utc) for m in months)
    path = tmp_path / "s.duckdb"
    with FakeProactis(served(releases, notice_types), locale=locale) as api:
        api.failing = {(failing, notice_types[1])}
        first = run(api, source, path, since, until, notice_types="all", max_attempts=2)
        assert first.gaps == 1 and 0 < len(stored(path)) < len(releases)
        api.failing = set()
        run(api, source, path, since, until, notice_types="all")
    kept = stored(path)
    assert len(kept) == len(releases) == len({r[3] for r in kept})   # each once, each its own release id
    assert sorted(json.loads(r[4])["ocid"] for r in kept) == sorted(r["ocid"] for r in releases)
    assert {r[1] for r in kept} == {source}
    assert all(r[3].startswith(r[2] + "/") for r in kept) == (source == "public-contracts-scotland")


@pytest.mark.realdata
@pytest.mark.parametrize("pages", [1, 5, 30])
@pytest.mark.parametrize("source, sample, notice_types, months, failing, locale", SAMPLES)
def test_real_samples_resumed_refresh_gives_the_same_store(tmp_path, source, sample, notice_types, months, failing,
                                                          locale, pages):
    releases = real(sample)
    since, until = (m.replace(tzinfo=timezone.utc) for m in months)
    whole, resumed = tmp_path / "whole.duckdb", tmp_path / "resumed.duckdb"
    with FakeProactis(served(releases, notice_types), locale=locale) as api:
        run(api, source, whole, since, until, notice_types="all")
        before = len(api.requests)
        with pytest.raises(Killed):
            run(api, source, resumed, since, until, notice_types="all", progress=KillAfter(pages))
        assert not resumed.exists()
        killed_at = len(api.requests)
        run(api, source, resumed, since, until, notice_types="all")
    assert snapshot(resumed) == snapshot(whole)
    assert len(api.requests) - killed_at == before - pages  # resumed where it stopped


def test_cli_refresh_all_sources_includes_scotland_and_wales(tmp_path):
    from tests.fake_api import FakeApi
    path = tmp_path / "s.duckdb"
    scottish, welsh = {"3": [pcs_award(0, 1)]}, {"3": [pcs_award(1, 1, rid=True)]}
    with FakeProactis(scottish) as pcs, FakeProactis(welsh, locale="2057") as s2w, \
            FakeApi("/Published/Notices/OCDS/Search", "publishedFrom", "publishedTo", []) as cf, \
            FakeApi("/api/1.0/ocdsReleasePackages", "updatedFrom", "updatedTo", []) as fts:
        env = {"PUBLIC_CONTRACTS_SCOTLAND_URL": pcs.base_url, "SELL2WALES_URL": s2w.base_url,
               "CONTRACTS_FINDER_URL": cf.base_url, "FIND_A_TENDER_URL": fts.base_url}
        result = cli("refresh", "--source", "all", "--since", "2025-01-31T18:00", "--until", "2025-02-01",
                     "--notice-types", "3", "--store", str(path), "--quiet", env=env)
    assert result.returncode == 0, result.stderr
    assert len(cf.requests) == 1 and len(fts.requests) == 1 and len(pcs.requests) == len(s2w.requests) == 1
    with store.read_only(path) as con:
        counts = dict(con.execute("SELECT source, count(*) FROM releases GROUP BY 1").fetchall())
    assert counts == {"public-contracts-scotland": 1, "sell2wales": 1}


def test_a_gap_is_said_even_with_quiet(capsys):
    from loaders.cli import TerminalProgress
    with TerminalProgress(quiet=True) as progress:
        progress.note("sell2wales 02-2025 notice type 53: GAP, not fetched (HTTP 500); the next refresh retries it")
        progress.note("sell2wales 03-2025 notice type 53: 1 pages, 4 releases")
    assert capsys.readouterr().err.splitlines() == [
        "sell2wales 02-2025 notice type 53: GAP, not fetched (HTTP 500); the next refresh retries it"]
