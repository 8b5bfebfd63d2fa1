"""Figures that stay honest on real notices: placeholder and implausible values left out of
value totals (and said so on every value page), small numbers not ranked, ties shown as
ties, council views that count councils, and part years never compared silently.

The store is built in code: two councils with 25 valued awards each, one council whose only
award is valued at £0.01, an NHS trust in Leeds, and one award of each value flag. Every
expectation is worked out by hand from AWARDS below.
"""

from datetime import date
from pathlib import Path

import pandas as pd
import pytest

from loaders.storage import store
from loaders.storage.loading import import_files
from queries import locality, quality, years
from queries import scorecard as sc
from queries.filters import Filters
from readings import scorecard as scorecard_words
from readings import locality as locality_words
from readings import quality as quality_words
from readings import years as year_words
from tests.ocds_factory import award, buyer, release, supplier, write_package

LEEDS, BRADFORD, WEST_NORTHANTS = "Leeds City Council", "City of Bradford Metropolitan District Council", \
    "West Northamptonshire Council"
TRUST = "Leeds Teaching Hospitals NHS Trust"
LOOKUP = """outcode,lad_code,lad_name,region,country,lat,long
LS1,E08000035,Leeds,Yorkshire and The Humber,England,53.797,-1.548
LS6,E08000035,Leeds,Yorkshire and The Humber,England,53.819,-1.577
BD1,E08000032,Bradford,Yorkshire and The Humber,England,53.795,-1.752
NN1,E06000062,West Northamptonshire,East Midlands,England,52.237,-0.894
M1,E08000003,Manchester,North West,England,53.479,-2.236
"""
# (buyer as published, buyer postcode, supplier street, amount, currency, award date)
AWARDS = (
    [("Leeds City Council", "LS1 1UR", "1 Mill Lane, LS6 2AB", 10_000.0, "GBP", f"2023-{m:02d}-10")
     for m in range(4, 13)] +                                                  # 9 local, 2023-24
    [("Leeds City Council", "LS1 1UR", "2 High St, BD1 1AA", 10_000.0, "GBP", f"2024-{m:02d}-10")
     for m in range(4, 13)] +                                                  # 9 same region, 2024-25
    [("LEEDS CITY COUNCIL", "LS1 1UR", "1 Mill Lane, LS6 2AB", 10_000.0, "GBP", f"2025-0{m}-10")
     for m in range(1, 8)] +                                                   # 7 local, Jan-Jul 2025
    [("Bradford Council", "BD1 1HY", "2 High St, BD1 1AA", 10_000.0, "GBP", f"2024-{m:02d}-11")
     for m in range(1, 13)] +                                                  # 12 local
    [("Bradford Council", "BD1 1HY", "1 Mill Lane, LS6 2AB", 10_000.0, "GBP", f"2024-{m:02d}-{d}")
     for m in range(1, 13) for d in (12, 20) if (m, d) <= (7, 12)] +           # 13 same region
    [("West Northamptonshire Council", "NN1 1ED", "5 Guildhall Rd, NN1 1DP", 0.01, "GBP", "2024-05-01"),
     (TRUST, "LS1 3EX", "3 Deansgate, M1 1AA", 1_000_000.0, "GBP", "2024-06-01"),
     ("Department for Education", "LS1 4AP", "3 Deansgate, M1 1AA", 5_000_000.0, "GBP", "2024-06-02"),
     ("Leeds City Council", "LS1 1UR", "1 Mill Lane, LS6 2AB", 2_000_000_000.0, "GBP", "2024-07-01"),
     ("Leeds City Council", "LS1 1UR", "1 Mill Lane, LS6 2AB", -5_000.0, "GBP", "2024-07-02"),
     ("Leeds City Council", "LS1 1UR", "1 Mill Lane, LS6 2AB", 9_000.0, "EUR", "2024-07-03"),
     ("Leeds City Council", "LS1 1UR", "1 Mill Lane, LS6 2AB", 1.0, "GBP", "2024-07-04")]
)
VALUE_PAGES = ("overview", "provider_size", "locality", "value_bands", "suppliers", "contracts")


