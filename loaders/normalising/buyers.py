"""Who the buyer is: one organisation, one buyer, whatever spelling its notice uses.

A buyer is identified, in order, by
1. its identifiers: GB-LAE/LAS/PLA/LANI-<code> names a council of the register, and
   GB-GOR-<code> a GOV.UK organisation (its analytics identifier);
2. its name in the council register ("The North Yorkshire Council", "London Borough of
   Ealing Council", "Hertfordshire County Council - Children's Services", "East Herts
   Council", "SOMERSET COUNCIL", "... (WCC)", "&amp;" all find their council), then in the
   GOV.UK organisations ("Foreign Commonwealth and Development Office", "Cefas");
3. otherwise the name itself: its key is the normalised name, so spellings that differ only
   in case, punctuation or a leading "The" are one buyer.
A council abolished in 2019-2023 becomes the council that replaced it when the notice
postdates the change (recorded in `identified_by`). A notice that names its e-tendering
platform as the buyer ("EU SUPPLY LIMITED") is the council its web or email address, or
its town, names ("barnsley.gov.uk", "Grimsby, North East Lincolnshire").

The buyer's type comes from the same evidence, first that which decides: a council is a
local authority; a GOV.UK organisation's format (departments, agencies, public bodies:
central government); Find a Tender's UK_CA_TYPE (central government); else the name
rules of `loaders.normalising.classify`. `type_basis` records which.
"""

import html
import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from loaders.geography.register import registers
from loaders.normalising import classify

COUNCIL_SCHEMES = ("GB-LAE", "GB-LAS", "GB-PLA", "GB-LANI")
GOVUK_SCHEME = "GB-GOR"

# Shortened county names in council names ("East Herts Council").
ABBREVIATIONS = {"herts": "hertfordshire", "bucks": "buckinghamshire", "northants": "northamptonshire",
                 "notts": "nottinghamshire", "lancs": "lancashire", "leics": "leicestershire",
                 "lincs": "lincolnshire", "glos": "gloucestershire", "oxon": "oxfordshire",
                 "cambs": "cambridgeshire", "wilts": "wiltshire", "worcs": "worcestershire",
                 "staffs": "staffordshire", "beds": "bedfordshire", "yorks": "yorkshire", "gloucs": "gloucestershire"}
# Words that say what kind of council, not where: stripped to find the place ("core").
_KIND_PREFIX = re.compile(r"^(the )?((royal|london|metropolitan) )?(borough|city|county|district)"
                          r"( and county| and district)?( council)? of (the )?")
_KIND_SUFFIX = re.compile(r"( (metropolitan|county|city|district|borough|town|unitary|city and district|"
                          r"metropolitan borough|metropolitan district|county borough))*"
                          r"( council| corporation| authority)+$")
# A council-like name: the only names matched by their place alone.
_COUNCIL_WORDS = re.compile(r"\b(council|borough|corporation)\b")
# Not a principal council, though the name may say council.
_NOT_A_COUNCIL = re.compile(
    r"\b(parish|town council|community council|neighbourhood|council for|arts council|research council|"
    r"british council|police|fire|nhs|health|school|academy|college|university|trust|association|housing|"
    r"partnership|federation|ltd|limited|plc|charity)\b")
_KIND_HINTS = (("county council", {"CTY"}), ("district council", {"NMD"}),
               ("metropolitan", {"MD"}), ("london borough", {"LBO"}))
# E-tendering platforms that some notices name as the buyer instead of the council using them.
_PLATFORMS = re.compile(r"^(eu supply|proactis|delta esourcing|in tend|intend|jaggaer|mercell|atamis|"
                        r"bravosolution|due north|procontract)\b")


@dataclass(frozen=True)
class Buyer:
    """A buyer as identified: the key and name it is listed under, its type, and why."""
    key: str | None
    name: str | None
    type: str
    type_basis: str
    identified_by: str
    council_code: str | None  # the register code of a council (its area comes from the register)


def identify(name: str | None, identifiers: tuple = (), ca_types: frozenset = frozenset(),
             on: date | None = None, places: tuple = ()) -> Buyer:
    """The buyer a notice names: `identifiers` are (scheme, id) pairs, `ca_types` Find a
    Tender's UK_CA_TYPE ids, `on` the notice's date (for councils replaced since), `places`
    what else the notice says of where the buyer is (web and email domains, town), read only
    when the name is an e-tendering platform's."""
    found = _identify(clean(name), tuple(identifiers), frozenset(ca_types))
    if found.council_code is None and places and is_platform(found.name):
        found = _council_behind_platform(found, places) or found
    if found.council_code is None:
        return found
    return _as_of(found, on)


