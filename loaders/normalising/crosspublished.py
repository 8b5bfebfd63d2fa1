"""Notices published on two platforms, counted once.

Before 2025 above-threshold awards went to Find a Tender first and then to Contracts
Finder, under different ocids and with no shared identifier (api-spec 2.6); Scottish and
Welsh buyers publish on Public Contracts Scotland or Sell2Wales, and their largest awards on
Find a Tender as well (sources-2 sections A and B). An award is a cross-publication when an
award of one of those platforms (COPY_SOURCES) and a Find a Tender award have the same
buyer (the same buyer key: loaders.normalising.buyers makes "Merton Council" and "London
Borough of Merton" one council, whatever each platform calls it), a supplier in common (same
key or same normalised name), values within 1% on either VAT basis (Find a Tender's net
`amount` or gross `amountGross`), and award dates at most MAX_DAYS apart. The Find a Tender
award is kept (it states the VAT basis); every row of the copy gets `duplicate_of` = the
kept award, is left out of the figures, and is recorded in `quality_events` with the reason.
"""

COPY_SOURCES = ("contracts-finder", "public-contracts-scotland", "sell2wales")
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
    FROM awards WHERE source IN {COPY_SOURCES} AND value_flag IS NULL AND award_value_gbp IS NOT NULL),
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
    """Mark the copies of Find a Tender awards on the other platforms; return how many awards."""
    con.execute(_PAIRS)
    con.execute("UPDATE awards SET duplicate_of = NULL WHERE duplicate_of IS NOT NULL")
    con.execute(f"""UPDATE awards SET duplicate_of = p.kept FROM cross_pairs p
                   WHERE awards.source IN {COPY_SOURCES} AND awards.ocid = p.ocid
                     AND awards.award_id = p.award_id""")
    con.execute("DELETE FROM quality_events WHERE kind = 'cross_published'")
    con.execute("""INSERT INTO quality_events
                   SELECT ocid, NULL, award_id, 'cross_published', replace(?, '{kept}', kept)
                   FROM cross_pairs""", [REASON])
    count = con.execute("SELECT count(*) FROM cross_pairs").fetchall()[0][0]
    con.execute("DROP TABLE cross_pairs")
    return count


# --- rows of tables that are also notices ----------------------------------------------------

TABLE_SOURCES = ("contracts-finder-csv", "council-register")
NOTICE_SOURCES = COPY_SOURCES + ("find-a-tender",)
SAME_NOTICE = "same_as_notice"
TABLE_REASON_ID = "the notice {kept} has the same notice identifier"
TABLE_REASON_MATCH = (f"same buyer and supplier, value within {VALUE_TOLERANCE:.0%}, award dates within "
                      f"{MAX_DAYS} days of {{kept}}")

_TABLE_PAIRS = f"""
CREATE OR REPLACE TEMP TABLE table_pairs AS
WITH notice_ids AS (
    -- A Contracts Finder notice's own identifier is its tender id; the export's rows carry it.
    -- (a notice identifier that is a GUID is the notice's own, the end of its ocid).
    SELECT DISTINCT json_extract_string(json, '$.tender.id') AS notice_id, ocid
    FROM releases WHERE source = 'contracts-finder' AND json_extract_string(json, '$.tender.id') IS NOT NULL
    UNION SELECT DISTINCT substr(ocid, {len("ocds-b5fd17-") + 1}), ocid FROM releases WHERE source = 'contracts-finder'),
kept_award AS (SELECT ocid, min(award_id) AS award_id FROM awards GROUP BY ocid),
by_id AS (
    SELECT t.ocid, t.award_id, min(k.ocid || '|' || k.award_id) AS kept, 'id' AS how
    FROM (SELECT DISTINCT ocid, award_id FROM awards WHERE source = 'contracts-finder-csv') t
    JOIN notice_ids n ON n.notice_id = substr(t.ocid, {len("cf-csv-") + 1})
    JOIN kept_award k ON k.ocid = n.ocid
    GROUP BY t.ocid, t.award_id),
tab AS (
    SELECT ocid, award_id, source, buyer_key, award_date, award_value_gbp AS v,
           supplier_key, {_NAME.format(col="supplier_name")} AS sname
    FROM awards a WHERE source IN {TABLE_SOURCES} AND value_flag IS NULL AND award_value_gbp IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM by_id b WHERE b.ocid = a.ocid AND b.award_id = a.award_id)),
-- What a table row is matched against: the notices, and (for a register) the export's rows.
other AS (
    SELECT ocid, award_id, source, buyer_key, award_date, award_value_gbp AS v,
           supplier_key, {_NAME.format(col="supplier_name")} AS sname
    FROM awards WHERE source IN {NOTICE_SOURCES + ("contracts-finder-csv",)} AND duplicate_of IS NULL
      AND value_flag IS NULL AND award_value_gbp IS NOT NULL),
by_match AS (
    SELECT tab.ocid, tab.award_id, min(other.ocid || '|' || other.award_id) AS kept, 'match' AS how
    FROM tab JOIN other
      ON tab.buyer_key = other.buyer_key
     AND (tab.source = 'council-register' OR other.source <> 'contracts-finder-csv')
     AND (tab.supplier_key = other.supplier_key OR tab.sname = other.sname)
     AND abs(date_diff('day', tab.award_date, other.award_date)) <= {MAX_DAYS}
     AND abs(tab.v - other.v) <= {VALUE_TOLERANCE} * other.v
    GROUP BY tab.ocid, tab.award_id)
SELECT * FROM by_id UNION ALL SELECT * FROM by_match
"""


def mark_table_copies(con) -> int:
    """Mark the rows of CSV exports and registers that are also notices held (or, for a
    register, also a row of an export): counted once, as the notice. Run after `mark`,
    which clears every mark first. Return how many awards."""
    con.execute(_TABLE_PAIRS)
    con.execute("""UPDATE awards SET duplicate_of = p.kept FROM table_pairs p
                   WHERE awards.ocid = p.ocid AND awards.award_id = p.award_id""")
    con.execute(f"DELETE FROM quality_events WHERE kind = '{SAME_NOTICE}'")
    con.execute(f"""INSERT INTO quality_events
                    SELECT ocid, NULL, award_id, '{SAME_NOTICE}',
                           replace(CASE how WHEN 'id' THEN ? ELSE ? END, '{{kept}}', kept)
                    FROM table_pairs""", [TABLE_REASON_ID, TABLE_REASON_MATCH])
    count = con.execute("SELECT count(*) FROM table_pairs").fetchall()[0][0]
    con.execute("DROP TABLE table_pairs")
    return count