@pytest.fixture(scope="module")
def honest_store(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("honest")
    releases = []
    for i, (name, postcode, street, amount, currency, day) in enumerate(AWARDS):
        s = supplier(i, name=f"Supplier {i} Ltd", street=street)
        b = buyer(name, postcode=postcode, pid=f"GB-CFS-B{i}")
        releases.append(release(f"ocds-b5fd17-honest-{i}", date=f"{day}T10:00:00Z", parties=[s], buyer_party=b,
                                awards=[award("1", [s], amount=amount, currency=currency,
                                              date=f"{day}T00:00:00Z")]))
    (folder / "lookup.csv").write_text(LOOKUP)
    path = folder / "honest.duckdb"
    import_files([write_package(folder / "p.json", releases)], path, [folder / "lookup.csv"])
    return path


def council_table(path, **kw) -> pd.DataFrame:
    with store.read_only(path) as con:
        return sc.council_table(con, sc.peer_filters(Filters()), **kw).set_index("council")


# --- placeholder and implausible values ----------------------------------------------------

def test_a_penny_award_gives_no_share_and_no_rank(honest_store):
    table = council_table(honest_store)
    penny = table.loc[WEST_NORTHANTS]
    assert (penny["value_gbp"], penny["valued_awards"], bool(penny["ranked"])) == (0, 0, False)
    assert pd.isna(penny["local_value_share"])      # not "100% local by value"
    ranks = scorecard_words.ranks_shown(sc.rank_table(table.reset_index(), WEST_NORTHANTS, sc.peer_groups(
        table.reset_index(), WEST_NORTHANTS, ()))).set_index("measure")
    assert ranks.loc["local_value_share", "type_rank"] is None
    assert ranks.loc["local_value_share", "type_rank_short"] == "too few awards"


def test_left_out_line_names_each_flag_with_its_value(honest_store):
    with store.read_only(honest_store) as con:
        frame = quality.left_out(con, Filters())
    assert dict(zip(frame["flag"], frame["awards"])) == {"over_1bn": 1, "negative": 1, "non_gbp": 1, "placeholder": 2}
    assert quality_words.left_out_sentence(frame) == (
        "Left out of value totals: 1 award over £1bn (£2bn), 1 award with a negative value (-£5k), 1 award "
        "valued in another currency and 2 awards with a placeholder value of £1 or less; they still count by "
        "number of awards.")


@pytest.mark.parametrize("page", VALUE_PAGES)
def test_every_value_page_says_what_is_left_out(open_page, honest_store, page):
    app = open_page(honest_store, page)
    assert not app.exception
    assert any(c.value.startswith("Left out of value totals: 1 award over £1bn") for c in app.caption), page


def test_rows_download_carries_the_flags(honest_store):
    from queries.rows import filtered_rows
    with store.read_only(honest_store) as con:
        rows = filtered_rows(con, Filters())
    flagged = rows[rows["value_flag"].notna()]
    assert sorted(flagged["value_flag"]) == ["negative", "non_gbp", "over_1bn", "placeholder", "placeholder"]
    assert flagged["value_gbp"].isna().all()


# --- small numbers and ties ----------------------------------------------------------------

def test_councils_with_enough_valued_awards_are_ranked(honest_store):
    table = council_table(honest_store)
    # Leeds: 25 awards of £10k plus 4 flagged ones (no value counted); Bradford 25 valued.
    assert table.loc[LEEDS, ["awards", "valued_awards"]].tolist() == [29, 25]
    assert table.loc[BRADFORD, "valued_awards"] == 25
    assert table["ranked"].to_dict() == {BRADFORD: True, LEEDS: True, WEST_NORTHANTS: False}


def test_ties_are_joint_ranks(honest_store):
    table = council_table(honest_store).reset_index()
    groups = {"list": ("your list", (LEEDS, BRADFORD))}
    ranks = scorecard_words.ranks_shown(sc.rank_table(table, LEEDS, groups)).set_index("measure")
    # Both councils awarded 25 x £10k: equal totals are a tie.
    assert ranks.loc["value_gbp", "list_rank_text"] == "joint 1st of 2 your list for total award value"
    # Leeds 16/25 local by value, Bradford 12/25: Leeds first, alone.
    assert table.set_index("council").loc[LEEDS, "local_value_share"] == pytest.approx(16 / 25)
    assert ranks.loc["local_value_share", "list_rank_short"] == "1st of 2"


def test_scorecard_of_a_council_with_too_few_awards(open_page, honest_store):
    app = open_page(honest_store, "scorecard", council=WEST_NORTHANTS)
    assert not app.exception
    shown = [t.value for t in app.text]
    assert any(t.startswith(f"{WEST_NORTHANTS} is not ranked for % local by value: 0 awards with a value, too few")
               for t in shown)
    assert any("too few awards to say how it compares" in t for t in shown)
    metrics = {m.label: m.value for m in app.metric}
    assert metrics["Local (by value)"] == "–" and metrics["Local (by count)"] == "100%"
    assert any(c.value == "No award here has a usable value, so there are no shares by value; shares by count "
                          "are of 1 award." for c in app.caption)
    assert metrics["Total award value"] == "–"


def test_peer_comparison_leaves_out_councils_with_too_few_awards(honest_store):
    table = council_table(honest_store).reset_index()
    members = (LEEDS, BRADFORD, WEST_NORTHANTS)
    shown = sc.group_members(table, members, LEEDS, "value")
    assert shown["council"].tolist() == [LEEDS, BRADFORD]
    assert sc.unranked_members(table, members, LEEDS) == 1
    assert scorecard_words.peers_sentence(shown, LEEDS, "councils", "value", 1).endswith(
        "1 more has fewer than 20 valued awards and is not compared.")


# --- council views show councils -----------------------------------------------------------

def test_council_areas_count_councils_unless_told(honest_store):
    with store.read_only(honest_store) as con:
        councils_only = locality.councils(con, Filters()).set_index("council_area")
        everyone = locality.councils(con, Filters(), with_other_bodies=True).set_index("council_area")
        added = locality.other_bodies(con, Filters())
    assert councils_only.loc["Leeds", "value_gbp"] == 250_000
    assert everyone.loc["Leeds", "value_gbp"] == 1_250_000       # the trust's £1m placed in Leeds
    # The trust counts in Leeds; the Department for Education's Leeds office does not.
    assert added == {"value_gbp": 1_000_000.0, "awards": 1.0, "bodies": 1}
    assert "Leeds" in everyone.index and everyone["value_gbp"].sum() == councils_only["value_gbp"].sum() + 1_000_000
    assert locality_words.other_bodies_sentence(added, False) == (
        "Council buyers only. The 1 other buyer placed in these areas by their address (NHS bodies, police and "
        "fire, schools, housing associations, utilities and others; central government bodies never count in a "
        "council's area) would add £1m and 1 award.")
    assert bool(councils_only.loc["Leeds", "compared"]) and not bool(councils_only.loc["West Northamptonshire",
                                                                                       "compared"])


def test_scorecard_peers_with_other_bodies(honest_store):
    table = council_table(honest_store, with_other_bodies=True)
    assert table.loc[LEEDS, "value_gbp"] == 1_250_000
    with store.read_only(honest_store) as con:
        assert sc.other_bodies_added(con, Filters(), LEEDS) == {"value_gbp": 1_000_000.0, "awards": 1.0, "bodies": 1}


def test_one_buyer_whatever_the_spelling(honest_store):
    with store.read_only(honest_store) as con:
        names = con.execute("SELECT DISTINCT buyer_name, buyer_name_published FROM awards "
                            "WHERE buyer_key = 'council:LDS' ORDER BY 2").fetchall()
    assert names == [(LEEDS, "LEEDS CITY COUNCIL"), (LEEDS, "Leeds City Council")]


# --- part years ----------------------------------------------------------------------------

def trend_frame(*rows) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["start", "local_share", "awards"])
    frame["financial_year"] = frame["start"].map(years.label)
    frame["valued_awards"] = frame["awards"]
    return frame


