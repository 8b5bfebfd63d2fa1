"""The Provider size page in words: each stack's reading and description, and the sentence
on the largest award to a large supplier."""

import pandas as pd

from loaders import definitions
from queries import years
from queries.formatting import money, pct
from queries.measures import MEASURE
from queries.provider_size import NO_CPV, OTHER, SPLIT_WORDS
from readings import years as year_words


def _shares(frame: pd.DataFrame, key, measure: str) -> dict:
    part = frame[frame["key"] == key]
    return dict(zip(part["group"], part[MEASURE[measure].share]))


def year_sentence(frame: pd.DataFrame, measure: str) -> str:
    """ "In 2024-25, 41% of award value went to SMEs (not VCSE), up from 35% in 2021-22. VCSE
    organisations won 6% and large suppliers (not VCSE) 48% in 2024-25." Part years and years
    with too few awards are handled as queries.years says."""
    if frame.empty:
        return "No awards with a date match these filters."
    column = MEASURE[measure].share
    per_year = frame.groupby("key", sort=True).agg(
        financial_year=("key_label", "first"), awards=("awards", "sum"), valued_awards=("valued_awards", "sum"),
        part_year=("part_year", "first"), covered=("covered", "first")).reset_index()
    shares = frame.pivot(index="key", columns="group", values=column)
    per_year["sme_share"] = per_year["key"].map(shares["SME"])
    words = MEASURE[measure].noun
    sentence = year_words.change_sentence(per_year, "sme_share", words, "went to SMEs (not VCSE)", measure)
    pair = years.compared_years(per_year, measure)
    if pair is None:
        return sentence
    last = pair.iloc[-1]
    return (sentence + f" VCSE organisations won {pct(shares.loc[last['key'], 'VCSE'])} and large suppliers "
            f"(not VCSE) {pct(shares.loc[last['key'], 'Large'])} in {last['financial_year']}.")


def split_sentence(frame: pd.DataFrame, measure: str, split: str) -> str:
    """ "Large suppliers (not VCSE) won the most of award value in works (62%) and the least in
    services (31%)." for the keys with enough awards to say (not the Other / unknown bars)."""
    totals = frame.groupby("key", sort=False)["awards"].sum()
    keys = [k for k in totals.index if totals[k] > 0 and k not in (OTHER, NO_CPV, "unknown")]
    if not keys:
        return "No awards match these filters."
    keys = [k for k in keys if totals[k] >= definitions.MIN_VALUED_AWARDS]  # small numbers say nothing
    if not keys:
        return (f"No {SPLIT_WORDS[split]} has {definitions.MIN_VALUED_AWARDS} or more awards under these filters: "
                "too few to compare.")
    large = {k: _shares(frame, k, measure)["Large"] for k in keys}
    label = dict(zip(frame["key"], frame["key_label"]))
    high, low = max(keys, key=large.get), min(keys, key=large.get)
    words = MEASURE[measure].of
    if len(keys) == 1:
        sme = _shares(frame, high, measure)["SME"] + _shares(frame, high, measure)["VCSE"]
        return (f"For {SPLIT_WORDS[split]} {label[high]}, large suppliers (not VCSE) won {pct(large[high])} "
                f"{words} and SMEs and VCSEs {pct(sme)}.")
    return (f"By {SPLIT_WORDS[split]}, large suppliers (not VCSE) won the biggest share {words} in "
            f"{label[high]} ({pct(large[high])}) and the smallest in {label[low]} ({pct(large[low])}).")


def stack_alt(frame: pd.DataFrame, measure: str, split: str) -> str:
    """A text description of a provider-size stack: every bar and its groups' shares."""
    bars = []
    for key in dict.fromkeys(frame["key"]):
        part = frame[frame["key"] == key]
        groups = ", ".join(f"{r['group']} {pct(r[MEASURE[measure].share])}" for _, r in part.iterrows())
        bars.append(f"{part['key_label'].iloc[0]}: {groups}")
    kind = (f"Stacked bar chart of {MEASURE[measure].noun}" if split == "year"
            else f"100% stacked bar chart of the shares {MEASURE[measure].of}")
    return (f"{kind} by provider size for each "
            f"{SPLIT_WORDS[split]}. {'; '.join(bars) or 'No awards'}.")


def largest_sentence(frame: pd.DataFrame) -> str:
    """ "The largest award to a large supplier is £12m from Leeds City Council to X Ltd (Title)." """
    if frame.empty:
        return "No awards to large suppliers match these filters."
    top = frame.iloc[0]
    joint = f" (its share of a {money(top['award_value_gbp'])} joint award)" if top["n_suppliers"] > 1 else ""
    return (f"The largest award to a large supplier is {money(top['value_gbp'])}{joint} from "
            f"{top['buyer_name']} to {top['supplier_name']}: {top['title'] or 'untitled'}.")
