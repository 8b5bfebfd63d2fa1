"""`python -m loaders ...`: thin commands over the library, one readable line per error."""

import argparse
import json
import sys
from pathlib import Path

from tqdm import tqdm

from datetime import datetime, timezone

from loaders import info
from loaders.errors import InputError, LoaderError
from loaders.geography import boundaries, geocoding, ons
from loaders.sources import demo, refresh
from loaders.storage import loading, store, writers
from loaders.tabular import importing, reading
from queries import export


def main(argv: list[str] | None = None) -> int:
    """Run one command; return the exit code (0 done, 2 bad input or store).

    The command's writes record it in the store's lock, and say once whom they wait for."""
    args = _parser().parse_args(argv)
    try:
        with writers.writer(command=args.name, replace_demo=getattr(args, "replace_demo", False),
                            on_wait=_notice):
            args.command(args)
    except LoaderError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m loaders", description=__doc__)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--store", help="store file (default: $AWARDS_STORE, else data/awards.duckdb)")
    common.add_argument("--quiet", action="store_true", help="no progress bar")
    commands = parser.add_subparsers(required=True, metavar="command")

    cmd = commands.add_parser("demo", parents=[common], help="build the demo store (invented suppliers)")
    cmd.add_argument("--force", action="store_true", help="replace a store that holds real data")
    cmd.set_defaults(command=_demo, name="demo")

    cmd = commands.add_parser("import", parents=[common], help="load OCDS files (packages, releases, JSON lines), "
                                                               "or tables (.csv, .xlsx): a Contracts Finder export "
                                                               "or a council contracts register")
    cmd.add_argument("files", nargs="+", type=Path)
    cmd.add_argument("--columns", type=Path, help="tables: a TOML file mapping fields to a register's columns")
    cmd.add_argument("--column", action="append", default=[], metavar='FIELD="Header"',
                     help="tables: one field's column, e.g. supplier=\"Supplier Company Name\"; repeatable")
    cmd.add_argument("--buyer", help="tables: the buyer of every row of a register that names none")
    cmd.add_argument("--url", help="tables: the web page the register is published on (its rows' link)")
    cmd.add_argument("--lookup", action="append", default=[], type=Path,
                     help="postcode lookup CSV (postcode, sector or district level); repeatable")
    cmd.add_argument("--force", dest="replace_demo", action="store_true", help=REPLACE_DEMO)
    cmd.set_defaults(command=_import, name="import")

    cmd = commands.add_parser("refresh", parents=[common], help="pull live data incrementally (resumable)")
    cmd.add_argument("--source", required=True, choices=[*refresh.SOURCES, "all"])
    cmd.add_argument("--since", type=_instant, help="start (YYYY-MM-DD or ISO time, UTC); "
                                                    "default: where the last refresh of the source ended")
    cmd.add_argument("--until", type=_instant, help="end (default: now)")
    cmd.add_argument("--base-url", help="another base URL for the source (a mirror); one source only")
    cmd.add_argument("--rate-limit-wait", type=float, help="seconds to wait when rate limited "
                                                           "without a Retry-After (default: the source's)")
    cmd.add_argument("--notice-types", metavar="all|3,6,...",
                     help="Public Contracts Scotland and Sell2Wales: the notice types to fetch, "
                          "all or a comma-separated list (default: the award notice types)")
    cmd.add_argument("--ca-bundle", metavar="FILE", help="a PEM file of CA certificates to trust, "
                                                         "for a host whose certificate chain cannot be verified")
    cmd.add_argument("--force", dest="replace_demo", action="store_true", help=REPLACE_DEMO)
    cmd.set_defaults(command=_refresh, name="refresh")

    cmd = commands.add_parser("geocode", parents=[common], help="place unknown postcodes, re-derive locality")
    cmd.add_argument("--lookup", action="append", default=[], type=Path, help="postcode lookup CSV; repeatable")
    cmd.add_argument("--ons", action="append", default=[], type=Path,
                     help="ONS postcode directory (NSPL/ONSPD CSV or zip); repeatable")
    cmd.add_argument("--offline", action="store_true", help="do not ask postcodes.io")
    cmd.set_defaults(command=_geocode, name="geocode")

    geography = commands.add_parser("geography", help="geography data: ONS postcode directory, boundaries")
    geo_commands = geography.add_subparsers(required=True, metavar="action")
    cmd = geo_commands.add_parser("import-ons", parents=[common], help="import an ONS postcode directory")
    cmd.add_argument("file", type=Path)
    cmd.set_defaults(command=_import_ons, name="geography import-ons")
    cmd = geo_commands.add_parser("boundaries", parents=[common], help="store council boundaries for maps")
    cmd.add_argument("--file", type=Path, help="a GeoJSON file of district boundaries (else download)")
    cmd.add_argument("--url", help=f"download from this URL (default: ${boundaries.URL_ENV}, else the ONS portal)")
    cmd.set_defaults(command=_boundaries, name="geography boundaries")

    cmd = commands.add_parser("rebuild", parents=[common], help="re-derive awards from the stored releases")
    cmd.add_argument("--lookup", action="append", default=[], type=Path)
    cmd.set_defaults(command=_rebuild, name="rebuild")

    cmd = commands.add_parser("export", parents=[common], help="write the awards table (all columns), CSV or Parquet",
                              description=EXPORT_HELP)
    cmd.add_argument("--out", required=True, type=Path, help="FILE.csv (or no extension) or FILE.parquet")
    cmd.add_argument("--raw", action="store_true",
                     help="CSV: write formula-like cells as stored, without the apostrophe (fidelity, not safety)")
    cmd.set_defaults(command=_export, name="export")

    cmd = commands.add_parser("info", parents=[common], help="counts, date range, sources, data quality, "
                                                             "files left by stopped writes")
    cmd.add_argument("--json", action="store_true")
    cmd.set_defaults(command=_info, name="info")
    return parser


