"""Classification rules: supplier size, buyer type, value flags and bands, category, keys.

Each function implements one definition of DESIGN.md; the wording users see is in
`loaders.definitions`, and the README lists the rules.
"""

import functools
import math
import re

SME_SCALES = {"micro", "small", "medium", "sme", "selfemployed"}

# Value bands of award_value_gbp: (label, lower bound inclusive). The last band is open.
DEFAULT_BAND_EDGES = (25_000, 100_000, 500_000, 1_000_000, 5_000_000, 25_000_000)
UNKNOWN_BAND = "unknown"
IMPLAUSIBLE_VALUE_GBP = 1_000_000_000
# Values under £1 are placeholders (0.01 is common on Find a Tender), not prices.
PLACEHOLDER_VALUE_GBP = 1

# Buyer types in the order they are tested: the first rule that matches wins, so a
# "Police and Crime Commissioner" is police/fire even though it is a public authority,
# and a council's housing department is a local authority.
# The buyer type of councils (the scorecard's councils, cross-publication by council area).
COUNCIL_TYPE = "local authority"
BUYER_TYPE_RULES = (
    ("police/fire", r"\bpolic(e|ing)\b|constabulary|crime commissioner|\bfire\b.*\b(rescue|authority|service)\b"),
    ("NHS", r"\bnhs\b|clinical commissioning|integrated care board|foundation trust|"
            r"\bhospitals?\b|health board|ambulance service|health and social care trust|"
            r"healthcare trust|primary care trust"),
    ("local authority", r"(?<!arts )(?<!research )(?<!british )\bcouncil\b(?! for)|"
                        r"\bborough of\b|combined authority|greater london authority|"
                        r"city of london corporation|\bparish\b"),
    ("education", r"\buniversity\b|\bcollege\b|\bschools?\b|\bacadem(y|ies)\b|"
                  r"educational trust|learning trust"),
    ("housing", r"\bhousing\b|\bhomes\b"),
    ("central government", r"\bdepartment (for|of)\b|\bministry\b|cabinet office|\bhm\b|"
                           r"\bhis majesty|home office|\bagency\b|\bexecutive\b|crown commercial|"
                           r"\boffice (for|of)\b|\bcommission\b|\bregulat|\bombudsman\b"),
)
_BUYER_TYPE_PATTERNS = tuple((name, re.compile(rx, re.IGNORECASE)) for name, rx in BUYER_TYPE_RULES)
# Find a Tender's UK_CA_TYPE classification names central government outright.
CENTRAL_GOVERNMENT_CA_TYPES = {"publicAuthorityCentralGovernment"}

# Organisation identifier schemes that name a registered legal entity. Platform-internal
# ids (GB-CFS-n on Contracts Finder, GB-FTS-n, GB-SRS-...) say nothing across platforms.
REGISTERED_SCHEMES = ("GB-COH", "GB-CHC", "GB-SC", "GB-NIC", "GB-PPON", "GB-MPR", "GB-UKPRN",
                      "GB-EDU", "GB-NHS", "GB-GOR", "GB-LAE", "GB-LAS", "GB-LANI", "GB-PLA")
_LEGAL_SUFFIXES = re.compile(r"\b(limited|ltd|plc|llp|llc|inc|cic|co)\b")


def supplier_size(details: dict, party: dict) -> str:
    """SME / Large / Unknown from the supplier's own declaration, never from tender.suitability.

    Current notices: details.scale (micro, small, medium, sme, selfEmployed -> SME; large).
    Older Contracts Finder notices: a boolean `sme` on the supplier itself.
    """
    scale = details.get("scale")
    if isinstance(scale, str) and scale:
        key = scale.strip().lower()
        if key in SME_SCALES:
            return "SME"
        if key == "large":
            return "Large"
    sme = party.get("sme", details.get("sme"))
    if isinstance(sme, bool):
        return "SME" if sme else "Large"
    return "Unknown"


def supplier_vcse(details: dict, party: dict) -> bool | None:
    """VCSE as declared: details.vcse, or the older boolean `vco` / `vcse` on the supplier."""
    for value in (details.get("vcse"), party.get("vcse"), party.get("vco"), details.get("vco")):
        if isinstance(value, bool):
            return value
    return None


def buyer_type(name: str | None) -> str:
    """The buyer's type from its name: the last resort of loaders.normalising.buyers, after the registers
    and Find a Tender's UK_CA_TYPE classification."""
    for label, pattern in _BUYER_TYPE_PATTERNS:
        if name and pattern.search(name):
            return label
    return "other"


