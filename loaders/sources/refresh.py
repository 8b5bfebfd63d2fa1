"""`refresh`: pull live releases window by window, resumably, then merge them into the store.

Pages are written as they arrive to a staging file beside the store
(`<store>.refresh-<source>.duckdb`), each page together with its window's checkpoint in
one transaction. A refresh killed at any moment therefore resumes from the last page it
kept. Only when every window is done are the staged releases merged into the store, in one
copy-and-swap (store.writing), so the app never sees a half-refreshed store. The merge is
idempotent (releases are keyed by content hash), so a crash during it is mended by running
the refresh again.
"""

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from loaders.errors import LoaderError
from loaders.sources import contracts_finder, find_a_tender
from loaders.sources.fetching import Fetcher, SourceConfig, windows
from loaders.sources.readers import RawRelease, releases_in
from loaders.storage import store, writers

SOURCES = {c.name: c for c in (contracts_finder.CONFIG, find_a_tender.CONFIG)}

STAGING_SCHEMA = """
CREATE TABLE IF NOT EXISTS staged (
    content_hash VARCHAR PRIMARY KEY, source VARCHAR, ocid VARCHAR, release_id VARCHAR,
    release_date VARCHAR, tags VARCHAR, json VARCHAR, fetched_at TIMESTAMPTZ);
ALTER TABLE staged ADD COLUMN IF NOT EXISTS fetched_at TIMESTAMPTZ;  -- files staged by older code
CREATE TABLE IF NOT EXISTS checkpoints (
    window_start TIMESTAMP, window_end TIMESTAMP, next_url VARCHAR, done BOOLEAN,
    pages INTEGER, releases INTEGER, PRIMARY KEY (window_start, window_end));
"""


class Progress(Protocol):
    def start(self, source: str, total_windows: int, already_done: int) -> None: ...
    def page(self, releases: int) -> None: ...
    def window_done(self) -> None: ...
    def waiting(self, seconds: float, why: str) -> None: ...
    def note(self, message: str) -> None: ...


class QuietProgress:
    """Progress that reports nothing (--quiet, and tests)."""
    def start(self, source, total_windows, already_done): pass
    def page(self, releases): pass
    def window_done(self): pass
    def waiting(self, seconds, why): pass
    def note(self, message): pass


@dataclass(frozen=True)
class RefreshReport:
    source: str
    windows: int
    pages: int
    releases_fetched: int
    releases_new: int
    award_rows: int


def config_for(name: str, base_url: str | None = None, rate_limit_wait_s: float | None = None) -> SourceConfig:
    """A source's configuration, with the base URL from --base-url or its environment variable."""
    if name not in SOURCES:
        raise LoaderError(name, f"unknown source (choose from {', '.join(SOURCES)})")
    config = SOURCES[name]
    return config.with_overrides(base_url or os.environ.get(config.url_env), rate_limit_wait_s)


def resume_point(store_path: Path, source: str) -> datetime | None:
    """Where the last successful refresh of `source` ended, or None if there was none."""
    if not store_path.is_file():
        return None
    con = store.read_only(store_path)
    try:
        rows = con.execute("SELECT covered_until FROM refresh_state WHERE source = ?", [source]).fetchall()
    except duckdb.CatalogException:
        return None
    finally:
        con.close()
    return rows[0][0] if rows else None


def refresh(config: SourceConfig, store_path: Path, since: datetime, until: datetime,
            fetcher: Fetcher | None = None, progress: Progress | None = None) -> RefreshReport:
    """Fetch every window of since..until not yet staged, then merge them into the store."""
    if since >= until:
        raise LoaderError(config.name, f"nothing to fetch: --since {since:%Y-%m-%d %H:%M} is not before "
                                       f"--until {until:%Y-%m-%d %H:%M}")
    store.refuse_real_into_demo(store_path)
    progress = progress or QuietProgress()
    fetcher = fetcher or Fetcher(config, on_wait=progress.waiting)
    staging_path = staging_file(store_path, config.name)
    # One refresh of a source at a time: a second would open the staging file the first holds.
    with writers.holding(staging_path.with_suffix(".lock"), str(store_path), wait=False,
                         busy=f"a refresh of {config.name} into this store is running"):
        pages, fetched = _fetch_windows(config, fetcher, staging_path, windows(since, until, config.window), progress)
        new, rows = _merge(config, staging_path, store_path, since, until)
        staging_path.unlink()
    progress.note(f"{config.name}: {fetched:,} releases fetched, {new:,} new; {rows:,} award rows in the store")
    return RefreshReport(config.name, len(windows(since, until, config.window)), pages, fetched, new, rows)


def staging_file(store_path: Path, source: str) -> Path:
    return store_path.with_name(f"{store_path.name}.refresh-{source}.duckdb")


