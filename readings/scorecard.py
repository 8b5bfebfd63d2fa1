"""The Council scorecard in words: what the council is, what is unknown in its figures, what
the other local bodies would add, its ranks (the rank table's cells and its sentence), its
peers, suppliers, national providers, contracts ending soon and data coverage, from the
frames and sums of queries/scorecard.py."""

import html
from datetime import date

import pandas as pd

from loaders import definitions
from loaders.definitions import NATIONAL_PROVIDER_REGIONS
from queries.formatting import count, money, pct, whole
from queries.scorecard import COUNCIL_TYPES, ENDING_MONTHS, PEER_KEYS, add_months

INTRO = ("How much of a council's contract money stays local, goes to small firms and charities, "
         "or goes to national providers, against similar councils.")
FILTERS_NOTE = ("The sidebar filters apply (dates, source, supplier size, category, frameworks, what local "
                "means); the council chosen here replaces the sidebar's buyer, buyer type and region choices.")
RANKS_NOTE = ("Rank 1 is the highest figure; councils with equal figures share a rank (\"joint\"). "
              "Medians take each council once, whatever its size. ")  # the small-numbers rule follows
NATIONAL_PROVIDER_TEXT = (f"A national provider is a supplier that won awards from buyers in "
                          f"{NATIONAL_PROVIDER_REGIONS} or more regions across all the data held.")
SUPPLIERS_NOTE = (f"{NATIONAL_PROVIDER_TEXT} Regions and councils served count every award in the data, "
                  "whatever the filters. A supplier's awards are the awards it is on: an award won jointly counts "
                  "as one whole award for each of its suppliers, so their shares of the council's awards can add "
                  "up to more than 100%; its value is its equal share of each award's value.")
ENDING_NOTE = ("Chances to re-commission, perhaps locally or in smaller lots. End dates are as the notices "
               "state them; many notices give none.")
OTHER_BODIES_HELP = ("NHS bodies, police and fire, schools, housing associations and other buyers that are not "
                     "central government count for the councils whose area holds their address.")
PEER_GROUPS = {"type": "Same council type", "region": "Same region", "network": "Keep it Local network",
               "list": "Your list"}  # PEER_KEYS in words


def group_words(key: str) -> str:
    """A peer group's name inside a sentence: lower case, but for the network's own name."""
    return PEER_GROUPS[key] if key == "network" else PEER_GROUPS[key].lower()
# A ranked measure: (words in a sentence, its label in the rank table, as the metrics above it read).
MEASURES = {
    "value_gbp": ("total award value", "Total award value"),
    "awards": ("number of awards", "Awards"),
    **{f"{key}_{basis}_share": (f"% {words} by {basis}", f"{label} (by {basis})")
       for key, words, label in (("local", "local", "Local"), ("sme", "SME", "SME"), ("vcse", "VCSE", "VCSE"))
       for basis in ("value", "count")},
}


def describe_council(table: pd.DataFrame, council: str) -> str:
    """ "Leeds City Council: a metropolitan borough council (Leeds, E08000035), Yorkshire and The Humber." """
    row = table.loc[table["council"] == council].iloc[0]
    kind = COUNCIL_TYPES.get(row["council_type"], ("council of unknown type",))[0]
    article = "an" if kind[0].lower() in "aeio" else "a"  # "a unitary council"
    area = f" ({row['area_name']}, {row['area_code']})" if isinstance(row["area_code"], str) else ""
    region = f", {row['region']}" if isinstance(row["region"], str) else ""
    return f"{council}: {article} {kind}{area}{region}."


# Where each nation's councils publish their awards besides Find a Tender, and what no source
# here covers (sources-2 sections A to C).
SOURCE_NAMES = {"contracts-finder": "Contracts Finder", "find-a-tender": "Find a Tender",
                "public-contracts-scotland": "Public Contracts Scotland", "sell2wales": "Sell2Wales",
                "contracts-finder-csv": "a Contracts Finder export", "council-register": "its contracts register",
                "demo": "the demo data"}
NATION_PORTALS = {"Scotland": ("public-contracts-scotland", "Public Contracts Scotland"),
                  "Wales": ("sell2wales", "Sell2Wales")}
NORTHERN_IRELAND = ("Northern Irish councils publish their awards below the Procurement Act's thresholds on "
                    "eTendersNI, which has no open API: those are missing here, and only their notices on Find a "
                    "Tender are held.")


