"""The DuckDB store: raw releases kept verbatim, the derived awards table, the postcode cache.

DuckDB allows one writing process or many readers, never both. So nothing ever writes to
the live file: `writing()` copies it (or starts a new one), lets the caller write the copy,
and swaps it in with `os.replace`. A running app keeps reading the old file until it
reopens; a failure part-way leaves the old store exactly as it was.
"""

import itertools
import os
import shutil
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timezone
from pathlib import Path
from typing import Callable, Iterable

import duckdb
import orjson
import pandas as pd

from loaders.errors import StoreError
from loaders.geography import areas, boundaries
from loaders.geography.places import PLACE_COLUMNS, Resolver, canonical_region, code_region_sql
from loaders.normalising import crosspublished
from loaders.normalising.normalise import ROW_FIELDS, Release, Result, normalise_ocid
from loaders.normalising.procurements import (CRITERION_FIELDS, LOT_FIELDS, PROCUREMENT_FIELDS, Facts,
                                              procurement_facts)
from loaders.sources.readers import NOT_UTF8, Event, RawRelease
from loaders.tabular.rows import ROW_NOT_READ, TabularRow
from loaders.storage import summaries, writers

DEFAULT_STORE = Path("data/awards.duckdb")
STORE_ENV = "AWARDS_STORE"
SCHEMA_VERSION = "1"
INSERT_CHUNK = 50_000
RELEASE_BATCH = 1_000  # releases written at a time by an import
# What DuckDB may hold while a load streams releases in and derives the awards: without a
# cap it keeps every block it has read or written (its default limit is 80% of the
# machine's memory), and importing a 200 MB file took 850 MB. Under the cap it writes rows
# out (each batch is checkpointed: rows not yet in the file cannot leave memory) and spills
# sorts and joins to `<store>.tmp-<pid>.tmp/`.
LOAD_MEMORY = "200MB"
RENORMALISE_BATCH = 1_000  # releases read (and parsed) at a time when awards are re-derived

BASE_COLUMN_TYPES = {
    "award_key": "VARCHAR", "source": "VARCHAR", "ocid": "VARCHAR", "release_id": "VARCHAR",
    "award_id": "VARCHAR", "award_status": "VARCHAR", "notice_url": "VARCHAR",
    "title": "VARCHAR", "cpv_code": "VARCHAR", "cpv_label": "VARCHAR", "category": "VARCHAR",
    "procedure": "VARCHAR", "is_framework": "BOOLEAN",
    "buyer_key": "VARCHAR", "buyer_name": "VARCHAR", "buyer_name_published": "VARCHAR", "buyer_type": "VARCHAR",
    "buyer_type_basis": "VARCHAR", "buyer_identified_by": "VARCHAR", "buyer_council_code": "VARCHAR",
    "buyer_postcode": "VARCHAR",
    "supplier_key": "VARCHAR", "supplier_name": "VARCHAR", "supplier_id_scheme": "VARCHAR",
    "supplier_id": "VARCHAR", "supplier_postcode": "VARCHAR", "supplier_abroad": "VARCHAR",
    "supplier_region_code": "VARCHAR",
    "supplier_size": "VARCHAR", "supplier_vcse": "BOOLEAN",
    "award_date": "DATE", "contract_start": "DATE", "contract_end": "DATE",
    "award_value_gbp": "DOUBLE", "award_value_gross_gbp": "DOUBLE", "value_gbp": "DOUBLE", "n_suppliers": "INTEGER",
    "value_source": "VARCHAR", "value_flag": "VARCHAR", "value_band": "VARCHAR",
}
assert tuple(BASE_COLUMN_TYPES) == ROW_FIELDS

# Derived columns: places from the postcodes cache (derive_geography), the cross-publication
# mark (crosspublished.mark), `award_number`, one number per award (source, ocid, award id)
# shared by its suppliers' rows, and `supplier_number`, one per supplier key, numbered in
# the keys' order (so ordering by it is ordering by the key): counting distinct awards or
# suppliers, and ranking suppliers, over numbers is 2-3x faster than over the texts, and the
# pages do it on every view. Numbers are renewed by every load; they identify nothing
# outside the store.
GEO_COLUMN_TYPES = {
    "buyer_lad_code": "VARCHAR", "buyer_lad_name": "VARCHAR", "buyer_county_code": "VARCHAR",
    "buyer_area_code": "VARCHAR", "buyer_area_name": "VARCHAR", "buyer_region": "VARCHAR", "buyer_country": "VARCHAR",
    "supplier_lad_code": "VARCHAR", "supplier_lad_name": "VARCHAR", "supplier_county_code": "VARCHAR",
    "supplier_region": "VARCHAR", "supplier_country": "VARCHAR",
    "locality": "VARCHAR", "distance_km": "DOUBLE", "duplicate_of": "VARCHAR", "award_number": "BIGINT",
    "supplier_number": "BIGINT",
}
AWARD_COLUMNS = tuple(BASE_COLUMN_TYPES) + tuple(GEO_COLUMN_TYPES)

