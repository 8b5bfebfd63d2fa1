"""The richer store of the Suppliers, Contracts and Methodology page tests.

tests/app_fixtures.AWARDS, plus Pennine Roads also winning in Essex and Manchester (3
regions: a national provider), a joint award, names with % and _, a cancelled award, a
release that cannot be read, a Find a Tender copy of award 1 (so the Contracts Finder copy
is left out), and 120 small fillers so that tables need more than one page. Expectations
are worked out from these tuples, not from the queries under test."""

import json
from pathlib import Path

from loaders.storage.loading import import_files
from tests.app_fixtures import AWARDS, LOOKUP, release

PENNINE_MORE = (
    ("Essex County Council", "CM1 1QH", "Pennine Roads Ltd", "2 High St, Bradford BD1 1AA", "large", False, 40_000, "2024-04-01"),
    ("Manchester City Council", "M1 1AE", "Pennine Roads Ltd", "2 High St, Bradford BD1 1AA", "large", False, 60_000, "2024-05-01"),
)
ODD_NAMES = (
    ("Leeds City Council", "LS1 1UR", "100% Local_Food Ltd", "5 Kirkgate, Leeds LS1 2AB", "micro", False, 7_000, "2024-07-01"),
    ("Leeds City Council", "LS1 1UR", "1000 LocalXFood Ltd", "6 Kirkgate, Leeds LS1 2AB", "micro", False, 6_000, "2024-07-02"),
)
FILLERS = tuple(("Leeds City Council", "LS1 1UR", f"Filler {i:03d} Ltd", "7 Briggate, Leeds LS1 3AB", "small",
                 False, 1_000 + i, f"2022-{1 + i % 12:02d}-{1 + i % 28:02d}") for i in range(120))
JOINT_VALUE = 90_000  # Blackwater Partners Ltd (small) and Stour Partners Ltd (large), Essex, 2024-08-01

# Rows in every figure: AWARDS (award 1 once, through Find a Tender), the extra Pennine
# awards, odd names, fillers and the two rows of the joint award.
RICH_ROWS = len(AWARDS) + len(PENNINE_MORE) + len(ODD_NAMES) + len(FILLERS) + 2
RICH_AWARDS = RICH_ROWS - 1


def rich_releases() -> list[dict]:
    releases = [release(i, a) for i, a in enumerate(AWARDS)]
    for offset, group in ((10, PENNINE_MORE), (20, ODD_NAMES), (100, FILLERS)):
        releases += [release(offset + i, a) for i, a in enumerate(group)]
    joint = release(30, ("Essex County Council", "CM1 1QH", "Blackwater Partners Ltd", "8 High St, Colchester CO1 1AA",
                         "small", False, JOINT_VALUE, "2024-08-01"))
    joint["parties"].append({"id": "S30b", "name": "Stour Partners Ltd", "roles": ["supplier"],
                             "address": {"streetAddress": "9 High St, Chelmsford CM1 1AA"},
                             "details": {"scale": "large"}})
    joint["awards"][0]["suppliers"].append({"id": "S30b", "name": "Stour Partners Ltd"})
    cancelled = release(31, ("Leeds City Council", "LS1 1UR", "Gone Ltd", "LS6 1AA", "sme", False, 5_000, "2024-01-01"))
    cancelled["awards"][0]["status"] = "cancelled"
    unreadable = release(32, ("Leeds City Council", "LS1 1UR", "Bad Ltd", "LS6 1AA", "sme", False, 5_000, "2024-01-01"))
    unreadable["awards"] = "oops"
    copy = release(1, AWARDS[1])  # Find a Tender's own notice of award 1: the Contracts Finder one is the copy
    copy["ocid"], copy["id"] = "ocds-h6vhtk-000001", "ocds-h6vhtk-000001-fts-1"
    return releases + [joint, cancelled, unreadable, copy]


def build_rich_store(folder: Path) -> Path:
    (folder / "awards.json").write_text(json.dumps({"releases": rich_releases()}))
    (folder / "lookup.csv").write_text(LOOKUP)
    path = folder / "rich.duckdb"
    import_files([folder / "awards.json"], path, [folder / "lookup.csv"])
    return path
