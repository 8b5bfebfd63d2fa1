"""Smoke run of the issue 6 benchmark at 10,000 awards (no browser), so it cannot rot."""

import json

from benchmarks.run import KEYS, run


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
    assert set(result["pages"]) == {"overview", "locality", "scorecard"}
    assert "| page |" in out.with_suffix(".md").read_text()
