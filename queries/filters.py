"""`Filters`: the one value shared by the widgets, the URL, the queries, caches and file names,
and `CHOICES`: the list filters, each declared once (field, URL key, column, label).

The sidebar widgets, `where()`, `slug()`, `describe()`, the options query and the check of
a shared link (`ignored_in_link`) all loop over `CHOICES`, so a new list filter is one entry.
"""

import re
from dataclasses import dataclass, replace
from datetime import date

from queries.measures import MEASURE


@dataclass(frozen=True)
class Choice:
    """A filter that picks values of one awards column (any of them: SQL IN)."""
    field: str  # the Filters attribute
    key: str  # the URL query parameter
    column: str  # the awards column
    label: str  # the widget's label, and the name used in captions and the About sheet


MEASURE_LABELS = {"value": "By value", "count": "By count"}  # the sidebar's switch, and the URL's values
LOCAL_KM = (0, 5, 10, 20, 30, 50)  # the choices of "Local means": 0 is the buyer's council area


def local_label(km: int) -> str:
    """A choice of "Local means" in words (as the sidebar and the URL show it)."""
    return f"within {km} km of the buyer" if km else "the buyer's council area"

CHOICES = (
    Choice("regions", "region", "buyer_region", "Buyer's region"),
    Choice("buyers", "buyer", "buyer_name", "Council or buyer"),
    Choice("buyer_types", "buyer_type", "buyer_type", "Buyer type"),
    Choice("supplier_sizes", "size", "supplier_size", "Supplier size"),
    Choice("categories", "category", "category", "Category"),
    Choice("sources", "source", "source", "Source"),
)
# The list filters a procurement (the procurements table has these columns) can follow: a
# procurement has no supplier yet.
PROCUREMENT_CHOICES = tuple(choice for choice in CHOICES if choice.field != "supplier_sizes")


