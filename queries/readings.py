"""One plain-English sentence per chart, computed from the same frame the chart draws."""

import pandas as pd

from queries.formatting import money, pct

MEASURE_WORDS = {"value": "of award value", "count": "of awards"}


def largest_group(frame: pd.DataFrame, measure: str) -> str:
    """ "Local suppliers won 42% of award value (£12m); unknown: 3%." for a breakdown frame."""
    column = "value_share" if measure == "value" else "count_share"
    known = frame[frame["group"] != "unknown"] if "unknown" in set(frame["group"]) else frame
    if frame[column].sum() == 0:
        return "No awards match these filters."
    top = known.sort_values(column, ascending=False).iloc[0]
    amount = money(top["value_gbp"]) if measure == "value" else f"{top['awards']:,.0f} awards"
    sentence = f"The largest group is {top['label']}, with {pct(top[column])} {MEASURE_WORDS[measure]} ({amount})."
    unknown = frame.loc[frame["group"].isin(["unknown", "Unknown"]), column].sum()
    return sentence + (f" {pct(unknown)} is unknown." if unknown else "")


def headline_sentence(figures: dict, area: str | None, local_km: int | None = None) -> str:
    """ "Of £1.2bn awarded by Leeds City Council, 31% went to local suppliers." """
    if not figures.get("awards"):
        return "No awards match these filters."
    who = f"awarded by {area}" if area else "awarded"
    where = f"within {local_km} km of the buyer" if local_km else "in the buyer's own council area"
    return (f"Of {money(figures['total_value'])} {who} across {figures['awards']:,} awards, "
            f"{pct(figures['local_value_share'])} of the value went to suppliers {where} "
            f"and {pct(figures['sme_value_share'])} to SMEs.")
