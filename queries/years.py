"""Financial years (April to March), which of them the data covers only in part, and the
one reading of a share's change over the years that every trend chart uses.

A year is a part year when the data does not cover all of it: it starts before the first
award date held (or the "from" filter) or ends after the last (or the "to" filter). A part
year is never compared with a whole one without saying so, and a year with fewer than
definitions.MIN_VALUED_AWARDS awards is too small to say anything about.
"""

from datetime import date

import pandas as pd

from loaders import definitions
from queries.filters import Filters
from queries.measures import MEASURE

Period = tuple[date, date]


def label(year: int) -> str:
    """2024 -> "2024-25"."""
    return f"{year}-{(year + 1) % 100:02d}"


def bounds(year: int) -> Period:
    """The first and last day of the financial year starting in April of `year`."""
    return date(year, 4, 1), date(year + 1, 3, 31)


def period_of(facts: dict, filters: Filters) -> Period | None:
    """The days the data under these filters can cover: the store's first to last award
    date, narrowed by the date filters. None for a store without dated awards."""
    first, last = facts.get("first_award_date"), facts.get("last_award_date")
    if first is None or last is None:
        return None
    return max(first, filters.date_from or first), min(last, filters.date_to or last)


def mark_part_years(frame: pd.DataFrame, years: pd.Series, period: Period | None) -> pd.DataFrame:
    """`frame` with `part_year` (the data covers only part of that year) and `covered` (the
    days it covers, "1 Jan 2021 to 31 Mar 2021") for each row's financial year (`years`: the
    starting calendar year of each row)."""
    frame = frame.copy()
    spans = [_covered(int(y), period) for y in years]
    frame["part_year"] = [part for part, _ in spans]
    frame["covered"] = [text for _, text in spans]
    return frame


def _covered(year: int, period: Period | None) -> tuple[bool, str]:
    start, end = bounds(year)
    if period is None:
        return False, f"{start:%-d %b %Y} to {end:%-d %b %Y}"
    first, last = max(start, period[0]), min(end, period[1])
    return (first > start or last < end), f"{first:%-d %b %Y} to {last:%-d %b %Y}"


def shown_label(row) -> str:
    """A year as charts show it: "2025-26 (part year)" where the data covers only part of it."""
    return f"{row['financial_year']} (part year)" if row.get("part_year") else row["financial_year"]


def compared_years(frame: pd.DataFrame, measure: str) -> pd.DataFrame | None:
    """The years a reading compares, first to last: those with at least MIN_VALUED_AWARDS
    awards (valued awards, by value), whole years only where there are two; None when no
    year has enough."""
    base = frame[MEASURE[measure].base]
    enough = frame[base.round(6) >= definitions.MIN_VALUED_AWARDS]
    if enough.empty:
        return None
    whole = enough[~enough["part_year"].astype(bool)]
    return whole if len(whole) >= 2 else enough
