"""A Resolver backed by the postcodes.io web API (api-spec section 3).

DESIGN.md puts postcodes.io after the store's cache and the ONS directory: it is the
fallback for postcodes the offline tables do not know. Full postcodes go in bulk (at most
100 per POST); a postcode the bulk call does not know may be terminated, in which case it
is placed through the nearest live postcode; an outward code alone ("LS6") is placed
through its outcode aggregate. Requests go through fetching.py's engine.
"""

import os
import re
import time
from dataclasses import replace
from typing import Callable, Iterable
from urllib.parse import quote

import requests

from loaders.geography.places import Place
from loaders.geography.postcodes import normalise_postcode
from loaders.sources.fetching import Fetcher, FetchError, HttpPolicy

DEFAULT_URL = "https://api.postcodes.io"
URL_ENV = "POSTCODES_IO_URL"
MAX_BATCH = 100  # section 3: bulk POST /postcodes takes at most 100 postcodes
# Reverse geocoding searches 100 m by default; an outcode centroid or a long-terminated
# postcode can be further than that from any live postcode, so ask for the API's maximum.
REVERSE_RADIUS_M = 2000
NATIONS = ("Wales", "Scotland", "Northern Ireland")
_OUTCODE = re.compile(r"[A-Z]{1,2}[0-9][A-Z0-9]?")
_PSEUDO_CODE = re.compile(r"[A-Z]9{8}")  # ONS "no such area" codes: E99999999, W99999999...


class PostcodesIo:
    """Places postcodes with postcodes.io: bulk lookups, terminated postcodes, outcodes."""

    name = "postcodes.io"

    def __init__(self, base_url: str | None = None, session: requests.Session | None = None,
                 sleep: Callable[[float], None] = time.sleep, batch_size: int = MAX_BATCH,
                 max_attempts: int = 5, timeout_s: float = 30.0, min_interval_s: float = 0.2,
                 clock: Callable[[], float] = time.monotonic):
        self.base_url = (base_url or os.environ.get(URL_ENV) or DEFAULT_URL).rstrip("/")
        self.batch_size = max(1, min(batch_size, MAX_BATCH))
        # postcodes.io publishes no rate limit (section 3): be polite, retry 429 and 5xx with a
        # short capped backoff, honouring Retry-After when it comes.
        policy = HttpPolicy(min_interval_s=min_interval_s, rate_limit_statuses=frozenset({429}),
                            rate_limit_wait_s=None, retry_statuses=frozenset({500, 502, 503, 504}),
                            max_attempts=max_attempts, timeout_s=timeout_s, backoff_base_s=1.0,
                            backoff_cap_s=30.0)
        self.fetcher = Fetcher(policy, session=session, sleep=sleep, clock=clock)

    # --- the Resolver protocol -------------------------------------------------------

    def resolve(self, postcodes: Iterable[str]) -> dict[str, Place]:
        """Places for the postcodes postcodes.io knows, keyed by the strings given.

        Full postcodes are placed at unit precision (or "terminated"), outward codes at
        "district" precision; anything else, and anything unknown, is left out.
        """
        full, partial = _split(postcodes)
        found = self._resolve_full(full)
        for outcode, keys in partial.items():
            place = self._outcode_place(outcode)
            if place:
                found.update({key: place for key in keys})
        return found

    # --- full postcodes ----------------------------------------------------------------

    def _resolve_full(self, full: dict[str, list[str]]) -> dict[str, Place]:
        """Bulk-look up every full postcode; try the misses as terminated postcodes."""
        found, missing = {}, []
        queries = list(full)
        for start in range(0, len(queries), self.batch_size):
            results = self._bulk(queries[start:start + self.batch_size])
            for postcode in queries[start:start + self.batch_size]:
                result = results.get(postcode)
                place = _live_place(result, "unit", self.name) if result else None
                if place:
                    found.update({key: place for key in full[postcode]})
                elif result is None:  # null: "not found or terminated" (section 3)
                    missing.append(postcode)
        for postcode in missing:
            place = self._terminated_place(postcode)
            if place:
                found.update({key: place for key in full[postcode]})
        return found

    def _bulk(self, batch: list[str]) -> dict[str, dict | None]:
        """{postcode: result or None} for one bulk POST, matched by each item's `query`."""
        url = f"{self.base_url}/postcodes"
        body = self._request("POST", url, json={"postcodes": batch})
        items = body.get("result") if isinstance(body, dict) else None
        if not isinstance(items, list):
            raise FetchError(url, "bulk response has no result list")
        results = {}
        for item in items:
            if not isinstance(item, dict):
                continue
            query = str(item.get("query") or "")
            # The API echoes the query as sent; normalise in case it echoes it reformatted.
            key = query if query in batch else normalise_postcode(query)
            result = item.get("result")
            results[key] = result if isinstance(result, dict) else None
        return results

    def _terminated_place(self, postcode: str) -> Place | None:
        """A terminated postcode, placed in the district of the nearest live postcode.

        Section 3: GET /terminated_postcodes/{pc} gives the old centroid, or 404 if the
        postcode was never terminated (then it is simply unknown). Channel Islands and Isle
        of Man entries can have null coordinates: those cannot be placed.
        """
        url = f"{self.base_url}/terminated_postcodes/{quote(postcode)}"
        body = self._request("GET", url, not_found_ok=True)
        record = _result(body)
        latitude, longitude = _coordinates(record)
        if latitude is None or longitude is None:
            return None
        nearest = self._nearest(latitude, longitude)
        place = _live_place(nearest, "terminated", self.name) if nearest else None
        return _moved(place, latitude, longitude) if place else None

    # --- outward codes -----------------------------------------------------------------

    def _outcode_place(self, outcode: str) -> Place | None:
        """An outward code placed at district precision, at the outcode's centroid.

        Section 3: GET /outcodes/{outcode} gives a centroid and arrays of names; whether it
        carries codes is UNCONFIRMED. With one district code we use it; otherwise the
        district is the one of the live postcode nearest the centroid.
        """
        url = f"{self.base_url}/outcodes/{quote(outcode)}"
        record = _result(self._request("GET", url, not_found_ok=True))
        latitude, longitude = _coordinates(record)
        if latitude is None or longitude is None:
            return None
        place = _outcode_codes_place(record, self.name)
        if place is None:
            nearest = self._nearest(latitude, longitude)
            place = _live_place(nearest, "district", self.name) if nearest else None
        return _moved(place, latitude, longitude) if place else None

    def _nearest(self, latitude: float, longitude: float) -> dict | None:
        """The live postcode nearest a point (reverse geocoding), or None if none is near."""
        url = (f"{self.base_url}/postcodes?lon={longitude}&lat={latitude}"
               f"&limit=1&radius={REVERSE_RADIUS_M}")
        found = _result(self._request("GET", url, not_found_ok=True))
        if isinstance(found, list):  # a list of results, nearest first; null when none
            found = found[0] if found else None
        return found if isinstance(found, dict) else None

    def _request(self, method: str, url: str, json=None, not_found_ok: bool = False):
        """Parsed JSON from one call through the shared engine; None for an "unknown" 404."""
        return self.fetcher.request(method, url, json=json, not_found_ok=not_found_ok)


