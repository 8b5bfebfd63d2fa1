"""Who the buyer is (loaders/normalising/buyers.py) and what the council register says (loaders/geography/register.py)."""

from datetime import date

import pytest

from loaders.geography.register import area_member_frame, council_frame, district_frame, registers
from loaders.normalising import buyers

AFTER_2023 = date(2025, 1, 1)


@pytest.mark.parametrize("published, code", [
    ("North Yorkshire Council", "NYE"),
    ("The North Yorkshire Council", "NYE"),
    ("NORTH YORKSHIRE COUNCIL", "NYE"),
    ("London Borough of Ealing Council", "EAL"),
    ("London Borough of Merton", "MRT"),
    ("Merton Council", "MRT"),
    ("Hertfordshire County Council - Children's Services", "HRT"),
    ("Hertfordshire County Council: Adult Care", "HRT"),
    ("Westminster City Council (WCC)", "WSM"),
    ("Brighton &amp; Hove City Council", "BNH"),
    ("Brighton & Hove City Council", "BNH"),
    ("East Herts Council", "EHE"),
    ("Cheshire west and Chester Borough Council", "CHW"),
    ("City of Doncaster Council", "DNC"),
    ("Borough Council of King's Lynn and West Norfolk", "KIN"),
    ("Kent County Council Commercial Services", "KEN"),
    ("Durham County Council", "DUR"),                 # a unitary that calls itself a county council
    ("Lancashire County Council", "LAN"),
    ("Oxford City Council", "OXO"),
    ("Oxfordshire County Council", "OXF"),
    ("West of England Combined Authority", "WECA"),
    ("Greater London Authority", "GLA"),
    ("City of London Corporation", "LND"),
    ("St. Helens Metropolitan Borough Council", "SHN"),
    ("Newport City Council", "NWP"),
])
def test_council_names_find_their_council(published, code):
    found = buyers.identify(published, on=AFTER_2023)
    assert (found.council_code, found.key, found.type) == (code, f"council:{code}", "local authority")
    assert found.name == registers().councils[code].name


@pytest.mark.parametrize("published", [
    "Lancing Parish Council", "Thame Town Council", "Newport Town Council", "Arts Council England",
    "Lancashire Constabulary", "Durham University", "Welland Procurement Unit",
    "Wiltshire Fire And Rescue Service", "Leeds Teaching Hospitals NHS Trust",
])
def test_bodies_that_are_not_principal_councils_are_not_councils(published):
    assert buyers.identify(published).council_code is None


def test_a_council_identifier_beats_the_name():
    found = buyers.identify("Durham CC Procurement", (("GB-LAE", "DUR"),))
    assert (found.council_code, found.identified_by) == ("DUR", "register code in its identifier")


@pytest.mark.parametrize("published, on, code", [
    ("North Yorkshire County Council", date(2023, 3, 31), "NYK"),
    ("North Yorkshire County Council", date(2023, 4, 1), "NYE"),
    ("Harrogate Borough Council", date(2024, 6, 1), "NYE"),
    ("Dorset County Council", date(2019, 4, 1), "DST"),
    ("Taunton Deane Borough Council", date(2020, 6, 1), "SWT"),
    ("Taunton Deane Borough Council", date(2024, 6, 1), "SMT"),   # through two reorganisations
    ("Cumbria County Council", date(2024, 6, 1), "CMA"),          # split in two: no single heir
    ("Allerdale Borough Council", None, "ALL"),                   # no date: as named
])
def test_abolished_councils_become_their_successor_after_the_change(published, on, code):
    found = buyers.identify(published, on=on)
    assert found.council_code == code
    if code != buyers.identify(published).council_code:
        assert "was replaced by" in found.identified_by and str(on) in found.identified_by


@pytest.mark.parametrize("published, identifiers, ca_types, key, kind, basis", [
    ("Met Office", (("GB-GOR", "EA46"),), (), "govuk:EA46", "central government", "GOV.UK format: Executive agency"),
    ("The Planning Inspectorate", (("GB-GOR", "EA39"),), (), "govuk:EA39", "central government",
     "GOV.UK format: Executive agency"),
    ("Foreign Commonwealth and Development Office", (), (), "govuk:D1315", "central government",
     "GOV.UK format: Ministerial department"),
    ("The National Archives", (), (), "govuk:EA71", "central government", "GOV.UK format: Non-ministerial department"),
    ("Cefas", (), (), "govuk:EA53", "central government", "GOV.UK format: Executive agency"),
    ("DfTc - Department for Transport", (), (), "govuk:D9", "central government",
     "GOV.UK format: Ministerial department"),
    ("HM Revenue and Customs", (), (), "govuk:D25", "central government", "GOV.UK format: Non-ministerial department"),
    ("Ofcom", (("GB-GOR", "OT385"),), (), "govuk:OT385", "other", "name rules"),   # format "Other" says nothing
    ("Some Arm's-Length Body", (), ("publicAuthorityCentralGovernment",), "some arms length body",
     "central government", "Find a Tender UK_CA_TYPE"),
    ("Mayor's Office for Policing and Crime", (), (), "mayors office for policing and crime", "police/fire",
     "name rules"),
])
def test_buyer_type_from_identifiers_then_registers_then_names(published, identifiers, ca_types, key, kind, basis):
    found = buyers.identify(published, identifiers, frozenset(ca_types))
    assert (found.key, found.type, found.type_basis) == (key, kind, basis)


