"""Money and percentages as people read them (queries/formatting.py)."""

import pytest

from queries.formatting import money, pct


@pytest.mark.parametrize("pounds, shown", [
    (3_650_000, "£3.7m"),          # half up on the decimal value, not binary float's £3.6m
    (999_500, "£1m"), (999_960, "£1m"),  # never "£1000k"
    (125_000, "£125k"), (1_234, "£1.2k"), (950, "£950"), (999.5, "£1,000"),
    (99_950_000, "£100m"), (2_500_000_000, "£2.5bn"), (-5_000, "-£5k"), (None, "–"), (float("nan"), "–"),
])
def test_money(pounds, shown):
    assert money(pounds) == shown


@pytest.mark.parametrize("share, shown", [
    (0.125, "13%"), (0.775, "78%"), (0.5, "50%"), (0.0, "0%"), (1.0, "100%"),
    (0.004, "under 1%"), (0.995, "over 99%"), (0.9999, "over 99%"), (None, "–"),
])
def test_pct(share, shown):
    assert pct(share) == shown
