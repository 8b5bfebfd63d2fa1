"""Postcodes placed through an ONS postcode directory (NSPL or ONSPD), for offline use.

DESIGN.md puts the ONS directory second in the resolution order, after the store's cache
and before postcodes.io. The real file is a ~2.7 million row CSV (about 1 GB), usually
inside the ONS zip, so it is never read whole: it is streamed in chunks of a few columns,
either once per `OnsResolver.resolve` call, or once by `import_ons` into the store's
`ons_postcodes` table, which `OnsTableResolver` then queries with one join.

Editions rename columns (legacy `laua`, 2025+ `lad25cd`, sometimes upper case), so columns
are chosen by pattern (api-spec section 4.1). Codes become names through the fixed region
and country tables below and, when the zip ships them, its `Documents/` lookup CSVs.
"""

import io
import re
import zipfile
import zlib
from contextlib import closing, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

import pandas as pd

from loaders.errors import InputError
from loaders.geography.places import PLACE_COLUMNS, Place
from loaders.geography.postcodes import normalise_postcode
from loaders.storage import store

CHUNK_ROWS = 50_000  # rows per chunk: ~50 MB peak over NSPL's ~40 columns, whatever the file's size
TABLE = "ons_postcodes"
TABLE_SOURCE = "ons import"
Progress = Callable[[int], None]

# Column roles, each the first header matching its pattern (case-insensitive; section 4.1).
# The postcode is a list in order of preference: `pcds` is "OUT IN"; `pcd`/`pcd7` are
# 7-character fixed width ("AB1  0AA") and `pcd2` 8-character, so they are normalised.
POSTCODE_COLUMNS = ("pcds", "pcd", "pcd7", "pcd2")
COLUMN_PATTERNS = {
    "district": r"laua|oslaua|lad\d{2}cd",  # ONSPD says oslaua; 2025+ editions lad25cd
    "county": r"cty|oscty|cty\d{2}cd",
    "region": r"rgn|gor|rgn\d{2}cd",  # `gor` (Government Office Region) in old editions
    "country": r"ctry|ctry\d{2}cd",
    "latitude": r"lat",
    "longitude": r"long",
    "terminated": r"doterm",  # YYYYMM of termination, blank while the postcode is live
}
REQUIRED = ("postcode", "district", "latitude", "longitude")

# Section 4.2: E12 region codes (E12000007 London is confirmed, the rest from the same series).
REGION_NAMES = {
    "E12000001": "North East", "E12000002": "North West", "E12000003": "Yorkshire and The Humber",
    "E12000004": "East Midlands", "E12000005": "West Midlands", "E12000006": "East of England",
    "E12000007": "London", "E12000008": "South East", "E12000009": "South West",
}
# Country codes E92000001, W92000004, S92000003, N92000002, and the Channel Islands
# (L93000001) and Isle of Man (M83000003) pseudo countries: the first letter is enough,
# and is also the first letter of every district and pseudo code in that country.
COUNTRY_BY_LETTER = {
    "E": "England", "W": "Wales", "S": "Scotland", "N": "Northern Ireland",
    "L": "Channel Islands", "M": "Isle of Man",
}
NATIONS = ("Wales", "Scotland", "Northern Ireland")  # no English-style region: the nation stands in
COUNTY_PREFIXES = ("E10", "E11")  # shire and metropolitan counties; anything else is a pseudo code
PSEUDO_CODE = r"[A-Z]9{8}"  # ONS "no such area" codes: E99999999, W99999999, L99999999...
MAX_LATITUDE = 90.0  # rows with no grid reference carry lat 99.999999 (and long 0.000000)

