"""OCDS releases -> rows of the `awards` table (one row per award x supplier).

Rules (DESIGN.md, "The awards table"):
- all releases of one ocid are read together; for each award id the latest release that
  carries it wins (by release date, then the Contracts Finder sequence suffix of its id);
- cancelled and unsuccessful awards, awards a later procurement termination notice (UK12)
  cancels, and awards with no supplier give no rows but are reported as quality events;
- a joint award's value is split equally among its distinct suppliers;
- supplier size comes only from the supplier's own scale / sme flag;
- a release with a field of the wrong type (loaders.normalising.shapes) gives no rows, an
  award with one gives none of its own, and an amount that is not a number leaves its award
  without a value; each is reported as a quality event, as is any error normalising raises,
  so that no release stops an import or a refresh.
Geography columns (district, region, locality, distance) are filled later, in the store,
from the `postcodes` table, so that geocoding never needs the releases re-read.
"""

import re
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from loaders.geography.places import region_code
from loaders.geography.postcodes import (crown_dependency, extract_outward, extract_postcode, foreign_country,
                                         normalise_postcode)
from loaders.normalising import buyers, classify, shapes

CF_NOTICE = "https://www.contractsfinder.service.gov.uk/Notice/{}"
FTS_NOTICE = "https://www.find-tender.service.gov.uk/Notice/{}"
FTS_RELEASE_API = "https://www.find-tender.service.gov.uk/api/1.0/ocdsReleasePackages/{}"
_FTS_NOTICE_ID = re.compile(r"^\d{6}-\d{4}$")
_CF_RELEASE_ID = re.compile(r"^([0-9a-f-]{36})-(\d+)$", re.IGNORECASE)
EXCLUDED_STATUSES = {"cancelled", "unsuccessful"}

# The columns the normaliser fills, in the order of the awards table (store.AWARD_COLUMNS
# adds the geography columns after these).
ROW_FIELDS = (
    "award_key", "source", "ocid", "release_id", "award_id", "award_status", "notice_url",
    "title", "cpv_code", "cpv_label", "category", "procedure", "is_framework",
    "buyer_key", "buyer_name", "buyer_name_published", "buyer_type", "buyer_type_basis", "buyer_identified_by",
    "buyer_council_code", "buyer_postcode",
    "supplier_key", "supplier_name", "supplier_id_scheme", "supplier_id",
    "supplier_postcode", "supplier_abroad", "supplier_region_code", "supplier_size", "supplier_vcse",
    "award_date", "contract_start", "contract_end",
    "award_value_gbp", "award_value_gross_gbp", "value_gbp", "n_suppliers", "value_source", "value_flag", "value_band",
)


@dataclass(frozen=True)
class Release:
    """One stored release: where it came from and its parsed JSON."""
    source: str
    ocid: str
    release_id: str
    data: dict


@dataclass
class Result:
    """Award rows plus the quality events (excluded awards, releases that could not be read)."""
    rows: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)  # (ocid, release_id, award_id, kind, detail)

    def extend(self, other: "Result") -> None:
        self.rows.extend(other.rows)
        self.events.extend(other.events)


def normalise_ocid(releases: list[Release]) -> Result:
    """All award rows of one ocid, from the releases that carry it. Never raises: an error
    becomes a quality event for each of its releases, naming the exception."""
    try:
        return _normalise_ocid(releases)
    except Exception as error:  # noqa: BLE001 - any error is the release's, reported
        return Result(events=[(r.ocid, r.release_id, None, "release_not_normalised", shapes.failure(error))
                              for r in releases])


def _normalise_ocid(releases: list[Release]) -> Result:
    result = Result()
    usable, result.events = readable(releases)
    usable.sort(key=release_order)
    winners = _latest_awards(usable)
    contracts = _latest_contracts(usable)
    terminations = [r for r in usable if release_kind(r.data) == "termination"]
    for award_id, (release, award) in winners.items():
        ended = _terminated_by(release, award, terminations)
        if ended:
            result.events.append((release.ocid, release.release_id, award_id, "award_cancelled_by_termination",
                                  f"procurement termination notice {ended.release_id} (UK12)"))
            continue
        try:
            result.extend(_award_rows(release, award, contracts.get(award_id)))
        except Exception as error:  # noqa: BLE001 - one award's error must not lose the others
            result.events.append((release.ocid, release.release_id, award_id, "release_not_normalised",
                                  shapes.failure(error)))
    return result


