"""The registers shipped in loaders/geography/registers/: every UK council and GOV.UK organisation.

They answer what a notice cannot: which council a buyer is (whatever the spelling), what
area that council covers (a county council's area is all its districts, a combined
authority's all its members' areas, never the district of its address), its region, the
council that replaced an abolished one, and what kind of body a GOV.UK organisation is.
`loaders.normalising.buyers` uses them to identify buyers; the store gets the council areas as tables
(`register_councils`, `area_members`) to place council buyers and their suppliers.
"""

import csv
from collections import Counter
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from pathlib import Path

import pandas as pd

FOLDER = Path(__file__).with_name("registers")
COUNCILS_FILE = FOLDER / "uk_local_authorities.csv"
NAMES_FILE = FOLDER / "lookup_name_to_registry.csv"
GOVUK_FILE = FOLDER / "govuk_organisations.csv"
ATTRIBUTION = ("Council register: contains data from mySociety's UK local authority names and codes "
               "(CC BY 4.0). GOV.UK organisations: public sector information licensed under the Open "
               "Government Licence v3.0.")

# Register type codes -> how the council's area is made: a county's area is its districts,
# a combined authority's (and the Greater London Authority's) its members' areas.
COUNTY_KINDS = {"CTY"}
COMBINED_KINDS = {"COMB", "SRA"}

# Corrections: the register's own errors, each with its evidence (tests check them).
# Lincolnshire and Derbyshire County Councils are in the East Midlands, as all their
# districts are; the register says "Yorkshire and The Humber" and "West Midlands". A county
# council's region is therefore taken from its districts (see _checked_region).
# Forest Heath (abolished 2019) was a Suffolk district, as its successor West Suffolk is;
# the register gives Surrey.
COUNTY_CORRECTIONS = {"FOR": "SFK"}

# GOV.UK formats -> buyer type. Departments, agencies and public bodies of government are
# central government; a sub-organisation takes its parent's type; "Other" and public
# corporations say nothing reliable, so the name rules decide.
GOVUK_TYPES = {
    "Ministerial department": "central government", "Non-ministerial department": "central government",
    "Executive agency": "central government", "Executive non-departmental public body": "central government",
    "Advisory non-departmental public body": "central government", "Executive office": "central government",
    "Civil service": "central government", "Devolved government": "central government",
    "Tribunal": "central government", "Court": "central government",
    "Independent monitoring body": "central government", "Ad-hoc advisory group": "central government",
    "Special health authority": "NHS",
}


@dataclass(frozen=True)
class Council:
    """One council of the register, past or present."""
    code: str  # the register's own code ("NYE"); GB-LAE/LAS/PLA/LANI identifiers use it
    name: str  # official name
    nice_name: str
    gss: str  # ONS code of its area
    former_gss: tuple[str, ...]
    kind: str  # register type: CTY, UA, NMD, MD, LBO, CC, SCO, WPA, NID, COMB, SRA
    kind_name: str
    county: str | None  # the county council of a district (register code)
    combined: str | None  # the combined authority it belongs to (register code)
    region: str | None  # checked, see _checked_region
    nation: str
    start: date | None
    end: date | None
    replaced_by: tuple[str, ...]

    @property
    def area_type(self) -> str:
        """county, combined (a combined authority or the GLA), or district (one area)."""
        if self.kind in COUNTY_KINDS:
            return "county"
        return "combined" if self.kind in COMBINED_KINDS else "district"


@dataclass(frozen=True)
class Organisation:
    """One GOV.UK organisation."""
    identifier: str  # analytics_identifier, the code of GB-GOR-<code> identifiers
    title: str
    abbreviation: str
    format: str
    status: str
    slug: str
    parents: tuple[str, ...]


class Registers:
    """The councils and GOV.UK organisations, indexed for identifying buyers."""

    def __init__(self, councils: dict[str, Council], names: dict[str, str],
                 organisations: dict[str, Organisation]):
        self.councils = councils
        self.names = names  # name variant -> council code (the register's lookup)
        self.organisations = organisations
        self.by_slug = {o.slug: o for o in organisations.values()}

    def successor(self, code: str, on: date | None) -> tuple[str, list[str]]:
        """The council that stood for `code` on `on`: itself, or the single council that
        replaced it once the change had happened (followed through further changes).
        Returns (code, the councils it passed through). A council split between several
        successors (Cumbria, Northamptonshire) stays itself: no one successor is its heir."""
        passed = []
        current = self.councils[code]
        while on and current.end and len(current.replaced_by) == 1 and current.replaced_by[0] in self.councils:
            nxt = self.councils[current.replaced_by[0]]
            if on < (nxt.start or current.end):
                break
            passed.append(current.code)
            current = nxt
        return current.code, passed

    def govuk_type(self, identifier: str) -> tuple[str | None, str]:
        """(buyer type or None, the format that decided it) for a GOV.UK organisation; a
        sub-organisation takes its nearest typed parent's."""
        first = organisation = self.organisations[identifier]
        seen = set()
        while organisation and organisation.slug not in seen:
            seen.add(organisation.slug)
            if organisation.format in GOVUK_TYPES:
                how = (organisation.format if organisation is first else
                       f"{first.format} of {organisation.title} ({organisation.format})")
                return GOVUK_TYPES[organisation.format], how
            if organisation.format != "Sub organisation" or not organisation.parents:
                break
            organisation = self.by_slug.get(organisation.parents[0])
        return None, first.format

    def area_lads(self, code: str) -> set[str]:
        """Every district code (of any vintage) inside a council's area: its own codes, the
        districts it replaced, a county's districts (and the unitaries that replaced the
        county), a combined authority's members' areas."""
        return self._area_lads(code, frozenset())

    def _area_lads(self, code: str, seen: frozenset) -> set[str]:
        if code in seen:
            return set()
        seen = seen | {code}
        council = self.councils[code]
        found = set()
        if council.area_type == "district":
            found |= {council.gss, *council.former_gss}
        if council.area_type == "county":
            found |= {g for c in self.councils.values() if c.county == code for g in self._area_lads(c.code, seen)}
            found |= {g for s in council.replaced_by if s in self.councils for g in self._area_lads(s, seen)}
        if council.area_type == "combined":
            found |= {g for c in self.councils.values() if c.combined == code for g in self._area_lads(c.code, seen)}
        for predecessor in self.councils.values():
            if code in predecessor.replaced_by and predecessor.area_type == "district":
                found |= self._area_lads(predecessor.code, seen)
        return found


