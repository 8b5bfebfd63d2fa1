"""The store: idempotent imports, all-or-nothing writes, rebuild, and geography (locality)."""

import hashlib
import json
import math

import duckdb
import pytest

from loaders import info
from loaders.errors import InputError, StoreError
from loaders.geography import boundaries
from loaders.geography.places import LookupResolver
from loaders.storage import loading, store
from tests.ocds_factory import award, buyer, party, release, simple_release, supplier, write_package

# District-level keys, plus one sector ("LN6 7") placed in a different district than its
# district ("LN6"), so that the finer level can be seen winning.
LOOKUP_CSV = """postcode,lad_code,lad_name,county_code,county_name,region,country,latitude,longitude
LN1,E07000138,Lincoln,E10000019,Lincolnshire,East Midlands,England,53.2307,-0.5406
LN2,E07000138,Lincoln,E10000019,Lincolnshire,East Midlands,England,53.2400,-0.5300
LN6,E07000138,Lincoln,E10000019,Lincolnshire,East Midlands,England,53.2100,-0.5800
LN6 7,E07000139,North Kesteven,E10000019,Lincolnshire,East Midlands,England,53.1900,-0.6000
DN21,E07000142,West Lindsey,E10000019,Lincolnshire,East Midlands,England,53.4000,-0.7700
LE1,E06000016,Leicester,,,East Midlands,England,52.6369,-1.1398
LS1,E08000035,Leeds,,,Yorkshire and The Humber,England,53.7997,-1.5492
CF10,W06000015,Cardiff,,,,,51.4816,-3.1791
"""

CITY = dict(name="Lincoln City Council", postcode="LN1 1DD", pid="GB-CFS-CITY")
COUNTY = dict(name="Lincolnshire County Council", postcode="LN1 1YL", pid="GB-CFS-COUNTY")
CARDIFF = dict(name="Cardiff Council", postcode="CF10 4UW", pid="GB-CFS-CARDIFF")

# case: (buyer, supplier address, expected locality)
LOCALITY_CASES = {
    "same_district": (CITY, "1 High Street, Lincoln, LN2 5AA", "local"),
    "county_other_district": (COUNTY, "Market Place, Gainsborough, DN21 2BP", "local"),
    "city_other_district": (CITY, "Market Place, Gainsborough, DN21 2BP", "same_region"),
    "same_region": (CITY, "1 Gallowtree Gate, Leicester LE1 5AD", "same_region"),
    "other_region": (CITY, "1 Park Row, Leeds, LS1 5AB", "elsewhere_uk"),
    "wales_to_england": (CARDIFF, "1 Gallowtree Gate, Leicester LE1 5AD", "elsewhere_uk"),
    "abroad": (CITY, "Riverview House, 21-23 City Quay, Dublin 2, Ireland", "outside_uk"),
    "unresolvable": (CITY, "Lemon Street, Truro, TR1 2LS", "unknown"),
    "no_postcode": (CITY, "N/A", "unknown"),
}


def cf_ocid(n: int) -> str:
    return f"ocds-b5fd17-00000000-0000-0000-0000-{n:012d}"


def locality_releases():
    out = []
    for n, (case, (b, address, _)) in enumerate(LOCALITY_CASES.items(), start=1):
        s = supplier(n, name=f"{case} Ltd", street=address)
        out.append(simple_release(cf_ocid(n), [s], rid=f"00000000-0000-0000-0000-{n:012d}-1",
                                  buyer_party=buyer(**b)))
    return out


