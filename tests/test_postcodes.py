"""Postcodes: normalising, finding them in free address text, and telling UK from abroad."""

import duckdb
import pytest

from loaders.geography.places import ITL1_REGIONS, code_region_sql, region_code
from loaders.geography.postcodes import crown_dependency, extract_postcode, foreign_country, normalise_postcode
from loaders.normalising.normalise import _supplier_place


@pytest.mark.parametrize("text, expected", [
    ("SW1A 2AA", "SW1A 2AA"),
    ("ln6 7he", "LN6 7HE"),          # lower case
    ("ST150SR", "ST15 0SR"),         # no space
    ("DL78AD", "DL7 8AD"),           # buyer postcodes without a space
    ("  sw1a   2aa ", "SW1A 2AA"),   # stray spaces
    ("M3 5FS", "M3 5FS"),
    ("EC3N 2LB", "EC3N 2LB"),
    ("GIR 0AA", "GIR 0AA"),
])
def test_normalise_postcode_upper_case_one_space(text, expected):
    """A postcode in any case or spacing comes back upper case with one space."""
    assert normalise_postcode(text) == expected


@pytest.mark.parametrize("text", [
    None, "", "N/A", "n/a", "Lincoln", "12345", "SW1A 2AA extra", "QA1 1AA",  # Q never starts
    "SW1A 2CA",  # C never in the inward letters
    "K2K 2MB",   # Canadian postal code
])
def test_normalise_postcode_rejects_non_postcodes(text):
    """Anything that is not exactly one valid UK postcode gives None."""
    assert normalise_postcode(text) is None


@pytest.mark.parametrize("text, expected", [
    ("ln6 7he", "LN6 7HE"),
    ("Ubiq Group, Unit 13-14, Emerald Way, United Kingdom, ST150SR", "ST15 0SR"),
    ("Partis House, \r\nDavy Avenue, \r\nKnowlhill, \r\nMilton Keys, \r\nMK5 8HJ", "MK5 8HJ"),
    ("2 Burston Road,\nLONDON\nSW15 6AR\nGB", "SW15 6AR"),
    ("Aker Systems Limited rn25A Market Square, Bicester, Oxfordshire, rnOX26 6AD", "OX26 6AD"),
    ("Aker Systems Limited\\r\\n25A Market Square\\r\\nOX26 6AD", "OX26 6AD"),  # escaped breaks
    ("30 Lismore Drive, Birmingham, West Midlands, United Kingdom, B17 0TP", "B17 0TP"),
    ("Fieldhouse Lane, Marlow, Buckinghamshire, United Kingdom, Sl7 1LW", "SL7 1LW"),
    ("One Embassy Gardens \r\n8 Viaduct Gardens \r\nLondon \r\nSW11 7BW UK", "SW11 7BW"),
    ("Belfast BT1 1AA, Northern Ireland", "BT1 1AA"),
])
def test_extract_postcode_from_free_text(text, expected):
    """The (last) postcode in an address is found whatever the breaks, case and glue."""
    assert extract_postcode(text) == expected


@pytest.mark.parametrize("text", [
    None, "", "N/A", "Civic Centre", "2 Girnigoe Street, Wick, Caithness, Wick",
    "800 Hicks Rd, Rolling Meadows, IL60008 USA",
    "1717 Pennsylvania Avenue, NW  Suite 1025  Washington, DC. 20006",
])
def test_extract_postcode_none_when_there_is_none(text):
    """Addresses without a UK postcode give None (US zip codes are not postcodes)."""
    assert extract_postcode(text) is None


@pytest.mark.parametrize("address, country", [
    ("3001 Solent Road\r\nKanata\r\nOntario\r\nCanada\r\nK2K 2MB", "Canada"),
    ("1717 Pennsylvania Avenue, NW  Suite 1025  Washington, DC. 20006", "United States"),  # real, no country named
    ("500 Congress Avenue, Austin, TX 78701-1234", "United States"),
    ("800 Hicks Rd, Rolling Meadows, IL60008 USA", "United States"),
    ("Riverview House, 21-23 City Quay, Dublin, Dublin 2, Ireland", "Ireland"),
    ("Dublin 2, Ireland", "Ireland"),
    ("1012 AB Amsterdam, Netherlands", "Netherlands"),
])
def test_foreign_country_named_at_end_of_address(address, country):
    """A country named in the last parts of the address text places the supplier abroad."""
    assert foreign_country(None, address) == country


@pytest.mark.parametrize("address", [
    "Belfast BT1 1AA, Northern Ireland",
    "15 Canada Square, London, E14 5GL",      # a country name inside a street name
    "International House, Queens Road, Brighton, United Kingdom, BN1 3XE",
    "2 Burston Road,\nLONDON\nSW15 6AR\nGB",
    "N/A",
    None,
])
def test_foreign_country_none_for_uk_addresses(address):
    """UK addresses (Northern Ireland included) are not abroad."""
    assert foreign_country(None, address) is None


@pytest.mark.parametrize("field, expected", [
    ("England", None), ("United Kingdom", None), ("GB", None), ("UK", None),
    ("Ireland", "Ireland"), ("IE", "Ireland"), ("France", "France"), ("US", "United States"),
])
def test_foreign_country_from_structured_field(field, expected):
    """countryName / country codes are read as names or ISO codes."""
    assert foreign_country(field) == expected


def test_supplier_place_canadian_address_is_abroad_without_postcode():
    """The Canadian address yields no UK postcode and country Canada."""
    address = {"streetAddress": "3001 Solent Road\r\nKanata\r\nOntario\r\nCanada\r\nK2K 2MB"}
    assert _supplier_place(address) == (None, "Canada")


def test_supplier_place_northern_ireland_stays_uk():
    """Belfast, Northern Ireland keeps its postcode and is not abroad."""
    assert _supplier_place({"streetAddress": "Belfast BT1 1AA, Northern Ireland"}) == ("BT1 1AA", None)


@pytest.mark.parametrize("postcode, expected", [
    ("JE2 3AB", "Jersey"), ("GY1 1AA", "Guernsey"), ("IM1 1AA", "Isle of Man"),
    ("GU14 6GB", None), ("IP33 2DW", None), ("SW1A 2AA", None), (None, None),
])
def test_crown_dependency(postcode, expected):
    """JE / GY / IM postcodes are the Crown dependencies; GU, IP and others are the UK."""
    assert crown_dependency(postcode) == expected


def test_supplier_in_jersey_is_outside_uk_but_keeps_postcode():
    """A Jersey supplier keeps its postcode and is placed outside the UK."""
    assert _supplier_place({"streetAddress": "1 Bond Street, St Helier, JE2 3AB"}) == ("JE2 3AB", "Jersey")


@pytest.mark.parametrize("text, region, country", [
    ("UKD72", "North West", "England"), ("TLI32", "London", "England"), ("UKL", "Wales", "Wales"),
    ("UKM75", "Scotland", "Scotland"), ("UKN0", "Northern Ireland", "Northern Ireland"),
])
def test_region_code_names_its_region_and_country(text, region, country):
    code = region_code(text)
    region_sql, country_sql = code_region_sql("code")
    found = duckdb.execute(f"SELECT {region_sql}, {country_sql} FROM (SELECT ? AS code)", [code]).fetchone()
    assert found == (region, country)
    assert region in ITL1_REGIONS.values()


def test_no_region_code_names_no_region():
    region_sql, country_sql = code_region_sql("code")
    assert duckdb.execute(f"SELECT {region_sql}, {country_sql} FROM (SELECT NULL::VARCHAR AS code)").fetchone() \
        == (None, None)
