"""The demo store: invented awards by real councils (and, in each region, an NHS trust, a
fire and rescue service and a college named after a council's area), written as Contracts
Finder OCDS.

The generator writes release packages in the current Contracts Finder shape (parties with
roles, supplier addresses as free text, details.scale / details.vcse) and loads them
through the same reader, normaliser and store as real data, so the demo exercises the
real pipeline. Everything is drawn from one seeded random generator: the same seed gives
the same store. Supplier names are invented from nonsense syllables; notice links point
at the reserved `.invalid` domain, because there is no public notice behind them.
"""

import csv
import math
import random
import tempfile
import uuid
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


def build(path: Path, force: bool = False, seed: int = SEED, progress: Progress | None = None) -> LoadReport:
    """Generate the demo releases into files and load them into a fresh store at `path`."""
    _refuse_real_store(path, force)
    with tempfile.TemporaryDirectory() as folder:
        files = write_packages(Path(folder), seed)
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


def write_packages(folder: Path, seed: int = SEED) -> list[Path]:
    """Write the demo as OCDS release packages; return the files."""
    rng = random.Random(seed)
    councils = load_councils(rng)
    buyers = councils + other_buyers(rng, councils)
    suppliers = make_suppliers(rng, councils)
    releases = [r for buyer in buyers for r in council_releases(rng, buyer, councils, suppliers)]
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
    address = "N/A" if rng.random() < 0.02 else rng.choice((
        f"{rng.randint(1, 200)} {rng.choice(STREETS)}, {postcode}",
        f"Unit {rng.randint(1, 40)}\r\n{rng.choice(STREETS)}\r\n{postcode.lower().replace(' ', '')}",
        f"{rng.randint(1, 200)} {rng.choice(STREETS)}, United Kingdom, {postcode}"))
    return Supplier(f"GB-CFS-DEMO-{len(names)}", name, address, scale,
                    None if rng.random() < 0.05 else vcse, home)


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


def _package(releases: list[dict]) -> dict:
    return {"uri": "https://demo.invalid/package", "version": "1.1", "publishedDate": "2026-01-01T00:00:00Z",
            "publisher": {"name": "Demo data (invented)"}, "license": "https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
            "releases": releases}
