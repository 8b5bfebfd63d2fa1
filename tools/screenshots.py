"""Screenshots of every page, from the demo store, for the README.

    python tools/screenshots.py [--store data/demo.duckdb] [--out docs/screenshots]

Builds the demo store if it does not exist, serves the app on a free local port, opens each
page in the system Chromium (/usr/bin/chromium) and saves one PNG per page.
"""

import argparse
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parents[1]
PAGES = {"overview": "", "provider_size": "provider_size", "locality": "locality",
         "value_bands": "value_bands", "scorecard": "scorecard?council=Leeds+City+Council",
         "suppliers": "suppliers", "contracts": "contracts", "methodology": "methodology", "data": "data"}
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync"]


def main() -> None:
    args = _arguments()
    if not args.store.exists():
        subprocess.run([sys.executable, "-m", "loaders", "demo", "--store", str(args.store)], cwd=ROOT, check=True)
    args.out.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    server = _serve(args.store, port)
    try:
        _wait_healthy(port)
        _shoot(f"http://127.0.0.1:{port}", args.out)
    finally:
        server.terminate()
        server.wait(timeout=20)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / "data" / "demo.duckdb")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    return parser.parse_args()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _serve(store: Path, port: int) -> subprocess.Popen:
    command = [sys.executable, "-m", "streamlit", "run", "dashboard.py", "--server.headless", "true",
               "--server.fileWatcherType", "none", "--server.address", "127.0.0.1",
               "--server.port", str(port), "--browser.gatherUsageStats", "false"]
    return subprocess.Popen(command, cwd=ROOT, env={**os.environ, "AWARDS_STORE": str(store.resolve())},
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def _wait_healthy(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2) as answer:
                if answer.read().strip() == b"ok":
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("the app did not start")


def _shoot(base: str, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for name, path in PAGES.items():
            page.goto(f"{base}/{path}")
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
            page.wait_for_timeout(2_000)  # let Plotly finish drawing
            page.screenshot(path=str(out / f"{name}.png"), full_page=False)
            print(f"saved {out / f'{name}.png'}")
        browser.close()


if __name__ == "__main__":
    main()
