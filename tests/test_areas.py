"""Council areas from the register: councils placed by who they are (not by their address),
county councils whose districts the lookup cannot name, councils replaced since, the nations."""

import pytest

from loaders.storage import store
from loaders.storage.loading import import_files
from tests.ocds_factory import award, buyer, release, supplier, write_package

# Invented lookup rows at district level, real codes and names.
LOOKUP = """outcode,lad_code,lad_name,county_code,county_name,region,country,lat,long
LS1,E08000035,Leeds,,,Yorkshire and The Humber,England,53.797,-1.548
LS6,E08000035,Leeds,,,Yorkshire and The Humber,England,53.819,-1.577
BD1,E08000032,Bradford,,,Yorkshire and The Humber,England,53.795,-1.752
PR1,E07000123,Preston,E10000017,Lancashire,North West,England,53.759,-2.699
LA1,E07000121,Lancaster,E10000017,Lancashire,North West,England,54.047,-2.801
M1,E08000003,Manchester,,,North West,England,53.479,-2.236
SM4,E09000024,Merton,,,London,England,51.402,-0.195
SW19,E09000024,Merton,,,London,England,51.421,-0.206
CR0,E09000008,Croydon,,,London,England,51.372,-0.098
DL7,E07000164,Hambleton,E10000023,North Yorkshire,Yorkshire and The Humber,England,54.339,-1.434
HG1,E07000165,Harrogate,E10000023,North Yorkshire,Yorkshire and The Humber,England,53.993,-1.540
YO11,E07000168,Scarborough,E10000023,North Yorkshire,Yorkshire and The Humber,England,54.280,-0.400
EH1,S12000036,City of Edinburgh,,,,Scotland,55.953,-3.189
G1,S12000049,Glasgow City,,,,Scotland,55.861,-4.250
SG13,E07000242,East Hertfordshire,,,East of England,England,51.796,-0.078
AL1,E07000240,St Albans,,,East of England,England,51.750,-0.336
LU1,E06000032,Luton,,,East of England,England,51.879,-0.417
BS1,E06000023,"Bristol, City of",,,South West,England,51.455,-2.595
BS15,E06000025,South Gloucestershire,,,South West,England,51.458,-2.500
"""

# (buyer name, buyer postcode, supplier address, expected locality[, notice date])
CASES = [
    ("Leeds City Council", "LS1 1UR", "1 Mill Lane, LS6 2AB", "local"),                       # metropolitan
    ("Leeds City Council", "LS1 1UR", "2 High St, BD1 1AA", "same_region"),
    ("Lancashire County Council", "PR1 8XJ", "3 Dalton Sq, Lancaster LA1 1PJ", "local"),       # county
    ("Preston City Council", "PR1 2RL", "3 Dalton Sq, Lancaster LA1 1PJ", "same_region"),     # district
    ("London Borough of Merton", "SM4 5DX", "4 The Broadway, SW19 1RQ", "local"),              # borough
    ("London Borough of Merton", "SM4 5DX", "5 George St, Croydon CR0 1PB", "same_region"),
    ("North Yorkshire Council", "DL7 8AD", "6 Foreshore Rd, Scarborough YO11 1PB", "local"),   # 2023 council
    ("Harrogate Borough Council", "HG1 2SG", "6 Foreshore Rd, Scarborough YO11 1PB", "same_region",
     "2022-05-02T10:00:00Z"),                                                                  # before 2023
    ("Harrogate Borough Council", "HG1 2SG", "6 Foreshore Rd, Scarborough YO11 1PB", "local"),  # replaced
    ("North Yorkshire County Council", "DL7 8AD", "1 Station Parade, Harrogate HG1 1UF", "local",
     "2021-01-05T10:00:00Z"),                                                                  # the old county
    ("Hertfordshire County Council - Children's Services", "SG13 8DE", "2 Chequer St, St Albans AL1 3XZ",
     "local"),                                                                                 # no county column
    ("Hertfordshire County Council", "SG13 8DE", "3 George St, Luton LU1 2AF", "same_region"),
    ("East Herts Council", "SG13 8EQ", "2 Chequer St, St Albans AL1 3XZ", "same_region"),
    ("West of England Combined Authority", "BS1 6AL", "4 High St, Kingswood BS15 4AA", "local"),  # members
    ("Bristol City Council", "BS1 5TR", "4 High St, Kingswood BS15 4AA", "same_region"),
    ("City of Edinburgh Council", "EH1 1YJ", "7 George Sq, Glasgow G1 1DU", "same_region"),    # Scotland
    ("City of Edinburgh Council", "EH1 1YJ", "8 Royal Mile, EH1 1RE", "local"),
    ("Leeds City Council", "LS1 1UR", "Riverview House, City Quay, Dublin 2, Ireland", "outside_uk"),
    ("Leeds City Council", "LS1 1UR", "9 Rue de Rivoli, 75001 Paris, France", "outside_uk"),
    ("Leeds City Council", "LS1 1UR", "N/A", "unknown"),
    ("Leeds City Council", "LS1 1UR", "10 Nowhere Rd, ZZ9 9ZZ", "unknown"),                   # unresolvable
    ("Manchester City Council", "M1 1AE", "1 Mill Lane, LS6 2AB", "elsewhere_uk"),
]


@pytest.fixture(scope="module")
def localities(tmp_path_factory):
    folder = tmp_path_factory.mktemp("areas")
    releases = []
    for i, (buyer_name, buyer_pc, address, _, *when) in enumerate(CASES):
        s = supplier(i, name=f"Case {i} Ltd", street=address)
        b = buyer(buyer_name, postcode=buyer_pc, pid=f"GB-CFS-B{i}")
        dated = {"date": when[0]} if when else {}
        releases.append(release(f"ocds-b5fd17-case-{i}", parties=[s], buyer_party=b,
                                awards=[award("1", [s], **dated)], **dated))
    (folder / "lookup.csv").write_text(LOOKUP)
    path = folder / "s.duckdb"
    import_files([write_package(folder / "p.json", releases)], path, [folder / "lookup.csv"])
    with store.read_only(path) as con:
        rows = con.execute("SELECT ocid, locality, buyer_area_name, buyer_area_code FROM awards").fetchall()
    return {int(ocid.rsplit("-", 1)[1]): (locality, area, code) for ocid, locality, area, code in rows}


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{c[0]}|{c[2][-12:]}" for c in CASES])
def test_locality(localities, index):
    assert localities[index][0] == CASES[index][3]


def case(name_fragment: str, locality: str) -> int:
    return next(i for i, c in enumerate(CASES) if name_fragment in c[0] and c[3] == locality)


def test_county_council_area_is_the_county(localities):
    assert localities[case("Lancashire County", "local")][1:] == ("Lancashire", "E10000017")
    assert localities[case("Hertfordshire County Council - ", "local")][1:] == ("Hertfordshire", "E10000015")


def test_new_council_named_by_its_successor_name(localities):
    assert localities[6][1:] == ("North Yorkshire", "E06000065")


def test_replaced_council_is_its_successor_only_after_the_change(localities):
    assert localities[case("Harrogate", "same_region")][1:] == ("Harrogate", "E07000165")
    assert localities[case("Harrogate", "local")][1:] == ("North Yorkshire", "E06000065")
    assert localities[case("North Yorkshire County", "local")][1:] == ("North Yorkshire", "E10000023")


def test_combined_authority_area_is_its_members(localities):
    assert localities[case("West of England", "local")][2] == "E47000009"