def test_find_a_tender_classification_types_buyers_no_register_knows():
    """UK_CA_TYPE publicAuthorityCentralGovernment names central government; other
    classifications decide nothing; a council stays a local authority whatever it says."""
    central = frozenset({"publicAuthorityCentralGovernment"})
    assert buyers.identify("Regional Body X", (), central).type == "central government"
    assert buyers.identify(None, (), central).type == "central government"
    assert buyers.identify("Regional Body X", (), frozenset({"publicAuthoritySubCentralGovernment"})).type == "other"
    assert buyers.identify("Lancaster City Council", (), central).type == "local authority"


def test_spellings_of_one_unregistered_buyer_share_a_key():
    keys = {buyers.identify(n).key for n in ("THE UNIVERSITY OF BIRMINGHAM", "The University of Birmingham",
                                             "University of Birmingham")}
    assert keys == {"university of birmingham"}


def test_a_buyer_without_a_name_has_no_key():
    assert buyers.identify(None).key is None


# --- the register and its corrections ------------------------------------------------------

def test_county_regions_come_from_their_districts():
    """The register says Lincolnshire is in Yorkshire and The Humber, Derbyshire in the West
    Midlands; both are East Midlands, as every district of each is."""
    councils = registers().councils
    assert (councils["LIN"].region, councils["DBY"].region) == ("East Midlands", "East Midlands")
    for code in ("LIN", "DBY"):
        assert {c.region for c in councils.values() if c.county == code} == {"East Midlands"}


def test_forest_heath_was_in_suffolk():
    councils = registers().councils
    assert councils["FOR"].county == "SFK"
    assert "E07000201" in registers().area_lads("SFK") and "E07000201" not in registers().area_lads("SRY")


def test_every_english_council_has_a_region_and_every_area_a_code():
    for council in registers().councils.values():
        if council.nation == "England":
            assert council.region, council
    frame = council_frame()
    assert frame.loc[frame["nation"] != "Northern Ireland", "area_code"].notna().all()


@pytest.mark.parametrize("code, inside, outside", [
    ("LAN", {"E07000121", "E07000123"}, {"E06000008"}),           # Lancashire, not Blackburn with Darwen
    ("HRT", {"E07000242", "E07000097", "E07000240"}, {"E06000032"}),  # East Herts old and new codes
    ("NYE", {"E06000065", "E07000164", "E07000168"}, {"E06000014"}),  # its former districts, not York
    ("NYK", {"E07000164", "E06000065"}, set()),                      # the county, and the unitary that replaced it
    ("GLA", {"E09000001", "E09000024"}, {"E07000242"}),
    ("WECA", {"E06000023", "E06000025", "E06000022"}, {"E06000024"}),  # not North Somerset
    ("EMCA", {"E06000015", "E07000032"}, {"E06000016"}),             # Derbyshire's districts, not Leicester
])
def test_council_areas(code, inside, outside):
    lads = registers().area_lads(code)
    assert inside <= lads and not outside & lads


def test_area_members_cover_every_council_with_a_code():
    members = area_member_frame()
    frame = council_frame().dropna(subset=["area_code"])
    assert set(frame["area_code"]) <= set(members["area_code"])
    assert not members.duplicated().any()


def test_district_successors():
    frame = district_frame().set_index("lad_code")
    assert frame.loc["E07000165", ["successor_area_code", "successor_from"]].tolist() == ["E06000065", date(2023, 4, 1)]
    assert frame.loc["E07000165", "county_area_code"] == "E10000023"
    assert frame.loc["E07000026", "successor_area_code"] == "E06000063"   # Allerdale -> Cumberland
    assert frame.index.is_unique


@pytest.mark.parametrize("places, code", [
    (("barnsley", "Barnsley", "South Yorkshire"), "BNS"),            # procurement@barnsley.gov.uk
    (("nelincs", "Grimsby", "North East Lincolnshire"), "NEL"),      # nelincs.gov.uk says nothing; the town does
])
def test_a_notice_naming_its_e_tendering_platform_is_the_council_behind_it(places, code):
    found = buyers.identify("EU SUPPLY LIMITED", places=places)
    assert found.council_code == code
    assert "e-tendering platform (EU SUPPLY LIMITED)" in found.identified_by


def test_places_are_read_only_for_platform_names():
    assert buyers.identify("Peabody Trust", places=("barnsley",)).council_code is None
    assert buyers.identify("EU SUPPLY LIMITED", places=("nowhere",)).council_code is None


def test_trailing_punctuation_is_not_part_of_a_name():
    assert buyers.identify("The Police and Crime Commissioner for Bedfordshire,").name == \
        "The Police and Crime Commissioner for Bedfordshire"


def test_a_sub_organisation_says_whose_type_it_takes():
    found = buyers.identify("Gov Facility Services Ltd")
    assert (found.type, found.type_basis) == (
        "central government", "GOV.UK format: Sub organisation of Ministry of Justice (Ministerial department)")
