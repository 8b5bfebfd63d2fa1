"""`python -m loaders import FILE.csv|FILE.xlsx`: a Contracts Finder export and council
registers into the store, rows kept verbatim, bad rows reported one by one, an award in a
table and in a notice counted once."""

import csv
import json
from pathlib import Path

import duckdb
import pytest
import xlsxwriter

from loaders import cli
from loaders.errors import InputError
from loaders.storage import loading
from loaders.tabular import cf_export, registers
from loaders.tabular.importing import Columns, import_tables
from ui.registry import PAGES
from tests.ocds_factory import award, buyer, party, release, write_package

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
PACKED = "Supplier [Name|Address|Ref type|Ref Number|Is SME|Is VCSE]"
CF_HEADER = ["Notice Identifier", "Notice Type", "Organisation Name", "Status", "Published Date", "Title",
             "Description", "Postcode", "Region", "Cpv Codes", "Contact Town", "Contact Postcode",
             "Contact Country", "Start Date", "End Date", "Awarded Date", "Awarded Value", PACKED,
             "Contract start date", "Contract end date"]
LGA_HEADER = ["Organisation name", "Contract Reference number / ID", "Title of the Agreement", "Contract start date",
              "End date", "Contract value", "Supplier name", "Supplier registered company number",
              "Supplier registered charity number", "SME supplier", "VCSE supplier", "Supplier postcode"]


def cf_row(ident, value="120000", suppliers="[Fen Works Ltd|1 High Street, Lincoln, LN2 5AA|NONE||Yes|No]",
           status="Awarded", date="01/05/2024"):
    return {"Notice Identifier": ident, "Notice Type": "Contract", "Organisation Name": "Lincoln City Council",
            "Status": status, "Published Date": "2024-05-02T10:00:00Z", "Title": f"Works {ident}",
            "Description": "Grounds", "Region": "East Midlands", "Cpv Codes": "77310000", "Contact Town": "Lincoln",
            "Contact Postcode": "LN1 1DD", "Contact Country": "England", "Start Date": "01/06/2024",
            "End Date": "31/05/2025", "Awarded Date": date, "Awarded Value": value, PACKED: suppliers,
            "Contract start date": "01/06/2024", "Contract end date": "31/05/2025"}


def write_csv(path: Path, header, rows) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=header)
        writer.writeheader()
        writer.writerows(rows)
    return path


