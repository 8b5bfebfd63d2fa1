"""Smoke runs of the load test (benchmarks/load.py), so it cannot rot and its errors are real:
two sessions on the small store report their figures and no error; a page that raises and an
unknown page are counted as errors; the messages a visitor sees as failures are told apart."""

import json
import shutil

import duckdb
import pytest
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg

from benchmarks import load


def test_two_sessions_report_figures_and_no_error(small_store, tmp_path):
    out = tmp_path / "load.json"
    links = load.registry_links(small_store, ["overview", "suppliers"])
    result = load.run(small_store, sessions=2, out=out, renders=5, links=links)
    assert result["errors"] == 0, result["error_messages"]
    assert json.loads(out.read_text()) == result
    assert (result["sessions"], result["renders"], result["links"]) == (2, 5, 8)
    assert 0 < result["render_p50_ms"] <= result["render_p95_ms"] <= result["render_max_ms"]
    assert 0 < result["open_p50_ms"] <= result["open_p95_ms"]
    assert set(result["per_page"]) <= {"overview", "suppliers"}
    assert result["server_peak_rss_mb"] > 50
    assert "5 renders" in out.with_suffix(".txt").read_text()
    assert not out.with_suffix(".log").exists()  # the server log is kept only when something failed


def test_a_page_that_raises_and_an_unknown_page_are_errors(small_store, tmp_path):
    broken = tmp_path / "broken.duckdb"
    shutil.copy(small_store, broken)
    with duckdb.connect(str(broken)) as con:
        con.execute("DROP TABLE supplier_footprint")  # the Suppliers page's query needs it
    links = [load.Link("suppliers", "suppliers"), load.Link("no_such_page", "no_such_page")]
    result = load.run(broken, sessions=2, out=tmp_path / "load.json", renders=4, links=links)
    assert result["renders"] == result["errors"] == 4
    assert {page: figures["errors"] for page, figures in result["per_page"].items()} == {
        "suppliers": 2, "no_such_page": 2}
    counts = {error["message"]: error["count"] for error in result["error_messages"]}
    assert counts.pop("page not found") >= 2  # a first request on a fresh server is told twice
    assert sum(counts.values()) == 2 and all(message.startswith(("exception: ", "error shown: ")) for message in counts)
    assert sorted(result["failed_links"]) == ["/no_such_page", "/suppliers"]
    assert result["render_p50_ms"] is None  # failed renders are not timed as renders
    assert (tmp_path / "load.log").exists()


def _element(**fields) -> ForwardMsg:
    msg = ForwardMsg()
    for name, value in fields.items():
        getattr(msg.delta.new_element, name).CopyFrom(value)
    return msg


def test_what_counts_as_a_failure():
    exception = ForwardMsg()
    exception.delta.new_element.exception.type = "CatalogException"
    exception.delta.new_element.exception.message = "no such table"
    warning = ForwardMsg()
    warning.delta.new_element.exception.is_warning = True
    not_found = ForwardMsg()
    not_found.page_not_found.page_name = "nope"
    assert load.problems(exception) == ["exception: CatalogException: no such table"]
    assert load.problems(_element(alert=Alert(body="could not be drawn", format=Alert.ERROR))) == [
        "error shown: could not be drawn"]
    assert load.problems(not_found) == ["page not found"]
    for fine in (warning, _element(alert=Alert(body="Part of this link was ignored.", format=Alert.WARNING)),
                 _element(alert=Alert(body="No award data yet.", format=Alert.INFO))):
        assert load.problems(fine) == []
    early, done = ForwardMsg(), ForwardMsg()
    early.script_finished, done.script_finished = ForwardMsg.FINISHED_EARLY_FOR_RERUN, ForwardMsg.FINISHED_SUCCESSFULLY
    assert not load.finished(early) and load.finished(done)


@pytest.mark.parametrize("argv, problem", [
    (["--sessions", "0"], "--sessions 0: must be at least 1"),
    (["--renders", "0"], "--renders 0: must be at least 1"),
    (["--seconds", "-1"], "--seconds -1: must be more than 0"),
    (["--pages", "overview,nope"], "--pages nope: not registered"),
])
def test_bad_options_say_which_and_why(argv, problem, capsys):
    with pytest.raises(SystemExit) as exit_:
        load.main(argv)
    assert exit_.value.code == 2
    assert problem in capsys.readouterr().err