def readable(releases: list[Release]) -> tuple[list[Release], list[tuple]]:
    """The releases that can be normalised, each without its awards of the wrong shape, and
    the quality events saying what was set aside and which amounts are not numbers."""
    usable, events = [], []
    for release in releases:
        checked = _release_check(release.data)
        if checked.problem:
            events.append((release.ocid, release.release_id, None, "release_not_normalised", checked.problem))
            continue
        data, awards = release.data, []
        contracts = data.get("contracts") or []
        notes = [(contracts[path[1]].get("awardID"), path, value) for path, value in checked.not_numeric
                 if path[0] == "contracts"]
        notes += [(None, path, value) for path, value in checked.not_numeric if path[0] != "contracts"]
        for position, award in enumerate(data.get("awards") or []):
            award_check = shapes.check(award, shapes.AWARD, ("awards", position))
            if award_check.problem:
                award_id = award["id"] if shapes.ID.accepts(award["id"]) else None
                events.append((release.ocid, release.release_id, None if award_id is None else str(award_id),
                               "release_not_normalised", award_check.problem))
            else:
                awards.append(award)
                notes += [(award["id"], path, value) for path, value in award_check.not_numeric]
        events += [(release.ocid, release.release_id, None if award_id is None else str(award_id),
                    "value_not_numeric", shapes.not_a_number(path, value)) for award_id, path, value in notes]
        if len(awards) < len(data.get("awards") or []):
            release = Release(release.source, release.ocid, release.release_id, {**data, "awards": awards})
        usable.append(release)
    return usable, events


# What kind of notice a release is, from its tags and the notice type of its documents
# (sources-2 section D): Find a Tender tags a UK12 procurement termination
# `tenderCancellation`, a UK10 change `contractAmendment`, a UK7 ["award", "contract"].
KINDS_BY_TAG = (("tenderCancellation", "termination"), ("contractAmendment", "amendment"),
                ("contract", "contract"), ("award", "award"), ("awardUpdate", "award"),
                ("tender", "tender"), ("tenderUpdate", "tender"), ("tenderAmendment", "tender"),
                ("planning", "planning"), ("planningUpdate", "planning"))
TERMINATION_NOTICES = {"UK12"}


def release_kind(data: dict) -> str:
    """termination, amendment, contract, award, tender, planning or other."""
    tags = set(data.get("tag") or []) if isinstance(data.get("tag"), list) else set()
    return kind_of(tags, notice_types(data))


def kind_of(tags: set[str], notices: set[str]) -> str:
    """The kind of a release with these tags whose documents name these notice types."""
    if TERMINATION_NOTICES & notices:
        return "termination"
    return next((kind for tag, kind in KINDS_BY_TAG if tag in tags), "other")


def notice_types(data: dict) -> set[str]:
    """The Find a Tender notice types (UK4, UK6, UK12 ...) its documents name."""
    holders = [data.get("tender"), data.get("planning"), *(data.get("awards") or []), *(data.get("contracts") or [])]
    return {d.get("noticeType") for h in holders if isinstance(h, dict) for d in h.get("documents") or []
            if isinstance(d, dict) and d.get("noticeType")}


def _terminated_by(release: Release, award: dict, terminations: list[Release]) -> Release | None:
    """The later procurement termination (UK12) that cancels this award, if any: one that
    withdraws the whole tender, or a lot the award belongs to, after the award's notice."""
    lots = {str(lot) for lot in award.get("relatedLots") or []}
    for ending in terminations:
        if ending is release or release_order(ending) <= release_order(release):
            continue
        withdrawn = _withdrawn_lots(ending.data)
        if withdrawn is None or not lots or lots & withdrawn:
            return ending
    return None


def _withdrawn_lots(data: dict) -> set[str] | None:
    """The lots a termination withdraws; None when it withdraws the whole procurement (no lot
    is named)."""
    tender = data.get("tender") if isinstance(data.get("tender"), dict) else {}
    lots = {str(lot.get("id")) for lot in tender.get("lots") or []
            if isinstance(lot, dict) and lot.get("status") in ("withdrawn", "cancelled")}
    lots |= {str(lot) for a in data.get("awards") or [] if isinstance(a, dict)
             and (a.get("status") or "").lower() == "cancelled" for lot in a.get("relatedLots") or []}
    return lots or None


def release_problem(data) -> str | None:
    """Why a release cannot be normalised, or None if its shape is usable (its awards are
    checked one by one, by `readable`)."""
    return _release_check(data).problem


