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


def test_tables_show_whole_awards_percentages_words_and_unknown_flags():
    import pandas as pd
    from ui import tables
    frame = pd.DataFrame({"awards": [711.2, 2.5, None], "local_value_share": [0.7753, 0.004, None],
                          "locality": ["elsewhere_uk", "local", "unknown"], "supplier_vcse": [True, False, None],
                          "value_gbp": [596_045_454.479, 0.5, None]})
    shown = tables.shown(frame)
    assert shown["awards"].tolist()[:2] == [711, 3]  # half-up: a joint award's weights add to whole awards
    assert shown["local_value_share"].tolist()[:2] == [77.5, 0.4]
    assert shown["locality"].tolist() == ["Elsewhere in UK", "Local", "Unknown"]
    assert shown["supplier_vcse"].tolist() == ["yes", "no", "unknown"]
    assert shown["value_gbp"].tolist()[:2] == [596_045_454.48, 0.5]
    assert tables.for_download(frame)["awards"].tolist()[:2] == [711, 3]
    assert tables.for_download(frame)["locality"].tolist()[0] == "elsewhere_uk"  # downloads keep codes
    assert frame["awards"].tolist()[0] == 711.2  # the query's frame is left alone


def test_money_axis_ticks_use_the_money_format():
    from ui.charts import amount_axis
    axis = amount_axis(3_400_000_000, "value")
    assert axis["ticktext"] == ["£0", "£1bn", "£2bn", "£3bn"]
    assert amount_axis(1_200_000, "value")["ticktext"][-1] == "£1m"
    assert amount_axis(40, "count") == {"tickformat": ",d"}
