"""Fixtures shared by several test files."""

import subprocess
import sys
from pathlib import Path

import pytest

from loaders import definitions, demo

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
SAMPLES = SHARED / "data"
SECTOR_LOOKUP = SAMPLES / "geography" / "postcode_sector_centroids_lad.csv.gz"
# Every OCDS sample: Contracts Finder and Find a Tender packages, records and releases,
# and the Scottish and Welsh JSON-lines releases.
SAMPLE_GLOBS = ("contracts-finder/*.json", "find-a-tender/*.json", "public-contracts-scotland/*.jsonl",
                "sell2wales/*.jsonl")


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """The demo store, built once for the whole run (about 15 s); tests only read it."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build(path)
    return path


@pytest.fixture
def small_numbers_off(monkeypatch):
    """Rank and compare councils whatever their number of awards: for tests of figures on
    stores of a few awards (the small-number rule has tests of its own)."""
    monkeypatch.setattr(definitions, "MIN_VALUED_AWARDS", 1)


def sample_files() -> list[Path]:
    """The real OCDS samples in ../shared/data (empty when they are absent)."""
    return [path for pattern in SAMPLE_GLOBS for path in sorted(SAMPLES.glob(pattern))]


@pytest.fixture(scope="session")
def all_samples_store(tmp_path_factory) -> Path:
    """Every real sample imported together through the CLI, then geocoded offline with the
    sector lookup, as a new user would (skipped when ../shared/data is absent)."""
    files = sample_files()
    if not files or not SECTOR_LOOKUP.is_file():
        pytest.skip(f"the real samples under {SAMPLES} are absent")
    path = tmp_path_factory.mktemp("all-samples") / "awards.duckdb"
    for command in (["import", *map(str, files)], ["geocode", "--offline", "--lookup", str(SECTOR_LOOKUP)]):
        result = subprocess.run([sys.executable, "-m", "loaders", *command, "--store", str(path), "--quiet"],
                                cwd=ROOT, capture_output=True, text=True, timeout=300)
        assert result.returncode == 0, result.stderr
    return path
