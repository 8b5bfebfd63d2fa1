"""The one HTTP engine behind every remote call: pacing, retries, pages and date windows.

How politely to call a service is an `HttpPolicy`; a notice source adds its paging and
date windows in a `SourceConfig` (see contracts_finder.py, find_a_tender.py,
public_contracts_scotland.py and sell2wales.py): what they differ in is data, not code. A
window is (start, end, notice type): a span of time with from/to parameters, or a calendar
month asked for one notice type at a time (the notice type is "" where a source has none). `Fetcher` makes one JSON request at a time, spaced, retrying
what the APIs are known to throw at clients (rate limits, 5xx, dropped connections,
timeouts, truncated bodies) with tenacity, honouring Retry-After. postcodes.io and the
boundaries download use it too.
"""

import re
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Callable
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from tenacity import RetryCallState, Retrying, retry_if_exception_type, stop_after_attempt

from loaders.errors import InputError, LoaderError
from loaders.sources.readers import parse_json

USER_AGENT = "local-contracts-dashboard/1.0 (open civic-data project; OCDS award loader)"


@dataclass(frozen=True, kw_only=True)
class HttpPolicy:
    """How to call one service: spacing, which answers to retry, how long to wait."""
    min_interval_s: float = 1.0
    rate_limit_statuses: frozenset = frozenset({429})
    # Wait after a rate limit without Retry-After; None: the capped exponential backoff.
    rate_limit_wait_s: float | None = 60.0
    retry_statuses: frozenset = frozenset({500, 502, 503, 504})
    max_attempts: int = 5
    timeout_s: float = 60.0
    backoff_base_s: float = 2.0
    backoff_cap_s: float = 120.0
    # A PEM file of CA certificates to trust (--ca-bundle): for a host whose chain the system
    # store cannot complete. None: the system's. Verification is never turned off.
    ca_bundle: str | None = None


@dataclass(frozen=True, kw_only=True)
class SourceConfig(HttpPolicy):
    """Everything that distinguishes one OCDS API from another.

    Windows are spans of `window` with `from_param`/`to_param` (followed through links.next),
    or, where `month_param` is set, calendar months, each asked once per notice type."""
    name: str
    base_url: str
    url_env: str
    path: str
    window: timedelta | None = None
    from_param: str | None = None
    to_param: str | None = None
    fixed_params: dict = field(default_factory=dict)
    date_format: str = "%Y-%m-%dT%H:%M:%S"
    month_param: str | None = None
    month_format: str = "%m-%Y"
    notice_type_param: str | None = None
    notice_types: tuple[str, ...] = ()      # asked by default
    all_notice_types: tuple[str, ...] = ()  # what --notice-types may name ("all": every one)
    # A window that fails after every retry is kept as a gap (retried by the next refresh)
    # rather than failing the whole refresh.
    gaps_allowed: bool = False

    def windows_between(self, since: datetime, until: datetime) -> list[tuple[datetime, datetime, str]]:
        """Every (start, end, notice type) window covering since..until."""
        spans = months(since, until) if self.month_param else windows(since, until, self.window)
        return [(start, end, kind) for start, end in spans for kind in (self.notice_types or ("",))]

    def first_url(self, start: datetime, end: datetime, notice_type: str = "") -> str:
        """The URL of the first page of one window."""
        if self.month_param:
            params = {self.month_param: start.strftime(self.month_format), self.notice_type_param: notice_type,
                      **self.fixed_params}
        else:
            params = {**self.fixed_params, self.from_param: start.strftime(self.date_format),
                      self.to_param: end.strftime(self.date_format)}
        return f"{self.base_url.rstrip('/')}{self.path}?{urlencode(params)}"

    def on_base(self, url: str) -> str:
        """`url` moved onto our base URL: a mirror's links.next may name the upstream host."""
        base, link = urlsplit(self.base_url), urlsplit(url)
        return urlunsplit((base.scheme, base.netloc, link.path, link.query, ""))

    def with_overrides(self, base_url: str | None = None, rate_limit_wait_s: float | None = None,
                       notice_types: tuple[str, ...] | None = None, ca_bundle: str | None = None) -> "SourceConfig":
        changes = {k: v for k, v in (("base_url", base_url), ("rate_limit_wait_s", rate_limit_wait_s),
                                     ("notice_types", notice_types), ("ca_bundle", ca_bundle)) if v}
        return replace(self, **changes)


class FetchError(LoaderError):
    """A page could not be had, after every retry."""


class CertificateError(FetchError):
    """The host's TLS certificate could not be verified: no retry cures it, a CA bundle may."""


class Transient(Exception):
    """A failure worth retrying; `retry_after` is the server's requested wait, if it gave one."""

    def __init__(self, message: str, retry_after: float | None = None, rate_limited: bool = False):
        super().__init__(message)
        self.retry_after = retry_after
        self.rate_limited = rate_limited


Sleep = Callable[[float], None]
OnWait = Callable[[float, str], None]


