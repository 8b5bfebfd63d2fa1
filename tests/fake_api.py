"""A fake OCDS API on 127.0.0.1 that pages releases by date window and injects faults.

It answers GET {path}?{from_param}=...&{to_param}=...[&cursor=N] with a release package of
the releases dated in [from, to), `page_size` at a time, and a `links.next` while more
remain. `faults` is a queue: each request takes the next entry (None serves normally).
"""

import json
from datetime import datetime, timezone
from urllib.parse import parse_qs, urlencode, urlsplit

from tests.fake_http import FakeServer, FaultyHandler

FAULTS = {"403", "429", "429-retry-after", "500", "503", "truncated", "drop", "slow", "duplicate",
          "invalid-numbers"}


class FakeApi(FakeServer):
    def __init__(self, path: str, from_param: str, to_param: str, releases: list[dict], page_size: int = 3,
                 slow_s: float = 1.5):
        self.path, self.from_param, self.to_param = path, from_param, to_param
        self.releases = sorted(releases, key=lambda r: (r["date"], r["id"]))
        self.page_size, self.slow_s = page_size, slow_s
        self.faults: list[str | None] = []
        self.requests: list[str] = []
        self.user_agents: list[str] = []
        super().__init__(self._handler())

    def page(self, query: dict) -> dict:
        """The package answering one request (before any fault is applied)."""
        start = datetime.fromisoformat(query[self.from_param])
        end = datetime.fromisoformat(query[self.to_param])
        chosen = [r for r in self.releases if start <= _instant(r["date"]) < end]
        offset = int(query.get("cursor", 0))
        body = {"uri": "fake", "releases": chosen[offset:offset + self.page_size]}
        if offset + self.page_size < len(chosen):
            params = {self.from_param: query[self.from_param], self.to_param: query[self.to_param],
                      "cursor": offset + self.page_size}
            # An upstream-looking host: the client must move links onto its own base URL.
            body["links"] = {"next": f"https://upstream.invalid{self.path}?{urlencode(params)}"}
        return body

    def _handler(self):
        api = self

        class Handler(FaultyHandler):
            def do_GET(self):
                api.requests.append(self.path)
                api.user_agents.append(self.headers.get("User-Agent", ""))
                fault = api.faults.pop(0) if api.faults else None
                url = urlsplit(self.path)
                if url.path != api.path:
                    return self.send_body(404, b"not found")
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                body = json.dumps(api.page(query)).encode()
                self._serve(fault, body, query)

            def _serve(self, fault, body, query):
                if fault == "duplicate":
                    page = json.loads(body)
                    page["releases"] = page["releases"] + page["releases"][:1]
                    body = json.dumps(page).encode()
                if fault == "invalid-numbers":
                    page = json.loads(body)
                    page["bogus"] = "PLACEHOLDER"
                    body = json.dumps(page).encode().replace(b'"PLACEHOLDER"', b'[1e9999, 000, 1]')
                self.serve_with_fault(fault, 200, body, api.slow_s,
                                      rate_limit_body=b"12 request limit in 2 minute exceeded")

        return Handler


def _instant(text: str) -> datetime:
    """Release dates as naive UTC, comparable with the query's naive bounds."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
