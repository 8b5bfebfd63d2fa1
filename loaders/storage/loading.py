"""Library operations behind the commands: import files, rebuild.

Each writes a private copy of the store and swaps it in (store.writing), so a bad file or a
crash leaves the store as it was. An import checks the beginning of every file before it
touches the store, then streams each file into the copy, a batch of releases at a time, so
memory stays flat however large the files are; a file found bad part-way drops the copy.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from loaders.geography.places import LookupResolver, Resolver
from loaders.sources.readers import Event, RawRelease, read_releases, sniff
from loaders.storage import store

Progress = Callable[[int], None]


@dataclass(frozen=True)
class LoadReport:
    """What a load did: releases read and new, award rows in the store afterwards."""
    releases_read: int
    releases_new: int
    award_rows: int
    warnings: tuple[str, ...] = ()  # how files were read, when not as published (text not UTF-8)


def lookup_resolvers(lookups: Iterable[str | Path]) -> list[Resolver]:
    """Resolvers for --lookup files, read (and checked) before the store is touched."""
    return [LookupResolver(path) for path in lookups]


def import_files(paths: Iterable[str | Path], store_path: Path, lookups: Iterable[str | Path] = (),
                 progress: Progress | None = None) -> LoadReport:
    """Load OCDS files into the store: all of them, or (on any bad file) none."""
    paths = [Path(path) for path in paths]
    for path in paths:
        sniff(path)  # a missing, empty or non-JSON file fails before anything is written
    resolvers = lookup_resolvers(lookups)
    events: list[Event] = []
    batches = ((str(path), read_releases(path, events=events)) for path in paths)
    return load_releases(batches, store_path, resolvers, progress, events)


def load_releases(batches: Iterable[tuple[str, Iterable[RawRelease]]], store_path: Path,
                  resolvers: list[Resolver], progress: Progress | None = None,
                  events: list[Event] | None = None) -> LoadReport:
    """Store new releases and re-derive the awards of the ocids they touch. Each batch is
    read as it is stored; `events`, filled while the batches are read (text read with the
    fallback), are stored after them."""
    read = new = 0
    touched: set[str] = set()
    with store.writing(store_path) as con:
        for origin, releases in batches:
            count, added, ocids = store.add_release_stream(con, releases, origin)
            read, new = read + count, new + added
            touched |= ocids
        store.add_reading_events(con, events or [])
        store.refresh_awards(con, touched, resolvers, progress)
        rows = con.execute("SELECT count(*) FROM awards").fetchall()[0][0]
    return LoadReport(read, new, rows, tuple(event[4] for event in events or []))


def rebuild(store_path: Path, lookups: Iterable[str | Path] = (), progress: Progress | None = None) -> LoadReport:
    """Re-derive the whole awards table from the releases kept in the store."""
    resolvers = lookup_resolvers(lookups)
    if not Path(store_path).is_file():
        store.read_only(store_path)  # raises the "no store here yet" error
    with store.writing(store_path) as con:
        releases = con.execute("SELECT count(*) FROM releases").fetchall()[0][0]
        store.refresh_awards(con, None, resolvers, progress)
        rows = con.execute("SELECT count(*) FROM awards").fetchall()[0][0]
    return LoadReport(releases, 0, rows)
