"""The Contracts Finder website's CSV search export, one row per notice, as OCDS releases.

The export is what a user downloads from a search on the Contracts Finder site (at most
1,000 rows a file). Each awarded notice becomes one release in the shape the OCDS normaliser
reads (loaders.normalising.normalise), so that its award rows follow the same rules as the
rows of the OCDS API: one row per distinct supplier, the value split among them, size and
VCSE only as each supplier declared them.

Every supplier of a notice is packed into one cell, as bracketed blocks
`[Name|Address|Ref type|Ref Number|Is SME|Is VCSE]` one after another (`suppliers`).
"""

import re
from urllib.parse import quote

from loaders.geography.postcodes import extract_postcode
from loaders.tabular import cells
from loaders.tabular.rows import TabularRow

SUPPLIER_COLUMN = "Supplier [Name|Address|Ref type|Ref Number|Is SME|Is VCSE]"
# The columns that tell this export from any other table, and that `to_release` reads.
HEADER = ("Notice Identifier", "Organisation Name", "Status", "Published Date", "Title",
          "Awarded Date", "Awarded Value", SUPPLIER_COLUMN)
OCID_PREFIX = "cf-csv-"
# An identifier that is a notice GUID names the notice's own page; for the buyer's own
# references (most of them) the only link is a search for the identifier. The search link
# form is not verified against the live site.
NOTICE_PAGE = "https://www.contractsfinder.service.gov.uk/Notice/{}"
NOTICE_SEARCH = "https://www.contractsfinder.service.gov.uk/Search/Results?keywords={}"
_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.IGNORECASE)
# The "Ref type" values of the export that name a register; the others (NONE, NONE_OTHER,
# NONE_PARTNERSHIP, NONE_SOLE_TRADER) say the supplier gave no registered number.
REF_SCHEMES = {"COMPANIES_HOUSE": "GB-COH", "CHARITY_COMMISSION": "GB-CHC"}

_BOM = "\ufeff"
# One packed supplier: the name before the first `|`, the four fields after the last four
# `|` (none of them holds a `|` or a bracket), the address between (it may hold `|`, line
# breaks and brackets). A block ends at a `]` followed by the next `[` or the cell's end.
_FIELD = r"[^|\[\]]*"
_BLOCK = re.compile(rf"\[(?P<name>[^|]*)\|(?P<address>.*?)\|(?P<ref_type>{_FIELD})\|(?P<ref_number>{_FIELD})"
                    rf"\|(?P<sme>{_FIELD})\|(?P<vcse>{_FIELD})\]\s*(?=\[|\Z)", re.DOTALL)
_CPV = re.compile(r"(?<!\d)\d{8}(?!\d)")


def recognises(header: list[str]) -> bool:
    """Whether a table's header is this export's: it has every column of HEADER, compared
    without spaces around the names, a BOM or case (spreadsheets re-save headers loosely)."""
    found = {_column_key(name) for name in header}
    return all(_column_key(name) in found for name in HEADER)


def to_release(row: TabularRow) -> dict | None:
    """The OCDS release of one exported notice; None when the notice is not an award (its
    Status is not Awarded, or it has neither an award date nor an awarded value).

    Raises cells.CellError naming the column of a cell that cannot be read."""
    read = _Cells(row)
    if read.text("Status").lower() != "awarded":
        return None
    award_date = read.cell("Awarded Date", cells.day)
    amount = read.cell("Awarded Value", cells.money)
    if award_date is None and amount is None:
        return None
    identifier = read.text("Notice Identifier")
    if not identifier:
        raise cells.CellError("Notice Identifier: the cell is blank")
    packed = read.cell(SUPPLIER_COLUMN, suppliers)
    release = {"ocid": OCID_PREFIX + identifier, "id": f"{OCID_PREFIX}{identifier}-{row.content_hash[:12]}",
               "date": read.cell("Published Date", _instant), "tag": ["award"],
               "buyer": {"id": "buyer", "name": read.text("Organisation Name")},
               "parties": [_buyer_party(read)] + [_supplier_party(n, s) for n, s in enumerate(packed, 1)],
               "tender": _tender(read, identifier),
               "awards": [_award(read, identifier, award_date, amount, packed)]}
    return _pruned(release)


def suppliers(packed: str) -> list[dict]:
    """The packed supplier cell as one dict per block: name, address, ref_type, ref_number,
    sme and vcse (True, False, or None where the flag is blank: unknown).

    Raises cells.CellError when the text is not a run of blocks or a flag is not yes or no."""
    text = (packed or "").strip()
    found, position = [], 0
    while position < len(text):
        block = _BLOCK.match(text, position)
        if not block:
            raise cells.CellError(f"supplier {len(found) + 1} is not a [Name|Address|Ref type|Ref Number|"
                                  f"Is SME|Is VCSE] block: {_shown(text[position:])}")
        found.append(_supplier(block, len(found) + 1))
        position = block.end()
    return found