# How procurements were run (loaders.normalising.procurements), then the buyer's place (filled
# as for awards) and the procurement's size (its tender value, else the sum of its awards'
# whole values), both by derive_procurement_places.
PROCUREMENT_COLUMN_TYPES = {
    "ocid": "VARCHAR", "source": "VARCHAR", "title": "VARCHAR", "notice_url": "VARCHAR", "category": "VARCHAR",
    "buyer_key": "VARCHAR", "buyer_name": "VARCHAR", "buyer_name_published": "VARCHAR", "buyer_type": "VARCHAR",
    "buyer_council_code": "VARCHAR", "buyer_postcode": "VARCHAR",
    "published_date": "DATE", "last_date": "DATE", "regime": "VARCHAR", "stages": "VARCHAR", "notice_types": "VARCHAR",
    "procedure": "VARCHAR", "procedure_details": "VARCHAR", "procedure_rationale": "VARCHAR",
    "lots": "INTEGER", "divided": "BOOLEAN", "no_lots_rationale": "VARCHAR",
    "criteria_published": "BOOLEAN", "weights_published": "BOOLEAN", "social_value": "BOOLEAN",
    "social_value_weight": "DOUBLE", "criteria": "VARCHAR",
    "bids": "DOUBLE", "sme_bids": "DOUBLE", "final_stage_bids": "DOUBLE", "vcse_bids": "DOUBLE",
    "engagement_notice": "VARCHAR", "no_engagement_rationale": "VARCHAR",
    "suitable_sme": "BOOLEAN", "suitable_vcse": "BOOLEAN", "tender_value_gbp": "DOUBLE", "above_threshold": "BOOLEAN",
    "cancelled": "BOOLEAN",
}
assert tuple(PROCUREMENT_COLUMN_TYPES) == PROCUREMENT_FIELDS
PROCUREMENT_PLACE_TYPES = {"buyer_area_code": "VARCHAR", "buyer_area_name": "VARCHAR", "buyer_region": "VARCHAR",
                           "buyer_country": "VARCHAR", "size_gbp": "DOUBLE"}
LOT_COLUMN_TYPES = {
    "ocid": "VARCHAR", "lot_id": "VARCHAR", "title": "VARCHAR", "status": "VARCHAR", "value_gbp": "DOUBLE",
    "suitable_sme": "BOOLEAN", "suitable_vcse": "BOOLEAN", "criteria": "VARCHAR", "social_value_weight": "DOUBLE",
    "bids": "DOUBLE", "sme_bids": "DOUBLE", "final_stage_bids": "DOUBLE", "vcse_bids": "DOUBLE",
}
assert tuple(LOT_COLUMN_TYPES) == LOT_FIELDS
CRITERION_COLUMN_TYPES = {
    "ocid": "VARCHAR", "lot_id": "VARCHAR", "position": "INTEGER", "type": "VARCHAR", "name": "VARCHAR",
    "description": "VARCHAR", "weight_percent": "DOUBLE", "weight_code": "VARCHAR", "weight_basis": "VARCHAR",
    "social_value": "BOOLEAN",
}
assert tuple(CRITERION_COLUMN_TYPES) == CRITERION_FIELDS
# The derived tables and their layouts: a store holding another layout of any is re-derived.
DERIVED_LAYOUTS = {
    "awards": AWARD_COLUMNS,
    "procurements": tuple(PROCUREMENT_COLUMN_TYPES) + tuple(PROCUREMENT_PLACE_TYPES),
    "procurement_lots": LOT_FIELDS,
    "procurement_criteria": CRITERION_FIELDS,
}

# The physical order of `awards`. One buyer's rows lie together, so a council's scorecard
# or a buyer filter decompresses a few blocks of the file instead of every block (DuckDB
# reads whole vectors; rows scattered by date would touch them all): 3-5x faster per
# query on a million rows, at no cost to scans of the whole table.
AWARD_ORDER = "buyer_name, award_date, award_key"

def _columns(types: dict[str, str]) -> str:
    return ", ".join(f"{column} {kind}" for column, kind in types.items())


