"""The reading and description of a breakdown bar chart (provider size, supplier location,
value band): the frames of queries.overview.breakdown, drawn by ui.charts.breakdown_bar on
the Overview, Provider size and Locality pages."""

import pandas as pd

from loaders import definitions
from queries.formatting import count, pct
from queries.measures import MEASURE

MEASURE_WORDS = {name: measure.of for name, measure in MEASURE.items()}


def largest_group(frame: pd.DataFrame, measure: str) -> str:
    """ "Local suppliers won 42% of award value (£12m); unknown: 3%." for a breakdown frame."""
    column = MEASURE[measure].share
    known = frame[frame["group"] != "unknown"] if "unknown" in set(frame["group"]) else frame
    awards = frame["awards"].sum()
    if not awards:
        return "No awards match these filters."
    if frame[column].sum() == 0:
        return (f"None of the {count(awards)} under these filters has a usable value, so there is nothing to "
                "share by value; the by count view shows them.")
    if awards < definitions.MIN_VALUED_AWARDS:
        return (f"Only {count(awards)} under these filters: too few to say which group wins most (at least "
                f"{definitions.MIN_VALUED_AWARDS} are needed).")
    top = known.sort_values(column, ascending=False).iloc[0]
    amount = MEASURE[measure].amount_text(top[MEASURE[measure].amount])
    sentence = f"The largest group is {top['label']}, with {pct(top[column])} {MEASURE_WORDS[measure]} ({amount})."
    unknown = frame.loc[frame["group"].isin(["unknown", "Unknown"]), column].sum()
    return sentence + (f" {pct(unknown)} is unknown." if unknown else "")


def bar_alt(frame: pd.DataFrame, measure: str, subject: str) -> str:
    """A text description of a breakdown bar chart: every bar and its share."""
    column = MEASURE[measure].share
    bars = "; ".join(f"{row['label']} {pct(row[column])}" for _, row in frame.iterrows())
    return f"Bar chart of {MEASURE[measure].noun} by {subject}: {bars}."
