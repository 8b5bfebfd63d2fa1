"""Reading OCDS from files: release packages, record packages, single releases, JSON lines.

A file is read and checked whole before anything is written, so that a bad file is
reported (one line: the file and the problem) and the store is left untouched.
"""

import hashlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import orjson

from loaders.errors import InputError

# Publisher ocid prefixes (OCDS registry): they tell where a release was published even
# when it reaches us through a file.
OCID_PREFIXES = {"ocds-b5fd17": "contracts-finder", "ocds-h6vhtk": "find-a-tender"}
# Find a Tender bodies can carry numbers that are not valid JSON (api-spec 2.2); patch the
# bytes as kingfisher-collect does before parsing.
_INVALID_NUMBERS = ((b"1e9999", b"9999999"), (b" 000,", b" 0,"))


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


def source_of(ocid: str, default: str = "file") -> str:
    """contracts-finder / find-a-tender from the ocid prefix; `default` for other publishers."""
    return OCID_PREFIXES.get(ocid[:11], default) if ocid else default


def read_file(path: str | Path, source: str | None = None) -> list[RawRelease]:
    """Every release in one file; raises InputError naming the file if it is not usable OCDS."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise InputError(name, "no such file")
    try:
        content = path.read_bytes()
    except OSError as exc:
        raise InputError(name, f"cannot be read ({exc.strerror})") from exc
    releases = parse_bytes(content, name, source)
    if not releases:
        raise InputError(name, "holds no releases (an empty package?)")
    return releases


def parse_bytes(content: bytes, name: str, source: str | None = None) -> list[RawRelease]:
    """Releases from the bytes of a JSON document or of JSON lines."""
    text = _decode(content)
    if not text.strip():
        raise InputError(name, "is empty")
    try:
        documents = [orjson.loads(text)]
    except orjson.JSONDecodeError as whole_error:
        documents = _json_lines(text, name, whole_error)
    return [r for document in documents for r in releases_in(document, name, source)]


def parse_json(content: bytes, name: str):
    """One JSON document (an API page), patched and decoded as the sources need."""
    try:
        return orjson.loads(_decode(content))
    except orjson.JSONDecodeError as exc:
        raise InputError(name, f"is not valid JSON ({exc})") from exc


def _decode(content: bytes) -> str:
    """UTF-8, falling back to ISO-8859-1 (Contracts Finder responses are not always UTF-8)."""
    for bad, good in _INVALID_NUMBERS:
        content = content.replace(bad, good)
    try:
        return content.decode("utf-8-sig")
    except UnicodeDecodeError:
        return content.decode("iso-8859-1")


def _json_lines(text: str, name: str, whole_error: Exception) -> list:
    """Parse one JSON value per line; if the first line is not JSON either, report the whole."""
    documents = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            documents.append(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            if not documents:
                raise InputError(name, f"is not valid JSON ({whole_error})") from exc
            raise InputError(name, f"line {number} is not valid JSON ({exc})") from exc
    return documents


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
    body = orjson.dumps(release).decode()
    digest = hashlib.sha256(body.encode()).hexdigest()
    ocid = str(release.get("ocid") or "")
    tags = release.get("tag")
    return RawRelease(
        source=source or source_of(ocid),
        ocid=ocid,
        release_id=str(release.get("id") or f"sha256:{digest[:16]}"),
        release_date=str(release["date"]) if release.get("date") else None,
        tags=",".join(tags) if isinstance(tags, list) else str(tags or ""),
        json=body,
        content_hash=digest,
    )
