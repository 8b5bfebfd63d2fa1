"""The real reference files in ../shared/data, checked against an independent reading of the JSON.

The expectations here are computed from the raw files with code of the test's own (its own
postcode regex, its own latest-release choice), not with the loaders' helpers.
"""

import json
import re
import subprocess
import sys
from collections import Counter, defaultdict
from datetime import datetime, timezone
from pathlib import Path

import pytest

from loaders.geography.places import ITL1_REGIONS
from loaders.storage import loading, store

pytestmark = pytest.mark.realdata

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
LOOKUP = DATA / "geography" / "postcode_sector_centroids_lad.csv.gz"

UK_POSTCODE = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}[0-9][A-Z0-9]?) *([0-9][A-Z]{2})(?![A-Z0-9])", re.IGNORECASE)
# A country named at the end of one of the address's last two parts ("..., Canada\r\nK2K 2MB").
FOREIGN = re.compile(r"(?<!northern )\b(canada|usa|united states|ireland|france|germany|netherlands|"
                     r"belgium|spain|italy|india|australia)\W*$", re.IGNORECASE)
SME_SCALES = {"micro", "small", "medium", "sme", "selfemployed"}
EXCLUDED = {"cancelled", "unsuccessful"}


@pytest.fixture(scope="module")
def files():
    if not DATA.is_dir():
        pytest.skip(f"{DATA} is absent")
    found = sorted((DATA / "contracts-finder").glob("*.json")) + sorted((DATA / "find-a-tender").glob("*.json"))
    if not found or not LOOKUP.is_file():
        pytest.skip(f"no reference files under {DATA}")
    return found


@pytest.fixture(scope="module")
def real_store(files, tmp_path_factory):
    """All reference files imported through the CLI into a fresh store."""
    path = tmp_path_factory.mktemp("real") / "awards.duckdb"
    result = subprocess.run([sys.executable, "-m", "loaders", "import", *map(str, files), "--lookup", str(LOOKUP),
                             "--store", str(path), "--quiet"], cwd=ROOT, capture_output=True, text=True,
                            timeout=300)
    assert result.returncode == 0, result.stderr
    return path


