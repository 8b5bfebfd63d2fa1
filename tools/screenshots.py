"""Screenshots of every page, from the demo store, for the README.

    python -m tools.screenshots [--store data/demo.duckdb] [--out docs/screenshots]

Builds the demo store if it does not exist, serves the app on a free local port, opens each
page in the system Chromium (/usr/bin/chromium) and saves one PNG per page.
"""

import argparse
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

from playwright.sync_api import sync_playwright

from tools.serving import CHROMIUM_ARGS, serving
from ui.registry import PAGES

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    args = _arguments()
    if not args.store.exists():
        subprocess.run([sys.executable, "-m", "loaders", "demo", "--store", str(args.store)], cwd=ROOT, check=True)
    args.out.mkdir(parents=True, exist_ok=True)
    with serving(args.store.resolve(), args.out / "streamlit.log") as (base, _process):
        _shoot(base, args.out)
    (args.out / "streamlit.log").unlink()


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--store", type=Path, default=ROOT / "data" / "demo.duckdb")
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "screenshots")
    return parser.parse_args()


def _shoot(base: str, out: Path) -> None:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for entry in PAGES:
            page.goto(f"{base}/{entry.url_path}?{urlencode(entry.example)}")
            page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
            page.wait_for_timeout(2_000)  # let Plotly finish drawing
            page.screenshot(path=str(out / f"{entry.module}.png"), full_page=False)
            print(f"saved {out / f'{entry.module}.png'}")
        browser.close()


if __name__ == "__main__":
    main()
