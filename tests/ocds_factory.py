"""Small builders of OCDS releases and packages for the loader tests.

Everything here is invented for the tests: names, identifiers and postcodes only need to
have the right shape (the postcodes are real districts so the lookup CSV can place them).
"""

import json
from pathlib import Path

from loaders.normalising.normalise import ROW_FIELDS, Release, normalise_ocid

CF_PREFIX = "ocds-b5fd17-"
FTS_PREFIX = "ocds-h6vhtk-"


def party(pid, name, roles=("supplier",), street=None, postcode=None, country=None, region=None,
          scale=None, vcse=None, identifier=None, **extra):
    """One `parties[]` entry with the address and details the tests need."""
    address = {}
    if street is not None:
        address["streetAddress"] = street
    if postcode is not None:
        address["postalCode"] = postcode
    if country is not None:
        address["countryName"] = country
    if region is not None:
        address["region"] = region
    details = {}
    if scale is not None:
        details["scale"] = scale
    if vcse is not None:
        details["vcse"] = vcse
    entry = {"id": pid, "name": name, "roles": list(roles), "address": address, "details": details}
    if identifier is not None:
        entry["identifier"] = identifier
    entry.update(extra)
    return entry


def buyer(name="Lincoln City Council", postcode="LN1 1DD", pid="GB-CFS-B1", **kw):
    return party(pid, name, roles=("buyer",), postcode=postcode, country="England", **kw)


def supplier(n=1, name=None, street="1 High Street, Lincoln, LN2 5AA", **kw):
    return party(f"GB-CFS-S{n}", name or f"Supplier {n} Ltd", street=street, **kw)


def award(aid="1", suppliers=(), amount=100_000.0, currency="GBP", status="active",
          date="2024-05-01T00:00:00Z", **extra):
    """An award naming `suppliers` (party dicts or {'id','name'} refs) by id and name."""
    entry = {"id": aid, "status": status, "date": date,
             "suppliers": [{"id": s["id"], "name": s["name"]} for s in suppliers]}
    if amount is not None:
        entry["value"] = {"amount": amount, "currency": currency}
    entry.update(extra)
    return entry


def release(ocid="ocid-1", rid=None, date="2024-05-02T10:00:00Z", awards=(), parties=None,
            buyer_party=None, tender=None, contracts=None, tag=("award",), **extra):
    """A release in the current shape: parties with roles, buyer by id, awards[]."""
    buyer_party = buyer_party or buyer()
    parties = [buyer_party] + list(parties or [])
    data = {"ocid": ocid, "id": rid or f"{ocid}-r1", "date": date, "tag": list(tag),
            "buyer": {"id": buyer_party["id"], "name": buyer_party["name"]},
            "parties": parties,
            "tender": tender if tender is not None else {"title": "Grounds maintenance"},
            "awards": list(awards)}
    if contracts is not None:
        data["contracts"] = list(contracts)
    data.update(extra)
    return data


def simple_release(ocid, suppliers, amount=100_000.0, rid=None, buyer_party=None, **kw):
    """A release with one award to `suppliers` (parties), all parties included."""
    return release(ocid=ocid, rid=rid, awards=[award("1", suppliers, amount=amount)],
                   parties=suppliers, buyer_party=buyer_party, **kw)


def normalise(*datas, source="contracts-finder"):
    """normalise_ocid over releases of one ocid; returns (rows as dicts, events)."""
    releases = [Release(source, d.get("ocid") or "", d.get("id") or "", d) for d in datas]
    ocids = {r.ocid for r in releases if r.ocid}
    result = normalise_ocid(releases)
    rows = [dict(zip(ROW_FIELDS, row)) for row in result.rows]
    assert all(r["ocid"] in ocids for r in rows)
    return rows, result.events


def package(releases):
    """An OCDS release package around `releases`."""
    return {"uri": "https://example.invalid/package", "version": "1.1",
            "publishedDate": "2025-01-01T00:00:00Z", "publisher": {"name": "tests"},
            "releases": list(releases)}


def write_package(path: Path, releases) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(package(releases)))
    return path
