"""The Value bands page in words: each chart's reading and description, the thresholds'
caption, and the sentences of the contract-size cap what-if."""

from datetime import date

import pandas as pd

from loaders import definitions
from loaders.normalising.classify import UNKNOWN_BAND
from queries.formatting import count, money, pct, whole
from queries.measures import MEASURE
from queries.value_bands import THRESHOLDS


def threshold_caption(thresholds: pd.DataFrame, first: date | None) -> str:
    """What the reference lines are, and the two ways they differ from award values."""
    listed = "; ".join(
        f"{row.threshold} £{row.amount_gbp:,} ({_period_words(row.in_force_from, row.in_force_to)}, {row.basis})"
        for row in thresholds.itertuples())
    before = (" Thresholds before 2020 are not shown." if first and first < THRESHOLDS[0].start else "")
    return (f"Dashed lines: {listed or 'none for this period'}. Thresholds apply by the date the "
            "procurement started, not the award date, so an award soon after a change may fall under "
            "the earlier figure. From 2022 the thresholds include VAT, while Find a Tender award values "
            "here are net of VAT (Contracts Finder does not say), so an award can sit just under a line "
            f"and still be above the threshold.{before}")


def _period_words(start: date, end: date | None) -> str:
    return f"from {start:%b %Y}" if end is None else f"{start:%b %Y} to {end:%b %Y}"


def distribution_sentence(frame: pd.DataFrame, measure: str) -> str:
    """ "Awards of 25m and over are 1% of awards but hold 48% of award value." """
    if frame["awards"].sum() == 0:
        return "No awards match these filters."
    known = frame[frame["group"] != UNKNOWN_BAND]
    top = known.sort_values("value_share", ascending=False).iloc[0]
    sentence = (f"Awards of {_band_words(top['label'])} are {pct(top['count_share'])} of awards "
                f"but hold {pct(top['value_share'])} of award value ({money(top['value_gbp'])}).")
    unknown = frame.loc[frame["group"] == UNKNOWN_BAND, "count_share"].sum()
    return sentence + (f" {pct(unknown)} of awards have no usable value." if unknown else "")


def _band_words(label: str) -> str:
    """ "under 25k" -> "under £25k"; "25k-100k" -> "£25k to £100k"; "25m and over" -> "£25m and over"."""
    if label.startswith("under "):
        return "under £" + label.removeprefix("under ")
    if label.endswith(" and over"):
        return "£" + label
    low, _, high = label.partition("-")
    return f"£{low} to £{high}"


def distribution_alt(frame: pd.DataFrame, measure: str) -> str:
    column = MEASURE[measure].share
    bars = "; ".join(f"{row['label']} {pct(row[column])}" for _, row in frame.iterrows())
    return f"Bar chart of {MEASURE[measure].noun} by value band: {bars}."


def histogram_sentence(frame: pd.DataFrame, measure: str) -> str:
    """ "The most common award size is £10k to £18k (120 awards)." (or where most value lies)"""
    if frame.empty:
        return "No awards with a value match these filters."
    column = MEASURE[measure].amount
    top = frame.sort_values(column, ascending=False).iloc[0]
    span = f"{money(top['from_gbp'])} to {money(top['to_gbp'])}"
    if measure == "count":
        return f"The most common award size is {span} ({count(top['awards'])})."
    share = top["value_gbp"] / frame["value_gbp"].sum() if frame["value_gbp"].sum() else 0
    return (f"More award value lies in awards of {span} than in any other size: "
            f"{money(top['value_gbp'])} ({pct(share)}).")


def histogram_alt(frame: pd.DataFrame, measure: str, thresholds: pd.DataFrame) -> str:
    shown = MEASURE[measure]
    bins = "; ".join(f"{money(r['from_gbp'])} to {money(r['to_gbp'])}: {shown.amount_text(r[shown.amount])}"
                     for _, r in frame.iterrows())
    lines = ", ".join(f"{r['threshold']} £{r['amount_gbp']:,}" for _, r in thresholds.iterrows())
    return (f"Histogram of {MEASURE[measure].noun} by award size on a log scale: "
            f"{bins or 'no awards'}." + (f" Reference lines: {lines}." if lines else ""))


def band_shares_sentence(frame: pd.DataFrame, measure: str) -> str:
    """ "SMEs won 80% of award value in the under 25k band and 10% in the 25m and over band; ..." """
    basis = measure
    known = frame[(frame["group"] != UNKNOWN_BAND) & (frame["awards"] > 0)]
    known = known[known[f"sme_{basis}_share"].notna()]
    if known.empty:
        return "No awards with a value match these filters."
    known = known[known["awards"] >= definitions.MIN_VALUED_AWARDS]  # small numbers say nothing
    if known.empty:
        return (f"No band has {definitions.MIN_VALUED_AWARDS} or more awards under these filters: too few to "
                "compare the SME and local shares of bands.")
    low, high = known.iloc[0], known.iloc[-1]
    words = MEASURE[measure].of
    if low["band"] == high["band"]:
        return (f"In the {low['label']} band, SMEs won {pct(low[f'sme_{basis}_share'])} {words} and local "
                f"suppliers {pct(low[f'local_{basis}_share'])}.")
    return (f"SMEs won {pct(low[f'sme_{basis}_share'])} {words} in the {low['label']} band and "
            f"{pct(high[f'sme_{basis}_share'])} in the {high['label']} band; local suppliers "
            f"{pct(low[f'local_{basis}_share'])} and {pct(high[f'local_{basis}_share'])}.")


def band_shares_alt(frame: pd.DataFrame, measure: str) -> str:
    basis = measure
    bands = "; ".join(f"{r['label']}: SME {pct(r[f'sme_{basis}_share'])}, local {pct(r[f'local_{basis}_share'])}"
                      for _, r in frame.iterrows())
    return f"Grouped bar chart of the SME and local shares {MEASURE[measure].of} in each value band. {bands}."


def cap_sentence(summary: dict) -> str:
    """ "12 awards (3% of awards) are over £5m; they hold £300m (61% of award value)." """
    if not summary["awards"]:
        return "No awards match these filters."
    return (f"{count(summary['awards_above'])} ({pct(summary['awards_share'])} of awards) "
            f"{'is' if whole(summary['awards_above']) == 1 else 'are'} over "
            f"{money(summary['cap'])}; they hold {money(summary['value_above'])} "
            f"({pct(summary['value_share'])} of award value).")


def buyers_sentence(frame: pd.DataFrame, cap: float, measure: str) -> str:
    """ "Leeds City Council awards the most value above £5m: £120m across 4 awards." """
    if frame.empty:
        return f"No buyer made an award over {money(cap)} under these filters."
    top = frame.iloc[0]
    what = {"value": "value", "count": "awards"}[measure]
    return (f"{top['buyer_name']} awards the most {what} above {money(cap)}: {money(top['value_above'])} "
            f"across {count(top['awards_above'])} ({pct(top['share_of_buyer_value_above'])} of its award value).")
