"""UK postcodes: normalising them, finding them in free address text, placing them abroad.

Contracts Finder suppliers rarely fill `address.postalCode`: the whole address is free
text in `streetAddress` ("..., United Kingdom, B17 0TP", "ln6 7he", "N/A", "\\r\\n"
breaks, Irish or Canadian addresses). These helpers turn such text into one normalised
postcode ("SW1A 2AA") or say the address is outside the UK.
"""

import re

# Strict Royal Mail shape, after normalisation (api-spec section 6).
_STRICT = re.compile(
    r"^(GIR 0AA"
    r"|[A-PR-UWYZ][0-9]{1,2} [0-9][ABD-HJLNP-UW-Z]{2}"
    r"|[A-PR-UWYZ][A-HK-Y][0-9]{1,2} [0-9][ABD-HJLNP-UW-Z]{2}"
    r"|[A-PR-UWYZ][0-9][A-HJKPSTUW] [0-9][ABD-HJLNP-UW-Z]{2}"
    r"|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY] [0-9][ABD-HJLNP-UW-Z]{2})$"
)
# Loose search in free text. No leading \b: CF text glues postcodes to the word before
# ("rnOX26 6AD", where a line break lost its backslashes).
_LOOSE = re.compile(r"([A-Z]{1,2}[0-9][A-Z0-9]?)\s*([0-9][A-Z]{2})\b", re.IGNORECASE)

# Crown dependencies have valid-looking postcodes but are not in the UK.
CROWN_DEPENDENCIES = {"JE": "Jersey", "GY": "Guernsey", "IM": "Isle of Man"}

_UK_NAMES = {
    "united kingdom", "uk", "gb", "great britain", "england", "scotland", "wales",
    "northern ireland", "gbr",
}
# Countries seen (or likely) at the end of supplier addresses in UK notices. Matched as
# whole words at the end of the address text or in countryName / country.
_FOREIGN_NAMES = {
    "ireland": "Ireland", "republic of ireland": "Ireland", "eire": "Ireland", "ie": "Ireland",
    "usa": "United States", "united states": "United States", "united states of america": "United States",
    "us": "United States", "canada": "Canada", "ca": "Canada", "italy": "Italy", "it": "Italy",
    "france": "France", "fr": "France", "germany": "Germany", "de": "Germany",
    "netherlands": "Netherlands", "the netherlands": "Netherlands", "nl": "Netherlands",
    "belgium": "Belgium", "be": "Belgium", "spain": "Spain", "es": "Spain",
    "denmark": "Denmark", "dk": "Denmark", "sweden": "Sweden", "se": "Sweden",
    "norway": "Norway", "no": "Norway", "finland": "Finland", "fi": "Finland",
    "switzerland": "Switzerland", "ch": "Switzerland", "austria": "Austria", "at": "Austria",
    "poland": "Poland", "pl": "Poland", "portugal": "Portugal", "pt": "Portugal",
    "luxembourg": "Luxembourg", "lu": "Luxembourg", "india": "India", "in": "India",
    "australia": "Australia", "au": "Australia", "new zealand": "New Zealand", "nz": "New Zealand",
    "israel": "Israel", "il": "Israel", "japan": "Japan", "jp": "Japan", "china": "China", "cn": "China",
    "singapore": "Singapore", "sg": "Singapore", "south africa": "South Africa", "za": "South Africa",
    "jersey": "Jersey", "guernsey": "Guernsey", "isle of man": "Isle of Man",
    "gibraltar": "Gibraltar", "gi": "Gibraltar",
}
# Only full names are trusted at the end of free text: two-letter codes there ("IN",
# "IT") are too often ordinary words or county abbreviations.
_FOREIGN_TEXT_NAMES = {k: v for k, v in _FOREIGN_NAMES.items() if len(k) > 2}
_TRAILING_WORDS = re.compile(r"[A-Za-z][A-Za-z .']*$")
_FOREIGN_ORDER = {name: position for position, name in enumerate(_FOREIGN_TEXT_NAMES)}
_LONGEST_NAME = max(len(name.split(" ")) for name in (*_FOREIGN_TEXT_NAMES, *_UK_NAMES))


