"""The demo's Scottish and Welsh awards in the shape of Public Contracts Scotland and
Sell2Wales (loaders/sources/demo.py, sources-2 sections A and B), through the real pipeline:
each portal's ocid prefix, no release id on PCS yet one stable stored id each, local party
ids, postcodes read with or without the space, and a supplier's size unknown where the
release does not state it."""

import json
import random
import re
from collections import Counter

import orjson
import pytest

from loaders.sources import demo
from loaders.sources.readers import releases_in
from loaders.storage import store

pytestmark = pytest.mark.slow

PCS, S2W = demo.PORTALS["Scotland"], demo.PORTALS["Wales"]
POSTCODE = re.compile(r"^[A-Z]{1,2}\d[A-Z\d]? \d[A-Z]{2}$")


@pytest.fixture(scope="module")
def stored(demo_store) -> dict:
    """The portals' releases (release_id -> parsed JSON, and the ids in store order) and award rows."""
    con = store.read_only(demo_store)
    try:
        releases = con.execute("""SELECT release_id, json FROM releases
                                  WHERE ocid LIKE ? OR ocid LIKE ?""", [PCS.prefix + "%", S2W.prefix + "%"]).fetchall()
        awards = con.execute("""SELECT ocid, release_id, buyer_name_published, buyer_country, supplier_name,
                                       supplier_postcode, supplier_size, supplier_vcse, locality, notice_url
                                FROM awards WHERE ocid LIKE ? OR ocid LIKE ?""",
                             [PCS.prefix + "%", S2W.prefix + "%"]).fetchall()
        columns = [d[0] for d in con.description]
    finally:
        con.close()
    return {"releases": {release_id: json.loads(text) for release_id, text in releases},
            "ids": [release_id for release_id, _ in releases],
            "awards": [dict(zip(columns, row)) for row in awards]}


def _of(stored, portal) -> dict:
    return {i: r for i, r in stored["releases"].items() if r["ocid"].startswith(portal.prefix)}


def test_each_portal_has_releases_in_its_shape(stored):
    pcs, s2w = _of(stored, PCS), _of(stored, S2W)
    assert len(pcs) > 1_000 and len(s2w) > 1_000
    assert not any("id" in r for r in pcs.values())
    assert all(re.fullmatch(r"ocds-kuma6s-\d{6}-release-\d{6}", r["id"]) for r in s2w.values())
    for release in stored["releases"].values():
        assert release["date"].endswith("T00:00:00Z")
        for party in release["parties"]:
            assert re.fullmatch(r"org-\d+", party["id"]) and set(party["identifier"]) == {"legalName"}
        buyer = next(p for p in release["parties"] if "buyer" in p["roles"])
        assert buyer["address"]["region"].startswith("UKM" if release["ocid"].startswith(PCS.prefix) else "UKL")
        assert {s["id"] for s in release["awards"][0]["suppliers"]} <= {p["id"] for p in release["parties"]}
    pages = {PCS.prefix: "https://publiccontractsscotland.demo.invalid/search/show/search_view.aspx?ID=DEMO",
             S2W.prefix: "https://sell2wales.demo.invalid/search/show/search_view.aspx?ID=DEMO"}
    assert all(row["notice_url"].startswith(pages[row["ocid"][:12]]) for row in stored["awards"])


def test_every_scottish_and_welsh_council_has_portal_awards_and_no_one_else(stored):
    councils = demo.load_councils(random.Random(demo.SEED))
    devolved = {c.name: c.region for c in councils if c.region in demo.PORTALS}
    assert len(devolved) == 8
    counts = Counter(row["buyer_name_published"] for row in stored["awards"])
    assert all(counts[name] > 100 for name in devolved)
    nations = {PCS.prefix: "Scotland", S2W.prefix: "Wales"}
    assert all(row["buyer_country"] == nations[row["ocid"][:12]] for row in stored["awards"])


def test_pcs_releases_without_id_are_stored_once_with_a_stable_id(stored):
    assert len(stored["ids"]) == len(set(stored["ids"]))
    for release_id, release in _of(stored, PCS).items():
        again = releases_in({"releases": [release]}, "again", "demo")[0]
        assert again.release_id == release_id and release_id.startswith(release["ocid"] + "/")


def test_same_seed_same_releases_each_stored_once(demo_store, tmp_path):
    """Every release written again from the same seed is in the store, exactly once (compared
    as text: PCS releases have no id to key them by)."""
    written = [orjson.dumps(r).decode() for path in demo.write_packages(tmp_path)
               for r in orjson.loads(path.read_bytes())["releases"]]
    con = store.read_only(demo_store)
    try:
        held = [text for (text,) in con.execute("SELECT json FROM releases").fetchall()]
    finally:
        con.close()
    assert Counter(written) == Counter(held)


def test_supplier_postcodes_normalised_and_placed(stored):
    typed = [p["address"].get("postalCode") for r in stored["releases"].values() for p in r["parties"]
             if "supplier" in p["roles"]]
    assert sum(1 for t in typed if t and " " not in t) > 500 and sum(1 for t in typed if t and " " in t) > 500
    postcodes = [row["supplier_postcode"] for row in stored["awards"] if row["supplier_postcode"]]
    assert len(postcodes) > 0.9 * len(stored["awards"])
    assert all(POSTCODE.match(p) for p in postcodes)
    localities = Counter(row["locality"] for row in stored["awards"])
    assert localities["local"] > 1_000 and localities["unknown"] < 0.1 * len(stored["awards"])


def test_size_unknown_where_the_release_states_none(stored):
    sizes = Counter()
    for row in stored["awards"]:
        release = stored["releases"][row["release_id"]]
        party = next(p for p in release["parties"] if p.get("name") == row["supplier_name"])
        stated = "scale" in party.get("details", {})
        assert (row["supplier_size"] != "Unknown") == stated, row
        assert row["supplier_vcse"] is None  # the portals publish no VCSE flag
        sizes[stated] += 1
    assert sizes[True] > 500 and sizes[False] > 500
