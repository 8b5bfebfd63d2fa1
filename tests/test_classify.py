"""Classification rules: supplier size and VCSE, buyer type, value flags and bands, CPV, ids."""

import math

import pytest

from loaders.normalising import classify


# --- supplier size -------------------------------------------------------------------------

@pytest.mark.parametrize("scale", ["micro", "small", "medium", "sme", "selfEmployed", "SME", " Small "])
def test_supplier_size_sme_scales(scale):
    """micro, small, medium, sme and selfEmployed all mean SME (any case)."""
    assert classify.supplier_size({"scale": scale}, {}) == "SME"


def test_supplier_size_large():
    assert classify.supplier_size({"scale": "large"}, {}) == "Large"


@pytest.mark.parametrize("details", [{}, {"scale": None}, {"scale": ""}, {"scale": "unknown"}])
def test_supplier_size_missing_is_unknown(details):
    """No usable scale and no sme flag: Unknown, never guessed."""
    assert classify.supplier_size(details, {}) == "Unknown"


@pytest.mark.parametrize("sme, expected", [(True, "SME"), (False, "Large")])
def test_supplier_size_old_boolean_sme(sme, expected):
    """Older Contracts Finder suppliers carry a boolean `sme` on the supplier itself."""
    assert classify.supplier_size({}, {"name": "X", "sme": sme}) == expected


def test_supplier_size_scale_wins_over_old_boolean():
    assert classify.supplier_size({"scale": "large"}, {"sme": True}) == "Large"


def test_supplier_size_non_boolean_sme_is_unknown():
    assert classify.supplier_size({}, {"sme": "yes"}) == "Unknown"


# --- VCSE ----------------------------------------------------------------------------------

@pytest.mark.parametrize("details, party, expected", [
    ({"vcse": True}, {}, True),
    ({"vcse": False}, {}, False),
    ({}, {"vco": True}, True),       # older notices
    ({}, {"vco": False}, False),
    ({}, {}, None),
    ({"vcse": "yes"}, {}, None),     # not a boolean: unknown
])
def test_supplier_vcse(details, party, expected):
    """VCSE as declared (details.vcse, or the older `vco`); null when not declared."""
    assert classify.supplier_vcse(details, party) is expected


# --- buyer type ----------------------------------------------------------------------------

BUYERS = [
    ("Oxford City Council", "local authority"),
    ("Lincolnshire County Council", "local authority"),
    ("Hertfordshire County Council - Children's Services", "local authority"),
    ("London Borough of Merton", "local authority"),
    ("Royal Borough of Greenwich", "local authority"),
    ("West of England Combined Authority", "local authority"),
    ("The Police and Crime Commissioner for Bedfordshire", "police/fire"),
    ("Police, Fire and Crime Commissioner for Essex", "police/fire"),
    ("Wiltshire Fire And Rescue Service", "police/fire"),
    ("Leeds Teaching Hospitals NHS Trust", "NHS"),
    ("Whittington Health NHS Trust", "NHS"),
    ("NHS Lincolnshire Integrated Care Board", "NHS"),
    ("Lancashire and South Cumbria Integrated Care Board", "NHS"),
    ("Aneurin Bevan University Health Board", "NHS"),
    ("Durham University", "education"),
    ("University Of Worcester", "education"),
    ("Harris Federation Academy Trust", "education"),
    ("Peabody Housing Association", "housing"),
    ("Department for Transport", "central government"),
    ("Ministry of Defence", "central government"),
    ("Cabinet Office", "central government"),
    ("HM Revenue and Customs", "central government"),
]


@pytest.mark.parametrize("name, expected", BUYERS)
def test_buyer_type_from_name(name, expected):
    assert classify.buyer_type(name) == expected


@pytest.mark.parametrize("name", ["Arts Council England", "British Council", "Research Council for Science"])
def test_buyer_type_councils_that_are_not_local_authorities(name):
    """Arts Council England and the like are not local authorities."""
    assert classify.buyer_type(name) != "local authority"


def test_buyer_type_unknown_is_other():
    assert classify.buyer_type("Welland Procurement Unit") == "other"
    assert classify.buyer_type(None) == "other"


# --- value flag and band -------------------------------------------------------------------

