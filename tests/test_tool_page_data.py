"""tools/page_data: a snapshot of every page's figures is the same twice, and the compare
names the page, variant and element that changed."""

import copy

import pytest

from tools import page_data


@pytest.fixture(scope="module")
def snapshot(small_store, tmp_path_factory):
    pages = ["overview", "locality", "methodology"]
    first = page_data.snapshot(small_store, pages, log=lambda _line: None)
    path = tmp_path_factory.mktemp("page-data") / "first.json"
    page_data.write(first, path)
    return first, path, pages


def test_a_second_run_writes_the_same_bytes(snapshot, small_store, tmp_path):
    first, path, pages = snapshot
    again = tmp_path / "again.json"
    page_data.write(page_data.snapshot(small_store, pages, log=lambda _line: None), again)
    assert again.read_bytes() == path.read_bytes()


def test_every_variant_shows_its_figures(snapshot):
    first, _path, _pages = snapshot
    assert first["council"] == "Leeds City Council"  # the council with the most award rows
    overview = first["pages"]["overview"]
    assert set(overview) == {"default", "count", "council"}
    assert "exception" not in overview["default"]["elements"]
    metrics = {m["label"]: m["value"] for m in overview["default"]["elements"]["metric"]}
    assert metrics["Awards"] == "6"
    assert overview["count"]["elements"]["plotly_chart"][0]["layout"]["xaxis"]["title"]["text"] == "Number of awards"
    assert overview["council"]["elements"]["metric"] != overview["default"]["elements"]["metric"]


def test_compare_reports_each_changed_element(snapshot):
    first, _path, _pages = snapshot
    changed = copy.deepcopy(first)
    elements = changed["pages"]["overview"]["count"]["elements"]
    elements["metric"][0]["value"] = "£1"
    elements["plotly_chart"][1]["data"][0]["x"][0] += 1
    lines = []
    assert page_data.compare(first, first, out=lines.append) == 0
    assert page_data.compare(first, changed, out=lines.append) == 2
    report = "\n".join(lines)
    assert "== overview / count" in report and "== overview / default" not in report
    assert "metric[0]" in report and "-> '£1'" in report
    assert ".data[0].x[0]" in report