@dataclass(frozen=True)
class Filters:
    """What the user has narrowed the awards to. Frozen and hashable, so it keys caches."""
    date_from: date | None = None
    date_to: date | None = None
    regions: tuple[str, ...] = ()
    buyers: tuple[str, ...] = ()
    buyer_types: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    supplier_sizes: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    exclude_frameworks: bool = False
    local_km: int | None = None  # None: local is the buyer's council area; else within this distance
    measure: str = "value"  # how charts count: "value" (award value) or "count" (number of awards)

    def __post_init__(self):
        if self.measure not in MEASURE:
            raise ValueError(f"measure must be one of {', '.join(MEASURE)}, not {self.measure!r}")

    def without_measure(self) -> "Filters":
        """The same rows with the measure at its default. The measure changes how figures are
        drawn, never which rows they hold, so queries are cached on this: switching between
        value and count redraws the charts without running their SQL again."""
        return replace(self, measure="value")

    def rows(self) -> tuple[str, list]:
        """A FROM clause of the filtered award rows, with `loc`: locality under the chosen
        definition of local. Queries aggregate over it; params bind in order."""
        where, params = self.where()
        return f"(SELECT *, {self.locality_sql()} AS loc FROM awards WHERE {where}) AS f", params

    def locality_sql(self) -> str:
        """The SQL of each award row's locality under the chosen definition of local. Within N
        km (DESIGN.md's alternative): local by distance between postcode centroids; a supplier
        in the buyer's area or region but further away counts as same region. The distance is
        a number written into the SQL (float() of the setting), never text from a link."""
        if not self.local_km:
            return "locality"
        return f"""CASE WHEN locality = 'outside_uk' THEN 'outside_uk'
                        WHEN distance_km IS NULL THEN 'unknown'
                        WHEN distance_km <= {float(self.local_km)!r} THEN 'local'
                        WHEN locality IN ('local', 'same_region') THEN 'same_region'
                        ELSE 'elsewhere_uk' END"""

    def where(self) -> tuple[str, list]:
        """A SQL WHERE clause over `awards` with bound parameters (never interpolated values).

        Awards published on both platforms count once: the Contracts Finder copy is left out.
        """
        clauses, params = self._clauses("award_date", CHOICES)
        if self.exclude_frameworks:
            clauses.append("NOT is_framework")
        return " AND ".join(["duplicate_of IS NULL", *clauses]), params

    def procurement_where(self) -> tuple[str, list]:
        """The same over `procurements`: the dates are of a procurement's first notice, and the
        filters of awards alone (PROCUREMENT_UNFILTERED) do not apply."""
        clauses, params = self._clauses("published_date", PROCUREMENT_CHOICES)
        return " AND ".join(clauses) or "true", params

    def unused_for_procurements(self) -> list[str]:
        """The filters in force that procurement facts cannot follow, as their labels."""
        unused = [choice.label for choice in CHOICES if choice not in PROCUREMENT_CHOICES and getattr(self, choice.field)]
        return unused + (["Exclude frameworks"] if self.exclude_frameworks else [])

    def _clauses(self, date_column: str, choices: tuple[Choice, ...]) -> tuple[list[str], list]:
        clauses, params = [], []
        if self.date_from:
            clauses.append(f"{date_column} >= ?")
            params.append(self.date_from)
        if self.date_to:
            clauses.append(f"{date_column} <= ?")
            params.append(self.date_to)
        for choice in choices:
            values = getattr(self, choice.field)
            if values:
                clauses.append(f"{choice.column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
        return clauses, params

    def describe(self) -> str:
        """The filters in words, for the About sheet of downloads and for captions."""
        return "; ".join(words for words, _ in self._settings()) or "no filters (all awards)"

    def slug(self) -> str:
        """A short file-name-safe summary ("2023-01-01_to_2024-12-31_leeds-city-council")."""
        text = "_".join(bit for _, bit in self._settings()) or "all"
        return re.sub(r"[^a-z0-9_-]+", "-", text.lower()).strip("-")[:80]

    def _settings(self) -> list[tuple[str, str]]:
        """Each setting in force, in words (for describe) and as a file-name bit (for slug)."""
        settings = []
        if self.date_from or self.date_to:
            settings.append((f"awarded from {self.date_from or 'the first award'} to {self.date_to or 'the last award'}",
                             f"{self.date_from or 'start'}_to_{self.date_to or 'end'}"))
        settings.extend((f"{choice.label.lower()}: {', '.join(values)}", "_".join(values[:2]))
                        for choice in CHOICES if (values := getattr(self, choice.field)))
        if self.exclude_frameworks:
            settings.append(("frameworks excluded", "no-frameworks"))
        if self.local_km:
            settings.append((f"local means within {self.local_km} km of the buyer", f"local-within-{self.local_km}km"))
        if self.measure != "value":
            settings.append((f"charts {MEASURE[self.measure].by}", f"by-{self.measure}"))
        return settings


def ignored_in_link(link: dict[str, list[str]], options: dict[str, list[str]], first: date, last: date) -> list[str]:
    """What of a shared link cannot be applied, each in a sentence, so that nothing is dropped
    silently: values that are not among a filter's options (an unknown council), dates that are
    not dates, outside the data, or reversed. `link` maps URL keys to their values."""
    notes = []
    for choice in CHOICES:
        known = set(options.get(choice.field, []))
        unknown = [v for v in link.get(choice.key, []) if v not in known]
        if unknown:
            shown = ", ".join(f'"{v}"' for v in unknown[:5]) + (f" and {len(unknown) - 5:,} more" if len(unknown) > 5 else "")
            notes.append(f"{choice.label}: {shown} {'is' if len(unknown) == 1 else 'are'} not in the data, so "
                         f"{'it was' if len(unknown) == 1 else 'they were'} ignored.")
    for text in link.get("measure", [])[:1]:
        if text not in MEASURE_LABELS.values():
            notes.append(f'Measure: "{text}" is not one of {", ".join(MEASURE_LABELS.values())}, so the charts '
                         'are by value.')
    for text in link.get("local", [])[:1]:
        if text not in {local_label(km) for km in LOCAL_KM}:
            notes.append(f'Local means: "{text}" is not one of the choices ({local_label(0)}, or within '
                         f'{", ".join(str(km) for km in LOCAL_KM[1:])} km of the buyer), so it is the buyer\'s '
                         'council area.')
    days = {}
    for key, name in (("from", "Awarded from"), ("to", "Awarded to")):
        for text in link.get(key, [])[:1]:
            try:
                days[key] = date.fromisoformat(text)
            except ValueError:
                notes.append(f'{name}: "{text}" is not a date (YYYY-MM-DD), so it was ignored.')
                continue
            if not first <= days[key] <= last:
                notes.append(f"{name}: {days[key]:%d/%m/%Y} is outside the data ({first:%d/%m/%Y} to "
                             f"{last:%d/%m/%Y}), so it was ignored.")
    if "from" in days and "to" in days and days["from"] > days["to"]:
        notes.append(f"The dates are reversed ({days['from']:%d/%m/%Y} is after {days['to']:%d/%m/%Y}).")
    return notes