@lru_cache(maxsize=1)
def registers() -> Registers:
    """The shipped registers, read once per process."""
    councils = _read_councils()
    names = {row["la-name"]: row["local-authority-code"] for row in _rows(NAMES_FILE)
             if row["local-authority-code"] in councils}
    organisations = {row["analytics_identifier"]: Organisation(
        row["analytics_identifier"], row["title"].strip(), row["abbreviation"].strip(), row["format"],
        row["status"], row["slug"], tuple(p for p in row["parents"].split(";") if p))
        for row in _rows(GOVUK_FILE) if row["analytics_identifier"]}
    return Registers(councils, names, organisations)


def _rows(path: Path) -> list[dict]:
    with open(path, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _read_councils() -> dict[str, Council]:
    rows = {row["local-authority-code"]: row for row in _rows(COUNCILS_FILE)}
    for code, county in COUNTY_CORRECTIONS.items():
        rows[code]["county-la"] = county
    councils = {}
    for code, row in rows.items():
        councils[code] = Council(
            code=code, name=row["official-name"], nice_name=row["nice-name"], gss=row["gss-code"],
            former_gss=tuple(g for g in row["former-gss-codes"].split(",") if g),
            kind=row["local-authority-type"], kind_name=row["local-authority-type-name"],
            county=row["county-la"] or None, combined=row["combined-authority"] or None,
            region=_checked_region(code, rows), nation=row["nation"],
            start=_date(row["start-date"]), end=_date(row["end-date"]),
            replaced_by=tuple(c for c in row["replaced-by"].split(",") if c))
    return councils


def _checked_region(code: str, rows: dict[str, dict]) -> str | None:
    """A council's region, checked: a county council's is that of most of its districts
    (the register has Lincolnshire and Derbyshire wrong); a council the register gives none
    (some abolished districts) takes its county's, else its successor's; outside England,
    the nation."""
    row = rows[code]
    if row["nation"] != "England":
        return row["nation"]
    if row["local-authority-type"] in COUNTY_KINDS:
        districts = Counter(r["region"] for r in rows.values() if r["county-la"] == code and r["region"])
        if districts:
            return districts.most_common(1)[0][0]
    if row["region"]:
        return row["region"]
    for other in (row["county-la"], *row["replaced-by"].split(",")):
        if other in rows and other != code:
            return _checked_region(other, rows)
    return None


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


def council_frame() -> pd.DataFrame:
    """One row per council: code, name, area_code (its GSS code), area_name (its short
    name), area_type, kind, region, nation, and for a district its county's area code.
    The store's `register_councils` table."""
    reg = registers()
    rows = [(c.code, c.name, c.gss or None, c.nice_name, c.area_type, c.kind, c.kind_name, c.region, c.nation,
             reg.councils[c.county].gss if c.county in reg.councils else None)
            for c in reg.councils.values()]
    return pd.DataFrame(rows, columns=["code", "name", "area_code", "area_name", "area_type", "kind", "kind_name",
                                       "region", "nation", "county_area_code"])


def area_member_frame() -> pd.DataFrame:
    """(area_code, lad_code): the district codes inside every council's area, the store's
    `area_members` table. A supplier whose district is a member of the buyer's area is local."""
    reg = registers()
    pairs = {(c.gss, lad) for c in reg.councils.values() if c.gss for lad in reg.area_lads(c.code) if lad}
    return pd.DataFrame(sorted(pairs), columns=["area_code", "lad_code"])


def district_frame() -> pd.DataFrame:
    """One row per district code (current and former codes of every single-area council):
    lad_code, its county's area code, and, for a district since replaced by one council,
    that council's area code and the day it took over. The store's `register_districts`:
    it gives county membership where a postcode lookup has no county column, and moves a
    buyer placed in an abolished district to its successor for notices after the change."""
    reg = registers()
    rows = {}
    for council in reg.councils.values():
        if council.area_type != "district":
            continue
        county = reg.councils[council.county].gss if council.county in reg.councils else None
        heir, passed = reg.successor(council.code, date.max)
        changed = reg.councils[heir].start if passed else None
        for code in (council.gss, *council.former_gss):
            if code and (code not in rows or council.end is None):
                rows[code] = (code, county, reg.councils[heir].gss if passed else None, changed)
    return pd.DataFrame(sorted(rows.values()), columns=["lad_code", "county_area_code", "successor_area_code",
                                                        "successor_from"])