def _release_check(data) -> shapes.Check:
    """The release's shape checked: the first problem, and the amounts that are not numbers."""
    if not isinstance(data, dict):
        return shapes.Check("release is not a JSON object")
    if not data.get("ocid"):
        return shapes.Check("release has no ocid")
    for key in ("awards", "parties", "contracts"):
        if key in data and data[key] is not None and not isinstance(data[key], list):
            return shapes.Check(f"'{key}' is not a list")
    for award in data.get("awards") or []:
        if not isinstance(award, dict) or award.get("id") in (None, ""):
            return shapes.Check("an award has no id")
    return shapes.check(data, shapes.RELEASE)


def release_order(release: Release) -> tuple:
    """Sort key: release date (UTC), then the Contracts Finder sequence suffix of the id."""
    match = _CF_RELEASE_ID.match(release.release_id)
    return (_parse_instant(release.data.get("date")), int(match.group(2)) if match else 0,
            release.release_id)


def _parse_instant(text) -> datetime:
    """Release dates carry mixed offsets (Z, +01:00); compare them as UTC instants."""
    try:
        moment = datetime.fromisoformat(str(text))
    except ValueError:
        return datetime.min.replace(tzinfo=timezone.utc)
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _latest_awards(releases: list[Release]) -> dict:
    """award id -> (release, award) from the latest release carrying that award id."""
    winners = {}
    for release in releases:
        for award in release.data.get("awards") or []:
            winners[str(award["id"])] = (release, award)
    return winners


def _latest_contracts(releases: list[Release]) -> dict:
    """award id -> the latest contract entry for it (a UK7 or a later change notice)."""
    latest = {}
    for release in releases:
        for contract in release.data.get("contracts") or []:
            if isinstance(contract, dict) and contract.get("awardID") is not None:
                latest[str(contract["awardID"])] = contract
    return latest


def _award_rows(release: Release, award: dict, contract: dict | None) -> Result:
    """The rows of one award, or the event that says why it has none."""
    data, result = release.data, Result()
    status = (award.get("status") or "").lower()
    if status in EXCLUDED_STATUSES:
        result.events.append((release.ocid, release.release_id, str(award["id"]), f"award_{status}", None))
        return result
    suppliers = _distinct_suppliers(data, award)
    if not suppliers:
        result.events.append((release.ocid, release.release_id, str(award["id"]), "award_no_suppliers", None))
        return result
    common = _award_fields(release, award, contract or {}, len(suppliers))
    buyer = buyer_fields(data)
    for supplier in suppliers:
        row = {**common, **buyer, **supplier}
        row["award_key"] = "|".join((release.source, release.ocid, str(award["id"]), supplier["supplier_key"]))
        result.rows.append(tuple(row[name] for name in ROW_FIELDS))
    return result


def _award_fields(release: Release, award: dict, contract: dict, n_suppliers: int) -> dict:
    """Fields shared by every supplier row of one award."""
    data = release.data
    tender = data.get("tender") or {}
    amount, gross, currency, value_source = _award_value(award, contract)
    flag = classify.value_flag(amount, currency)
    award_value = amount if flag != "non_gbp" else None
    cpv_code, cpv_label = cpv_of(tender)
    title = text_of(award.get("title")) or text_of(tender.get("title"))
    procedure = text_of(tender.get("procurementMethodDetails")) or text_of(tender.get("procurementMethod"))
    techniques = tender.get("techniques") or {}
    return {
        "source": release.source, "ocid": release.ocid, "release_id": release.release_id,
        "award_id": str(award["id"]), "award_status": award.get("status") or None,
        "notice_url": notice_url(release, award, contract),
        "title": title, "cpv_code": cpv_code, "cpv_label": cpv_label,
        "category": tender.get("mainProcurementCategory") or classify.category_from_cpv(cpv_code),
        "procedure": procedure,
        "is_framework": bool(techniques.get("hasFrameworkAgreement")
                             or techniques.get("hasDynamicPurchasingSystem")
                             or classify.says_framework(title, procedure)),
        "award_date": date_of(award.get("date")) or date_of(contract.get("dateSigned"))
                      or date_of(award.get("datePublished")) or date_of(data.get("date")),
        "contract_start": _period(award, contract, tender, "startDate"),
        "contract_end": _period(award, contract, tender, "endDate"),
        "award_value_gbp": award_value,
        "award_value_gross_gbp": gross if flag != "non_gbp" else None,
        "value_gbp": award_value / n_suppliers
                     if award_value is not None and classify.counts_in_totals(flag) else None,
        "n_suppliers": n_suppliers, "value_source": value_source, "value_flag": flag,
        "value_band": classify.value_band(classify.banded_value(award_value, flag)),
    }