SCHEMA = f"""
CREATE TABLE IF NOT EXISTS meta (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS releases (
    content_hash VARCHAR, source VARCHAR, ocid VARCHAR, release_id VARCHAR,
    release_date VARCHAR, tags VARCHAR, json VARCHAR, origin VARCHAR, fetched_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS awards ({_columns({**BASE_COLUMN_TYPES, **GEO_COLUMN_TYPES})});
CREATE TABLE IF NOT EXISTS procurements ({_columns({**PROCUREMENT_COLUMN_TYPES, **PROCUREMENT_PLACE_TYPES})});
CREATE TABLE IF NOT EXISTS procurement_lots ({_columns(LOT_COLUMN_TYPES)});
CREATE TABLE IF NOT EXISTS procurement_criteria ({_columns(CRITERION_COLUMN_TYPES)});
CREATE TABLE IF NOT EXISTS quality_events (
    ocid VARCHAR, release_id VARCHAR, award_id VARCHAR, kind VARCHAR, detail VARCHAR);
CREATE TABLE IF NOT EXISTS postcodes (
    postcode VARCHAR PRIMARY KEY, lad_code VARCHAR, lad_name VARCHAR, county_code VARCHAR,
    county_name VARCHAR, region VARCHAR, country VARCHAR, latitude DOUBLE, longitude DOUBLE,
    precision VARCHAR, source VARCHAR, resolved_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS refresh_state (
    source VARCHAR PRIMARY KEY, covered_from TIMESTAMP, covered_until TIMESTAMP, refreshed_at TIMESTAMPTZ);
CREATE TABLE IF NOT EXISTS loads (
    loaded_at TIMESTAMPTZ, origin VARCHAR, releases_read INTEGER, releases_new INTEGER);
CREATE TABLE IF NOT EXISTS tabular_rows (
    content_hash VARCHAR, kind VARCHAR, file VARCHAR, line INTEGER, cells VARCHAR, loaded_at TIMESTAMPTZ);
"""

Progress = Callable[[int], None]


def store_path(explicit: str | Path | None = None) -> Path:
    """--store, else $AWARDS_STORE, else data/awards.duckdb (the app reads the same)."""
    return Path(explicit or os.environ.get(STORE_ENV) or DEFAULT_STORE)


@contextmanager
def writing(path: str | Path):
    """A connection to a private copy of the store, swapped in only if the block succeeds.

    Every write ends with `bring_up_to_date`, so the file swapped in is complete for this
    code: reading it (`read_only`) never has to write. Holding the writer lock, it first
    removes what writers that died left (writers.leftovers). A demo store never gains real
    releases: the write is refused, unless this process replaces the demo (writers.Writer),
    when the write starts from an empty store instead of a copy."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with writers.holding(writers.lock_file(path), str(path), wait=True):
        writers.remove_leftovers(path)
        temp = path.with_name(f"{path.name}.tmp-{os.getpid()}")
        _remove(temp)
        if path.exists() and not (writers.current().replace_demo and _is_demo_file(path)):
            shutil.copyfile(path, temp)
        try:
            con = _connect(temp, str(path))
            try:
                ensure_schema(con)
                real_before = _real_releases_if_demo(con)
                yield con
                if real_before is not None and _real_releases_if_demo(con) > real_before:
                    raise demo_refusal(path)
                bring_up_to_date(con)
                con.execute("CHECKPOINT")
            finally:
                con.close()
            os.replace(temp, path)
        finally:
            _remove(temp)


def refuse_real_into_demo(path: str | Path) -> None:
    """Fail before any file is read or page fetched when real data is headed for a demo
    store (`writing` refuses it anyway, but only once the work is done)."""
    path = Path(path)
    if path.is_file() and not writers.current().replace_demo and _is_demo_file(path):
        raise demo_refusal(path)


def demo_refusal(path: Path) -> StoreError:
    """The one line that says how to keep real data out of the demo store."""
    other = Path("data/real.duckdb") if path.resolve() == DEFAULT_STORE.resolve() else DEFAULT_STORE
    return StoreError(str(path), f"is the demo store (invented data): start a real store with --store {other}, "
                                 "or add --force to replace the demo with a store of the real data only")


def _is_demo_file(path: Path) -> bool:
    con = read_only(path, any_age=True)
    try:
        return _has_tables(con, "releases") and _real_releases_if_demo(con) is not None
    finally:
        con.close()


def _real_releases_if_demo(con) -> int | None:
    """How many real releases a demo store (one holding demo releases) holds; None for any other store."""
    demo, real = con.execute("SELECT count(*) FILTER (source = 'demo'), count(*) FILTER (source <> 'demo') "
                             "FROM releases").fetchall()[0]
    return real if demo else None


def bring_up_to_date(con) -> None:
    """The finishing step of every write (import, refresh, rebuild, geocode, demo, ONS
    import, boundaries): an awards table of an older layout is rebuilt from the releases,
    missing or outdated summary tables (with the register tables they are built on) are
    built, and a store without council boundaries gets the shipped ones (a newer edition
    loaded by `geography boundaries` is kept). A load that re-derived the awards has done
    the first two already, so they cost nothing."""
    if _awards_stale(con):
        refresh_awards(con, None, resolvers=[])
    if not summaries.current(con):
        areas.load(con)
        summaries.build(con)
    boundaries.ensure(con)


def read_only(path: str | Path, any_age: bool = False) -> duckdb.DuckDBPyConnection:
    """A read-only connection for queries; StoreError if the file is missing or foreign, or
    was made by older code (any write, or `rebuild`, brings it up to date). Never writes.

    any_age=True skips the age checks, for a caller that reads only the releases (which
    every version keeps): the demo, before it replaces a store."""
    path = Path(path)
    if not path.is_file():
        raise StoreError(str(path), "no store here yet (run `python -m loaders demo` or `import`)")
    con = _connect(path, str(path), read_only=True)
    if any_age:
        return con
    if _awards_outdated(con):
        con.close()
        raise StoreError(str(path), "was made by an older version of this code; run `python -m loaders rebuild` "
                                    "to re-derive its awards from the releases it keeps")
    if _summaries_missing(con):
        con.close()
        raise StoreError(str(path), "its summary tables are missing or were made by an older version of this code; "
                                    "run `python -m loaders rebuild` to bring the store up to date")
    return con


def _awards_outdated(con) -> bool:
    """A store whose derived tables (awards, procurements) are missing or of another layout
    than this code's, or were emptied by a write of older code for want of one (it must be
    rebuilt)."""
    if not _layout(con, "awards"):
        return False  # not a store of awards at all: the other checks say what it is
    return any(_layout(con, table) != columns for table, columns in DERIVED_LAYOUTS.items()) or _awards_stale(con)


def _layout(con, table: str) -> tuple[str, ...]:
    """The columns of a table in order (empty when there is no such table)."""
    return tuple(name for (name,) in con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = ? AND database_name = current_database() "
        "ORDER BY column_index", [table]).fetchall())


def _awards_stale(con) -> bool:
    """Whether ensure_schema dropped an older awards table that is not yet rebuilt."""
    if not _has_tables(con, "meta"):
        return False
    return con.execute("SELECT count(*) FROM meta WHERE key = 'awards_stale'").fetchall()[0][0] > 0


def _summaries_missing(con) -> bool:
    """A store (it has awards and meta) whose summary tables are absent or outdated."""
    return _has_tables(con, "awards", "meta") and not summaries.current(con)


def _has_tables(con, *names: str) -> bool:
    tables = {name for (name,) in con.execute("SELECT table_name FROM duckdb_tables() WHERE database_name = current_database()").fetchall()}
    return set(names) <= tables


def _connect(path: Path, name: str, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    try:
        return duckdb.connect(str(path), read_only=read_only)
    except duckdb.Error as exc:
        raise StoreError(name, f"cannot be opened as a store ({exc})") from exc


def _remove(path: Path) -> None:
    for candidate in (path, Path(str(path) + ".wal")):
        if candidate.exists():
            candidate.unlink()


def ensure_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the tables if this is a new store; recreate a derived table whose columns changed.

    `awards` and the procurement tables are derived, so an older layout is dropped and
    marked stale: the next refresh_awards then rebuilds them whole from the releases.
    """
    con.execute(SCHEMA)
    outdated = [table for table, columns in DERIVED_LAYOUTS.items() if _layout(con, table) != columns]
    for table in outdated:
        con.execute(f"DROP TABLE {table}")
    if outdated:
        con.execute(SCHEMA)
        con.execute("INSERT OR REPLACE INTO meta VALUES ('awards_stale', 'true')")
    con.execute("INSERT OR IGNORE INTO meta VALUES ('schema_version', ?)", [SCHEMA_VERSION])


