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
from queries.formatting import pct
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


def change_sentence(frame: pd.DataFrame, share: str, whose: str, what: str, measure: str) -> str:
    """ "In 2024-25, 31% of award value went to local suppliers, up from 27% in 2021-22." from a
    frame with financial_year, `share`, awards, valued_awards, part_year and covered.

    Only years with at least definitions.MIN_VALUED_AWARDS awards (valued awards, by value) are read; two
    whole years are compared where there are two, else the years compared are named as part
    years with the days they cover. `whose` is "award value" or "Leeds City Council's award
    value"; `what` is "went to local suppliers"."""
    if frame.empty:
        return "No awards with a date match these filters."
    pair = compared_years(frame, measure)
    if pair is None:
        return (f"Too few awards in any one financial year to say how this has changed (at least "
                f"{definitions.MIN_VALUED_AWARDS} a year are needed).")
    first, last = pair.iloc[0], pair.iloc[-1]
    sentence = f"In {_year(last)}, {pct(last[share])} of {whose} {what}"
    if len(pair) > 1:
        if pct(last[share]) == pct(first[share]):
            sentence += f", the same as in {_year(first)}"
        else:
            change = "up" if last[share] > first[share] else "down"
            sentence += f", {change} from {pct(first[share])} in {_year(first)}"
    sentence += "."
    latest = frame.iloc[-1]
    if latest["financial_year"] != last["financial_year"] and latest["part_year"]:
        sentence += (f" {latest['financial_year']} is left out of the comparison: the data covers only "
                     f"{latest['covered']}.")
    return sentence


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


def _year(row) -> str:
    """ "2024-25", or "2025-26 (part year: 1 Apr 2025 to 30 Sep 2025)"."""
    return f"{row['financial_year']} (part year: {row['covered']})" if row["part_year"] else row["financial_year"]
