"""Reading OCDS from files and API pages: release packages, record packages, single releases, JSON lines.

Files are streamed, so memory does not grow with the file: JSON lines are read one line at
a time, a single document (a package) through an incremental parser (ijson), its releases
handed on one by one as they are parsed. A file that cannot be read fails on the first
bytes that show it (`sniff` looks at the first line only); a file found bad part-way fails
there, and the caller (loading.import_files) has written only to the temporary copy of the
store, which is then dropped.

Text is decoded honestly: strict UTF-8 first, and only the line (JSON lines) or the file
(a single document) that is not UTF-8 is read as windows-1252, recorded as a quality event
naming the file and line. Find a Tender's numbers that are not valid JSON are patched
outside strings only, so the text of every string is kept as published.
"""

import codecs
import hashlib
import math
import re
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Iterator

import ijson
import orjson

from loaders.errors import InputError

# Publisher ocid prefixes (OCDS registry): they tell where a release was published even
# when it reaches us through a file.
OCID_PREFIXES = {"ocds-b5fd17": "contracts-finder", "ocds-h6vhtk": "find-a-tender",
                 "ocds-r6ebe6": "public-contracts-scotland", "ocds-kuma6s": "sell2wales"}

# The quality event of text that was not UTF-8 and was read with the fallback. It is about
# how a file was read, not derived from the releases, so re-deriving awards keeps it.
NOT_UTF8 = "text_not_utf8"
FALLBACK = "windows-1252"
# windows-1252 as browsers read it (WHATWG): the five bytes cp1252 leaves undefined are
# read as ISO-8859-1, so the fallback never fails and needs one pass.
_FALLBACK_TABLE = "".join(bytes([b]).decode("cp1252", errors="ignore") or chr(b) for b in range(256))
_BOM = codecs.BOM_UTF8

# Find a Tender bodies can carry numbers that are not valid JSON (api-spec 2.2): `1e9999`
# (infinity as a double) and ` 000,` (leading zeros). kingfisher-collect replaces the bytes
# everywhere; here only number tokens outside strings are patched. One regex walks the text:
# a string (with its escapes) is matched whole and given back unchanged, so a quirk it
# matches anywhere else is outside every string.
_CANDIDATES = (b"1e9999", b" 000,")
_TOKENS = re.compile(rb'"(?:[^"\\]++|\\.)*+"?|(?<![\w.+])(?P<inf>-?1e9999)(?![\w.+-])|(?<= )(?P<zeros>000)(?=,)',
                     re.DOTALL)
# Complete strings and the text between them: where a piece of a document cut anywhere
# stops being whole (at a string it does not close).
_WHOLE = re.compile(rb'(?:[^"]++|"(?:[^"\\]++|\\.)*+")*+', re.DOTALL)
_NUMBER_CHARS = b"-+.0123456789eE "

LINES, DOCUMENT = "JSON lines", "a JSON document"
_PROBE = 16 * 1024 * 1024  # the longest first line read to tell JSON lines from a document
_CHUNK = 1024 * 1024  # what a document is read in
_LONGEST_HELD = 64 * 1024 * 1024  # a string (or run of digits) longer than this is not OCDS


@dataclass(frozen=True)
class RawRelease:
    """One release as received, ready for the `releases` table."""
    source: str
    ocid: str
    release_id: str
    release_date: str | None
    tags: str
    json: str
    content_hash: str
    fetched_at: datetime | None = None  # when a refresh fetched its page; None: now, on storing


# A quality_events row: (ocid, release_id, award_id, kind, detail).
Event = tuple[str | None, str | None, str | None, str, str]


def source_of(ocid: str, default: str = "file") -> str:
    """contracts-finder / find-a-tender from the ocid prefix; `default` for other publishers."""
    return OCID_PREFIXES.get(ocid[:11], default) if ocid else default


def read_file(path: str | Path, source: str | None = None) -> list[RawRelease]:
    """Every release in one small file (the demo's packages), as a list."""
    return list(read_releases(path, source))


def read_releases(path: str | Path, source: str | None = None,
                  events: list[Event] | None = None) -> Iterator[RawRelease]:
    """The releases of one file, one at a time; raises InputError naming the file (at the
    point where it shows itself bad) if it is not usable OCDS. Text read with the fallback
    is appended to `events`."""
    path = Path(path)
    name = str(path)
    events = [] if events is None else events
    with _open(path, name) as handle:
        form = _sniff(handle, name)
        handle.seek(0)
        releases = _lines(handle, name, source, events) if form == LINES else _document(handle, name, source, events)
        count = 0
        for count, release in enumerate(releases, start=1):
            yield release
    if not count:
        raise InputError(name, "holds no releases (an empty package?)")