@pytest.mark.parametrize("amount, currency, expected", [
    (None, None, None),
    (50_000, "GBP", None),
    (50_000, None, None),
    (50_000, "gbp", None),
    (0, "GBP", "placeholder"),
    (1, "GBP", "placeholder"),          # £1 or less is a placeholder, not a price
    (1.01, "GBP", None),
    (-5, "GBP", "negative"),
    (50_000, "EUR", "non_gbp"),
    (0.01, "GBP", "placeholder"),
    (1_000_000_000, "GBP", None),       # exactly 1bn is not over it
    (1_000_000_001, "GBP", "over_1bn"),
])
def test_value_flag(amount, currency, expected):
    assert classify.value_flag(amount, currency) == expected


@pytest.mark.parametrize("flag, counts", [
    (None, True), ("placeholder", False),
    ("negative", False), ("over_1bn", False), ("non_gbp", False),
])
def test_counts_in_totals(flag, counts):
    """Placeholder, negative, over-1bn and non-GBP values stay in the row but out of totals."""
    assert classify.counts_in_totals(flag) is counts


@pytest.mark.parametrize("amount, band", [
    (0, "under 25k"),
    (24_999.99, "under 25k"),
    (25_000, "25k-100k"),            # an edge belongs to the band above
    (99_999.99, "25k-100k"),
    (100_000, "100k-500k"),
    (500_000, "500k-1m"),
    (1_000_000, "1m-5m"),
    (5_000_000, "5m-25m"),
    (24_999_999, "5m-25m"),
    (25_000_000, "25m and over"),
    (3e9, "25m and over"),
    (None, "unknown"),
    (-1, "unknown"),
    (math.nan, "unknown"),
])
def test_value_band_edges(amount, band):
    assert classify.value_band(amount) == band


def test_band_labels_match_design():
    """The default bands are the ones DESIGN.md lists, in order."""
    assert classify.band_labels() == ["under 25k", "25k-100k", "100k-500k", "500k-1m", "1m-5m",
                                      "5m-25m", "25m and over", "unknown"]


# --- category ------------------------------------------------------------------------------

@pytest.mark.parametrize("cpv, category", [
    ("45233142", "works"),
    ("03000000", "goods"),
    ("09310000", "goods"),
    ("15000000", "goods"),
    ("44000000", "goods"),
    ("48000000", "goods"),
    ("49000000", "services"),
    ("72000000", "services"),
    ("98000000", "services"),
    ("99000000", None),
    (None, None),
    ("", None),
    ("X1", None),
])
def test_category_from_cpv(cpv, category):
    assert classify.category_from_cpv(cpv) == category


# --- registered identifiers ----------------------------------------------------------------

@pytest.mark.parametrize("scheme, ident, expected", [
    ("GB-COH", "4142000", ("GB-COH", "04142000")),
    ("GB-COH", "04142000", ("GB-COH", "04142000")),
    ("gb-coh", " 4142000 ", ("GB-COH", "04142000")),
    ("GB-COH", "SC123456", ("GB-COH", "SC123456")),
    ("GB-COH", "SC12345", ("GB-COH", "SC012345")),
    ("GB-COH", "OC301540", ("GB-COH", "OC301540")),
    ("GB-COH", "oc1540", ("GB-COH", "OC001540")),
    ("GB-CHC", "1234567", ("GB-CHC", "1234567")),
    ("GB-CFS", "307567", None),
    ("GB-FTS", "12", None),
    (None, "4142000", None),
    ("GB-COH", None, None),
    ("GB-COH", "", None),
])
def test_registered_id(scheme, ident, expected):
    """Registered schemes only; Companies House numbers padded to 8 (prefix kept)."""
    assert classify.registered_id(scheme, ident) == expected


@pytest.mark.parametrize("party_id, expected", [
    ("GB-COH-4142000", ("GB-COH", "04142000")),
    ("GB-COH-OC301540", ("GB-COH", "OC301540")),
    ("GB-COH-SC12345", ("GB-COH", "SC012345")),
    ("GB-CHC-1234567", ("GB-CHC", "1234567")),
    ("GB-CFS-307567", None),
    ("GB-FTS-123", None),
    (None, None),
    ("", None),
])
def test_split_party_id(party_id, expected):
    assert classify.split_party_id(party_id) == expected


def test_normalise_name_drops_legal_suffixes_and_punctuation():
    assert classify.normalise_name("Marston's Holdings PLC") == "marston s holdings"
    assert classify.normalise_name("Smith & Sons Ltd.") == "smith and sons"
    assert classify.normalise_name(None) == ""
