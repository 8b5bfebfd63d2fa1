"""The Contracts Finder website's CSV export read into OCDS releases, and those releases
through the normaliser into award rows.

The fixtures are invented (names, identifiers; the postcodes only have the right shape).
The real export in ../shared/data is checked against figures this test computes from the
raw CSV with code of its own, not with the module's helpers.
"""

import csv
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from pathlib import Path
from urllib.parse import quote

import pytest

from loaders.tabular import cf_export
from loaders.tabular.cells import CellError
from loaders.tabular.rows import CF_CSV, TabularRow
from tests.ocds_factory import normalise

# The test's own postcode pattern: the last letters of the inward code are never C, I, K, M, O or V.
OWN_POSTCODE = re.compile(r"(?<![A-Z0-9])([A-Z]{1,2}[0-9][A-Z0-9]?) *([0-9][ABD-HJLNP-UW-Z]{2})(?![A-Z0-9])", re.I)
SUPPLIER = "Supplier [Name|Address|Ref type|Ref Number|Is SME|Is VCSE]"
REAL_EXPORT = (Path(__file__).resolve().parents[2] / "shared" / "data" / "contracts-finder-csv"
               / "cf_search_export_2020_awarded.csv")
ONE_SUPPLIER = "[Greenway Gardens Ltd|4 Orchard Lane, Exeter, EX1 1AA|COMPANIES_HOUSE|1234567|Yes|No]"
# The second address holds a `|` and line breaks; the second supplier's VCSE flag is blank.
TWO_SUPPLIERS = ("[North Tree Care Ltd|Unit 3 | Mill Yard\nLeeds\nLS6 2AB|NONE||No|No]"
                 "[Southern Arbor CIC|12 Quay Street, Bristol, BS1 4DJ|CHARITY_COMMISSION|1100200|Yes|]")


def export_row(changes: dict | None = None, line: int = 2) -> TabularRow:
    """One row of the export as the table reader hands it on, `changes` over the defaults."""
    cells = {
        "Notice Identifier": "EXC-2024-017", "Notice Type": "Contract",
        "Organisation Name": "Exampleshire County Council", "Status": "Awarded",
        "Published Date": "2024-05-02T10:00:00Z", "Title": "Grounds maintenance",
        "Description": "Grass cutting and hedges.", "Region": "South West",
        "Cpv Codes": "77310000 77313000 ", "Contact Town": "Exeter", "Contact Postcode": "EX2 4QD",
        "Contact Country": "England", "Start Date": "01/06/2024", "End Date": "31/05/2026",
        "Awarded Date": "15/04/2024", "Awarded Value": "120000", SUPPLIER: ONE_SUPPLIER,
        "Contract start date": "03/06/2024", "Contract end date": "02/06/2026",
    }
    cells.update(changes or {})
    return TabularRow(CF_CSV, "export.csv", line, cells)


def rows_of(release: dict) -> list[dict]:
    """The award rows the normaliser makes of one release; no quality events expected."""
    rows, events = normalise(release, source=CF_CSV)
    assert events == []
    return rows


def test_recognises_the_export_header_however_it_is_spaced_or_cased():
    header = ["\ufeffNotice Identifier", "Notice Type", " organisation name", "STATUS", "Published Date",
              "Title", "Awarded Date", "Awarded Value ", SUPPLIER, "Contract start date"]
    assert cf_export.recognises(header)
    assert not cf_export.recognises([name for name in header if name != SUPPLIER])
    assert not cf_export.recognises(["Supplier name", "Contract value", "Contract start date", "SME supplier"])


