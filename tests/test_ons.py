"""ONS postcode directory: column choice across editions, code mapping, zip layout, streaming,
the store import and its all-or-nothing write. Every fixture is built here, in code."""

import hashlib
import json
import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import duckdb
import pytest

from loaders.errors import InputError
from loaders.geography.ons import OnsDirectory, OnsResolver, OnsTableResolver, import_ons
from loaders.storage import store

ROOT = Path(__file__).resolve().parents[1]

# (pcds, doterm, district, county, region, country, lat, long): one row per ONS quirk.
ROWS = [
    ("LN1 1YL", "", "E07000138", "E10000019", "E12000004", "E92000001", "53.228800", "-0.546400"),
    ("DN21 2BP", "", "E07000142", "E10000019", "E12000004", "E92000001", "53.398700", "-0.775300"),
    ("LS1 5AB", "", "E08000035", "E99999999", "E12000003", "E92000001", "53.797100", "-1.547600"),
    ("E1W 1UU", "200712", "E09000030", "E99999999", "E12000007", "E92000001", "51.508774", "-0.051135"),
    ("CF10 4UW", "", "W06000015", "W99999999", "W99999999", "W92000004", "51.481600", "-3.179100"),
    ("LL77 7TW", "", "W06000001", "W99999999", "W99999999", "W92000004", "53.255500", "-4.310000"),
    ("EH1 1YZ", "", "S12000036", "S99999999", "S99999999", "S92000003", "55.953300", "-3.188300"),
    ("BT1 5GS", "", "N09000003", "N99999999", "N99999999", "N92000002", "54.596500", "-5.930100"),
    ("L3 9SJ", "", "E08000012", "E99999999", "E12000002", "E92000001", "99.999999", "0.000000"),
    ("JE2 3AB", "", "L99999999", "L99999999", "L99999999", "L93000001", "49.185000", "-2.107000"),
    ("IM1 1AA", "", "M99999999", "M99999999", "M99999999", "M83000003", "54.150000", "-4.480000"),
]
POSTCODES = [row[0] for row in ROWS]

# postcode: (lad_code, county_code, region, country, latitude, precision)
EXPECTED = {
    "LN1 1YL": ("E07000138", "E10000019", "East Midlands", "England", 53.2288, "unit"),
    "DN21 2BP": ("E07000142", "E10000019", "East Midlands", "England", 53.3987, "unit"),
    "LS1 5AB": ("E08000035", None, "Yorkshire and The Humber", "England", 53.7971, "unit"),
    "E1W 1UU": ("E09000030", None, "London", "England", 51.508774, "terminated"),
    "CF10 4UW": ("W06000015", None, "Wales", "Wales", 51.4816, "unit"),
    "LL77 7TW": ("W06000001", None, "Wales", "Wales", 53.2555, "unit"),
    "EH1 1YZ": ("S12000036", None, "Scotland", "Scotland", 55.9533, "unit"),
    "BT1 5GS": ("N09000003", None, "Northern Ireland", "Northern Ireland", 54.5965, "unit"),
    "L3 9SJ": ("E08000012", None, "North West", "England", None, "unit"),
    "JE2 3AB": (None, None, None, "Channel Islands", 49.185, "unit"),
    "IM1 1AA": (None, None, None, "Isle of Man", 54.15, "unit"),
}

HEADER_2025 = "PCD7,PCDS,DOINTR,DOTERM,USRTYPIND,EAST1M,NORTH1M,GRIDIND,LAD25CD,CTY25CD,RGN25CD,CTRY25CD,LAT,LONG,ITL25CD"
HEADER_LEGACY = "pcd,pcd2,pcds,dointr,doterm,usertype,oseast1m,osnrth1m,osgrdind,cty,ced,laua,ward,ctry,rgn,lat,long"


def row_2025(pcds, doterm, lad, cty, rgn, ctry, lat, lon):
    out, inward = pcds.split()
    return f"{out:<4}{inward},{pcds},198001,{doterm},0,400000,300000,1,{lad},{cty},{rgn},{ctry},{lat},{lon},TLF11"


def row_legacy(pcds, doterm, lad, cty, rgn, ctry, lat, lon):
    out, inward = pcds.split()
    return (f"{out:<4}{inward},{out:<5}{inward},{pcds},198001,{doterm},0,400000,300000,1,"
            f"{cty},E58000001,{lad},E05000001,{ctry},{rgn},{lat},{lon}")