# A CSV in the zip that is a names/codes lookup, not the directory itself
# ("LA_UA names and codes UK as at 04_25.csv", "Country names and codes UK as at 08_12.csv").
LOOKUP_FILE_NAME = re.compile(r"names?\b.*\bcodes?|codes?\b.*\bnames?|lookup", re.IGNORECASE)
# Header pairs that make a Documents/ CSV a lookup of district or county names (LAD25CD, LAD25NM).
NAME_LOOKUPS = {
    "lad": (r"lad(\d{2})?cd", r"lad(\d{2})?nm"),
    "county": (r"cty(\d{2})?cd", r"cty(\d{2})?nm"),
}
# dtype=str: codes keep their leading zeros, and lat/long are converted by us (section 4.1).
# utf-8-sig: some ONS extracts start with a byte-order mark before the first header.
READ_OPTIONS = dict(dtype=str, keep_default_na=False, encoding="utf-8-sig", encoding_errors="replace")
_READ_ERRORS = (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError,
                zipfile.BadZipFile, zlib.error, EOFError)

TABLE_COLUMN_TYPES = {
    "postcode": "VARCHAR", "lad_code": "VARCHAR", "lad_name": "VARCHAR", "county_code": "VARCHAR",
    "county_name": "VARCHAR", "region": "VARCHAR", "country": "VARCHAR",
    "latitude": "DOUBLE", "longitude": "DOUBLE", "terminated": "BOOLEAN",
}
PLACE_FIELDS = tuple(c for c in PLACE_COLUMNS if c not in ("precision", "source"))
assert tuple(TABLE_COLUMN_TYPES) == ("postcode", *PLACE_FIELDS, "terminated")


@dataclass(frozen=True)
class Names:
    """District and county names by code, from the zip's Documents/ lookups (or empty)."""
    lad: dict
    county: dict


class OnsDirectory:
    """One ONS postcode directory file (CSV, or the ONS zip): its columns, names and rows.

    Opening it reads only the header (and the small name lookups), so a file without the
    needed columns fails with InputError before anything is streamed or written.
    """

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.name = self.path.name
        if not self.path.is_file():
            raise InputError(str(self.path), "no such ONS postcode directory file")
        self.member, self.names = _open_zip(self.path) if _is_zip(self.path) else (None, Names({}, {}))
        self.columns = _choose_columns(self._label(), self._header())

    def chunks(self, chunksize: int = CHUNK_ROWS) -> Iterator[pd.DataFrame]:
        """The chosen columns, renamed to their roles, `chunksize` rows at a time."""
        try:
            with _opened(self.path, self.member) as handle, pd.read_csv(
                    handle, chunksize=chunksize, usecols=list(self.columns), **READ_OPTIONS) as reader:
                for chunk in reader:
                    yield chunk.rename(columns=self.columns)
        except _READ_ERRORS as exc:
            raise InputError(self._label(), f"is not a readable ONS postcode CSV ({exc})") from exc

    def _header(self) -> list[str]:
        """The column names, read without reading any row."""
        try:
            with _opened(self.path, self.member) as handle:
                return list(pd.read_csv(handle, nrows=0, **READ_OPTIONS).columns)
        except _READ_ERRORS as exc:
            raise InputError(self._label(), f"is not a readable ONS postcode CSV ({exc})") from exc

    def _label(self) -> str:
        """The file named in errors: the path, and the member when it is a zip."""
        return f"{self.path} ({self.member})" if self.member else str(self.path)


class OnsResolver:
    """A Resolver that streams the ONS file once per call, keeping only the wanted rows."""

    def __init__(self, path: str | Path, chunksize: int = CHUNK_ROWS, progress: Progress | None = None):
        self.directory = OnsDirectory(path)
        self.name = self.directory.name
        self.chunksize = chunksize
        self.progress = progress

    def resolve(self, postcodes: Iterable[str]) -> dict[str, Place]:
        """Places for the wanted postcodes, keyed by the strings given.

        Terminated postcodes are kept (older notices still use them) at "terminated"
        precision; the scan stops early once every wanted postcode has a live row.
        """
        wanted = _wanted(postcodes)
        found: dict[str, Place] = {}
        if not wanted:
            return found
        keys, asked_count = set(wanted), sum(map(len, wanted.values()))
        with closing(self.directory.chunks(self.chunksize)) as chunks:
            for chunk in chunks:
                hits = chunk[_normalise_postcodes(chunk["postcode"]).isin(keys)]
                _keep(found, wanted, _records(tidy(hits, self.directory.names)), self.name)
                if self.progress:
                    self.progress(len(chunk))
                if len(found) == asked_count and all(p.precision == "unit" for p in found.values()):
                    break  # every wanted postcode has a live row: the rest of the file cannot improve on it
        return found


