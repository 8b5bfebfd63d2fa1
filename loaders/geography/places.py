"""Postcodes -> council area, county, region, country and centroid, through pluggable resolvers.

DESIGN.md's resolution order is: the store's `postcodes` cache, an ONS postcode directory,
postcodes.io, and for the demo the table shipped with the project. A resolver is anything
with `resolve(postcodes) -> {postcode: Place}`; this module provides the lookup-CSV one,
which serves lookups at full-postcode, sector ("SW1A 2") or district ("SW1A") granularity.
"""

import re
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Iterable, Protocol

import pandas as pd

from loaders.errors import InputError
from loaders.geography.postcodes import is_partial, normalise_postcode, outward, sector

DEMO_GEOGRAPHY = Path(__file__).with_name("demo_geography.csv")

# Column names accepted in a lookup CSV, matched case-insensitively (ONS editions rename
# columns: laua / lad22cd / lad25cd; rgn / rgn25cd; the ITL1 name gives the region).
COLUMN_PATTERNS = {
    "key": r"postcode|pcds|pcd|postcode_unit|sector|postcode_sector|outcode|postcode_district",
    "lad_code": r"lad\d*cd|laua|oslaua|lad_code",
    "lad_name": r"lad\d*nm|lad_name|laua_name",
    "county_code": r"cty\d*cd|cty|county_code",
    "county_name": r"cty\d*nm|county_name",
    "region": r"region|region_name|rgn\d*nm|rgn_nm|itl1\d*nm|itl121nm",
    "country": r"country|ctry\d*nm|country_name",
    "latitude": r"lat|latitude",
    "longitude": r"long|lon|lng|longitude",
}
REQUIRED = ("key", "lad_code", "latitude", "longitude")
NATIONS_BY_PREFIX = {"E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland"}
# One spelling per region whatever the source: ITL1 names ("East", "North East (England)")
# and ONS region names ("East of England") must compare equal for "same region".
CANONICAL_REGIONS = {
    "north east": "North East", "north west": "North West",
    "yorkshire and the humber": "Yorkshire and The Humber", "east midlands": "East Midlands",
    "west midlands": "West Midlands", "east": "East of England", "east of england": "East of England",
    "london": "London", "south east": "South East", "south west": "South West",
    "wales": "Wales", "scotland": "Scotland", "northern ireland": "Northern Ireland",
}

# The region of a NUTS or ITL code (api-spec 4.4): Find a Tender addresses give one in
# `region` ("UKD", "UKE42"), postcodes.io the same with a TL prefix ("TLD45"). Its third
# letter is the ITL1 region, or the nation for Wales, Scotland and Northern Ireland.
ITL1_REGIONS = {
    "C": "North East", "D": "North West", "E": "Yorkshire and The Humber", "F": "East Midlands",
    "G": "West Midlands", "H": "East of England", "I": "London", "J": "South East", "K": "South West",
    "L": "Wales", "M": "Scotland", "N": "Northern Ireland",
}
NATIONS = {"L": "Wales", "M": "Scotland", "N": "Northern Ireland"}
_REGION_CODE = re.compile(r"^(?:UK|TL)([C-N])[0-9A-Z]{0,3}$")


def region_code(text) -> str | None:
    """A UK NUTS/ITL code as stated ("UKD72"), upper-cased; None for anything else (region
    names, "UK", extra-regio "UKZ", foreign codes)."""
    code = str(text or "").strip().upper()
    return code if _REGION_CODE.match(code) else None


def code_region_sql(column: str) -> tuple[str, str]:
    """SQL for the region and the country named by a region_code() column."""
    letter = f"substr({column}, 3, 1)"
    region = f"CASE {letter} " + " ".join(f"WHEN '{k}' THEN '{v}'" for k, v in ITL1_REGIONS.items()) + " END"
    nations = " ".join(f"WHEN {letter} = '{k}' THEN '{v}'" for k, v in NATIONS.items())
    country = f"CASE WHEN {column} IS NULL THEN NULL {nations} ELSE 'England' END"
    return region, country


