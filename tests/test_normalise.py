"""The normaliser: OCDS releases of one ocid -> award rows (one per award x supplier)."""

import pytest

from loaders.normalising.normalise import CF_NOTICE, FTS_NOTICE, ROW_FIELDS, Release, normalise_ocid, release_problem
from tests.ocds_factory import award, buyer, normalise, party, release, simple_release, supplier

GUID = "2a1e3359-87a0-4fdd-ac61-20d5e6520a13"
CF_OCID = "ocds-b5fd17-" + GUID


def only(rows):
    assert len(rows) == 1, rows
    return rows[0]


# --- latest release wins -------------------------------------------------------------------

def _award_then_update():
    s = supplier(1)
    first = release(CF_OCID, rid=f"{GUID}-000001", date="2025-01-10T10:00:00Z",
                    awards=[award("1", [s], amount=100_000)], parties=[s])
    update = release(CF_OCID, rid=f"{GUID}-000002", date="2025-01-20T10:00:00Z", tag=("awardUpdate",),
                     awards=[award("1", [s], amount=120_000)], parties=[s])
    return first, update


def test_latest_release_wins_per_award():
    """An awardUpdate with a new value replaces the award: one row, the later value."""
    first, update = _award_then_update()
    row = only(normalise(first, update)[0])
    assert row["award_value_gbp"] == 120_000
    assert row["release_id"] == f"{GUID}-000002"


def test_latest_release_wins_in_any_input_order():
    """Releases given newest first give the same row."""
    first, update = _award_then_update()
    assert normalise(update, first)[0] == normalise(first, update)[0]


def test_latest_release_compares_dates_as_instants_across_offsets():
    """10:30+01:00 (09:30Z) is earlier than 09:45Z although its text sorts later."""
    s = supplier(1)
    early = release("ocds-h6vhtk-000001", rid="000002-2025", date="2025-06-01T10:30:00+01:00",
                    awards=[award("1", [s], amount=100)], parties=[s])
    late = release("ocds-h6vhtk-000001", rid="000001-2025", date="2025-06-01T09:45:00Z",
                   awards=[award("1", [s], amount=200)], parties=[s])
    for order in ((early, late), (late, early)):
        row = only(normalise(*order, source="find-a-tender")[0])
        assert row["award_value_gbp"] == 200
        assert row["release_id"] == "000001-2025"


def test_same_date_uses_contracts_finder_sequence_number():
    """Two releases with the same date: the higher CF sequence (compared as a number) wins."""
    s = supplier(1)
    r9 = release(CF_OCID, rid=f"{GUID}-9", awards=[award("1", [s], amount=9)], parties=[s])
    r10 = release(CF_OCID, rid=f"{GUID}-10", awards=[award("1", [s], amount=10)], parties=[s])
    assert only(normalise(r10, r9)[0])["award_value_gbp"] == 10


def test_each_award_id_keeps_its_own_latest_release():
    """A later release about award 2 does not drop award 1 of an earlier release."""
    s1, s2 = supplier(1), supplier(2)
    r1 = release(CF_OCID, rid=f"{GUID}-1", date="2025-01-01T00:00:00Z",
                 awards=[award("1", [s1], amount=10)], parties=[s1])
    r2 = release(CF_OCID, rid=f"{GUID}-2", date="2025-02-01T00:00:00Z",
                 awards=[award("2", [s2], amount=20)], parties=[s2])
    rows, _ = normalise(r1, r2)
    assert sorted((r["award_id"], r["award_value_gbp"]) for r in rows) == [("1", 10), ("2", 20)]


# --- excluded awards -----------------------------------------------------------------------

@pytest.mark.parametrize("status", ["cancelled", "unsuccessful"])
def test_cancelled_and_unsuccessful_awards_give_events_not_rows(status):
    s = supplier(1)
    data = release("ocid-x", rid="r1", awards=[award("7", [s], status=status)], parties=[s])
    rows, events = normalise(data)
    assert rows == []
    assert events == [("ocid-x", "r1", "7", f"award_{status}", None)]


def test_later_cancellation_removes_an_active_award():
    """An award later cancelled drops out of the figures."""
    s = supplier(1)
    active = release(CF_OCID, rid=f"{GUID}-1", date="2025-01-01T00:00:00Z",
                     awards=[award("1", [s])], parties=[s])
    cancelled = release(CF_OCID, rid=f"{GUID}-2", date="2025-02-01T00:00:00Z",
                        awards=[award("1", [s], status="cancelled")], parties=[s])
    rows, events = normalise(active, cancelled)
    assert rows == []
    assert [e[3] for e in events] == ["award_cancelled"]