def _award_value(award: dict, contract: dict) -> tuple:
    """(amount, amountGross, currency, value_source): the award's value, else its contract's.

    On Find a Tender `amount` is net of VAT and `amountGross` includes it; the gross figure
    is kept for matching notices published on both platforms, whose VAT basis can differ.
    """
    for source, holder in (("award", award), ("contract", contract)):
        value = holder.get("value") or {}
        amount = shapes.number(value.get("amount"))
        if amount is not None:
            return amount, shapes.number(value.get("amountGross")), value.get("currency"), source
    return None, None, None, "none"


def cpv_of(tender: dict) -> tuple:
    """(8-digit CPV code, label) from the tender's main classification or first item."""
    candidates = [tender.get("classification")]
    candidates += [item.get("classification") for item in tender.get("items") or [] if isinstance(item, dict)]
    for item in candidates:
        if isinstance(item, dict) and (item.get("scheme") or "CPV").upper() == "CPV" and item.get("id"):
            return str(item["id"])[:8], text_of(item.get("description"))
    return None, None


def _period(award: dict, contract: dict, tender: dict, end: str) -> date | None:
    """A contract period date: the award's, else the contract's, else the tender's."""
    for period in (award.get("contractPeriod"), contract.get("period"), tender.get("contractPeriod")):
        if isinstance(period, dict) and date_of(period.get(end)):
            return date_of(period.get(end))
    return None


def date_of(text) -> date | None:
    """The calendar date as the notice states it (its local date, offset ignored)."""
    if not isinstance(text, str) or len(text) < 10:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def text_of(value) -> str | None:
    """Trimmed text, None when empty."""
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def notice_url(release: Release, award: dict, contract: dict) -> str | None:
    """The public page of the notice: a document URL, else one built from the notice id."""
    for holder in (award, contract):
        for document in holder.get("documents") or []:
            url = document.get("url") if isinstance(document, dict) else None
            if isinstance(url, str) and url.startswith(("https://", "http://")):
                return url
    cf = _CF_RELEASE_ID.match(release.release_id)
    if release.source == "contracts-finder" and cf:
        return CF_NOTICE.format(cf.group(1))
    if _FTS_NOTICE_ID.match(release.release_id):
        return FTS_NOTICE.format(release.release_id)
    if release.source == "find-a-tender":
        return FTS_RELEASE_API.format(release.ocid)
    return None


def _parties_by_id(data: dict) -> dict:
    return {p.get("id"): p for p in data.get("parties") or [] if isinstance(p, dict) and p.get("id")}


def buyer_fields(data: dict) -> dict:
    """Who the buyer is (loaders.normalising.buyers: registers first, then its name) and its postcode,
    from `buyer` joined to its party (or inline). The name as published is kept beside the
    name it is listed under."""
    parties = _parties_by_id(data)
    buyer = data.get("buyer") or {}
    party = parties.get(buyer.get("id")) or next(
        (p for p in parties.values() if "buyer" in (p.get("roles") or [])), {})
    merged = {**buyer, **party} if party else buyer
    published = buyers.clean(text_of(merged.get("name")) or text_of((merged.get("identifier") or {}).get("legalName")))
    details = merged.get("details") or {}
    ca_types = frozenset(c.get("id") for c in details.get("classifications") or []
                         if isinstance(c, dict) and c.get("scheme") == "UK_CA_TYPE")
    found = buyers.identify(published, _identifiers(merged), ca_types, date_of(data.get("date")),
                            _places(merged) if buyers.is_platform(published) else ())
    address = merged.get("address") or {}
    postcode = normalise_postcode(address.get("postalCode")) or extract_postcode(address.get("streetAddress"))
    return {
        "buyer_key": found.key, "buyer_name": found.name, "buyer_name_published": published,
        "buyer_type": found.type, "buyer_type_basis": found.type_basis,
        "buyer_identified_by": found.identified_by, "buyer_council_code": found.council_code,
        "buyer_postcode": postcode,
    }


