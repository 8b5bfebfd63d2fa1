"""Summary tables built at load time (loaders/storage/summaries.py): equal to the award rows they sum,
rebuilt by every load, added to an older store by its next write of any kind, and never
written by opening a store for reading."""

import hashlib
import json

import duckdb
import pytest

from loaders.errors import StoreError
from loaders.geography import boundaries
from loaders.geography.geocoding import geocode
from loaders.geography.ons import import_ons
from loaders.storage import loading, store, summaries
from loaders.storage.loading import import_files
from tests.app_fixtures import AWARDS, build_small_store, release

FOOTPRINT = """
    SELECT supplier_key, count(DISTINCT buyer_region), count(DISTINCT buyer_key) FILTER (buyer_type = 'local authority'),
           count(DISTINCT buyer_key)
    FROM awards WHERE duplicate_of IS NULL GROUP BY ALL ORDER BY ALL"""


def fetch(path, sql):
    con = store.read_only(path)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.fixture
def small(tmp_path):
    return build_small_store(tmp_path)


def test_footprint_and_councils_equal_the_award_rows(small):
    assert fetch(small, "SELECT * FROM supplier_footprint ORDER BY ALL") == fetch(small, FOOTPRINT)
    councils = fetch(small, "SELECT council, area_name, region FROM council_buyers ORDER BY 1")
    assert councils == [("Essex County Council", "Essex", "East of England"),
                        ("Leeds City Council", "Leeds", "Yorkshire and The Humber"),
                        ("Manchester City Council", "Manchester", "North West")]


def test_award_counts_equal_the_award_rows(small):
    assert fetch(small, "SELECT * FROM award_counts") == fetch(small, """
        SELECT count(*), count(DISTINCT (ocid, award_id)), count(DISTINCT supplier_key), count(DISTINCT buyer_key),
               min(award_date), max(award_date), false, list(DISTINCT source ORDER BY source)
        FROM awards""")
    assert fetch(small, "SELECT award_rows FROM award_counts")[0][0] > 0


def test_a_later_import_rebuilds_them(small, tmp_path):
    # Pennine Roads Ltd, so far a supplier to Leeds only, now also wins from Essex and Manchester.
    more = [release(100 + i, (buyer, postcode, *AWARDS[1][2:])) for i, (buyer, postcode) in
            enumerate((("Essex County Council", "CM1 1QH"), ("Manchester City Council", "M1 1AE")))]
    package = tmp_path / "more.json"
    package.write_text(json.dumps({"releases": more}))
    import_files([package], small, [tmp_path / "lookup.csv"])
    assert fetch(small, "SELECT * FROM supplier_footprint ORDER BY ALL") == fetch(small, FOOTPRINT)
    assert (3, 3) in {tuple(row[1:3]) for row in fetch(small, "SELECT * FROM supplier_footprint")}
    assert fetch(small, "SELECT award_rows FROM award_counts") == fetch(small, "SELECT count(*) FROM awards")


def as_older_code_left_it(path, older):
    """Summary tables missing (or of an older version), written straight to the file as code
    from before them left it: store.writing would build them again at its end."""
    con = duckdb.connect(str(path))
    try:
        if older == "missing":
            con.execute("DROP TABLE supplier_footprint; DROP TABLE council_buyers; DROP TABLE area_centres; "
                        "DROP TABLE award_counts")
            con.execute("DELETE FROM meta WHERE key = 'summaries_version'")
        else:
            con.execute("UPDATE meta SET value = 'older' WHERE key = 'summaries_version'")
    finally:
        con.close()


def untouched(path):
    """What opening a store for reading must leave as it was: the bytes, the modification
    time, and the folder (no lock or temporary file made)."""
    return (hashlib.sha256(path.read_bytes()).hexdigest(), path.stat().st_mtime_ns,
            sorted(p.name for p in path.parent.iterdir()))


