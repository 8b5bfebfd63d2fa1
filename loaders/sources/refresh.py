"""`refresh`: pull live releases window by window, resumably, then merge them into the store.

Pages are written as they arrive to a staging file beside the store
(`<store>.refresh-<source>.duckdb`), each page together with its window's checkpoint in
one transaction. A refresh killed at any moment therefore resumes from the last page it
kept. Only when every window is done are the staged releases merged into the store, in one
copy-and-swap (store.writing), so the app never sees a half-refreshed store. The merge is
idempotent (releases are keyed by content hash), so a crash during it is mended by running
the refresh again.

A source that allows gaps (the month-by-month portals) does not fail when one window
still fails after every retry: the window's checkpoint stays not done, marked with the
error, the rest is merged, and the staging file is kept holding only its gaps. The next
refresh retries them first; `known_gaps` lists them for `info`.
"""

import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

import duckdb
import pandas as pd

from loaders.errors import LoaderError
from loaders.sources import contracts_finder, find_a_tender, public_contracts_scotland, sell2wales
from loaders.sources.fetching import CertificateError, FetchError, Fetcher, SourceConfig
from loaders.sources.readers import RawRelease, releases_in
from loaders.storage import store, writers

SOURCES = {c.name: c for c in (contracts_finder.CONFIG, find_a_tender.CONFIG, public_contracts_scotland.CONFIG,
                                 sell2wales.CONFIG)}

STAGING_SCHEMA = """
CREATE TABLE IF NOT EXISTS staged (
    content_hash VARCHAR PRIMARY KEY, source VARCHAR, ocid VARCHAR, release_id VARCHAR,
    release_date VARCHAR, tags VARCHAR, json VARCHAR, fetched_at TIMESTAMPTZ);
ALTER TABLE staged ADD COLUMN IF NOT EXISTS fetched_at TIMESTAMPTZ;  -- files staged by older code
"""
# One row a window; notice_type is '' for a source without notice types; gap is the error
# of a window given up on (NULL otherwise).
CHECKPOINTS = """
CREATE TABLE IF NOT EXISTS checkpoints (
    window_start TIMESTAMP, window_end TIMESTAMP, notice_type VARCHAR, next_url VARCHAR, done BOOLEAN,
    pages INTEGER, releases INTEGER, gap VARCHAR, PRIMARY KEY (window_start, window_end, notice_type));
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
    gaps: int = 0


def config_for(name: str, base_url: str | None = None, rate_limit_wait_s: float | None = None,
               notice_types: str | None = None, ca_bundle: str | None = None) -> SourceConfig:
    """A source's configuration, with the base URL from --base-url or its environment variable,
    and the notice types of --notice-types ("all" or a comma-separated list; ignored by a
    source without notice types)."""
    if name not in SOURCES:
        raise LoaderError(name, f"unknown source (choose from {', '.join(SOURCES)})")
    if ca_bundle and not Path(ca_bundle).is_file():
        raise LoaderError(ca_bundle, "no such file (--ca-bundle names a PEM file of CA certificates)")
    config = SOURCES[name]
    return config.with_overrides(base_url or os.environ.get(config.url_env), rate_limit_wait_s,
                                 _notice_types(config, notice_types), ca_bundle)


def _notice_types(config: SourceConfig, text: str | None) -> tuple[str, ...] | None:
    """The notice types --notice-types names, checked against the source's list."""
    if not text or not config.all_notice_types:
        return None
    if text.strip() == "all":
        return config.all_notice_types
    chosen = tuple(dict.fromkeys(code.strip() for code in text.split(",") if code.strip()))
    unknown = [code for code in chosen if code not in config.all_notice_types]
    if unknown or not chosen:
        raise LoaderError("--notice-types", f"{', '.join(unknown) or repr(text)} is not a notice type of "
                                            f"{config.name} (choose from {', '.join(config.all_notice_types)}, or all)")
    return chosen


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
    """Fetch every window of since..until not yet staged (and the gaps an earlier refresh left),
    then merge them into the store."""
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
        pages, fetched, spans, gaps = _fetch_windows(config, fetcher, staging_path, since, until, progress)
        new, rows = _merge(config, staging_path, store_path, since, until)
        if gaps:
            _keep_only_gaps(staging_path)
        else:
            staging_path.unlink()
    progress.note(f"{config.name}: {fetched:,} releases fetched, {new:,} new; {rows:,} award rows in the store")
    if gaps:
        progress.note(f"{config.name}: {gaps} window(s) not fetched, kept as gaps in {staging_path.name}: "
                      f"the next refresh retries them first (python -m loaders info lists them)")
    return RefreshReport(config.name, spans, pages, fetched, new, rows, gaps)


def staging_file(store_path: Path, source: str) -> Path:
    return store_path.with_name(f"{store_path.name}.refresh-{source}.duckdb")


def known_gaps(store_path: Path) -> list[dict]:
    """Windows that earlier refreshes gave up on, per source, from the staging files they kept."""
    found = []
    for name in SOURCES:
        path = staging_file(store_path, name)
        if not path.is_file():
            continue
        con = duckdb.connect(str(path), read_only=True)
        try:
            rows = con.execute("SELECT window_start, window_end, notice_type, gap FROM checkpoints "
                               "WHERE gap IS NOT NULL AND NOT done ORDER BY 1, 3").fetchall()
        except duckdb.CatalogException:  # a staging file of older code: no gaps
            rows = []
        finally:
            con.close()
        found += [{"source": name, "from": start.isoformat(), "to": end.isoformat(), "notice_type": kind,
                   "error": error} for start, end, kind, error in rows]
    return found