def test_a_row_with_one_supplier_is_this_release():
    row = export_row()
    assert cf_export.to_release(row) == {
        "ocid": "cf-csv-EXC-2024-017", "id": "cf-csv-EXC-2024-017-" + row.content_hash[:12],
        "date": "2024-05-02T10:00:00Z", "tag": ["award"],
        "buyer": {"id": "buyer", "name": "Exampleshire County Council"},
        "parties": [
            {"id": "buyer", "name": "Exampleshire County Council", "roles": ["buyer"],
             "address": {"postalCode": "EX2 4QD", "locality": "Exeter", "countryName": "England"}},
            {"id": "supplier-1", "name": "Greenway Gardens Ltd", "roles": ["supplier"],
             "address": {"streetAddress": "4 Orchard Lane, Exeter, EX1 1AA", "postalCode": "EX1 1AA"},
             "identifier": {"scheme": "GB-COH", "id": "1234567"},
             "details": {"scale": "sme", "vcse": False}},
        ],
        "tender": {"id": "EXC-2024-017", "title": "Grounds maintenance", "description": "Grass cutting and hedges.",
                   "classification": {"scheme": "CPV", "id": "77310000"},
                   "contractPeriod": {"startDate": "2024-06-01", "endDate": "2026-05-31"}},
        "awards": [{"id": "1", "status": "active", "date": "2024-04-15",
                    "value": {"amount": 120000.0, "currency": "GBP"},
                    "suppliers": [{"id": "supplier-1", "name": "Greenway Gardens Ltd"}],
                    "contractPeriod": {"startDate": "2024-06-03", "endDate": "2026-06-02"},
                    "documents": [{"id": "notice", "documentType": "awardNotice",
                                   "url": "https://www.contractsfinder.service.gov.uk/Search/Results"
                                          "?keywords=EXC-2024-017"}]}],
    }


def test_a_row_with_one_supplier_gives_one_award_row():
    [row] = rows_of(cf_export.to_release(export_row()))
    assert row["source"] == CF_CSV and row["ocid"] == "cf-csv-EXC-2024-017"
    assert (row["supplier_name"], row["supplier_size"], row["supplier_vcse"]) == ("Greenway Gardens Ltd", "SME", False)
    assert (row["supplier_id_scheme"], row["supplier_id"]) == ("GB-COH", "01234567")  # padded to 8
    assert row["supplier_key"] == "GB-COH-01234567"
    assert row["supplier_postcode"] == "EX1 1AA" and row["buyer_postcode"] == "EX2 4QD"
    assert row["buyer_name"] == "Exampleshire County Council"
    assert (row["award_value_gbp"], row["value_gbp"], row["n_suppliers"]) == (120000.0, 120000.0, 1)
    assert row["award_date"] == date(2024, 4, 15)
    assert (row["contract_start"], row["contract_end"]) == (date(2024, 6, 3), date(2026, 6, 2))
    assert (row["title"], row["cpv_code"], row["category"]) == ("Grounds maintenance", "77310000", "services")
    assert row["notice_url"] == "https://www.contractsfinder.service.gov.uk/Search/Results?keywords=EXC-2024-017"


def test_two_suppliers_are_split_from_both_ends_of_each_block():
    assert cf_export.suppliers(TWO_SUPPLIERS) == [
        {"name": "North Tree Care Ltd", "address": "Unit 3 | Mill Yard\nLeeds\nLS6 2AB", "ref_type": "NONE",
         "ref_number": "", "sme": False, "vcse": False},
        {"name": "Southern Arbor CIC", "address": "12 Quay Street, Bristol, BS1 4DJ",
         "ref_type": "CHARITY_COMMISSION", "ref_number": "1100200", "sme": True, "vcse": None},
    ]


def test_two_suppliers_share_the_award_value():
    release = cf_export.to_release(export_row({SUPPLIER: TWO_SUPPLIERS}))
    north, south = release["parties"][1:]
    assert "identifier" not in north and south["identifier"] == {"scheme": "GB-CHC", "id": "1100200"}
    assert south["details"] == {"scale": "sme"}  # a blank VCSE flag is not stated
    rows = {row["supplier_name"]: row for row in rows_of(release)}
    assert sorted(rows) == ["North Tree Care Ltd", "Southern Arbor CIC"]
    assert [rows[n]["supplier_postcode"] for n in sorted(rows)] == ["LS6 2AB", "BS1 4DJ"]
    assert [rows[n]["supplier_size"] for n in sorted(rows)] == ["Large", "SME"]
    assert [rows[n]["supplier_vcse"] for n in sorted(rows)] == [False, None]
    assert [rows[n]["value_gbp"] for n in sorted(rows)] == [60000.0, 60000.0]
    assert {row["award_value_gbp"] for row in rows.values()} == {120000.0}
    assert (rows["Southern Arbor CIC"]["supplier_id_scheme"], rows["Southern Arbor CIC"]["supplier_id"]) \
        == ("GB-CHC", "1100200")


