"""The demo store: invented awards by real councils (and, in each region, an NHS trust, a
fire and rescue service and a college named after a council's area), written as Contracts
Finder OCDS, and for Scottish and Welsh buyers as Public Contracts Scotland and Sell2Wales
publish them.

The generator writes release packages in the current Contracts Finder shape (parties with
roles, supplier addresses as free text, details.scale / details.vcse) and loads them
through the same reader, normaliser and store as real data, so the demo exercises the
real pipeline. Everything is drawn from one seeded random generator: the same seed gives
the same store. Supplier names are invented from nonsense syllables; notice links point
at the reserved `.invalid` domain, because there is no public notice behind them (the
portals' at the portal's notice page, with a notice id of a form no real notice has).

For a share of each buyer's procurements the same ocid also gets the notices before the
award, in the Find a Tender shape of sources-2 section D: a tender notice (UK4) with lots,
award criteria and suitability, a preliminary market engagement notice (UK2) before it
for some, and on the award release its bid statistics and, for a direct award, the reason
for it. These facts come from a second random generator per buyer, so the award releases
and the awards table are what they would be without them.

A Scottish or Welsh buyer's awards below PORTAL_BELOW are published on its nation's portal,
in the portal's shape (sources-2 sections A and B: the portal's ocid prefix, no release id on
PCS, local `org-N` party ids, postcodes in `postalCode`, for some without the space, a
supplier's size only on some releases, the notice's page on the portal); its larger ones
keep the shape above. Those shapes are drawn from a third generator per buyer, after the
awards, so the awards and every other buyer's releases are what they would be without them.
"""

import csv
import itertools
import math
import random
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import orjson

from loaders.errors import StoreError
from loaders.geography.places import DEMO_GEOGRAPHY, demo_resolver
from loaders.sources.readers import read_file
from loaders.storage import store
from loaders.storage.loading import LoadReport, Progress, load_releases

SEED = 20250401
FIRST_DAY, LAST_DAY = date(2021, 1, 1), date(2025, 12, 31)
RELEASES_PER_FILE = 2_000
DEMO_OCID_PREFIX = "ocds-demo00-"
DEMO_NOTICE = "https://demo.invalid/Notice/{}"
INWARD_LETTERS = "ABDEFGHJLNPQRSTUWXYZ"

# What councils buy: (title, CPV, CPV label, category, median £, how local the trade is).
TRADES = (
    ("Grounds maintenance", "77310000", "Planting and maintenance services of green areas", "services", 45_000, 0.8),
    ("Home to school transport", "60130000", "Special-purpose road passenger-transport services", "services", 30_000, 0.9),
    ("Domiciliary care", "85312000", "Social work services without accommodation", "services", 120_000, 0.7),
    ("Supported living services", "85311000", "Social work services with accommodation", "services", 250_000, 0.6),
    ("Youth activities programme", "92000000", "Recreational, cultural and sporting services", "services", 20_000, 0.8),
    ("Highway resurfacing", "45233142", "Road-repair works", "works", 400_000, 0.5),
    ("School building refurbishment", "45214200", "Construction work for school buildings", "works", 600_000, 0.5),
    ("Housing repairs and voids", "45453000", "Overhaul and refurbishment work", "works", 150_000, 0.6),
    ("Catering supplies", "15000000", "Food, beverages, tobacco and related products", "goods", 35_000, 0.5),
    ("Office furniture", "39100000", "Furniture", "goods", 25_000, 0.3),
    ("Fleet vehicles", "34100000", "Motor vehicles", "goods", 180_000, 0.2),
    ("Case management software", "48000000", "Software package and information systems", "goods", 90_000, 0.1),
    ("IT managed services", "72000000", "IT services: consulting, software development", "services", 200_000, 0.1),
    ("Consultancy support", "79400000", "Business and management consultancy", "services", 60_000, 0.2),
    ("Waste collection", "90511000", "Refuse collection services", "services", 900_000, 0.3),
    ("Cleaning services", "90910000", "Cleaning services", "services", 40_000, 0.7),
    ("Legal services", "79100000", "Legal services", "services", 30_000, 0.3),
    ("Energy supply", "09310000", "Electricity", "goods", 500_000, 0.05),
)
PROCEDURES = (("open", "Open procedure"), ("selective", "Restricted procedure"),
              ("limited", "Competitive quotation"), ("direct", "Direct award"))
# Other public buyers, one of each per region, named after the area of the region's first
# council and buying from that council's local suppliers, so that buyer types differ.
OTHER_BUYERS = ("{} Hospitals NHS Trust", "{} Fire and Rescue Service", "{} College")
COUNCIL_AWARDS, OTHER_AWARDS = (330, 620), (60, 160)
NATIONAL_HUB_COUNCILS = ("London Borough", "Birmingham", "Manchester", "Leeds")
SYLLABLES = ("brack", "quor", "fen", "wil", "tam", "zel", "mor", "vash", "lin", "drun", "pell",
             "orrow", "skel", "thim", "yar", "ulv", "gorse", "nib", "crad", "hollin")
