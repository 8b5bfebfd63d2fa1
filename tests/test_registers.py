"""Council contracts registers as OCDS releases: the LGA schema recognised, other layouts
mapped (Salford's the worked example), and each row's award row as the normaliser makes it.

The LGA fixture is invented; the real Salford register is checked against a reading of its
own (the csv module and parsers written here), not the loaders' cell readers.
"""

import csv
import re
from collections import Counter
from dataclasses import fields
from datetime import date, datetime
from pathlib import Path

import pytest

from loaders.errors import InputError
from loaders.tabular import registers
from loaders.tabular.cells import CellError
from loaders.tabular.registers import LGA, Mapping, load_mapping, mapping_from_options, resolve, to_release
from loaders.tabular.rows import REGISTER, TabularRow
from tests.ocds_factory import normalise

ROOT = Path(__file__).resolve().parents[1]
FIXTURE = ROOT / "tests" / "fixtures" / "lga_register.csv"
SALFORD_MAP = ROOT / "docs" / "mappings" / "salford.toml"
SALFORD = Path(__file__).resolve().parents[2] / "shared" / "data" / "council-registers" / \
    "salford_contracts_register_2022-07.csv"
BUYER = "Marshfield Borough Council"


def table(path: Path, encoding="utf-8") -> tuple[list[str], list[TabularRow]]:
    """The header and rows of a CSV file, the header as the file spells it (a BOM kept)."""
    with open(path, encoding=encoding, newline="") as handle:
        header, *records = list(csv.reader(handle))
    return header, [TabularRow(REGISTER, path.name, line, dict(zip(header, record)))
                    for line, record in enumerate(records, start=2)]


def award_row(release: dict) -> dict:
    """The one award row the normaliser makes of a register row's release."""
    rows, events = normalise(release, source=REGISTER)
    assert events == [] and len(rows) == 1
    return rows[0]


@pytest.fixture(scope="module")
def lga():
    header, rows = table(FIXTURE)
    return header, rows, resolve(Mapping(**LGA), header, FIXTURE.name)


# --- the LGA schema ------------------------------------------------------------------------

def test_the_fields_are_the_mappings_and_the_lga_schema_maps_them_all():
    assert registers.FIELDS == tuple(f.name for f in fields(Mapping))
    assert set(LGA) == set(registers.FIELDS)


def test_the_lga_header_is_recognised_whatever_its_case_spaces_or_bom(lga):
    header, _, mapping = lga
    assert header[0].startswith("\ufeff") and registers.recognises_lga(header)
    assert mapping.buyer == "\ufeffOrganisation Name" and mapping.supplier_postcode == " Supplier postcode "


def test_the_lga_schema_allows_its_other_reference_header_and_its_optional_columns_absent():
    header = ["Organisation name", "Contract reference number", "Title of the Agreement", "Contract start date",
              "End date", "Contract value", "Supplier name", "Supplier registered company number",
              "Supplier registered charity number", "SME supplier", "VCSE supplier"]
    assert registers.recognises_lga(header)
    mapping = resolve(Mapping(**LGA), header, "short.csv")
    assert mapping.reference == "Contract reference number"
    assert mapping.description is None and mapping.supplier_postcode is None
    assert not registers.recognises_lga([h for h in header if h != "SME supplier"])
    assert not registers.recognises_lga(["Supplier Company Name", "Total Contract Value (including extensions)"])


def test_an_lga_row_is_a_release_in_the_shape_the_normaliser_reads(lga):
    _, rows, mapping = lga
    row = rows[0]
    ocid = "register-marshfield-borough-council-MBC-001"
    period = {"startDate": "2023-04-01", "endDate": "2026-03-31"}
    assert to_release(row, mapping, None) == {
        "ocid": ocid, "id": f"{ocid}-{row.content_hash[:12]}", "date": "2023-04-01", "tag": ["award"],
        "buyer": {"id": "buyer", "name": BUYER},
        "parties": [{"id": "buyer", "name": BUYER, "roles": ["buyer"]},
                    {"id": "supplier-1", "name": "Fen Works Ltd", "roles": ["supplier"],
                     "address": {"postalCode": "ln2 5aa"}, "identifier": {"scheme": "GB-COH", "id": "1234567"},
                     "details": {"scale": "sme", "vcse": False}}],
        "tender": {"id": "MBC-001", "title": "Grounds maintenance", "description": "Parks and verges, three years",
                   "contractPeriod": period},
        "awards": [{"id": row.content_hash[:12], "status": "active", "date": "2023-04-01",
                    "value": {"amount": 1234.5, "currency": "GBP"},
                    "suppliers": [{"id": "supplier-1", "name": "Fen Works Ltd"}], "contractPeriod": period}]}