def _supplier(block: re.Match, number: int) -> dict:
    """One block's fields, its flags read as yes / no / unknown."""
    flags = {}
    for key, label in (("sme", "Is SME"), ("vcse", "Is VCSE")):
        try:
            flags[key] = cells.flag(block[key])
        except cells.CellError as error:
            raise cells.CellError(f"supplier {number} {label}: {error}") from None
    return {"name": block["name"].strip(), "address": block["address"].strip(),
            "ref_type": block["ref_type"].strip(), "ref_number": block["ref_number"].strip(), **flags}


class _Cells:
    """A row's cells found by column name whatever the header's case or spacing, each
    reader's error prefixed with the column it came from."""

    def __init__(self, row: TabularRow):
        self._cells = {_column_key(name): text for name, text in row.cells.items()}

    def text(self, column: str) -> str:
        return (self._cells.get(_column_key(column)) or "").strip()

    def cell(self, column: str, reader):
        try:
            return reader(self._cells.get(_column_key(column)) or "")
        except cells.CellError as error:
            raise cells.CellError(f"{column}: {error}") from None


def _column_key(name: str) -> str:
    return str(name).replace(_BOM, "").strip().casefold()


def _instant(text: str) -> str | None:
    """The publication time as the file states it (ISO, "2020-09-29T17:15:24Z"); a plain
    dd/mm/yyyy date is turned into an ISO date, which is what the normaliser compares."""
    text = text.strip()
    if re.match(r"^\d{4}-\d{2}-\d{2}", text):
        return text
    published = cells.day(text)
    return published.isoformat() if published else None


def _iso_day(read: _Cells, column: str) -> str | None:
    found = read.cell(column, cells.day)
    return found.isoformat() if found else None


def _buyer_party(read: _Cells) -> dict:
    """The buyer as its contact details state it. The export's "Region" column is left out:
    it is where the contract is delivered ("Any region", a list of regions), not the buyer's."""
    return {"id": "buyer", "name": read.text("Organisation Name"), "roles": ["buyer"],
            "address": {"postalCode": read.text("Contact Postcode"), "locality": read.text("Contact Town"),
                        "countryName": read.text("Contact Country")}}


def _supplier_party(number: int, supplier: dict) -> dict:
    """A supplier party: its address as free text (with the postcode found in it), its
    registered number where it gave one, and the size and VCSE status it declared."""
    address = supplier["address"]
    party = {"id": f"supplier-{number}", "name": supplier["name"], "roles": ["supplier"],
             "address": {"streetAddress": address, "postalCode": extract_postcode(address)}}
    identifier = _identifier(supplier)
    if identifier:
        party["identifier"] = identifier
    details = {}
    if supplier["sme"] is not None:
        details["scale"] = "sme" if supplier["sme"] else "large"
    if supplier["vcse"] is not None:
        details["vcse"] = supplier["vcse"]
    party["details"] = details
    return party


def _identifier(supplier: dict) -> dict | None:
    """The supplier's register and number, only where the export names a register and gives
    a number. A number of zeros alone ("0", seen in the export) is a placeholder: kept, it
    would make every supplier that typed it one company."""
    scheme = REF_SCHEMES.get(supplier["ref_type"].upper())
    number = supplier["ref_number"]
    if not scheme or cells.blank(number) or not re.search(r"[1-9A-Za-z]", number):
        return None
    return {"scheme": scheme, "id": number}


def _tender(read: _Cells, identifier: str) -> dict:
    """What was bought: title, description, the first CPV code, and the planned period."""
    cpv = _CPV.search(read.text("Cpv Codes"))
    return {"id": identifier, "title": read.text("Title"), "description": read.text("Description"),
            "classification": {"scheme": "CPV", "id": cpv.group(0)} if cpv else None,
            "contractPeriod": {"startDate": _iso_day(read, "Start Date"), "endDate": _iso_day(read, "End Date")}}


def _award(read: _Cells, identifier: str, award_date, amount: float | None, packed: list[dict]) -> dict:
    """The notice's one award: "Awarded Value" is the whole award, which the normaliser
    splits among the distinct suppliers."""
    return {"id": "1", "status": "active", "date": award_date.isoformat() if award_date else None,
            "value": {"amount": amount, "currency": "GBP"} if amount is not None else None,
            "suppliers": [{"id": f"supplier-{n}", "name": s["name"]} for n, s in enumerate(packed, 1)],
            "contractPeriod": {"startDate": _iso_day(read, "Contract start date"),
                               "endDate": _iso_day(read, "Contract end date")},
            "documents": [{"id": "notice", "documentType": "awardNotice",
                           "url": notice_link(identifier)}]}


def notice_link(identifier: str) -> str:
    """The notice's page when the identifier is its GUID, else a search for the identifier."""
    if _GUID.match(identifier):
        return NOTICE_PAGE.format(identifier.lower())
    return NOTICE_SEARCH.format(quote(identifier, safe=""))


def _pruned(value):
    """The release without the fields the row left blank (None, "" or emptied objects), so
    that a blank cell is absent rather than stated as empty. Lists are kept as they are."""
    if isinstance(value, dict):
        kept = {key: _pruned(item) for key, item in value.items()}
        return {key: item for key, item in kept.items()
                if item not in (None, "") and not (isinstance(item, dict) and not item)}
    if isinstance(value, list):
        return [_pruned(item) for item in value]
    return value


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 60 else repr(text[:57] + "...")
