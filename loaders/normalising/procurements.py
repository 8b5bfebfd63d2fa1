"""OCDS releases -> how each procurement was run: rows of `procurements` (one per ocid),
`procurement_lots` (one per lot) and `procurement_criteria` (one per award criterion).

These are the facts the campaign's five steps can be measured by (DESIGN.md, "Beyond
awards"); the field paths are those of sources-2 section D. Most are published only in
Procurement Act 2023 notices on Find a Tender (from 24 February 2025); a notice under the
earlier rules gives what it has (a weight written in a criterion's `description`), and its
procurement is marked `earlier_rules`.

Rules:
- every stage counts (planning, tender, award, contract, termination); for each fact the
  latest release that states it wins (releases in date order, as for awards);
- a lot's award criteria are those of the latest release that lists criteria for that lot;
- bid statistics are those of the latest release that states them, summed over the lots;
- a **social value criterion** is one whose name or description mentions social value or
  community benefit (SOCIAL_VALUE), whatever its type;
- weights are percentages: `percentageExact`/`percentageRangeMiddle` as stated, the
  `decimal...` codes times 100; points and order give no percentage (the code is kept);
- releases, and awards, of the wrong shape are left out as for awards (normalise.readable,
  which reports them); an error deriving a procurement is a quality event for each of its
  releases, never an exception.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from loaders.normalising import classify, shapes
from loaders.normalising.normalise import (FTS_RELEASE_API, Release, buyer_fields, cpv_of, date_of, notice_types, notice_url,
                                           readable, release_kind, release_order, text_of)
from loaders.normalising.shapes import number as number_of

SOCIAL_VALUE = re.compile(r"social[\s-]*value|community[\s-]*benefit", re.IGNORECASE)
PROCUREMENT_ACT_START = date(2025, 2, 24)
# A Procurement Act notice: a UK notice type (UK1 ... UK17) or the Act as legal basis.
_UK_NOTICE = re.compile(r"^UK\d+$")
_ACT_BASIS = "2023/54"
_PERCENT_CODES = {"percentageExact": 1.0, "percentageRangeMiddle": 1.0, "decimalExact": 100.0,
                  "decimalRangeMiddle": 100.0}
_WEIGHT_TEXT = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*%?\s*$")  # an earlier-rules weight in `description`
_MEASURES = {"bids": "bids", "smeBids": "sme_bids", "finalStageBids": "final_stage_bids",
             "vcseFinalStageBids": "vcse_bids"}

PROCUREMENT_FIELDS = (
    "ocid", "source", "title", "notice_url", "category",
    "buyer_key", "buyer_name", "buyer_name_published", "buyer_type", "buyer_council_code", "buyer_postcode",
    "published_date", "last_date", "regime", "stages", "notice_types",
    "procedure", "procedure_details", "procedure_rationale",
    "lots", "divided", "no_lots_rationale",
    "criteria_published", "weights_published", "social_value", "social_value_weight", "criteria",
    "bids", "sme_bids", "final_stage_bids", "vcse_bids",
    "engagement_notice", "no_engagement_rationale",
    "suitable_sme", "suitable_vcse", "tender_value_gbp", "above_threshold", "cancelled",
)
LOT_FIELDS = ("ocid", "lot_id", "title", "status", "value_gbp", "suitable_sme", "suitable_vcse",
              "criteria", "social_value_weight", "bids", "sme_bids", "final_stage_bids", "vcse_bids")
CRITERION_FIELDS = ("ocid", "lot_id", "position", "type", "name", "description", "weight_percent",
                    "weight_code", "weight_basis", "social_value")


@dataclass
class Facts:
    """The rows of the three procurement tables, for one ocid or many, and the quality events
    of procurements that could not be derived (as normalise.Result.events)."""
    procurements: list[tuple] = field(default_factory=list)
    lots: list[tuple] = field(default_factory=list)
    criteria: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)

    def extend(self, other: "Facts") -> None:
        self.procurements.extend(other.procurements)
        self.lots.extend(other.lots)
        self.criteria.extend(other.criteria)
        self.events.extend(other.events)


def procurement_facts(releases: list[Release]) -> Facts:
    """The procurement of one ocid, its lots and its award criteria (nothing when no release
    of it can be read: the awards side reports those). Never raises: an error becomes a
    quality event for each of its releases, naming the exception."""
    try:
        return _procurement_facts(releases)
    except Exception as error:  # noqa: BLE001 - any error is the procurement's, reported
        reason = shapes.failure(error, "procurement could not be derived")
        return Facts(events=[(r.ocid, r.release_id, None, "release_not_normalised", reason) for r in releases])


def _procurement_facts(releases: list[Release]) -> Facts:
    usable = sorted(readable(releases)[0], key=release_order)
    if not usable:
        return Facts()
    lots = _lots(usable)
    criteria = [c for lot_id in lots for c in _criteria(usable, lot_id)]
    bids = _bid_totals(usable)
    lot_rows = [_lot_row(usable, lot_id, lot, [c for c in criteria if c["lot_id"] == lot_id], bids.get(lot_id, {}))
                for lot_id, lot in lots.items()]
    row = {**_identity(usable), **_procedure(usable), **_lot_facts(usable, lots),
           **_criteria_facts(criteria), "criteria": _criteria_words(lot_rows), **_summed(bids), **_engagement(usable),
           **_suitability(usable, lots), **_tender_value(usable)}
    return Facts([tuple(row[name] for name in PROCUREMENT_FIELDS)], lot_rows,
                 [tuple({**c, "ocid": row["ocid"]}[name] for name in CRITERION_FIELDS) for c in criteria])


def _latest(releases: list[Release], get):
    """The value `get(release data)` of the latest release that states one (not None)."""
    found = None
    for release in releases:
        value = get(release.data)
        if value is not None:
            found = value
    return found


def _dict(value) -> dict:
    return value if isinstance(value, dict) else {}


def _list(value) -> list:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _tender(data: dict) -> dict:
    return _dict(data.get("tender"))


def _planning(data: dict) -> dict:
    return _dict(data.get("planning"))


def _identity(releases: list[Release]) -> dict:
    """Whose procurement, what, when, under which rules, and its public notice."""
    first, last = releases[0], releases[-1]
    with_buyer = next((r for r in reversed(releases) if r.data.get("buyer") or r.data.get("parties")), last)
    notices = set().union(*(notice_types(r.data) for r in releases))
    cpv_code, _ = cpv_of(_latest(releases, lambda d: _tender(d) or None) or {})
    buyer = buyer_fields(with_buyer.data)
    return {
        "ocid": first.ocid, "source": first.source,
        "title": _latest(releases, lambda d: text_of(_tender(d).get("title"))),
        "notice_url": _first_notice(releases),
        "category": _latest(releases, lambda d: text_of(_tender(d).get("mainProcurementCategory")))
                    or classify.category_from_cpv(cpv_code),
        **{key: buyer[key] for key in ("buyer_key", "buyer_name", "buyer_name_published", "buyer_type",
                                       "buyer_council_code", "buyer_postcode")},
        "published_date": date_of(first.data.get("date")), "last_date": date_of(last.data.get("date")),
        "regime": _regime(releases, notices),
        "stages": ",".join(sorted({release_kind(r.data) for r in releases})),
        "notice_types": ",".join(sorted(notices, key=lambda n: (len(n), n))) or None,
    }


def _first_notice(releases: list[Release]) -> str | None:
    """The public page of the earliest notice of the procurement: a document's URL, else the
    notice page its release id names (normalise.notice_url); the API's page of the
    procurement only when no release has either."""
    for release in releases:
        data = release.data
        holders = [_tender(data), _planning(data), *_list(data.get("awards")), *_list(data.get("contracts"))]
        urls = [d.get("url") for holder in holders for d in _list(holder.get("documents"))]
        urls.append(notice_url(release, {}, {}))
        url = next((u for u in urls if isinstance(u, str) and u.startswith(("https://", "http://"))), None)
        if url and url != FTS_RELEASE_API.format(release.ocid):
            return url
    return notice_url(releases[0], {}, {})


def _regime(releases: list[Release], notices: set[str]) -> str:
    """procurement_act (a UK notice type or the Act as legal basis), earlier_rules (another
    legal basis, or a Find a Tender notice before the Act began), or unknown."""
    bases = {str(_dict(_tender(r.data).get("legalBasis")).get("id") or "") for r in releases} - {""}
    if any(_UK_NOTICE.match(n) for n in notices) or _ACT_BASIS in bases:
        return "procurement_act"
    first = date_of(releases[0].data.get("date"))
    if bases or (releases[0].source == "find-a-tender" and first and first < PROCUREMENT_ACT_START):
        return "earlier_rules"
    return "unknown"


def _procedure(releases: list[Release]) -> dict:
    """The procedure and, for a direct or limited award, the reason the notice gives."""
    def rationale(data: dict):
        tender = _tender(data)
        parts = [text_of(tender.get("procurementMethodRationale"))]
        parts += [text_of(c.get("description")) for c in _list(tender.get("procurementMethodRationaleClassifications"))]
        return "; ".join(dict.fromkeys(p for p in parts if p)) or None
    return {
        "procedure": _latest(releases, lambda d: text_of(_tender(d).get("procurementMethod"))),
        "procedure_details": _latest(releases, lambda d: text_of(_tender(d).get("procurementMethodDetails"))),
        "procedure_rationale": _latest(releases, rationale),
    }


def _lots(releases: list[Release]) -> dict[str, dict]:
    """lot id -> the lot, each key as the latest release that states it."""
    lots: dict[str, dict] = {}
    for release in releases:
        for lot in _list(_tender(release.data).get("lots")):
            if lot.get("id") not in (None, ""):
                merged = lots.setdefault(str(lot["id"]), {})
                merged.update({k: v for k, v in lot.items() if v is not None})
    return lots


def _lot_facts(releases: list[Release], lots: dict) -> dict:
    """How many lots, and the reason given for not dividing into lots."""
    reason = _latest(releases, lambda d: text_of(_dict(_tender(d).get("lotDetails")).get("noLotsDivisionRationale")))
    return {"lots": len(lots) or None, "divided": len(lots) > 1 if lots else None, "no_lots_rationale": reason,
            "cancelled": any(release_kind(r.data) == "termination"
                             or _tender(r.data).get("status") in ("withdrawn", "cancelled") for r in releases)}


def _criteria(releases: list[Release], lot_id: str) -> list[dict]:
    """The award criteria of one lot, from the latest release that lists criteria for it."""
    def listed(data: dict):
        for lot in _list(_tender(data).get("lots")):
            if str(lot.get("id")) == lot_id:
                return _list(_dict(lot.get("awardCriteria")).get("criteria")) or None
        return None
    return [_criterion(lot_id, position, c) for position, c in enumerate(_latest(releases, listed) or [], 1)]


def _criterion(lot_id: str, position: int, criterion: dict) -> dict:
    """One criterion with its weight as a percentage where the notice gives one."""
    name, description = text_of(criterion.get("name")), text_of(criterion.get("description"))
    numbers = _list(criterion.get("numbers"))
    weight, code, basis = None, None, None
    if numbers:
        code = text_of(numbers[0].get("weight"))
        number = number_of(numbers[0].get("number"))
        if number is not None and code in _PERCENT_CODES:
            weight, basis = number * _PERCENT_CODES[code], "numbers"
    elif description and (match := _WEIGHT_TEXT.match(description)):
        weight, basis = float(match.group(1)), "description"
    return {"lot_id": lot_id, "position": position, "type": text_of(criterion.get("type")), "name": name,
            "description": description, "weight_percent": weight, "weight_code": code, "weight_basis": basis,
            "social_value": bool(SOCIAL_VALUE.search(f"{name or ''} {description or ''}"))}


def _criteria_facts(criteria: list[dict]) -> dict:
    """Whether criteria (and weights) are published, and the social value criterion: None
    when no criteria are published, since nothing is then known about it."""
    weights = [c["weight_percent"] for c in criteria if c["social_value"] and c["weight_percent"] is not None]
    return {"criteria_published": bool(criteria),
            "weights_published": any(c["weight_percent"] is not None for c in criteria),
            "social_value": any(c["social_value"] for c in criteria) if criteria else None,
            "social_value_weight": max(weights) if weights else None}


def _bid_totals(releases: list[Release]) -> dict[str, dict[str, float]]:
    """lot id ("" for none) -> {measure column: figure}, from the latest release that states
    bid statistics. Figures of one measure for the same lot (or, with no `relatedLot`, for
    the whole notice: an earlier-rules notice may state one per award) give the largest, so
    bids are never counted twice."""
    stats = _latest(releases, lambda d: _list(_dict(d.get("bids")).get("statistics")) or None) or []
    totals: dict[str, dict[str, float]] = {}
    for stat in stats:
        column, value = _MEASURES.get(stat.get("measure")), number_of(stat.get("value"))
        if column and value is not None:
            lot = totals.setdefault(str(stat.get("relatedLot") or ""), {})
            lot[column] = max(value, lot.get(column, value))
    return totals


def _summed(bids: dict[str, dict[str, float]]) -> dict:
    """Each bid measure summed over the lots that publish it (None where none does)."""
    return {column: sum(lot[column] for lot in bids.values() if column in lot)
            if any(column in lot for lot in bids.values()) else None for column in _MEASURES.values()}


def _engagement(releases: list[Release]) -> dict:
    """The preliminary market engagement notice (UK2) on the same ocid, else the reason the
    notices give for holding none."""
    notice = None
    for release in releases:
        planning = _planning(release.data)
        for document in _list(planning.get("documents")):
            if document.get("noticeType") == "UK2" or document.get("documentType") == "marketEngagementNotice":
                notice = notice or text_of(str(document.get("id") or "")) or release.release_id
        if "UK2" in notice_types(release.data):
            notice = notice or release.release_id
    reason = _latest(releases, lambda d: text_of(_planning(d).get("noEngagementNoticeRationale"))
                     or text_of(_tender(d).get("noEngagementNoticeRationale")))
    return {"engagement_notice": notice, "no_engagement_rationale": None if notice else reason}


def _suitable(holders: list[dict], key: str) -> bool | None:
    """True when any lot (or the tender) is marked suitable, False when all that say are not."""
    said = [h[key] for h in holders if isinstance(h.get(key), bool)]
    return any(said) if said else None


def _suitability(releases: list[Release], lots: dict) -> dict:
    holders = [_dict(lot.get("suitability")) for lot in lots.values()]
    holders.append(_dict(_latest(releases, lambda d: _tender(d).get("suitability"))))
    return {"suitable_sme": _suitable(holders, "sme"), "suitable_vcse": _suitable(holders, "vcse")}


def _gbp(value) -> float | None:
    value = _dict(value)
    amount = number_of(value.get("amount"))
    return amount if amount is not None and value.get("currency") in (None, "GBP") else None


def _tender_value(releases: list[Release]) -> dict:
    above = _latest(releases, lambda d: _tender(d).get("aboveThreshold"))
    return {"tender_value_gbp": _latest(releases, lambda d: _gbp(_tender(d).get("value"))),
            "above_threshold": above if isinstance(above, bool) else None}


def _lot_row(releases: list[Release], lot_id: str, lot: dict, criteria: list[dict], bids: dict) -> tuple:
    suitability = _dict(lot.get("suitability"))
    weights = [c["weight_percent"] for c in criteria if c["social_value"] and c["weight_percent"] is not None]
    row = {"ocid": releases[0].ocid, "lot_id": lot_id, "title": text_of(lot.get("title")),
           "status": text_of(lot.get("status")), "value_gbp": _gbp(lot.get("value")),
           "suitable_sme": _suitable([suitability], "sme"), "suitable_vcse": _suitable([suitability], "vcse"),
           "criteria": "; ".join(_criterion_words(c) for c in criteria) or None,
           "social_value_weight": max(weights) if weights else None,
           **{column: bids.get(column) for column in _MEASURES.values()}}
    return tuple(row[name] for name in LOT_FIELDS)


def _criteria_words(lot_rows: list[tuple]) -> str | None:
    """Every lot's criteria in words ("Lot 2: Price: Price 80%; ..."), lots separated by " | "."""
    position = LOT_FIELDS.index("criteria")
    worded = [(row[1], row[position]) for row in lot_rows if row[position]]
    if len(worded) == 1:
        return worded[0][1]
    return " | ".join(f"Lot {lot}: {words}" for lot, words in worded) or None


def _criterion_words(criterion: dict) -> str:
    """ "Quality: Social value 10%" """
    kind, name = (criterion["type"] or "").capitalize(), criterion["name"]
    label = f"{kind}: {name}" if kind and name else kind or name
    weight = criterion["weight_percent"]
    return f"{label or 'Unnamed'}{'' if weight is None else f' {weight:g}%'}"