def test_award_without_suppliers_gives_event():
    data = release("ocid-x", rid="r1", awards=[award("3", [])])
    rows, events = normalise(data)
    assert rows == []
    assert events == [("ocid-x", "r1", "3", "award_no_suppliers", None)]


def test_pending_award_gives_rows():
    """A pending award (UK6 before signature) is counted."""
    s = supplier(1)
    row = only(normalise(release("ocid-x", awards=[award("1", [s], status="pending")], parties=[s]))[0])
    assert row["award_status"] == "pending"


# --- joint awards --------------------------------------------------------------------------

def test_joint_award_split_equally():
    """Three suppliers share the award value equally; the shares add up to the award."""
    suppliers = [supplier(i) for i in (1, 2, 3)]
    rows, _ = normalise(simple_release("ocid-j", suppliers, amount=100_000))
    assert len(rows) == 3
    assert {r["n_suppliers"] for r in rows} == {3}
    assert {r["award_value_gbp"] for r in rows} == {100_000}
    assert sum(r["value_gbp"] for r in rows) == pytest.approx(100_000)
    assert len({r["award_key"] for r in rows}) == 3


def test_supplier_listed_twice_counts_once():
    suppliers = [supplier(1), supplier(2), supplier(3)]
    data = release("ocid-j", awards=[award("1", suppliers + [suppliers[1]], amount=90_000)],
                   parties=suppliers)
    rows, _ = normalise(data)
    assert len(rows) == 3
    assert {r["n_suppliers"] for r in rows} == {3}
    assert sum(r["value_gbp"] for r in rows) == pytest.approx(90_000)


# --- supplier size -------------------------------------------------------------------------

def test_size_from_party_scale_never_from_tender_suitability():
    """tender.suitability.sme says whom the tender suits, not who won."""
    big = supplier(1, scale="large")
    unknown = supplier(2)
    data = release("ocid-s", awards=[award("1", [big, unknown])], parties=[big, unknown],
                   tender={"title": "Cleaning", "suitability": {"sme": True, "vcse": True}})
    sizes = {r["supplier_name"]: (r["supplier_size"], r["supplier_vcse"]) for r in normalise(data)[0]}
    assert sizes == {"Supplier 1 Ltd": ("Large", None), "Supplier 2 Ltd": ("Unknown", None)}


def test_size_and_vcse_from_party_details():
    s = supplier(1, scale="micro", vcse=True)
    row = only(normalise(simple_release("ocid-s", [s]))[0])
    assert (row["supplier_size"], row["supplier_vcse"]) == ("SME", True)


# --- older Contracts Finder shape ----------------------------------------------------------

def test_older_contracts_finder_shape_is_read():
    """No parties: buyer inline with its address; suppliers inline with boolean sme / vco."""
    data = {
        "ocid": CF_OCID, "id": f"{GUID}-000003", "date": "2019-03-01T09:00:00Z", "tag": ["award"],
        "buyer": {"name": "Lincolnshire County Council",
                  "address": {"streetAddress": "County Offices, Newland", "locality": "Lincoln",
                              "postalCode": "LN11YL"}},
        "tender": {"title": "Library van", "classification": {"scheme": "CPV", "id": "34100000",
                                                                "description": "Motor vehicles"}},
        "awards": [{
            "id": "1", "status": "active", "date": "2019-02-20T00:00:00Z",
            "value": {"amount": 30_000, "currency": "GBP"},
            "suppliers": [
                {"name": "Acme Vans Ltd", "address": {"streetAddress": "Unit 3\r\nTritton Road\r\nln6 7he"},
                 "sme": True, "vco": False},
                {"name": "Big Motors PLC", "address": {"streetAddress": "1 Canal Street, Leeds LS1 4AP"},
                 "sme": False, "vco": False},
            ],
        }],
    }
    rows = sorted(normalise(data)[0], key=lambda r: r["supplier_name"])
    assert [r["supplier_name"] for r in rows] == ["Acme Vans Ltd", "Big Motors PLC"]
    acme, big = rows
    assert acme["buyer_name"] == "Lincolnshire County Council"
    assert acme["buyer_type"] == "local authority"
    assert acme["buyer_postcode"] == "LN1 1YL"
    assert acme["supplier_key"] == "name:acme vans"
    assert acme["supplier_id_scheme"] is None
    assert (acme["supplier_size"], acme["supplier_vcse"], acme["supplier_postcode"]) == ("SME", False, "LN6 7HE")
    assert (big["supplier_size"], big["supplier_postcode"]) == ("Large", "LS1 4AP")
    assert acme["cpv_code"] == "34100000" and acme["category"] == "goods"
    assert acme["value_gbp"] == 15_000
    assert str(acme["award_date"]) == "2019-02-20"