def normalise_postcode(text: str | None) -> str | None:
    """Return the postcode in `text` as "OUT IN" if `text` is exactly one valid postcode."""
    if not text:
        return None
    compact = re.sub(r"[^A-Z0-9]", "", text.upper())
    if not 5 <= len(compact) <= 7:
        return None
    candidate = f"{compact[:-3]} {compact[-3:]}"
    return candidate if _STRICT.match(candidate) else None


def extract_postcode(text: str | None) -> str | None:
    """Find the last valid UK-format postcode in free address text (addresses end with it)."""
    if not text:
        return None
    cleaned = text.replace("\\r", " ").replace("\\n", " ")
    for match in reversed(list(_LOOSE.finditer(cleaned))):
        postcode = normalise_postcode(match.group(1) + match.group(2))
        if postcode:
            return postcode
    return None


_OUTWARD = re.compile(r"^[A-PR-UWYZ][A-HK-Y]?[0-9][A-HJKPSTUW0-9]?$")


def extract_outward(text: str | None) -> str | None:
    """A partial postcode: the outward code alone as the address's last part ("..., Leeds, LS6").

    Only a whole last part counts, so "Unit B1" inside an address is never read as B1.
    """
    if not text:
        return None
    parts = [p.strip(" .") for p in re.split(r"[\r\n,]+", text.replace("\\r", "\n").replace("\\n", "\n"))]
    parts = [p for p in parts if p]
    if not parts:
        return None
    last = parts[-1].upper()
    return last if _OUTWARD.match(last) else None


def is_partial(postcode: str) -> bool:
    """True for an outward code alone ("LS6"), which places only to a postcode district."""
    return " " not in postcode


def foreign_country(*texts: str | None) -> str | None:
    """Name the non-UK country that an address states, or None if it states none or the UK.

    The first argument may be a structured country field (name or ISO code); later ones are
    free text, where only a full country name as the last words counts.
    """
    field, *free_texts = texts
    if field:
        key = field.strip().lower()
        if key in _UK_NAMES:
            return None
        if key in _FOREIGN_NAMES:
            return _FOREIGN_NAMES[key]
    for text in free_texts:
        country = _country_at_end(text)
        if country:
            return country
    return None


# A US state code and ZIP code ending an address ("Washington, DC. 20006", "Austin, TX 78701").
_US_STATES = ("AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ "
              "NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY").split()
_US_ZIP_AT_END = re.compile(rf"\b(?:{'|'.join(_US_STATES)})\.?,?\s+\d{{5}}(?:-\d{{4}})?\s*$")


def _country_at_end(text: str | None) -> str | None:
    """The foreign country named by the last words of an address's last two parts, or a US
    address's state code and ZIP code.

    Two parts, because a foreign postcode often follows the country ("Canada, K2K 2MB").
    """
    if not text:
        return None
    if _US_ZIP_AT_END.search(text.strip()):
        return "United States"
    parts = [p.strip(" .") for p in re.split(r"[\r\n,]+", text.strip()) if p.strip(" .")]
    for part in reversed(parts[-2:]):
        words = _TRAILING_WORDS.search(part)
        if not words:
            continue
        endings = _endings(words.group(0).strip().lower())
        if endings & _UK_NAMES:
            return None
        named = [name for name in endings if name in _FOREIGN_TEXT_NAMES]
        if named:  # the name listed first, as a scan of the list would find it
            return _FOREIGN_TEXT_NAMES[min(named, key=_FOREIGN_ORDER.__getitem__)]
    return None


def _endings(tail: str) -> set[str]:
    """Every run of the last words of `tail` (split at single spaces, as the names are
    written): a name ends the text exactly when it is one of them. A lookup per ending,
    rather than a comparison per country, for every supplier's address."""
    words = tail.split(" ")
    return {" ".join(words[-k:]) for k in range(1, min(len(words), _LONGEST_NAME) + 1)}


def crown_dependency(postcode: str | None) -> str | None:
    """Jersey, Guernsey or Isle of Man for JE/GY/IM postcodes: valid format, not the UK."""
    if not postcode:
        return None
    return CROWN_DEPENDENCIES.get(postcode[:2]) if postcode[2:3].isdigit() else None


def outward(postcode: str) -> str:
    """The postcode district ("SW1A" of "SW1A 2AA")."""
    return postcode.split(" ")[0]


def sector(postcode: str) -> str:
    """The postcode sector ("SW1A 2" of "SW1A 2AA")."""
    out, inward = postcode.split(" ")
    return f"{out} {inward[0]}"
