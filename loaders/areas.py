"""Council areas: which area is a council buyer's own, and which districts its area spans.

A council's address is not always in its own area (county councils sit in their county
town; some councils use an office elsewhere), so a council buyer is placed by its name,
matched against the district and county names the store knows. Councils created by a
reorganisation (April 2023: North Yorkshire, Cumberland, Westmorland and Furness,
Somerset) replaced districts that postcode lookups still name: `lad_successors.csv` maps
the former district codes to the new council, so suppliers in a former district count as
local to its successor. Further reorganisations are new rows in that file.
"""

import re
from pathlib import Path

import pandas as pd

SUCCESSORS = Path(__file__).with_name("lad_successors.csv")

# Words that name a council's kind rather than its place.
_KIND_WORDS = re.compile(
    r"\b(the|council|city|of|borough|county|district|metropolitan|london|royal|corporation|"
    r"unitary|authority)\b")


def place_core(name: str | None) -> str:
    """The place in a council or area name: "Borough Council of King's Lynn and West Norfolk"
    and "King's Lynn and West Norfolk" both give "kings lynn and west norfolk"."""
    if not name:
        return ""
    text = name.lower().split(" - ")[0].replace("&", " and ").replace("'", "")
    text = re.sub(r"[^a-z0-9 ]+", " ", text)
    return " ".join(_KIND_WORDS.sub(" ", text).split())


def load_successors(con) -> None:
    """(Re)load the district successor table into the store."""
    frame = pd.read_csv(SUCCESSORS, dtype=str)
    con.register("successors_frame", frame)
    con.execute("CREATE OR REPLACE TABLE lad_successors AS SELECT * FROM successors_frame")
    con.unregister("successors_frame")


def known_areas(con) -> pd.DataFrame:
    """Districts and counties the store can name (from resolved postcodes), plus successors.

    Columns: area_type, area_code, area_name, area_region, area_country.
    """
    return con.execute("""
        SELECT 'district' AS area_type, coalesce(x.new_code, d.lad_code) AS area_code,
               coalesce(x.new_name, d.lad_name) AS area_name, d.region AS area_region,
               d.country AS area_country
        FROM (SELECT lad_code, any_value(lad_name) AS lad_name, any_value(region) AS region,
                     any_value(country) AS country
              FROM postcodes WHERE lad_code IS NOT NULL GROUP BY lad_code) d
        LEFT JOIN lad_successors x ON x.old_code = d.lad_code
        UNION ALL
        SELECT 'district', old_code, old_name, NULL, 'England' FROM lad_successors
        UNION ALL
        SELECT 'county', county_code, any_value(county_name), any_value(region), any_value(country)
        FROM postcodes WHERE county_code IS NOT NULL AND county_name IS NOT NULL GROUP BY county_code
    """).df()


def match_buyers(con) -> None:
    """Table buyer_areas: each local-authority buyer whose name names a known area."""
    areas = known_areas(con)
    areas["core"] = areas["area_name"].map(place_core)
    by_type = {kind: group.drop_duplicates("core").set_index("core") for kind, group in areas.groupby("area_type")}
    buyers = con.execute("""SELECT DISTINCT buyer_key, buyer_name FROM awards
                            WHERE buyer_type = 'local authority' AND buyer_key IS NOT NULL""").fetchall()
    rows = [row for key, name in buyers if (row := _match(key, name, by_type))]
    frame = pd.DataFrame(rows, columns=["buyer_key", "area_type", "area_code", "area_name", "area_region",
                                        "area_country"])
    con.register("buyer_areas_frame", frame)
    con.execute("CREATE OR REPLACE TABLE buyer_areas AS SELECT * FROM buyer_areas_frame")
    con.unregister("buyer_areas_frame")


def _match(key: str, name: str, by_type: dict) -> tuple | None:
    """The area a council's name names: its county if it calls itself a county council."""
    core = place_core(name)
    order = ("county", "district") if "county council" in name.lower() else ("district", "county")
    for kind in order:
        table = by_type.get(kind)
        if table is not None and core in table.index:
            hit = table.loc[core]
            region = hit["area_region"]
            return (key, kind, hit["area_code"], hit["area_name"], None if pd.isna(region) else region,
                    hit["area_country"])
    return None
