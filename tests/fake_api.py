"""A fake OCDS API on 127.0.0.1 that pages releases by date window and injects faults.

It answers GET {path}?{from_param}=...&{to_param}=...[&cursor=N] with a release package of
the releases dated in [from, to), `page_size` at a time, and a `links.next` while more
remain. `faults` is a queue: each request takes the next entry (None serves normally).
"""

import json
import threading
import time
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

FAULTS = {"403", "429", "429-retry-after", "500", "503", "truncated", "drop", "slow", "duplicate",
          "invalid-numbers"}


class FakeApi:
    def __init__(self, path: str, from_param: str, to_param: str, releases: list[dict], page_size: int = 3,
                 slow_s: float = 1.5):
        self.path, self.from_param, self.to_param = path, from_param, to_param
        self.releases = sorted(releases, key=lambda r: (r["date"], r["id"]))
        self.page_size, self.slow_s = page_size, slow_s
        self.faults: list[str | None] = []
        self.requests: list[str] = []
        self.user_agents: list[str] = []
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02},
                                       daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

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

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                api.requests.append(self.path)
                api.user_agents.append(self.headers.get("User-Agent", ""))
                fault = api.faults.pop(0) if api.faults else None
                url = urlsplit(self.path)
                if url.path != api.path:
                    return self._send(404, b"not found")
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                body = json.dumps(api.page(query)).encode()
                self._serve(fault, body, query)

            def _serve(self, fault, body, query):
                if fault in ("403", "500", "503"):
                    return self._send(int(fault), b"<html>Request forbidden or failed</html>")
                if fault == "429":
                    return self._send(429, b"12 request limit in 2 minute exceeded")
                if fault == "429-retry-after":
                    return self._send(429, b"slow down", {"Retry-After": "7"})
                if fault == "truncated":
                    return self._send(200, body[: len(body) // 2])
                if fault == "drop":
                    self.close_connection = True
                    self.connection.shutdown(2)
                    return None
                if fault == "slow":
                    time.sleep(api.slow_s)
                if fault == "duplicate":
                    page = json.loads(body)
                    page["releases"] = page["releases"] + page["releases"][:1]
                    body = json.dumps(page).encode()
                if fault == "invalid-numbers":
                    page = json.loads(body)
                    page["bogus"] = "PLACEHOLDER"
                    body = json.dumps(page).encode().replace(b'"PLACEHOLDER"', b'[1e9999, 000, 1]')
                return self._send(200, body, {"Content-Type": "application/json"})

            def _send(self, status, body, headers=None):
                self.send_response(status)
                for key, value in (headers or {}).items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        return Handler


def _instant(text: str) -> datetime:
    """Release dates as naive UTC, comparable with the query's naive bounds."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    return moment.astimezone(timezone.utc).replace(tzinfo=None) if moment.tzinfo else moment