def test_brackets_inside_a_name_or_an_address_do_not_split_a_block():
    packed = ("[Acme [UK] Ltd|Flat [2][3], High Street, York, YO1 7HH|NONE||No|No]\n"
              "[Bee] Works|Dock [B]|NONE_OTHER||Yes|Yes]")
    assert [(s["name"], s["address"]) for s in cf_export.suppliers(packed)] == [
        ("Acme [UK] Ltd", "Flat [2][3], High Street, York, YO1 7HH"), ("Bee] Works", "Dock [B]")]


def test_blank_size_and_vcse_flags_are_unknown():
    packed = "[Hedgerow Partners|2 Lane End, Truro, TR1 2AB|NONE_PARTNERSHIP|||]"
    assert cf_export.suppliers(packed) == [{"name": "Hedgerow Partners", "address": "2 Lane End, Truro, TR1 2AB",
                                            "ref_type": "NONE_PARTNERSHIP", "ref_number": "", "sme": None,
                                            "vcse": None}]
    release = cf_export.to_release(export_row({SUPPLIER: packed}))
    assert "details" not in release["parties"][1]
    [row] = rows_of(release)
    assert (row["supplier_size"], row["supplier_vcse"], row["supplier_postcode"]) == ("Unknown", None, "TR1 2AB")


def test_a_register_is_named_only_with_a_real_number():
    packed = ("[Zero Ltd|1 Road, Leeds, LS1 1AA|COMPANIES_HOUSE|0|No|No]"
              "[Blank Ltd|2 Road, Leeds, LS1 1AA|COMPANIES_HOUSE||No|No]"
              "[Other Ltd|3 Road, Leeds, LS1 1AA|NONE_OTHER|998877|No|No]")
    release = cf_export.to_release(export_row({SUPPLIER: packed}))
    assert all("identifier" not in party for party in release["parties"][1:])
    assert {row["supplier_key"] for row in rows_of(release)} == {"name:zero", "name:blank", "name:other"}


def test_a_notice_that_is_not_an_award_gives_no_release():
    assert cf_export.to_release(export_row({"Status": "Open"})) is None
    assert cf_export.to_release(export_row({"Status": "Closed", "Awarded Value": "12x"})) is None
    assert cf_export.to_release(export_row({"Awarded Date": "", "Awarded Value": ""})) is None


def test_an_award_with_a_value_but_no_date_takes_the_publication_date():
    release = cf_export.to_release(export_row({"Awarded Date": ""}))
    assert "date" not in release["awards"][0]
    [row] = rows_of(release)
    assert row["award_date"] == date(2024, 5, 2)


@pytest.mark.parametrize("column, text, message", [
    ("Awarded Value", "12x", "Awarded Value: '12x' is not an amount of money"),
    ("Awarded Date", "31/13/2024", "Awarded Date: '31/13/2024' is not a date"),
    ("Contract end date", "soon", "Contract end date: 'soon' is not a date"),
    (SUPPLIER, "[Acme Ltd|1 Road|NONE||Maybe|No]", f"{SUPPLIER}: supplier 1 Is SME: 'Maybe' is not yes or no"),
    (SUPPLIER, ONE_SUPPLIER + "[Acme Ltd|1 Road|No|No]",
     f"{SUPPLIER}: supplier 2 is not a [Name|Address|Ref type|Ref Number|Is SME|Is VCSE] block"),
    ("Notice Identifier", " ", "Notice Identifier: the cell is blank"),
])
def test_a_cell_that_cannot_be_read_names_its_column(column, text, message):
    with pytest.raises(CellError) as raised:
        cf_export.to_release(export_row({column: text}))
    assert str(raised.value).startswith(message)


