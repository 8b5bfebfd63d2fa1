"""What the fake APIs share: a threaded server on 127.0.0.1 and the faults real APIs throw."""

import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# Faults every fake can inject: status codes, rate limits, a cut body, a dropped connection, a stall.
ERROR_STATUSES = ("400", "403", "500", "503")


class FakeServer:
    """A ThreadingHTTPServer on a free local port, run for the length of a `with` block."""

    def __init__(self, handler: type[BaseHTTPRequestHandler]):
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        # A short poll interval: shutdown() otherwise waits up to half a second per test.
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


class FaultyHandler(BaseHTTPRequestHandler):
    """A request handler that can answer with one of the shared faults instead of the body."""

    def log_message(self, *args):
        pass

    def serve_with_fault(self, fault: str | None, status: int, body: bytes, slow_s: float,
                         rate_limit_body: bytes = b"Too many requests") -> None:
        """Send `body`, or the fault: an error status, 429 (with or without Retry-After: 7), half
        the body, a dropped connection, or the body after `slow_s` seconds."""
        if fault in ERROR_STATUSES:
            return self.send_body(int(fault), b"<html>Request forbidden or failed</html>")
        if fault == "429":
            return self.send_body(429, rate_limit_body)
        if fault == "429-retry-after":
            return self.send_body(429, b"slow down", {"Retry-After": "7"})
        if fault == "truncated":
            return self.send_body(200, body[: len(body) // 2])
        if fault == "drop":
            self.close_connection = True
            self.connection.shutdown(2)
            return None
        if fault == "slow":
            time.sleep(slow_s)
        return self.send_body(status, body, {"Content-Type": "application/json"})

    def send_body(self, status: int, body: bytes, headers: dict | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        try:
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # a client that timed out
            pass
