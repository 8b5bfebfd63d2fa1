"""Reading tables from files: CSV (UTF-8, or windows-1252 as spreadsheets often save it) and
XLSX (the first sheet), each row handed on as a TabularRow with its cells as text.

A file is read row by row; only its header is looked at before the store is touched (by
`header`), so that a file that is not a table, or a table no reader recognises, fails at once
with one line naming the file.
"""

import csv
import io
from datetime import date, datetime
from pathlib import Path
from typing import Iterator

from loaders.errors import InputError
from loaders.tabular.rows import TabularRow

TABLE_SUFFIXES = (".csv", ".xlsx")
# A byte order mark, and the same mark saved twice over (read as windows-1252 and written as
# UTF-8 again: Salford's register begins so).
_BOMS = ("\ufeff", "\u00ef\u00bb\u00bf")


def is_table(path: str | Path) -> bool:
    """A file the tabular import reads (by its extension), rather than OCDS JSON."""
    return Path(path).suffix.lower() in TABLE_SUFFIXES


def header(path: str | Path) -> list[str]:
    """The column names of a table file; InputError if it has none or cannot be read."""
    for columns in _records(Path(path)):
        return columns
    raise InputError(str(path), "is empty (no header row)")


def rows(path: str | Path, kind: str) -> Iterator[TabularRow]:
    """Every data row that has any text, with its line in the sheet (the header is line 1)."""
    records = _records(Path(path))
    columns = next(records, None)
    if columns is None:
        raise InputError(str(path), "is empty (no header row)")
    for line, record in enumerate(records, start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = {name: record[i] if i < len(record) else "" for i, name in enumerate(columns) if name}
        yield TabularRow(kind, str(path), line, cells)


def _records(path: Path) -> Iterator[list[str]]:
    """The rows of the file as lists of text, the header first, names stripped of spaces and a BOM."""
    if not path.is_file():
        raise InputError(str(path), "no such file")
    reader = _xlsx_records(path) if path.suffix.lower() == ".xlsx" else _csv_records(path)
    first = True
    for record in reader:
        if first:
            record = [_without_bom(name).strip() for name in record]
            if not any(record):
                raise InputError(str(path), "has no column names on its first line")
            first = False
        yield record


def _without_bom(name: str) -> str:
    for mark in _BOMS:
        name = name.removeprefix(mark)
    return name


def _csv_records(path: Path) -> Iterator[list[str]]:
    """CSV rows; a file that is not UTF-8 is read as windows-1252, as Excel saves CSV."""
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("cp1252", errors="replace")
    if "\x00" in text:
        raise InputError(str(path), "is not a CSV file (it holds binary data)")
    try:
        yield from csv.reader(io.StringIO(text, newline=""))
    except csv.Error as exc:
        raise InputError(str(path), f"is not a readable CSV file ({exc})") from exc


def _xlsx_records(path: Path) -> Iterator[list[str]]:
    """The first sheet's rows, every cell as the text a person would read in it."""
    from openpyxl import load_workbook  # only XLSX imports need it
    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a file that is not XLSX
        raise InputError(str(path), f"is not a readable XLSX file ({type(exc).__name__}: {exc})") from exc
    try:
        for values in book.worksheets[0].iter_rows(values_only=True):
            yield [_text(value) for value in values]
    finally:
        book.close()


def _text(value) -> str:
    """An XLSX cell as text: dates as ISO dates, whole numbers without a decimal point."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
