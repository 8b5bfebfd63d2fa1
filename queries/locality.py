"""Aggregates for the Locality page (its words are in readings/locality.py): where suppliers are, over time, by council
area, and, for one buyer, in which districts its suppliers sit.

Every query starts from `filters.rows()`, so it applies every sidebar filter, leaves out
cross-published copies and uses `loc`: locality under the chosen definition of local.
Value is the sum of `value_gbp`; count is the number of awards (each joint award once).

Places: a council area's centre comes from the `area_centres` table (built at load time,
see loaders/storage/summaries.py); a supplier district's centre is the mean of the `postcodes`
rows of that district. These are centres of the postcodes the store has seen, not of
the land: good enough to place a bubble, not to measure distances.
"""

import pandas as pd

from loaders import definitions
from loaders.storage.summaries import IS_COUNCIL, IS_OTHER_LOCAL_BODY
from queries import years
from queries.filters import Filters
from queries.overview import AWARD_COUNT, DIMENSIONS, GROUP_LABELS
from queries.shares import GROUP_SUMS, KEY_SUMS, share_pair

GROUPS = DIMENSIONS["locality"]  # local, same_region, elsewhere_uk, outside_uk, unknown
NO_AREA = "Area not known"
SHARE_COLUMNS = {"value": "local_value_share", "count": "local_count_share"}

def has_table(con, name: str) -> bool:
    """Whether the store holds table `name` (boundaries and successors are optional)."""
    return bool(con.cursor().execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = ? AND database_name = current_database()",
        [name]).fetchone()[0])


def has_boundaries(con) -> bool:
    """Whether the store holds council boundaries: every write gives a store the shipped
    ones (or keeps a newer edition loaded by `python -m loaders geography boundaries`), so
    only a store not written since older code has none, and its map shows bubbles."""
    return has_table(con, "boundaries")


# --- Over time ---------------------------------------------------------------------------

def by_year(summary: pd.DataFrame, period: years.Period | None = None) -> pd.DataFrame:
    """Value, awards and each locality's share of them per financial year (April to March),
    every locality listed for every year so stacked shares add up to 1; from overview.summary.
    `part_year` marks a year the data (`period`) covers only in part."""
    dated = summary[summary["fy"].notna()]
    found = (dated.assign(value_gbp=dated["value_gbp"].fillna(0.0), grp=dated["loc"])
             .groupby(["fy", "grp"], as_index=False)[["value_gbp", "awards", "valued_awards"]].sum())
    columns = ["financial_year", "group", "label", "value_gbp", "awards", "valued_awards", "value_share",
               "count_share", "part_year", "covered"]
    if found.empty:
        return pd.DataFrame(columns=columns)
    starts = sorted(int(y) for y in found["fy"].unique())
    grid = pd.DataFrame([(y, g) for y in starts for g in GROUPS], columns=["fy", "grp"])
    frame = grid.merge(found.astype({"fy": int}), on=["fy", "grp"], how="left").fillna(
        {"value_gbp": 0.0, "awards": 0.0, "valued_awards": 0.0})
    for amount, share in (("value_gbp", "value_share"), ("awards", "count_share")):
        totals = frame.groupby("fy")[amount].transform("sum")
        frame[share] = (frame[amount] / totals.where(totals != 0)).fillna(0.0)
    frame["awards"] = frame["awards"].round(2)  # after the shares, which use the unrounded counts
    frame["financial_year"] = frame["fy"].map(years.label)
    frame["group"] = frame["grp"]
    frame["label"] = frame["group"].map(GROUP_LABELS)
    return years.mark_part_years(frame, frame["fy"], period)[columns]


# --- Council areas -----------------------------------------------------------------------

