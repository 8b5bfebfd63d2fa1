"""The one list of the dashboard's pages. The router (dashboard.py), the tests, the
benchmark and the screenshot script all read it, so adding a page is one entry here, and a
registered page is tested and screenshotted by being registered.

Plain Python (no Streamlit calls), so tests and scripts can import it.
"""

import importlib.util
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]


@dataclass(frozen=True)
class Page:
    """One page: its title in the menu, a Material icon, and its module under pages/.

    `url_path` is where Streamlit serves it (the module name; the default page is served
    at the root). `example` is a query string that opens the page's full content, for the
    tests and screenshots (the scorecard shows little until a council is chosen).
    """
    module: str
    title: str
    icon: str
    default: bool = False
    example: dict = field(default_factory=dict)

    @property
    def script(self) -> str:
        """The page file, relative to the project root (as st.Page wants it)."""
        return f"pages/{self.module}.py"

    @property
    def url_path(self) -> str:
        return "" if self.default else self.module

    def load(self) -> ModuleType:
        """The page's module without drawing it (a page draws only when Streamlit runs it as
        `__main__`), for its BLOCKS: the generic tests and the benchmark run those."""
        spec = importlib.util.spec_from_file_location(f"pages.{self.module}", ROOT / self.script)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module


PAGES = (
    Page("overview", "Overview", ":material/dashboard:", default=True),
    Page("provider_size", "Provider size", ":material/storefront:"),
    Page("locality", "Locality", ":material/location_on:"),
    Page("value_bands", "Value bands", ":material/payments:"),
    Page("scorecard", "Council scorecard", ":material/account_balance:",
         example={"council": "Leeds City Council"}),
    Page("keep_it_local", "Keep it Local", ":material/handshake:"),
    Page("suppliers", "Suppliers", ":material/groups:"),
    Page("contracts", "Contracts", ":material/description:"),
    Page("methodology", "Methodology and data", ":material/menu_book:"),
    Page("data", "Data", ":material/database:"),
)


def page(module: str) -> Page:
    """The registered page of that module name (a KeyError names an unregistered one)."""
    for entry in PAGES:
        if entry.module == module:
            return entry
    raise KeyError(f"no registered page {module!r}; registered: {', '.join(p.module for p in PAGES)}")
