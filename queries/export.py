"""Downloads that spreadsheets cannot turn against their users."""

import io
from datetime import datetime, timezone

import pandas as pd

from loaders.definitions import CAVEATS, DEFINITIONS

# A text cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix formula-like text cells with an apostrophe; numbers stay numbers."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV, formula-safe."""
    buffer = io.StringIO()
    neutralise(frame).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")


LICENCE = ("Contains public sector information licensed under the Open Government Licence v3.0 "
           "(Contracts Finder, Find a Tender, ONS geography).")


def about(filters_text: str, source_text: str) -> pd.DataFrame:
    """The About sheet: where the figures come from, under what licence, filtered how, defined how."""
    rows = [("Source", source_text), ("Licence", LICENCE), ("Filters", filters_text),
            ("Generated", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"))]
    rows += [(f"Definition: {name}", text) for name, text in DEFINITIONS.items()]
    rows.append(("Caveat", CAVEATS))
    return pd.DataFrame(rows, columns=["item", "value"])


def xlsx_bytes(frame: pd.DataFrame, about_sheet: pd.DataFrame) -> bytes:
    """The frame as an XLSX workbook (sheet "Data") with an "About" sheet; never formulas."""
    buffer = io.BytesIO()
    options = {"strings_to_formulas": False, "strings_to_urls": False}
    with pd.ExcelWriter(buffer, engine="xlsxwriter", engine_kwargs={"options": options}) as writer:
        neutralise(frame).to_excel(writer, sheet_name="Data", index=False)
        neutralise(about_sheet).to_excel(writer, sheet_name="About", index=False)
    return buffer.getvalue()
