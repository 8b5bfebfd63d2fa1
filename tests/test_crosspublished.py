"""Awards published on both Contracts Finder and Find a Tender are counted once."""

import pytest

from loaders.info import summary
from loaders.storage import store
from loaders.storage.loading import import_files
from queries.filters import Filters
from queries.overview import headline, participants
from queries.overview import summary as award_summary
from tests.ocds_factory import award, buyer, release, supplier, write_package

CF_OCID = "ocds-b5fd17-00000000-0000-0000-0000-000000000001"
FTS_OCID = "ocds-h6vhtk-0000aa"


LOOKUP = """postcode_district,lad_code,lad_name,county_code,county_name,region,country,latitude,longitude
LN1,E07000138,Lincoln,E10000019,Lincolnshire,East Midlands,England,53.2307,-0.5406
"""


def pair(tmp_path, cf_value=120_000.0, cf_date="2024-05-01", fts_date="2024-05-03",
         cf_buyer="Lincoln City Council", cf_supplier="FEN WORKS LIMITED", placed=False):
    """Import one CF award and one FTS award (net 100k, gross 120k) by Lincoln City Council;
    return the store. `placed`: with a lookup that places the buyers' postcodes (LN1)."""
    cf_s = supplier(1, name=cf_supplier)
    cf = release(CF_OCID, rid=f"{CF_OCID[12:]}-000001", parties=[cf_s], buyer_party=buyer(cf_buyer),
                 awards=[award("a1", [cf_s], amount=cf_value, date=f"{cf_date}T00:00:00Z")])
    fts_s = supplier(2, name="Fen Works Ltd.")
    fts_award = award("1", [fts_s], amount=None, date=f"{fts_date}T00:00:00Z")
    fts_award["value"] = {"amount": 100_000.0, "amountGross": 120_000.0, "currency": "GBP"}
    fts = release(FTS_OCID, rid="000123-2024", parties=[fts_s], awards=[fts_award])
    path = tmp_path / "s.duckdb"
    lookups = []
    if placed:
        lookups = [tmp_path / "lookup.csv"]
        lookups[0].write_text(LOOKUP)
    import_files([write_package(tmp_path / "cf.json", [cf]), write_package(tmp_path / "fts.json", [fts])], path,
                 lookups)
    return path


def marked(path):
    with store.read_only(path) as con:
        return dict(con.execute("SELECT source, duplicate_of FROM awards").fetchall())


def test_contracts_finder_copy_is_marked_and_left_out(tmp_path):
    path = pair(tmp_path)
    assert marked(path) == {"contracts-finder": f"{FTS_OCID}|1", "find-a-tender": None}
    with store.read_only(path) as con:
        figures = headline(award_summary(con, Filters()), participants(con, Filters()))
        reason = con.execute("SELECT detail FROM quality_events WHERE kind = 'cross_published'").fetchall()
    assert figures["total_value"] == 100_000.0 and figures["awards"] == 1
    assert "value within 1%" in reason[0][0] and FTS_OCID in reason[0][0]
    assert summary(path)["quality"]["rows_cross_published_left_out"] == 1


def test_net_value_within_one_percent_matches(tmp_path):
    assert marked(pair(tmp_path, cf_value=100_900.0))["contracts-finder"] is not None


@pytest.mark.parametrize("change", [
    {"cf_value": 105_000.0},                            # neither net nor gross within 1%
    {"cf_date": "2024-04-01"},                          # a month apart
    {"cf_buyer": "Boston Borough Council"},             # another buyer
    {"cf_supplier": "Marsh Roads Ltd"},                 # another supplier
])
def test_near_misses_are_not_matched(tmp_path, change):
    assert marked(pair(tmp_path, **change))["contracts-finder"] is None


def test_councils_named_differently_match_by_their_council_area(tmp_path):
    assert marked(pair(tmp_path, cf_buyer="City of Lincoln Council", placed=True))["contracts-finder"] is not None


def test_the_county_council_is_not_the_city_council(tmp_path):
    assert marked(pair(tmp_path, cf_buyer="Lincolnshire County Council", placed=True))["contracts-finder"] is None