def sources_sentence(council: str, region, sources: list[str]) -> str:
    """Which sources this store holds the council's awards from, and, for a Scottish, Welsh
    or Northern Irish council, what is known to be missing."""
    held = ", ".join(SOURCE_NAMES.get(source, source) for source in sources) or "no source"
    line = f"{council}'s awards here come from {held}."
    if region in NATION_PORTALS:
        source, portal = NATION_PORTALS[region]
        line += (f" {region}'s councils publish most of their awards on {portal}, and only the largest on Find a "
                 "Tender" + ("." if source in sources else
                             f": {portal} is not loaded, so most of this council's awards are missing "
                             f"(python -m loaders refresh --source {source} loads it)."))
    elif region == "Northern Ireland":
        line += " " + NORTHERN_IRELAND
    return line


def unknown_sentence(row) -> str:
    """What is unknown beside a council's shares: "Unknown: locality 5% of value (2% of
    awards), supplier size 12% (15%), VCSE status 2% (3%)."."""
    parts = [f"{words} {pct(row[f'{key}_value_share'])}{' of value' if i == 0 else ''} "
             f"({pct(row[f'{key}_count_share'])}{' of awards' if i == 0 else ''})"
             for i, (key, words) in enumerate((("unknown_locality", "locality"), ("unknown_size", "supplier size"),
                                               ("unknown_vcse", "VCSE status")))]
    return f"Unknown: {', '.join(parts)}. A share of 0% with much unknown says little."


def other_bodies_sentence(added: dict, council: str, included: bool) -> str:
    """ "Peer figures count councils' own awards only. The 3 other buyers (not central government)
    placed in Leeds City Council's area would add £2m and 12 awards." (or, with them, what they add)."""
    if not added["bodies"]:
        return f"No other local buyer under these filters is placed in {council}'s area."
    bodies = f"{added['bodies']:,} other {'buyer' if added['bodies'] == 1 else 'buyers'} (not central government)"
    amount = f"{money(added['value_gbp'])} and {count(added['awards'])}"
    if included:
        return (f"Peer figures include the other public bodies placed in each council's area: for {council}, "
                f"{bodies} adding {amount}. The rest of this page is the council's own awards.")
    return (f"Peer figures count councils' own awards only. The {bodies} placed in {council}'s area would "
            f"add {amount}.")


# --- ranks ----------------------------------------------------------------------------------

def ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def rank_words(rank: int | None, of: int, group: str, measure: str, joint: bool = False,
               valued: float | None = None) -> str:
    """ "joint 3rd of 12 unitary councils for % local by value" (or why there is no rank:
    too few valued awards, or no figure)."""
    if valued is not None:
        return (f"not ranked for {measure}: {count(valued)} with a value, too few to rank "
                f"(at least {definitions.MIN_VALUED_AWARDS} are needed)")
    if rank is None:
        return f"no figure for {measure}"
    if of == 1:
        return f"the only one of the {group} ranked for {measure}"
    return f"{'joint ' if joint else ''}{ordinal(rank)} of {of} {group} for {measure}"


def ranks_shown(ranks: pd.DataFrame) -> pd.DataFrame:
    """queries.scorecard.rank_table with its cells in words: `measure_label`, `council_text`
    and per peer group `<key>_median_text`, `<key>_rank_short` ("joint 2nd of 9", "too few
    awards") and `<key>_rank_text` (the rank in a sentence); empty for a group not there."""
    out = ranks.copy()
    out.insert(1, "measure_label", [MEASURES[m][1] for m in out["measure"]])
    out.insert(3, "council_text", [_shown(m, v) for m, v in zip(out["measure"], out["council"])])
    rows = ranks.to_dict("records")
    for key in PEER_KEYS:
        there = [isinstance(r[f"{key}_group"], str) for r in rows]
        out[f"{key}_median_text"] = [_shown(r["measure"], r[f"{key}_median"]) if t else None
                                     for r, t in zip(rows, there)]
        out[f"{key}_rank_short"] = [_rank_short(r, key) if t else None for r, t in zip(rows, there)]
        out[f"{key}_rank_text"] = [
            rank_words(_int(r[f"{key}_rank"]), r[f"{key}_of"], r[f"{key}_group"], MEASURES[r["measure"]][0],
                       bool(r[f"{key}_joint"]), None if r["ranked"] else r["valued_awards"]) if t else None
            for r, t in zip(rows, there)]
    return out