def rows_of(path, sql="SELECT * FROM awards ORDER BY award_key"):
    con = store.read_only(path)
    try:
        cursor = con.execute(sql)
        names = [d[0] for d in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
    finally:
        con.close()


# --- the independent reading ---------------------------------------------------------------

def raw_releases(files):
    """(source, release) for every release in the files: packages, records, single releases."""
    out = []
    for path in files:
        doc = json.loads(path.read_text(encoding="utf-8"))
        if "releases" in doc:
            found = doc["releases"]
        elif "records" in doc:
            found = [{"ocid": rec["ocid"], **rec["compiledRelease"]} for rec in doc["records"]]
        else:
            found = [doc]
        for r in found:
            source = {"ocds-b5fd17": "contracts-finder", "ocds-h6vhtk": "find-a-tender"}[r["ocid"][:11]]
            out.append((source, r))
    return out


def _order(release):
    moment = datetime.fromisoformat(release["date"].replace("Z", "+00:00"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    sequence = re.match(r"^[0-9a-f-]{36}-(\d+)$", str(release.get("id")))
    return moment, int(sequence.group(1)) if sequence else 0


def latest_awards(files):
    """(ocid, award id) -> (source, release, award, contract) from the latest release carrying it."""
    by_ocid = defaultdict(list)
    for source, r in raw_releases(files):
        by_ocid[r["ocid"]].append((source, r))
    out = {}
    for ocid, group in by_ocid.items():
        group.sort(key=lambda item: _order(item[1]))
        contracts = {}
        for _, r in group:
            for c in r.get("contracts") or []:
                if c.get("awardID") is not None:
                    contracts[str(c["awardID"])] = c
        for source, r in group:
            for a in r.get("awards") or []:
                out[(ocid, str(a["id"]))] = (source, r, a, None)
        for key, (source, r, a, _) in list(out.items()):
            if key[0] == ocid:
                out[key] = (source, r, a, contracts.get(key[1]))
    return out


def supplier_parties(release, award):
    """The distinct supplier parties of an award (inline entry merged with its party)."""
    parties = {p.get("id"): p for p in release.get("parties") or []}
    seen, out = set(), []
    for entry in award.get("suppliers") or []:
        party = {**entry, **parties.get(entry.get("id"), {})}
        key = party.get("id") or party.get("name")
        if key not in seen:
            seen.add(key)
            out.append(party)
    return out


def expected_postcode(party):
    """The last UK-format postcode in the address, unless the address names a foreign country."""
    address = party.get("address") or {}
    text = " ".join(str(address.get(k) or "") for k in ("streetAddress", "postalCode"))
    parts = [p for p in re.split(r"[,\r\n]+", text) if p.strip()]
    if any(FOREIGN.search(p) for p in parts[-2:] + [str(address.get("countryName") or "")]):
        return None
    matches = UK_POSTCODE.findall(text)
    return f"{matches[-1][0]} {matches[-1][1]}".upper() if matches else None


def expected_size(party):
    details = party.get("details") or {}
    scale = str(details.get("scale") or "").lower()
    if scale in SME_SCALES:
        return "SME"
    if scale == "large":
        return "Large"
    if isinstance(party.get("sme"), bool):
        return "SME" if party["sme"] else "Large"
    return "Unknown"


def award_value(award, contract):
    for source, holder in (("award", award), ("contract", contract or {})):
        value = holder.get("value") or {}
        if value.get("amount") is not None:
            return float(value["amount"]), value.get("currency"), source
    return None, None, "none"


@pytest.fixture(scope="module")
def expected(files):
    return latest_awards(files)


@pytest.fixture(scope="module")
def by_award(real_store):
    groups = defaultdict(list)
    for row in rows_of(real_store):
        groups[(row["ocid"], row["award_id"])].append(row)
    return groups


# --- the checks ----------------------------------------------------------------------------

def test_every_award_with_suppliers_has_one_row_per_supplier(expected, by_award):
    counted = 0
    for key, (_, release, award, _) in expected.items():
        suppliers = supplier_parties(release, award)
        rows = by_award.get(key, [])
        if (award.get("status") or "").lower() in EXCLUDED or not suppliers:
            assert rows == [], key
            continue
        assert len(rows) == len(suppliers), key
        assert {r["n_suppliers"] for r in rows} == {len(suppliers)}, key
        counted += 1
    assert counted > 50
    assert set(by_award) <= set(expected)


def test_award_entries_without_suppliers_and_cancelled_awards_give_no_rows(expected, by_award):
    left_out = [key for key, (_, r, a, _) in expected.items()
                if not a.get("suppliers") or (a.get("status") or "").lower() in EXCLUDED]
    assert left_out, "the reference data has a cancelled award"
    assert all(key not in by_award for key in left_out)


def test_supplier_postcodes_found_where_the_address_has_one(expected, by_award):
    checked = 0
    for key, (_, release, award, _) in expected.items():
        rows = by_award.get(key)
        if not rows:
            continue
        wanted = Counter(pc for pc in map(expected_postcode, supplier_parties(release, award)) if pc)
        got = Counter(r["supplier_postcode"] for r in rows if r["supplier_postcode"])
        assert wanted == got, key
        checked += sum(wanted.values())
    assert checked > 50


def test_foreign_suppliers_are_outside_uk(by_award):
    abroad = {r["supplier_name"]: r["supplier_abroad"] for rows in by_award.values() for r in rows
              if r["supplier_abroad"]}
    assert "Canada" in abroad.values() and "Ireland" in abroad.values()
    for rows in by_award.values():
        for r in rows:
            if r["supplier_abroad"]:
                assert r["supplier_postcode"] is None and r["locality"] == "outside_uk"


def test_sizes_match_party_scale(expected, by_award):
    for key, (_, release, award, _) in expected.items():
        rows = by_award.get(key)
        if rows:
            assert Counter(map(expected_size, supplier_parties(release, award))) == \
                   Counter(r["supplier_size"] for r in rows), key


def test_value_totals_per_source_equal_distinct_award_values(expected, by_award):
    totals = defaultdict(float)
    for key, (source, release, award, contract) in expected.items():
        rows = by_award.get(key)
        if not rows:
            continue
        amount, currency, value_source = award_value(award, contract)
        assert {r["value_source"] for r in rows} == {value_source}, key
        counted = (amount is not None and (currency or "GBP").upper() == "GBP"
                   and 1 < amount <= 1_000_000_000)  # £1 or less is a placeholder
        if amount is not None and (currency or "GBP").upper() == "GBP":
            assert {r["award_value_gbp"] for r in rows} == {amount}, key
        if counted:
            totals[source] += amount
    got = defaultdict(float)
    for rows in by_award.values():
        for r in rows:
            if r["value_gbp"] is not None:
                got[r["source"]] += r["value_gbp"]
    assert set(got) == {"contracts-finder", "find-a-tender"}
    for source in totals:
        assert got[source] == pytest.approx(totals[source], rel=1e-9), source


def test_contract_value_used_where_award_has_none(expected, by_award):
    from_contract = [key for key, (_, r, a, c) in expected.items()
                     if by_award.get(key) and (a.get("value") or {}).get("amount") is None
                     and ((c or {}).get("value") or {}).get("amount") is not None]
    assert from_contract, "the reference data has UK7 notices valued on the contract"
    for key in from_contract:
        assert {r["value_source"] for r in by_award[key]} == {"contract"}, key


def test_reimporting_each_file_changes_nothing(files, real_store):
    before = rows_of(real_store)
    releases = rows_of(real_store, "SELECT count(*) AS n FROM releases")
    for path in files:
        report = loading.import_files([path], real_store, [LOOKUP])
        assert report.releases_new == 0, path
    assert rows_of(real_store) == before
    assert rows_of(real_store, "SELECT count(*) AS n FROM releases") == releases


def test_uk_supplier_postcodes_resolve_to_a_district(by_award):
    placed = [r["supplier_lad_code"] is not None for rows in by_award.values() for r in rows
              if r["supplier_postcode"] and not r["supplier_abroad"]]
    assert len(placed) > 50
    assert sum(placed) / len(placed) >= 0.95


def test_region_code_places_suppliers_without_a_postcode(by_award):
    """Find a Tender suppliers with only a NUTS code (UKD, UKJ) get its region; they count as
    elsewhere in the UK only when that is not the buyer's region (else they may be local)."""
    coded = [r for rows in by_award.values() for r in rows if r["supplier_region_code"] and not r["supplier_postcode"]]
    assert coded
    for row in coded:
        assert row["supplier_region"] == ITL1_REGIONS[row["supplier_region_code"][2]]
        assert row["locality"] == ("unknown" if row["supplier_region"] == row["buyer_region"] else "elsewhere_uk")


def test_geocode_places_extractable_uk_postcodes(all_samples_store):
    """The samples imported without a lookup, then placed by `geocode --offline` (tests/conftest.py)."""
    rows = rows_of(all_samples_store, "SELECT supplier_postcode, supplier_lad_code, buyer_postcode, buyer_lad_code "
                                   "FROM awards")
    postcodes = [(pc, lad) for r in rows for pc, lad in ((r["supplier_postcode"], r["supplier_lad_code"]),
                                                          (r["buyer_postcode"], r["buyer_lad_code"])) if pc]
    placed = sum(1 for _, lad in postcodes if lad)
    assert placed / len(postcodes) >= 0.95


# Council buyers in the reference files and the council area each must land in.
OWN_AREAS = {"Lancaster City Council": "Lancaster", "London Borough of Merton": "Merton",
             "The North Yorkshire Council": "North Yorkshire", "Durham County Council": "County Durham",
             "Wiltshire Council": "Wiltshire", "Westmorland and Furness Council": "Westmorland and Furness",
             "Liverpool City Council": "Liverpool", "City of Doncaster Council": "Doncaster"}


def test_council_buyers_land_in_their_own_area(all_samples_store):
    found = {r["buyer_name"]: r["buyer_area_name"] for r in
             rows_of(all_samples_store, "SELECT DISTINCT buyer_name, buyer_area_name FROM awards")}
    present = {name: area for name, area in OWN_AREAS.items() if name in found}
    assert len(present) >= 6
    assert {name: found[name] for name in present} == present
