"""The shape the normaliser reads a release in: each field it reads, with the type it must have.

Normalising reads a release's fields with `.get()` and string methods, so a field of the
wrong type (`"currency": 5`, `"buyer": "Lincoln"`, `"address": [...]`) would raise deep
inside it. Instead every release is checked against RELEASE first, and each award against
AWARD: a field of the wrong type is reported by its path ("awards[0].value.currency is a
number, not text") and that release, or that award, is not normalised. What passes the
check can be read without surprises.

A missing field (absent or null) is always allowed, and fields the normaliser does not
read are not checked. Amounts (NUMERIC) may be numbers or text; text that is not a number
("abc", "£1,000") is not a wrong type but a value that cannot be read, and is noted
separately (`Check.not_numeric`) so that it can be reported as well as left without a
value.
"""

import math
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Leaf:
    """A field holding one value: `types` are the Python types it may have, `words` say so."""
    types: tuple
    words: str

    def accepts(self, value) -> bool:
        # Parsed JSON holds these exact types, so the common case is one lookup; a bool is
        # an int to isinstance, and is accepted only where bool is listed.
        return type(value) in self.types or (
            isinstance(value, self.types) and not (isinstance(value, bool) and bool not in self.types))


TEXT = Leaf((str,), "text")
FLAG = Leaf((bool,), "a boolean")
ID = Leaf((str, int, float), "text or a number")  # OCDS allows integer ids
NUMERIC = Leaf((str, int, float), "a number")

PERIOD = {"startDate": TEXT, "endDate": TEXT}
VALUE = {"amount": NUMERIC, "amountGross": NUMERIC, "currency": TEXT}
DOCUMENT = {"id": ID, "url": TEXT, "noticeType": TEXT, "documentType": TEXT}
CLASSIFICATION = {"scheme": TEXT, "id": ID, "description": TEXT}
IDENTIFIER = {"scheme": TEXT, "id": ID, "legalName": TEXT}
ADDRESS = {"streetAddress": TEXT, "postalCode": TEXT, "locality": TEXT, "region": TEXT,
           "countryName": TEXT, "country": TEXT}
# A party, or an award's supplier entry (older Contracts Finder notices put the whole
# party there), or an inline buyer: the fields of normalise.buyer_fields and _supplier_fields.
PARTY = {
    "id": ID, "name": TEXT, "roles": [TEXT], "identifier": IDENTIFIER, "additionalIdentifiers": [IDENTIFIER],
    "address": ADDRESS, "contactPoint": {"url": TEXT, "email": TEXT},
    "details": {"scale": TEXT, "sme": FLAG, "vcse": FLAG, "vco": FLAG, "url": TEXT,
                "classifications": [CLASSIFICATION]},
    "sme": FLAG, "vcse": FLAG, "vco": FLAG,
}
AWARD = {"id": ID, "status": TEXT, "title": TEXT, "date": TEXT, "datePublished": TEXT, "value": VALUE,
         "suppliers": [PARTY], "documents": [DOCUMENT], "contractPeriod": PERIOD, "relatedLots": [ID]}
CONTRACT = {"awardID": ID, "value": VALUE, "dateSigned": TEXT, "period": PERIOD, "documents": [DOCUMENT]}
CRITERION = {"type": TEXT, "name": TEXT, "description": TEXT, "numbers": [{"weight": TEXT, "number": NUMERIC}]}
SUITABILITY = {"sme": FLAG, "vcse": FLAG}
LOT = {"id": ID, "title": TEXT, "status": TEXT, "value": VALUE, "suitability": SUITABILITY,
       "awardCriteria": {"criteria": [CRITERION]}}
