"""The Keep it Local network councils (loaders/geography/network.py): the 17 councils Locality
announced, identified in the council register, as a peer group of the Council scorecard and a
side-by-side table of the Keep it Local page."""

import json

import pandas as pd
import pytest

from loaders.geography import network
from loaders.storage import store
from loaders.storage.loading import import_files
from queries import keep_it_local as kil
from queries import scorecard as sc
from queries.filters import Filters
from readings import keep_it_local as kil_words
from readings import scorecard as sc_words
from tests.app_fixtures import LOOKUP, release

# Locality's list, each council with the register code it must be identified as (written by
# hand from the register, not from the code under test).
EXPECTED = {
    "Bradford": "BRD", "Bristol": "BST", "Calderdale": "CLD", "Hackney": "HCK", "Kirklees": "KIR",
    "Lewisham": "LEW", "Newcastle upon Tyne": "NET", "Oldham": "OLD", "Rotherham": "ROT",
    "South Gloucestershire": "SGC", "Wirral": "WRL", "Leeds": "LDS", "Wakefield": "WKF",
    "Cheshire West and Chester": "CHW", "City of York Council": "YOR", "East Sussex County Council": "ESX",
    "Malvern Hills District Council": "MAV",
}
LEEDS, BRADFORD, MANCHESTER = "Leeds City Council", "City of Bradford Metropolitan District Council", \
    "Manchester City Council"
# (buyer as published, buyer postcode, supplier, supplier address, scale, vcse, value, date)
AWARDS = (
    ("Leeds City Council", "LS1 1UR", "Aireside Care CIC", "1 Mill Lane, Leeds, LS6 2AB", "sme", True, 100_000,
     "2024-05-01"),
    ("Leeds City Council", "LS1 1UR", "Pennine Roads Ltd", "2 High St, Bradford BD1 1AA", "large", False, 300_000,
     "2024-06-01"),
    ("Bradford Metropolitan District Council", "BD1 1HY", "Wool Exchange Ltd", "5 Hall Ings, Bradford BD1 5AA",
     "sme", False, 40_000, "2024-07-01"),
    ("Manchester City Council", "M1 1AE", "Irwell Services Ltd", "3 Deansgate, Manchester, M1 1AA", "sme", False,
     10_000, "2024-08-01"),
)


@pytest.fixture(scope="module")
def path(tmp_path_factory):
    """Two network councils (Leeds, Bradford) and one council outside it (Manchester)."""
    folder = tmp_path_factory.mktemp("network")
    package = folder / "awards.json"
    package.write_text(json.dumps({"releases": [release(i, a) for i, a in enumerate(AWARDS)]}))
    lookup = folder / "lookup.csv"
    lookup.write_text(LOOKUP)
    import_files([package], folder / "network.duckdb", [lookup])
    return folder / "network.duckdb"


@pytest.fixture(scope="module")
def con(path):
    connection = store.read_only(path)
    yield connection
    connection.close()


def test_the_seventeen_councils_are_identified_in_the_register():
    members = network.members()
    assert {m.name: m.code for m in members} == EXPECTED
    assert len(set(network.codes())) == 17
    assert [m.announced for m in members].count("on 3 March 2020") == 11
    assert {m.register_name for m in members} >= {"Newcastle City Council", "City of York Council", "Leeds City Council"}


def test_the_note_gives_the_list_its_dates_and_sources():
    note = network.sentence()
    assert "17 councils" in note and "11 on 3 March 2020" in note and "2 later" in note
    assert f"recorded on {network.RECORDED.day} {network.RECORDED:%B %Y}" in note
    assert all(source in note for source in network.SOURCES)


def test_a_name_the_register_does_not_know_is_an_error(monkeypatch):
    monkeypatch.setattr(network, "ANNOUNCEMENTS", (("on 3 March 2020", ("Nowhere at All",)),))
    network.members.cache_clear()
    try:
        with pytest.raises(network.NetworkError, match="Nowhere at All"):
            network.members()
    finally:
        monkeypatch.undo()
        network.members.cache_clear()


def test_network_councils_in_a_store(con):
    assert kil.network_councils(con, network.codes()) == [BRADFORD, LEEDS]
    assert kil.network_councils(con, ()) == []


def test_scorecard_peer_group_of_a_member_and_of_a_council_outside(con):
    table = sc.council_table(con, sc.peer_filters(Filters()))
    assert sc.peer_groups(table, LEEDS, ())["network"] == ("Keep it Local network councils", (BRADFORD, LEEDS))
    outside = sc.peer_groups(table, MANCHESTER, ())["network"]
    assert outside == ("Keep it Local network councils (with this council)", (BRADFORD, LEEDS, MANCHESTER))
    ranks = sc_words.ranks_shown(sc.rank_table(table, LEEDS, sc.peer_groups(table, LEEDS, ())))
    assert set(ranks["network_members"]) == {2}
    assert "Keep it Local network, Keep it Local network councils (2)" in sc_words.groups_note(ranks)


def test_no_network_group_when_no_other_member_has_awards(con):
    table = sc.council_table(con, sc.peer_filters(Filters()))
    alone = table[table["council"] != BRADFORD]
    assert "network" not in sc.peer_groups(alone, LEEDS, ())


def test_keep_it_local_page_shows_the_network_side_by_side(open_page, path):
    app = open_page(path, "keep_it_local", council=MANCHESTER)
    table = next(d.value for d in app.dataframe if "in_network" in d.value.columns)
    assert table["council"].tolist() == [BRADFORD, LEEDS, MANCHESTER]
    assert table["in_network"].tolist() == ["yes", "yes", "no"]
    assert table["this_council"].tolist() == ["no", "no", "yes"]
    assert table["awards"].tolist() == [1, 2, 1]
    shown = [t.value for t in app.text] + [c.value for c in app.caption] + [m.value for m in app.markdown]
    assert any(s.startswith("2 of the 17 Keep it Local network councils have awards") for s in shown), shown
    assert network.sentence() in shown


def test_scorecard_offers_the_network_group(open_page, path):
    app = open_page(path, "scorecard", council=LEEDS)
    assert "network_rank_short" in app.dataframe[0].value.columns
    assert any("Keep it Local network councils (2)" in c.value for c in app.caption)


def test_network_sentence_counts_members_only():
    frame = pd.DataFrame({"council": ["A", "B", "C"], "in_network": [True, True, False], "awards": [3, 0, 5],
                          "local_value_share": [0.5, None, 0.9]})
    assert kil_words.network_sentence(frame, "network councils", 17) == \
        "1 of the 17 network councils has awards under these filters."