def sniff(path: str | Path) -> str:
    """LINES or DOCUMENT from the first line alone; InputError if the file is missing,
    unreadable, empty or does not begin as JSON. Cheap, so every file of an import is
    checked before the store is touched."""
    path = Path(path)
    with _open(path, str(path)) as handle:
        return _sniff(handle, str(path))


def _open(path: Path, name: str):
    if not path.is_file():
        raise InputError(name, "no such file")
    try:
        return open(path, "rb")
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror})") from exc


def _sniff(handle, name: str) -> str:
    """A first line that is whole JSON makes the file JSON lines (a one-line package too);
    one that begins an object or a list, a document. A file whose first character cannot
    begin JSON fails on it, before its first line is read."""
    start = _first_character(handle, name)
    if start not in b'{["-0123456789tfn':
        raise InputError(name, f"is not valid JSON (it begins {_shown(handle.read(20))})")
    handle.seek(0)
    line = handle.readline(_PROBE).removeprefix(_BOM)
    while not line.strip():
        line = handle.readline(_PROBE)
    problem = f"it begins {_shown(line.lstrip()[:20])}"
    if line.endswith(b"\n") or len(line) < _PROBE:
        try:
            document, _ = _parse_text(line)
        except orjson.JSONDecodeError as exc:
            problem = str(exc)
        else:
            if not isinstance(document, (dict, list)):
                raise InputError(name, "is not OCDS (expected a JSON object or list of objects)")
            return LINES
    if start in b"{[":
        return DOCUMENT
    raise InputError(name, f"is not valid JSON ({problem})")


def _first_character(handle, name: str) -> bytes:
    """The first byte that is not white space (after a byte order mark), the handle left on it."""
    chunk = handle.read(_CHUNK).removeprefix(_BOM)
    while chunk:
        text = chunk.lstrip()
        if text:
            handle.seek(-len(text), 1)
            return text[:1]
        chunk = handle.read(_CHUNK)
    raise InputError(name, "is empty")


def _shown(data: bytes) -> str:
    return repr(data.decode("utf-8", errors="replace"))


def parse_json(content: bytes, name: str):
    """One JSON document (an API page): strict UTF-8, else the whole page read as
    windows-1252; numbers patched outside strings."""
    try:
        return _parse_text(content.removeprefix(_BOM))[0]
    except orjson.JSONDecodeError as exc:
        raise InputError(name, f"is not valid JSON ({exc})") from exc


def _parse_text(data: bytes) -> tuple[object, UnicodeDecodeError | None]:
    """The JSON value of one line or page, and the UTF-8 error if it had to be read with the
    fallback. Valid UTF-8 is handed to the parser as it is (decoded once, by orjson)."""
    try:
        return orjson.loads(patch_numbers(data)), None
    except orjson.JSONDecodeError:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError as bad:
            return orjson.loads(patch_numbers(decode_fallback(data).encode())), bad
        raise


def decode_fallback(data: bytes) -> str:
    """Bytes that are not UTF-8 read as windows-1252 (Contracts Finder pages are not always UTF-8)."""
    return codecs.charmap_decode(data, "strict", _FALLBACK_TABLE)[0]


def patch_numbers(text: bytes) -> bytes:
    """`1e9999` -> `9999999` and ` 000,` -> ` 0,` where they are number tokens, never
    inside a string; text beginning outside a string, as a line or a page does."""
    if not any(candidate in text for candidate in _CANDIDATES):
        return text
    return _TOKENS.sub(_patched, text)


def _patched(match: re.Match) -> bytes:
    if match["inf"]:
        return match["inf"].replace(b"1e9999", b"9999999")
    if match["zeros"]:
        return b"0"
    return match[0]


# --- JSON lines ---------------------------------------------------------------------------

def _lines(handle, name: str, source: str | None, events: list[Event]) -> Iterator[RawRelease]:
    """One JSON value per line, read and decoded one line at a time."""
    for number, line in enumerate(handle, start=1):
        if number == 1:
            line = line.removeprefix(_BOM)
        if not line.strip():
            continue
        try:
            document, bad = _parse_text(line)
        except orjson.JSONDecodeError as exc:
            raise InputError(name, f"line {number} is not valid JSON ({exc})") from exc
        releases = releases_in(document, name, source)
        if bad:
            one = releases[0] if len(releases) == 1 else None
            events.append((one.ocid if one else None, one.release_id if one else None, None, NOT_UTF8,
                           f"{name} line {number}: not valid UTF-8 (byte 0x{bad.object[bad.start]:02X} at column "
                           f"{bad.start + 1}); that line was read as {FALLBACK}"))
        yield from releases


