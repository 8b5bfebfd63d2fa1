"""`geocode` and `geography boundaries`: postcodes placed through the resolver chain."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from loaders.errors import InputError
from loaders.geography import boundaries
from loaders.geography.geocoding import geocode
from loaders.geography.postcodes_io import PostcodesIo
from loaders.info import summary
from loaders.storage import store
from loaders.storage.loading import import_files
from tests.fake_postcodes_io import FakePostcodesIo
from tests.ocds_factory import award, buyer, release, supplier, write_package

ROOT = Path(__file__).resolve().parents[1]
LOOKUP = """outcode,lad_code,lad_name,county_code,county_name,region,country,lat,long
LS1,E08000035,Leeds,,,Yorkshire and The Humber,England,53.797,-1.548
LS6,E08000035,Leeds,,,Yorkshire and The Humber,England,53.819,-1.577
"""


@pytest.fixture
def unplaced_store(tmp_path):
    """Leeds City Council buying from suppliers in LS6 (Leeds) and PR3 (Lancaster); no lookup yet."""
    suppliers = [supplier(1, street="1 Mill Lane, LS6 2AB"), supplier(2, street="2 Fell Rd, PR3 0SG")]
    releases = [release(f"ocds-b5fd17-g{i}", parties=[s], buyer_party=buyer("Leeds City Council", postcode="LS1 1UR"),
                        awards=[award("1", [s])]) for i, s in enumerate(suppliers)]
    path = tmp_path / "s.duckdb"
    import_files([write_package(tmp_path / "p.json", releases)], path)
    (tmp_path / "lookup.csv").write_text(LOOKUP)
    return path


def localities(path):
    with store.read_only(path) as con:
        return [loc for (loc,) in con.execute("SELECT locality FROM awards ORDER BY ocid").fetchall()]


def test_import_without_lookup_leaves_locality_unknown(unplaced_store):
    assert localities(unplaced_store) == ["unknown", "unknown"]
    assert summary(unplaced_store)["quality"]["rows_with_unknown_locality"] == 2


def test_offline_geocode_with_a_lookup(unplaced_store):
    report = geocode(unplaced_store, [unplaced_store.parent / "lookup.csv"], offline=True)
    assert (report.asked, report.resolved, report.still_unknown) == (3, 2, 1)
    assert localities(unplaced_store) == ["local", "unknown"]


def test_postcodes_io_fills_what_the_lookup_lacks(unplaced_store):
    with FakePostcodesIo() as api:
        report = geocode(unplaced_store, [unplaced_store.parent / "lookup.csv"],
                         postcodes_io=PostcodesIo(api.base_url, sleep=lambda s: None))
        asked_online = [pc for batch in api.bulk_requests() for pc in batch]
    assert asked_online == ["PR3 0SG"]  # the lookup answered the rest first
    assert report.still_unknown == 0
    assert localities(unplaced_store) == ["local", "elsewhere_uk"]
    with store.read_only(unplaced_store) as con:
        sources = dict(con.execute("SELECT postcode, source FROM postcodes").fetchall())
    assert sources["PR3 0SG"] == "postcodes.io" and sources["LS6 2AB"] == "lookup.csv"


def test_geocode_cli_reports_and_respects_offline(unplaced_store):
    env = {**os.environ, "POSTCODES_IO_URL": "http://127.0.0.1:9"}  # nothing listens: must not be asked
    result = subprocess.run([sys.executable, "-m", "loaders", "geocode", "--offline", "--lookup",
                             str(unplaced_store.parent / "lookup.csv"), "--store", str(unplaced_store)],
                            cwd=ROOT, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == 0, result.stderr
    assert "2 of 3 unknown postcodes placed, 1 still unknown; 1 award rows with unknown locality" in result.stdout


GEOJSON = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"LAD24CD": "E08000035", "LAD24NM": "Leeds"},
     "geometry": {"type": "Polygon", "coordinates": [[[-1.8, 53.7], [-1.3, 53.7], [-1.3, 53.95], [-1.8, 53.7]]]}},
]}


def test_boundaries_from_a_file(unplaced_store, tmp_path):
    path = tmp_path / "lad.geojson"
    path.write_text(json.dumps(GEOJSON))
    assert boundaries.load(unplaced_store, file=path) == 1
    with store.read_only(unplaced_store) as con:
        code, name, geometry = con.execute("SELECT * FROM boundaries").fetchall()[0]
    assert (code, name, json.loads(geometry)["type"]) == ("E08000035", "Leeds", "Polygon")


def test_boundaries_reject_other_json(unplaced_store, tmp_path):
    path = tmp_path / "x.geojson"
    path.write_text(json.dumps({"releases": []}))
    before = unplaced_store.read_bytes()
    with pytest.raises(InputError, match="not a GeoJSON FeatureCollection"):
        boundaries.load(unplaced_store, file=path)
    assert unplaced_store.read_bytes() == before


def test_partial_postcodes_place_to_their_district(tmp_path):
    """A supplier address ending in an outward code only: placed by lookup district or postcodes.io outcode."""
    s = supplier(1, street="12 Mill Lane, Leeds, LS6")
    r = release("ocds-b5fd17-partial", parties=[s], buyer_party=buyer("Leeds City Council", postcode="LS1 1UR"),
                awards=[award("1", [s])])
    path = tmp_path / "s.duckdb"
    import_files([write_package(tmp_path / "p.json", [r])], path)
    with FakePostcodesIo() as api:
        geocode(path, postcodes_io=PostcodesIo(api.base_url, sleep=lambda s: None))
    with store.read_only(path) as con:
        row = con.execute("SELECT supplier_postcode, supplier_lad_code, locality FROM awards").fetchall()[0]
        precision = con.execute("SELECT precision FROM postcodes WHERE postcode = 'LS6'").fetchall()[0][0]
    # The buyer's LS1 1UR is unknown to the fake, but Leeds City Council is placed by its name.
    assert row == ("LS6", "E08000035", "local")
    assert precision == "district"


@pytest.mark.parametrize("address, expected", [
    ("12 Mill Lane, Leeds, LS6", "LS6"), ("Suite 4\r\nLondon\r\nSW1A", "SW1A"),
    ("Unit B1, Trading Estate, Leeds", None), ("Leeds LS6", None), ("N/A", None),
])
def test_outward_code_only_as_the_last_part(address, expected):
    from loaders.geography.postcodes import extract_outward
    assert extract_outward(address) == expected
