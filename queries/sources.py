"""Per-source status for the Data page: what the store holds and when it was last refreshed."""

import pandas as pd

from loaders.sources.refresh import SOURCES as REFRESHED

STATUS_COLUMNS = ("source", "releases", "award_rows", "rows_counted_once", "first_award_date", "last_award_date",
                  "last_loaded", "refreshed_from", "refreshed_until", "last_refreshed")


def source_status(con) -> pd.DataFrame:
    """One row per source held, and per source a refresh can load even when none is held:
    releases, award rows (and how many of them are also in another
    source, matched and counted once, as the notice), award dates, last load and refresh coverage
    (times to the second: the microseconds of a fetch time say nothing to a reader)."""
    has_state = con.cursor().execute(
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = 'refresh_state' "
        "AND database_name = current_database()").fetchall()[0][0]
    state = ("SELECT source, covered_from, covered_until, refreshed_at FROM refresh_state" if has_state else
             "SELECT NULL::VARCHAR AS source, NULL::TIMESTAMP AS covered_from, "
             "NULL::TIMESTAMP AS covered_until, NULL::TIMESTAMPTZ AS refreshed_at WHERE FALSE")
    known = " UNION ALL ".join(f"SELECT '{name}' AS source, 0 AS releases, NULL::TIMESTAMPTZ AS last_loaded"
                               for name in REFRESHED)
    return con.cursor().execute(f"""
        WITH held AS (SELECT * FROM source_counts),  -- counted by the load (loaders.storage.summaries)
             -- every source a refresh can load is listed, held or not: "0 releases" says it is not loaded
             r AS (SELECT source, releases, last_loaded FROM held UNION ALL
                   SELECT * FROM ({known}) WHERE source NOT IN (SELECT source FROM held)),
             s AS ({state})
        SELECT r.source, r.releases, coalesce(a.award_rows, 0) AS award_rows,
               coalesce(a.rows_counted_once, 0) AS rows_counted_once, a.first_award_date,
               a.last_award_date, date_trunc('second', r.last_loaded) AS last_loaded,
               date_trunc('second', s.covered_from) AS refreshed_from,
               date_trunc('second', s.covered_until) AS refreshed_until,
               date_trunc('second', s.refreshed_at) AS last_refreshed
        FROM r LEFT JOIN held a USING (source) LEFT JOIN s USING (source)
        ORDER BY r.source""").df()[list(STATUS_COLUMNS)]


def source_rows(con, limit: int | None = None, offset: int = 0) -> pd.DataFrame:
    """One page of source_status (a handful of rows: paged in pandas)."""
    frame = source_status(con)
    return frame.iloc[offset:] if limit is None else frame.iloc[offset:offset + limit]


def source_count(con) -> int:
    return len(source_status(con))
