"""The app safe to put on the public internet: read-only unless the operator allows writes,
one refresh at a time shared by every visitor, and no traceback or server path on a page."""

import logging
import threading
from datetime import datetime, timedelta, timezone

import pytest
from streamlit.testing.v1 import AppTest

from loaders.errors import InputError, StoreError
from loaders.info import summary
from loaders.sources import background, refresh
from queries import overview
from tests.app_fixtures import build_small_store
from tests.conftest import APP
from tests.fake_api import FakeApi
from tests.ocds_factory import simple_release, supplier
from ui import registry, settings, widgets

READ_ONLY_START = "This dashboard is read-only"


@pytest.fixture
def store_path(tmp_path):
    """A small store of this test's own: a refresh writes into it."""
    return build_small_store(tmp_path)


@pytest.fixture
def shared(monkeypatch):
    """A fresh process-wide refresh for each test (the app's one is module state)."""
    job = background.SharedRefresh()
    monkeypatch.setattr(background, "SHARED", job)
    return job


def data_page(store_path, monkeypatch, secrets: dict | None = None) -> AppTest:
    """The Data page as a visitor opens it (AppTest, so the app's secrets can be given)."""
    monkeypatch.setenv("AWARDS_STORE", str(store_path))
    app = AppTest.from_file(APP, default_timeout=60)
    for key, value in (secrets or {}).items():
        app.secrets[key] = value
    app.switch_page(registry.page("data").script)
    app.run()
    assert not app.exception, app.exception
    return app


def recent_releases(n=3):
    now = datetime.now(timezone.utc).replace(microsecond=0)
    return [simple_release(f"ocds-b5fd17-22222222-0000-0000-0000-{i:012d}", [supplier(i, name=f"Vorn {i} Ltd")],
                           rid=f"r{i}", date=(now - timedelta(hours=5 * (i + 1))).isoformat().replace("+00:00", "Z"))
            for i in range(n)]


# --- read-only unless the operator says otherwise ----------------------------------------------

@pytest.mark.parametrize("setting", [None, "0", "no"])
def test_read_only_by_default_no_refresh_control(store_path, monkeypatch, setting, shared):
    if setting is None:
        monkeypatch.delenv(settings.WRITES_ENV, raising=False)
    else:
        monkeypatch.setenv(settings.WRITES_ENV, setting)
    app = data_page(store_path, monkeypatch)
    assert any(c.value.startswith(READ_ONLY_START) for c in app.caption)
    assert not app.button and not app.get("form")
    assert not app.main.selectbox and not app.main.number_input


def test_writes_allowed_in_secrets_or_environment(store_path, monkeypatch, shared):
    monkeypatch.delenv(settings.WRITES_ENV, raising=False)
    app = data_page(store_path, monkeypatch, secrets={"app": {"allow_writes": True}})
    assert [b.label for b in app.button] == ["Refresh"]
    monkeypatch.setenv(settings.WRITES_ENV, "0")  # the environment wins over the file
    app = data_page(store_path, monkeypatch, secrets={"app": {"allow_writes": True}})
    assert not app.button
    monkeypatch.setenv(settings.WRITES_ENV, "1")
    assert [b.label for b in data_page(store_path, monkeypatch).button] == ["Refresh"]


def test_no_refresh_is_offered_into_the_demo_store(demo_store, monkeypatch, shared):
    monkeypatch.setenv(settings.WRITES_ENV, "1")
    app = data_page(demo_store, monkeypatch)
    assert any(c.value.startswith("This is the demo store of invented data") for c in app.caption)
    assert not app.button and not app.main.selectbox


# --- one refresh at a time, shared by every visitor --------------------------------------------