def csv_2025(rows=ROWS) -> str:
    return "\n".join([HEADER_2025, *(row_2025(*r) for r in rows)]) + "\n"


def csv_legacy(rows=ROWS) -> str:
    return "\n".join([HEADER_LEGACY, *(row_legacy(*r) for r in rows)]) + "\n"


@pytest.fixture
def nspl_2025(tmp_path) -> Path:
    path = tmp_path / "NSPL_MAY_2025_UK.csv"
    path.write_text(csv_2025())
    return path


@pytest.fixture
def nspl_legacy(tmp_path) -> Path:
    path = tmp_path / "NSPL_FEB_2024_UK.csv"
    path.write_text(csv_legacy())
    return path


@pytest.fixture
def nspl_zip(tmp_path) -> Path:
    """The real zip's layout: the directory under Data/ (with smaller per-area splits under
    Data/multi_csv/), name lookups under Documents/, one lookup larger than the directory,
    the district names in Windows-1252 and the county names with a byte-order mark."""
    path = tmp_path / "NSPL_MAY_2025.zip"
    lad_names = ("LAD25CD,LAD25NM,LAD25NMW\nE07000138,Lincoln,\nE07000142,West Lindsey,\n"
                 "E08000035,Leeds,\nE09000030,Tower Hamlets,\nW06000015,Cardiff,Caerdydd\n"
                 "W06000001,Isle of Anglesey,Ynys Môn\n")
    lsoa = "LSOA21CD,LSOA21NM\n" + "".join(f"E01{n:06d},Somewhere {n:04d}A\n" for n in range(3000))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("Data/NSPL_MAY_2025_UK.csv", csv_2025())
        archive.writestr("Data/multi_csv/NSPL_MAY_2025_UK_LN.csv", csv_2025(ROWS[:2]))
        archive.writestr("Documents/LA_UA names and codes UK as at 04_25.csv", lad_names.encode("cp1252"))
        archive.writestr("Documents/County names and codes UK as at 04_25.csv",
                         "CTY25CD,CTY25NM\nE10000019,Lincolnshire\nE99999999,(pseudo) England (UA/MD/LB)\n"
                         .encode("utf-8-sig"))
        archive.writestr("Documents/Country names and codes UK as at 08_12.csv",
                         "CTRY12CD,CTRY12NM\nE92000001,England\n")
        archive.writestr("Documents/LSOA (2021) names and codes EW as at 12_21.csv", lsoa)
        archive.writestr("User Guide/NSPL User Guide May 2025.txt", "not a CSV")
    return path


def summary(place):
    return (place.lad_code, place.county_code, place.region, place.country, place.latitude, place.precision)


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# --- column choice ----------------------------------------------------------------------


def test_2025_upper_case_columns_are_chosen_by_pattern(nspl_2025):
    columns = OnsDirectory(nspl_2025).columns
    assert columns == {"PCDS": "postcode", "LAD25CD": "district", "CTY25CD": "county", "RGN25CD": "region",
                       "CTRY25CD": "country", "LAT": "latitude", "LONG": "longitude", "DOTERM": "terminated"}


def test_legacy_columns_are_chosen_by_pattern(nspl_legacy):
    columns = OnsDirectory(nspl_legacy).columns
    assert columns == {"pcds": "postcode", "laua": "district", "cty": "county", "rgn": "region",
                       "ctry": "country", "lat": "latitude", "long": "longitude", "doterm": "terminated"}


def test_onspd_and_fixed_width_postcode_columns(tmp_path):
    """ONSPD says oslaua/oscty; a file with only the 7-character pcd still resolves."""
    path = tmp_path / "ONSPD.csv"
    path.write_text("pcd,oslaua,oscty,gor,lat,long\nLN1  1YL,E07000138,E10000019,E12000004,53.2288,-0.5464\n"
                    "W1A  1AA,E09000033,E99999999,E12000007,51.5185,-0.1437\n")
    assert OnsDirectory(path).columns == {"pcd": "postcode", "oslaua": "district", "oscty": "county",
                                          "gor": "region", "lat": "latitude", "long": "longitude"}
    found = OnsResolver(path).resolve(["LN1 1YL", "W1A 1AA"])
    assert summary(found["LN1 1YL"]) == EXPECTED["LN1 1YL"]
    # No country column: the district code's letter still says England.
    assert found["W1A 1AA"].country == "England" and found["W1A 1AA"].region == "London"