def is_platform(name: str | None) -> bool:
    """Whether a buyer name is an e-tendering platform's ("EU SUPPLY LIMITED")."""
    return bool(name) and bool(_PLATFORMS.match(match_key(name)))


def _council_behind_platform(platform: Buyer, places: tuple) -> Buyer | None:
    """The council a platform-named notice's web or email domain, or town, names."""
    for place in places:
        code = council_by_name(place) or council_by_name(f"{place} council")
        if code:
            council = registers().councils[code]
            return Buyer(f"council:{code}", council.name, classify.COUNCIL_TYPE,
                         f"council register ({council.kind_name})",
                         f"council register: the notice names its e-tendering platform ({platform.name}) as "
                         f"the buyer; the council from its address ({place})", code)
    return None


def clean(name: str | None) -> str | None:
    """The name as a person reads it: HTML entities decoded, spaces collapsed."""
    if not name:
        return None
    return " ".join(html.unescape(html.unescape(name)).split()).rstrip(",;:") or None


@lru_cache(maxsize=65536)
def _identify(name: str | None, identifiers: tuple, ca_types: frozenset) -> Buyer:
    """Everything about a buyer that does not depend on the notice's date (cached: real
    stores repeat a few thousand buyers over millions of releases)."""
    reg = registers()
    council, how = _council_by_identifier(identifiers), "register code in its identifier"
    if council is None and name:
        council, how = council_by_name(name), "council register: name"
    if council:
        return Buyer(f"council:{council}", reg.councils[council].name, classify.COUNCIL_TYPE,
                     f"council register ({reg.councils[council].kind_name})", how, council)
    organisation, how = _govuk_by_identifier(identifiers), "GOV.UK analytics identifier (GB-GOR)"
    if organisation is None and name:
        organisation, how = govuk_by_name(name), "GOV.UK organisations: name"
    if organisation:
        return _govuk_buyer(organisation, how, name, ca_types)
    kind, basis = _type_without_register(name, ca_types)
    return Buyer(name_key(name) or None, name, kind, basis, "name", None)


def _govuk_buyer(identifier: str, how: str, name: str | None, ca_types: frozenset) -> Buyer:
    """A GOV.UK organisation, typed by its format where that decides, else as any buyer."""
    reg = registers()
    organisation = reg.organisations[identifier]
    kind, fmt = reg.govuk_type(identifier)
    basis = f"GOV.UK format: {fmt}"
    if kind is None:
        kind, basis = _type_without_register(name or organisation.title, ca_types)
    return Buyer(f"govuk:{identifier}", organisation.title, kind, basis, how, None)


def _type_without_register(name: str | None, ca_types: frozenset) -> tuple[str, str]:
    """Find a Tender's classification where it names central government, else the name rules."""
    if ca_types & classify.CENTRAL_GOVERNMENT_CA_TYPES:
        return "central government", "Find a Tender UK_CA_TYPE"
    return classify.buyer_type(name), "name rules"


def _as_of(buyer: Buyer, on: date | None) -> Buyer:
    """The council that stood for the buyer's on the notice's date (a successor after a
    reorganisation), with the change recorded."""
    reg = registers()
    code, passed = reg.successor(buyer.council_code, on)
    if not passed:
        return buyer
    council = reg.councils[code]
    note = (f"{buyer.identified_by}; {reg.councils[passed[0]].name} was replaced by {council.name} "
            f"(the notice is dated {on})")
    return Buyer(f"council:{code}", council.name, buyer.type, f"council register ({council.kind_name})", note, code)


def _council_by_identifier(identifiers: tuple) -> str | None:
    councils = registers().councils
    for scheme, ident in identifiers:
        if scheme in COUNCIL_SCHEMES and str(ident).upper() in councils:
            return str(ident).upper()
    return None


def _govuk_by_identifier(identifiers: tuple) -> str | None:
    organisations = registers().organisations
    for scheme, ident in identifiers:
        if scheme == GOVUK_SCHEME and str(ident).upper() in organisations:
            return str(ident).upper()
    return None


# --- names ----------------------------------------------------------------------------------