def raw(path, sql):
    """Read the file as it is, without store.read_only (whose checks are not under test)."""
    con = duckdb.connect(str(path), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


@pytest.mark.parametrize("older", ["missing", "outdated"])
def test_an_older_store_is_a_clear_error_and_is_not_rewritten(small, older):
    as_older_code_left_it(small, older)
    before = untouched(small)
    with pytest.raises(StoreError, match="summary tables are missing or were made by an older version") as caught:
        store.read_only(small)
    assert str(small) in str(caught.value)
    assert "run `python -m loaders rebuild`" in str(caught.value)
    assert untouched(small) == before
    assert raw(small, "SELECT value FROM meta WHERE key = 'summaries_version'") == (
        [] if older == "missing" else [("older",)])


def test_a_current_store_is_opened_without_writing(small):
    before = untouched(small)
    fetch(small, "SELECT 1")
    assert untouched(small) == before


def test_a_store_the_reader_cannot_write_opens_for_reading(small):
    """A public read-only deployment: the file 0444 in a folder 0555. (Run as root, the
    permissions bind nothing; the file must still come out unchanged.)"""
    folder = small.parent
    small.chmod(0o444)
    folder.chmod(0o555)
    try:
        before = untouched(small)
        assert fetch(small, "SELECT * FROM supplier_footprint ORDER BY ALL") == fetch(small, FOOTPRINT)
        assert untouched(small) == before
    finally:
        folder.chmod(0o755)
        small.chmod(0o644)


def test_an_older_store_the_reader_cannot_write_is_the_same_clear_error(small):
    as_older_code_left_it(small, "missing")
    folder = small.parent
    small.chmod(0o444)
    folder.chmod(0o555)
    try:
        before = untouched(small)
        with pytest.raises(StoreError, match="run `python -m loaders rebuild`"):
            store.read_only(small)
        assert untouched(small) == before
    finally:
        folder.chmod(0o755)
        small.chmod(0o644)


GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"LAD24CD": "E08000035", "LAD24NM": "Leeds"},
     "geometry": {"type": "Polygon", "coordinates": [[[-1.8, 53.7], [-1.3, 53.7], [-1.3, 53.95], [-1.8, 53.7]]]}},
]}
ONS_CSV = ("PCD7,PCDS,DOINTR,DOTERM,USRTYPIND,EAST1M,NORTH1M,GRIDIND,LAD25CD,CTY25CD,RGN25CD,CTRY25CD,LAT,LONG,ITL25CD\n"
           "LS1 5AB,LS1 5AB,198001,,0,400000,300000,1,E08000035,E99999999,E12000003,E92000001,53.7971,-1.5476,TLE42\n")


def _import_more(path):
    package = path.parent / "more.json"
    package.write_text(json.dumps({"releases": [release(100, ("Essex County Council", "CM1 1QH", *AWARDS[1][2:]))]}))
    import_files([package], path, [path.parent / "lookup.csv"])


def _boundaries(path):
    (path.parent / "lad.geojson").write_text(json.dumps(GEOJSON))
    boundaries.load(path, file=path.parent / "lad.geojson")


def _ons(path):
    (path.parent / "ons.csv").write_text(ONS_CSV)
    import_ons(path, path.parent / "ons.csv")


# Every write path but the demo (always a fresh store: see below) and refresh (test_refresh.py).
WRITE_PATHS = {
    "import": _import_more,
    "rebuild": loading.rebuild,
    "geocode": lambda path: geocode(path, [path.parent / "lookup.csv"], offline=True),
    "boundaries": _boundaries,
    "ons import": _ons,
}


@pytest.mark.parametrize("write", list(WRITE_PATHS))
@pytest.mark.parametrize("older", ["missing", "outdated"])
def test_every_write_path_brings_an_older_store_up_to_date(small, write, older):
    as_older_code_left_it(small, older)
    WRITE_PATHS[write](small)
    assert raw(small, "SELECT value FROM meta WHERE key = 'summaries_version'") == [(summaries.VERSION,)]
    assert raw(small, "SELECT * FROM supplier_footprint ORDER BY ALL") == raw(small, FOOTPRINT)
    assert len(raw(small, "SELECT * FROM council_buyers")) >= 3
    assert raw(small, "SELECT count(*) FROM area_centres")[0][0] > 0
    assert raw(small, "SELECT count(*) FROM register_councils")[0][0] > 0
    fetch(small, "SELECT 1")  # and it opens for reading


def test_the_demo_store_has_current_summaries(demo_store):
    assert raw(demo_store, "SELECT value FROM meta WHERE key = 'summaries_version'") == [(summaries.VERSION,)]
    assert raw(demo_store, "SELECT count(*) FROM supplier_footprint")[0][0] > 0
    assert raw(demo_store, "SELECT count(*) FROM area_centres")[0][0] > 0


def test_area_centres_are_the_mean_of_the_postcodes_in_each_area(small):
    centres = {code: (lat, lon) for code, lat, lon in fetch(small, "SELECT * FROM area_centres")}
    assert centres["E08000035"] == pytest.approx(((53.797 + 53.819) / 2, (-1.548 - 1.577) / 2))  # Leeds: LS1, LS6
    assert centres["E10000012"] == pytest.approx(((51.735 + 51.889) / 2, (0.469 + 0.903) / 2))  # Essex: CM1, CO1