def test_missing_required_columns_name_the_file_and_its_columns(tmp_path):
    path = tmp_path / "not_nspl.csv"
    path.write_text("pcds,cty,rgn\nLN1 1YL,E10000019,E12000004\n")
    with pytest.raises(InputError) as caught:
        OnsResolver(path)
    assert caught.value.source == str(path)
    assert "district, latitude, longitude" in caught.value.problem
    assert "columns: pcds, cty, rgn" in caught.value.problem


@pytest.mark.parametrize("content", [b"", b"PK\x03\x04 truncated"], ids=["empty", "broken_zip"])
def test_unreadable_files_are_input_errors(tmp_path, content):
    path = tmp_path / ("nspl.zip" if content else "nspl.csv")
    path.write_bytes(content)
    with pytest.raises(InputError, match="nspl"):
        OnsResolver(path)


def test_missing_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no such ONS postcode directory"):
        OnsResolver(tmp_path / "nowhere.csv")


# --- mapping codes to places --------------------------------------------------------------


@pytest.mark.parametrize("edition", ["nspl_2025", "nspl_legacy"])
def test_codes_map_to_regions_countries_and_counties(edition, request):
    """E12 regions by name, the nation as region outside England, county pseudo codes and
    the no-grid-reference latitude (99.999999) missing, crown dependencies without region."""
    found = OnsResolver(request.getfixturevalue(edition)).resolve(POSTCODES)
    assert {pc: summary(place) for pc, place in found.items()} == EXPECTED
    assert found["L3 9SJ"].longitude is None  # its placeholder longitude 0.000000 goes too
    assert found["CF10 4UW"].longitude == -3.1791


def test_terminated_postcodes_resolve_with_terminated_precision(nspl_2025):
    found = OnsResolver(nspl_2025).resolve(["E1W 1UU", "LN1 1YL"])
    assert found["E1W 1UU"].precision == "terminated"
    assert found["E1W 1UU"].lad_code == "E09000030"
    assert found["LN1 1YL"].precision == "unit"


def test_a_live_row_wins_over_a_terminated_one(tmp_path):
    path = tmp_path / "twice.csv"
    path.write_text(csv_2025([("LN1 1YL", "200101", "E07000139", "E10000019", "E12000004", "E92000001", "53", "-0.5"),
                              ROWS[0]]))
    assert OnsResolver(path, chunksize=1).resolve(["LN1 1YL"])["LN1 1YL"].lad_code == "E07000138"


def test_resolver_returns_only_wanted_postcodes_keyed_as_asked(nspl_2025):
    found = OnsResolver(nspl_2025, chunksize=3).resolve(["ln11yl", "CF10 4UW", "AB99 9ZZ", "not a postcode"])
    assert set(found) == {"ln11yl", "CF10 4UW"}
    assert found["ln11yl"].lad_code == "E07000138"
    assert found["CF10 4UW"].source == "NSPL_MAY_2025_UK.csv"


def test_a_plain_csv_has_no_names(nspl_2025):
    place = OnsResolver(nspl_2025).resolve(["LN1 1YL"])["LN1 1YL"]
    assert place.lad_name is None and place.county_name is None


def test_progress_counts_every_row_chunk_by_chunk(nspl_2025):
    calls = []
    OnsResolver(nspl_2025, chunksize=4, progress=calls.append).resolve(["AB99 9ZZ"])
    assert calls == [4, 4, 3]


# --- the ONS zip ----------------------------------------------------------------------------


def test_zip_reads_the_data_csv_and_names_from_documents(nspl_zip):
    resolver = OnsResolver(nspl_zip)
    assert resolver.directory.member == "Data/NSPL_MAY_2025_UK.csv"
    found = resolver.resolve(POSTCODES)
    assert {pc: summary(place) for pc, place in found.items()} == EXPECTED
    assert (found["DN21 2BP"].lad_name, found["DN21 2BP"].county_name) == ("West Lindsey", "Lincolnshire")
    assert found["LL77 7TW"].lad_name == "Isle of Anglesey"  # from the Windows-1252 lookup
    assert found["LS1 5AB"].county_name is None  # the pseudo county is no county
    assert found["JE2 3AB"].lad_name is None
    assert found["LN1 1YL"].source == "NSPL_MAY_2025.zip"