def match_key(text: str) -> str:
    """Lower case, & as "and", no apostrophes or punctuation, county abbreviations spelt out,
    a leading "the" dropped: "The Royal Borough of King's Lynn & West Norfolk" and
    "royal borough of kings lynn and west norfolk" give the same key."""
    text = text.lower().replace("&", " and ").replace("'", "").replace("’", "")
    text = re.sub(r"\b(his|her) majestys\b", "hm", text)
    words = re.sub(r"[^a-z0-9]+", " ", text).split()
    words = [ABBREVIATIONS.get(w, w) for w in words]
    if words[:1] == ["the"]:
        words = words[1:]
    while words[-1:] in (["limited"], ["ltd"], ["plc"]):
        words = words[:-1]
    return " ".join(words)


def name_key(name: str | None) -> str:
    """The key of a buyer that no register knows: its normalised name, apostrophes and a
    leading "The" dropped ("The Mayor's Office" and "MAYORS OFFICE" are one buyer)."""
    key = classify.normalise_name((name or "").replace("'", "").replace("’", ""))
    return key[4:] if key.startswith("the ") else key


def variants(name: str) -> list[str]:
    """The name, then without any bracketed part ("(WCC)"), then each part of a name joined
    with " - " or ":" ("Hertfordshire County Council - Children's Services"), as match keys."""
    unbracketed = re.sub(r"\s*\([^)]*\)\s*", " ", name).strip()
    parts = [p for p in re.split(r"\s+[-–—:|]\s+|:\s+", unbracketed) if p.strip()]
    found = []
    for text in (name, unbracketed, *parts):
        key = match_key(text)
        if key and key not in found:
            found.append(key)
    return found


@lru_cache(maxsize=1)
def _council_index() -> tuple[dict, dict]:
    """(full name key -> codes, place core -> codes) over every name the register gives."""
    reg = registers()
    full: dict[str, set] = {}
    core: dict[str, set] = {}
    names = [(c.name, c.code) for c in reg.councils.values()] + [(c.nice_name, c.code) for c in reg.councils.values()]
    names += list(reg.names.items())
    for text, code in names:
        key = match_key(text)
        full.setdefault(key, set()).add(code)
        core.setdefault(place_core(key), set()).add(code)
    return full, core


def place_core(key: str) -> str:
    """The place in a council name's key: "london borough of merton" and "merton council"
    give "merton"; "east hertfordshire district council" gives "east hertfordshire"."""
    stripped = _KIND_SUFFIX.sub("", _KIND_PREFIX.sub("", key)).strip()
    return stripped or key


@lru_cache(maxsize=65536)
def council_by_name(name: str) -> str | None:
    """The register code of the council a buyer name names, or None.

    Tried on each variant of the name: the whole name among the register's names and
    variants; then, for names that look like a principal council's, the longest leading
    part that is such a name ("Kent County Council Commercial Services"), then the place
    alone ("East Herts Council" -> East Hertfordshire)."""
    full, core = _council_index()
    keys = variants(name)
    for key in keys:
        if key in full:
            return _choose(full[key], key)
    for key in keys:
        if _COUNCIL_WORDS.search(key) and not _NOT_A_COUNCIL.search(key):
            words = key.split()
            for end in range(len(words) - 1, 1, -1):
                prefix = " ".join(words[:end])
                if prefix in full and _COUNCIL_WORDS.search(prefix):
                    return _choose(full[prefix], prefix)
            place = place_core(key)
            if place != key and place in core:
                return _choose(core[place], key)
    return None


def _choose(codes: set, key: str) -> str:
    """One council among several sharing a name ("north yorkshire": the county council and
    the unitary that replaced it): the kind the name says, then a current council."""
    councils = registers().councils
    if len(codes) == 1:
        return next(iter(codes))
    hinted = [c for c in codes if any(hint in key and councils[c].kind in kinds for hint, kinds in _KIND_HINTS)]
    pool = hinted or sorted(codes)
    return sorted(pool, key=lambda c: (councils[c].end is not None, c))[0]


@lru_cache(maxsize=1)
def _govuk_index() -> dict:
    """Title (and distinctive abbreviation) key -> analytics identifier; where two share a
    key, an organisation that is not closed wins."""
    reg = registers()
    index: dict[str, list] = {}
    for org in reg.organisations.values():
        for text in (org.title, org.abbreviation):
            key = match_key(text) if text else ""
            if key and (text == org.title or len(key) >= 3):
                index.setdefault(key, []).append(org)
    return {key: sorted(orgs, key=lambda o: (o.status == "closed", o.title != o.abbreviation, o.identifier))[0].identifier
            for key, orgs in index.items()}


@lru_cache(maxsize=65536)
def govuk_by_name(name: str) -> str | None:
    """The GOV.UK organisation a buyer name names exactly (after match_key), or None."""
    index = _govuk_index()
    return next((index[key] for key in variants(name) if key in index), None)