def test_the_lga_fixture_gives_the_award_rows_it_states(lga):
    _, rows, mapping = lga
    found = {}
    for row in rows:
        if row.line == 7:
            continue  # the unreadable value, below
        r = award_row(to_release(row, mapping, BUYER))
        found[row.line] = (r["supplier_name"], r["supplier_size"], r["supplier_vcse"], r["award_value_gbp"],
                           r["award_date"], r["supplier_postcode"], r["supplier_id_scheme"], r["supplier_id"])
        assert r["buyer_name"] == BUYER and r["source"] == REGISTER
    assert found == {
        2: ("Fen Works Ltd", "SME", False, 1234.5, date(2023, 4, 1), "LN2 5AA", "GB-COH", "01234567"),
        3: ("Northern Roads Limited", "Large", False, 12000.0, date(2023, 3, 15), "PE21 6AA", "GB-COH", "SC123456"),
        4: ("Riverside Care Trust", "SME", True, -500.0, date(2022, 9, 1), "LN5 7AB", "GB-CHC", "1100001"),
        5: ("Quayside Catering", "Unknown", None, None, date(2023, 6, 1), None, None, None),
        6: ("Beacon Community Interest Company", "Large", True, 25000.0, date(2023, 7, 3), "LN6 3QQ",
            "GB-COH", "09876543"),
        8: ("Hill Top Printers", "SME", False, 3000.0, date(2023, 10, 10), "LN4 2AB", None, None),
        9: ("Clearview Windows", "SME", False, 4800.0, date(2023, 11, 1), "LN2 4DB", None, None),
    }


def test_a_credit_note_keeps_its_value_but_counts_in_no_total(lga):
    _, rows, mapping = lga
    r = award_row(to_release(rows[2], mapping, BUYER))
    assert (r["award_value_gbp"], r["value_flag"], r["value_gbp"]) == (-500.0, "negative", None)


def test_a_charity_number_beside_a_company_number_is_an_additional_identifier(lga):
    _, rows, mapping = lga
    supplier = to_release(rows[4], mapping, BUYER)["parties"][1]
    assert supplier["identifier"] == {"scheme": "GB-COH", "id": "09876543"}
    assert supplier["additionalIdentifiers"] == [{"scheme": "GB-CHC", "id": "1122334"}]


def test_blank_cells_are_absent_not_empty(lga):
    _, rows, mapping = lga
    release = to_release(rows[3], mapping, BUYER)
    supplier = release["parties"][1]
    assert "address" not in supplier and "identifier" not in supplier and "details" not in supplier
    assert "value" not in release["awards"][0] and release["tender"]["contractPeriod"] == {"startDate": "2023-06-01"}


def test_a_row_without_a_reference_is_known_by_its_line(lga):
    _, rows, mapping = lga
    assert to_release(rows[6], mapping, BUYER)["ocid"] == "register-marshfield-borough-council-line-8"


def test_an_unreadable_value_is_a_cell_error_naming_its_column(lga):
    _, rows, mapping = lga
    with pytest.raises(CellError, match=r"^Contract value: '12,00x' is not an amount of money$"):
        to_release(rows[5], mapping, BUYER)


def test_the_rows_buyer_wins_over_the_buyer_given_and_a_row_with_none_takes_it(lga):
    _, rows, mapping = lga
    assert to_release(rows[0], mapping, "Another Council")["buyer"]["name"] == BUYER
    given = to_release(rows[7], mapping, "Another Council")
    assert given["buyer"]["name"] == "Another Council" and given["ocid"] == "register-another-council-MBC-008"


def test_no_buyer_on_the_row_nor_given_is_a_cell_error(lga):
    _, rows, mapping = lga
    with pytest.raises(CellError) as raised:
        to_release(rows[7], mapping, None)
    assert isinstance(raised.value, ValueError)
    assert str(raised.value) == "no buyer: the file names none on this row; give --buyer"