TRADE_WORDS = ("Services", "Solutions", "Partners", "Works", "Care", "Supplies", "Associates", "Group")
VCSE_FORMS = ("Community Trust", "CIC", "Community Interest Company", "Charitable Trust", "Co-operative")
STREETS = ("Mill Lane", "Station Road", "High Street", "Church Street", "Victoria Road", "Park Avenue")
ABROAD = (("Dublin 2, Ireland", "Ireland"), ("1012 AB Amsterdam, Netherlands", "Netherlands"),
          ("75008 Paris, France", "France"))


@dataclass(frozen=True)
class Council:
    """A demo buyer: a real council (or another public body in a council's area), the
    postcode districts of its area, its leanings."""
    name: str
    districts: tuple[str, ...]
    region: str
    local_bias: float
    sme_bias: float
    vcse_bias: float
    trend: float
    place: str = ""  # the area's name (Lancaster, Lancashire)
    pool: str = ""  # the council whose local suppliers it uses, when not a council itself
    awards: tuple[int, int] = COUNCIL_AWARDS  # how many awards it makes (range)


@dataclass(frozen=True)
class Supplier:
    party_id: str
    name: str
    address: str
    scale: str | None
    vcse: bool | None
    home: str | None  # council name, region name or "national"
    street: str | None = None  # the street line and the postcode, for the portals' shape
    postcode: str | None = None  # (None abroad and where the address is not usable)


def build(path: Path, force: bool = False, seed: int = SEED, progress: Progress | None = None,
          before_award: bool = True) -> LoadReport:
    """Generate the demo releases into files and load them into a fresh store at `path`
    (`before_award=False`: the award releases alone, without the notices before the award)."""
    _refuse_real_store(path, force)
    with tempfile.TemporaryDirectory() as folder:
        files = write_packages(Path(folder), seed, before_award)
        batches = [(f"demo:{f.name}", read_file(f, source="demo")) for f in files]
    if path.exists():
        path.unlink()
    return load_releases(batches, path, [demo_resolver()], progress)


def _refuse_real_store(path: Path, force: bool) -> None:
    """Never replace a store holding real releases unless told to: they may be irreplaceable."""
    if force or not path.exists():
        return
    con = store.read_only(path, any_age=True)  # a store of older code is replaced like any
    try:
        real = con.execute("SELECT count(*) FROM releases WHERE source <> 'demo'").fetchall()[0][0]
    finally:
        con.close()
    if real:
        raise StoreError(str(path), f"holds {real:,} real releases; use --store for the demo or --force")


def write_packages(folder: Path, seed: int = SEED, before_award: bool = True) -> list[Path]:
    """Write the demo as OCDS release packages; return the files."""
    rng = random.Random(seed)
    councils = load_councils(rng)
    buyers = councils + other_buyers(rng, councils)
    suppliers = make_suppliers(rng, councils)
    by_id = {s.party_id: s for pool in suppliers.values() for s in pool}
    numbers = {portal.prefix: itertools.count(portal.first) for portal in PORTALS.values()}
    releases = []
    for buyer in buyers:
        awarded = council_releases(rng, buyer, councils, suppliers)
        releases += published(awarded, buyer, seed, before_award, by_id, numbers)
    files = []
    for start in range(0, len(releases), RELEASES_PER_FILE):
        path = folder / f"demo-{start // RELEASES_PER_FILE:03d}.json"
        path.write_bytes(orjson.dumps(_package(releases[start:start + RELEASES_PER_FILE])))
        files.append(path)
    return files


def load_councils(rng: random.Random) -> list[Council]:
    """Councils of the shipped geography table; county councils from their districts' rows."""
    areas: dict[str, dict] = {}
    with open(DEMO_GEOGRAPHY, newline="") as handle:
        for row in csv.DictReader(handle):
            names = [(row["council_name"], row["lad_name"])]
            if row["county_name"]:
                names.append((f"{row['county_name']} County Council", row["county_name"]))
            for name, place in names:
                area = areas.setdefault(name, {"districts": [], "region": row["region"], "place": place})
                area["districts"].append(row["postcode_district"])
    return [Council(name, tuple(a["districts"]), a["region"],
                    local_bias=rng.uniform(0.15, 0.65), sme_bias=rng.uniform(0.35, 0.8),
                    vcse_bias=rng.uniform(0.02, 0.2), trend=rng.uniform(-0.06, 0.1), place=a["place"])
            for name, a in sorted(areas.items())]


def other_buyers(rng: random.Random, councils: list[Council]) -> list[Council]:
    """Per region, OTHER_BUYERS in the area of its first council, using its local suppliers."""
    hosts = {}
    for council in councils:
        hosts.setdefault(council.region, council)
    return [Council(template.format(host.place), host.districts, host.region,
                    local_bias=rng.uniform(0.1, 0.5), sme_bias=rng.uniform(0.2, 0.6),
                    vcse_bias=rng.uniform(0.0, 0.1), trend=rng.uniform(-0.04, 0.06),
                    place=host.place, pool=host.name, awards=OTHER_AWARDS)
            for _, host in sorted(hosts.items()) for template in OTHER_BUYERS]