def add_releases(con, releases: Iterable[RawRelease], origin: str) -> tuple[int, set[str]]:
    """Store releases not already held (by content hash); return (how many new, their ocids)."""
    _, new, ocids = add_release_stream(con, releases, origin)
    return new, ocids


def add_release_stream(con, releases: Iterable[RawRelease], origin: str) -> tuple[int, int, set[str]]:
    """Store releases not already held (by content hash), RELEASE_BATCH at a time, so that
    memory stays flat however many come; one `loads` row for them all. Return (how many
    read, how many new, the new ones' ocids)."""
    now = datetime.now(timezone.utc)
    read = new = 0
    ocids: set[str] = set()
    stream = iter(releases)
    with memory_capped(con):
        while batch := tuple(itertools.islice(stream, RELEASE_BATCH)):
            added = _insert_new(con, batch, origin, now)
            con.execute("CHECKPOINT")
            read, new = read + len(batch), new + len(added)
            ocids |= {ocid for _, ocid in added}
    con.execute("INSERT INTO loads VALUES (?, ?, ?, ?)", [now, origin, read, new])
    return read, new, ocids


@contextmanager
def memory_capped(con):
    """DuckDB held to LOAD_MEMORY (see there) for the block, on what is written so far."""
    con.execute("CHECKPOINT")  # rows not yet in the file cannot leave memory
    con.execute(f"SET memory_limit = '{LOAD_MEMORY}'")
    con.execute("SET threads = 1")
    try:
        yield
    finally:
        con.execute("RESET memory_limit")
        con.execute("RESET threads")


