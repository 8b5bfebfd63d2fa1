"""Tables worked out from `awards` once per load, for figures that do not depend on the
dashboard's filters. Without them every scorecard and supplier view would rescan the whole
store (a million rows and more) to find each supplier's footprint.

- `supplier_footprint`: per supplier, the distinct buyer regions, council buyers and buyers
  it has won awards from across all the data (cross-published copies left out), which is
  what makes it a "national provider" on every view alike.
- `council_buyers`: every council buyer (a buyer name that appears with buyer type 'local
  authority') with its area code, area name and region: the most common among its awards.

They are rebuilt at the end of every load that changes `awards` (store.derive), and a
store written before they existed gets them when it is next opened (store.read_only).
"""

# Bump when a table here changes, so stores built by older code are rebuilt on opening.
VERSION = "1"
TABLES = ("supplier_footprint", "council_buyers")
COUNCIL_TYPE = "local authority"

_FOOTPRINT = f"""
CREATE OR REPLACE TABLE supplier_footprint AS
SELECT supplier_key, count(DISTINCT buyer_region) AS regions_served,
       count(DISTINCT buyer_key) FILTER (buyer_type = '{COUNCIL_TYPE}') AS councils_served,
       count(DISTINCT buyer_key) AS buyers_served
FROM awards WHERE duplicate_of IS NULL AND supplier_key IS NOT NULL
GROUP BY supplier_key ORDER BY supplier_key
"""

_COUNCILS = f"""
CREATE OR REPLACE TABLE council_buyers AS
WITH names AS (SELECT DISTINCT buyer_name FROM awards
               WHERE buyer_type = '{COUNCIL_TYPE}' AND buyer_name IS NOT NULL AND duplicate_of IS NULL)
SELECT buyer_name AS council, mode(buyer_area_code) AS area_code, mode(buyer_area_name) AS area_name,
       mode(buyer_region) AS region
FROM awards WHERE duplicate_of IS NULL AND buyer_name IN (SELECT buyer_name FROM names)
GROUP BY buyer_name ORDER BY buyer_name
"""


def build(con) -> None:
    """(Re)build every summary table from the current `awards` and record the version."""
    con.execute(_FOOTPRINT)
    con.execute(_COUNCILS)
    con.execute("INSERT OR REPLACE INTO meta VALUES ('summaries_version', ?)", [VERSION])


def current(con) -> bool:
    """Whether the store's summary tables were built by this version of the code."""
    found = con.execute("SELECT value FROM meta WHERE key = 'summaries_version'").fetchall()
    return bool(found) and found[0][0] == VERSION