def make_suppliers(rng: random.Random, councils: list[Council]) -> dict[str, list[Supplier]]:
    """Supplier pools: per council (local), per region, national providers, and abroad."""
    names: set[str] = set()
    pools: dict[str, list[Supplier]] = {"national": [], "abroad": []}
    for council in councils:
        pools[council.name] = [_supplier(rng, names, council.districts, council.name) for _ in range(60)]
    for region in sorted({c.region for c in councils}):
        districts = tuple(d for c in councils if c.region == region for d in c.districts)
        pools[region] = [_supplier(rng, names, districts, region, large_share=0.4) for _ in range(40)]
    # National providers have head offices in the big cities.
    hubs = tuple(c.districts[0] for c in councils if c.name.startswith(NATIONAL_HUB_COUNCILS))
    pools["national"] = [_supplier(rng, names, hubs, "national", large_share=0.9, vcse_share=0.02)
                         for _ in range(25)]
    for i, (place, _country) in enumerate(ABROAD):
        pools["abroad"].append(Supplier(f"GB-CFS-DEMO-A{i}", _invented(rng, names, ("Europe BV",)),
                                        f"{rng.randint(1, 90)} Quay Street, {place}", "large", False, "abroad"))
    return pools


def _supplier(rng, names, districts, home, large_share=0.15, vcse_share=0.12) -> Supplier:
    """One invented supplier based in one of `districts` (a few have no usable address)."""
    vcse = rng.random() < vcse_share
    name = _invented(rng, names, VCSE_FORMS if vcse else tuple(w + " Ltd" for w in TRADE_WORDS))
    scale = None if rng.random() < 0.08 else ("large" if rng.random() < large_share and not vcse else
                                             rng.choice(("sme", "micro", "small", "medium")))
    postcode = f"{rng.choice(districts)} {rng.randint(1, 9)}{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    street, address = None, "N/A"
    if rng.random() >= 0.02:
        street, address = _address(rng, postcode)
    return Supplier(f"GB-CFS-DEMO-{len(names)}", name, address, scale,
                    None if rng.random() < 0.05 else vcse, home,
                    street=street, postcode=postcode if street else None)


def _address(rng, postcode: str) -> tuple[str, str]:
    """(street line, the address as Contracts Finder gives it in one text) in one of three
    forms; all three are drawn, then one chosen, so that the draws never depend on the form."""
    first = f"{rng.randint(1, 200)} {rng.choice(STREETS)}"
    unit, unit_street = rng.randint(1, 40), rng.choice(STREETS)
    third = f"{rng.randint(1, 200)} {rng.choice(STREETS)}"
    return rng.choice(((first, f"{first}, {postcode}"),
                       (f"Unit {unit}, {unit_street}", f"Unit {unit}\r\n{unit_street}\r\n{postcode.lower().replace(' ', '')}"),
                       (third, f"{third}, United Kingdom, {postcode}")))


def _invented(rng: random.Random, taken: set[str], endings: tuple[str, ...]) -> str:
    """A made-up name not used before: nonsense syllables plus an ending ("Quorfen Care Ltd")."""
    while True:
        word = "".join(rng.choice(SYLLABLES) for _ in range(rng.choice((2, 3)))).capitalize()
        name = f"{word} {rng.choice(endings)}"
        if name not in taken:
            taken.add(name)
            return name


def council_releases(rng, council: Council, councils: list[Council], pools) -> list[dict]:
    """All award releases of one buyer: a few hundred awards over 2021-2025 (fewer for
    the buyers that are not councils)."""
    count = rng.randint(*council.awards)
    return [r for _ in range(count) for r in _award_releases(rng, council, pools)]


def _award_releases(rng, council: Council, pools) -> list[dict]:
    """One award (sometimes followed by an update or a cancellation) as releases."""
    trade = rng.choice(TRADES)
    day = FIRST_DAY + timedelta(days=rng.randrange((LAST_DAY - FIRST_DAY).days + 1))
    framework = rng.random() < 0.04
    n_suppliers = rng.choice((3, 4, 6, 8)) if framework else (2 if rng.random() < 0.04 else 1)
    suppliers = [_pick_supplier(rng, council, trade, day, pools) for _ in range(n_suppliers)]
    value = _value(rng, trade[4] * (8 if framework else 1))
    guid = str(uuid.UUID(int=rng.getrandbits(128)))
    release = _release(council, trade, day, framework, suppliers, value, guid, rng, sequence=1)
    releases = [release]
    roll = rng.random()
    if roll < 0.03:
        releases.append(_release(council, trade, day, framework, suppliers, round(value * 1.1, 2), guid, rng,
                                 sequence=2, tag="awardUpdate"))
    elif roll < 0.04:
        releases.append(_release(council, trade, day, framework, suppliers, value, guid, rng,
                                 sequence=2, tag="awardUpdate", status="cancelled"))
    return releases