def value_flag(amount: float | None, currency: str | None) -> str | None:
    """Mark suspect values rather than drop them: non_gbp, negative, placeholder (£1 or
    less, zero included), over_1bn. A flagged value stays in its row but adds nothing to
    value totals or shares."""
    if amount is None:
        return None
    if currency and currency.upper() != "GBP":
        return "non_gbp"
    if amount < 0:
        return "negative"
    if amount <= PLACEHOLDER_VALUE_GBP:
        return "placeholder"
    if amount > IMPLAUSIBLE_VALUE_GBP:
        return "over_1bn"
    return None


def counts_in_totals(flag: str | None) -> bool:
    """Only unflagged values count in value totals and shares."""
    return flag is None


def banded_value(amount: float | None, flag: str | None) -> float | None:
    """The value a band is drawn for: none for a placeholder, negative or foreign value (its
    band is unknown); an over-£1bn value is at least 25m whatever it really is."""
    return amount if flag in (None, "over_1bn") else None


def band_labels(edges=DEFAULT_BAND_EDGES) -> list[str]:
    """Labels for bands cut at `edges` (pounds), lowest first, then "unknown"."""
    return list(_band_labels(tuple(edges)))


@functools.cache
def _band_labels(edges: tuple) -> tuple[str, ...]:
    """band_labels, made once per set of edges: every award row asks for them."""
    labels = [f"under {money_short(edges[0])}"]
    labels += [f"{money_short(lo)}-{money_short(hi)}" for lo, hi in zip(edges, edges[1:])]
    labels.append(f"{money_short(edges[-1])} and over")
    return tuple(labels + [UNKNOWN_BAND])


def value_band(amount: float | None, edges=DEFAULT_BAND_EDGES) -> str:
    """The band label of an award value; unknown where there is no usable value."""
    if amount is None or amount < 0 or (isinstance(amount, float) and math.isnan(amount)):
        return UNKNOWN_BAND
    labels = _band_labels(tuple(edges))
    for i, edge in enumerate(edges):
        if amount < edge:
            return labels[i]
    return labels[len(edges)]


def money_short(pounds: float) -> str:
    """25k, 1m, 2.5m, 1.2bn: the compact form used in band labels."""
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if abs(pounds) >= size:
            return f"{pounds / size:.1f}".rstrip("0").rstrip(".") + suffix
    return f"{pounds:.0f}"


def category_from_cpv(cpv: str | None) -> str | None:
    """goods / services / works from the CPV division: 45 works; 03-44 and 48 goods; 49-98 services."""
    if not cpv or not cpv[:2].isdigit():
        return None
    division = int(cpv[:2])
    if division == 45:
        return "works"
    if 3 <= division <= 44 or division == 48:
        return "goods"
    if 49 <= division <= 98:
        return "services"
    return None


def says_framework(*texts: str | None) -> bool:
    """True where the notice's title or procedure says framework or dynamic purchasing system."""
    pattern = re.compile(r"framework|dynamic purchasing|\bDPS\b", re.IGNORECASE)
    return any(t and pattern.search(t) for t in texts)


def normalise_name(name: str | None) -> str:
    """Lower-case name without punctuation or legal suffixes, for keys and matching."""
    if not name:
        return ""
    text = name.lower().replace("&", " and ")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    text = _LEGAL_SUFFIXES.sub(" ", text)
    return " ".join(text.split())


def registered_id(scheme: str | None, identifier: str | None) -> tuple[str, str] | None:
    """(scheme, id) for a registered identifier, Companies House numbers padded to 8."""
    if not scheme or identifier is None:
        return None
    scheme = scheme.strip().upper()
    ident = str(identifier).strip().upper().replace(" ", "")
    if scheme not in REGISTERED_SCHEMES or not ident:
        return None
    if scheme == "GB-COH":
        ident = _pad_company_number(ident)
    return scheme, ident


def _pad_company_number(number: str) -> str:
    """Real notices drop leading zeros (GB-COH-4142000 is 04142000): pad to 8 characters."""
    if number.isdigit():
        return number.zfill(8)
    prefix = re.match(r"^[A-Z]+", number).group(0) if number[0].isalpha() else ""
    digits = number[len(prefix):]
    return prefix + digits.zfill(8 - len(prefix)) if digits.isdigit() else number


def split_party_id(party_id: str | None) -> tuple[str, str] | None:
    """("GB-COH", "02150688") from an org-id string "GB-COH-02150688", for known schemes."""
    if not party_id:
        return None
    for scheme in REGISTERED_SCHEMES:
        if party_id.upper().startswith(scheme + "-"):
            return registered_id(scheme, party_id[len(scheme) + 1:])
    return None