def sha256(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def snapshot(path):
    con = store.read_only(path)
    try:
        return (con.execute("SELECT * FROM awards ORDER BY award_key").fetchall(),
                con.execute("SELECT count(*) FROM releases").fetchone()[0],
                con.execute("SELECT * FROM quality_events ORDER BY ALL").fetchall())
    finally:
        con.close()


def query(path, sql, params=()):
    con = store.read_only(path)
    try:
        return con.execute(sql, list(params)).fetchall()
    finally:
        con.close()


@pytest.fixture
def lookup(tmp_path):
    path = tmp_path / "lookup.csv"
    path.write_text(LOOKUP_CSV)
    return path


@pytest.fixture
def store_path(tmp_path):
    return tmp_path / "store" / "awards.duckdb"


@pytest.fixture
def files(tmp_path):
    """Two small packages: the locality cases, and a joint award plus a cancelled one."""
    joint = [supplier(i, street="1 High Street, Lincoln, LN2 5AA") for i in (20, 21, 22)]
    gone = supplier(23)
    second = [
        simple_release(cf_ocid(100), joint, amount=90_000, rid="00000000-0000-0000-0000-000000000100-1"),
        release(cf_ocid(101), rid="00000000-0000-0000-0000-000000000101-1", parties=[gone],
                awards=[award("1", [gone], status="cancelled")]),
    ]
    return [write_package(tmp_path / "in" / "a.json", locality_releases()),
            write_package(tmp_path / "in" / "b.json", second)]


@pytest.fixture
def loaded(files, store_path, lookup):
    loading.import_files(files, store_path, [lookup])
    return store_path


# --- idempotence and atomicity -------------------------------------------------------------

def test_import_same_file_twice_changes_nothing(files, loaded, lookup):
    before = snapshot(loaded)
    report = loading.import_files(files, loaded, [lookup])
    assert report.releases_new == 0
    assert report.releases_read == before[1]
    assert snapshot(loaded) == before


def test_import_counts(loaded):
    awards, releases, events = snapshot(loaded)
    assert releases == len(LOCALITY_CASES) + 2
    assert len(awards) == len(LOCALITY_CASES) + 3
    assert [e[3] for e in events] == ["award_cancelled"]


def test_bad_file_in_batch_leaves_existing_store_byte_identical(tmp_path, files, loaded, lookup):
    bad = tmp_path / "in" / "bad.json"
    bad.write_text('{"releases": [ {"ocid": ')
    good = write_package(tmp_path / "in" / "c.json", [simple_release(cf_ocid(300), [supplier(30)])])
    digest = sha256(loaded)
    with pytest.raises(InputError) as caught:
        loading.import_files([good, bad], loaded, [lookup])
    assert str(bad) in str(caught.value)
    assert sha256(loaded) == digest
    assert not list(loaded.parent.glob("*.tmp-*"))


def test_bad_file_in_batch_creates_no_store(tmp_path, files, store_path, lookup):
    bad = tmp_path / "in" / "bad.json"
    bad.write_text("not json at all")
    with pytest.raises(InputError):
        loading.import_files([files[0], bad], store_path, [lookup])
    assert not store_path.exists()
    assert not store_path.parent.exists() or not list(store_path.parent.iterdir())


def test_failure_inside_writing_keeps_old_store_and_no_temp_files(loaded):
    digest = sha256(loaded)
    with pytest.raises(RuntimeError):
        with store.writing(loaded) as con:
            con.execute("DELETE FROM awards")
            con.execute("DELETE FROM releases")
            raise RuntimeError("injected")
    assert sha256(loaded) == digest
    assert not list(loaded.parent.glob(loaded.name + ".tmp-*"))
    assert snapshot(loaded)[1] == len(LOCALITY_CASES) + 2


def test_failure_inside_writing_on_new_store_leaves_nothing(store_path):
    with pytest.raises(RuntimeError):
        with store.writing(store_path) as con:
            con.execute("SELECT 1")
            raise RuntimeError("injected")
    assert not store_path.exists()
    assert not list(store_path.parent.glob(store_path.name + ".tmp-*"))


def test_rebuild_gives_same_awards_as_import(loaded):
    before = snapshot(loaded)
    report = loading.rebuild(loaded)   # postcodes come from the store's cache
    assert report.award_rows == len(before[0])
    assert snapshot(loaded) == before


def _as_older_code_left_it(path, older):
    """Straight to the file, as older code left it: awards of another layout, or (what a
    write by older code that did not re-derive the awards did) dropped and marked stale."""
    con = duckdb.connect(str(path))
    try:
        if older == "layout":
            con.execute("ALTER TABLE awards DROP COLUMN duplicate_of")
        else:
            con.execute("DELETE FROM awards")
            con.execute("INSERT INTO meta VALUES ('awards_stale', 'true')")
    finally:
        con.close()


@pytest.mark.parametrize("older", ["layout", "stale"])
def test_awards_of_older_code_are_a_clear_error_on_reading_and_rebuilt_by_any_write(loaded, tmp_path, older):
    before = snapshot(loaded)
    _as_older_code_left_it(loaded, older)
    digest, modified = sha256(loaded), loaded.stat().st_mtime_ns
    with pytest.raises(StoreError, match="older version of this code; run `python -m loaders rebuild`") as caught:
        store.read_only(loaded)
    assert str(loaded) in str(caught.value)
    assert (sha256(loaded), loaded.stat().st_mtime_ns) == (digest, modified)
    # A write that does not itself touch the awards (district boundaries) rebuilds them.
    geojson = tmp_path / "lad.geojson"
    geojson.write_text(json.dumps({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"LAD24CD": "E07000138", "LAD24NM": "Lincoln"},
         "geometry": {"type": "Point", "coordinates": [-0.54, 53.23]}}]}))
    boundaries.load(loaded, file=geojson)
    assert snapshot(loaded) == before
    assert query(loaded, "SELECT count(*) FROM meta WHERE key = 'awards_stale'") == [(0,)]