# --- Find a Tender values ------------------------------------------------------------------

def _fts_release(award_value=None, contract_value=None, contract_gross=None):
    s = party("GB-COH-01234567", "Contractor Ltd", street="1 Dalton Square, Lancaster", postcode="LA1 1PJ",
              scale="large")
    a = award("1", [s], amount=award_value)
    contracts = []
    if contract_value is not None:
        contracts = [{"id": "1", "awardID": "1", "status": "active",
                      "value": {"amount": contract_value, "amountGross": contract_gross, "currency": "GBP"}}]
    return release("ocds-h6vhtk-052a2e", rid="028961-2025", date="2025-06-01T19:08:07+01:00",
                   awards=[a], parties=[s], contracts=contracts,
                   buyer_party=buyer("Lancaster City Council", "LA1 1PJ", pid="GB-PPON-PXYZ-1234-ABCD"))


def test_fts_contract_value_used_when_award_has_none():
    """A UK7 notice carries the value on contracts[]: amount (net of VAT) is the award value."""
    row = only(normalise(_fts_release(contract_value=54_393.6, contract_gross=65_272.32),
                         source="find-a-tender")[0])
    assert row["award_value_gbp"] == 54_393.6
    assert row["value_gbp"] == 54_393.6
    assert row["value_source"] == "contract"
    assert row["value_band"] == "25k-100k"


def test_fts_award_value_preferred_over_contract():
    row = only(normalise(_fts_release(award_value=40_000, contract_value=54_393.6),
                         source="find-a-tender")[0])
    assert (row["award_value_gbp"], row["value_source"]) == (40_000, "award")


def test_fts_no_value_anywhere():
    row = only(normalise(_fts_release(), source="find-a-tender")[0])
    assert row["award_value_gbp"] is None and row["value_gbp"] is None
    assert (row["value_source"], row["value_band"], row["value_flag"]) == ("none", "unknown", None)


def test_fts_contract_in_a_later_release_values_the_award():
    """A pending award (UK6) valued by the contract of a later UK7 release."""
    s = supplier(1)
    uk6 = release("ocds-h6vhtk-0000aa", rid="000001-2025", date="2025-03-01T10:00:00Z",
                  awards=[award("1", [s], amount=None, status="pending")], parties=[s])
    uk7 = release("ocds-h6vhtk-0000aa", rid="000002-2025", date="2025-04-01T10:00:00Z", awards=[],
                  contracts=[{"id": "1", "awardID": "1", "value": {"amount": 75_000, "currency": "GBP"}}])
    row = only(normalise(uk6, uk7, source="find-a-tender")[0])
    assert (row["award_value_gbp"], row["value_source"]) == (75_000, "contract")


# --- value flags ---------------------------------------------------------------------------

def _valued(amount, currency="GBP", n=1):
    suppliers = [supplier(i) for i in range(1, n + 1)]
    return normalise(release("ocid-v", awards=[award("1", suppliers, amount=amount, currency=currency)],
                             parties=suppliers))[0]


@pytest.mark.parametrize("amount", [0, 0.01, 1])
def test_placeholder_values_are_kept_but_not_counted(amount):
    """A £0.01 award must not make a council "100% local by value": £1 or less is a
    placeholder, kept in the row, out of value totals, in the unknown value band."""
    row = only(_valued(amount))
    assert (row["value_flag"], row["award_value_gbp"], row["value_gbp"], row["value_band"]) == \
           ("placeholder", amount, None, "unknown")


def test_value_flag_negative_kept_but_not_counted():
    row = only(_valued(-500))
    assert (row["value_flag"], row["award_value_gbp"], row["value_gbp"]) == ("negative", -500, None)
    assert row["value_band"] == "unknown"


def test_value_flag_non_gbp_has_no_pound_value():
    row = only(_valued(50_000, currency="EUR"))
    assert (row["value_flag"], row["award_value_gbp"], row["value_gbp"]) == ("non_gbp", None, None)
    assert row["value_band"] == "unknown"