def _insert_new(con, releases: tuple[RawRelease, ...], origin: str, now: datetime) -> list[tuple[str, str]]:
    """Insert the releases of one batch that the store does not hold; return their (hash, ocid)."""
    frame = pd.DataFrame(
        [(r.content_hash, r.source, r.ocid, r.release_id, r.release_date, r.tags, r.json, origin,
          r.fetched_at or now) for r in releases],
        columns=["content_hash", "source", "ocid", "release_id", "release_date", "tags", "json",
                 "origin", "fetched_at"],
    ).drop_duplicates("content_hash")
    con.register("incoming", frame)
    new = con.execute("""
        SELECT DISTINCT content_hash, ocid FROM incoming
        WHERE content_hash NOT IN (SELECT content_hash FROM releases)""").fetchall()
    con.execute("""
        INSERT INTO releases SELECT * FROM incoming
        WHERE content_hash NOT IN (SELECT content_hash FROM releases)""")
    con.unregister("incoming")
    return new


def add_tabular_rows(con, rows: list[TabularRow]) -> int:
    """Keep table rows verbatim (file, line, cells as JSON) unless already held; return how many new."""
    if not rows:
        return 0
    frame = pd.DataFrame([(r.content_hash, r.kind, r.file, r.line, orjson.dumps(r.cells).decode(),
                           datetime.now(timezone.utc)) for r in rows],
                         columns=["content_hash", "kind", "file", "line", "cells", "loaded_at"]
                         ).drop_duplicates("content_hash")
    con.register("incoming_rows", frame)
    before = con.execute("SELECT count(*) FROM tabular_rows").fetchall()[0][0]
    con.execute("""INSERT INTO tabular_rows SELECT * FROM incoming_rows
                   WHERE content_hash NOT IN (SELECT content_hash FROM tabular_rows)""")
    con.unregister("incoming_rows")
    return con.execute("SELECT count(*) FROM tabular_rows").fetchall()[0][0] - before


def add_reading_events(con, events: list[Event]) -> None:
    """Quality events of how files were read (text not UTF-8); one already recorded (the
    same file and line read again) is not repeated."""
    if not events:
        return
    con.register("read_events", pd.DataFrame(events, columns=["ocid", "release_id", "award_id", "kind", "detail"]))
    con.execute("""INSERT INTO quality_events SELECT * FROM read_events e
                   WHERE NOT EXISTS (SELECT 1 FROM quality_events q WHERE q.kind = e.kind AND q.detail = e.detail)""")
    con.unregister("read_events")


def renormalise(con, ocids: Iterable[str] | None = None, progress: Progress | None = None) -> int:
    """Re-derive the awards of `ocids` (all when None) from their releases; return rows made."""
    if ocids is None:
        con.execute(f"DELETE FROM awards; DELETE FROM quality_events WHERE {_DERIVED_EVENT}; "
                    f"{_DELETE_PROCUREMENTS.format(where='')}")
        selection = ""
    else:
        # A real (scratch) table, not a registered frame: the reading cursor must see it too.
        con.register("touched_frame", pd.DataFrame({"ocid": sorted(set(ocids))}, dtype=str))
        con.execute("CREATE OR REPLACE TABLE touched AS SELECT * FROM touched_frame")
        con.unregister("touched_frame")
        con.execute("DELETE FROM awards WHERE ocid IN (SELECT ocid FROM touched)")
        con.execute(f"DELETE FROM quality_events WHERE ocid IN (SELECT ocid FROM touched) AND {_DERIVED_EVENT}")
        con.execute(_DELETE_PROCUREMENTS.format(where="WHERE ocid IN (SELECT ocid FROM touched)"))
        selection = "WHERE ocid IN (SELECT ocid FROM touched)"
    made = 0
    reader = con.cursor()  # its own cursor: inserts on `con` would end a shared result set
    for batch in _ocid_batches(_release_rows(reader, selection)):
        result, facts = Result(), Facts()
        for group in batch:
            result.extend(normalise_ocid(group))
            facts.extend(procurement_facts(group))
        result.events.extend(facts.events)  # procurements that could not be derived
        made += _insert_result(con, result)
        _insert_facts(con, facts)
        if progress:
            progress(sum(len(g) for g in batch))
    reader.close()
    con.execute("DROP TABLE IF EXISTS touched")
    return made


# Events derived from the releases, made again by every re-derivation; how a file was read
# (text not UTF-8, a table row that could not be read) is known only when it is read, so it is kept.
READING_EVENTS = (NOT_UTF8, ROW_NOT_READ)
_DERIVED_EVENT = f"kind NOT IN ({', '.join(repr(kind) for kind in READING_EVENTS)})"
_DELETE_PROCUREMENTS = ("DELETE FROM procurements {where}; DELETE FROM procurement_lots {where}; "
                        "DELETE FROM procurement_criteria {where};")