def test_rows_sharing_a_reference_stay_awards_of_their_own():
    mapping = Mapping(reference="Ref", supplier="Supplier", value="Value")
    one, two = (TabularRow(REGISTER, "r.csv", line, {"Ref": "S1", "Supplier": name, "Value": value})
                for line, name, value in ((2, "Alpha Ltd", "100"), (3, "Beta Ltd", "200")))
    releases = [to_release(row, mapping, "Lincoln City Council") for row in (one, two)]
    assert releases[0]["ocid"] == releases[1]["ocid"]
    rows, _ = normalise(*releases, source=REGISTER)
    assert sorted((r["supplier_name"], r["award_value_gbp"]) for r in rows) == [("Alpha Ltd", 100.0),
                                                                                ("Beta Ltd", 200.0)]


def test_text_cells_lose_literal_line_breaks_and_odd_registered_numbers_are_not_read():
    mapping = Mapping(supplier="Supplier", value="Value", company_number="Company")
    row = TabularRow(REGISTER, "r.csv", 2, {"Supplier": "Salford Community and Voluntary\\nServices (SCVS)",
                                            "Value": "10", "Company": "Registered Charity"})
    supplier = to_release(row, mapping, "Lincoln City Council")["parties"][1]
    assert supplier["name"] == "Salford Community and Voluntary Services (SCVS)" and "identifier" not in supplier


# --- mappings ------------------------------------------------------------------------------

def test_salfords_mapping_file_loads():
    assert load_mapping(SALFORD_MAP) == Mapping(
        reference="Contract Reference", title="Contract Title", description="Contract Description",
        supplier="Supplier Company Name", supplier_postcode="Supplier Postcode",
        value="Total Contract Value (including extensions)", start="Start Date", end="End Date",
        sme="SME Supplier?", company_number="Company Number")


def test_options_give_fields_with_or_without_quotes_and_override_a_file():
    options = mapping_from_options(['supplier="Supplier Company Name"', "value=Annual Value", " start = 'Begins' "])
    assert options == {"supplier": "Supplier Company Name", "value": "Annual Value", "start": "Begins"}
    merged = Mapping(**{**load_mapping(SALFORD_MAP).__dict__, **options})
    assert (merged.value, merged.start, merged.end) == ("Annual Value", "Begins", "End Date")


@pytest.mark.parametrize("option, problem", [
    ("supplier", "is not field=\"Column header\""),
    ("vendor=Supplier", "'vendor' is not a field of a register row (the fields: buyer, reference"),
    ('supplier=""', "names no column header"),
])
def test_a_bad_option_says_what_is_wrong(option, problem):
    with pytest.raises(InputError) as raised:
        mapping_from_options([option])
    assert raised.value.source == "--column" and problem in raised.value.problem


@pytest.mark.parametrize("text, problem", [
    ('[columns]\nvendor = "Supplier"\n', "'vendor' is not a field of a register row"),
    ('[columns]\nsupplier = 3\n', 'supplier is not a column header in quotes'),
    ('supplier = "Supplier"\n', "holds 'supplier', which is not read: a mapping file has only a [columns] table"),
    ('# nothing\n', "has no [columns] table"),
    ('[columns\nsupplier = "x"', "is not a TOML file"),
])
def test_a_bad_mapping_file_says_what_is_wrong(tmp_path, text, problem):
    path = tmp_path / "map.toml"
    path.write_text(text)
    with pytest.raises(InputError) as raised:
        load_mapping(path)
    assert raised.value.source == str(path) and problem in raised.value.problem


def test_a_missing_mapping_file_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="cannot be read"):
        load_mapping(tmp_path / "absent.toml")


def test_resolving_matches_headers_loosely_and_names_a_missing_column():
    header = ["\ufeffVendor ", "TOTAL", "Start"]
    assert resolve(Mapping(supplier="vendor", value="Total"), header, "own.csv") == \
        Mapping(supplier="\ufeffVendor ", value="TOTAL")
    with pytest.raises(InputError) as raised:
        resolve(Mapping(supplier="Vendor", value="Total", end="Finish"), header, "own.csv")
    assert raised.value.source == "own.csv"
    assert raised.value.problem == "has no column 'Finish' (for end); its columns: '\\ufeffVendor ', 'TOTAL', 'Start'"


def test_resolving_needs_a_supplier_and_a_value_or_start():
    header = ["Vendor", "Total"]
    with pytest.raises(InputError, match="the mapping names no supplier column"):
        resolve(Mapping(value="Total"), header, "own.csv")
    with pytest.raises(InputError, match="neither a value nor a start date"):
        resolve(Mapping(supplier="Vendor"), header, "own.csv")


