"""The Keep it Local page in words: one reading per step, each saying what it is of, and
"no data yet" where the notices publish nothing to measure."""

import pandas as pd

from loaders import definitions
from queries.formatting import count, money, pct

SV_REFERENCE = 10  # % : the minimum weight central government applies (PPN 06/20, PPN 002)
LOWER_BOUND = ("A lower bound: many buyers fold social value into their quality questions without naming "
               "it as a criterion.")


def procurements(n: int) -> str:
    return count(n, "procurement")


def place_sentence(figures: dict, local_km: int | None) -> str:
    """ "31% of £1.2m awarded (across 57 valued awards) went to local suppliers; 28% of the 69 awards." """
    if not figures.get("awards"):
        return "No awards match these filters."
    if figures["valued_awards"] < definitions.MIN_VALUED_AWARDS:
        return (f"Only {count(figures['valued_awards'])} under these filters {'has' if figures['valued_awards'] == 1 else 'have'} "
                f"a usable value: too few to say what share went to local suppliers (at least "
                f"{definitions.MIN_VALUED_AWARDS} are needed).")
    where = f"within {local_km} km of the buyer" if local_km else "in the buyer's own council area"
    return (f"{pct(figures['local_value_share'])} of {money(figures['total_value'])} awarded went to suppliers "
            f"{where}, and {pct(figures['local_count_share'])} of the {count(figures['awards'])}.")


def social_value_sentence(figures: dict) -> str:
    """ "Of the 140 Procurement Act procurements with weighted award criteria, 23 (16%) have a
    social value criterion." """
    weighted = figures["weighted"]
    if not weighted:
        return ("No data yet: no Procurement Act procurement under these filters publishes weighted award "
                "criteria, so the share with a social value criterion cannot be measured.")
    found = figures["with_social_value"]
    return (f"Of the {procurements(weighted)} under the Procurement Act with weighted award criteria, {found:,} "
            f"({pct(figures['social_value_share'])}) {'has' if found == 1 else 'have'} a social value criterion. {LOWER_BOUND}")


def earlier_rules_note(figures: dict, view=None) -> str:
    if not figures["earlier_with_criteria"]:
        return ""
    return (f"Under the earlier rules (counted apart, weights written in a criterion's description): "
            f"{procurements(figures['earlier_with_criteria'])} with award criteria, "
            f"{figures['earlier_with_social_value']:,} of them with a social value criterion.")


def weights_sentence(frame: pd.DataFrame) -> str:
    """ "Of the 23 social value criteria with a weight, 15 weigh 10% or more (the central
    government minimum)." """
    total = int(frame["procurements"].sum())
    if not total:
        return "No data yet: no social value criterion with a percentage weight under these filters."
    at_least = int(frame.loc[frame["low"] >= SV_REFERENCE, "procurements"].sum())
    return (f"Of the {procurements(total)} whose social value criterion has a percentage weight, {at_least:,} "
            f"({pct(at_least / total)}) weigh it at {SV_REFERENCE}% or more, the minimum central government "
            f"applies.")


def weights_alt(frame: pd.DataFrame) -> str:
    bars = "; ".join(f"{row['band']}: {row['procurements']:,}" for row in frame.to_dict("records"))
    return f"Bar chart of procurements by the weight of their social value criterion. {bars}. Reference line at {SV_REFERENCE}%."


def capacity_sentence(figures: dict) -> str:
    """The SME and VCSE shares, then the bids where published."""
    if not figures.get("awards"):
        return "No awards match these filters."
    sentence = (f"SMEs won {pct(figures['sme_value_share'])} of the award value and VCSEs "
                f"{pct(figures['vcse_value_share'])}; small organisations (SMEs and VCSEs) won "
                f"{count(figures['small_awards'])}, worth {money(figures['small_value'])}.")
    if figures["with_sme_bids"]:
        sentence += (f" Of the bids in the {procurements(figures['with_sme_bids'])} that publish bid statistics, "
                     f"{pct(figures['sme_bid_share'])} came from SMEs.")
    else:
        sentence += " No data yet on bids: no procurement under these filters publishes SME bid statistics."
    return sentence


def size_sentence(above_share: float | None, lots: dict) -> str:
    """The share of value above the cap, then the large procurements not divided into lots
    (`lots`: queries.keep_it_local.figures)."""
    sentence = (f"{pct(above_share)} of the award value is in awards over {money(lots['cap'])}.")
    if lots["large"]:
        sentence += (f" Of the {procurements(lots['large'])} over {money(lots['cap'])} whose lots are known, "
                     f"{lots['not_divided']:,} ({pct(lots['not_divided_share'])}) "
                     f"{'was' if lots['not_divided'] == 1 else 'were'} not divided into lots; "
                     f"{lots['with_reason']:,} of those state{'s' if lots['with_reason'] == 1 else ''} why.")
    else:
        sentence += (f" No data yet on lots: no procurement over {money(lots['cap'])} under these filters says "
                     f"how it is divided.")
    return sentence


def lots_unknown_note(figures: dict, view=None) -> str:
    n = figures["lots_unknown"]
    return (f"{procurements(n)} over the cap {'does' if n == 1 else 'do'} not say how {'it is' if n == 1 else 'they are'} "
            "divided (Contracts Finder notices never do)." if n else "")


def engagement_sentence(figures: dict) -> str:
    """ "Of the 80 Procurement Act procurements beyond planning, 12 (15%) had a preliminary
    market engagement notice." """
    base = figures["engagement_base"]
    if not base:
        return ("No data yet: no Procurement Act procurement under these filters (direct awards aside) has reached "
                "a tender, award or contract notice, so engagement before it cannot be measured.")
    engaged = figures["engaged"]
    return (f"Of the {procurements(base)} under the Procurement Act that have gone beyond planning (direct awards "
            f"aside), {engaged:,} "
            f"({pct(figures['engagement_share'])}) had a preliminary market engagement notice (UK2); "
            f"{figures['reason_given']:,} of the others state why none was held.")


def planning_note(figures: dict, view=None) -> str:
    """The procurements left out of step 5's base because they are still at planning."""
    n = figures["planning_only"]
    if not n:
        return ""
    return f"{procurements(n)} {'is' if n == 1 else 'are'} still at the planning stage, so not counted (a UK2 may yet come)."


def reasons_sentence(total: int, what: str, search: str) -> str:
    if not total:
        return (f"No stated reason for {what} matches \"{search}\"." if search.strip()
                else f"No data yet: no procurement under these filters states a reason for {what}.")
    matching = f" matching \"{search}\"" if search.strip() else ""
    return f"{total:,} stated reason{'' if total == 1 else 's'} for {what}{matching}, as the notices write them."


def network_sentence(frame: pd.DataFrame, label: str, members: int) -> str:
    """How many of the network's councils (`in_network`) have awards here, and the spread of
    their local share."""
    present = frame[frame["in_network"] & (frame["awards"] > 0)]
    if present.empty:
        return f"None of the {members} {label} has awards under these filters."
    shares = present["local_value_share"].dropna()
    spread = (f"; their local share of award value runs from {pct(shares.min())} to {pct(shares.max())}"
              if len(shares) > 1 else "")
    verb = "has" if len(present) == 1 else "have"
    return f"{len(present):,} of the {members} {label} {verb} awards under these filters{spread}."
