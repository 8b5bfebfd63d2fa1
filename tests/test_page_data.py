"""The Data page: per-source status, and a refresh run from the app against a fake API."""

from datetime import datetime, timedelta, timezone

import pytest

from loaders.info import summary
from tests.app_fixtures import build_small_store
from tests.fake_api import FakeApi
from tests.ocds_factory import simple_release, supplier


def recent_releases(n=4):
    """Contracts Finder-like releases from the last two days (the page refreshes recent days)."""
    now = datetime.now(timezone.utc).replace(microsecond=0)
    out = []
    for i in range(n):
        guid = f"11111111-0000-0000-0000-{i:012d}"
        when = (now - timedelta(hours=6 * (i + 1))).isoformat().replace("+00:00", "Z")
        out.append(simple_release(f"ocds-b5fd17-{guid}", [supplier(i, name=f"Thimlin Works {i} Ltd")],
                                  rid=f"{guid}-000001", date=when))
    return out


@pytest.fixture
def store_path(tmp_path):
    """A small store of this test's own, not the shared `small_store`: the refresh writes into it."""
    return build_small_store(tmp_path)


def test_data_page_lists_each_source(open_page, store_path):
    app = open_page(store_path, "data")
    assert not app.exception
    table = app.dataframe[0].value
    assert table["source"].tolist() == ["contracts-finder"]
    assert table["award_rows"].tolist() == [6]


def test_refresh_from_the_app(open_page, monkeypatch, store_path):
    with FakeApi("/Published/Notices/OCDS/Search", "publishedFrom", "publishedTo", recent_releases(),
                 page_size=10) as api:
        monkeypatch.setenv("CONTRACTS_FINDER_URL", api.base_url)
        app = open_page(store_path, "data")
        app.selectbox[0].set_value("contracts-finder")
        app.number_input[0].set_value(2)
        app.button[0].click().run(timeout=60)
    assert not app.exception
    assert app.success[0].value == "contracts-finder refreshed: 4 releases fetched, 4 new."
    assert summary(store_path)["releases"] == 6 + 4
    assert app.dataframe[0].value["refreshed_until"].notna().all()
