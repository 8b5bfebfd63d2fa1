"""Tables worked out from `awards` once per load, for figures that do not depend on the
dashboard's filters. Without them every scorecard and supplier view would rescan the whole
store (a million rows and more) to find each supplier's footprint.

- `supplier_footprint`: per supplier, the distinct buyer regions, council buyers and buyers
  it has won awards from across all the data (cross-published copies left out), which is
  what makes it a "national provider" on every view alike.
- `council_buyers`: every council buyer (a buyer the council register identified) with its
  area code, area name and region, from the register.
- `award_counts`: how many award rows, awards, suppliers and buyers the whole store holds
  (the Methodology page's first figures), its first and last award dates, its sources and
  whether it is the demo (every page's footer and banner): counting distinct awards and
  suppliers over every row takes over 100 ms on a million rows, the dates and sources a few
  ms on every page, and the answers change only when a load does.
- `source_counts`: per source, its releases, when it was last loaded, its award rows (and
  how many of them are counted once, as another source's notice) and its award dates: the
  Data page's table, a scan of every release otherwise.
- `cpv_divisions`: each CPV division (two digits) with the label of its own code (nn000000)
  where a notice uses it, for the Provider size page's division names.
- `lot_reasons`: per procurement (ocid), the reasons its releases give for not dividing
  it into lots (loaders.normalising.lot_reasons), which the Value bands page shows beside
  each contract above the cap: found in the JSON of the releases, too slow to read per view.
- `area_centres`: where to draw each buyer area on a map: the mean position of the store's
  postcodes in it (its districts, a county's districts, the districts a council replaced,
  a combined authority's members), else that of the district most of its buyers' addresses
  are in. These are centres of the postcodes seen, not of the land: good enough to place a
  bubble.

They are rebuilt at the end of every load that changes `awards` (store.derive), and a
store written before they existed gets them from its next write of any kind
(store.bring_up_to_date); opening it for reading (store.read_only) says to run `rebuild`.
"""

import pandas as pd

from loaders.normalising import lot_reasons

# Bump when a table here changes, so stores built by older code are rebuilt by their next write.
VERSION = "7"

# The award rows of council buyers: the councils the register identified.
IS_COUNCIL = "buyer_council_code IS NOT NULL"
# The other buyers a council area can hold, placed by their address: NHS bodies, police and
# fire, schools, housing associations, utilities... but never central government, whose
# office address says nothing of the area it serves.
IS_OTHER_LOCAL_BODY = "buyer_council_code IS NULL AND buyer_type IS DISTINCT FROM 'central government'"

_FOOTPRINT = f"""
CREATE OR REPLACE TABLE supplier_footprint AS
SELECT supplier_key, count(DISTINCT buyer_region) AS regions_served,
       count(DISTINCT buyer_key) FILTER ({IS_COUNCIL}) AS councils_served,
       count(DISTINCT buyer_key) AS buyers_served
FROM awards WHERE duplicate_of IS NULL AND supplier_key IS NOT NULL
GROUP BY supplier_key ORDER BY supplier_key
"""

_COUNCILS = f"""
CREATE OR REPLACE TABLE council_buyers AS
SELECT buyer_name AS council, any_value(buyer_council_code) AS code, mode(buyer_area_code) AS area_code,
       mode(buyer_area_name) AS area_name, mode(buyer_region) AS region
FROM awards WHERE {IS_COUNCIL} AND duplicate_of IS NULL AND buyer_name IS NOT NULL
GROUP BY buyer_name ORDER BY buyer_name
"""

_AWARD_COUNTS = """
CREATE OR REPLACE TABLE award_counts AS
SELECT count(*) AS award_rows, count(DISTINCT ocid || '|' || award_id) AS awards,
       count(DISTINCT supplier_key) AS suppliers, count(DISTINCT buyer_key) AS buyers,
       min(award_date) AS first_award_date, max(award_date) AS last_award_date,
       coalesce(bool_or(source = 'demo'), false) AS is_demo,
       coalesce(list(DISTINCT source ORDER BY source) FILTER (source IS NOT NULL), []) AS sources
FROM awards
"""

_SOURCE_COUNTS = """
CREATE OR REPLACE TABLE source_counts AS
WITH r AS (SELECT source, count(*) AS releases, max(fetched_at) AS last_loaded FROM releases GROUP BY 1),
     a AS (SELECT source, count(*) AS award_rows, count(*) FILTER (duplicate_of IS NOT NULL) AS rows_counted_once,
                  min(award_date) AS first_award_date, max(award_date) AS last_award_date FROM awards GROUP BY 1)
SELECT source, coalesce(r.releases, 0) AS releases, r.last_loaded, coalesce(a.award_rows, 0) AS award_rows,
       coalesce(a.rows_counted_once, 0) AS rows_counted_once, a.first_award_date, a.last_award_date
FROM r FULL JOIN a USING (source) ORDER BY source
"""

_CPV_DIVISIONS = """
CREATE OR REPLACE TABLE cpv_divisions AS
SELECT left(cpv_code, 2) AS division, min(cpv_label) AS label FROM awards
WHERE cpv_code LIKE '__000000' AND cpv_label IS NOT NULL GROUP BY 1 ORDER BY 1
"""

_AREA_CENTRES = """
CREATE OR REPLACE TABLE area_centres AS
WITH points AS (
    SELECT m.area_code AS code, p.latitude, p.longitude FROM postcodes p JOIN area_members m ON m.lad_code = p.lad_code
    UNION ALL
    SELECT lad_code, latitude, longitude FROM postcodes
    WHERE lad_code IS NOT NULL AND lad_code NOT IN (SELECT area_code FROM area_members)
),
centres AS (
    SELECT code, avg(latitude) AS latitude, avg(longitude) AS longitude
    FROM points WHERE latitude IS NOT NULL AND longitude IS NOT NULL GROUP BY code
),
areas AS (
    SELECT buyer_area_code AS area_code, mode(buyer_lad_code) AS home_lad
    FROM awards WHERE buyer_area_code IS NOT NULL GROUP BY buyer_area_code
)
SELECT a.area_code, coalesce(c.latitude, h.latitude) AS latitude, coalesce(c.longitude, h.longitude) AS longitude
FROM areas a LEFT JOIN centres c ON c.code = a.area_code LEFT JOIN centres h ON h.code = a.home_lad
ORDER BY a.area_code
"""


def build(con) -> None:
    """(Re)build every summary table from the current `awards` (and `releases`) and record
    the version."""
    con.execute(_FOOTPRINT)
    con.execute(_COUNCILS)
    con.execute(_AWARD_COUNTS)
    con.execute(_SOURCE_COUNTS)
    con.execute(_CPV_DIVISIONS)
    _build_lot_reasons(con)
    con.execute(_AREA_CENTRES)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('summaries_version', ?)", [VERSION])


def _build_lot_reasons(con) -> None:
    reasons = pd.DataFrame(sorted(lot_reasons.reasons_by_ocid(con).items()), columns=["ocid", "reasons"],
                           dtype="object")
    con.register("lot_reasons_frame", reasons)
    try:
        con.execute("CREATE OR REPLACE TABLE lot_reasons AS "
                    "SELECT ocid::VARCHAR AS ocid, reasons::VARCHAR AS reasons FROM lot_reasons_frame ORDER BY ocid")
    finally:
        con.unregister("lot_reasons_frame")


def current(con) -> bool:
    """Whether the store's summary tables were built by this version of the code."""
    found = con.execute("SELECT value FROM meta WHERE key = 'summaries_version'").fetchall()
    return bool(found) and found[0][0] == VERSION