def _pick_supplier(rng, council: Council, trade, day: date, pools) -> Supplier:
    """Local, regional, national or abroad, by the council's leaning, the trade and the year."""
    years = (day - FIRST_DAY).days / 365
    local = min(0.95, max(0.02, council.local_bias * (0.5 + trade[5]) + council.trend * years))
    roll = rng.random()
    if roll < 0.005:
        return rng.choice(pools["abroad"])
    if roll < local:
        pool = pools[council.pool or council.name]
    elif roll < local + (1 - local) * 0.45:
        pool = pools[council.region]
    else:
        pool = pools["national"]
    candidates = [s for s in rng.sample(pool, 4)]
    wants_sme = rng.random() < council.sme_bias
    wants_vcse = rng.random() < council.vcse_bias
    for s in candidates:
        if (s.vcse is True) == wants_vcse and (s.scale != "large") == wants_sme:
            return s
    return candidates[0]


def _value(rng, median: float) -> float:
    """Log-normal: many small awards, a long tail of very large ones."""
    return round(max(500.0, math.exp(rng.gauss(math.log(median), 1.3))), 2)


def _release(council, trade, day, framework, suppliers, value, guid, rng, sequence, tag="award",
             status="active") -> dict:
    title, cpv, label, category, _median, _local = trade
    method, details = rng.choice(PROCEDURES)
    buyer_id = "GB-CFS-DEMO-" + council.name.replace(" ", "")
    postcode = f"{council.districts[0]} 1{rng.choice(INWARD_LETTERS)}{rng.choice(INWARD_LETTERS)}"
    start = day + timedelta(days=rng.randint(7, 60))
    end = start + timedelta(days=365 * rng.choice((1, 2, 3, 4)) - 1)
    published = day + timedelta(days=rng.randint(1, 40) + (sequence - 1) * 30)
    return {
        "ocid": DEMO_OCID_PREFIX + guid, "id": f"{guid}-{sequence:06d}", "language": "en",
        "date": f"{published.isoformat()}T10:00:00Z", "tag": [tag], "initiationType": "tender",
        "tender": {
            "id": f"DEMO-{guid[:8]}", "title": f"{title} {'framework ' if framework else ''}{day.year}",
            "status": "complete", "classification": {"scheme": "CPV", "id": cpv, "description": label},
            "value": {"amount": value, "currency": "GBP"}, "procurementMethod": method,
            "procurementMethodDetails": details, "mainProcurementCategory": category,
            # Suitability says whom the tender suits, not who won: deliberately random here.
            "suitability": {"sme": rng.random() < 0.5, "vcse": rng.random() < 0.5},
        },
        "parties": [{"id": buyer_id, "name": council.name, "roles": ["buyer"],
                     "address": {"postalCode": postcode, "countryName": "England"}}]
                   + [_party(s) for s in suppliers],
        "buyer": {"id": buyer_id, "name": council.name},
        "awards": [{
            "id": f"{DEMO_OCID_PREFIX}{guid}-1", "status": status, "date": f"{day.isoformat()}T00:00:00Z",
            "value": {"amount": value, "currency": "GBP"},
            "suppliers": [{"id": s.party_id, "name": s.name} for s in suppliers],
            "contractPeriod": {"startDate": f"{start.isoformat()}T00:00:00Z", "endDate": f"{end.isoformat()}T23:59:59Z"},
            "documents": [{"id": "1", "documentType": "awardNotice", "url": DEMO_NOTICE.format(guid)}],
        }],
    }


def _party(s: Supplier) -> dict:
    details = {}
    if s.scale:
        details["scale"] = s.scale
    if s.vcse is not None:
        details["vcse"] = s.vcse
    return {"id": s.party_id, "name": s.name, "identifier": {"legalName": s.name},
            "address": {"streetAddress": s.address}, "details": details, "roles": ["supplier"]}


# The notices before the award (sources-2 section D). A procurement awarded from the day the
# Procurement Act 2023 came into force is run under it (its tender from that day on); one
# before it, under the Public Contracts Regulations 2015 (Directive 2014/24/EU).
ACT_START = date(2025, 2, 24)
ACT_BASIS = {"id": "2023/54", "scheme": "UKPGA", "uri": "https://www.legislation.gov.uk/ukpga/2023/54/contents"}
EARLIER_BASIS = {"id": "32014L0024", "scheme": "CELEX"}
# The Act's thresholds for sub-central authorities from 1 January 2024, with VAT.
THRESHOLDS = {"works": 5_372_609, "goods": 214_904, "services": 214_904}
LOTS_FROM = 200_000  # a tender this large is divided into lots or says why it is not
LOT_AREAS = ("North", "South", "East", "West")
SOCIAL_VALUE_WEIGHTS = (5, 10, 10, 15, 20, 20, 25, 30)
PRICE_WEIGHTS = (20, 30, 40, 40, 50, 60, 70)
QUALITY_NAMES = ("Quality", "Technical quality", "Method statements")
# procurementMethodDetails as Find a Tender words them under the Act: (below, above threshold).
ACT_DETAILS = {"open": ("Below threshold - open competition", "Open procedure"),
               "selective": ("Below threshold - open competition", "Competitive flexible procedure"),
               "limited": ("Below threshold - limited competition", "Competitive flexible procedure")}