def _fetch_windows(config, fetcher, staging_path: Path, spans, progress) -> tuple[int, int]:
    """Fetch and stage every window not marked done; return (pages, releases) fetched now."""
    staging_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(staging_path))
    try:
        con.execute(STAGING_SCHEMA)
        done = {(s, e) for s, e in con.execute("SELECT window_start, window_end FROM checkpoints WHERE done").fetchall()}
        progress.start(config.name, len(spans), sum(1 for span in spans if _naive(span) in done))
        pages = fetched = 0
        for span in spans:
            if _naive(span) in done:
                continue
            window_pages, window_releases = _fetch_window(config, fetcher, con, span, progress)
            pages, fetched = pages + window_pages, fetched + window_releases
            progress.note(f"{config.name} {span[0]:%Y-%m-%d %H:%M} to {span[1]:%Y-%m-%d %H:%M}: "
                          f"{window_pages} pages, {window_releases:,} releases")
            progress.window_done()
        return pages, fetched
    finally:
        con.close()


def _fetch_window(config, fetcher, con, span, progress) -> tuple[int, int]:
    """Follow links.next through one window, staging each page with its checkpoint."""
    start, end = _naive(span)
    rows = con.execute("SELECT next_url FROM checkpoints WHERE window_start = ? AND window_end = ?",
                       [start, end]).fetchall()
    url = rows[0][0] if rows and rows[0][0] else config.first_url(*span)
    pages = releases = 0
    while url:
        document = fetcher.get_json(url)
        found = releases_in(document, url, source=config.name) if _has_releases(document) else []
        link = (document.get("links") or {}).get("next") if isinstance(document, dict) else None
        url = config.on_base(link) if link else None
        _stage_page(con, found, start, end, url)
        pages, releases = pages + 1, releases + len(found)
        progress.page(len(found))
    return pages, releases


def _has_releases(document) -> bool:
    """An empty window's page may carry no releases at all; that is not an error."""
    return isinstance(document, dict) and bool(document.get("releases") or document.get("records"))


def _stage_page(con, releases: list[RawRelease], start, end, next_url: str | None) -> None:
    """The page's releases and its window's checkpoint, in one transaction."""
    fetched = datetime.now(timezone.utc)
    frame = pd.DataFrame([(r.content_hash, r.source, r.ocid, r.release_id, r.release_date, r.tags, r.json, fetched)
                          for r in releases],
                         columns=["content_hash", "source", "ocid", "release_id", "release_date", "tags",
                                  "json", "fetched_at"]).drop_duplicates("content_hash")
    con.begin()
    try:
        if len(frame):
            con.register("page", frame)
            con.execute(f"INSERT OR IGNORE INTO staged ({', '.join(frame.columns)}) SELECT * FROM page")
            con.unregister("page")
        con.execute("""
            INSERT INTO checkpoints VALUES (?, ?, ?, ?, 1, ?)
            ON CONFLICT (window_start, window_end) DO UPDATE SET next_url = excluded.next_url,
                done = excluded.done, pages = checkpoints.pages + 1,
                releases = checkpoints.releases + excluded.releases""",
                    [start, end, next_url, next_url is None, len(frame)])
        con.commit()
    except Exception:
        con.rollback()
        raise


def _merge(config, staging_path: Path, store_path: Path, since: datetime, until: datetime) -> tuple[int, int]:
    """Move the staged releases into the store (one swap); record how far the source is covered."""
    staged = duckdb.connect(str(staging_path), read_only=True)
    try:
        rows = staged.execute("""SELECT source, ocid, release_id, release_date, tags, json, content_hash, fetched_at
                                 FROM staged ORDER BY content_hash""").fetchall()
    finally:
        staged.close()
    releases = [RawRelease(*row) for row in rows]
    with store.writing(store_path) as con:
        new, ocids = store.add_releases(con, releases, f"refresh {config.name}")
        store.refresh_awards(con, ocids, resolvers=[])
        _record_coverage(con, config.name, since, until)
        award_rows = con.execute("SELECT count(*) FROM awards").fetchall()[0][0]
    return new, award_rows


def _record_coverage(con, source: str, since: datetime, until: datetime) -> None:
    con.execute("""
        INSERT INTO refresh_state VALUES (?, ?, ?, ?)
        ON CONFLICT (source) DO UPDATE SET
            covered_from = least(refresh_state.covered_from, excluded.covered_from),
            covered_until = greatest(refresh_state.covered_until, excluded.covered_until),
            refreshed_at = excluded.refreshed_at""",
                [source, _naive((since,))[0], _naive((until,))[0], datetime.now(timezone.utc)])


def _naive(span: tuple) -> tuple:
    """UTC instants as naive timestamps, the form DuckDB's TIMESTAMP columns give back."""
    return tuple(t.astimezone(timezone.utc).replace(tzinfo=None) if t.tzinfo else t for t in span)
