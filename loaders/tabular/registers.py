"""Council contracts registers, one row per contract, as OCDS releases.

Councils publish their registers under the Local Government Transparency Code. Many follow
the Local Government Association's contracts register schema (`LGA`, recognised from the
header); others name their own columns, and a mapping says which column holds which field
(`Mapping`: a TOML file's `[columns]` table, or `field="Header"` options). Each row becomes
one release in the shape the OCDS normaliser reads (loaders.normalising.normalise), so that
its award row follows the same rules as a notice's: size and VCSE only as the register
states them for the supplier, a registered number where it gives one.

A row is one contract with one supplier. Rows that share a contract reference (each
supplier of a framework, an extension on its own row) are awards of one contracting
process: one ocid, an award each.
"""

import re
import tomllib
from dataclasses import dataclass, fields
from pathlib import Path

from loaders.errors import InputError
from loaders.tabular import cells
from loaders.tabular.rows import TabularRow

FIELDS = ("buyer", "reference", "title", "description", "start", "end", "value", "supplier",
          "company_number", "charity_number", "sme", "vcse", "supplier_postcode")

# The LGA contracts register schema. Its columns "Organisation code", "Procurement
# category" and "Review date" are allowed but not read.
LGA = {
    "buyer": "Organisation name",
    "reference": "Contract Reference number / ID",
    "title": "Title of the Agreement",
    "description": "Description of the goods or services",
    "start": "Contract start date",
    "end": "End date",
    "value": "Contract value",
    "supplier": "Supplier name",
    "company_number": "Supplier registered company number",
    "charity_number": "Supplier registered charity number",
    "sme": "SME supplier",
    "vcse": "VCSE supplier",
    "supplier_postcode": "Supplier postcode",
}
LGA_OPTIONAL = frozenset({"description", "supplier_postcode"})
LGA_ALSO = {"reference": ("Contract reference number",)}  # other headers the schema's files use

OCID_PREFIX = "register-"
NO_BUYER = "no buyer: the file names none on this row; give --buyer"
# A byte-order mark, and the same mark decoded as windows-1252 and saved again as UTF-8
# ("ï»¿", as Salford's register begins).
_BOMS = ("\ufeff", "\u00ef\u00bb\u00bf")
_COMPANY = re.compile(r"^(?:\d{1,8}|[A-Z]{2}\d{1,6})$")  # Companies House: 8 digits, or SC/NI/OC... and 6
_CHARITIES = ((re.compile(r"^\d{6,8}(?:-\d{1,2})?$"), "GB-CHC"), (re.compile(r"^SC\d{6}$"), "GB-SC"))
_OPTION = re.compile(r"^\s*(?P<field>\w+)\s*=\s*(?P<header>.*?)\s*$", re.DOTALL)


@dataclass(frozen=True)
class Mapping:
    """Which column of the file holds each field (its header as the file spells it), None
    for a field the file does not give."""
    buyer: str | None = None
    reference: str | None = None
    title: str | None = None
    description: str | None = None
    start: str | None = None
    end: str | None = None
    value: str | None = None
    supplier: str | None = None
    company_number: str | None = None
    charity_number: str | None = None
    sme: str | None = None
    vcse: str | None = None
    supplier_postcode: str | None = None

    def columns(self) -> dict[str, str]:
        """field -> header of the fields mapped."""
        return {f.name: getattr(self, f.name) for f in fields(self) if getattr(self, f.name)}


def recognises_lga(header: list[str]) -> bool:
    """Whether a table's header is the LGA schema's: every column it requires is there
    (compared without spaces around the names, a BOM or case)."""
    found = {column_key(name) for name in header}
    return all(any(column_key(name) in found for name in _lga_names(field))
               for field in LGA if field not in LGA_OPTIONAL)