def test_zip_without_a_directory_csv_is_an_input_error(tmp_path):
    path = tmp_path / "documents_only.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Documents/LA_UA names and codes UK as at 04_25.csv", "LAD25CD,LAD25NM\n")
    with pytest.raises(InputError, match="no postcode directory CSV"):
        OnsResolver(path)


# --- the store import ---------------------------------------------------------------------


def test_import_then_table_resolver_round_trip(tmp_path, nspl_zip):
    store_file = tmp_path / "awards.duckdb"
    calls = []
    assert import_ons(store_file, nspl_zip, progress=calls.append, chunksize=5) == len(ROWS)
    assert calls == [5, 5, 1]
    direct = OnsResolver(nspl_zip).resolve(POSTCODES + ["AB99 9ZZ"])
    con = store.read_only(store_file)
    try:
        columns = [name for name, *_ in con.execute("DESCRIBE ons_postcodes").fetchall()]
        assert columns == ["postcode", "lad_code", "lad_name", "county_code", "county_name", "region",
                           "country", "latitude", "longitude", "terminated"]
        stored = OnsTableResolver(con).resolve(POSTCODES + ["AB99 9ZZ", "e1w1uu", "junk"])
    finally:
        con.close()
    assert stored.pop("e1w1uu") == stored["E1W 1UU"]
    assert set(stored) == set(direct) == set(POSTCODES)
    for pc, place in stored.items():
        assert place.source == "ons import"
        assert place.__dict__ | {"source": None} == direct[pc].__dict__ | {"source": None}


def test_import_replaces_the_previous_import(tmp_path, nspl_legacy):
    store_file = tmp_path / "awards.duckdb"
    import_ons(store_file, nspl_legacy)
    smaller = tmp_path / "small.csv"
    smaller.write_text(csv_2025(ROWS[:3]))
    assert import_ons(store_file, smaller) == 3
    con = store.read_only(store_file)
    try:
        assert con.execute("SELECT count(*) FROM ons_postcodes").fetchall() == [(3,)]
        assert set(OnsTableResolver(con).resolve(POSTCODES)) == set(POSTCODES[:3])
    finally:
        con.close()


def test_table_resolver_without_an_import_resolves_nothing(tmp_path):
    store_file = tmp_path / "awards.duckdb"
    with store.writing(store_file):
        pass
    con = store.read_only(store_file)
    try:
        assert OnsTableResolver(con).resolve(["LN1 1YL"]) == {}
    finally:
        con.close()


def broken_csv(tmp_path: Path) -> Path:
    """Good rows for several chunks, then an unterminated quote the parser meets at the end."""
    path = tmp_path / "broken.csv"
    path.write_text(csv_2025() + 'ZZ1  1ZZ,"ZZ1 1ZZ,198001\n')
    return path


def corrupt_zip(tmp_path: Path) -> Path:
    """A stored (uncompressed) zip of 20,000 rows with one byte near the end changed: the
    CRC check fails only once the member is read to its end, after chunks were inserted."""
    path = tmp_path / "corrupt.zip"
    rows = [(big_postcode(n), "", "E07000138", "E10000019", "E12000004", "E92000001", "53.2", "-0.5")
            for n in range(20_000)] + ROWS
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("Data/NSPL_MAY_2025_UK.csv", csv_2025(rows))
    data = bytearray(path.read_bytes())
    data[data.index(b"-4.310000") + 3] = ord("9")
    path.write_bytes(bytes(data))
    return path


def missing_columns(tmp_path: Path) -> Path:
    path = tmp_path / "missing.csv"
    path.write_text("PCDS,LAD25CD\nLN1 1YL,E07000138\n")
    return path


@pytest.mark.parametrize("bad_file, chunksize, fails_mid_stream", [
    (broken_csv, 2, True), (corrupt_zip, 1_000, True), (missing_columns, 2, False)])