class OnsTableResolver:
    """A Resolver over the `ons_postcodes` table that `import_ons` wrote into the store."""

    name = TABLE_SOURCE

    def __init__(self, con):
        self.con = con

    def resolve(self, postcodes: Iterable[str]) -> dict[str, Place]:
        """Places for the wanted postcodes from one join; nothing if no ONS file was imported."""
        wanted = [(asked, key) for key, asks in _wanted(postcodes).items() for asked in asks]
        if not wanted or not _has_table(self.con):
            return {}
        self.con.register("ons_wanted", pd.DataFrame(wanted, columns=["asked", "postcode"], dtype=str))
        try:
            cursor = self.con.execute(f"""
                SELECT w.asked, {", ".join("o." + c for c in TABLE_COLUMN_TYPES)}
                FROM ons_wanted w JOIN {TABLE} o ON o.postcode = w.postcode
                QUALIFY row_number() OVER (PARTITION BY w.asked ORDER BY o.terminated) = 1""")
            names = [d[0] for d in cursor.description]
            rows = [dict(zip(names, values)) for values in cursor.fetchall()]
        finally:
            self.con.unregister("ons_wanted")
        return {row["asked"]: _place(row, TABLE_SOURCE) for row in rows}


def import_ons(store_path: str | Path, path: str | Path, progress: Progress | None = None,
               chunksize: int = CHUNK_ROWS) -> int:
    """Replace the store's `ons_postcodes` table with the ONS file's rows; return how many.

    The whole import runs inside `store.writing`, so a file that turns out to be bad
    half-way (a broken row, a truncated zip) leaves the store exactly as it was.
    `progress(n)` is called after each chunk with the rows it held (tqdm's `update`).
    """
    directory = OnsDirectory(path)  # header checked before the store is copied
    total = 0
    with store.writing(store_path) as con:
        con.execute(f"CREATE OR REPLACE TABLE {TABLE} "
                    f"({', '.join(f'{c} {t}' for c, t in TABLE_COLUMN_TYPES.items())})")
        for chunk in directory.chunks(chunksize):
            total += _insert(con, tidy(chunk, directory.names))
            if progress:
                progress(len(chunk))
    return total


def tidy(chunk: pd.DataFrame, names: Names) -> pd.DataFrame:
    """Role-named raw rows -> the `ons_postcodes` columns: postcodes normalised, codes named,
    pseudo codes and placeholder coordinates made missing. Vectorised: it sees every row."""
    frame = pd.DataFrame(index=chunk.index)
    frame["postcode"] = _normalise_postcodes(chunk["postcode"])
    district = _codes(chunk["district"])
    frame["lad_code"] = district.where(~district.str.fullmatch(PSEUDO_CODE))
    frame["lad_name"] = _named(frame["lad_code"], names.lad)
    county = _codes(_optional(chunk, "county"))
    frame["county_code"] = county.where(county.str.startswith(COUNTY_PREFIXES))
    frame["county_name"] = _named(frame["county_code"], names.county)
    country = _country(_codes(_optional(chunk, "country")), district)
    frame["region"] = _region(_codes(_optional(chunk, "region")), country)
    frame["country"] = country
    frame["latitude"], frame["longitude"] = _coordinates(chunk["latitude"], chunk["longitude"])
    frame["terminated"] = _optional(chunk, "terminated").str.strip() != ""
    return frame[frame["postcode"].notna()].reset_index(drop=True)