# --- a single document, streamed ------------------------------------------------------------

def _document(handle, name: str, source: str | None, events: list[Event]) -> Iterator[RawRelease]:
    """A document parsed incrementally: a package's releases (or records) handed on as each
    is parsed; anything else (a release, a list) built whole. The file is decoded as one:
    if any byte is not UTF-8, all of it is read with the fallback."""
    bad = _first_not_utf8(handle)
    handle.seek(0)
    if bad:
        line, column, byte = bad
        events.append((None, None, None, NOT_UTF8,
                       f"{name}: not valid UTF-8 (first at line {line}, column {column}: byte 0x{byte:02X}); "
                       f"the whole file was read as {FALLBACK}"))
    parser = ijson.parse(_Patched(handle, name, fallback=bool(bad)))
    try:
        yield from _top_level(parser, name, source)
        for _ in parser:  # the parser rejects anything after the document
            pass
    except ijson.JSONError as exc:
        first = str(exc.args[0] if exc.args else exc)
        first = first.decode(errors="replace") if isinstance(first, bytes) else first
        raise InputError(name, f"is not valid JSON ({first.strip().splitlines()[0]})") from exc


def _first_not_utf8(handle) -> tuple[int, int, int] | None:
    """(line, column, byte) of the first byte that is not UTF-8, the file read once in chunks."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = lines = line_start = 0  # bytes before the chunk, newlines in them, where the last line began
    chunk = handle.read(_CHUNK)
    while True:
        pending = decoder.getstate()[0]  # the start of a character cut by the previous chunk
        try:
            decoder.decode(chunk, final=not chunk)
        except UnicodeDecodeError as exc:
            position = offset - len(pending) + exc.start
            before = chunk[:max(0, position - offset)]
            newline = before.rfind(b"\n")
            start = offset + newline + 1 if newline >= 0 else line_start
            return lines + before.count(b"\n") + 1, position - start + 1, (pending + chunk)[exc.start]
        if not chunk:
            return None
        newline = chunk.rfind(b"\n")
        if newline >= 0:
            line_start = offset + newline + 1
        lines += chunk.count(b"\n")
        offset += len(chunk)
        chunk = handle.read(_CHUNK)


class _Patched:
    """The file as the parser reads it: UTF-8 (the fallback re-encoded), numbers patched
    outside strings. A piece cut inside a string, or inside a run of number characters, is
    held back until it is whole, so a patch never lands on a string or a broken token."""

    def __init__(self, handle, name: str, fallback: bool):
        self.handle, self.name, self.fallback = handle, name, fallback
        self.held, self.ready, self.first, self.done = b"", b"", True, False

    def read(self, size: int = -1) -> bytes:
        while not self.ready and not self.done:
            self.ready = self._next()
        size = len(self.ready) if size < 0 else size
        out, self.ready = self.ready[:size], self.ready[size:]
        return out

    def _next(self) -> bytes:
        chunk = self.handle.read(_CHUNK)
        if self.first:
            chunk, self.first = chunk.removeprefix(_BOM), False
        if not chunk:
            self.done = True
            return patch_numbers(self.held)
        text = self.held + (decode_fallback(chunk).encode() if self.fallback else chunk)
        whole = _WHOLE.match(text).end()
        cut = whole if whole < len(text) else len(text.rstrip(_NUMBER_CHARS))
        self.held = text[cut:]
        if len(self.held) > _LONGEST_HELD:
            raise InputError(self.name, "is not valid JSON (a string or number longer than 64 MB, "
                                        "or a string that is never closed)")
        return patch_numbers(text[:cut])


def _top_level(parser, name: str, source: str | None) -> Iterator[RawRelease]:
    """Releases from parser events: the first list of releases or records of a package
    streamed item by item, other keys built whole (a package's metadata, a release)."""
    _, event, value = next(parser)
    if event == "start_array":
        for item in _items(parser):
            yield from releases_in(item, name, source)
        return
    if event != "start_map":
        raise InputError(name, "is not OCDS (expected a JSON object or list of objects)")
    head, streamed = {}, False
    for _, event, key in parser:
        if event == "end_map":
            break
        _, event, value = next(parser)
        if key in ("releases", "records") and event == "start_array" and not streamed:
            streamed = True
            for item in _items(parser):
                if key == "releases":
                    yield _raw(item, name, source)
                else:
                    yield from (_raw(r, name, source) for r in _record_releases(item))
        else:
            head[key] = _build(parser, event, value)
    if not streamed:
        yield from releases_in(head, name, source)


def _items(parser) -> Iterator[object]:
    """The items of the list just opened, each built whole, until the list closes."""
    for _, event, value in parser:
        if event == "end_array":
            return
        yield _build(parser, event, value)


def _build(parser, event: str, value) -> object:
    """The value whose first event is (event, value), built from the events that follow."""
    builder = ijson.ObjectBuilder()
    builder.event(event, value)
    depth = 1 if event in ("start_map", "start_array") else 0
    while depth:
        _, event, value = next(parser)
        builder.event(event, value)
        depth += 1 if event in ("start_map", "start_array") else -1 if event in ("end_map", "end_array") else 0
    return builder.value


# --- releases from parsed documents -----------------------------------------------------------

def releases_in(document, name: str, source: str | None = None) -> list[RawRelease]:
    """Releases of one parsed document: a package, a record package, a release or a list."""
    if isinstance(document, list):
        return [r for item in document for r in releases_in(item, name, source)]
    if not isinstance(document, dict):
        raise InputError(name, "is not OCDS (expected a JSON object or list of objects)")
    if "releases" in document and isinstance(document["releases"], list):
        return [_raw(r, name, source) for r in document["releases"]]
    if "records" in document and isinstance(document["records"], list):
        return [_raw(r, name, source) for rec in document["records"] for r in _record_releases(rec)]
    if "ocid" in document:
        return [_raw(document, name, source)]
    raise InputError(name, "is not OCDS (no 'releases', 'records' or 'ocid')")


def _record_releases(record) -> list:
    """A record's compiled release, else its embedded full releases (linked ones are skipped)."""
    if not isinstance(record, dict):
        return [record]
    compiled = record.get("compiledRelease")
    if isinstance(compiled, dict):
        return [{"ocid": record.get("ocid"), **compiled}]
    return [r for r in record.get("releases") or [] if isinstance(r, dict) and "url" not in r]


def _raw(release, name: str, source: str | None) -> RawRelease:
    """A RawRelease kept verbatim; its hash makes re-importing the same release a no-op."""
    if not isinstance(release, dict):
        raise InputError(name, "has a release that is not a JSON object")
    body = _body(release, name)
    digest = hashlib.sha256(body.encode()).hexdigest()
    ocid = str(release.get("ocid") or "")
    tags = release.get("tag")
    return RawRelease(
        source=source or source_of(ocid),
        ocid=ocid,
        release_id=str(release.get("id") or _made_up_id(ocid, release.get("date"), digest)),
        release_date=str(release["date"]) if release.get("date") else None,
        tags=",".join(map(str, tags)) if isinstance(tags, list) else str(tags or ""),  # kept as text, whatever came
        json=body,
        content_hash=digest,
    )


def _made_up_id(ocid: str, date, digest: str) -> str:
    """The id of a release published without one (Public Contracts Scotland's): its ocid,
    its date and the first 16 hex digits of the SHA-256 of its text, e.g.
    `ocds-r6ebe6-0000579083/2019-03-28T00:00:00Z/sha256:1f0c...`. The same release always
    gets the same id; two releases of one process on one date differ in their hash."""
    return f"{ocid}/{date or 'undated'}/sha256:{digest[:16]}"


def _body(release: dict, name: str) -> str:
    """The release as JSON text, its numbers as orjson reads them (the incremental parser
    gives decimals and integers of any size: they become the same doubles), so a release
    gets the same text and hash from a package as from a JSON line."""
    try:
        return orjson.dumps(release, default=_double).decode()
    except orjson.JSONEncodeError as exc:
        if exc.__cause__ is not None:
            raise InputError(name, f"is not valid JSON ({exc.__cause__})") from exc
        return orjson.dumps(_as_doubles(release), default=_double).decode()  # "Integer exceeds 64-bit range"


def _double(value: Decimal) -> float:
    """A decimal from the incremental parser as the double orjson would have read (orjson
    calls this for decimals only: nothing else it cannot write comes from a parser)."""
    number = float(value)
    if math.isinf(number):
        raise ValueError(f"number is infinity when parsed as double: {value}")
    return number


def _as_doubles(value):
    """Integers beyond 64 bits as doubles, as orjson reads them (orjson cannot write them)."""
    if isinstance(value, dict):
        return {k: _as_doubles(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_doubles(v) for v in value]
    if isinstance(value, int) and not isinstance(value, bool) and not -2**63 <= value < 2**64:
        return float(value)
    return value