def councils(con, filters: Filters, measure: str = "value", with_other_bodies: bool = False) -> pd.DataFrame:
    """Per council area: value, awards, valued awards, buyers, % local and % unknown by value
    and by count, the area's centre, and whether it has enough valued awards to be compared
    (`compared`, small numbers); sorted by % local (of `measure`), highest first.

    Only council buyers count (the councils the register identifies), unless
    `with_other_bodies`: then the other buyers that are not central government count in the
    area they are placed in (the district of their address), and awards whose buyer could
    not be placed form one "Area not known" row.
    """
    rows, params = filters.rows()
    councils_only = f"WHERE {_buyers(with_other_bodies)}"
    frame = con.cursor().execute(f"""
        WITH grouped AS (  -- summed first by buyer and locality, then per area (queries.shares)
            SELECT buyer_area_code AS area_code, buyer_key, loc, any_value(buyer_area_name) AS council_area, {GROUP_SUMS}
            FROM {rows} {councils_only} GROUP BY buyer_area_code, buyer_key, loc
        ),
        per_area AS (
            SELECT area_code, any_value(council_area) AS council_area, {KEY_SUMS}, count(DISTINCT buyer_key) AS buyers,
                   {share_pair("loc = 'local'", "local")}, {share_pair("loc = 'unknown'", "unknown")}
            FROM grouped GROUP BY area_code
        )
        SELECT p.area_code, p.council_area, p.value_gbp, p.awards, p.valued_awards, p.buyers,
               p.local_value_share, p.local_count_share, p.unknown_value_share, p.unknown_count_share,
               c.latitude, c.longitude
        FROM per_area p LEFT JOIN area_centres c USING (area_code)""", params).df()
    frame["council_area"] = frame["council_area"].fillna(NO_AREA)
    frame["compared"] = (frame["valued_awards"].round(6) >= definitions.MIN_VALUED_AWARDS) & (frame["council_area"] != NO_AREA)
    frame["awards"] = frame["awards"].astype(float).round(2)
    frame["valued_awards"] = frame["valued_awards"].astype(float).round(2)
    share = SHARE_COLUMNS[measure]
    return frame.sort_values(["compared", share, "value_gbp", "council_area"], ascending=[False, False, False, True],
                             na_position="last", kind="stable").reset_index(drop=True)


def other_bodies(con, filters: Filters) -> dict:
    """What the public bodies that are not councils add to the council areas: their value,
    awards and number (for the sentence beside the toggle)."""
    rows, params = filters.rows()
    value, awards, bodies = con.cursor().execute(f"""
        SELECT coalesce(sum(value_gbp), 0), coalesce({AWARD_COUNT}, 0), count(DISTINCT buyer_key)
        FROM {rows} WHERE {IS_OTHER_LOCAL_BODY}""", params).fetchone()
    return {"value_gbp": float(value), "awards": float(awards), "bodies": int(bodies)}


def _buyers(with_other_bodies: bool) -> str:
    """The buyers a council view counts: councils, and with the toggle the other local bodies."""
    return f"({IS_COUNCIL} OR ({IS_OTHER_LOCAL_BODY}))" if with_other_bodies else IS_COUNCIL