def test_a_refresh_runs_in_the_background_and_every_visitor_sees_it(store_path, monkeypatch, shared):
    monkeypatch.setenv(settings.WRITES_ENV, "1")
    release = threading.Event()
    real_refresh = refresh.refresh

    def held_refresh(*args, **kwargs):
        release.wait(30)  # the refresh stays running until the test lets it go
        return real_refresh(*args, **kwargs)

    monkeypatch.setattr(shared, "_run", held_refresh)
    with FakeApi("/Published/Notices/OCDS/Search", "publishedFrom", "publishedTo", recent_releases(),
                 page_size=10) as api:
        monkeypatch.setenv("CONTRACTS_FINDER_URL", api.base_url)
        first = data_page(store_path, monkeypatch)
        first.main.selectbox[0].set_value("contracts-finder")
        first.main.number_input[0].set_value(2)
        first.button[0].click().run(timeout=60)
        assert not first.exception
        # A second visitor sees the same refresh running, and cannot start another.
        second = data_page(store_path, monkeypatch)
        assert any(i.value.startswith("A refresh is running: contracts-finder, last 2 days") for i in second.info)
        assert second.button[0].disabled
        assert not shared.start("contracts-finder", 1, store_path)
        release.set()
        state = shared.wait(60)
    assert state.status == "done" and state.message == "3 releases fetched, 3 new."
    # A visitor's next run opens the new store (and closes the app's connection to the old
    # file, which DuckDB would otherwise go on serving to every connection of this process).
    third = data_page(store_path, monkeypatch)
    assert summary(store_path)["releases"] == 6 + 3
    assert third.success[0].value.startswith("contracts-finder refreshed (started ")
    assert third.success[0].value.endswith("3 releases fetched, 3 new.")
    assert not third.button[0].disabled


def test_a_failed_refresh_says_why_in_one_line(store_path, monkeypatch, shared):
    def failing(config, *args, **kwargs):
        raise InputError("https://example.invalid/api", "answered 503 after 5 tries")

    monkeypatch.setattr(shared, "_run", failing)
    assert shared.start("find-a-tender", 1, store_path)
    state = shared.wait(30)
    assert (state.status, state.message) == ("failed", "answered 503 after 5 tries")


def test_an_unexpected_failure_is_logged_and_shown_without_detail(store_path, monkeypatch, shared, caplog):
    def crashing(config, store, *args, **kwargs):
        raise RuntimeError(f"disk trouble under {store}")

    monkeypatch.setattr(shared, "_run", crashing)
    shared.start("find-a-tender", 1, store_path)
    state = shared.wait(30)
    assert (state.status, state.message) == ("failed", background.FAILED_UNEXPECTEDLY)
    assert str(store_path) not in state.message
    assert any("disk trouble" in (r.exc_text or "") or r.exc_info for r in caplog.records
               if r.name == background.log.name)


def test_a_store_that_cannot_be_written_names_no_path(store_path, monkeypatch, shared):
    def unwritable(config, store, *args, **kwargs):
        raise StoreError(str(store), "cannot be opened as a store (IO Error: /srv/secret/awards.duckdb)")

    monkeypatch.setattr(shared, "_run", unwritable)
    shared.start("contracts-finder", 1, store_path)
    state = shared.wait(30)
    assert state.status == "failed" and "/srv/secret" not in state.message and str(store_path) not in state.message


def test_an_unknown_source_is_refused_before_anything_starts(store_path, shared):
    with pytest.raises(Exception, match="unknown source"):
        shared.start("no-such-source", 1, store_path)
    assert shared.state() is None


# --- no traceback or server path on a page -----------------------------------------------------

@pytest.mark.page_failure_expected
def test_a_page_that_raises_shows_one_friendly_line(open_page, small_store, monkeypatch, caplog):
    def broken(*args, **kwargs):
        raise RuntimeError("/srv/private/path exploded")

    monkeypatch.setattr(overview, "summary", broken)
    app = open_page(small_store, "overview")
    shown = [e.value for e in app.error]
    assert len(shown) == 1 and shown[0].startswith(widgets.PAGE_FAILED + " (reference ")
    everything = " ".join(str(element.value) for kind in ("markdown", "text", "caption", "error", "info")
                          for element in app.get(kind) if hasattr(element, "value"))
    assert "/srv/private" not in everything and "Traceback" not in everything
    reference = shown[0].rsplit("reference ", 1)[1].rstrip(").")
    logged = [r for r in caplog.records if r.name == "dashboard" and r.levelno == logging.ERROR]
    assert reference in logged[0].getMessage() and "/srv/private/path exploded" in logged[0].getMessage()


@pytest.mark.page_failure_expected
def test_a_store_that_cannot_be_read_names_no_path(open_page, tmp_path):
    broken = tmp_path / "secret-folder" / "awards.duckdb"
    broken.parent.mkdir()
    broken.write_bytes(b"this is not a database file at all" * 100)
    app = open_page(broken)
    assert [e.value for e in app.error][0].startswith(widgets.STORE_UNREADABLE + " (reference ")
    assert all("secret-folder" not in e.value for e in app.error)