NO_ENGAGEMENT_REASONS = (
    "The market is well known from the previous procurement of this service.",
    "Suppliers were consulted informally through the council's supplier portal.",
    "The timetable did not allow preliminary market engagement.",
    "A small number of suppliers were contacted directly to test the specification.",
)
NO_LOTS_REASONS = (
    "The services are interdependent and must be delivered by one provider.",
    "Dividing the contract into lots would not give value for money at this size.",
    "One point of contact is needed across the whole area.",
    "Splitting the work would add interfaces and risk to delivery.",
)
DIRECT_REASONS = (
    "Extreme urgency: the service had to continue while a new provider is procured.",
    "Only the existing supplier can provide the work, for technical reasons (compatibility with current systems).",
    "Additional goods from the existing supplier; a change of supplier would cause incompatibility.",
    "User choice: the person receiving the service chose the provider.",
    "Below threshold: the council's contract procedure rules allow a direct award at this value.",
)


@dataclass(frozen=True)
class Leaning:
    """How one buyer runs its procurements: the shares that differ between buyers."""
    act_share: float  # of its awards since ACT_START, those with the notices before them
    earlier_share: float  # of its earlier awards, those with a tender notice
    engagement: float  # preliminary market engagement notice (UK2)
    engagement_reason: float  # of the rest, a reason for holding none
    lots: float  # of the large tenders, those divided into lots
    social_value: float  # a criterion named social value
    social_value_weight: int
    sme: float  # a lot marked suitable for SMEs
    vcse: float  # a lot marked suitable for VCSEs
    bids: float  # bid statistics published with the award


def process_releases(awarded: list[dict], buyer: Council, seed: int) -> list[dict]:
    """The award releases of one buyer, with the notices before the award for a share of
    its procurements. Drawn from a generator of the buyer's own, so that the award
    releases' own draws, and so the awards, are unchanged."""
    rng = random.Random(f"{seed}:process:{buyer.name}")
    leaning = _leaning(rng)
    releases = []
    for _ocid, group in itertools.groupby(awarded, key=lambda r: r["ocid"]):
        releases += _procurement(rng, leaning, list(group))
    return releases


def _leaning(rng: random.Random) -> Leaning:
    return Leaning(act_share=rng.uniform(0.3, 0.75), earlier_share=rng.uniform(0.02, 0.06),
                   engagement=rng.uniform(0.1, 0.8), engagement_reason=rng.uniform(0.2, 0.9),
                   lots=rng.uniform(0.1, 0.7), social_value=rng.uniform(0.02, 0.75),
                   social_value_weight=rng.choice(SOCIAL_VALUE_WEIGHTS), sme=rng.uniform(0.3, 0.95),
                   vcse=rng.uniform(0.05, 0.6), bids=rng.uniform(0.4, 0.95))


def _procurement(rng, leaning: Leaning, awards: list[dict]) -> list[dict]:
    """One ocid's releases: as awarded, or with its tender (and planning) notices before."""
    first = awards[0]
    awarded = date.fromisoformat(first["awards"][0]["date"][:10])
    method = first["tender"]["procurementMethod"]
    act = awarded >= ACT_START
    if rng.random() >= (leaning.act_share if act else leaning.earlier_share):
        return awards
    if method == "direct":
        if act:
            _direct_award(rng, awards)
        return awards
    lag = timedelta(days=rng.randint(30, 150))
    tender_day = max(ACT_START, awarded - lag) if act else awarded - lag
    lots, no_lots = _lots(rng, leaning, first, act)
    before = _planning(rng, leaning, first, tender_day) if act else []
    engagement_reason = None
    if act and not before and rng.random() < leaning.engagement_reason:
        engagement_reason = rng.choice(NO_ENGAGEMENT_REASONS)
    tender = _tender_release(first, tender_day, method, lots, no_lots, engagement_reason, act)
    _award_facts(rng, leaning, awards, lots, act)
    return before + [tender] + awards


def _direct_award(rng, awards: list[dict]) -> None:
    """A direct award under the Act states its legal basis and why there was no competition."""
    reason = rng.choice(DIRECT_REASONS)
    for release in awards:
        if release["tender"]["procurementMethod"] == "direct":
            release["tender"].update(legalBasis=ACT_BASIS, procurementMethodRationale=reason)


