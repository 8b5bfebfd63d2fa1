"""Downloads: CSV and XLSX of a chart's data, formula-safe, with an About sheet."""

import io
import zipfile

import pandas as pd

from loaders.definitions import DEFINITIONS
from queries.export import LICENCE, about, csv_bytes, neutralise, xlsx_bytes

FRAME = pd.DataFrame({"supplier_name": ["=HYPERLINK(\"x\")", "+cmd", "-1+1", "@SUM(A1)", "\tTab", "Fen Works Ltd"],
                      "value_gbp": [1.5, -2.0, 3.0, 4.0, 5.0, 6.0]})


def test_formula_like_text_is_neutralised_and_numbers_stay_numbers():
    safe = neutralise(FRAME)
    assert safe["supplier_name"].tolist()[:5] == ["'=HYPERLINK(\"x\")", "'+cmd", "'-1+1", "'@SUM(A1)", "'\tTab"]
    assert safe["supplier_name"].iloc[5] == "Fen Works Ltd"
    assert safe["value_gbp"].tolist() == FRAME["value_gbp"].tolist()  # -2.0 is a number, untouched


def test_csv_round_trips_values():
    back = pd.read_csv(io.BytesIO(csv_bytes(FRAME)))
    assert back["value_gbp"].tolist() == FRAME["value_gbp"].tolist()
    assert back["supplier_name"].iloc[0].startswith("'=")


def test_xlsx_has_data_and_about_sheets_and_no_formulas():
    book = zipfile.ZipFile(io.BytesIO(xlsx_bytes(FRAME, about("buyer: Leeds City Council", "contracts-finder"))))
    workbook = book.read("xl/workbook.xml").decode()
    assert 'name="Data"' in workbook and 'name="About"' in workbook
    sheets = "".join(book.read(n).decode() for n in book.namelist() if n.startswith("xl/worksheets/"))
    assert "<f>" not in sheets  # no cell is a formula
    strings = book.read("xl/sharedStrings.xml").decode()
    assert "'=HYPERLINK" in strings
    assert "buyer: Leeds City Council" in strings and "Open Government Licence" in strings
    assert "<v>-2</v>" in sheets  # numbers stay numbers


def test_about_sheet_states_source_licence_filters_and_definitions():
    sheet = about("no filters (all awards)", "demo notices")
    items = dict(zip(sheet["item"], sheet["value"]))
    assert items["Licence"] == LICENCE and items["Filters"] == "no filters (all awards)"
    assert items["Source"] == "demo notices" and items["Generated"].endswith("UTC")
    assert all(items[f"Definition: {name}"] == text for name, text in DEFINITIONS.items())
