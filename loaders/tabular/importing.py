"""`python -m loaders import FILE.csv|FILE.xlsx`: tables into the store, through the same
pipeline as OCDS.

Each row is kept verbatim (`tabular_rows`) and turned into an OCDS release of its own source
(`contracts-finder-csv`, `council-register`), which the normaliser makes award rows of like
any other release; so a row's award is rebuilt, geocoded and counted as a notice's is. Every
file is read and converted before the store is touched: a file whose header no reader
recognises, or a mapping that names a missing column, fails with one line; a row that cannot
be read is a `row_not_read` quality event naming the file, line and cell, and the rest load,
unless no row of the file is usable.
"""

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

import orjson

from loaders.errors import InputError
from loaders.sources.readers import Event, RawRelease
from loaders.storage import loading, store
from loaders.tabular import cf_export, reading, registers
from loaders.tabular.cells import CellError
from loaders.tabular.rows import CF_CSV, REGISTER, ROW_NOT_READ, TabularRow


@dataclass
class Converted:
    """One file read: its rows, the releases made of them, and what could not be read."""
    path: Path
    kind: str
    rows: list[TabularRow] = field(default_factory=list)
    releases: list[RawRelease] = field(default_factory=list)
    events: list[Event] = field(default_factory=list)
    not_awards: int = 0


@dataclass(frozen=True)
class Columns:
    """How to read a register: a mapping file and options (for one not in the LGA schema), a
    buyer (for one that names none), and the page the council publishes it on (its rows' link:
    a register row has no notice of its own)."""
    mapping_file: Path | None = None
    options: tuple[str, ...] = ()
    buyer: str | None = None
    url: str | None = None


def import_tables(paths: Iterable[str | Path], store_path: Path, columns: Columns = Columns(),
                  lookups: Iterable[str | Path] = (), progress=None) -> loading.LoadReport:
    """Load table files into the store: all of them, or (on a file that cannot be used) none."""
    if columns.url and not columns.url.startswith(("https://", "http://")):
        raise InputError(columns.url, "is not a web address (--url takes the page the register is published on)")
    converted = [convert(Path(path), columns) for path in paths]
    resolvers = loading.lookup_resolvers(lookups)
    events = [event for file in converted for event in file.events]
    with store.writing(store_path) as con:
        read = new = 0
        touched: set[str] = set()
        for file in converted:
            store.add_tabular_rows(con, file.rows)
            count, added, ocids = store.add_release_stream(con, file.releases, str(file.path))
            read, new, touched = read + count, new + added, touched | ocids
        store.add_reading_events(con, events)
        store.refresh_awards(con, touched, resolvers, progress)
        rows = con.execute("SELECT count(*) FROM awards").fetchall()[0][0]
    return loading.LoadReport(read, new, rows, tuple(event[4] for event in events))


def convert(path: Path, columns: Columns) -> Converted:
    """Read one file whole and make its releases; InputError when nothing in it is usable."""
    kind, mapping = recognise(path, columns)
    file = Converted(path, kind)
    for row in reading.rows(path, kind):
        file.rows.append(row)
        try:
            release = cf_export.to_release(row) if kind == CF_CSV else registers.to_release(row, mapping, columns.buyer)
        except CellError as exc:
            file.events.append((None, None, None, ROW_NOT_READ,
                                f"{path} line {row.line}: {exc}"))
            continue
        if release is None:
            file.not_awards += 1
        else:
            file.releases.append(raw_release(kind, linked(release, columns.url) if kind == REGISTER else release))
    if not file.releases:
        problem = file.events[0][4].split(": ", 1)[1] if file.events else "no row is an awarded contract"
        raise InputError(str(path), f"has no usable rows ({len(file.rows):,} read; first problem: {problem})"
                         if file.events else f"has no usable rows ({problem})")
    return file


def recognise(path: Path, columns: Columns) -> tuple[str, registers.Mapping | None]:
    """What the file is, from its header: a mapping given wins, then the Contracts Finder
    export, then the LGA schema; anything else needs a mapping."""
    header = reading.header(path)
    given = {**(registers.load_mapping(columns.mapping_file).columns() if columns.mapping_file else {}),
             **registers.mapping_from_options(list(columns.options))}
    if given:
        return REGISTER, registers.resolve(registers.Mapping(**given), header, str(path))
    if cf_export.recognises(header):
        return CF_CSV, None
    if registers.recognises_lga(header):
        return REGISTER, registers.resolve(registers.Mapping(**registers.LGA), header, str(path))
    shown = ", ".join(header[:12]) + (f" and {len(header) - 12} more" if len(header) > 12 else "")
    raise InputError(str(path), "is a table that is neither a Contracts Finder export nor an LGA contracts "
                                f"register: map its columns with --columns MAP.toml or --column field=\"Header\" "
                                f"(its columns: {shown})")


def linked(release: dict, url: str | None) -> dict:
    """A register row's release linking to the published register (`--url`), when given."""
    if url:
        for award in release["awards"]:
            award["documents"] = [{"id": "register", "documentType": "contractsRegister", "url": url}]
    return release


def raw_release(kind: str, release: dict) -> RawRelease:
    """A release made from a row, ready for the `releases` table like one received."""
    body = orjson.dumps(release).decode()
    return RawRelease(source=kind, ocid=release["ocid"], release_id=release["id"],
                      release_date=release.get("date"), tags="award", json=body,
                      content_hash=hashlib.sha256(body.encode()).hexdigest())
