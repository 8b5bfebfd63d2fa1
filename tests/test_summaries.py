"""Summary tables built at load time (loaders/summaries.py): equal to the award rows they sum,
rebuilt by every load, and added to an older store when it is opened."""

import fcntl
import json

import pytest

from loaders import store, summaries
from loaders.errors import StoreError
from loaders.loading import import_files
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


def test_a_later_import_rebuilds_them(small, tmp_path):
    # Pennine Roads Ltd, so far a supplier to Leeds only, now also wins from Essex and Manchester.
    more = [release(100 + i, (buyer, postcode, *AWARDS[1][2:])) for i, (buyer, postcode) in
            enumerate((("Essex County Council", "CM1 1QH"), ("Manchester City Council", "M1 1AE")))]
    package = tmp_path / "more.json"
    package.write_text(json.dumps({"releases": more}))
    import_files([package], small, [tmp_path / "lookup.csv"])
    assert fetch(small, "SELECT * FROM supplier_footprint ORDER BY ALL") == fetch(small, FOOTPRINT)
    assert (3, 3) in {tuple(row[1:3]) for row in fetch(small, "SELECT * FROM supplier_footprint")}


def test_an_older_store_gets_them_when_opened(small):
    with store.writing(small) as con:  # as a store written before the tables existed
        con.execute("DROP TABLE supplier_footprint; DROP TABLE council_buyers; DROP TABLE area_centres")
        con.execute("DELETE FROM meta WHERE key = 'summaries_version'")
    assert fetch(small, "SELECT value FROM meta WHERE key = 'summaries_version'") == [(summaries.VERSION,)]
    assert fetch(small, "SELECT * FROM supplier_footprint ORDER BY ALL") == fetch(small, FOOTPRINT)


def test_an_older_store_that_another_load_is_writing_is_a_clear_error(small):
    with store.writing(small) as con:
        con.execute("DELETE FROM meta WHERE key = 'summaries_version'")
    with open(small.with_name(small.name + ".lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        with pytest.raises(StoreError, match="another load is writing it") as caught:
            store.read_only(small)
    assert str(small) in str(caught.value)


def test_a_current_store_is_opened_without_writing(small):
    before = small.stat().st_mtime_ns
    fetch(small, "SELECT 1")
    assert small.stat().st_mtime_ns == before


def test_area_centres_are_the_mean_of_the_postcodes_in_each_area(small):
    centres = {code: (lat, lon) for code, lat, lon in fetch(small, "SELECT * FROM area_centres")}
    assert centres["E08000035"] == pytest.approx(((53.797 + 53.819) / 2, (-1.548 - 1.577) / 2))  # Leeds: LS1, LS6
    assert centres["E10000012"] == pytest.approx(((51.735 + 51.889) / 2, (0.469 + 0.903) / 2))  # Essex: CM1, CO1
