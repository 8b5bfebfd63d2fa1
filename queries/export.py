"""Downloads that spreadsheets cannot turn against their users: the app's (CSV and XLSX of
a frame) and `python -m loaders export` (the whole awards table, CSV or Parquet)."""

import io
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb
import pandas as pd

from loaders.definitions import CAVEATS, DEFINITIONS
from loaders.errors import InputError

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


# What `export_awards` writes, by the file name's extension (none: CSV).
EXPORT_FORMATS = {".csv": "CSV", "": "CSV", ".parquet": "Parquet"}
EXPORT_CHUNK_VECTORS = 50  # of 2,048 rows: the CSV is written 102,400 rows at a time


@dataclass(frozen=True)
class ExportReport:
    """What an export wrote: rows, format, and the text cells a spreadsheet would run as
    formulas (CSV: neutralised, or written as stored with raw; None for Parquet)."""
    rows: int
    format: str
    formula_cells: int | None


def export_awards(con, out: Path, raw: bool = False) -> ExportReport:
    """Write every column of awards to `out`, by its extension: Parquet (as stored, through
    DuckDB: analysis tools read it, spreadsheets do not run it), else CSV neutralised as the
    app's downloads are unless `raw`. Written beside `out` and moved over it, so a failed
    export leaves `out` as it was; a path that cannot be written is an InputError."""
    kind = export_format(out)
    part = out.with_name(out.name + ".part")
    query = "SELECT * FROM awards ORDER BY award_key"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        if kind == "Parquet":
            con.execute(f"COPY ({query}) TO '{_sql_path(part)}' (FORMAT parquet)")
            report = ExportReport(con.execute("SELECT count(*) FROM awards").fetchall()[0][0], kind, None)
        else:
            report = _write_csv(con.execute(query), part, raw)
        os.replace(part, out)
        return report
    except (OSError, duckdb.IOException) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc).splitlines()[0]
        raise InputError(str(out), f"cannot be written ({reason})") from None
    finally:
        if part.exists():  # False, not an error, where the folder could not be made
            part.unlink()


def export_format(out: Path) -> str:
    """The format `out` names; InputError for a directory or an extension of no format."""
    if out.is_dir():
        raise InputError(str(out), "is a directory: give a file name, such as awards.csv or awards.parquet")
    kind = EXPORT_FORMATS.get(out.suffix.lower())
    if kind is None:
        raise InputError(str(out), f"'{out.suffix}' is not an export format: end the name in .csv or .parquet")
    return kind


def _write_csv(result, part: Path, raw: bool) -> ExportReport:
    """The query's rows as CSV, a chunk at a time, each neutralised unless `raw`."""
    rows = cells = 0
    with open(part, "w", newline="", encoding="utf-8") as handle:
        chunk, header = result.fetch_df_chunk(EXPORT_CHUNK_VECTORS), True
        while header or len(chunk):
            safe = neutralise(chunk)
            cells += _changed_cells(chunk, safe)
            (chunk if raw else safe).to_csv(handle, index=False, header=header)
            rows, header = rows + len(chunk), False
            chunk = result.fetch_df_chunk(EXPORT_CHUNK_VECTORS)
    return ExportReport(rows, "CSV", cells)


def _changed_cells(before: pd.DataFrame, after: pd.DataFrame) -> int:
    """How many cells neutralising changed (compared only in the columns it changed)."""
    return sum(int((before[c].notna() & (before[c] != after[c])).sum())
               for c in before.columns if not before[c].equals(after[c]))


def _sql_path(path: Path) -> str:
    """A path as a SQL string literal body (COPY ... TO takes no bound parameter)."""
    return str(path).replace("'", "''")
