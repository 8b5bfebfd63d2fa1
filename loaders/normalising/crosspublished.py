"""Notices published on both Contracts Finder and Find a Tender, counted once.

Before 2025 above-threshold awards went to Find a Tender first and then to Contracts
Finder, under different ocids and with no shared identifier (api-spec 2.6). An award is a
cross-publication when a Contracts Finder award and a Find a Tender award have the same
buyer (the same buyer key: loaders.normalising.buyers makes "Merton Council" and "London Borough of
Merton" one council, whatever each platform calls it), a supplier in common (same key or same normalised name), values within 1% on
either VAT basis (Find a Tender's net `amount` or gross `amountGross`), and award dates at
most MAX_DAYS apart. The Find a Tender award is kept (it states the VAT basis); every
row of the Contracts Finder award gets `duplicate_of` = the kept award, is left out of the
figures, and is recorded in `quality_events` with the reason.
"""

MAX_DAYS = 7
VALUE_TOLERANCE = 0.01
REASON = (f"same buyer and supplier, value within {VALUE_TOLERANCE:.0%} (net or gross), award dates "
          f"within {MAX_DAYS} days of Find a Tender award {{kept}}")

# Lower case, punctuation and legal suffixes gone: "Fen Works Ltd." and "FEN WORKS LIMITED" match.
_NAME = """trim(regexp_replace(regexp_replace(regexp_replace(lower({col}), '[^a-z0-9]+', ' ', 'g'),
            '\\b(limited|ltd|plc|llp)\\b', ' ', 'g'), ' +', ' ', 'g'))"""

_PAIRS = f"""
CREATE OR REPLACE TEMP TABLE cross_pairs AS
WITH cf AS (
    SELECT ocid, award_id, buyer_key, award_date, award_value_gbp AS v,
           supplier_key, {_NAME.format(col="supplier_name")} AS sname
    FROM awards WHERE source = 'contracts-finder' AND value_flag IS NULL AND award_value_gbp IS NOT NULL),
fts AS (
    SELECT ocid, award_id, buyer_key, award_date, award_value_gbp AS v,
           award_value_gross_gbp AS g, supplier_key, {_NAME.format(col="supplier_name")} AS sname
    FROM awards WHERE source = 'find-a-tender' AND value_flag IS NULL AND award_value_gbp IS NOT NULL)
SELECT cf.ocid, cf.award_id, min(fts.ocid || '|' || fts.award_id) AS kept
FROM cf JOIN fts
  ON cf.buyer_key = fts.buyer_key
 AND (cf.supplier_key = fts.supplier_key OR cf.sname = fts.sname)
 AND abs(date_diff('day', cf.award_date, fts.award_date)) <= {MAX_DAYS}
 AND (abs(cf.v - fts.v) <= {VALUE_TOLERANCE} * fts.v
      OR (fts.g IS NOT NULL AND abs(cf.v - fts.g) <= {VALUE_TOLERANCE} * fts.g))
GROUP BY cf.ocid, cf.award_id
"""


def mark(con) -> int:
    """Mark the Contracts Finder copies of Find a Tender awards; return how many awards."""
    con.execute(_PAIRS)
    con.execute("UPDATE awards SET duplicate_of = NULL WHERE duplicate_of IS NOT NULL")
    con.execute("""UPDATE awards SET duplicate_of = p.kept FROM cross_pairs p
                   WHERE awards.source = 'contracts-finder' AND awards.ocid = p.ocid
                     AND awards.award_id = p.award_id""")
    con.execute("DELETE FROM quality_events WHERE kind = 'cross_published'")
    con.execute("""INSERT INTO quality_events
                   SELECT ocid, NULL, award_id, 'cross_published', replace(?, '{kept}', kept)
                   FROM cross_pairs""", [REASON])
    count = con.execute("SELECT count(*) FROM cross_pairs").fetchall()[0][0]
    con.execute("DROP TABLE cross_pairs")
    return count