def test_a_bad_file_leaves_the_store_byte_identical(tmp_path, nspl_legacy, bad_file, chunksize, fails_mid_stream):
    store_file = tmp_path / "awards.duckdb"
    import_ons(store_file, nspl_legacy)
    before = sha256(store_file)
    path, inserted = bad_file(tmp_path), []
    with pytest.raises(InputError) as caught:
        import_ons(store_file, path, progress=inserted.append, chunksize=chunksize)
    assert path.name in caught.value.source
    assert bool(inserted) == fails_mid_stream  # chunks had gone into the copy before the failure
    assert sha256(store_file) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("awards")) == [
        "awards.duckdb", "awards.duckdb.lock"]
    con = duckdb.connect(str(store_file), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM ons_postcodes").fetchall() == [(len(ROWS),)]
    finally:
        con.close()


# --- memory stays bounded -------------------------------------------------------------------

BIG_ROWS = 300_000
CHILD = textwrap.dedent("""
    import json, os, sys, threading, time
    from loaders.geography.ons import OnsResolver

    PAGE = os.sysconf("SC_PAGE_SIZE")

    def rss():
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * PAGE

    small, big, wanted = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    OnsResolver(small).resolve(["LN1 1YL"])  # warm up: imports and first-call allocations
    before, peak, done = rss(), [0], threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], rss())
            time.sleep(0.001)

    sampler = threading.Thread(target=sample)
    sampler.start()
    steps = []
    found = OnsResolver(big, chunksize=5_000, progress=steps.append).resolve(wanted)
    done.set()
    sampler.join()
    print(json.dumps({"growth": max(peak[0], rss()) - before, "steps": steps,
                      "found": {pc: p.lad_code for pc, p in found.items()}}))
""")


def write_big_nspl(path: Path, rows: int) -> None:
    """A legacy-format file with NSPL's width (about 40 columns), written as plain text."""
    extra = ",".join(f"x{n}" for n in range(24))
    filler = ",".join("E00000000" for _ in range(24))
    with open(path, "w") as handle:
        handle.write(HEADER_LEGACY + "," + extra + "\n")
        for start in range(0, rows, 50_000):
            handle.write("".join(
                row_legacy(big_postcode(n), "", f"E07{n % 300:06d}", "E10000019", "E12000004", "E92000001",
                           f"52.{n:06d}", f"-1.{n:06d}") + "," + filler + "\n"
                for n in range(start, min(rows, start + 50_000))))


def big_postcode(n: int) -> str:
    """A distinct valid postcode for each n < 676,000 (AB1 0AA, AB1 0AB, ...)."""
    inward = f"{n % 10}{'ABDEFGHJLNPQRSTUWXYZ'[n // 10 % 20]}{'ABDEFGHJLNPQRSTUWXYZ'[n // 200 % 20]}"
    return f"AB{n // 4000 + 1} {inward}"


@pytest.mark.skipif(not Path("/proc/self/statm").exists(), reason="samples RSS from /proc")
def test_streaming_a_large_file_keeps_memory_bounded(tmp_path, nspl_2025):
    """RSS growth of a fresh process while it resolves 300,000 rows in 5,000-row chunks.

    RSS, sampled every millisecond, rather than tracemalloc: pandas' string columns live
    in Arrow buffers and the CSV tokenizer's in C, neither of which tracemalloc sees. In a
    child process, so the test's own file writing does not blur it. Streamed, growth is
    ~10 MB; reading the same columns whole grows it by ~80 MB."""
    big = tmp_path / "NSPL_BIG.csv"
    write_big_nspl(big, BIG_ROWS)
    wanted = [big_postcode(0), big_postcode(123_456), big_postcode(BIG_ROWS - 1), "AB99 9ZZ"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run([sys.executable, "-c", CHILD, str(nspl_2025), str(big), json.dumps(wanted)],
                            capture_output=True, text=True, env=env, cwd=ROOT, timeout=60)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["found"] == {big_postcode(0): "E07000000", big_postcode(123_456): "E07000156",
                               big_postcode(BIG_ROWS - 1): "E07000299"}
    assert sum(report["steps"]) == BIG_ROWS and max(report["steps"]) == 5_000
    assert report["growth"] < 40_000_000, f"peak RSS grew {report['growth'] / 1e6:.0f} MB"