def _release_rows(cursor, where: str, per_query: int = RENORMALISE_BATCH):
    """(source, ocid, release_id, json) of the releases `where` selects, in ocid order, read
    a range of about `per_query` releases at a time: only the ocids are sorted whole, never
    the JSON (DuckDB holds a sort's rows in memory), so memory stays flat however many."""
    starts = [ocid for (ocid,) in cursor.execute(f"""
        SELECT min(ocid) FROM (SELECT ocid, sum(n) OVER (ORDER BY ocid) - n AS before
                               FROM (SELECT ocid, count(*) AS n FROM releases {where} GROUP BY ocid))
        GROUP BY before // {per_query} ORDER BY 1""").fetchall()]
    joined = "AND" if where else "WHERE"
    for start, end in zip(starts, starts[1:] + [None]):
        cursor.execute(f"SELECT source, ocid, release_id, json FROM releases {where} {joined} ocid >= ? "
                       f"{'AND ocid < ?' if end is not None else ''} ORDER BY ocid",
                       [start] if end is None else [start, end])
        while rows := cursor.fetchmany(per_query):
            yield from rows


def _ocid_batches(rows, batch_rows: int = RENORMALISE_BATCH):
    """Releases grouped by ocid, in batches of about `batch_rows`; a group never spans two batches."""
    batch, group, current = [], [], None
    for source, ocid, release_id, body in rows:
        if ocid != current and group:
            batch.append(group)
            group = []
            if sum(len(g) for g in batch) >= batch_rows:
                yield batch
                batch = []
        current = ocid
        group.append(Release(source, ocid, release_id, orjson.loads(body)))
    if group:
        batch.append(group)
    if batch:
        yield batch


def _insert_result(con, result: Result) -> int:
    """Append normalised rows and quality events."""
    for start in range(0, len(result.rows), INSERT_CHUNK):
        frame = pd.DataFrame(result.rows[start:start + INSERT_CHUNK], columns=list(ROW_FIELDS))
        frame["supplier_vcse"] = frame["supplier_vcse"].astype("boolean")
        con.register("normalised", frame)
        con.execute(f"INSERT INTO awards ({', '.join(ROW_FIELDS)}) SELECT * FROM normalised")
        con.unregister("normalised")
    if result.events:
        events = pd.DataFrame(result.events, columns=["ocid", "release_id", "award_id", "kind", "detail"])
        con.register("events", events)
        con.execute("INSERT INTO quality_events SELECT * FROM events")
        con.unregister("events")
    return len(result.rows)


def _insert_facts(con, facts: Facts) -> None:
    """Append the procurement rows of a batch (their places are filled by derive)."""
    for table, fields, rows in (("procurements", PROCUREMENT_FIELDS, facts.procurements),
                                ("procurement_lots", LOT_FIELDS, facts.lots),
                                ("procurement_criteria", CRITERION_FIELDS, facts.criteria)):
        if rows:
            con.register("facts", pd.DataFrame(rows, columns=list(fields)).astype(object))
            con.execute(f"INSERT INTO {table} ({', '.join(fields)}) SELECT * FROM facts")
            con.unregister("facts")


def unresolved_postcodes(con) -> list[str]:
    """Buyer and supplier postcodes in awards (and buyers' in procurements) that the postcodes
    cache does not hold."""
    rows = con.execute("""
        SELECT DISTINCT pc FROM (
            SELECT buyer_postcode AS pc FROM awards UNION ALL SELECT supplier_postcode FROM awards
            UNION ALL SELECT buyer_postcode FROM procurements)
        WHERE pc IS NOT NULL AND pc NOT IN (SELECT postcode FROM postcodes)""").fetchall()
    return sorted(pc for (pc,) in rows)


def resolve_postcodes(con, resolvers: list[Resolver]) -> int:
    """Ask each resolver in turn for the postcodes still unknown; cache what they find."""
    added = 0
    for resolver in resolvers:
        wanted = unresolved_postcodes(con)
        if not wanted:
            break
        places = {pc: replace(p, region=canonical_region(p.region, p.country))
                  for pc, p in resolver.resolve(wanted).items()}
        if places:
            frame = pd.DataFrame([(pc, *[getattr(p, c) for c in PLACE_COLUMNS]) for pc, p in places.items()],
                                 columns=["postcode", *PLACE_COLUMNS])
            frame["resolved_at"] = datetime.now(timezone.utc)
            con.register("places", frame)
            con.execute("INSERT OR IGNORE INTO postcodes SELECT * FROM places")
            con.unregister("places")
            added += len(places)
    return added