PERIOD = (date(2021, 1, 5), date(2025, 9, 30))


def test_part_years_are_marked_with_the_days_covered():
    frame = years.mark_part_years(trend_frame((2020, 0.4, 30), (2021, 0.5, 30)), pd.Series([2020, 2021]), PERIOD)
    assert frame["part_year"].tolist() == [True, False]
    assert frame["covered"].tolist() == ["5 Jan 2021 to 31 Mar 2021", "1 Apr 2021 to 31 Mar 2022"]


def test_a_trend_compares_whole_years_and_says_what_it_leaves_out():
    frame = years.mark_part_years(trend_frame((2020, 0.42, 30), (2021, 0.30, 30), (2024, 0.35, 30), (2025, 0.51, 30)),
                                  pd.Series([2020, 2021, 2024, 2025]), PERIOD)
    assert year_words.change_sentence(frame, "local_share", "award value", "went to local suppliers", "value") == (
        "In 2024-25, 35% of award value went to local suppliers, up from 30% in 2021-22. 2025-26 is left out "
        "of the comparison: the data covers only 1 Apr 2025 to 30 Sep 2025.")


def test_a_trend_of_part_years_only_says_so():
    frame = years.mark_part_years(trend_frame((2020, 0.42, 30), (2025, 0.51, 30)), pd.Series([2020, 2025]), PERIOD)
    assert year_words.change_sentence(frame, "local_share", "award value", "went to local suppliers", "value") == (
        "In 2025-26 (part year: 1 Apr 2025 to 30 Sep 2025), 51% of award value went to local suppliers, up from "
        "42% in 2020-21 (part year: 5 Jan 2021 to 31 Mar 2021).")