def test_the_release_id_is_the_rows_content():
    first, again = cf_export.to_release(export_row(line=2)), cf_export.to_release(export_row(line=40))
    changed = cf_export.to_release(export_row({"Awarded Value": "125000"}))
    assert first["id"] == again["id"] != changed["id"]
    assert first["ocid"] == changed["ocid"]


def test_the_notice_link_searches_for_the_quoted_identifier():
    release = cf_export.to_release(export_row({"Notice Identifier": " tender_235607/890431 - AWARD "}))
    assert release["ocid"] == "cf-csv-tender_235607/890431 - AWARD"
    [row] = rows_of(release)
    assert row["notice_url"] == ("https://www.contractsfinder.service.gov.uk/Search/Results"
                                 "?keywords=tender_235607%2F890431%20-%20AWARD")


def test_columns_are_found_whatever_their_case():
    row = export_row()
    shouted = TabularRow(row.kind, row.file, row.line, {name.upper(): text for name, text in row.cells.items()})
    assert cf_export.to_release(shouted)["awards"] == cf_export.to_release(row)["awards"]


# --- the real export, against an independent reading of the CSV --------------------------

def _own_blocks(packed: str) -> list[list[str]]:
    """The test's own split: blocks between `][` (the real file has no bracket in a name or
    an address), each as [name, address, ref type, ref number, is SME, is VCSE]."""
    inner = packed.strip()
    assert inner.startswith("[") and inner.endswith("]")
    blocks = []
    for block in inner[1:-1].split("]["):
        name, rest = block.split("|", 1)
        blocks.append([name, *rest.rsplit("|", 4)])
    return blocks


def _own_postcode(address: str) -> str | None:
    """The last UK postcode in an address, upper case "OUT IN"; none for a Channel Islands or
    Isle of Man postcode (outside the UK: the normaliser states the island, not a postcode)."""
    found = OWN_POSTCODE.findall(address)
    postcode = f"{found[-1][0]} {found[-1][1]}".upper() if found else None
    return None if postcode is None or postcode[:2] in {"GY", "JE", "IM"} else postcode


def _coarse(name: str) -> str:
    """A name reduced further than the normaliser reduces it (case, punctuation, spaces and
    legal suffixes all dropped), so that two blocks distinct here are distinct to it too."""
    words = re.sub(r"[^a-z0-9]+", " ", name.lower().replace("&", " and ")).split()
    return "".join(w for w in words if w not in {"limited", "ltd", "plc", "llp", "llc", "inc", "cic", "co"})


@pytest.fixture(scope="module")
def real_export():
    """(the notices read with the csv module, the award rows the module and the normaliser make)."""
    if not REAL_EXPORT.is_file():
        pytest.skip(f"{REAL_EXPORT} is absent")
    with REAL_EXPORT.open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.reader(handle))
    header = [name.strip() for name in records[0]]
    notices = [dict(zip(header, record)) for record in records[1:]]
    releases = [cf_export.to_release(TabularRow(CF_CSV, str(REAL_EXPORT), line, cells))
                for line, cells in enumerate(notices, start=2)]
    rows = defaultdict(list)
    for release in releases:
        if release is not None:
            for row in rows_of(release):
                rows[row["ocid"]].append(row)
    return header, notices, releases, rows


@pytest.mark.realdata
def test_real_export_every_awarded_notice_is_one_release(real_export):
    header, notices, releases, _ = real_export
    assert cf_export.recognises(header)
    awarded = [n for n in notices if n["Status"].strip() == "Awarded"]
    assert len(notices) == 380 and len(awarded) == 380
    assert sum(r is not None for r in releases) == len(awarded)
    assert len({r["ocid"] for r in releases}) == len({n["Notice Identifier"].strip() for n in awarded})