WARNINGS_SHOWN = 10  # lines not UTF-8 and table rows not read, printed by an import; the rest are counted
REPLACE_DEMO = "into a demo store: replace it with a fresh store holding the real data only (else refused)"
EXPORT_HELP = """Write every column of the awards table, one row per award x supplier: Parquet when
--out ends in .parquet (as stored: analysis tools read it, spreadsheets do not run it), else
CSV. CSV is safe to open in a spreadsheet by default: a text cell starting with = + - @, a tab
or a carriage return (which a spreadsheet would run as a formula, such as =HYPERLINK(...)) gets
a leading apostrophe, as in the dashboard's downloads; --raw writes such cells as stored."""


def _notice(message: str) -> None:
    """A line on stderr that leaves any progress bar drawn below it intact."""
    tqdm.write(message, file=sys.stderr)


class _Bar:
    """A tqdm bar counting releases (off with --quiet); its update() is the progress callback.

    It is drawn from the first release counted, so its clock leaves out the reading of the
    files and any wait for another writer's lock; and after a delay, so a bad input fails
    with its one error line on stderr and no empty bar before it.
    """

    def __init__(self, quiet: bool, description: str):
        self.quiet, self.description, self.bar = quiet, description, None

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.close()

    def update(self, releases: int) -> None:
        if self.bar is None:
            self.bar = tqdm(desc=self.description, unit=" releases", disable=self.quiet, file=sys.stderr,
                            delay=0.5)
        self.bar.update(releases)


def _bar(args, description: str) -> _Bar:
    return _Bar(args.quiet, description)


def _report(args, report: loading.LoadReport, verb: str) -> None:
    for warning in report.warnings[:WARNINGS_SHOWN]:  # shown even with --quiet: the data is not as published
        print(f"warning: {warning}", file=sys.stderr)
    if len(report.warnings) > WARNINGS_SHOWN:
        print(f"warning: and {len(report.warnings) - WARNINGS_SHOWN:,} more (python -m loaders info counts them "
              "among the quality events)", file=sys.stderr)
    if not args.quiet:
        print(f"{verb}: {report.releases_read:,} releases read, {report.releases_new:,} new; "
              f"{report.award_rows:,} award rows in {store.store_path(args.store)}")


def _demo(args) -> None:
    with _bar(args, "demo") as bar:
        report = demo.build(store.store_path(args.store), force=args.force, progress=bar.update)
    _report(args, report, "demo")


def _import(args) -> None:
    path = store.store_path(args.store)
    store.refuse_real_into_demo(path)  # before any file is read
    tables = [reading.is_table(file) for file in args.files]
    if any(tables) and not all(tables):
        raise InputError(str(args.files[tables.index(False) if tables[0] else tables.index(True)]),
                         "mixes tables and OCDS files in one import: import them in two commands")
    if not any(tables) and (args.columns or args.column or args.buyer or args.url):
        raise InputError(str(args.files[0]), "--columns, --column, --buyer and --url are for tables (.csv, .xlsx)")
    with _bar(args, "normalising") as bar:
        if any(tables):
            columns = importing.Columns(args.columns, tuple(args.column), args.buyer, args.url)
            report = importing.import_tables(args.files, path, columns, args.lookup, bar.update)
        else:
            report = loading.import_files(args.files, path, args.lookup, bar.update)
    _report(args, report, "imported")


