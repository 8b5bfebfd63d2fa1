"""The Suppliers page in words: the rules it states, the top-suppliers chart's labels, reading
and description, the table's sentence, the supplier picker's names and one supplier's
sentence. A supplier's awards are the awards it is on (whole awards: a joint award is one
award for each of its suppliers); its value is its equal share of each."""

import html

import pandas as pd

from loaders.definitions import NATIONAL_PROVIDER_REGIONS
from queries.formatting import count, money, pct

INTRO = ("The suppliers that win the most, how big they are, where they are based and how many "
         "regions they work in.")
# A supplier that has won awards from buyers in this many regions or more is a national
# provider (DESIGN.md: "won awards from buyers in several regions").
NATIONAL_PROVIDER_TEXT = (
    f"National provider: a supplier that has won awards from buyers in {NATIONAL_PROVIDER_REGIONS} "
    "or more regions (counted across every award in the store, whatever the filters). Its footprint "
    "is the number of distinct buyer regions and councils (local authority buyers) it has won awards "
    "from.")
ATTRIBUTES_TEXT = (
    "A supplier's size, VCSE status and home area are as stated in its latest award among those "
    "shown; its home area is where its postcode lies (the district, region and country), or, "
    "without a postcode, the region its notice's region code names.")
AWARDS_TEXT = (
    "A supplier's awards are the awards it is on: an award won jointly counts as one whole award for "
    "each of its suppliers, so the suppliers' awards add up to more than the number of awards and "
    "their shares of awards to more than 100%. Its value is its equal share of each award's value, so "
    "the suppliers' values add up to the total.")
COLOUR_NOTE = ("Each bar is coloured by the supplier's size group (SME, VCSE, Large or size unknown), "
               "also named beside the supplier.")
NO_MATCH = "No supplier matches: try another part of the name, or widen the filters."
PICK_HELP = ("One of the {n} largest suppliers that match the search (in the table's order); search by name "
             "to find any other.")
NO_PICK = "No supplier is chosen."

MEASURE_WORDS = {"value": "by value", "count": "by number of awards"}
SIZE_WORDS = {"Unknown": "size unknown"}  # a size group as it reads beside a name


def size_words(group: str) -> str:
    """ "SME", "VCSE", "Large", or "size unknown" (never a bare "Unknown" after a name)."""
    return SIZE_WORDS.get(group, group)


def chart_title(measure: str, suppliers: int) -> str:
    return f"The {suppliers} largest suppliers {MEASURE_WORDS[measure]}"


def chart_labels(frame: pd.DataFrame) -> list[str]:
    """ "Pennine Roads Ltd (Large)", "Irwell Services Ltd (size unknown)": unique per bar
    (Plotly merges equal category labels), with < > & escaped because Plotly reads a few
    HTML tags in axis labels."""
    labels, seen = [], set()
    for name, group, key in zip(frame["supplier_name"], frame["size_group"], frame["supplier_key"]):
        label = f"{name} ({size_words(group)})"
        if label in seen:
            label = f"{name} ({size_words(group)}, {key})"
        seen.add(label)
        labels.append(html.escape(label, quote=False))
    return labels


def _amount(row, measure: str) -> str:
    """£300k, or "3 awards" (whole awards)."""
    return money(row["value_gbp"]) if measure == "value" else count(row["awards"])


def _national(frame: pd.DataFrame) -> str:
    national = int(frame["national_provider"].sum())
    return (f"{national} of them {'is a national provider' if national == 1 else 'are national providers'} "
            f"(buyers in {NATIONAL_PROVIDER_REGIONS} or more regions).")


def top_reading(frame: pd.DataFrame, measure: str) -> str:
    """By value: "Pennine Roads Ltd won the most award value: £300k (54% of the total). The top
    15 suppliers won 97% of it; 2 of them are national providers (...)". By count, the top
    suppliers' share is of the awards any of them is on (a joint award of two counted once)."""
    column = "value_gbp" if measure == "value" else "awards"
    if frame.empty or frame[column].sum() == 0:
        return "No awards match these filters."
    top = frame.iloc[0]
    if measure == "value":
        return (f"{top['supplier_name']} won the most award value: {_amount(top, measure)} "
                f"({pct(top['value_share'])} of the total). The top {len(frame)} suppliers won "
                f"{pct(frame['value_share'].sum())} of it; {_national(frame)}")
    return (f"{top['supplier_name']} won the most awards: {_amount(top, measure)} ({pct(top['count_share'])} "
            f"of all awards). The top {len(frame)} suppliers won {pct(top['together_count_share'])} of the "
            f"awards (an award won by several of them counted once); {_national(frame)}")


def top_alt(frame: pd.DataFrame, measure: str) -> str:
    """A text description of the top-suppliers bar chart: every bar, its group and share."""
    share_column = "value_share" if measure == "value" else "count_share"
    what = "award value" if measure == "value" else "number of awards"
    bars = "; ".join(f"{row['supplier_name']}, {size_words(row['size_group'])}: {_amount(row, measure)} "
                     f"({pct(row[share_column])})" for _, row in frame.iterrows())
    return (f"Horizontal bar chart of {what} for the {len(frame)} largest suppliers, largest first, "
            f"each bar coloured by provider size group: {bars or 'no suppliers'}.")


def table_sentence(total: int, search: str, measure: str) -> str:
    """ "1,234 suppliers under these filters, the largest by value first." """
    which = f'whose name contains "{search}"' if search else "under these filters"
    return f"{count(total, 'supplier')} {which}, the largest {MEASURE_WORDS[measure]} first."


def pick_labels(frame: pd.DataFrame) -> dict:
    """supplier_key -> the name shown in the supplier picker (with its home district, and the
    key where two suppliers share a name and a district)."""
    labels = {}
    for key, name, district, country in zip(frame["supplier_key"], frame["supplier_name"],
                                            frame["home_district"], frame["home_country"]):
        place = district if isinstance(district, str) else country if isinstance(country, str) else "place unknown"
        label = f"{name} ({place})"
        labels[key] = label if label not in labels.values() else f"{name} ({place}; {key})"
    return labels


def supplier_sentence(frame: pd.DataFrame) -> str:
    """One supplier (the frame's one row) in a sentence: what it won (the awards it is on, and
    its share of their value), its size and where it is, its footprint."""
    if frame.empty:
        return NO_PICK
    row = frame.iloc[0]
    vcse = ("VCSE status unknown" if pd.isna(row["supplier_vcse"]) else
            "a VCSE organisation" if row["supplier_vcse"] else "not VCSE")
    home = ", ".join(str(p) for p in (row["home_district"], row["home_region"], row["home_country"])
                     if isinstance(p, str)) or "unknown"
    footprint = (f"Across the whole store it has won awards from buyers in {count(row['regions_served'], 'region')} "
                 f"and {count(row['councils_served'], 'council')}")
    national = " (a national provider)." if row["national_provider"] else "."
    return (f"{row['supplier_name']} won {money(row['value_gbp'])} across {count(row['awards'])} in this "
            f"selection. Size: {row['supplier_size']}; {vcse}; based in {home}. {footprint}{national}")