# Locality, word for word as loaders.definitions states it. A council buyer's area is its
# register area (buyer_council_code -> register_councils); any other buyer's is the district
# of its address (or, for a notice after a reorganisation, the council that replaced that
# district). A supplier is local when its district lies in that area (area_members: a
# county's districts, a combined authority's members, the districts a council replaced).
_GEO_EXPRESSIONS = {
    "buyer_lad_code": "b_lad", "buyer_lad_name": "b_lad_name", "buyer_county_code": "b_cty",
    "buyer_area_code": "a_code", "buyer_area_name": "a_name",
    "buyer_region": "a_rgn", "buyer_country": "a_ctry",
    "supplier_lad_code": "s_lad", "supplier_lad_name": "s_lad_name", "supplier_county_code": "s_cty",
    "supplier_region": "COALESCE(s_rgn, c_rgn)", "supplier_country": "COALESCE(supplier_abroad, s_ctry, c_ctry)",
    "locality": """CASE
        WHEN supplier_abroad IS NOT NULL THEN 'outside_uk'
        WHEN s_lad IS NULL AND c_rgn IS NOT NULL AND a_rgn IS NOT NULL AND c_rgn <> a_rgn THEN 'elsewhere_uk'
        WHEN a_code IS NULL OR s_lad IS NULL THEN 'unknown'
        WHEN s_lad = a_code OR in_area THEN 'local'
        WHEN s_rgn = a_rgn THEN 'same_region'
        ELSE 'elsewhere_uk' END""",
    "distance_km": """CASE WHEN b_lat IS NOT NULL AND s_lat IS NOT NULL THEN
        2 * 6371.0088 * asin(sqrt(pow(sin(radians(s_lat - b_lat) / 2), 2)
            + cos(radians(b_lat)) * cos(radians(s_lat)) * pow(sin(radians(s_lon - b_lon) / 2), 2)))
        END""",
    "duplicate_of": "NULL",  # set afterwards by crosspublished.mark
    "award_number": "a_number",
    "supplier_number": "s_number",
}
assert tuple(_GEO_EXPRESSIONS) == tuple(GEO_COLUMN_TYPES)

# A supplier's region and country from the NUTS/ITL code its notice states (Find a Tender),
# for suppliers whose postcode is missing: enough to tell a supplier in another region.
_CODE_REGION = code_region_sql("a.supplier_region_code")
_NAMED_COLUMNS = tuple(c for c in BASE_COLUMN_TYPES if c != "buyer_name")

_DERIVE_GEOGRAPHY = f"""
CREATE OR REPLACE TABLE awards AS
WITH listed AS (
    -- A buyer no register knows is listed under the spelling most of its rows use.
    SELECT buyer_key, first(buyer_name_published ORDER BY n DESC, buyer_name_published) AS listed_name
    FROM (SELECT buyer_key, buyer_name_published, count(*) AS n FROM awards
          WHERE buyer_key IS NOT NULL AND buyer_key NOT LIKE 'council:%' AND buyer_key NOT LIKE 'govuk:%'
          GROUP BY ALL)
    GROUP BY buyer_key
),
placed AS (
    SELECT {", ".join("a." + c for c in _NAMED_COLUMNS)}, coalesce(l.listed_name, a.buyer_name) AS buyer_name,
           b.lad_code AS b_lad, b.lad_name AS b_lad_name, coalesce(b.county_code, bd.county_area_code) AS b_cty,
           b.region AS b_rgn, b.country AS b_ctry, b.latitude AS b_lat, b.longitude AS b_lon,
           CASE WHEN a.award_date >= bd.successor_from THEN bd.successor_area_code END AS b_heir,
           s.lad_code AS s_lad, s.lad_name AS s_lad_name, coalesce(s.county_code, sd.county_area_code) AS s_cty,
           s.region AS s_rgn, s.country AS s_ctry, s.latitude AS s_lat, s.longitude AS s_lon,
           {_CODE_REGION[0]} AS c_rgn, {_CODE_REGION[1]} AS c_ctry,
           rc.area_code AS r_code, rc.area_name AS r_name, rc.region AS r_rgn, rc.nation AS r_ctry,
           an.number AS a_number, sn.number AS s_number
    FROM awards a
    LEFT JOIN listed l ON l.buyer_key = a.buyer_key
    LEFT JOIN postcodes b ON b.postcode = a.buyer_postcode
    LEFT JOIN register_districts bd ON bd.lad_code = b.lad_code
    LEFT JOIN postcodes s ON s.postcode = a.supplier_postcode
    LEFT JOIN register_districts sd ON sd.lad_code = s.lad_code
    LEFT JOIN register_councils rc ON rc.code = a.buyer_council_code
    LEFT JOIN award_numbers an ON an.source IS NOT DISTINCT FROM a.source AND an.ocid IS NOT DISTINCT FROM a.ocid
                               AND an.award_id IS NOT DISTINCT FROM a.award_id
    LEFT JOIN supplier_numbers sn ON sn.supplier_key = a.supplier_key
),
framed AS (
    SELECT p.*,
           coalesce(r_code, b_heir, b_lad) AS a_code,
           CASE WHEN r_code IS NOT NULL THEN r_name WHEN b_heir IS NOT NULL THEN h.area_name ELSE b_lad_name END
               AS a_name,
           coalesce(r_rgn, b_rgn) AS a_rgn, coalesce(r_ctry, b_ctry) AS a_ctry
    FROM placed p
    LEFT JOIN (SELECT area_code, first(area_name ORDER BY area_type) AS area_name FROM register_councils
               WHERE area_code IS NOT NULL GROUP BY area_code) h ON h.area_code = p.b_heir
),
judged AS (
    SELECT f.*, m.lad_code IS NOT NULL AS in_area
    FROM framed f LEFT JOIN area_members m ON m.area_code = f.a_code AND m.lad_code = f.s_lad
)
SELECT {", ".join(BASE_COLUMN_TYPES)},
       {", ".join(f"CAST({expr} AS {GEO_COLUMN_TYPES[col]}) AS {col}" for col, expr in _GEO_EXPRESSIONS.items())}
FROM judged
ORDER BY {AWARD_ORDER}
"""


