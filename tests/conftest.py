"""Fixtures shared by several test files."""

import hashlib
import json
import logging
import subprocess
import sys
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from loaders import definitions
from loaders.sources import demo
from loaders.storage import store
from tests.app_fixtures import build_small_store
from ui import registry

ROOT = Path(__file__).resolve().parents[1]
APP = str(ROOT / "dashboard.py")
SHARED = ROOT.parent / "shared"
SAMPLES = SHARED / "data"
SECTOR_LOOKUP = SAMPLES / "geography" / "postcode_sector_centroids_lad.csv.gz"
# Every OCDS sample: Contracts Finder and Find a Tender packages, records and releases,
# and the Scottish and Welsh JSON-lines releases.
SAMPLE_GLOBS = ("contracts-finder/*.json", "find-a-tender/*.json", "public-contracts-scotland/*.jsonl",
                "sell2wales/*.jsonl")


@pytest.fixture(autouse=True)
def no_page_failed(caplog, request):
    """Fail any test during which a page of the app failed. The app shows a visitor one
    friendly line and logs the traceback (widgets.page_failed), so an app run that raised
    is seen here, in the log, whichever AppTest run it was."""
    yield
    if "page_failure_expected" in request.keywords:
        return
    failed = [r for r in caplog.records if r.name == "dashboard" and r.levelno >= logging.ERROR]
    assert not failed, "\n".join(logging.Formatter().format(record) for record in failed)


@pytest.fixture(scope="session")
def demo_store(tmp_path_factory) -> Path:
    """The demo store, built once for the whole run (about 15 s); tests only read it."""
    path = tmp_path_factory.mktemp("demo") / "demo.duckdb"
    demo.build(path)
    return path


@pytest.fixture(scope="session")
def small_store(tmp_path_factory) -> Path:
    """The small store of tests/app_fixtures (three councils, six awards), built once for
    the whole run and shared by every test file: tests only read it. A test that must change
    a store uses a copy or a store of its own; the check at the end fails the run if the
    shared one was written to."""
    path = build_small_store(tmp_path_factory.mktemp("small"))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    yield path
    assert hashlib.sha256(path.read_bytes()).hexdigest() == before, f"a test wrote into {path}"


@pytest.fixture(scope="module")
def small_con(small_store):
    """A read-only connection to the shared small store, for a test file's queries."""
    connection = store.read_only(small_store)
    yield connection
    connection.close()


def chart_specs(app) -> list[dict]:
    """The Plotly figures an AppTest run drew, as dicts, in page order."""
    return [json.loads(chart.proto.spec) for chart in app.get("plotly_chart")]


@pytest.fixture
def open_page(monkeypatch):
    """A function `open_page(store_path, name=None, **url) -> AppTest`: the app as a user
    opens a link to it.

    Sets AWARDS_STORE to `store_path` for this test only (monkeypatch undoes it), opens
    dashboard.py with AppTest, so the sidebar filters, demo banner, router and footer run as
    in the real app, and sets `url` as the URL query parameters (a list for a repeated
    parameter; bound controls take their labels, e.g. measure="By count"). With `name`, a
    module in ui.registry.PAGES, the router is sent to that page's script before the first
    run, as a link to /<name>?... opens it in a browser: the page's own controls read the URL
    on that run. Then it runs once, checks that nothing raised and returns the AppTest.
    """
    def open_(store_path: Path, name: str | None = None, **url) -> AppTest:
        monkeypatch.setenv("AWARDS_STORE", str(store_path))
        app = AppTest.from_file(APP, default_timeout=60)
        for key, value in url.items():
            app.query_params[key] = value
        if name is not None:
            app.switch_page(registry.page(name).script)
        app.run()
        assert not app.exception, app.exception
        return app
    return open_


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
