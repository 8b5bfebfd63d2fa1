"""The Overview page in words: its headline sentence, what the shares are of, and the trend's
reading and description (also used by the Council scorecard, which shows the same trend)."""

import pandas as pd

from loaders import definitions
from queries import years
from queries.formatting import count, money, pct
from queries.measures import MEASURE
from readings import years as year_words


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
    words = MEASURE[measure].noun
    return year_words.change_sentence(frame, "local_share", f"{whose}'s {words}" if whose else words,
                                 "went to local suppliers", measure)


def base_text(figures: dict) -> str:
    """What every share is of: "Shares by value are of £1.2m across 57 valued awards; shares by
    count are of 69 awards." """
    by_count = f"shares by count are of {count(figures['awards'])}."
    if not figures["valued_awards"]:
        return f"No award here has a usable value, so there are no shares by value; {by_count}"
    return (f"Shares by value are of {money(figures['total_value'])} across {count(figures['valued_awards'])} "
            f"with a value; {by_count}")


def trend_alt(frame: pd.DataFrame) -> str:
    """A text description of the trend chart, year by year."""
    points = "; ".join(f"{years.shown_label(r)}: local {pct(r['local_share'])}, SME {pct(r['sme_share'])}, "
                       f"VCSE {pct(r['vcse_share'])}" for r in frame.to_dict("records"))
    return f"Line chart of shares by financial year. {points}."


def unknown_text(figures: dict) -> str:
    """What is unknown in the headline figures, and how much of the value is framework ceilings."""
    return (f"Unknown: locality {pct(figures['unknown_locality_value_share'])} of value, supplier size "
            f"{pct(figures['unknown_size_value_share'])} (every supplier that declared no size, VCSE or not; the "
            f"provider-size chart puts VCSE organisations in a bar of their own, so its Unknown bar counts only "
            f"those that are not VCSE), VCSE status {pct(figures['unknown_vcse_value_share'])}. "
            f"Frameworks and dynamic purchasing systems account for {money(figures['framework_value'])} "
            f"of the value shown; their values are ceilings, not spend (exclude them in the sidebar).")