def test_another_store_attached_in_the_process_does_not_make_a_store_look_older(loaded, tmp_path):
    """DuckDB shares one database instance between a process's connections to a file, so a
    store attached on one connection is seen by the catalogue of every other: the age checks
    must read only the store's own tables."""
    other = tmp_path / "other.duckdb"
    other.write_bytes(loaded.read_bytes())
    first = store.read_only(loaded)
    try:
        first.execute(f"ATTACH '{other}' AS other (READ_ONLY)")
        store.read_only(loaded).close()
    finally:
        first.close()


def test_later_release_in_later_import_replaces_award(tmp_path, store_path, lookup):
    s = supplier(1)
    ocid, guid = cf_ocid(7), "00000000-0000-0000-0000-000000000007"
    first = simple_release(ocid, [s], amount=10_000, rid=f"{guid}-1", date="2025-01-01T00:00:00Z")
    update = simple_release(ocid, [s], amount=15_000, rid=f"{guid}-2", date="2025-02-01T00:00:00Z",
                            tag=("awardUpdate",))
    loading.import_files([write_package(tmp_path / "1.json", [first])], store_path, [lookup])
    loading.import_files([write_package(tmp_path / "2.json", [update])], store_path, [lookup])
    assert query(store_path, "SELECT release_id, award_value_gbp FROM awards") == [(f"{guid}-2", 15_000)]
    assert query(store_path, "SELECT count(*) FROM releases") == [(2,)]


def test_release_that_cannot_be_normalised_is_kept_and_reported(tmp_path, store_path):
    bad = {"ocid": cf_ocid(9), "id": "bad-1", "date": "2025-01-01T00:00:00Z", "awards": "oops"}
    loading.import_files([write_package(tmp_path / "x.json", [bad])], store_path)
    assert query(store_path, "SELECT ocid, release_id FROM releases") == [(cf_ocid(9), "bad-1")]
    summary = info.summary(store_path)
    assert summary["releases"] == 1 and summary["award_rows"] == 0
    assert summary["quality"]["events"] == {"release_not_normalised": 1}
    assert summary["not_normalised"] == [{"ocid": cf_ocid(9), "release_id": "bad-1",
                                          "reason": "'awards' is not a list"}]


# --- geography -----------------------------------------------------------------------------

@pytest.mark.parametrize("case", list(LOCALITY_CASES))
def test_locality(loaded, case):
    expected = LOCALITY_CASES[case][2]
    rows = query(loaded, "SELECT locality FROM awards WHERE supplier_name = ?", [f"{case} Ltd"])
    assert rows == [(expected,)]


def test_joint_award_rows_all_local(loaded):
    rows = query(loaded, "SELECT locality, value_gbp, n_suppliers FROM awards WHERE ocid = ?", [cf_ocid(100)])
    assert sorted(rows) == [("local", 30_000, 3)] * 3


def test_county_buyer_area_is_its_county(loaded):
    rows = query(loaded, """SELECT DISTINCT buyer_lad_code, buyer_county_code, buyer_area_name, buyer_region
                            FROM awards WHERE buyer_name = 'Lincolnshire County Council'""")
    assert rows == [("E07000138", "E10000019", "Lincolnshire", "East Midlands")]


def test_nation_stands_in_for_region_in_wales(loaded):
    rows = query(loaded, "SELECT DISTINCT buyer_region, buyer_country FROM awards WHERE buyer_name = 'City of Cardiff Council'")
    assert rows == [("Wales", "Wales")]


