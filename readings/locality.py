"""The Locality page in words: the definition of local in force, each chart's reading and
description, and the sentences on other local bodies and the council areas compared."""

import pandas as pd

from loaders import definitions
from loaders.definitions import CAVEATS, DEFINITIONS
from queries.formatting import count, money, pct
from queries.locality import GROUPS, NO_AREA, SHARE_COLUMNS, placed
from queries.measures import MEASURE
from readings import years as year_words
from readings.breakdowns import MEASURE_WORDS


def definition_text(local_km: int | None) -> str:
    """Which definition of local is in force, followed by its text from loaders/definitions.py."""
    if local_km:
        return (f"Local means: within {local_km} km of the buyer (N = {local_km}). "
                f"{DEFINITIONS['local_km']}")
    return f"Local means: the buyer's own council area. {DEFINITIONS['local']}"


def other_definitions() -> list[str]:
    """The other localities' definitions and the caveat, word for word."""
    return [DEFINITIONS[key] for key in GROUPS if key != "local"] + [f"Caveat: {CAVEATS}"]


def year_reading(frame: pd.DataFrame, measure: str) -> str:
    """ "In 2024-25, 31% of award value went to local suppliers, up from 27% in 2021-22. In
    2024-25 the location of 3% is unknown." (part years and small years as queries.years says)."""
    if frame.empty:
        return "No awards with a date match these filters."
    column = MEASURE[measure].share
    per_year = frame.groupby("financial_year", sort=True).agg(
        awards=("awards", "sum"), valued_awards=("valued_awards", "sum"), part_year=("part_year", "first"),
        covered=("covered", "first")).reset_index()
    shares = frame.pivot(index="financial_year", columns="group", values=column)
    per_year["local_share"] = per_year["financial_year"].map(shares["local"])
    words = MEASURE[measure].noun
    sentence = year_words.change_sentence(per_year, "local_share", words, "went to local suppliers", measure)
    last = per_year["financial_year"].iloc[-1]
    if shares.loc[last, "unknown"] and not sentence.startswith("Too few"):
        sentence += f" In {last} the location of {pct(shares.loc[last, 'unknown'])} is unknown."
    return sentence


def year_alt(frame: pd.DataFrame, measure: str) -> str:
    """Text description of the stacked shares: every year and every locality's share."""
    column = MEASURE[measure].share
    bars = "; ".join(
        f"{year}: " + ", ".join(f"{row['label']} {pct(row[column])}" for _, row in part.iterrows())
        for year, part in frame.groupby("financial_year", sort=True))
    return (f"Stacked bar chart of the share {MEASURE_WORDS[measure]} by supplier location, one bar "
            f"per financial year. {bars or 'No data'}.")


def other_bodies_sentence(added: dict, included: bool) -> str:
    """ "Council buyers only. The 12 other public bodies placed in these areas would add £60m and
    40 awards." (or, with them included, what they add)."""
    if not added["bodies"]:
        return "Every buyer under these filters is a council."
    what = (f"{added['bodies']:,} other {'buyer' if added['bodies'] == 1 else 'buyers'} placed in these areas by "
            "their address (NHS bodies, police and fire, schools, housing associations, utilities and others; "
            "central government bodies never count in a council's area)")
    amount = f"{money(added['value_gbp'])} and {count(added['awards'])}"
    if included:
        return f"Councils and {what}: including them adds {amount}."
    return f"Council buyers only. The {what} would add {amount}."


def _compared(frame: pd.DataFrame, measure: str, more: str = "") -> tuple[str, pd.DataFrame, str | None]:
    """The share column, the areas with enough valued awards to compare (small numbers), and
    the sentence to say instead when there are none."""
    column = SHARE_COLUMNS[measure]
    compared = frame[frame[column].notna() & frame["compared"]]
    if frame.empty:
        return column, compared, "No awards match these filters."
    if compared.empty:
        return column, compared, (f"No council area has {definitions.MIN_VALUED_AWARDS} or more valued awards under "
                                  f"these filters: too few awards to compare areas.{more}")
    return column, compared, None


