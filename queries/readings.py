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


def trend_sentence(frame: pd.DataFrame, measure: str) -> str:
    """ "In 2024-25, 31% of award value went to local suppliers, up from 27% in 2021-22." """
    if frame.empty:
        return "No awards match these filters."
    last, first = frame.iloc[-1], frame.iloc[0]
    sentence = (f"In {last['financial_year']}, {pct(last['local_share'])} {MEASURE_WORDS[measure]} "
                f"went to local suppliers")
    if len(frame) > 1:
        change = "up" if last["local_share"] > first["local_share"] else "down"
        if round(last["local_share"] * 100) == round(first["local_share"] * 100):
            change = "the same as"
            return f"{sentence}, the same as in {first['financial_year']}."
        sentence += f", {change} from {pct(first['local_share'])} in {first['financial_year']}"
    return sentence + "."


def bar_alt(frame: pd.DataFrame, measure: str, subject: str) -> str:
    """A text description of a breakdown bar chart: every bar and its share."""
    column = "value_share" if measure == "value" else "count_share"
    bars = "; ".join(f"{row['label']} {pct(row[column])}" for _, row in frame.iterrows())
    return f"Bar chart of {MEASURE_WORDS[measure].removeprefix('of ')} by {subject}: {bars}."


def trend_alt(frame: pd.DataFrame) -> str:
    """A text description of the trend chart, year by year."""
    years = "; ".join(f"{r['financial_year']}: local {pct(r['local_share'])}, SME {pct(r['sme_share'])}, "
                      f"VCSE {pct(r['vcse_share'])}" for _, r in frame.iterrows())
    return f"Line chart of shares by financial year. {years}."
