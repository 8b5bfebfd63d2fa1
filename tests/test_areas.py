"""Council areas: councils placed by name, county councils, the 2023 councils, the nations."""

import pytest

from loaders import store
from loaders.areas import place_core
from loaders.loading import import_files
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
"""

# (buyer name, buyer postcode, supplier address, expected locality)
CASES = [
    ("Leeds City Council", "LS1 1UR", "1 Mill Lane, LS6 2AB", "local"),                       # metropolitan
    ("Leeds City Council", "LS1 1UR", "2 High St, BD1 1AA", "same_region"),
    ("Lancashire County Council", "PR1 8XJ", "3 Dalton Sq, Lancaster LA1 1PJ", "local"),       # county
    ("Preston City Council", "PR1 2RL", "3 Dalton Sq, Lancaster LA1 1PJ", "same_region"),     # district
    ("London Borough of Merton", "SM4 5DX", "4 The Broadway, SW19 1RQ", "local"),              # borough
    ("London Borough of Merton", "SM4 5DX", "5 George St, Croydon CR0 1PB", "same_region"),
    ("North Yorkshire Council", "DL7 8AD", "6 Foreshore Rd, Scarborough YO11 1PB", "local"),   # 2023 council
    ("Harrogate Borough Council", "HG1 2SG", "6 Foreshore Rd, Scarborough YO11 1PB", "same_region"),
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
    for i, (buyer_name, buyer_pc, address, _) in enumerate(CASES):
        s = supplier(i, name=f"Case {i} Ltd", street=address)
        b = buyer(buyer_name, postcode=buyer_pc, pid=f"GB-CFS-B{i}")
        releases.append(release(f"ocds-b5fd17-case-{i}", parties=[s], buyer_party=b, awards=[award("1", [s])]))
    (folder / "lookup.csv").write_text(LOOKUP)
    path = folder / "s.duckdb"
    import_files([write_package(folder / "p.json", releases)], path, [folder / "lookup.csv"])
    with store.read_only(path) as con:
        rows = con.execute("SELECT ocid, locality, buyer_area_name FROM awards").fetchall()
    return {int(ocid.rsplit("-", 1)[1]): (locality, area) for ocid, locality, area in rows}


@pytest.mark.parametrize("index", range(len(CASES)), ids=[f"{c[0]}|{c[2][-12:]}" for c in CASES])
def test_locality(localities, index):
    assert localities[index][0] == CASES[index][3]


def test_county_council_area_is_the_county(localities):
    assert localities[2][1] == "Lancashire"


def test_new_council_named_by_its_successor_name(localities):
    assert localities[6][1] == "North Yorkshire"


@pytest.mark.parametrize("name, core", [
    ("Borough Council of King's Lynn and West Norfolk", "kings lynn and west norfolk"),
    ("King's Lynn and West Norfolk", "kings lynn and west norfolk"),
    ("Bristol, City of", "bristol"), ("Bristol City Council", "bristol"),
    ("Durham County Council", "durham"), ("County Durham", "durham"),
    ("Hertfordshire County Council - Children's Services", "hertfordshire"),
    ("The North Yorkshire Council", "north yorkshire"),
])
def test_place_core(name, core):
    assert place_core(name) == core
