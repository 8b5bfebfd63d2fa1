"""The Data page: per-source status (the refresh from the app is in tests/test_public_mode.py)."""

import pytest

from tests.app_fixtures import build_small_store


@pytest.fixture
def store_path(tmp_path):
    return build_small_store(tmp_path)


def test_data_page_lists_each_source(open_page, store_path):
    app = open_page(store_path, "data")
    assert not app.exception
    table = app.dataframe[0].value
    # every source a refresh can load is listed; those not loaded hold nothing
    assert table["source"].tolist() == ["contracts-finder", "find-a-tender", "public-contracts-scotland", "sell2wales"]
    assert table["releases"].tolist()[1:] == [0, 0, 0]
    assert table["award_rows"].tolist() == [6, 0, 0, 0]
