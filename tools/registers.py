"""Make the buyer registers the project ships (loaders/geography/registers/) from their public sources.

    python -m tools.registers SOURCE_FOLDER

SOURCE_FOLDER holds the files as published (mySociety's uk_local_authorities.csv and
lookup_name_to_registry.csv, the GOV.UK organisations API's organisations.json). The
registers are reduced to the columns the code reads; no value is changed. Their provenance
is in loaders/geography/registers/README.md.
"""

import argparse
import csv
import json
from pathlib import Path

TARGET = Path(__file__).resolve().parents[1] / "loaders" / "geography" / "registers"
COUNCIL_COLUMNS = (
    "local-authority-code", "official-name", "nice-name", "gss-code", "start-date", "end-date", "replaced-by",
    "nation", "region", "local-authority-type", "local-authority-type-name", "county-la", "combined-authority",
    "former-gss-codes", "current-authority")
GOVUK_COLUMNS = ("analytics_identifier", "title", "abbreviation", "format", "status", "slug", "parents")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path)
    source = parser.parse_args().source
    reduce_councils(source / "uk_local_authorities.csv", TARGET / "uk_local_authorities.csv")
    copy_csv(source / "lookup_name_to_registry.csv", TARGET / "lookup_name_to_registry.csv")
    reduce_govuk(source / "govuk_organisations.json", TARGET / "govuk_organisations.csv")


def reduce_councils(source: Path, target: Path) -> None:
    with open(source, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    _write(target, COUNCIL_COLUMNS, ({c: row[c] for c in COUNCIL_COLUMNS} for row in rows))


def copy_csv(source: Path, target: Path) -> None:
    with open(source, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    _write(target, tuple(rows[0]), rows)


def reduce_govuk(source: Path, target: Path) -> None:
    """One row per organisation; `parents` is the slugs of its parent organisations, ';'-joined."""
    organisations = json.loads(source.read_text(encoding="utf-8"))
    rows = ({"analytics_identifier": o["analytics_identifier"], "title": o["title"],
             "abbreviation": o["details"].get("abbreviation") or "", "format": o["format"],
             "status": o["details"].get("govuk_status") or "", "slug": o["details"]["slug"],
             "parents": ";".join(p["id"].rsplit("/", 1)[-1] for p in o.get("parent_organisations") or [])}
            for o in organisations)
    _write(target, GOVUK_COLUMNS, sorted(rows, key=lambda r: r["slug"]))


def _write(target: Path, columns, rows) -> None:
    with open(target, "w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(columns), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


if __name__ == "__main__":
    main()
