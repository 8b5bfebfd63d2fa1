"""Library operations behind the commands: import files, rebuild.

Each reads and checks all its input first, then writes a private copy of the store and
swaps it in (store.writing), so a bad file or a crash leaves the store as it was.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable

from loaders.geography.places import LookupResolver, Resolver
from loaders.sources.readers import RawRelease, read_file
from loaders.storage import store

Progress = Callable[[int], None]


@dataclass(frozen=True)
class LoadReport:
    """What a load did: releases read and new, award rows in the store afterwards."""
    releases_read: int
    releases_new: int
    award_rows: int


def lookup_resolvers(lookups: Iterable[str | Path]) -> list[Resolver]:
    """Resolvers for --lookup files, read (and checked) before the store is touched."""
    return [LookupResolver(path) for path in lookups]


def import_files(paths: Iterable[str | Path], store_path: Path, lookups: Iterable[str | Path] = (),
                 progress: Progress | None = None) -> LoadReport:
    """Load OCDS files into the store: all of them, or (on any bad file) none."""
    batches = [(str(path), read_file(path)) for path in paths]
    return load_releases(batches, store_path, lookup_resolvers(lookups), progress)


def load_releases(batches: list[tuple[str, list[RawRelease]]], store_path: Path,
                  resolvers: list[Resolver], progress: Progress | None = None) -> LoadReport:
    """Store new releases and re-derive the awards of the ocids they touch."""
    read = new = 0
    touched: set[str] = set()
    with store.writing(store_path) as con:
        for origin, releases in batches:
            added, ocids = store.add_releases(con, releases, origin)
            read, new = read + len(releases), new + added
            touched |= ocids
        store.refresh_awards(con, touched, resolvers, progress)
        rows = con.execute("SELECT count(*) FROM awards").fetchall()[0][0]
    return LoadReport(read, new, rows)


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
