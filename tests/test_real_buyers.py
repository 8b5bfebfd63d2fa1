"""Real councils, real figures: on every real sample imported together and geocoded offline
with the sector lookup, every council buyer lands in its own council's area and every
central government body is typed so, checked against the public registers as published in
../shared/reference/registers (read here with the test's own code, not the loaders')."""

import csv
import json
import re
from datetime import date

import duckdb
import pytest

from tests.conftest import SHARED, sample_files

pytestmark = pytest.mark.realdata

REGISTERS = SHARED / "reference" / "registers"
CENTRAL = {"Ministerial department", "Non-ministerial department", "Executive agency"}
# Spellings in the samples that only a looser match finds (the test's own knowledge of them).
ALIASES = {"east herts council": "EHE", "cheshire west and chester borough council": "CHW",
           "london borough of ealing council": "EAL"}
NOT_PRINCIPAL = re.compile(r"parish|town council|arts council")


def key(text: str) -> str:
    text = re.sub(r"\s*\([^)]*\)", "", text.split(" - ")[0]).lower().replace("&", " and ")
    words = re.sub(r"[^a-z0-9 ]+", "", text.replace("-", " ")).split()
    return " ".join(words[1:] if words[:1] == ["the"] else words)


@pytest.fixture(scope="module")
def councils():
    if not REGISTERS.is_dir():
        pytest.skip(f"{REGISTERS} is absent")
    with open(REGISTERS / "uk_local_authorities.csv", encoding="utf-8") as handle:
        rows = {r["local-authority-code"]: r for r in csv.DictReader(handle)}
    names = {key(r["official-name"]): code for code, r in rows.items()}
    names.update({key(r["nice-name"]): code for code, r in rows.items() if key(r["nice-name"]) not in names})
    with open(REGISTERS / "lookup_name_to_registry.csv", encoding="utf-8") as handle:
        for r in csv.DictReader(handle):
            names.setdefault(key(r["la-name"]), r["local-authority-code"])
    names.update(ALIASES)
    return rows, names


def expected_council(name: str, on: date, councils) -> str | None:
    """The council a published name names, moved to its single successor after the change."""
    rows, names = councils
    code = names.get(key(name))
    while code and rows[code]["replaced-by"] and "," not in rows[code]["replaced-by"]:
        heir = rows[rows[code]["replaced-by"]]
        if on < date.fromisoformat(heir["start-date"] or rows[code]["end-date"]):
            break
        code = heir["local-authority-code"]
    return code


@pytest.fixture(scope="module")
def buyer_rows(all_samples_store):
    con = duckdb.connect(str(all_samples_store), read_only=True)
    try:
        return con.execute("""
            SELECT DISTINCT a.ocid, a.buyer_name_published, a.buyer_council_code, a.buyer_area_code,
                   a.buyer_type, a.buyer_key, r.release_date
            FROM awards a JOIN releases r ON r.ocid = a.ocid AND r.release_id = a.release_id""").fetchall()
    finally:
        con.close()


def test_every_council_buyer_is_in_its_own_councils_area(buyer_rows, councils):
    rows, _ = councils
    checked = set()
    for ocid, published, code, area, kind, buyer_key, released in buyer_rows:
        wanted = expected_council(published, date.fromisoformat(released[:10]), councils)
        if wanted is None:
            assert code is None or not NOT_PRINCIPAL.search(published.lower()), (published, code)
            continue
        assert (code, area, kind) == (wanted, rows[wanted]["gss-code"], "local authority"), (ocid, published)
        checked.add(wanted)
    assert {"HRT", "NYE", "WECA", "DUR", "WNT", "EHE"} <= checked
    assert len(checked) >= 15


def test_every_named_council_is_identified(buyer_rows):
    """No principal council is left to the name rules: every buyer called a council
    (not a parish, town or arts council) is a council of the register."""
    for _, published, code, *_ in buyer_rows:
        if re.search(r"\bcouncil\b|combined authority", published.lower()) and not NOT_PRINCIPAL.search(
                published.lower()):
            assert code is not None, published