def _rebuild(args) -> None:
    with _bar(args, "rebuilding") as bar:
        report = loading.rebuild(store.store_path(args.store), args.lookup, bar.update)
    _report(args, report, "rebuilt")


def _instant(text: str) -> datetime:
    """A date or ISO date-time from the command line, as a UTC instant."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (YYYY-MM-DD) or ISO date-time")
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _refresh(args) -> None:
    names = list(refresh.SOURCES) if args.source == "all" else [args.source]
    if args.base_url and len(names) > 1:
        raise LoaderError("--base-url", "names one source's URL: use it with a single --source")
    path = store.store_path(args.store)
    store.refuse_real_into_demo(path)  # before asking where each source's last refresh ended
    until = args.until or datetime.now(timezone.utc).replace(second=0, microsecond=0)
    for name in names:
        since = args.since or refresh.resume_point(path, name)
        if since is None:
            raise LoaderError(name, "has never been refreshed into this store: give --since DATE")
        config = refresh.config_for(name, args.base_url, args.rate_limit_wait, args.notice_types, args.ca_bundle)
        with TerminalProgress(args.quiet) as progress:
            refresh.refresh(config, path, _utc(since), until, progress=progress)


def _utc(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


class TerminalProgress:
    """A tqdm bar of windows done, with releases so far and any current wait."""

    def __init__(self, quiet: bool):
        self.quiet, self.bar, self.releases = quiet, None, 0

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self.bar:
            self.bar.close()

    def start(self, source, total_windows, already_done):
        self.bar = tqdm(total=total_windows, initial=already_done, desc=source, unit=" windows",
                        disable=self.quiet, file=sys.stderr, delay=0.5)
        self._close_when_done()

    def page(self, releases):
        self.releases += releases
        self.bar.set_postfix_str(f"{self.releases:,} releases")

    def window_done(self):
        self.bar.update(1)
        self._close_when_done()

    def _close_when_done(self):
        """The bar ends with the last window: the merge after it, and any wait for the
        store's lock, are not windows."""
        if self.bar.n >= self.bar.total:
            self.bar.close()

    def waiting(self, seconds, why):
        self.bar.set_postfix_str(f"{self.releases:,} releases; {why}: {seconds:.0f} s")

    def note(self, message):
        if not self.quiet or ": GAP, " in message:  # a gap is said even with --quiet: data is missing
            tqdm.write(message, file=sys.stderr)


def _geocode(args) -> None:
    report = geocoding.geocode(store.store_path(args.store), args.lookup, args.ons, args.offline)
    if not args.quiet:
        print(f"geocoded: {report.resolved:,} of {report.asked:,} unknown postcodes placed, "
              f"{report.still_unknown:,} still unknown; {report.rows_unknown_locality:,} award rows "
              f"with unknown locality")


def _import_ons(args) -> None:
    with tqdm(desc="ONS postcodes", unit=" rows", disable=args.quiet, file=sys.stderr, delay=0.5) as bar:
        rows = ons.import_ons(store.store_path(args.store), args.file, progress=bar.update)
    if not args.quiet:
        print(f"imported {rows:,} postcodes from {args.file}")


def _boundaries(args) -> None:
    count = boundaries.load(store.store_path(args.store), args.file, args.url)
    if not args.quiet:
        print(f"stored boundaries of {count:,} districts")


def _export(args) -> None:
    export.export_format(args.out)  # a bad --out fails before the store is opened
    con = store.read_only(store.store_path(args.store))
    try:
        report = export.export_awards(con, args.out, args.raw)
    finally:
        con.close()
    if not args.quiet:
        print(f"exported {report.rows:,} award rows to {args.out} ({report.format}){_formula_note(report, args.raw)}")


def _formula_note(report: export.ExportReport, raw: bool) -> str:
    """What became of cells a spreadsheet would run as formulas, when there were any."""
    if not report.formula_cells:
        return ""
    cells = f"{report.formula_cells:,} cell{'s' if report.formula_cells != 1 else ''}"
    if raw:
        return f"; {cells} starting like a formula written as stored (--raw): a spreadsheet may run them"
    return f"; {cells} starting like a formula (= + - @) now start with an apostrophe (--raw keeps them as stored)"


def _info(args) -> None:
    summary = info.summary(store.store_path(args.store))
    print(json.dumps(summary, indent=2) if args.json else info.format_summary(summary))