class Fetcher:
    """Calls one service: one request at a time, spaced, with retries."""

    def __init__(self, config: HttpPolicy, session: requests.Session | None = None,
                 sleep: Sleep = time.sleep, clock: Callable[[], float] = time.monotonic,
                 on_wait: OnWait | None = None):
        self.config = config
        self.session = session or requests.Session()
        self.session.headers["User-Agent"] = USER_AGENT
        self.sleep, self.clock, self.on_wait = sleep, clock, on_wait
        self._last_request: float | None = None

    def get_json(self, url: str):
        """The parsed JSON at `url`; FetchError naming the URL once retries are exhausted."""
        return self.request("GET", url)

    def request(self, method: str, url: str, json=None, not_found_ok: bool = False):
        """Parsed JSON from one call, retried; None for a 404 where 404 means "unknown"."""
        retrying = Retrying(stop=stop_after_attempt(self.config.max_attempts), wait=self._wait,
                            retry=retry_if_exception_type(Transient), sleep=self._sleep_noting, reraise=True)
        try:
            return retrying(self._request_once, method, url, json, not_found_ok)
        except Transient as exc:
            raise FetchError(url, f"gave up after {self.config.max_attempts} attempts: {exc}") from exc

    def _request_once(self, method: str, url: str, json, not_found_ok: bool):
        """One attempt: Transient for what a retry may cure, FetchError for what it cannot."""
        self._pace()
        try:
            response = self.session.request(method, url, json=json, timeout=self.config.timeout_s,
                                            **self._verify())
        except requests.exceptions.SSLError as exc:  # before ConnectionError, which it is a kind of
            raise _certificate_error(url, exc) from exc
        except requests.Timeout as exc:
            raise Transient(f"no answer within {self.config.timeout_s:g} s") from exc
        except requests.ConnectionError as exc:
            raise Transient(f"connection failed ({exc.__class__.__name__})") from exc
        status = response.status_code
        if status in self.config.rate_limit_statuses:
            raise Transient(f"HTTP {status}: rate limited", _retry_after(response), rate_limited=True)
        if status in self.config.retry_statuses:
            raise Transient(f"HTTP {status}", _retry_after(response))
        if status == 404 and not_found_ok:
            return None
        if status >= 400:
            raise FetchError(url, f"HTTP {status}")
        try:
            return parse_json(response.content, url)
        except InputError as exc:  # a truncated body: the next attempt usually arrives whole
            raise Transient(exc.problem) from exc

    def _verify(self) -> dict:
        """verify=FILE per request where a CA bundle is given: requests lets REQUESTS_CA_BUNDLE
        override a session's own setting, not a request's."""
        return {"verify": self.config.ca_bundle} if self.config.ca_bundle else {}

    def _pace(self) -> None:
        """Keep requests at least min_interval_s apart (the APIs throttle bursts)."""
        now = self.clock()
        if self._last_request is not None:
            gap = self.config.min_interval_s - (now - self._last_request)
            if gap > 0:
                self.sleep(gap)
        self._last_request = self.clock()

    def _wait(self, state: RetryCallState) -> float:
        """Retry-After if given; the source's rate-limit wait; else capped exponential backoff."""
        error = state.outcome.exception()
        if isinstance(error, Transient) and error.retry_after is not None:
            return error.retry_after
        if isinstance(error, Transient) and error.rate_limited and self.config.rate_limit_wait_s is not None:
            return self.config.rate_limit_wait_s
        return min(self.config.backoff_cap_s, self.config.backoff_base_s * 2 ** (state.attempt_number - 1))

    def _sleep_noting(self, seconds: float) -> None:
        if self.on_wait:
            self.on_wait(seconds, "waiting before a retry")
        self.sleep(seconds)


def _certificate_error(url: str, exc: Exception) -> CertificateError:
    """One line naming the host, the reason and the remedy (never turning verification off)."""
    reason = re.search(r"certificate verify failed: [^'\"()\]]+", str(exc))
    return CertificateError(urlsplit(url).netloc, f"its TLS certificate could not be verified "
                            f"({reason[0].strip() if reason else exc.__class__.__name__}); if the server sends an "
                            f"incomplete chain or is signed by a CA this system does not trust, pass "
                            f"--ca-bundle FILE (a PEM file of the CA certificates to trust)")


def _retry_after(response: requests.Response) -> float | None:
    """Seconds from a Retry-After header (a number or an HTTP date), else None."""
    value = response.headers.get("Retry-After")
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(when.tzinfo)).total_seconds())


def windows(since: datetime, until: datetime, size: timedelta) -> list[tuple[datetime, datetime]]:
    """Consecutive [start, end) windows of at most `size` covering since..until."""
    out, start = [], since
    while start < until:
        end = min(start + size, until)
        out.append((start, end))
        start = end
    return out


def months(since: datetime, until: datetime) -> list[tuple[datetime, datetime]]:
    """The calendar months [first day, first day of the next) that since..until touches."""
    out, start = [], since.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while start < until:
        end = start.replace(year=start.year + start.month // 12, month=start.month % 12 + 1)
        out.append((start, end))
        start = end
    return out