@pytest.mark.realdata
def test_real_export_suppliers_and_flags_match_an_own_split(real_export):
    _, notices, releases, _ = real_export
    own = [b for n in notices for b in _own_blocks(n[SUPPLIER])]
    blocks_by_separator = sum(n[SUPPLIER].count("][") + 1 for n in notices)
    assert len(own) == blocks_by_separator == 917
    read = [p for r in releases for p in r["parties"] if p["roles"] == ["supplier"]]
    assert len(read) == len(own) == sum(len(r["awards"][0]["suppliers"]) for r in releases)
    assert [p["name"] for p in read] == [b[0].strip() for b in own]
    own_sme = Counter(b[4].strip() for b in own)
    assert own_sme == Counter({"No": 656, "Yes": 261})
    assert Counter((p.get("details") or {}).get("scale") for p in read) == Counter(
        {"sme": own_sme["Yes"], "large": own_sme["No"], None: own_sme[""]})
    assert Counter((p.get("details") or {}).get("vcse") for p in read) == Counter(
        {True: Counter(b[5] for b in own)["Yes"], False: Counter(b[5] for b in own)["No"]})


@pytest.mark.realdata
def test_real_export_values_are_split_and_add_up_to_the_awarded_value(real_export):
    _, notices, _, rows = real_export
    total = sum(float(n["Awarded Value"]) for n in notices)
    assert total == pytest.approx(13_293_475_457.67)
    assert sum(rows[f"cf-csv-{n['Notice Identifier'].strip()}"][0]["award_value_gbp"] for n in notices) \
        == pytest.approx(total)
    for notice in notices:
        value = float(notice["Awarded Value"])
        found = rows[f"cf-csv-{notice['Notice Identifier'].strip()}"]
        assert {row["award_value_gbp"] for row in found} == {value}
        if value > 1_000_000_000:  # flagged as implausible: kept, but counted in no total
            assert {row["value_gbp"] for row in found} == {None}
        else:
            assert sum(row["value_gbp"] for row in found) == pytest.approx(value)


@pytest.mark.realdata
def test_real_export_rows_are_the_distinct_suppliers_with_their_declared_size(real_export):
    _, notices, _, rows = real_export
    plain = 0
    for notice in notices:
        own = _own_blocks(notice[SUPPLIER])
        found = rows[f"cf-csv-{notice['Notice Identifier'].strip()}"]
        assert 1 <= len(found) <= len(own)
        assert {row["supplier_name"] for row in found} <= {" ".join(b[0].split()) for b in own}
        numbers = [b[3].strip() for b in own if b[3].strip()]
        if len({_coarse(b[0]) for b in own}) == len(own) and len(set(numbers)) == len(numbers):
            plain += 1
            assert Counter(row["supplier_name"] for row in found) == Counter(" ".join(b[0].split()) for b in own)
            sizes = {"Yes": "SME", "No": "Large", "": "Unknown"}
            assert Counter(row["supplier_size"] for row in found) == Counter(sizes[b[4].strip()] for b in own)
            assert Counter(row["supplier_vcse"] for row in found) == Counter(b[5].strip() == "Yes" for b in own)
            assert Counter(row["supplier_postcode"] for row in found) \
                == Counter(_own_postcode(b[1]) for b in own)
    assert plain >= 350  # notices listing a supplier once per lot are the exception


@pytest.mark.realdata
def test_real_export_dates_and_links_are_the_notices(real_export):
    _, notices, _, rows = real_export
    for notice in notices:
        identifier = notice["Notice Identifier"].strip()
        row = rows[f"cf-csv-{identifier}"][0]
        assert row["award_date"] == datetime.strptime(notice["Awarded Date"], "%d/%m/%Y").date()
        assert row["contract_start"] == datetime.strptime(notice["Contract start date"], "%d/%m/%Y").date()
        guid = re.fullmatch(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}", identifier)
        assert row["notice_url"] == (
            f"https://www.contractsfinder.service.gov.uk/Notice/{identifier.lower()}" if guid else
            f"https://www.contractsfinder.service.gov.uk/Search/Results?keywords={quote(identifier, safe='')}")
        assert row["title"] == " ".join(notice["Title"].split())


def test_a_guid_identifier_links_to_the_notice_page_and_any_other_to_a_search():
    guid = "EAEC11F0-1234-4bcd-8123-0123456789ab"
    assert cf_export.notice_link(guid) == f"https://www.contractsfinder.service.gov.uk/Notice/{guid.lower()}"
    assert cf_export.notice_link("LEEDS 001/2") == (
        "https://www.contractsfinder.service.gov.uk/Search/Results?keywords=LEEDS%20001%2F2")