def held(path, sql, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute(sql, list(params)).fetchall()


def test_a_contracts_finder_export_loads_its_awards_and_keeps_its_rows(tmp_path):
    file = write_csv(tmp_path / "export.csv", CF_HEADER, [
        cf_row("LINC-001"),
        cf_row("LINC-002", value="£90,000", suppliers="[Alpha Care CIC|2 Mill Lane,\nLincoln | Unit 4, LN5 7AB|NONE||No|Yes]"
                                                      "[Beta Roads Ltd|3 Quay St, Boston PE21 6AA|COMPANIES_HOUSE|01234567|No|No]"),
        cf_row("LINC-003", status="Closed"),
    ])
    path = tmp_path / "store.duckdb"
    report = import_tables([file], path)
    assert (report.releases_read, report.releases_new) == (2, 2)
    rows = held(path, "SELECT source, supplier_name, supplier_size, supplier_vcse, supplier_postcode, value_gbp, "
                      "award_date FROM awards ORDER BY supplier_name")
    assert [(r[0], r[1], r[2], r[3], r[4], r[5], str(r[6])) for r in rows] == [
        ("contracts-finder-csv", "Alpha Care CIC", "Large", True, "LN5 7AB", 45_000.0, "2024-05-01"),
        ("contracts-finder-csv", "Beta Roads Ltd", "Large", False, "PE21 6AA", 45_000.0, "2024-05-01"),
        ("contracts-finder-csv", "Fen Works Ltd", "SME", False, "LN2 5AA", 120_000.0, "2024-05-01")]
    kept = held(path, "SELECT kind, file, line, cells FROM tabular_rows ORDER BY line")
    assert [(k, f, line) for k, f, line, _ in kept] == [("contracts-finder-csv", str(file), n) for n in (2, 3, 4)]
    assert json.loads(kept[1][3])[PACKED].startswith("[Alpha Care CIC|2 Mill Lane,\nLincoln | Unit 4")  # verbatim
    again = import_tables([file], path)  # the same file twice changes nothing
    assert again.releases_new == 0 and held(path, "SELECT count(*) FROM tabular_rows") == [(3,)]
    assert held(path, "SELECT count(*) FROM awards") == [(3,)]


def test_a_half_bad_file_loads_the_good_rows_and_names_each_bad_one(tmp_path):
    file = write_csv(tmp_path / "export.csv", CF_HEADER, [cf_row("A-1"), cf_row("A-2", value="12x"),
                                                           cf_row("A-3", date="31/02/2024")])
    path = tmp_path / "store.duckdb"
    import_tables([file], path)
    assert held(path, "SELECT count(*) FROM awards") == [(1,)]
    details = [d for (d,) in held(path, "SELECT detail FROM quality_events WHERE kind = 'row_not_read' ORDER BY 1")]
    assert len(details) == 2
    assert details[0].startswith(f"{file} line 3: Awarded Value") and details[1].startswith(f"{file} line 4: Awarded Date")
    loading.rebuild(path)  # how the file was read is kept through a rebuild
    assert len(held(path, "SELECT * FROM quality_events WHERE kind = 'row_not_read'")) == 2
    assert held(path, "SELECT count(*) FROM awards") == [(1,)]


def test_a_file_with_nothing_usable_fails_and_leaves_the_store_as_it_was(tmp_path):
    path = tmp_path / "store.duckdb"
    import_tables([write_csv(tmp_path / "good.csv", CF_HEADER, [cf_row("G-1")])], path)
    before = held(path, "SELECT content_hash FROM releases ORDER BY 1")
    bad = write_csv(tmp_path / "bad.csv", CF_HEADER, [cf_row("B-1", value="abc"), cf_row("B-2", value="?")])
    with pytest.raises(InputError, match=r"bad.csv: has no usable rows \(2 read; first problem: Awarded Value"):
        import_tables([bad], path)
    assert held(path, "SELECT content_hash FROM releases ORDER BY 1") == before
    unknown = write_csv(tmp_path / "other.csv", ["Vendor", "Amount"], [{"Vendor": "X", "Amount": "1"}])
    with pytest.raises(InputError, match=r"other.csv: is a table that is neither .* \(its columns: Vendor, Amount\)"):
        import_tables([unknown], path)


def test_an_export_row_of_a_notice_already_held_is_counted_once(tmp_path):
    path = tmp_path / "store.duckdb"
    lincoln = buyer()
    fen = party("GB-CFS-9", "Fen Works Ltd", street="1 High Street, Lincoln, LN2 5AA", scale="sme")
    notice = release(ocid="ocds-b5fd17-aaaa", rid="ocds-b5fd17-aaaa-1", buyer_party=lincoln, parties=[fen],
                     awards=[award("1", [fen], amount=120_000.0, date="2024-05-01T00:00:00Z")],
                     tender={"id": "LINC-001", "title": "Works"})
    loading.import_files([write_package(tmp_path / "notices.json", [notice])], path)
    import_tables([write_csv(tmp_path / "export.csv", CF_HEADER, [cf_row("LINC-001"), cf_row("LINC-009", value="5000")])],
                  path)
    rows = dict(held(path, "SELECT source || ':' || ocid, duplicate_of FROM awards"))
    assert rows["contracts-finder-csv:cf-csv-LINC-001"] == "ocds-b5fd17-aaaa|1"
    assert rows["contracts-finder-csv:cf-csv-LINC-009"] is None and rows["contracts-finder:ocds-b5fd17-aaaa"] is None
    (event,) = held(path, "SELECT detail FROM quality_events WHERE kind = 'same_as_notice'")
    assert event == ("the notice ocds-b5fd17-aaaa|1 has the same notice identifier",)
    status = {row[0]: row[3] for row in held(path, """SELECT source, count(*), 0, count(*) FILTER (duplicate_of IS NOT NULL)
                                                     FROM awards GROUP BY 1""")}
    assert status == {"contracts-finder": 0, "contracts-finder-csv": 1}


def test_a_register_row_that_is_also_a_notice_is_counted_once_and_xlsx_loads(tmp_path):
    path = tmp_path / "store.duckdb"
    import_tables([write_csv(tmp_path / "export.csv", CF_HEADER, [cf_row("LINC-001")])], path)
    book = tmp_path / "register.xlsx"
    workbook = xlsxwriter.Workbook(str(book))
    sheet = workbook.add_worksheet()
    sheet.write_row(0, 0, LGA_HEADER)
    sheet.write_row(1, 0, ["Lincoln City Council", "R-1", "Grounds", "03/05/2024", "31/05/2025", "£120,000.00",
                           "FEN WORKS LIMITED", "", "", "Yes", "No", "LN2 5AA"])
    sheet.write_row(2, 0, ["Lincoln City Council", "R-2", "Cleaning", "2023-04-01", "", "8,500",
                           "Sparkle Cleaning", "", "1100001", "", "Yes", "LN6 3QQ"])
    workbook.close()
    import_tables([book], path)
    rows = dict(held(path, "SELECT supplier_name, duplicate_of FROM awards WHERE source = 'council-register'"))
    assert rows == {"FEN WORKS LIMITED": "cf-csv-LINC-001|1", "Sparkle Cleaning": None}
    (vcse,) = held(path, "SELECT supplier_vcse FROM awards WHERE supplier_name = 'Sparkle Cleaning'")
    assert vcse == (True,)


def test_the_command_takes_a_mapping_and_a_buyer_and_refuses_a_mix(tmp_path, capsys):
    file = write_csv(tmp_path / "own.csv", ["Vendor", "Total", "Start"],
                     [{"Vendor": "Fen Works Ltd", "Total": "1,000", "Start": "01/04/2024"}])
    path = tmp_path / "store.duckdb"
    cli.main(["import", "--quiet", "--store", str(path), str(file), "--column", 'supplier="Vendor"',
              "--column", "value=Total", "--column", "start=Start", "--buyer", "Lincoln City Council",
              "--url", "https://www.lincoln.gov.uk/contracts-register"])
    assert held(path, "SELECT buyer_name, supplier_name, value_gbp, notice_url FROM awards") == [
        ("City of Lincoln Council", "Fen Works Ltd", 1000.0,  # the register's name for it
         "https://www.lincoln.gov.uk/contracts-register")]
    assert cli.main(["import", "--quiet", "--store", str(path), str(file), "--url", "lincoln.gov.uk"]) == 2
    assert "lincoln.gov.uk: is not a web address" in capsys.readouterr().err
    json_file = write_package(tmp_path / "n.json", [])
    assert cli.main(["import", "--quiet", "--store", str(path), str(file), str(json_file)]) == 2
    assert "mixes tables and OCDS files" in capsys.readouterr().err


@pytest.mark.realdata
def test_the_real_export_and_register_load_once_each(tmp_path):
    export = DATA / "contracts-finder-csv" / "cf_search_export_2020_awarded.csv"
    register = DATA / "council-registers" / "salford_contracts_register_2022-07.csv"
    mapping = Path(__file__).resolve().parents[1] / "docs" / "mappings" / "salford.toml"
    if not (export.exists() and register.exists()):
        pytest.skip("real samples not present")
    with open(export, encoding="utf-8-sig", newline="") as handle:
        notices = [row for row in csv.DictReader(handle) if row["Status"] == "Awarded"]
    with open(register, encoding="utf-8-sig", newline="") as handle:
        contracts = list(csv.DictReader(handle))
    path = tmp_path / "store.duckdb"
    import_tables([export], path)
    import_tables([register], path, Columns(mapping_file=mapping, buyer="Salford City Council"))
    by_source = dict(held(path, "SELECT source, count(DISTINCT ocid) FROM awards GROUP BY 1"))
    assert by_source["contracts-finder-csv"] == len({r["Notice Identifier"].strip() for r in notices})
    # A register row is one contract with one supplier: every row is an award row or a row not read.
    (register_rows,) = held(path, "SELECT count(*) FROM awards WHERE source = 'council-register'")
    (not_read,) = held(path, "SELECT count(*) FROM quality_events WHERE kind = 'row_not_read'")
    assert register_rows[0] + not_read[0] == len(contracts) and not_read[0] < len(contracts) // 10
    assert held(path, "SELECT DISTINCT buyer_name FROM awards WHERE source = 'council-register'") == [
        ("Salford City Council",)]
    values = [float(r["Awarded Value"]) for r in notices if r["Awarded Value"].strip()]
    total = sum(v for v in values if v <= 1e9)  # value totals leave out awards over £1bn (flagged)
    (stored,) = held(path, "SELECT sum(value_gbp) FROM awards WHERE source = 'contracts-finder-csv'")
    assert stored[0] == pytest.approx(total, rel=1e-9)
    before = held(path, "SELECT count(*) FROM awards")
    import_tables([export], path)  # again: nothing added
    assert held(path, "SELECT count(*) FROM awards") == before
    assert cf_export.recognises(list(notices[0])) and not registers.recognises_lga(list(contracts[0]))


@pytest.fixture(scope="module")
def table_store(tmp_path_factory) -> Path:
    """The real Contracts Finder notices, the real export and Salford's register in one store,
    geocoded offline with the sector lookup (skipped when the samples are absent)."""
    export = DATA / "contracts-finder-csv" / "cf_search_export_2020_awarded.csv"
    register = DATA / "council-registers" / "salford_contracts_register_2022-07.csv"
    sectors = DATA / "geography" / "postcode_sector_centroids_lad.csv.gz"
    notices = sorted((DATA / "contracts-finder").glob("*.json"))
    if not (export.exists() and register.exists() and sectors.exists() and notices):
        pytest.skip("real samples not present")
    path = tmp_path_factory.mktemp("tables") / "tables.duckdb"
    loading.import_files(notices, path, [sectors])
    import_tables([export], path, lookups=[sectors])
    import_tables([register], path, Columns(Path(__file__).resolve().parents[1] / "docs" / "mappings" / "salford.toml",
                                            buyer="Salford City Council"), [sectors])
    return path


@pytest.mark.realdata
@pytest.mark.parametrize("page", [p.module for p in PAGES])
def test_every_page_runs_on_the_real_tables(open_page, table_store, page):
    app = open_page(table_store, page)
    assert not app.exception and app.title


@pytest.mark.realdata
def test_salford_from_its_register_alone(open_page, table_store):
    (expected,) = held(table_store, """SELECT count(DISTINCT award_id || ocid) FROM awards
                                       WHERE source = 'council-register' AND duplicate_of IS NULL""")
    app = open_page(table_store, "overview", source=["council-register"])
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Awards"] == f"{expected[0]:,}"
    data = open_page(table_store, "data")
    sources = data.dataframe[0].value
    assert "council-register" in set(sources.iloc[:, 0])