def _int(rank) -> int | None:
    return None if rank is None or pd.isna(rank) else int(rank)


def _rank_short(row: dict, key: str) -> str:
    if not row["ranked"]:
        return "too few awards"
    rank = _int(row[f"{key}_rank"])
    return f"{'joint ' if row[f'{key}_joint'] else ''}{ordinal(rank)} of {row[f'{key}_of']}" if rank else "–"


def _shown(column: str, value) -> str:
    if value is None or pd.isna(value):
        return "–"
    if column == "value_gbp":
        return money(value)
    if column == "awards":
        return f"{whole(value):,}"
    return pct(value)


def ranks_sentence(ranks: pd.DataFrame, council: str, measure: str) -> str:
    """ "Leeds City Council is joint 1st of 2 metropolitan borough councils ... for % local by value." """
    found = ranks.loc[ranks["measure"] == f"local_{measure}_share"]
    texts = [] if found.empty else [found.iloc[0][f"{key}_rank_text"] for key in PEER_KEYS
                                    if isinstance(found.iloc[0][f"{key}_rank_text"], str)]
    if not texts:
        return f"{council} has no peers with awards under these filters."
    if texts[0].startswith("not ranked"):
        return f"{council} is {texts[0]}."
    return f"{council} is " + "; ".join(texts) + "."


def groups_note(ranks: pd.DataFrame) -> str:
    """Which councils each peer group's columns are, from the rank table: "Peer groups: same
    council type, metropolitan borough councils (9); same region, councils in Yorkshire and The
    Humber (3)." (every council of the group with awards under the filters)."""
    if ranks.empty:
        return ""
    row = ranks.iloc[0]
    parts = [f"{group_words(key)}, {row[f'{key}_group']} ({int(row[f'{key}_members']):,})"
             for key in PEER_KEYS if isinstance(row[f"{key}_group"], str)]
    return f"Peer groups: {'; '.join(parts)}." if parts else ""


def peers_sentence(members: pd.DataFrame, council: str, group: str, measure: str, left_out: int = 0) -> str:
    """ "Among 2 metropolitan borough councils, % local by value runs from 0% to 22%; Leeds ... 22%." """
    column = f"local_{measure}_share"
    compared = members[members["ranked"].astype(bool)]
    values = compared[column].dropna()
    mine = members.loc[members["council"] == council].iloc[0] if (members["council"] == council).any() else None
    fewer = (f" {left_out} more {'has' if left_out == 1 else 'have'} fewer than {definitions.MIN_VALUED_AWARDS} valued "
             f"awards and {'is' if left_out == 1 else 'are'} not compared." if left_out else "")
    if mine is None:
        return f"No figures for {group} under these filters." + fewer
    if not mine["ranked"]:
        return (f"{council} has {count(mine['valued_awards'])} with a value under these filters: too few "
                f"awards to say how it compares (at least {definitions.MIN_VALUED_AWARDS} are needed)." + fewer)
    if len(values) < 2:
        return f"No other {group} have enough valued awards to compare with {council}." + fewer
    words = "by value" if measure == "value" else "by count"
    return (f"Among {len(values)} {group} with at least {definitions.MIN_VALUED_AWARDS} valued awards, % local {words} runs "
            f"from {pct(values.min())} to {pct(values.max())} (median {pct(values.median())}); "
            f"{council}: {pct(mine[column])}." + fewer)


# --- suppliers and national providers --------------------------------------------------------

def supplier_labels(frame: pd.DataFrame) -> pd.DataFrame:
    """The top suppliers with `label`, each bar's name: marked when a national provider, with
    & and < escaped (Plotly reads tags in text)."""
    out = frame.copy()
    out.insert(1, "label", [html.escape(name or "", quote=False) + (" (national provider)" if national else "")
                            for name, national in zip(out["supplier_name"], out["national_provider"])])
    return out


def suppliers_sentence(frame: pd.DataFrame, council: str, measure: str) -> str:
    """ "The largest supplier to Leeds City Council is Pennine Roads Ltd, with 67% of its award value (£300k)." """
    if frame.empty:
        return f"No awards by {council} match these filters."
    if measure == "value" and not frame["value_gbp"].sum():
        measure = "count"  # no supplier has a usable value: say who won most awards instead
    top = frame.iloc[0] if measure == "value" else frame.sort_values("awards", ascending=False, kind="stable").iloc[0]
    share, amount = ((top["value_share"], money(top["value_gbp"])) if measure == "value"
                     else (top["count_share"], count(top["awards"])))
    words = "award value" if measure == "value" else "awards"
    return (f"The largest supplier to {council} is {top['supplier_name']}, with {pct(share)} of its {words} "
            f"({amount}); {_national_listed(int(frame['national_provider'].sum()), len(frame))}.")