# The awards' and suppliers' numbers (derived columns), made from the distinct keys alone:
# numbering in a window over the whole table held every column of every row at once, more
# than a load's memory cap (LOAD_MEMORY) allows for a large import.
_NUMBERS = """
CREATE OR REPLACE TABLE award_numbers AS
SELECT source, ocid, award_id, row_number() OVER (ORDER BY source, ocid, award_id) AS number
FROM (SELECT DISTINCT source, ocid, award_id FROM awards);
CREATE OR REPLACE TABLE supplier_numbers AS
SELECT supplier_key, row_number() OVER (ORDER BY supplier_key) AS number
FROM (SELECT DISTINCT supplier_key FROM awards WHERE supplier_key IS NOT NULL);
"""


def derive_geography(con) -> None:
    """Fill every award's places, locality, distance and numbers from the register's council
    areas, the postcodes cache and the keys; list each unregistered buyer under one spelling."""
    areas.load(con)
    con.execute(_NUMBERS)
    con.execute("CHECKPOINT")  # under a load's memory cap, rows not yet in the file cannot leave memory
    con.execute(_DERIVE_GEOGRAPHY)
    con.execute("DROP TABLE award_numbers; DROP TABLE supplier_numbers")


_PLACED = {
    "buyer_name": "coalesce(l.buyer_name, p.buyer_name)",
    "buyer_area_code": "coalesce(rc.area_code, b.lad_code)",
    "buyer_area_name": "CASE WHEN rc.area_code IS NOT NULL THEN rc.area_name ELSE b.lad_name END",
    "buyer_region": "coalesce(rc.region, b.region)",
    "buyer_country": "coalesce(rc.nation, b.country)",
    "size_gbp": "coalesce(p.tender_value_gbp, s.awarded_gbp)",
}
_PROCUREMENT_PLACES = f"""
CREATE OR REPLACE TABLE procurements AS
WITH listed AS (SELECT buyer_key, first(buyer_name ORDER BY buyer_name) AS buyer_name FROM awards
                WHERE buyer_key IS NOT NULL GROUP BY buyer_key),
sizes AS (SELECT ocid, sum(award_value_gbp / n_suppliers) AS awarded_gbp FROM awards
          WHERE duplicate_of IS NULL AND award_value_gbp IS NOT NULL GROUP BY ocid)
SELECT {", ".join(f"{_PLACED.get(c, 'p.' + c)} AS {c}" for c in DERIVED_LAYOUTS["procurements"])}
FROM procurements p
LEFT JOIN listed l ON l.buyer_key = p.buyer_key
LEFT JOIN sizes s ON s.ocid = p.ocid
LEFT JOIN postcodes b ON b.postcode = p.buyer_postcode
LEFT JOIN register_councils rc ON rc.code = p.buyer_council_code
ORDER BY p.buyer_key, p.published_date, p.ocid
"""


def derive_procurement_places(con) -> None:
    """Each procurement's buyer listed and placed as its awards are (a buyer with awards under
    the name they use, a council in its register area and region, any other buyer by the
    district of its postcode), and its size: worked out once here, so the page's queries
    need no join with the awards."""
    con.execute(_PROCUREMENT_PLACES)


def refresh_awards(con, ocids: Iterable[str] | None, resolvers: list[Resolver],
                   progress: Progress | None = None) -> int:
    """Re-normalise, resolve new postcodes, re-derive geography, mark cross-publications:
    the end of every load. A stale awards table (older layout) is rebuilt whole."""
    if _awards_stale(con):
        ocids = None
        con.execute("DELETE FROM meta WHERE key = 'awards_stale'")
    with memory_capped(con):
        made = renormalise(con, ocids, progress)
        resolve_postcodes(con, resolvers)
        derive(con)
    return made


def derive(con) -> None:
    """Everything worked out from the award rows and the postcodes cache: places and
    locality, cross-publication marks, then the summary tables built on both."""
    derive_geography(con)
    derive_procurement_places(con)
    crosspublished.mark(con)
    crosspublished.mark_table_copies(con)
    summaries.build(con)
