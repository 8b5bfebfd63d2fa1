"""Award notices in the shape of Public Contracts Scotland and Sell2Wales (written here: no
real award notice of either portal is available) normalise to the right rows: the source from
the ocid prefix, a stable key for a release without an id, the buyer by the council register,
suppliers by postcode (written without a space), size only where `details.scale` says, and an
award published on the portal and on Find a Tender counted once."""

import json

import duckdb

from loaders.storage import loading
from tests.ocds_factory import write_package

PCS_OCID = "ocds-r6ebe6-0000900001"
S2W_OCID = "ocds-kuma6s-900001"


def portal_party(n, name, postcode, roles=("supplier",), scale=None, region="UK"):
    """A party as both portals write it: a local id, a legal name only, a NUTS or "UK" region."""
    party = {"name": name, "id": f"org-{n}", "identifier": {"legalName": name},
             "address": {"streetAddress": "1 Main Street", "region": region, "postalCode": postcode},
             "roles": list(roles)}
    if scale:
        party["details"] = {"scale": scale}
    return party


def pcs_award(date="2025-06-02T00:00:00Z", amount=250_000.0, supplier_scale="sme"):
    """A PCS contract award notice: no release id, as every PCS release."""
    fife = portal_party(3, "Fife Council", "KY7 5LT", roles=("buyer",), region="UKM72")
    supplier = portal_party(12, "Kingdom Joinery Ltd", "KY11 8UU".replace(" ", ""), scale=supplier_scale)
    other = portal_party(13, "Forth Paths Ltd", "EH6 6QQ")
    return {"ocid": PCS_OCID, "date": date, "tag": ["award"], "initiationType": "tender",
            "parties": [fife, supplier, other], "buyer": {"name": "Fife Council", "id": "org-3"},
            "tender": {"id": "FIFE-2025-01", "title": "Joinery repairs"},
            "awards": [{"id": f"{PCS_OCID}-award-1", "status": "active", "date": "2025-05-30T00:00:00Z",
                        "value": {"amount": amount, "currency": "GBP"},
                        "suppliers": [{"id": "org-12", "name": "Kingdom Joinery Ltd"},
                                      {"id": "org-13", "name": "Forth Paths Ltd"}]}]}


def s2w_award():
    cardiff = portal_party(3, "Cardiff Council", "CF10 4UW", roles=("buyer",), region="UKL22")
    supplier = portal_party(7, "Taff Cleaning Cyf", "CF157QZ", scale="large")
    return {"id": f"{S2W_OCID}-release-900002", "ocid": S2W_OCID, "date": "2025-03-10T00:00:00Z",
            "tag": ["award"], "parties": [cardiff, supplier], "buyer": {"name": "Cardiff Council", "id": "org-3"},
            "tender": {"id": f"{S2W_OCID}-tender-900002-CC/25/1", "title": "Office cleaning"},
            "awards": [{"id": f"{S2W_OCID}-award-1", "status": "active", "date": "2025-03-07T00:00:00Z",
                        "value": {"amount": 80_000.0, "currency": "GBP"},
                        "suppliers": [{"id": "org-7", "name": "Taff Cleaning Cyf"}]}]}


def rows(path):
    with duckdb.connect(str(path), read_only=True) as con:
        return con.execute("""SELECT source, ocid, release_id, buyer_name, buyer_council_code, supplier_name,
                                     supplier_postcode, supplier_size, value_gbp, duplicate_of
                              FROM awards ORDER BY ocid, supplier_name""").fetchall()


def test_portal_award_notices_normalise_to_the_right_rows(tmp_path):
    path = tmp_path / "store.duckdb"
    lines = tmp_path / "portals.jsonl"
    lines.write_text("\n".join(json.dumps(r) for r in (pcs_award(), s2w_award())) + "\n")
    loading.import_files([lines], path)
    found = rows(path)
    assert [(r[0], r[3], r[5], r[6], r[7], r[8]) for r in found] == [
        ("sell2wales", "City of Cardiff Council", "Taff Cleaning Cyf", "CF15 7QZ", "Large", 80_000.0),  # the register's name
        ("public-contracts-scotland", "Fife Council", "Forth Paths Ltd", "EH6 6QQ", "Unknown", 125_000.0),
        ("public-contracts-scotland", "Fife Council", "Kingdom Joinery Ltd", "KY11 8UU", "SME", 125_000.0)]
    assert all(r[4] for r in found)  # both buyers are councils of the register
    pcs_release_id = found[1][2]
    assert pcs_release_id and pcs_release_id == found[2][2]
    loading.import_files([lines], path)  # a release without an id is keyed by its content: stored once
    assert rows(path) == found


def test_a_later_pcs_release_of_the_same_award_wins_and_both_are_kept(tmp_path):
    path = tmp_path / "store.duckdb"
    first, later = pcs_award(), pcs_award(date="2025-07-01T00:00:00Z", amount=300_000.0)
    loading.import_files([write_package(tmp_path / "p.json", [first, later])], path)
    with duckdb.connect(str(path), read_only=True) as con:
        ids = [r[0] for r in con.execute("SELECT release_id FROM releases ORDER BY release_date").fetchall()]
    assert len(set(ids)) == 2  # two releases of one ocid, neither with an id, told apart
    assert {r[8] for r in rows(path)} == {150_000.0}  # the later release's value, split between two suppliers


def test_an_award_on_the_portal_and_on_find_a_tender_is_counted_once(tmp_path):
    path = tmp_path / "store.duckdb"
    pcs = pcs_award()
    fts = {**pcs_award(), "ocid": "ocds-h6vhtk-0a0a0a", "id": "012345-2025",
           "awards": [{**pcs["awards"][0], "id": "1", "date": "2025-06-01T00:00:00Z"}]}
    loading.import_files([write_package(tmp_path / "both.json", [pcs, fts])], path)
    kept = {r[0]: r[9] for r in rows(path)}
    assert kept == {"find-a-tender": None, "public-contracts-scotland": "ocds-h6vhtk-0a0a0a|1"}
