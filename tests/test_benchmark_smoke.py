"""Smoke runs of the performance benchmark, so it cannot rot: the queries at 10,000 awards, and
the browser half (a few filter changes per page) on a small generated store."""

import json
from pathlib import Path

import pytest

from benchmarks import browser, generate, import_memory
from benchmarks.run import KEYS, browser_run, run
from ui.registry import PAGES


def test_benchmark_smoke(tmp_path):
    out = tmp_path / "results.json"
    result = run(10_000, out, skip_browser=True, normalise_releases=2_000,
                 store_path=tmp_path / "bench.duckdb", combos=10)
    saved = json.loads(out.read_text())
    assert set(KEYS) <= set(saved)
    assert saved["awards"] == 10_000
    for key in ("page_query_p50_ms", "page_query_p95_ms", "raw_floor_p95_ms", "naive_page_query_p95_ms"):
        assert 0 < saved[key] < 10_000, key
    assert saved["normaliser"]["releases"] >= 2_000 and saved["normalise_releases_per_s"] > 100
    for key in ("browser_redraw_p50_ms", "browser_redraw_p95_ms", "cold_start_s", "app_peak_rss_mb"):
        assert saved[key] is None
    assert {"overview", "locality", "scorecard"} <= set(result["pages"])  # the pages with hand-written floors
    declared = {page.module for page in PAGES if page.load().BLOCKS}
    assert set(result["pages"]) == declared  # every registered page that declares blocks is timed
    assert "| page |" in out.with_suffix(".md").read_text()


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
    result = browser_run(path, tmp_path / "streamlit.log", changes=3, link_loads=1)
    assert 0 < result["cold_start_s"] < 120
    assert set(result["per_page"]) == set(result["link_load"]) == {"overview", "locality", "scorecard"}
    assert 0 < result["redraw_p50_ms"] <= result["redraw_p95_ms"] < 60_000
    assert result["app_peak_rss_mb"] > 50


def test_import_memory_benchmark_smoke(tmp_path):
    result = import_memory.run(1, tmp_path)
    for kind in ("lines", "package"):
        assert result[kind]["releases"] > 100 and 0.9 < result[kind]["file_mb"] < 1.5
        assert 50 < result[kind]["peak_rss_mb"] < import_memory.TARGET_MB
    assert result["not_json"]["peak_rss_mb"] < result["lines"]["peak_rss_mb"] + 50
    assert result["import_peak_rss_mb"] == result["lines"]["peak_rss_mb"]
    assert not list(tmp_path.glob("*.json"))  # the files are removed once measured