def _lots(rng, leaning: Leaning, award: dict, act: bool) -> tuple[list[dict], str | None]:
    """The tender's lots, and (a large tender under the Act in one lot) why it is not divided."""
    amount = _tender_amount(rng, award)
    values, reason = [amount], None
    if amount >= LOTS_FROM and rng.random() < leaning.lots:
        shares = [rng.uniform(0.5, 1.5) for _ in range(rng.randint(2, 4))]
        values = [round(amount * share / sum(shares), -2) for share in shares]
    elif amount >= LOTS_FROM and act:
        reason = rng.choice(NO_LOTS_REASONS)
    criteria = _criteria(rng, leaning, act)  # a tender's lots share their criteria, as is usual
    title = award["tender"]["title"]
    lots = [{"id": str(i), "title": f"{title}: {LOT_AREAS[i - 1]}" if len(values) > 1 else title,
             "status": "active", "value": _money(value), "awardCriteria": {"criteria": criteria},
             "suitability": {"sme": rng.random() < leaning.sme, "vcse": rng.random() < leaning.vcse}}
            for i, value in enumerate(values, 1)]
    return lots, reason


def _tender_amount(rng, award: dict) -> float:
    """The estimated value the tender published: near what was awarded."""
    return max(500.0, round(award["awards"][0]["value"]["amount"] * rng.uniform(0.9, 1.3), -2))


def _money(amount: float) -> dict:
    return {"amount": amount, "amountGross": round(amount * 1.2, 2), "currency": "GBP"}


def _criteria(rng, leaning: Leaning, act: bool) -> list[dict]:
    """Price (or cost) and quality, and for some a quality criterion named social value.
    Under the Act weights are `numbers` (percentageExact); before it, a notice gave the
    weight as text in `description` (sources-2 D 1b)."""
    social = rng.random() < (leaning.social_value if act else leaning.social_value / 3)
    weight = 0
    if social:
        weight = leaning.social_value_weight
        weight = max(5, weight + rng.choice((-5, 5))) if rng.random() < 0.25 else weight
    price = min(rng.choice(PRICE_WEIGHTS), 90 - weight)
    parts = [("cost", "Whole-life cost", price) if rng.random() < 0.1 else ("price", "Price", price),
             ("quality", rng.choice(QUALITY_NAMES), 100 - price - weight)]
    if social:
        parts.append(("quality", "Social value", weight))
    if act:
        return [{"type": kind, "name": name, "numbers": [{"number": w, "weight": "percentageExact"}]}
                for kind, name, w in parts]
    return [{"type": kind, "name": name, "description": str(w)} for kind, name, w in parts]


def _planning(rng, leaning: Leaning, award: dict, tender_day: date) -> list[dict]:
    """A preliminary market engagement notice (UK2), weeks before the tender (never before
    the Act), for a share of the buyer's tenders."""
    if rng.random() >= leaning.engagement or (tender_day - ACT_START).days < 28:
        return []
    day = tender_day - timedelta(days=rng.randint(28, min(120, (tender_day - ACT_START).days)))
    due = min(day + timedelta(days=rng.randint(14, 35)), tender_day - timedelta(days=1))
    release = _notice(award, "UK2", day, "planning")
    release["planning"] = {
        "documents": [_document(release, "marketEngagementNotice", "UK2",
                                "Preliminary market engagement notice")],
        "milestones": [{"id": "engagement", "type": "engagement", "description": "Market engagement event",
                        "dueDate": f"{due.isoformat()}T23:59:59Z", "status": "met"}]}
    release["tender"] = {"id": award["tender"]["id"], "title": award["tender"]["title"], "status": "planning",
                         "legalBasis": ACT_BASIS}
    return [release]


def _tender_release(award: dict, day: date, method: str, lots: list[dict], no_lots: str | None,
                    engagement_reason: str | None, act: bool) -> dict:
    """The tender notice: UK4 under the Act, a contract notice before it."""
    release = _notice(award, "UK4" if act else "tender", day, "tender")
    base = award["tender"]
    amount = sum(lot["value"]["amount"] for lot in lots)
    above = amount * 1.2 >= THRESHOLDS[base["mainProcurementCategory"]]
    tender = {"id": base["id"], "title": base["title"], "status": "active",
              "legalBasis": ACT_BASIS if act else EARLIER_BASIS, "classification": base["classification"],
              "mainProcurementCategory": base["mainProcurementCategory"], "value": _money(amount),
              "procurementMethod": method,
              "procurementMethodDetails": ACT_DETAILS[method][above] if act else base["procurementMethodDetails"],
              "lots": lots,
              "documents": [_document(release, "tenderNotice", "UK4" if act else None, "Tender notice")]}
    if act:
        tender["aboveThreshold"] = above
    if no_lots:
        tender["lotDetails"] = {"noLotsDivisionRationale": no_lots}
    release["tender"] = tender
    if engagement_reason:
        release["planning"] = {"noEngagementNoticeRationale": engagement_reason}
    return release