def load_mapping(path: str | Path) -> Mapping:
    """The mapping a TOML file's `[columns]` table states (field = "Column header").

    Raises InputError naming the file for a file that cannot be read or is not TOML, and
    for a table that names a field there is not or a header that is not text."""
    source = str(path)
    try:
        document = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise InputError(source, f"cannot be read ({exc.strerror or exc})") from exc
    except (UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(source, f"is not a TOML file ({exc})") from exc
    extra = sorted(set(document) - {"columns"})
    if extra:
        raise InputError(source, f"holds {', '.join(map(repr, extra))}, which is not read: "
                                 "a mapping file has only a [columns] table")
    columns = document.get("columns")
    if not isinstance(columns, dict):
        raise InputError(source, 'has no [columns] table (field = "Column header", one a line)')
    for field, header in columns.items():
        _check_field(source, field)
        if not isinstance(header, str) or not header.strip():
            raise InputError(source, f'[columns] {field} is not a column header in quotes ({field} = "Header")')
    return Mapping(**{field: header.strip() for field, header in columns.items()})


def mapping_from_options(options: list[str]) -> dict:
    """{field: header} from `supplier="Supplier Company Name"` options (quotes optional);
    a field given twice takes its last header. InputError for an option that is not
    field=header or names a field there is not."""
    found = {}
    for option in options:
        match = _OPTION.match(option)
        if not match:
            raise InputError("--column", f'{option!r} is not field="Column header"')
        field, header = match["field"].lower(), _unquoted(match["header"])
        _check_field("--column", field)
        if not header:
            raise InputError("--column", f"{option!r} names no column header")
        found[field] = header
    return found


def resolve(mapping: Mapping, header: list[str], name: str) -> Mapping:
    """The mapping with each column as the file's header spells it, matched without spaces
    around the names, a BOM or case. A column the LGA schema names keeps the schema's
    allowances: its other header for the reference, and its optional columns may be absent.

    Raises InputError naming the file (`name`), each field whose column is missing and the
    file's columns; and when no supplier, or neither a value nor a start date, is mapped."""
    by_key = {column_key(column): column for column in header if column}
    shown = ", ".join(map(repr, header))
    found, missing = {}, []
    for field, column in mapping.columns().items():
        as_lga = column_key(column) == column_key(LGA[field])
        names = _lga_names(field) if as_lga else (column,)
        spelt = next((by_key[column_key(n)] for n in names if column_key(n) in by_key), None)
        if spelt:
            found[field] = spelt
        elif not (as_lga and field in LGA_OPTIONAL):
            missing.append(f"{column!r} (for {field})")
    if missing:
        raise InputError(name, f"has no column {' nor '.join(missing)}; its columns: {shown}")
    if "supplier" not in found:
        raise InputError(name, f'the mapping names no supplier column: give supplier="Header" (its columns: {shown})')
    if "value" not in found and "start" not in found:
        raise InputError(name, "the mapping names neither a value nor a start date column: give "
                               f'value="Header" or start="Header" (its columns: {shown})')
    return Mapping(**found)


def to_release(row: TabularRow, mapping: Mapping, buyer: str | None) -> dict:
    """The OCDS release of one contract in a register, with `mapping` resolved against the
    file's header. The buyer is the row's own (its buyer column) when it names one, else
    `buyer` (the --buyer option).

    Raises cells.CellError naming the column of a cell that cannot be read, and NO_BUYER
    when neither the row nor `buyer` names the buyer."""
    read = _Cells(row, mapping)
    buyer_name = read.text("buyer") or _clean(buyer)
    if not buyer_name:
        raise cells.CellError(NO_BUYER)
    reference = read.text("reference")
    ocid = f"{OCID_PREFIX}{slug(buyer_name)}-{reference or f'line-{row.line}'}"
    start, end = read.iso_day("start"), read.iso_day("end")
    amount = read.cell("value", cells.money)
    period = _present({"startDate": start, "endDate": end})
    # A register gives no award date: the contract's start date stands for it. The award's
    # id is the row's hash, so that the rows of one reference stay awards of their own (a
    # row exactly repeated is one award).
    award = _present({"id": row.content_hash[:12], "status": "active", "date": start,
                      "value": {"amount": amount, "currency": "GBP"} if amount is not None else None,
                      "suppliers": [_present({"id": "supplier-1", "name": read.text("supplier")})],
                      "contractPeriod": period})
    return _present({"ocid": ocid, "id": f"{ocid}-{row.content_hash[:12]}", "date": start, "tag": ["award"],
                     "buyer": {"id": "buyer", "name": buyer_name},
                     "parties": [{"id": "buyer", "name": buyer_name, "roles": ["buyer"]}, _supplier(read)],
                     "tender": _present({"id": reference, "title": read.text("title"),
                                         "description": read.text("description"), "contractPeriod": period}),
                     "awards": [award]})


def _supplier(read: "_Cells") -> dict:
    """The supplier party: its postcode as written (the normaliser reads it), its registered
    number, and the size and VCSE status the register states (absent where blank: unknown)."""
    party = _present({"id": "supplier-1", "name": read.text("supplier"), "roles": ["supplier"]})
    postcode = read.text("supplier_postcode")
    if postcode:
        party["address"] = {"postalCode": postcode}
    identifiers = [found for found in (_company(read.text("company_number")), _charity(read.text("charity_number")))
                   if found]
    if identifiers:
        party["identifier"] = identifiers[0]
    if identifiers[1:]:
        party["additionalIdentifiers"] = identifiers[1:]
    sme, vcse = read.cell("sme", cells.flag), read.cell("vcse", cells.flag)
    details = _present({"scale": None if sme is None else ("sme" if sme else "large"), "vcse": vcse})
    if details:
        party["details"] = details
    return party


def _company(text: str | None) -> dict | None:
    """A Companies House number (leading zeros may be dropped: the normaliser pads them).
    Anything else in the cell ("Registered Charity", two numbers, a foreign register's) is
    not read as one, and is no error either: the supplier is then known by its name, and a
    side column never loses the contract."""
    number = re.sub(r"\s+", "", text or "").upper()
    if _COMPANY.match(number) and re.search(r"[1-9]", number):
        return {"scheme": "GB-COH", "id": number}
    return None


def _charity(text: str | None) -> dict | None:
    """A Charity Commission (England and Wales) or OSCR (Scotland) number; else, as for a
    company number, nothing."""
    number = re.sub(r"\s+", "", text or "").upper()
    for pattern, scheme in _CHARITIES:
        if pattern.match(number) and re.search(r"[1-9]", number):
            return {"scheme": scheme, "id": number}
    return None


class _Cells:
    """A row's cells by field, through the resolved mapping; each reader's error prefixed
    with the column it came from."""

    def __init__(self, row: TabularRow, mapping: Mapping):
        self._row, self._columns = row, mapping.columns()

    def raw(self, field: str) -> str:
        column = self._columns.get(field)
        return (self._row.cells.get(column) or "") if column else ""

    def text(self, field: str) -> str | None:
        return _clean(self.raw(field))

    def cell(self, field: str, reader):
        try:
            return reader(self.raw(field))
        except cells.CellError as error:
            raise cells.CellError(f"{self._columns[field]}: {error}") from None

    def iso_day(self, field: str) -> str | None:
        found = self.cell(field, cells.day)
        return found.isoformat() if found else None


def _clean(text: str | None) -> str | None:
    """A text cell as a person reads it: line breaks (also typed as a literal \\n, as in
    Salford's supplier names) and runs of spaces made one space; None when blank."""
    if cells.blank(text):
        return None
    return " ".join(re.sub(r"\\[rn]", " ", str(text)).split()) or None


def slug(name: str) -> str:
    """"Salford City Council" -> "salford-city-council", for ocids."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


def column_key(name: str) -> str:
    """A header as compared: without a BOM, surrounding spaces, runs of spaces or case."""
    text = str(name)
    for bom in _BOMS:
        text = text.replace(bom, "")
    return " ".join(text.split()).casefold()


def _lga_names(field: str) -> tuple[str, ...]:
    return (LGA[field], *LGA_ALSO.get(field, ()))


def _check_field(source: str, field: str) -> None:
    if field not in FIELDS:
        raise InputError(source, f"{field!r} is not a field of a register row (the fields: {', '.join(FIELDS)})")


def _unquoted(text: str) -> str:
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "\"'":
        text = text[1:-1]
    return text.strip()


def _present(entries: dict) -> dict:
    """The entries that hold something: a blank cell is absent, never stated as empty."""
    return {key: value for key, value in entries.items() if value not in (None, "", {}, [])}