def test_abroad_supplier_country(loaded):
    rows = query(loaded, "SELECT supplier_postcode, supplier_country, distance_km FROM awards "
                         "WHERE supplier_name = 'abroad Ltd'")
    assert rows == [(None, "Ireland", None)]


def _haversine(lat1, lon1, lat2, lon2):
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(a))


def test_distance_km_between_known_centroids(loaded):
    """Lincoln (LN1) to Leeds (LS1) is about 92 km as the crow flies."""
    (distance,), = query(loaded, "SELECT distance_km FROM awards WHERE supplier_name = 'other_region Ltd'")
    assert distance == pytest.approx(_haversine(53.2307, -0.5406, 53.7997, -1.5492), rel=1e-6)
    assert 85 < distance < 100
    (near,), = query(loaded, "SELECT distance_km FROM awards WHERE supplier_name = 'same_district Ltd'")
    assert 0 < near < 3


def test_distance_km_null_when_a_postcode_is_unknown(loaded):
    rows = query(loaded, "SELECT distance_km FROM awards WHERE locality = 'unknown'")
    assert rows and all(d is None for (d,) in rows)


def test_resolve_postcodes_records_sector_or_district_precision(tmp_path, store_path, lookup):
    s1 = supplier(1, street="Tritton Road, ln6 7he")        # sector LN6 7 known
    s2 = supplier(2, street="Doddington Road, LN6 3QT")     # only district LN6 known
    s3 = supplier(3, street="Lemon Street, Truro, TR1 2LS")  # unknown
    data = release(cf_ocid(1), awards=[award("1", [s1]), award("2", [s2]), award("3", [s3])],
                   parties=[s1, s2, s3])
    loading.import_files([write_package(tmp_path / "p.json", [data])], store_path)  # no lookup yet
    with store.writing(store_path) as con:
        assert store.unresolved_postcodes(con) == ["LN1 1DD", "LN6 3QT", "LN6 7HE", "TR1 2LS"]
        added = store.resolve_postcodes(con, [LookupResolver(lookup)])
        assert added == 3
        assert store.unresolved_postcodes(con) == ["TR1 2LS"]
        rows = con.execute("SELECT postcode, lad_code, precision, source FROM postcodes ORDER BY 1").fetchall()
    assert rows == [("LN1 1DD", "E07000138", "district", "lookup.csv"),
                    ("LN6 3QT", "E07000138", "district", "lookup.csv"),
                    ("LN6 7HE", "E07000139", "sector", "lookup.csv")]


def test_lookup_resolver_prefers_finest_level(lookup):
    places = LookupResolver(lookup).resolve(["LN6 7HE", "LN6 1AA", "ZE1 0AA"])
    assert {pc: (p.lad_name, p.precision) for pc, p in places.items()} == {
        "LN6 7HE": ("North Kesteven", "sector"), "LN6 1AA": ("Lincoln", "district")}


def test_lookup_without_required_column_is_input_error(tmp_path, store_path, files):
    bad = tmp_path / "bad_lookup.csv"
    bad.write_text("postcode,name\nLN1,Lincoln\n")
    with pytest.raises(InputError, match="lookup has no column"):
        loading.import_files(files, store_path, [bad])
    assert not store_path.exists()


def test_region_code_tells_a_supplier_without_postcode_in_another_region(tmp_path, store_path, lookup):
    """Lincoln (East Midlands) buys from a North West supplier known only by its region code,
    and from an East Midlands one: the first is elsewhere in the UK, the second could be
    local, so unknown. Both get their region and country from the code."""
    coded = [party(f"GB-FTS-{n}", f"Coded {n} Ltd", region=code, country="United Kingdom")
             for n, code in ((1, "UKD"), (2, "UKF12"))]
    releases = [simple_release(cf_ocid(200 + i), [s], rid=f"00000000-0000-0000-0000-{200 + i:012d}-1")
                for i, s in enumerate(coded)]
    loading.import_files([write_package(tmp_path / "coded.json", releases)], store_path, [lookup])
    rows = query(store_path, "SELECT supplier_name, supplier_region, supplier_country, locality FROM awards "
                             "ORDER BY supplier_name")
    assert rows == [("Coded 1 Ltd", "North West", "England", "elsewhere_uk"),
                    ("Coded 2 Ltd", "East Midlands", "England", "unknown")]
