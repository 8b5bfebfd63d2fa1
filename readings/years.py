"""The one reading of a share's change over the financial years, which every trend chart
uses (the years themselves, and which of them the data covers only in part, are in
queries/years.py)."""

import pandas as pd

from loaders import definitions
from queries.formatting import pct
from queries.years import compared_years


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


def _year(row) -> str:
    """ "2024-25", or "2025-26 (part year: 1 Apr 2025 to 30 Sep 2025)"."""
    return f"{row['financial_year']} (part year: {row['covered']})" if row["part_year"] else row["financial_year"]