@dataclass(frozen=True)
class Place:
    """Where a postcode is, and how precisely it was placed (unit, sector or district)."""
    lad_code: str
    lad_name: str | None
    county_code: str | None
    county_name: str | None
    region: str | None
    country: str | None
    latitude: float | None
    longitude: float | None
    precision: str
    source: str


PLACE_COLUMNS = tuple(f.name for f in fields(Place))


class Resolver(Protocol):
    def resolve(self, postcodes: Iterable[str]) -> dict[str, Place]: ...


class LookupResolver:
    """A postcode lookup CSV at unit, sector or district granularity (or a mix)."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.name = self.path.name
        self.by_level = {"unit": {}, "sector": {}, "district": {}}
        for row in _read_lookup(self.path).itertuples(index=False):
            level, key = _key_level(row.key)
            if level:
                self.by_level[level][key] = row

    def resolve(self, postcodes: Iterable[str]) -> dict[str, Place]:
        """Places for the postcodes this lookup knows, at the finest level it has."""
        found = {}
        for postcode in postcodes:
            levels = ((("district", postcode),) if is_partial(postcode) else
                      (("unit", postcode), ("sector", sector(postcode)), ("district", outward(postcode))))
            for level, key in levels:
                row = self.by_level[level].get(key)
                if row is not None:
                    found[postcode] = _place(row, level, self.name)
                    break
        return found


def demo_resolver() -> LookupResolver:
    """The small table of real councils and postcode districts that the demo data uses."""
    return LookupResolver(DEMO_GEOGRAPHY)


def _read_lookup(path: Path) -> pd.DataFrame:
    """The lookup's columns renamed to our names; InputError if a required one is missing."""
    if not path.is_file():
        raise InputError(str(path), "no such lookup file")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(str(path), f"is not a readable CSV ({exc})") from exc
    chosen = {}
    for ours, pattern in COLUMN_PATTERNS.items():
        match = next((c for c in frame.columns if re.fullmatch(pattern, c.strip(), re.IGNORECASE)), None)
        if match is not None:
            chosen[match] = ours
    missing = [name for name in REQUIRED if name not in chosen.values()]
    if missing:
        raise InputError(str(path), f"lookup has no column for {', '.join(missing)} "
                                    f"(columns: {', '.join(frame.columns)})")
    frame = frame[list(chosen)].rename(columns=chosen)
    for ours in COLUMN_PATTERNS:
        if ours not in frame.columns:
            frame[ours] = ""
    return frame[list(COLUMN_PATTERNS)]


def _key_level(raw: str) -> tuple:
    """("unit" | "sector" | "district", normalised key) for one lookup key, or (None, None)."""
    text = " ".join(raw.upper().split())
    unit = normalise_postcode(text)
    if unit:
        return "unit", unit
    if re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]? [0-9]", text):
        return "sector", text
    if re.fullmatch(r"[A-Z]{1,2}[0-9][A-Z0-9]?", text):
        return "district", text
    return None, None


def _place(row, precision: str, source: str) -> Place:
    """A Place from one lookup row, filling the country and nation-level region if absent."""
    country = row.country or NATIONS_BY_PREFIX.get(row.lad_code[:1])
    return Place(
        lad_code=row.lad_code, lad_name=row.lad_name or None,
        county_code=row.county_code or None, county_name=row.county_name or None,
        region=canonical_region(row.region, country), country=country,
        latitude=_coordinate(row.latitude, 90), longitude=_coordinate(row.longitude, 180),
        precision=precision, source=source,
    )


def canonical_region(region: str | None, country: str | None) -> str | None:
    """The one spelling of a region; the nation for Wales, Scotland and Northern Ireland
    (they have no English-style region, DESIGN.md)."""
    if country in ("Wales", "Scotland", "Northern Ireland"):
        return country
    if not region:
        return None
    key = re.sub(r"\s*\(england\)$", "", region.strip().lower())
    return CANONICAL_REGIONS.get(key, region.strip())


def _coordinate(text: str, limit: float) -> float | None:
    """A coordinate, treating blanks and out-of-range ONS placeholders (lat 99.999999) as missing."""
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if -limit <= value <= limit else None