# --- pure helpers ------------------------------------------------------------------------

def _split(postcodes: Iterable[str]) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """({full postcode: caller keys}, {outcode: caller keys}); other strings are dropped.

    Deduplicates, so a postcode asked for twice costs one lookup.
    """
    full, partial = {}, {}
    for key in postcodes:
        if not key:
            continue
        postcode = normalise_postcode(key)
        if postcode:
            full.setdefault(postcode, []).append(key)
            continue
        outcode = "".join(key.upper().split())
        if _OUTCODE.fullmatch(outcode):
            partial.setdefault(outcode, []).append(key)
    return full, partial


def _live_place(result: dict, precision: str, source: str) -> Place | None:
    """A Place from a postcode result (bulk or reverse geocoding), if it has a real district.

    Crown dependency postcodes carry pseudo district codes (section 3 notes their nulls),
    which are no council: those give None.
    """
    codes = result.get("codes") or {}
    lad_code = _real_code(codes.get("admin_district"))
    if not lad_code:
        return None
    country = result.get("country") or None
    latitude, longitude = _coordinates(result)
    return Place(
        lad_code=lad_code, lad_name=result.get("admin_district") or None,
        county_code=_real_code(codes.get("admin_county")), county_name=result.get("admin_county") or None,
        region=_region(result.get("region"), country), country=country,
        latitude=latitude, longitude=longitude, precision=precision, source=source,
    )


def _outcode_codes_place(record: dict, source: str) -> Place | None:
    """A Place from an outcode result that names exactly one district code, else None."""
    codes = record.get("codes") if isinstance(record.get("codes"), dict) else {}
    lad_code = _real_code(_single(codes.get("admin_district")))
    if not lad_code:
        return None
    country = _single(record.get("country"))
    return Place(
        lad_code=lad_code, lad_name=_single(record.get("admin_district")),
        county_code=_real_code(_single(codes.get("admin_county"))),
        county_name=_single(record.get("admin_county")),
        region=_region(_single(record.get("region")), country), country=country,
        latitude=None, longitude=None, precision="district", source=source,
    )


def _region(region: str | None, country: str | None) -> str | None:
    """The English region; the nation itself for Wales, Scotland, NI (region is null there)."""
    if country in NATIONS:
        return country
    return region or None


def _real_code(code) -> str | None:
    """A GSS code, or None for a blank or a pseudo code such as E99999999 ("no county")."""
    if not isinstance(code, str) or not code.strip() or _PSEUDO_CODE.fullmatch(code.strip()):
        return None
    return code.strip()


def _single(value) -> str | None:
    """The one distinct string in a name-or-array field (outcodes give arrays), else None."""
    if isinstance(value, str):
        return value or None
    if isinstance(value, list):
        distinct = {v for v in value if isinstance(v, str) and v}
        return distinct.pop() if len(distinct) == 1 else None
    return None


def _result(body):
    """The `result` of a {"status", "result"} envelope; the body itself if it has none."""
    if isinstance(body, dict) and "result" in body:
        return body["result"]
    return body


def _coordinates(record) -> tuple[float | None, float | None]:
    """(latitude, longitude) of a result, None for missing or out-of-range values."""
    if not isinstance(record, dict):
        return None, None
    return _coordinate(record.get("latitude"), 90), _coordinate(record.get("longitude"), 180)


def _coordinate(value, limit: float) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if -limit <= number <= limit else None


def _moved(place: Place, latitude: float, longitude: float) -> Place:
    """`place` with its own coordinates replaced by the looked-up point's."""
    return replace(place, latitude=latitude, longitude=longitude)