def _notice(award: dict, notice: str, day: date, tag: str) -> dict:
    """A release of the award's ocid before the award, with the same buyer party."""
    guid = award["ocid"].removeprefix(DEMO_OCID_PREFIX)
    buyer = next(p for p in award["parties"] if "buyer" in p["roles"])
    return {"ocid": award["ocid"], "id": f"{guid}-{notice}", "language": "en",
            "date": f"{day.isoformat()}T09:00:00Z", "tag": [tag], "initiationType": "tender",
            "parties": [buyer], "buyer": award["buyer"]}


def _document(release: dict, kind: str, notice: str | None, words: str) -> dict:
    document = {"id": release["id"], "documentType": kind, "description": f"{words} (demo)",
                "url": DEMO_NOTICE.format(release["id"]), "datePublished": release["date"], "format": "text/html"}
    if notice:
        document["noticeType"] = notice
    return document


def _award_facts(rng, leaning: Leaning, awards: list[dict], lots: list[dict], act: bool) -> None:
    """What the award notice adds about the competition: the bids (for some), and the
    tender's suitability as its lots state it."""
    suitability = {key: any(lot["suitability"][key] for lot in lots) for key in ("sme", "vcse")}
    statistics = _bid_statistics(rng, leaning, lots, act) if rng.random() < leaning.bids else None
    for release in awards:
        release["tender"]["suitability"] = suitability
        if statistics:
            release["bids"] = {"statistics": statistics}


def _bid_statistics(rng, leaning: Leaning, lots: list[dict], act: bool) -> list[dict]:
    """Per lot: bids, of which from SMEs and (under the Act, for some) VCSEs at the final stage."""
    figures = []
    for lot in lots:
        bids = rng.randint(1, 10)
        figures += [("bids", bids, lot["id"]), ("smeBids", sum(rng.random() < leaning.sme for _ in range(bids)), lot["id"])]
        if act and rng.random() < 0.5:
            figures.append(("vcseFinalStageBids", rng.randint(0, min(2, bids)), lot["id"]))
    return [{"id": str(i), "measure": measure, "value": value, "relatedLot": lot_id}
            for i, (measure, value, lot_id) in enumerate(figures, 1)]


# The devolved portals (sources-2 sections A and B). Scottish and Welsh buyers publish their
# awards on Public Contracts Scotland and Sell2Wales; the largest reach Find a Tender. Here
# an award below PORTAL_BELOW is published on its nation's portal, in the portal's shape, and
# one of PORTAL_BELOW or more keeps the shape of the other buyers' awards (standing for its
# Find a Tender notice, with the notices before it for some). The portals' releases are
# drawn after the awards, from a generator per buyer, so the awards themselves (buyer,
# suppliers, values, dates) are what they would be in the other shape, and every other
# buyer's releases are unchanged.
PORTAL_BELOW = 2_000_000


@dataclass(frozen=True)
class Portal:
    """How one portal publishes an award release."""
    prefix: str  # the ocid prefix
    digits: int  # the ocid's number, zero-padded to this width
    first: int  # the first number given: beyond the real ones, so no demo ocid is a real process
    notice_page: str  # the page form of the portal's notices, on demo.invalid: no public notice exists for invented awards
    release_ids: bool  # PCS releases have no `id`; Sell2Wales ones do
    scale_share: tuple[float, float]  # of a buyer's releases, those stating a supplier's size
    nation_code: str  # the NUTS code of the nation, the buyer `region` when no finer one is known


PORTALS = {
    "Scotland": Portal("ocds-r6ebe6-", 10, 9_900_000_000,
                       "https://publiccontractsscotland.demo.invalid/search/show/search_view.aspx?ID={}",
                       release_ids=False, scale_share=(0.2, 0.6), nation_code="UKM"),
    "Wales": Portal("ocds-kuma6s-", 6, 900_000, "https://sell2wales.demo.invalid/search/show/search_view.aspx?ID={}",
                    release_ids=True, scale_share=(0.5, 0.9), nation_code="UKL"),
}
# The NUTS 3 area of the demo's Scottish and Welsh councils (the other buyers state the nation).
NUTS_AREAS = {"Aberdeen City Council": "UKM50", "City of Edinburgh Council": "UKM75",
              "Glasgow City Council": "UKM82", "Highland Council": "UKM62", "Cardiff Council": "UKL22",
              "Gwynedd Council": "UKL12", "Newport City Council": "UKL21", "Swansea Council": "UKL18"}
SPACED_POSTCODES = 0.6  # of the portals' supplier postcodes, those typed with the space


