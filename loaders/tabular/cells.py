"""Reading the cells of spreadsheets people publish: money, dates and yes/no flags as they
are typed by hand, several formats in one file.

Each reader returns None for a blank cell (unknown, never zero or "no") and raises
CellError, naming what it expected, for text it cannot read, so that the caller can report
the row and the column and carry on with the next row.
"""

import re
from datetime import date, datetime


class CellError(ValueError):
    """A cell whose text is not what its column holds; the message says what was expected."""


_BLANKS = {"", "-", "n/a", "na", "none", "null", "tbc", "unknown", "not known"}
_MONEY = re.compile(r"^(?P<neg>-)?£?(?P<num>\d[\d,]*(?:\.\d+)?|\.\d+)$")
_DATE_FORMATS = ("%d/%m/%Y", "%d/%m/%y", "%d-%b-%Y", "%d-%b-%y", "%d %b %Y", "%d %B %Y", "%Y-%m-%d",
                 "%d.%m.%Y", "%d-%m-%Y")
_YES = {"yes", "y", "true", "1"}
_NO = {"no", "n", "false", "0"}


def blank(text: str | None) -> bool:
    """Whether a cell says nothing: empty, a dash, "N/A", "TBC" and the like."""
    return text is None or str(text).strip().lower() in _BLANKS


def money(text: str | None) -> float | None:
    """£1,234.50, 1234, (123) as a negative, -£5; None when blank."""
    if blank(text):
        return None
    cleaned = re.sub(r"\s+", "", str(text)).replace("GBP", "").replace("gbp", "")
    negative = cleaned.startswith("(") and cleaned.endswith(")")
    if negative:
        cleaned = cleaned[1:-1]
    found = _MONEY.match(cleaned)
    if not found or (found["num"].count(",") and not re.fullmatch(r"\d{1,3}(,\d{3})*(\.\d+)?", found["num"])):
        raise CellError(f"{str(text).strip()!r} is not an amount of money")
    amount = float(found["num"].replace(",", ""))
    return -amount if negative or found["neg"] else amount


def day(text: str | None) -> date | None:
    """A date as dd/mm/yyyy, dd-Mon-yyyy, ISO (with or without a time) and a few more; None
    when blank. Day first, as in the UK: 03/04/2022 is 3 April."""
    if blank(text):
        return None
    cleaned = str(text).strip()
    iso = re.match(r"^(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}", cleaned)
    if iso:
        cleaned = iso.group(1)
    cleaned = re.sub(r"\s+00:00(:00)?$", "", cleaned)
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(cleaned, pattern).date()
        except ValueError:
            continue
    raise CellError(f"{str(text).strip()!r} is not a date (dd/mm/yyyy, dd-Mon-yyyy or yyyy-mm-dd)")


def flag(text: str | None) -> bool | None:
    """Yes / No (Y/N, True/False, 1/0); None when blank: unknown, not no."""
    if blank(text):
        return None
    key = str(text).strip().lower()
    if key in _YES:
        return True
    if key in _NO:
        return False
    raise CellError(f"{str(text).strip()!r} is not yes or no")