def council_map_reading(frame: pd.DataFrame, measure: str) -> str:
    """ "Across 3 council areas, the local share of award value ranges from 0% (Manchester) to
    25% (Essex). £10k is not on the map: its buyers could not be placed." Only areas with
    enough valued awards are compared (small numbers)."""
    column, compared, none = _compared(frame, measure)
    if none:
        return none
    top = compared.sort_values(column, ascending=False, kind="stable").iloc[0]
    low = compared.sort_values(column, ascending=True, kind="stable").iloc[0]
    if len(compared) == 1:
        sentence = (f"In the one council area with enough awards to show, {top['council_area']}, "
                    f"{pct(top[column])} {MEASURE_WORDS[measure]} went to local suppliers.")
    else:
        sentence = (f"Across {len(compared)} council areas, the local share {MEASURE_WORDS[measure]} "
                    f"ranges from {pct(low[column])} ({low['council_area']}) to {pct(top[column])} "
                    f"({top['council_area']}).")
    small = frame[~frame["compared"] & (frame["council_area"] != NO_AREA)]
    if not small.empty:
        sentence += (f" {len(small):,} council area{'s' if len(small) != 1 else ''} with fewer than "
                     f"{definitions.MIN_VALUED_AWARDS} valued awards {'are' if len(small) != 1 else 'is'} not shown.")
    missing = compared[compared["latitude"].isna() | compared["longitude"].isna()]
    missing = pd.concat([missing, frame[frame["council_area"] == NO_AREA]])
    if not missing.empty:
        if measure == "value":
            amount = f"{money(missing['value_gbp'].sum())} of award value is"
        else:
            n = missing["awards"].sum()
            amount = f"{n:,.0f} award{'s are' if round(n) != 1 else ' is'}"
        sentence += f" {amount} not on the map: the buyer's area could not be placed."
    return sentence


def council_map_alt(frame: pd.DataFrame, measure: str, shapes: bool) -> str:
    """Text description of the council map: each council area's local share and size."""
    column = SHARE_COLUMNS[measure]
    kind = ("Map of council areas shaded by" if shapes
            else f"Map of bubbles at council area centres, sized by {MEASURE[measure].axis.lower()} and coloured by")
    areas = "; ".join(f"{r['council_area']}: {pct(r[column])} local, "
                      f"{MEASURE[measure].amount_text(r[MEASURE[measure].amount])}"
                      for r in placed(frame).to_dict("records"))
    return f"{kind} the local share {MEASURE_WORDS[measure]}. {areas or 'No council areas'}."


def council_table_reading(frame: pd.DataFrame, measure: str) -> str:
    """ "Essex has the highest local share of award value (20%), Manchester the lowest (0%)."
    over the areas with enough valued awards to compare."""
    column, compared, none = _compared(frame, measure, " Their figures are in the download.")
    if none:
        return none
    top, low = compared.iloc[0], compared.iloc[-1]
    if len(compared) == 1:
        return f"{top['council_area']}: {pct(top[column])} {MEASURE_WORDS[measure]} went to local suppliers."
    return (f"{top['council_area']} has the highest local share {MEASURE_WORDS[measure]} ({pct(top[column])}), "
            f"{low['council_area']} the lowest ({pct(low[column])}).")


def supplier_reading(frame: pd.DataFrame, buyer: str, home: dict, measure: str) -> str:
    """ "Of £450k awarded by Leeds City Council, 22% went to suppliers in its own area (Leeds);
    its suppliers sit in 3 districts; 0% could not be placed." """
    amount_col = MEASURE[measure].amount
    total = frame[amount_col].sum()
    if frame.empty or not total:
        return f"No {MEASURE[measure].noun} from {buyer} under these filters."
    local = frame.loc[frame["group"] == "local", amount_col].sum() / total
    unplaced = frame.loc[frame["latitude"].isna(), amount_col].sum() / total
    districts = frame.loc[frame["lad_code"].notna(), "lad_code"].nunique()
    if frame["awards"].sum() < definitions.MIN_VALUED_AWARDS:
        return (f"{buyer} made only {count(frame['awards'].sum())} under these filters: too few to say what "
                f"share went to local suppliers. Its suppliers are in {count(districts, 'district')}.")
    whole = f"{money(total)} awarded" if measure == "value" else f"the {total:,.0f} awards made"
    where = f" ({home['area_name']})" if home.get("area_name") else ""
    sentence = (f"Of {whole} by {buyer}, {pct(local)} went to local suppliers{where}; "
                f"its suppliers are in {districts} district{'s' if districts != 1 else ''}")
    return sentence + (f"; {pct(unplaced)} went to suppliers that cannot be placed on the map." if unplaced else ".")


def supplier_alt(frame: pd.DataFrame, buyer: str, measure: str) -> str:
    """Text description of the supplier map: each district, its locality and amount."""
    shown = MEASURE[measure]
    points = "; ".join(f"{r['district']} ({r['label']}): {shown.amount_text(r[shown.amount])}"
                       for r in placed(frame).to_dict("records"))
    return (f"Map of {buyer}'s suppliers by district, sized by {shown.axis.lower()} and coloured by location. "
            f"{points or 'No supplier can be placed'}.")
