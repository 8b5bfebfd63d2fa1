"""Smoke runs of the performance benchmark, so it cannot rot: the queries at two small sizes
with every page's raw floor and a short load test, the profile's report, the statement
recorder, the generated releases, and the browser half (a few filter changes per page; a
cold start that opens the pages it is given) on small generated stores."""

import hashlib
import json
from pathlib import Path
from urllib.parse import urlencode

import duckdb
import pytest

from benchmarks import browser, generate, import_memory
from benchmarks.run import (IMPORT_MEMORY, KEYS, Recorder, browser_keys, collapsed_report, largest_council,
                            registered_paths, run)
from ui.registry import PAGES


def test_benchmark_smoke(tmp_path):
    out = tmp_path / "results.json"
    result = run((5_000, 10_000), out, skip_browser=True, normalise_releases=2_000, store_dir=tmp_path,
                 combos=3, load_sessions=3, load_seconds=3)
    saved = json.loads(out.read_text())
    assert set(KEYS) <= set(saved)
    assert (saved["awards"], saved["sizes"], saved["largest_size"]) == (5_000, [5_000, 10_000], 10_000)
    for key in ("page_query_p50_ms", "page_query_p95_ms", "raw_floor_p95_ms", "hand_floor_p95_ms",
                "naive_page_query_p95_ms", "awards_2m_page_query_p95_ms"):
        assert 0 < saved[key] < 10_000, key
    assert saved["normaliser"]["releases"] >= 2_000 and saved["normalise_releases_per_s"] > 100
    for key in ("browser_redraw_p50_ms", "browser_redraw_p95_ms", "shared_link_p95_ms", "cold_start_s",
                "app_peak_rss_mb", "awards_2m_cold_start_s", "awards_2m_app_peak_rss_mb"):
        assert saved[key] is None
    declared = {page.module for page in PAGES if page.load().BLOCKS}
    assert set(result["pages"]) == declared  # every registered page that declares blocks is timed
    for page, by_size in saved["pages"].items():
        assert set(by_size) == {"5000", "10000"}
        for figures in by_size.values():  # every page has its raw floor, measured in the same run
            assert figures["statements"] > 0 and 0 < figures["floor_p95_ms"] < 10_000
            assert figures["ratio_floor_p95"] == pytest.approx(figures["p95_ms"] / figures["floor_p95_ms"])
    assert saved["ratio_ours_floor_p95"] == max(p["5000"]["ratio_floor_p95"] for p in saved["pages"].values())
    for page in ("overview", "locality", "scorecard"):  # the pages with hand-written floors and pandas baselines
        assert {"hand_floor_p95_ms", "naive_p95_ms"} <= set(saved["pages"][page]["10000"])
    assert saved["concurrent_errors"] == 0 and 0 < saved["concurrent_p95_ms"] < 60_000
    assert saved["concurrent_server_rss_mb"] > 50 and saved["load"]["sessions"] == 3
    committed = json.loads(IMPORT_MEMORY.read_text())  # read, not measured, without --run-import-memory
    assert saved["import_200mb_peak_rss_mb"] == committed["import_200mb_peak_rss_mb"]
    summary = out.with_suffix(".md").read_text()
    assert "| page | awards |" in summary and "| provider_size | 10,000 |" in summary
    assert "| concurrent sessions: errors | 0 | 0 | yes |" in summary


def test_generated_store_holds_releases_as_loaders_write_them(tmp_path):
    path = generate.build(tmp_path / "bench.duckdb", 3_000)
    with duckdb.connect(str(path), read_only=True) as con:
        ocids, releases, updates, empty = con.execute("""
            SELECT count(DISTINCT ocid), count(*), count(*) FILTER (tags = 'awardUpdate'),
                   count(*) FILTER (content_hash IS NULL OR source IS NULL OR release_id IS NULL OR json IS NULL
                                    OR release_date IS NULL OR origin IS NULL OR fetched_at IS NULL)
            FROM releases""").fetchone()
        awards = con.execute("SELECT count(DISTINCT ocid) FROM awards").fetchone()[0]
        body, digest = con.execute("SELECT json, content_hash FROM releases WHERE tags = 'award' LIMIT 1").fetchone()
    assert ocids == awards and empty == 0
    assert 0.05 < updates / awards < 0.15 and releases == awards + updates
    release = json.loads(body)
    assert {"ocid", "id", "date", "tag", "buyer", "awards"} <= set(release) and release["tag"] == ["award"]
    assert release["awards"][0]["value"]["currency"] == "GBP"
    assert digest == hashlib.sha256(body.encode()).hexdigest()