# --- reading the file ------------------------------------------------------------------


def _is_zip(path: Path) -> bool:
    """A .zip by name or by content (a renamed download is still a zip)."""
    return path.suffix.lower() == ".zip" or zipfile.is_zipfile(path)


def _open_zip(path: Path) -> tuple[str, Names]:
    """The directory CSV inside the ONS zip, and the names its Documents/ lookups give."""
    try:
        with zipfile.ZipFile(path) as archive:
            csvs = [i for i in archive.infolist() if i.filename.lower().endswith(".csv") and not i.is_dir()]
            member = _data_member(path, csvs)
            names = _zip_names(archive, [i for i in csvs if i.filename != member])
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError) as exc:
        raise InputError(str(path), f"is not a readable zip ({exc})") from exc
    return member, names


def _data_member(path: Path, csvs: list[zipfile.ZipInfo]) -> str:
    """The largest CSV that is not a names/codes lookup.

    The real zip holds the full directory under Data/, per-area splits under
    Data/multi_csv/ (each smaller), and the lookups under Documents/.
    """
    candidates = [i for i in csvs if not LOOKUP_FILE_NAME.search(Path(i.filename).name)]
    if not candidates:
        raise InputError(str(path), "zip holds no postcode directory CSV "
                                    f"(files: {', '.join(i.filename for i in csvs) or 'none'})")
    return max(candidates, key=lambda i: i.file_size).filename


def _zip_names(archive: zipfile.ZipFile, csvs: list[zipfile.ZipInfo]) -> Names:
    """District and county names from whichever small CSVs have LADyyCD/LADyyNM or
    CTYyyCD/CTYyyNM headers: their file names change with every edition, their headers less."""
    found = {"lad": {}, "county": {}}
    for info in csvs:
        if info.file_size > 50_000_000:  # a lookup is a few hundred rows; skip anything huge
            continue
        frame = _small_csv(archive.read(info))
        if frame is None:
            continue
        for kind, (code_pattern, name_pattern) in NAME_LOOKUPS.items():
            code, name = _first_match(frame.columns, code_pattern), _first_match(frame.columns, name_pattern)
            if code and name and not found[kind]:
                found[kind] = dict(zip(frame[code].str.strip(), frame[name].str.strip()))
    return Names(found["lad"], found["county"])


def _small_csv(data: bytes) -> pd.DataFrame | None:
    """A lookup CSV, decoded as UTF-8 (with or without BOM) or else Windows-1252:
    ONS lookups are not consistently encoded, and Welsh names ("Ynys Môn") need the right one."""
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        try:
            return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, pd.errors.EmptyDataError):
            return None
    return None


@contextmanager
def _opened(path: Path, member: str | None):
    """A binary handle on the CSV, or on the member streamed (not extracted) out of the zip."""
    if member is None:
        with open(path, "rb") as handle:
            yield handle
    else:
        with zipfile.ZipFile(path) as archive, archive.open(member) as handle:
            yield handle


def _choose_columns(label: str, header: list[str]) -> dict[str, str]:
    """{header name: role} for each role found; InputError listing the header if a required
    role is missing."""
    chosen = {}
    postcode = next((c for want in POSTCODE_COLUMNS for c in header if c.strip().lower() == want), None)
    if postcode is not None:
        chosen[postcode] = "postcode"
    for role, pattern in COLUMN_PATTERNS.items():
        match = _first_match(header, pattern)
        if match is not None and match not in chosen:
            chosen[match] = role
    missing = [role for role in REQUIRED if role not in chosen.values()]
    if missing:
        raise InputError(label, f"is not an ONS postcode directory: no column for {', '.join(missing)} "
                                f"(columns: {', '.join(header) or 'none'})")
    return chosen


def _first_match(columns, pattern: str) -> str | None:
    return next((c for c in columns if re.fullmatch(pattern, str(c).strip(), re.IGNORECASE)), None)