def test_value_flag_over_one_billion_kept_but_not_counted():
    rows = _valued(2_500_000_000, n=2)
    assert {(r["value_flag"], r["award_value_gbp"], r["value_gbp"]) for r in rows} == {("over_1bn", 2.5e9, None)}


def test_value_flag_placeholder():
    row = only(_valued(0.01))
    assert (row["value_flag"], row["award_value_gbp"]) == ("placeholder", 0.01)


def test_value_without_flag():
    row = only(_valued(12_345.67))
    assert (row["value_flag"], row["value_gbp"], row["value_source"]) == (None, 12_345.67, "award")


# --- frameworks ----------------------------------------------------------------------------

@pytest.mark.parametrize("tender, expected", [
    ({"title": "Framework for legal services"}, True),
    ({"title": "Legal services", "procurementMethodDetails": "Call-off from a framework agreement"}, True),
    ({"title": "Legal services", "techniques": {"hasFrameworkAgreement": True}}, True),
    ({"title": "Care", "techniques": {"hasDynamicPurchasingSystem": True}}, True),
    ({"title": "Legal services", "procurementMethodDetails": "Open procedure"}, False),
    ({"title": "Legal services", "techniques": {"hasFrameworkAgreement": False}}, False),
])
def test_is_framework(tender, expected):
    s = supplier(1)
    row = only(normalise(release("ocid-f", awards=[award("1", [s])], parties=[s], tender=tender))[0])
    assert row["is_framework"] is expected


def test_is_framework_from_award_title():
    s = supplier(1)
    row = only(normalise(release("ocid-f", awards=[award("1", [s], title="Multi-supplier framework lot 2")],
                                 parties=[s]))[0])
    assert row["is_framework"] is True


# --- notice links --------------------------------------------------------------------------

def test_notice_url_from_award_document():
    s = supplier(1)
    url = "https://www.contractsfinder.service.gov.uk/Notice/abc"
    data = release(CF_OCID, rid=f"{GUID}-000001", parties=[s], awards=[award(
        "1", [s], documents=[{"id": "0", "url": "ftp://nowhere"}, {"id": "1", "url": url}])])
    assert only(normalise(data)[0])["notice_url"] == url


def test_notice_url_contracts_finder_built_from_release_guid():
    s = supplier(1)
    data = release(CF_OCID, rid=f"{GUID}-819950", awards=[award("1", [s])], parties=[s])
    assert only(normalise(data)[0])["notice_url"] == CF_NOTICE.format(GUID)
    assert CF_NOTICE.format(GUID) == f"https://www.contractsfinder.service.gov.uk/Notice/{GUID}"


def test_notice_url_find_a_tender_from_notice_id():
    s = supplier(1)
    data = release("ocds-h6vhtk-0abcde", rid="012345-2025", awards=[award("1", [s])], parties=[s])
    url = only(normalise(data, source="find-a-tender")[0])["notice_url"]
    assert url == FTS_NOTICE.format("012345-2025") == "https://www.find-tender.service.gov.uk/Notice/012345-2025"


# --- supplier keys -------------------------------------------------------------------------

def test_companies_house_number_padded_in_supplier_key():
    s = party("GB-COH-4142000", "Manor Supplies Ltd", street="Little Easton, Essex, CM6 2JN",
              identifier={"scheme": "GB-COH", "id": "4142000", "legalName": "Manor Supplies Ltd"})
    row = only(normalise(simple_release("ocid-k", [s]))[0])
    assert row["supplier_key"] == "GB-COH-04142000"
    assert (row["supplier_id_scheme"], row["supplier_id"]) == ("GB-COH", "04142000")


def test_companies_house_number_from_party_id_alone():
    s = party("GB-COH-4142000", "Manor Supplies Ltd", street="CM6 2JN")
    assert only(normalise(simple_release("ocid-k", [s]))[0])["supplier_key"] == "GB-COH-04142000"


def test_name_key_when_only_platform_id():
    """GB-CFS ids are platform-internal: the key falls back to the normalised name."""
    s = party("GB-CFS-307567", "Marstons Holdings PLC", street="London EC3N 2LB",
              identifier={"scheme": "GB-CFS", "id": "307567", "legalName": "Marstons Holdings PLC"})
    row = only(normalise(simple_release("ocid-k", [s]))[0])
    assert row["supplier_key"] == "name:marstons holdings"
    assert row["supplier_id_scheme"] is None and row["supplier_id"] is None


