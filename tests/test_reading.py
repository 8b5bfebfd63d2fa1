"""How files are read: text decoded line by line (one byte that is not UTF-8 no longer turns
the whole file into ISO-8859-1), Find a Tender's number patches applied outside strings only
(titles kept as published), packages streamed, and a file found bad part-way leaving the
store as it was."""

import json

import duckdb
import orjson
import pytest

from loaders import cli
from loaders.errors import InputError
from loaders.sources.readers import (DOCUMENT, LINES, NOT_UTF8, parse_json, patch_numbers, read_file,
                                     read_releases, sniff)
from loaders.storage import loading, store
from tests.ocds_factory import package, simple_release, supplier, write_package

CAFE = "Café Ltd — £"


def release_line(ocid: str, name: str = "Supplier Ltd") -> bytes:
    return orjson.dumps(simple_release(ocid, [supplier(1, name=name)])) + b"\n"


def held(path, sql: str, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_one_line_not_utf8_is_read_alone_with_the_fallback_and_reported(tmp_path):
    file = tmp_path / "mixed.jsonl"
    bad = release_line("ocds-b5fd17-2", "Caf\u00e9 Two Ltd").replace("é".encode(), b"\xe9")  # windows-1252 é
    file.write_bytes(release_line("ocds-b5fd17-1", CAFE) + bad + release_line("ocds-b5fd17-3", CAFE))
    events = []
    releases = list(read_releases(file, events=events))
    names = [json.loads(r.json)["parties"][1]["name"] for r in releases]
    assert names == [CAFE, "Café Two Ltd", CAFE]  # the good lines untouched, the bad one read as windows-1252
    assert len(events) == 1
    ocid, release_id, _, kind, detail = events[0]
    assert (ocid, kind) == ("ocds-b5fd17-2", NOT_UTF8)
    assert detail.startswith(f"{file} line 2: not valid UTF-8 (byte 0xE9 at column ") and "windows-1252" in detail


def test_a_document_not_utf8_is_read_whole_with_the_fallback_and_reported(tmp_path):
    file = tmp_path / "package.json"
    text = json.dumps(package([simple_release("ocds-b5fd17-1", [supplier(1, name="Café Ltd – “quoted”")])]),
                      ensure_ascii=False, indent=1)
    file.write_bytes(text.encode("cp1252"))
    events = []
    (release,) = read_releases(file, events=events)
    assert json.loads(release.json)["parties"][1]["name"] == "Café Ltd – “quoted”"
    ((_, _, _, kind, detail),) = events
    assert kind == NOT_UTF8 and detail.startswith(f"{file}: not valid UTF-8 (first at line ")
    assert "the whole file was read as windows-1252" in detail


def test_the_import_stores_the_event_and_keeps_it_through_a_rebuild(tmp_path):
    file = tmp_path / "mixed.jsonl"
    file.write_bytes(release_line("ocds-b5fd17-1", CAFE) + release_line("ocds-b5fd17-2", "Caf\xe9").replace(
        "é".encode(), b"\xe9"))
    path = tmp_path / "store.duckdb"
    cli.main(["import", "--quiet", "--store", str(path), str(file)])
    events = held(path, "SELECT ocid, detail FROM quality_events WHERE kind = ?", [NOT_UTF8])
    assert [ocid for ocid, _ in events] == ["ocds-b5fd17-2"]
    names = {row[0] for row in held(path, "SELECT DISTINCT supplier_name FROM awards")}
    assert names == {CAFE, "Café"}
    loading.rebuild(path)
    assert held(path, "SELECT ocid FROM quality_events WHERE kind = ?", [NOT_UTF8]) == [("ocds-b5fd17-2",)]
    loading.import_files([file], path)  # the same file again: nothing new, the event not repeated
    assert len(held(path, "SELECT * FROM quality_events WHERE kind = ?", [NOT_UTF8])) == 1


def test_an_import_with_text_not_utf8_prints_a_warning_even_when_quiet(tmp_path, capsys):
    file = tmp_path / "latin.jsonl"
    file.write_bytes(release_line("ocds-b5fd17-1", "Caf\xe9").replace("é".encode(), b"\xe9"))
    cli.main(["import", "--quiet", "--store", str(tmp_path / "s.duckdb"), str(file)])
    err = capsys.readouterr().err
    assert err.startswith(f"warning: {file} line 1: not valid UTF-8 (byte 0xE9")


@pytest.mark.parametrize("title", ["Lot 1e9999 and 5 000, items", 'He said "1e9999, 000," twice', "x\\\" 000,"])
def test_number_patches_never_touch_a_string(tmp_path, title):
    data = simple_release("ocds-h6vhtk-1", [supplier(1)], tender={"title": title})
    text = orjson.dumps(data).replace(b'"amount":100000.0', b'"amount":1e9999, "extra": [1, 000, 2]')
    assert b"1e9999" in text and b" 000," in text
    for file, content in ((tmp_path / "one.jsonl", text + b"\n"), (tmp_path / "one.json", text)):
        file.write_bytes(content)
        (release,) = read_file(file)
        stored = json.loads(release.json)
        assert stored["tender"]["title"] == title
        assert stored["awards"][0]["value"]["amount"] == 9999999
        assert stored["awards"][0]["value"]["extra"] == [1, 0, 2]
    assert parse_json(text, "page")["tender"]["title"] == title


def test_patch_numbers_leaves_text_without_the_quirks_as_it_is():
    text = b'{"a": "1e9999", "b": [1e9999, 000, 3], "c": -1e9999}'
    assert patch_numbers(text) == b'{"a": "1e9999", "b": [9999999, 0, 3], "c": -9999999}'
    plain = b'{"a": 1e99}'
    assert patch_numbers(plain) is plain


def test_a_package_cut_across_read_chunks_streams_the_same_releases(tmp_path, monkeypatch):
    from loaders.sources import readers
    monkeypatch.setattr(readers, "_CHUNK", 7)  # every string and number cut somewhere
    releases = [simple_release(f"ocds-h6vhtk-{n}", [supplier(n, name=f"S{n} “Ltd”")],
                               tender={"title": f"Lot {n} 1e9999 000, x"}) for n in range(5)]
    doc = orjson.dumps(package(releases)).replace(b'"amount":100000.0', b'"amount":1e9999, "z": [1, 000, 2]')
    (tmp_path / "p.json").write_bytes(doc)
    (tmp_path / "p.jsonl").write_bytes(b"".join(orjson.dumps(r) + b"\n" for r in orjson.loads(
        patch_numbers(doc))["releases"]))
    streamed, lines = read_file(tmp_path / "p.json"), read_file(tmp_path / "p.jsonl")
    assert [r.content_hash for r in streamed] == [r.content_hash for r in lines]  # same text and hash either way
    assert [json.loads(r.json)["tender"]["title"] for r in streamed] == [f"Lot {n} 1e9999 000, x" for n in range(5)]


def test_sniff_tells_lines_from_a_document_and_fails_on_the_first_bytes(tmp_path):
    (tmp_path / "l.jsonl").write_bytes(release_line("a") + release_line("b"))
    write_package(tmp_path / "p.json", [simple_release("a", [supplier(1)])])
    (tmp_path / "indented.json").write_text(json.dumps(package([simple_release("a", [supplier(1)])]), indent=2))
    assert [sniff(tmp_path / n) for n in ("l.jsonl", "p.json", "indented.json")] == [LINES, LINES, DOCUMENT]
    (tmp_path / "csv.json").write_bytes(b"ocid,title\n" + b"x" * 10_000_000)
    with pytest.raises(InputError, match=r"csv.json: is not valid JSON \(it begins 'ocid,title"):
        sniff(tmp_path / "csv.json")
    (tmp_path / "blank.json").write_bytes(b"  \n\n ")
    with pytest.raises(InputError, match="is empty"):
        sniff(tmp_path / "blank.json")


def test_a_file_bad_part_way_leaves_the_store_as_it_was(tmp_path):
    path = tmp_path / "store.duckdb"
    loading.import_files([write_package(tmp_path / "first.json", [simple_release("ocds-b5fd17-1", [supplier(1)])])],
                         path)
    before = held(path, "SELECT content_hash FROM releases ORDER BY 1")
    good = tmp_path / "good.json"
    write_package(good, [simple_release(f"ocds-b5fd17-{n}", [supplier(n)]) for n in range(2, 5)])
    truncated = tmp_path / "truncated.json"
    truncated.write_bytes(good.read_bytes()[:-40])
    with pytest.raises(InputError, match=r"truncated.json: is not valid JSON"):
        loading.import_files([good, truncated], path)
    assert held(path, "SELECT content_hash FROM releases ORDER BY 1") == before
    assert not list(tmp_path.glob("store.duckdb.tmp-*"))
    lines = tmp_path / "bad-line.jsonl"
    lines.write_bytes(release_line("ocds-b5fd17-7") + b'{"ocid": "broken"\n')
    with pytest.raises(InputError, match="bad-line.jsonl: line 2 is not valid JSON"):
        loading.import_files([lines], path)
    assert held(path, "SELECT content_hash FROM releases ORDER BY 1") == before


def test_every_file_is_sniffed_before_the_store_is_touched(tmp_path):
    path = tmp_path / "store.duckdb"
    good = write_package(tmp_path / "good.json", [simple_release("ocds-b5fd17-1", [supplier(1)])])
    (tmp_path / "bad.csv").write_bytes(b"ocid,title\n")
    with pytest.raises(InputError, match="bad.csv: is not valid JSON"):
        loading.import_files([good, tmp_path / "bad.csv"], path)
    assert not path.exists()


def test_a_record_package_streams_its_releases(tmp_path):
    records = {"uri": "x", "records": [{"ocid": "ocds-b5fd17-1", "releases": [
        simple_release("ocds-b5fd17-1", [supplier(1)], rid="r1"),
        simple_release("ocds-b5fd17-1", [supplier(2)], rid="r2")]}]}
    (tmp_path / "records.json").write_text(json.dumps(records, indent=1))
    assert [r.release_id for r in read_file(tmp_path / "records.json")] == ["r1", "r2"]


def test_the_store_streams_releases_in_batches(tmp_path, monkeypatch):
    monkeypatch.setattr(store, "RELEASE_BATCH", 2)
    monkeypatch.setattr(store, "RENORMALISE_BATCH", 3)
    file = tmp_path / "many.jsonl"
    file.write_bytes(b"".join(release_line(f"ocds-b5fd17-{n:02}") for n in range(11)))
    report = loading.import_files([file], tmp_path / "s.duckdb")
    assert (report.releases_read, report.releases_new, report.award_rows) == (11, 11, 11)
    assert held(tmp_path / "s.duckdb", "SELECT count(DISTINCT ocid) FROM awards") == [(11,)]
    assert held(tmp_path / "s.duckdb", "SELECT releases_read, releases_new FROM loads") == [(11, 11)]
