"""One plain-English sentence per chart, computed from the same frame the chart draws."""

import pandas as pd

from loaders import definitions
from queries import years
from queries.formatting import count, money, pct

MEASURE_WORDS = {"value": "of award value", "count": "of awards"}


def largest_group(frame: pd.DataFrame, measure: str) -> str:
    """ "Local suppliers won 42% of award value (£12m); unknown: 3%." for a breakdown frame."""
    column = "value_share" if measure == "value" else "count_share"
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
    amount = money(top["value_gbp"]) if measure == "value" else f"{top['awards']:,.0f} awards"
    sentence = f"The largest group is {top['label']}, with {pct(top[column])} {MEASURE_WORDS[measure]} ({amount})."
    unknown = frame.loc[frame["group"].isin(["unknown", "Unknown"]), column].sum()
    return sentence + (f" {pct(unknown)} is unknown." if unknown else "")


def headline_sentence(figures: dict, area: str | None, local_km: int | None = None) -> str:
    """ "Of £1.2bn awarded by Leeds City Council, 31% went to local suppliers." """
    if not figures.get("awards"):
        return "No awards match these filters."
    who = f"awarded by {area}" if area else "awarded"
    if figures["valued_awards"] < definitions.MIN_VALUED_AWARDS:
        valued, by = figures["valued_awards"], f" by {area}" if area else ""
        how_many = (f"None of the {count(figures['awards'])}{by} under these filters has a usable value"
                    if not valued else
                    f"Only {valued:,} of the {count(figures['awards'])}{by} under these filters "
                    f"{'has' if valued == 1 else 'have'} a usable value")
        return (f"{how_many}: too few to say what share of the money went to local suppliers or to SMEs (at "
                f"least {definitions.MIN_VALUED_AWARDS} are needed).")
    where = f"within {local_km} km of the buyer" if local_km else "in the buyer's own council area"
    return (f"Of {money(figures['total_value'])} {who} across {figures['awards']:,} awards, "
            f"{pct(figures['local_value_share'])} of the value went to suppliers {where} "
            f"and {pct(figures['sme_value_share'])} to SMEs.")


def trend_sentence(frame: pd.DataFrame, measure: str, whose: str | None = None) -> str:
    """ "In 2024-25, 31% of award value went to local suppliers, up from 27% in 2021-22." (part
    years and years with too few awards are handled as queries.years says)."""
    words = "award value" if measure == "value" else "awards"
    return years.change_sentence(frame, "local_share", f"{whose}'s {words}" if whose else words,
                                 "went to local suppliers", measure)


def base_text(figures: dict) -> str:
    """What every share is of: "Shares by value are of £1.2m across 57 valued awards; shares by
    count are of 69 awards." """
    by_count = f"shares by count are of {count(figures['awards'])}."
    if not figures["valued_awards"]:
        return f"No award here has a usable value, so there are no shares by value; {by_count}"
    return (f"Shares by value are of {money(figures['total_value'])} across {count(figures['valued_awards'])} "
            f"with a value; {by_count}")


def bar_alt(frame: pd.DataFrame, measure: str, subject: str) -> str:
    """A text description of a breakdown bar chart: every bar and its share."""
    column = "value_share" if measure == "value" else "count_share"
    bars = "; ".join(f"{row['label']} {pct(row[column])}" for _, row in frame.iterrows())
    return f"Bar chart of {MEASURE_WORDS[measure].removeprefix('of ')} by {subject}: {bars}."


def trend_alt(frame: pd.DataFrame) -> str:
    """A text description of the trend chart, year by year."""
    points = "; ".join(f"{years.shown_label(r)}: local {pct(r['local_share'])}, SME {pct(r['sme_share'])}, "
                       f"VCSE {pct(r['vcse_share'])}" for r in frame.to_dict("records"))
    return f"Line chart of shares by financial year. {points}."