def test_a_file_without_a_buyer_column_takes_the_buyer_given():
    mapping = resolve(Mapping(supplier="Vendor", value="Total", start="Start"), ["Vendor", "Total", "Start"], "own.csv")
    row = TabularRow(REGISTER, "own.csv", 2, {"Vendor": "Fen Works Ltd", "Total": "1,000", "Start": "01/04/2024"})
    r = award_row(to_release(row, mapping, "Lincoln City Council"))
    assert (r["buyer_name_published"], r["supplier_name"], r["value_gbp"], r["award_date"]) == (
        "Lincoln City Council", "Fen Works Ltd", 1000.0, date(2024, 4, 1))
    with pytest.raises(CellError, match="^no buyer"):
        to_release(row, mapping, None)


# --- the real Salford register -------------------------------------------------------------

_BLANK = {"", "-", "n/a", "tbc"}
_POSTCODE = re.compile(r"^([A-Z]{1,2}[0-9][A-Z0-9]?)([0-9][A-Z]{2})$")


def own_amount(text: str) -> float | None:
    t = text.strip()
    return None if t.lower() in _BLANK else float(t.replace(",", "").replace("£", ""))


def own_day(text: str) -> date | None:
    t = text.strip()
    if t.lower() in _BLANK:
        return None
    try:
        return date.fromisoformat(t)
    except ValueError:
        return datetime.strptime(t, "%d/%m/%Y").date()


def own_size(text: str) -> str:
    return {"yes": "SME", "no": "Large", "": "Unknown"}[text.strip().lower()]


def own_postcode(text: str) -> str | None:
    found = _POSTCODE.match(re.sub(r"\s+", "", text).upper())
    return f"{found[1]} {found[2]}" if found else None


def own_reading(cells: dict) -> tuple[tuple | None, set[str]]:
    """What the row states (supplier, size, value, award date, postcode, company number),
    or the columns the parsers above cannot read."""
    readers = {"Total Contract Value (including extensions)": own_amount, "Start Date": own_day,
               "End Date": own_day, "SME Supplier?": own_size}
    read, bad = {}, set()
    for column, reader in readers.items():
        try:
            read[column] = reader(cells[column])
        except (ValueError, KeyError):
            bad.add(column)
    if bad:
        return None, bad
    number = cells["Company Number"].strip()
    company = number.zfill(8) if number.isdigit() and number.strip("0") else (
        number if re.fullmatch(r"[A-Z]{2}[0-9]{6}", number) else None)
    name = " ".join(cells["Supplier Company Name"].replace("\\n", " ").split())
    return (name, read["SME Supplier?"], read["Total Contract Value (including extensions)"], read["Start Date"],
            own_postcode(cells["Supplier Postcode"]), company), set()


@pytest.mark.realdata
def test_salfords_register_through_its_mapping_gives_the_rows_it_states():
    if not SALFORD.is_file():
        pytest.skip(f"{SALFORD} is absent")
    header, rows = table(SALFORD, encoding="utf-8-sig")
    assert len(rows) == 360 and not registers.recognises_lga(header)
    mapping = resolve(load_mapping(SALFORD_MAP), header, SALFORD.name)
    expected, unreadable, found, failed = {}, {}, {}, {}
    for row in rows:
        stated, bad = own_reading(row.cells)
        if bad:
            unreadable[row.line] = bad
        else:
            expected[row.line] = stated
        try:
            release = to_release(row, mapping, "Salford City Council")
        except CellError as error:
            failed[row.line] = str(error)
            continue
        r = award_row(release)
        assert r["buyer_council_code"] == "SLF" and r["contract_start"] == r["award_date"]
        found[row.line] = (r["supplier_name"], r["supplier_size"], r["award_value_gbp"], r["award_date"],
                           r["supplier_postcode"], r["supplier_id"] if r["supplier_id_scheme"] == "GB-COH" else None)
    assert set(failed) == set(unreadable) and len(failed) < 0.05 * len(rows)
    assert all(error.split(":")[0] in unreadable[line] for line, error in failed.items())
    assert found == expected
    assert sum(v[2] or 0 for v in found.values()) == pytest.approx(sum(v[2] or 0 for v in expected.values()), rel=1e-12)
    sizes = Counter(v[1] for v in found.values())
    stated = Counter(row.cells["SME Supplier?"].strip() for row in rows if row.line in expected)
    assert (sizes["SME"], sizes["Large"], sizes["Unknown"]) == (stated["Yes"], stated["No"], stated[""])
    postcodes = Counter(v[4] for v in found.values())
    assert postcodes == Counter(own_postcode(row.cells["Supplier Postcode"]) for row in rows if row.line in expected)
