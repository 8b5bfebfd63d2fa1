"""A fake Proactis notices API (Public Contracts Scotland, Sell2Wales) on 127.0.0.1.

It answers GET /v1/Notices?dateFrom=MM-YYYY&noticeType=N&outputType=0[&locale=2057] with
one release package holding every release of that month and notice type, no paging, as
the portals do. A month and type with nothing is a package with no `releases` array at
all (as the real APIs answer some months). `failing` holds (MM-YYYY, type) pairs that
always answer 500 with the SQL error Sell2Wales has been reported to give; `faults` is a
queue of one-off faults (None serves normally), as in fake_api. With `tls` (a certificate
and key file) it serves HTTPS.
"""

import json
import ssl
from datetime import datetime
from urllib.parse import parse_qs, urlsplit

from tests.fake_http import FakeServer, FaultyHandler

SQL_ERROR = b'{"Message":"An error has occurred.","ExceptionMessage":"Error converting data type nvarchar to float."}'


class FakeProactis(FakeServer):
    def __init__(self, releases_by_type: dict[str, list[dict]], locale: str | None = None,
                 tls: tuple[str, str] | None = None, slow_s: float = 1.5):
        self.releases_by_type, self.locale, self.slow_s = releases_by_type, locale, slow_s
        self.failing: set[tuple[str, str]] = set()
        self.faults: list[str | None] = []
        self.requests: list[str] = []
        super().__init__(self._handler())
        self.scheme = "http"
        if tls:
            context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            context.load_cert_chain(*tls)
            self.server.socket = context.wrap_socket(self.server.socket, server_side=True)
            self.scheme = "https"

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://127.0.0.1:{self.server.server_address[1]}"

    def package(self, month: str, notice_type: str) -> dict:
        """The package of one month and notice type: no `releases` key when there are none."""
        chosen = [r for r in self.releases_by_type.get(notice_type, []) if _month(r["date"]) == month]
        body = {"uri": f"fake/v1/Notices?dateFrom={month}&noticeType={notice_type}",
                "publishedDate": "2026-01-01T00:00:00Z", "publisher": {"name": "fake"}}
        return {**body, "releases": chosen} if chosen else body

    def _handler(self):
        api = self

        class Handler(FaultyHandler):
            def do_GET(self):
                api.requests.append(self.path)
                url = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if url.path != "/v1/Notices" or query.get("outputType") != "0" or (
                        api.locale and query.get("locale") != api.locale):
                    return self.send_body(400, b"bad request")
                key = (query.get("dateFrom", ""), query.get("noticeType", ""))
                fault = api.faults.pop(0) if api.faults else None
                if key in api.failing:
                    return self.send_body(500, SQL_ERROR)
                body = json.dumps(api.package(*key)).encode()
                self.serve_with_fault(fault, 200, body, api.slow_s)

        return Handler


def _month(text: str) -> str:
    """MM-YYYY of a release date, as the API's dateFrom names a month."""
    return datetime.fromisoformat(text.replace("Z", "+00:00")).strftime("%m-%Y")