def test_years_with_too_few_awards_are_not_read():
    frame = years.mark_part_years(trend_frame((2021, 0.1, 5), (2022, 0.3, 25), (2023, 0.9, 3)),
                                  pd.Series([2021, 2022, 2023]), (date(2021, 4, 1), date(2024, 3, 31)))
    assert year_words.change_sentence(frame, "local_share", "awards", "went to local suppliers", "count") == (
        "In 2022-23, 30% of awards went to local suppliers.")
    few = years.mark_part_years(trend_frame((2021, 0.1, 5)), pd.Series([2021]), None)
    assert year_words.change_sentence(few, "local_share", "awards", "went", "count").startswith("Too few awards")


def test_overview_trend_marks_the_part_years_of_the_store(open_page, honest_store):
    app = open_page(honest_store)
    trend = next(c for c in app.get("plotly_chart") if "Financial year" in c.proto.spec)
    import json
    spec = json.loads(trend.proto.spec)
    # The awards run from 10 Apr 2023 to 10 Jul 2025 (the store's first and last award dates).
    assert spec["data"][0]["x"] == ["2023-24 (part year)", "2024-25", "2025-26 (part year)"]


def test_methodology_states_how_buyers_are_identified_with_the_registers_attribution(open_page, honest_store):
    app = open_page(honest_store, "methodology")
    shown = " ".join(t.value for t in app.text)
    assert "Contains data from mySociety's UK local authority names and codes (CC BY 4.0)." in shown
    assert shown.count("Who the buyer is. A buyer is identified before it is placed") == 1
    assert "Small numbers: a council is ranked" in shown and "Part years." in shown
    assert "Find a Tender: every stage (no stages filter)" in shown


def test_readings_of_small_groups_say_too_few(honest_store):
    """Provider splits and value bands compare only groups of 20 or more awards."""
    from queries import provider_size, value_bands
    from readings import provider_size as provider_words
    from readings import value_bands as band_words
    with store.read_only(honest_store) as con:
        labels = provider_size.division_labels(con)
        split = provider_size.provider_split(
            provider_size.split_sums(con, Filters(buyers=(WEST_NORTHANTS, TRUST))), "buyer_type", labels)
        assert provider_words.split_sentence(split, "count", "buyer_type") == (
            "No buyer type has 20 or more awards under these filters: too few to compare.")
        everyone = provider_size.provider_split(provider_size.split_sums(con, Filters()), "buyer_type", labels)
        assert provider_words.split_sentence(everyone, "count", "buyer_type").startswith("For buyer type local authority")
        banded = value_bands.band_distribution(con, Filters(buyers=(BRADFORD,)))
        assert band_words.band_shares_sentence(banded, "value") == (
            "In the under 25k band, SMEs won 0% of award value and local suppliers 48%.")
        assert band_words.band_shares_sentence(value_bands.band_distribution(con, Filters(buyers=(TRUST,))), "value") == (
            "No band has 20 or more awards under these filters: too few to compare the SME and local shares of bands.")