def test_award_key_names_source_ocid_award_and_supplier():
    s = party("GB-COH-4142000", "Manor Supplies Ltd", street="CM6 2JN")
    row = only(normalise(simple_release("ocid-k", [s]))[0])
    assert row["award_key"] == "contracts-finder|ocid-k|1|GB-COH-04142000"


# --- supplier place ------------------------------------------------------------------------

def test_postcode_extracted_from_street_address_when_postal_code_empty():
    s = supplier(1, street="Ubiq Group, Unit 13-14\r\nEmerald Way\r\nST150SR", postcode="")
    row = only(normalise(simple_release("ocid-p", [s]))[0])
    assert (row["supplier_postcode"], row["supplier_abroad"]) == ("ST15 0SR", None)


def test_postal_code_field_preferred():
    s = supplier(1, street="1 High Street, LN2 5AA", postcode="ln67he")
    assert only(normalise(simple_release("ocid-p", [s]))[0])["supplier_postcode"] == "LN6 7HE"


@pytest.mark.parametrize("address, country", [
    ({"streetAddress": "3001 Solent Road\r\nKanata\r\nOntario\r\nCanada\r\nK2K 2MB"}, "Canada"),
    ({"streetAddress": "Riverview House, 21-23 City Quay, Dublin, Dublin 2, Ireland"}, "Ireland"),
    ({"streetAddress": "1 Rue de Rivoli", "postalCode": "75001", "countryName": "France"}, "France"),
])
def test_foreign_supplier_is_abroad_without_postcode(address, country):
    s = {"id": "GB-CFS-9", "name": "Abroad Co", "roles": ["supplier"], "address": address}
    row = only(normalise(simple_release("ocid-p", [s]))[0])
    assert (row["supplier_postcode"], row["supplier_abroad"]) == (None, country)


@pytest.mark.parametrize("address, code", [
    ({"region": "UKD", "countryName": "United Kingdom"}, "UKD"),   # Find a Tender, no postcode
    ({"region": " ukj43 ", "postalCode": "ME1 1AA"}, "UKJ43"),
    ({"region": "TLD45"}, "TLD45"),
    ({"region": "North West"}, None),                               # a name, not a code
    ({"region": "UKZ"}, None),                                      # extra-regio
    ({"region": "FR101", "countryName": "France"}, None),           # abroad
])
def test_supplier_region_code_kept_as_stated(address, code):
    s = {"id": "GB-FTS-9", "name": "Coded Co", "roles": ["supplier"], "address": address}
    assert only(normalise(simple_release("ocid-r", [s]))[0])["supplier_region_code"] == code


def test_buyer_postcode_without_space_normalised():
    s = supplier(1)
    data = simple_release("ocid-p", [s], buyer_party=buyer("North Yorkshire Council", "DL78AD"))
    assert only(normalise(data)[0])["buyer_postcode"] == "DL7 8AD"


# --- releases that cannot be normalised ----------------------------------------------------

def test_release_without_ocid_is_reported():
    data = {"id": "r1", "date": "2025-01-01T00:00:00Z", "awards": []}
    result = normalise_ocid([Release("file", "", "r1", data)])
    assert result.rows == []
    assert result.events == [("", "r1", None, "release_not_normalised", "release has no ocid")]


def test_awards_not_a_list_is_reported_and_other_releases_still_used():
    s = supplier(1)
    good = release("ocid-b", rid="good", awards=[award("1", [s])], parties=[s])
    bad = {"ocid": "ocid-b", "id": "bad", "date": "2025-12-01T00:00:00Z", "awards": {"id": "1"}}
    rows, events = normalise(good, bad)
    assert len(rows) == 1 and rows[0]["release_id"] == "good"
    assert events == [("ocid-b", "bad", None, "release_not_normalised", "'awards' is not a list")]


@pytest.mark.parametrize("data, problem", [
    ([], "release is not a JSON object"),
    ({"ocid": "x", "parties": "nope"}, "'parties' is not a list"),
    ({"ocid": "x", "awards": [{"status": "active"}]}, "an award has no id"),
    ({"ocid": "x", "awards": None}, None),
    ({"ocid": "x"}, None),
])
def test_release_problem(data, problem):
    assert release_problem(data) == problem


def test_rows_have_every_row_field():
    s = supplier(1)
    result = normalise_ocid([Release("contracts-finder", "o", "r", simple_release("o", [s]))])
    assert all(len(row) == len(ROW_FIELDS) for row in result.rows)