def _national_listed(national: int, listed: int) -> str:
    if listed == 1:
        return f"the one supplier listed {'is' if national else 'is not'} a national provider"
    if not national:
        return f"none of the {listed} suppliers listed is a national provider"
    are = "is a national provider" if national == 1 else "are national providers"
    return f"{national} of the {listed} suppliers listed {are}"


def suppliers_alt(frame: pd.DataFrame, measure: str) -> str:
    """A text description of the top suppliers chart: every bar, its amount and share."""
    column, share = ("value_gbp", "value_share") if measure == "value" else ("awards", "count_share")
    bars = "; ".join(
        f"{r['supplier_name']}{' (national provider)' if r['national_provider'] else ''} "
        f"{money(r[column]) if measure == 'value' else count(r[column])} ({pct(r[share])})"
        for _, r in frame.iterrows())
    return f"Bar chart of the largest suppliers by {'value' if measure == 'value' else 'number of awards'}: {bars}."


def national_sentence(summary: dict, council: str) -> str:
    """ "27 national providers won £76.5m (23%) of Leeds City Council's award value and 22% of its awards." """
    if not summary["suppliers"]:
        return (f"None of {council}'s suppliers under these filters won awards from buyers in "
                f"{NATIONAL_PROVIDER_REGIONS} or more regions.")
    who = "1 national provider" if summary["suppliers"] == 1 else f"{summary['suppliers']:,} national providers"
    return (f"{who} won {money(summary['value_gbp'])} "
            f"({pct(summary['value_share'])}) of {council}'s award value and {pct(summary['count_share'])} "
            f"of its awards.")


# --- contracts ending, coverage ---------------------------------------------------------------

def ending_sentence(summary: dict, council: str, today: date, months: int = ENDING_MONTHS) -> str:
    """ "162 contracts of Leeds City Council's, worth £67.8m, end between 02 Dec 2026 and 02 Dec
    2028; 29 of them, worth £12.6m, with national providers." (from queries.scorecard.ending_summary;
    a joint award is one contract, counts whole, half-up)."""
    until = add_months(today, months)
    if not summary["rows"]:
        return (f"None of {council}'s contracts under these filters has an end date between "
                f"{today:%d %b %Y} and {until:%d %b %Y}.")
    awards, national = whole(summary["awards"]), whole(summary["national_awards"])
    with_national = (f"{national:,} of them, worth {money(summary['national_value_gbp'])}, with national providers"
                     if national else "none with a national provider")
    contracts = "One contract" if awards == 1 else f"{awards:,} contracts"
    return (f"{contracts} of {council}'s, worth {money(summary['value_gbp'])}, "
            f"{'ends' if awards == 1 else 'end'} between {today:%d %b %Y} and {until:%d %b %Y}; {with_national}.")




def coverage_sentence(frame: pd.DataFrame, council: str) -> str:
    """ "Of Leeds City Council's 3 award rows, 0% have no value, 0% no supplier postcode (so
    locality is unknown) and 0% no size." """
    by_gap = frame.set_index("gap")
    total = int(by_gap.loc["value", "council_rows"])
    if not total:
        return f"No awards by {council} match these filters."
    return (f"Of {council}'s {total:,} award row{'' if total == 1 else 's'}, {pct(by_gap.loc['value', 'gap_share'])} "
            "have no value, "
            f"{pct(by_gap.loc['postcode', 'gap_share'])} no supplier postcode (so locality is unknown) and "
            f"{pct(by_gap.loc['size', 'gap_share'])} no size.")


def coverage_note(frame: pd.DataFrame) -> str:
    """What the coverage table's peer column is, from its `peers_group` and `peers_councils`:
    "Peer councils: metropolitan borough councils (9), all their award rows together." """
    if frame.empty:
        return ""
    name, councils = frame["peers_group"].iloc[0], int(frame["peers_councils"].iloc[0])
    if not name:
        return "Peer councils: none known (the council's type and region are unknown), so the column is its own."
    return f"Peer councils: {name} ({councils:,}), all their award rows together."
