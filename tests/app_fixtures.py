"""A small award store built in code for the app tests: three councils, known figures."""

import json
from pathlib import Path

from loaders.storage.loading import import_files

LOOKUP = """postcode_district,lad_code,lad_name,county_code,county_name,region,country,latitude,longitude
LS1,E08000035,Leeds,,,Yorkshire and The Humber,England,53.797,-1.548
LS6,E08000035,Leeds,,,Yorkshire and The Humber,England,53.819,-1.577
BD1,E08000032,Bradford,,,Yorkshire and The Humber,England,53.795,-1.752
M1,E08000003,Manchester,,,North West,England,53.479,-2.236
CM1,E07000070,Chelmsford,E10000012,Essex,East of England,England,51.735,0.469
CO1,E07000071,Colchester,E10000012,Essex,East of England,England,51.889,0.903
"""

# (buyer, buyer postcode, supplier name, supplier address, scale, vcse, value, date)
AWARDS = (
    ("Leeds City Council", "LS1 1UR", "Aireside Care CIC", "1 Mill Lane, Leeds, LS6 2AB", "sme", True, 100_000, "2023-05-01"),
    ("Leeds City Council", "LS1 1UR", "Pennine Roads Ltd", "2 High St, Bradford BD1 1AA", "large", False, 300_000, "2024-02-01"),
    ("Leeds City Council", "LS1 1UR", "Northern Digital Ltd", "3 Deansgate, Manchester, M1 1AA", "sme", False, 50_000, "2024-06-01"),
    ("Essex County Council", "CM1 1QH", "Colne Gardens Ltd", "4 Quay St, Colchester CO1 2AB", "small", False, 20_000, "2023-09-01"),
    ("Essex County Council", "CM1 1QH", "=HYPERLINK(\"x\") Ltd", "Dublin 2, Ireland", "large", False, 80_000, "2024-03-01"),
    ("Manchester City Council", "M1 1AE", "Irwell Services Ltd", "N/A", None, None, 10_000, "2022-01-01"),
)


def release(index: int, award: tuple) -> dict:
    """One Contracts Finder-shaped award release."""
    buyer, buyer_pc, supplier, address, scale, vcse, value, day = award
    details = {k: v for k, v in (("scale", scale), ("vcse", vcse)) if v is not None}
    guid = f"00000000-0000-0000-0000-{index:012d}"
    return {
        "ocid": f"ocds-b5fd17-{guid}", "id": f"{guid}-1", "date": f"{day}T12:00:00Z", "tag": ["award"],
        "tender": {"title": f"Contract {index}", "mainProcurementCategory": "services"},
        "parties": [
            {"id": f"B{index}", "name": buyer, "roles": ["buyer"], "address": {"postalCode": buyer_pc}},
            {"id": f"S{index}", "name": supplier, "roles": ["supplier"], "address": {"streetAddress": address},
             "details": details},
        ],
        "buyer": {"id": f"B{index}", "name": buyer},
        "awards": [{"id": f"{guid}-a", "status": "active", "date": f"{day}T00:00:00Z",
                    "value": {"amount": value, "currency": "GBP"},
                    "suppliers": [{"id": f"S{index}", "name": supplier}]}],
    }


def build_small_store(folder: Path) -> Path:
    """Write the releases and lookup to `folder`, import them, return the store path."""
    package = folder / "awards.json"
    package.write_text(json.dumps({"releases": [release(i, a) for i, a in enumerate(AWARDS)]}))
    lookup = folder / "lookup.csv"
    lookup.write_text(LOOKUP)
    store = folder / "small.duckdb"
    import_files([package], store, [lookup])
    return store
