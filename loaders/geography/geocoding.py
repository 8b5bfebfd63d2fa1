"""`geocode`: place every postcode in the store not yet known, then re-derive locality.

Resolvers are asked in order, each for the postcodes still unknown:
1. the store's `postcodes` cache (implicitly: only unknown postcodes are asked for);
2. an ONS postcode directory imported with `geography import-ons`, then `--ons` files;
3. `--lookup` files (postcode, sector or district level), which the user chose;
4. postcodes.io, unless `--offline`;
5. for a demo store, the geography table shipped with the demo.
"""

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from loaders.geography.ons import OnsResolver, OnsTableResolver
from loaders.geography.places import LookupResolver, Resolver, demo_resolver
from loaders.geography.postcodes_io import PostcodesIo
from loaders.storage import store


@dataclass(frozen=True)
class GeocodeReport:
    asked: int
    resolved: int
    still_unknown: int
    rows_unknown_locality: int


def geocode(store_path: Path, lookups: Iterable[Path] = (), ons_files: Iterable[Path] = (),
            offline: bool = False, postcodes_io: Resolver | None = None) -> GeocodeReport:
    """Resolve the store's unknown postcodes and re-derive every award's place and locality."""
    file_resolvers = [OnsResolver(p) for p in ons_files] + [LookupResolver(p) for p in lookups]
    if not Path(store_path).is_file():
        store.read_only(store_path)  # raises the "no store here yet" error
    with store.writing(store_path) as con:
        asked = len(store.unresolved_postcodes(con))
        resolvers = [OnsTableResolver(con), *file_resolvers]
        if not offline:
            resolvers.append(postcodes_io or PostcodesIo())
        if _is_demo(con):
            resolvers.append(demo_resolver())
        resolved = store.resolve_postcodes(con, resolvers)
        store.derive(con)
        unknown = len(store.unresolved_postcodes(con))
        rows = con.execute("SELECT count(*) FROM awards WHERE locality = 'unknown'").fetchall()[0][0]
    return GeocodeReport(asked, resolved, unknown, rows)


def _is_demo(con) -> bool:
    return con.execute("SELECT count(*) FROM releases WHERE source = 'demo'").fetchall()[0][0] > 0