def published(awarded: list[dict], buyer: Council, seed: int, before_award: bool,
              suppliers: dict[str, Supplier], numbers: dict[str, Iterator[int]]) -> list[dict]:
    """A buyer's releases as published: a Scottish or Welsh buyer's awards below PORTAL_BELOW
    on its portal (award releases only: the notices before the award are Find a Tender's),
    every other award with the notices before it for a share (process_releases).
    `numbers` gives each portal's ocid and notice numbers, in order over all its buyers."""
    portal = PORTALS.get(buyer.region)
    on_portal, rest = [], []
    for _ocid, group in itertools.groupby(awarded, key=lambda r: r["ocid"]):
        group = list(group)
        if portal and group[0]["awards"][0]["value"]["amount"] < PORTAL_BELOW:
            on_portal.append(group)
        else:
            rest += group
    releases = process_releases(rest, buyer, seed) if before_award else rest
    if not portal:
        return releases
    rng = random.Random(f"{seed}:{portal.prefix}:{buyer.name}")
    share = rng.uniform(*portal.scale_share)
    count = numbers[portal.prefix]
    shaped = [r for g in on_portal for r in _portal_procurement(rng, portal, buyer, g, share, suppliers, count)]
    return shaped + releases


def _portal_procurement(rng, portal: Portal, buyer: Council, group: list[dict], share: float,
                        suppliers: dict[str, Supplier], count: Iterator[int]) -> list[dict]:
    """One award's releases (the award, an update or a cancellation) in the portal's shape,
    under one ocid of the portal and one set of local party ids (`org-N`)."""
    ocid = f"{portal.prefix}{next(count):0{portal.digits}d}"
    old_ids = list(dict.fromkeys(p["id"] for r in group for p in r["parties"]))
    local = dict(zip(old_ids, (f"org-{n}" for n in rng.sample(range(1, 400), len(old_ids)))))
    return [_portal_release(rng, portal, buyer, release, ocid, next(count), local, share, suppliers)
            for release in group]


def _portal_release(rng, portal: Portal, buyer: Council, release: dict, ocid: str, number: int,
                    local: dict[str, str], share: float, suppliers: dict[str, Supplier]) -> dict:
    """One award release as the portal publishes it: its ocid, no release id on PCS, dates at
    midnight, parties with local ids naming themselves only by `legalName`, the buyer's
    region a NUTS code, and the notice's page on the portal. The notice id (DEMO and a
    number) has a form no real notice has (theirs are a month and six digits, APR349989),
    so the link opens the portal's page and never someone else's notice."""
    notice = f"DEMO{number}"
    buyer_party = next(p for p in release["parties"] if "buyer" in p["roles"])
    parties = [_portal_buyer(portal, buyer, local[buyer_party["id"]], buyer_party["address"]["postalCode"])]
    supplying = dict.fromkeys(p["id"] for p in release["parties"] if "supplier" in p["roles"])  # once each
    parties += [_portal_supplier(rng, suppliers[old], local[old], share) for old in supplying]
    award = release["awards"][0]
    shaped = {
        "ocid": ocid, "date": f"{release['date'][:10]}T00:00:00Z", "tag": release["tag"],
        "initiationType": "tender", "parties": parties, "buyer": {"id": parties[0]["id"], "name": buyer.name},
        "tender": release["tender"],
        "awards": [{**award, "id": award["id"].replace(release["ocid"], ocid),
                    "suppliers": [{"id": local[s["id"]], "name": s["name"]} for s in award["suppliers"]],
                    "documents": [{"id": notice, "documentType": "awardNotice", "title": release["tender"]["title"],
                                   "url": portal.notice_page.format(notice), "format": "text/html"}]}],
        "language": "EN",
    }
    return {"id": f"{ocid}-release-{number}", **shaped} if portal.release_ids else shaped


def _portal_buyer(portal: Portal, buyer: Council, party_id: str, postcode: str) -> dict:
    kind = "Body governed by public law" if buyer.pool else "Regional or local authority"
    return {"id": party_id, "name": buyer.name, "identifier": {"legalName": buyer.name},
            "address": {"locality": buyer.place, "region": NUTS_AREAS.get(buyer.name, portal.nation_code),
                        "postalCode": postcode},
            "roles": ["buyer"], "details": {"classifications": [{"id": kind, "scheme": "TED_CA_TYPE"}]}}


def _portal_supplier(rng, supplier: Supplier, party_id: str, share: float) -> dict:
    """A supplier party: its postcode in `postalCode` (for some without the space), its size
    in `details.scale` for `share` of the releases (else unknown), no VCSE flag (the portals
    publish none). An address that is not usable, or abroad, stays one text as received."""
    spaced, sized = rng.random() < SPACED_POSTCODES, rng.random() < share
    address = {"streetAddress": supplier.address}
    if supplier.postcode:
        address = {"streetAddress": supplier.street, "region": "UK",
                   "postalCode": supplier.postcode if spaced else supplier.postcode.replace(" ", "")}
    party = {"id": party_id, "name": supplier.name, "identifier": {"legalName": supplier.name},
             "address": address, "roles": ["supplier"]}
    if supplier.scale and sized:
        party["details"] = {"scale": supplier.scale}
    return party


def _package(releases: list[dict]) -> dict:
    return {"uri": "https://demo.invalid/package", "version": "1.1", "publishedDate": "2026-01-01T00:00:00Z",
            "publisher": {"name": "Demo data (invented)"}, "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            "releases": releases}