# --- turning codes into places -----------------------------------------------------------


def _optional(chunk: pd.DataFrame, role: str) -> pd.Series:
    """A role's column, or blanks when this edition lacks it (county, region, country, doterm)."""
    if role in chunk.columns:
        return chunk[role]
    return pd.Series("", index=chunk.index, dtype="str")


def _codes(column: pd.Series) -> pd.Series:
    """GSS codes stripped and upper-cased, blanks made missing."""
    codes = column.str.strip().str.upper()
    return codes.where(codes != "")


def _named(codes: pd.Series, names: dict) -> pd.Series:
    if not names:
        return pd.Series(None, index=codes.index, dtype="str")
    return codes.map(names).astype("str")


def _normalise_postcodes(column: pd.Series) -> pd.Series:
    """"OUT IN" from pcds, or from the fixed-width pcd/pcd7 ("AB1  0AA") and pcd2 forms."""
    compact = column.str.upper().str.replace(r"[^A-Z0-9]", "", regex=True)
    normal = compact.str[:-3] + " " + compact.str[-3:]
    return normal.where(compact.str.len().between(5, 7))


def _country(country_codes: pd.Series, district: pd.Series) -> pd.Series:
    """The country from its code's first letter, else from the district code's letter
    (a file without a country column still says W06... for Wales)."""
    letters = country_codes.fillna(district).str[:1]
    return letters.map(COUNTRY_BY_LETTER).astype("str")


def _region(region_codes: pd.Series, country: pd.Series) -> pd.Series:
    """English regions by E12 code; the nation for Wales, Scotland and Northern Ireland,
    whose rgn is a pseudo code (W99999999...); none for the Channel Islands and Isle of Man."""
    regions = region_codes.map(REGION_NAMES).astype("str")
    return regions.where(~country.isin(NATIONS), country)


def _coordinates(latitude: pd.Series, longitude: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Floats, with rows lacking a grid reference (lat 99.999999, long 0) made missing."""
    lat = pd.to_numeric(latitude.str.strip(), errors="coerce")
    lon = pd.to_numeric(longitude.str.strip(), errors="coerce")
    placed = lat.abs().le(MAX_LATITUDE) & lon.abs().le(180)
    return lat.where(placed).astype("float64"), lon.where(placed).astype("float64")


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with None, not NaN, for missing values."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _place(row: dict, source: str) -> Place:
    """A Place from an `ons_postcodes` row; terminated postcodes keep their place but say so."""
    values = {c: row[c] for c in PLACE_FIELDS}
    for c in ("latitude", "longitude"):
        values[c] = None if values[c] is None else float(values[c])
    return Place(**values, precision="terminated" if row["terminated"] else "unit", source=source)


def _keep(found: dict, wanted: dict, rows: list[dict], source: str) -> None:
    """Add the rows' places to `found`, a live row replacing a terminated one."""
    for row in rows:
        place = _place(row, source)
        for asked in wanted[row["postcode"]]:
            if asked not in found or found[asked].precision == "terminated":
                found[asked] = place


def _wanted(postcodes: Iterable[str]) -> dict[str, list[str]]:
    """{normalised postcode: [the strings asked for]}, dropping anything not a postcode."""
    wanted: dict[str, list[str]] = {}
    for asked in dict.fromkeys(postcodes):
        key = normalise_postcode(asked)
        if key:
            wanted.setdefault(key, []).append(asked)
    return wanted


def _insert(con, frame: pd.DataFrame) -> int:
    """Append one tidied chunk to the table."""
    con.register("ons_chunk", frame)
    try:
        con.execute(f"INSERT INTO {TABLE} SELECT {', '.join(TABLE_COLUMN_TYPES)} FROM ons_chunk")
    finally:
        con.unregister("ons_chunk")
    return len(frame)


def _has_table(con) -> bool:
    return bool(con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = ? "
                            "AND database_name = current_database()", [TABLE]).fetchall()[0][0])
