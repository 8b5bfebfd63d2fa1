"""Serve the real app for browser work: `streamlit run dashboard.py` over a given award
store, on a free loopback port (127.0.0.1 only), stopped on exit.

The browser tests, the benchmark and the screenshot script all need the app served as a
user would run it, so they share this one helper rather than each starting Streamlit its
own way. Plain Python (no Streamlit or Playwright import), so anything can import it.
"""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# Flags for the system Chromium (/usr/bin/chromium): no sandbox (containers), no GPU, and
# none of its own calls home, so only the served app is contacted.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]
START_TIMEOUT_S = 60


@contextmanager
def serving(store_path: Path, log: Path):
    """The dashboard on a free local port, reading `store_path` (AWARDS_STORE), its output
    in `log`; yields (base URL, process) and stops the server on exit."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    started = time.perf_counter()
    with open(log, "wb") as log_file:
        proc = subprocess.Popen(
            [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
             "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
             "--server.address", "127.0.0.1", "--server.port", str(port)],
            cwd=ROOT, env={**os.environ, "AWARDS_STORE": str(store_path)}, stdout=log_file,
            stderr=subprocess.STDOUT)
    try:
        while not healthy(base):
            if proc.poll() is not None or time.perf_counter() - started > START_TIMEOUT_S:
                raise RuntimeError(f"streamlit did not start: {log.read_text()[-2000:]}")
            time.sleep(0.2)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def healthy(base: str) -> bool:
    """Whether the server at `base` answers its health check."""
    try:
        with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as response:
            return response.status == 200 and response.read().decode().strip() == "ok"
    except OSError:
        return False


def free_port() -> int:
    """A loopback port free at the time of asking."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