def placed(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of a councils or suppliers frame that have a centre (what a map can draw)."""
    return frame[frame["latitude"].notna() & frame["longitude"].notna()]


def boundary_shapes(con, filters: Filters, with_other_bodies: bool = False) -> pd.DataFrame:
    """Boundaries to draw, one row per district: area_code (the council area of the filtered
    awards' buyers it shades, or null for the background outline), lad_code, lad_name,
    geometry (GeoJSON text). Empty when the store holds no boundaries (see has_boundaries).

    A council area whose code is itself in `boundaries` is drawn as that shape. A county
    council's or combined authority's area, and a council that replaced former districts
    since the edition of the boundaries (North Yorkshire, Cumberland, Westmorland and
    Furness and Somerset against the shipped December 2022 districts), is drawn as the
    districts the council register puts in it. Areas are those of council buyers, and
    `with_other_bodies` of the other local bodies. Every boundary is also returned once with
    a null area_code, drawn underneath as the outline of the country.
    """
    if not has_boundaries(con):
        return pd.DataFrame(columns=["area_code", "lad_code", "lad_name", "geometry"])
    rows, params = filters.rows()
    return con.cursor().execute(f"""
        WITH wanted AS (SELECT DISTINCT buyer_area_code AS area_code FROM {rows}
                        WHERE buyer_area_code IS NOT NULL AND {_buyers(with_other_bodies)}),
        members AS (
            SELECT area_code, area_code AS lad_code FROM wanted
            WHERE area_code IN (SELECT lad_code FROM boundaries)
            UNION
            SELECT w.area_code, m.lad_code FROM wanted w JOIN area_members m USING (area_code)
            WHERE w.area_code NOT IN (SELECT lad_code FROM boundaries)
        )
        SELECT NULL::VARCHAR AS area_code, lad_code, lad_name, geometry FROM boundaries
        UNION ALL
        SELECT m.area_code, b.lad_code, b.lad_name, b.geometry
        FROM members m JOIN boundaries b ON b.lad_code = m.lad_code
        ORDER BY area_code NULLS FIRST, lad_code""", params).df()


# --- One buyer's suppliers ---------------------------------------------------------------

def buyers(con, filters: Filters) -> list[str]:
    """The buyers in the filtered awards, largest by value first (the selectbox's options)."""
    rows, params = filters.rows()
    return [name for (name,) in con.cursor().execute(f"""
        SELECT buyer_name FROM {rows} WHERE buyer_name IS NOT NULL
        GROUP BY buyer_name ORDER BY coalesce(sum(value_gbp), 0) DESC, buyer_name""", params).fetchall()]


def supplier_places(con, filters: Filters, buyer: str) -> pd.DataFrame:
    """For one buyer, its suppliers grouped by district and locality: value, awards, number
    of suppliers, the three largest suppliers' names, and the district's centre. Suppliers
    that cannot be placed (outside the UK, unknown) are rows without a district or centre,
    so the rows add up to the buyer's totals."""
    rows, params = filters.rows()
    frame = con.cursor().execute(f"""
        WITH mine AS (SELECT * FROM {rows} WHERE buyer_name = ?),
        district_centres AS (
            SELECT lad_code, avg(latitude) AS latitude, avg(longitude) AS longitude FROM postcodes
            WHERE lad_code IS NOT NULL AND latitude IS NOT NULL AND longitude IS NOT NULL GROUP BY lad_code
        ),
        per_supplier AS (
            SELECT supplier_lad_code, any_value(supplier_lad_name) AS supplier_lad_name, loc,
                   supplier_key, any_value(supplier_name) AS supplier_name,
                   coalesce(sum(value_gbp), 0) AS value_gbp, {AWARD_COUNT} AS awards
            FROM mine GROUP BY supplier_lad_code, loc, supplier_key
        )
        SELECT s.supplier_lad_code AS lad_code, any_value(s.supplier_lad_name) AS district, s.loc AS "group",
               sum(s.value_gbp) AS value_gbp, sum(s.awards) AS awards, count(*) AS suppliers,
               array_to_string(list(s.supplier_name ORDER BY s.value_gbp DESC, s.supplier_name)[1:3], '; ')
                   AS largest_suppliers,
               any_value(c.latitude) AS latitude, any_value(c.longitude) AS longitude
        FROM per_supplier s LEFT JOIN district_centres c ON c.lad_code = s.supplier_lad_code
        GROUP BY s.supplier_lad_code, s.loc
        ORDER BY value_gbp DESC, awards DESC, district NULLS LAST""", params + [buyer]).df()
    frame["awards"] = frame["awards"].astype(float).round(2)
    frame.insert(3, "label", frame["group"].map(GROUP_LABELS))
    frame["district"] = frame["district"].fillna("Not placed")
    return frame


def buyer_home(con, filters: Filters, buyer: str) -> dict:
    """The buyer's own council area (name, code) and its centre, for the star on the map."""
    rows, params = filters.rows()
    found = con.cursor().execute(f"""
        WITH mine AS (SELECT mode(buyer_area_code) AS area_code, mode(buyer_area_name) AS area_name
                      FROM {rows} WHERE buyer_name = ?)
        SELECT m.area_code, m.area_name, c.latitude, c.longitude
        FROM mine m LEFT JOIN area_centres c USING (area_code)""", params + [buyer]).fetchone()
    return dict(zip(("area_code", "area_name", "latitude", "longitude"), found))