TENDER = {
    "title": TEXT, "status": TEXT, "mainProcurementCategory": TEXT, "classification": CLASSIFICATION,
    "items": [{"classification": CLASSIFICATION}], "contractPeriod": PERIOD, "documents": [DOCUMENT],
    "procurementMethod": TEXT, "procurementMethodDetails": TEXT, "procurementMethodRationale": TEXT,
    "procurementMethodRationaleClassifications": [{"description": TEXT}],
    "techniques": {"hasFrameworkAgreement": FLAG, "hasDynamicPurchasingSystem": FLAG},
    "legalBasis": {"id": ID}, "lots": [LOT], "lotDetails": {"noLotsDivisionRationale": TEXT},
    "noEngagementNoticeRationale": TEXT, "suitability": SUITABILITY, "value": VALUE, "aboveThreshold": FLAG,
}
# Everything of a release but its awards, which are checked one by one (AWARD).
RELEASE = {
    "ocid": TEXT, "date": TEXT, "tag": [TEXT], "buyer": PARTY, "parties": [PARTY], "contracts": [CONTRACT],
    "tender": TENDER,
    "planning": {"documents": [DOCUMENT], "noEngagementNoticeRationale": TEXT},
    "bids": {"statistics": [{"measure": TEXT, "value": NUMERIC, "relatedLot": ID}]},
}


@dataclass
class Check:
    """The outcome of checking one value against a shape: the first field of the wrong type
    (None when there is none), and every amount that is text but not a number."""
    problem: str | None = None
    not_numeric: list[tuple[tuple, object]] = field(default_factory=list)  # (path, value)


def check(value, shape, path: tuple = ()) -> Check:
    """Check `value` (found at `path`) against `shape`: a dict of fields, a one-item list of
    the shape of each item, or a Leaf."""
    found, where = Check(), list(path)
    wrong = _walk(value, shape, where, found.not_numeric)
    if wrong:
        value, expected = wrong
        found.problem = f"{path_words(where)} is {kind_of(value)}, not {expected}"
    return found


def _walk(value, shape, path: list, not_numeric: list):
    """(value, expected words) of the first field of the wrong type, or None. `path` is where
    `value` is; on a wrong type it is left naming that field."""
    if isinstance(shape, dict):
        if not isinstance(value, dict):
            return value, "an object"
        for key, inner in shape.items():
            item = value.get(key)
            if item is None:
                continue
            path.append(key)
            # Most fields are leaves: checked here, not by a call of their own (a third of
            # the normaliser's time went on those calls).
            wrong = _leaf(item, inner, path, not_numeric) if type(inner) is Leaf else \
                _walk(item, inner, path, not_numeric)
            if wrong:
                return wrong
            path.pop()
        return None
    if isinstance(shape, list):
        if not isinstance(value, list):
            return value, "a list"
        inner = shape[0]
        check_item = _leaf if type(inner) is Leaf else _walk
        for position, item in enumerate(value):
            if item is not None:
                path.append(position)
                wrong = check_item(item, inner, path, not_numeric)
                if wrong:
                    return wrong
                path.pop()
        return None
    return _leaf(value, shape, path, not_numeric)


def _leaf(value, shape: Leaf, path: list, not_numeric: list):
    """_walk for a field holding one value."""
    if not shape.accepts(value):
        return value, shape.words
    if shape is NUMERIC and number(value) is None:
        not_numeric.append((tuple(path), value))
    return None


def number(value) -> float | None:
    """A finite float from a number or numeric text; None for missing, non-numeric or
    infinite (1e9999) amounts."""
    if isinstance(value, bool):
        return None
    try:
        found = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    return found if math.isfinite(found) else None


def kind_of(value) -> str:
    """The JSON type of a value in words."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    return type(value).__name__


def path_words(path) -> str:
    """("awards", 0, "value") -> "awards[0].value"."""
    words = ""
    for part in path:
        words += f"[{part}]" if isinstance(part, int) else (f".{part}" if words else str(part))
    return words or "release"


def not_a_number(path: tuple, value) -> str:
    """Why an amount was left without a value: "awards[0].value.amount is not a number: 'abc'"."""
    shown = repr(value) if len(repr(value)) <= 40 else repr(value)[:37] + "..."
    return f"{path_words(path)} is not a number: {shown}"


def failure(error: Exception, what: str = "could not be normalised") -> str:
    """The reason for a release (or award) whose normalising raised: the exception named."""
    message = str(error)
    message = message if len(message) <= 200 else message[:197] + "..."
    return f"{what} ({type(error).__name__}: {message})" if message else f"{what} ({type(error).__name__})"