def _open_staging(staging_path: Path):
    """The staging file, its checkpoints moved to the current layout if older code wrote them."""
    staging_path.parent.mkdir(parents=True, exist_ok=True)
    con = duckdb.connect(str(staging_path))
    con.execute(STAGING_SCHEMA)
    old = con.execute("SELECT count(*) FROM information_schema.columns WHERE table_name = 'checkpoints' "
                      "AND column_name IN ('window_start', 'notice_type')").fetchone()[0] == 1
    if old:  # windows of a source without notice types, staged before gaps existed
        con.execute("ALTER TABLE checkpoints RENAME TO checkpoints_old")
        con.execute(CHECKPOINTS)
        con.execute("INSERT INTO checkpoints SELECT window_start, window_end, '', next_url, done, pages, releases, "
                    "NULL FROM checkpoints_old; DROP TABLE checkpoints_old")
    con.execute(CHECKPOINTS)
    return con


def _fetch_windows(config, fetcher, staging_path: Path, since, until, progress) -> tuple[int, int, int, int]:
    """Fetch and stage the gaps left before, then every window not marked done; return
    (pages, releases, windows, gaps)."""
    con = _open_staging(staging_path)
    try:
        left = con.execute("SELECT window_start, window_end, notice_type FROM checkpoints "
                           "WHERE gap IS NOT NULL AND NOT done ORDER BY 1, 3").fetchall()
        spans = list(dict.fromkeys(left + [_naive(span) for span in config.windows_between(since, until)]))
        done = set(con.execute("SELECT window_start, window_end, notice_type FROM checkpoints WHERE done").fetchall())
        progress.start(config.name, len(spans), sum(1 for span in spans if span in done))
        pages = fetched = gaps = 0
        for span in spans:
            if span in done:
                continue
            try:
                window_pages, window_releases = _fetch_window(config, fetcher, con, span, progress)
            except CertificateError:
                raise
            except FetchError as exc:
                if not config.gaps_allowed:
                    raise
                _mark_gap(con, span, str(exc))
                gaps += 1
                progress.note(f"{config.name} {_described(span)}: GAP, not fetched ({exc}); "
                              f"the next refresh retries it first")
                progress.window_done()
                continue
            pages, fetched = pages + window_pages, fetched + window_releases
            progress.note(f"{config.name} {_described(span)}: {window_pages} pages, {window_releases:,} releases")
            progress.window_done()
        return pages, fetched, len(spans), gaps
    finally:
        con.close()


def _described(span) -> str:
    start, end, notice_type = span
    if notice_type:
        return f"{start:%m-%Y} notice type {notice_type}"
    return f"{start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}"


def _mark_gap(con, span, error: str) -> None:
    """The window's checkpoint left not done, with the error that stopped it."""
    con.execute("""
        INSERT INTO checkpoints VALUES (?, ?, ?, NULL, false, 0, 0, ?)
        ON CONFLICT (window_start, window_end, notice_type) DO UPDATE SET gap = excluded.gap""", [*span, error])


def _keep_only_gaps(staging_path: Path) -> None:
    """After the merge, the staging file keeps nothing but the gaps' checkpoints."""
    con = duckdb.connect(str(staging_path))
    try:
        con.execute("DELETE FROM staged; DELETE FROM checkpoints WHERE done OR gap IS NULL")
    finally:
        con.close()


def _fetch_window(config, fetcher, con, span, progress) -> tuple[int, int]:
    """Follow links.next through one window, staging each page with its checkpoint."""
    rows = con.execute("SELECT next_url FROM checkpoints WHERE window_start = ? AND window_end = ? "
                       "AND notice_type = ?", list(span)).fetchall()
    url = rows[0][0] if rows and rows[0][0] else config.first_url(*span)
    pages = releases = 0
    while url:
        document = fetcher.get_json(url)
        found = releases_in(document, url, source=config.name) if _has_releases(document) else []
        link = (document.get("links") or {}).get("next") if isinstance(document, dict) else None
        url = config.on_base(link) if link else None
        _stage_page(con, found, span, url)
        pages, releases = pages + 1, releases + len(found)
        progress.page(len(found))
    return pages, releases


def _has_releases(document) -> bool:
    """An empty window's page may carry no releases at all; that is not an error."""
    return isinstance(document, dict) and bool(document.get("releases") or document.get("records"))


def _stage_page(con, releases: list[RawRelease], span, next_url: str | None) -> None:
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
            INSERT INTO checkpoints VALUES (?, ?, ?, ?, ?, 1, ?, NULL)
            ON CONFLICT (window_start, window_end, notice_type) DO UPDATE SET next_url = excluded.next_url,
                done = excluded.done, pages = checkpoints.pages + 1,
                releases = checkpoints.releases + excluded.releases, gap = NULL""",
                    [*span, next_url, next_url is None, len(frame)])
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
    return tuple(t.astimezone(timezone.utc).replace(tzinfo=None) if isinstance(t, datetime) and t.tzinfo else t
                 for t in span)