def test_notices_naming_their_e_tendering_platform_are_the_councils_behind_it(buyer_rows):
    """Two real notices name EU SUPPLY LIMITED as the buyer; their addresses are Barnsley's
    and North East Lincolnshire's town halls."""
    found = {code for _, published, code, *_ in buyer_rows if published == "EU SUPPLY LIMITED"}
    assert found and found <= {"BNS", "NEL"}


def test_county_and_combined_authority_areas(buyer_rows):
    areas = {published: area for _, published, _, area, *_ in buyer_rows}
    assert areas["Hertfordshire County Council - Children's Services"] == "E10000015"   # E10: the county
    assert areas["West of England Combined Authority"].startswith("E47")


def test_spellings_of_one_council_are_one_buyer(buyer_rows):
    keys = {published: buyer_key for _, published, _, _, _, buyer_key, _ in buyer_rows}
    assert keys["North Yorkshire Council"] == keys["The North Yorkshire Council"] == "council:NYE"


@pytest.fixture(scope="module")
def central_government():
    """Normalised titles and analytics identifiers of GOV.UK departments and agencies that
    are not closed."""
    organisations = json.loads((REGISTERS / "govuk_organisations.json").read_text(encoding="utf-8"))
    chosen = [o for o in organisations if o["format"] in CENTRAL and o["details"]["govuk_status"] != "closed"]
    return {key(o["title"]) for o in chosen}, {o["analytics_identifier"] for o in chosen}


def raw_buyers() -> dict:
    """ocid -> (buyer name, GB-GOR code or None) from the raw sample files."""
    found = {}
    for path in sample_files():
        text = path.read_text(encoding="utf-8")
        docs = [json.loads(line) for line in text.splitlines() if line.strip()] if path.suffix == ".jsonl" \
            else [json.loads(text)]
        for doc in docs:
            releases = doc.get("releases") or [r["compiledRelease"] for r in doc.get("records", [])] or [doc]
            for r in releases:
                parties = {p.get("id"): p for p in r.get("parties") or []}
                party = {**(r.get("buyer") or {}), **parties.get((r.get("buyer") or {}).get("id"), {})}
                ident = party.get("identifier") or {}
                gor = ident.get("id") if ident.get("scheme") == "GB-GOR" else None
                found[r.get("ocid") or doc.get("ocid")] = (party.get("name") or ident.get("legalName") or "", gor)
    return found


def test_every_central_government_department_and_agency_is_typed_so(buyer_rows, central_government):
    titles, identifiers = central_government
    named = raw_buyers()
    central = set()
    for ocid, published, _, _, kind, *_ in buyer_rows:
        name, gor = named[ocid]
        if key(name) in titles or gor in identifiers:
            assert kind == "central government", (ocid, published)
            central.add(key(name))
    assert {"met office", "planning inspectorate", "cabinet office", "ministry of defence"} <= central


def test_council_regions_agree_with_the_ons_district_table():
    """Every council's region, as the code corrects the register, is that of the ONS district
    table (lad_2022_uk.csv): its own district's, or for a county council its districts'."""
    from collections import Counter

    from loaders.geography.register import registers
    table = SHARED / "data" / "geography" / "lad_2022_uk.csv"
    if not table.is_file():
        pytest.skip(f"{table} is absent")
    with open(table, encoding="utf-8") as handle:
        ons = {r["lad22cd"]: ("Wales" if r["country"] == "Wales" else "Scotland" if r["country"] == "Scotland"
                              else "Northern Ireland" if r["country"] == "Northern Ireland" else r["rgn_nm"])
               for r in csv.DictReader(handle)}
    councils = registers().councils
    checked = 0
    for council in councils.values():
        if council.end is not None:
            continue
        if council.area_type == "district" and council.gss in ons:
            assert council.region == ons[council.gss], council.name
            checked += 1
        if council.area_type == "county":
            districts = Counter(ons[c.gss] for c in councils.values() if c.county == council.code and c.gss in ons)
            assert council.region == districts.most_common(1)[0][0], council.name
            checked += 1
    assert checked > 350