def _places(party: dict) -> tuple:
    """Where a party says it is, besides its name: the first label of its gov.uk web and email
    domains ("barnsley"), then the parts of its locality ("Grimsby", "North East Lincolnshire")."""
    details = party.get("details") if isinstance(party.get("details"), dict) else {}
    contact = party.get("contactPoint") if isinstance(party.get("contactPoint"), dict) else {}
    address = party.get("address") if isinstance(party.get("address"), dict) else {}
    found = []
    for text in (details.get("url"), contact.get("url"), contact.get("email")):
        match = re.search(r"([a-z0-9-]+)\.gov\.uk\b", str(text or "").lower())
        if match:
            found.append(match.group(1).replace("-", " "))
    found += [part.strip() for part in str(address.get("locality") or "").split(",") if part.strip()]
    return tuple(dict.fromkeys(found))


def _identifiers(party: dict) -> tuple:
    """(scheme, id) of every identifier a party states: identifier, additionalIdentifiers,
    and its id when that is an org-id ("GB-GOR-EA46")."""
    found = []
    for ident in [party.get("identifier")] + list(party.get("additionalIdentifiers") or []):
        if isinstance(ident, dict) and ident.get("scheme") and ident.get("id") is not None:
            found.append((str(ident["scheme"]).strip().upper(), str(ident["id"]).strip()))
    party_id = str(party.get("id") or "")
    for scheme in (*buyers.COUNCIL_SCHEMES, buyers.GOVUK_SCHEME):
        if party_id.upper().startswith(scheme + "-"):
            found.append((scheme, party_id[len(scheme) + 1:]))
    return tuple(found)


def _distinct_suppliers(data: dict, award: dict) -> list[dict]:
    """One dict of supplier fields per distinct supplier of the award."""
    parties = _parties_by_id(data)
    seen, out = set(), []
    for position, entry in enumerate(award.get("suppliers") or []):
        if not isinstance(entry, dict):
            continue
        party = {**entry, **parties.get(entry.get("id"), {})}
        fields = _supplier_fields(party, f"{data.get('ocid')}/{award.get('id')}/{position + 1}")
        if fields["supplier_key"] not in seen:
            seen.add(fields["supplier_key"])
            out.append(fields)
    return out


UNNAMED_SUPPLIER = "(name not published)"


def _supplier_fields(party: dict, position: str) -> dict:
    """Key, identifiers, place, size and VCSE of one supplier (current or older shape).

    A supplier the notice does not name is kept (its award must not vanish from the totals),
    shown as UNNAMED_SUPPLIER and keyed by the notice's own id for it ("id:GB-CFS-173"), else
    by its place in the award (`position`: ocid/award id/n)."""
    name = text_of(party.get("name")) or text_of((party.get("identifier") or {}).get("legalName"))
    registered = _registered(party)
    details = party.get("details") or {}
    address = party.get("address") or {}
    postcode, country = _supplier_place(address)
    if registered:
        key = f"{registered[0]}-{registered[1]}"
    elif name:
        key = "name:" + classify.normalise_name(name)
    else:
        key = f"id:{party['id']}" if party.get("id") not in (None, "") else f"unnamed:{position}"
    return {
        "supplier_key": key, "supplier_name": name or UNNAMED_SUPPLIER,
        "supplier_id_scheme": registered[0] if registered else None,
        "supplier_id": registered[1] if registered else None,
        "supplier_postcode": postcode, "supplier_abroad": country,
        "supplier_region_code": None if country else region_code(address.get("region")),
        "supplier_size": classify.supplier_size(details, party),
        "supplier_vcse": classify.supplier_vcse(details, party),
    }


def _registered(party: dict) -> tuple | None:
    """The first registered identifier: identifier, additionalIdentifiers, then the party id."""
    identifiers = [party.get("identifier") or {}] + list(party.get("additionalIdentifiers") or [])
    for ident in identifiers:
        if isinstance(ident, dict):
            found = classify.registered_id(ident.get("scheme"), ident.get("id"))
            if found:
                return found
    party_id = party.get("id")
    return classify.split_party_id(str(party_id) if party_id is not None else None)  # OCDS allows integer ids


def _supplier_place(address: dict) -> tuple:
    """(postcode, country) where the notice states them; country only when outside the UK."""
    street = address.get("streetAddress")
    country = foreign_country(address.get("countryName") or address.get("country"),
                              street, address.get("locality"))
    if country:
        return None, country
    postcode = (normalise_postcode(address.get("postalCode")) or extract_postcode(street)
                or extract_postcode(address.get("postalCode")) or extract_postcode(address.get("locality"))
                or extract_outward(address.get("postalCode")) or extract_outward(street))
    return postcode, crown_dependency(postcode)