def test_recorder_records_what_runs_through_it_and_its_cursors():
    con = duckdb.connect()
    recorder = Recorder(con)
    assert recorder.cursor().execute("SELECT ? + 1", [1]).fetchall() == [(2,)]
    assert recorder.execute("SELECT 3").fetchone() == (3,)
    assert recorder.statements == [("SELECT ? + 1", [1]), ("SELECT 3", None)]


def test_collapsed_report_counts_own_and_total_samples_per_function():
    collapsed = "main (a.py:1);query (q.py:5);execute (q.py:9) 30\nmain (a.py:1);query (q.py:6) 10\nbad line\n"
    report = collapsed_report(collapsed)
    assert report.startswith("40 samples.")
    own, total = report.split("Top 40 by total")
    assert "      30  75.0%  execute (q.py)" in own and "      10  25.0%  query (q.py)" in own
    assert "      40 100.0%  main (a.py)" in total and "      40 100.0%  query (q.py)" in total


def test_browser_changes_never_revisit_a_filter_state():
    regions = ["London", "Wales", "North West"]
    for page in ("overview", "scorecard"):
        changes = browser.steps(page, regions, 40)
        assert sum(timed for *_, timed in changes) == 40
        state = {"size": None, "category": None, "region": None, "local": browser.LOCAL_CHOICES[0],
                 "frameworks": False}
        seen = {tuple(sorted(state.items()))}
        for control, option, timed in changes:
            state[control] = (not state["frameworks"]) if control == "frameworks" else option
            assert (tuple(sorted(state.items())) not in seen) == timed
            seen.add(tuple(sorted(state.items())))
    assert "region" not in {control for control, *_ in browser.steps("scorecard", regions, 40)}


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is absent")
def test_browser_benchmark_smoke(tmp_path):
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    path = generate.build(tmp_path / "bench.duckdb", 2_000)
    keys = browser_keys(path, path, tmp_path, changes=2, link_loads=1)  # one size: the largest is the first
    result = keys["browser"]
    assert 0 < keys["cold_start_s"] == keys["awards_2m_cold_start_s"] < 120
    assert set(result["per_page"]) == set(result["link_load"]) == {"overview", "locality", "scorecard"}
    assert 0 < result["redraw_p50_ms"] <= result["redraw_p95_ms"] < 60_000
    assert 0 < keys["shared_link_p50_ms"] <= keys["shared_link_p95_ms"] < 60_000
    assert keys["app_peak_rss_mb"] == keys["awards_2m_app_peak_rss_mb"] > 50 and keys["browser_largest"] is None


@pytest.mark.browser
@pytest.mark.skipif(not Path("/usr/bin/chromium").exists(), reason="/usr/bin/chromium is absent")
def test_cold_start_opens_the_pages_it_is_given(tmp_path):
    pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    path = generate.build(tmp_path / "bench.duckdb", 2_000)
    council = largest_council(path)
    paths = registered_paths(council)
    assert paths["scorecard"] == "scorecard?" + urlencode({"council": council}) and paths["overview"] == ""
    result = browser.cold_start(path, {"data": paths["data"]}, tmp_path / "app.log")
    assert 0 < result["cold_start_s"] < 120 and set(result["pages_opened"]) == {"data"}
    assert result["app_peak_rss_mb"] > 50


def test_import_memory_benchmark_smoke(tmp_path):
    result = import_memory.run(1, tmp_path)
    for kind in ("lines", "package"):
        assert result[kind]["releases"] > 100 and 0.9 < result[kind]["file_mb"] < 1.5
        assert 50 < result[kind]["peak_rss_mb"] < import_memory.TARGET_MB
    assert result["not_json"]["peak_rss_mb"] < result["lines"]["peak_rss_mb"] + 50
    assert result["import_peak_rss_mb"] == result["lines"]["peak_rss_mb"]
    assert not list(tmp_path.glob("*.json"))  # the files are removed once measured
