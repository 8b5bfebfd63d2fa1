"""Suppliers: who wins the money, what size they are, where they are based, and how far
their footprint reaches (the national providers of DESIGN.md).

A supplier's size, VCSE status and home area are taken from its latest award among the
filtered rows that states them (declarations change over time; the latest is the current
one). Its footprint counts the distinct buyer regions, councils and buyers it has won
awards from across the whole store, whatever the filters, so "national provider" means
the same thing on every view.
"""

import html

import pandas as pd

from loaders.definitions import NATIONAL_PROVIDER_REGIONS

from queries.contracts import SAFE_URL, contains_pattern
from queries.filters import Filters
from queries.formatting import count, money, pct
from queries.overview import AWARD_COUNT, PROVIDER_GROUP, locality_label

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

TOP_SHOWN = 100        # suppliers in the table
CHART_SUPPLIERS = 15   # bars in the chart
AWARDS_SHOWN = 200     # one supplier's awards on screen; the download has all of them
MEASURE_COLUMNS = {"value": "value_gbp", "count": "awards"}

SUPPLIER_COLUMNS = ["supplier_key", "supplier_name", "size_group", "supplier_size", "supplier_vcse",
                    "home_district", "home_region", "home_country", "value_gbp", "awards", "award_rows",
                    "value_share", "count_share", "regions_served", "councils_served", "buyers_served",
                    "national_provider"]

# The row with the latest award date that states a value wins (the home area's three parts
# always come from one row; two rows of the same date are an arbitrary pick). A plain date
# key: a (date, award key) pair is several times slower on a million rows.
_LATEST = "award_date"


def top_suppliers(con, filters: Filters, measure: str = "value", search: str = "",
                  limit: int = TOP_SHOWN) -> pd.DataFrame:
    """The largest suppliers of the filtered awards by value or by count (optionally only
    those whose name contains `search`), with size, VCSE, home area and footprint.

    Shares are of the whole filtered total, so a searched supplier's share still reads as
    its share of all the money shown."""
    order = MEASURE_COLUMNS[measure]
    rows, params = filters.rows()
    name_clause, name_params = ("WHERE supplier_name ILIKE ? ESCAPE '\\'", [contains_pattern(search)]) \
        if search.strip() else ("", [])
    # Rank on cheap sums first; the per-supplier attributes are worked out for the ranked few.
    frame = con.cursor().execute(f"""
        WITH ranked AS (
            SELECT supplier_key, coalesce(sum(value_gbp), 0) AS value_gbp, {AWARD_COUNT} AS awards,
                   count(*) AS award_rows
            FROM {rows} {name_clause}
            GROUP BY supplier_key ORDER BY {order} DESC, supplier_key LIMIT ?),
        totals AS (SELECT sum(value_gbp) AS total_value, {AWARD_COUNT} AS total_awards FROM {rows}),
        attributes AS (
            SELECT supplier_key,
                   arg_max(supplier_name, {_LATEST}) AS supplier_name,
                   coalesce(arg_max(supplier_size, {_LATEST}) FILTER (supplier_size <> 'Unknown'),
                            'Unknown') AS supplier_size,
                   arg_max(supplier_vcse, {_LATEST}) FILTER (supplier_vcse IS NOT NULL) AS supplier_vcse,
                   arg_max([supplier_lad_name, supplier_region, supplier_country], {_LATEST})
                       FILTER (supplier_country IS NOT NULL) AS home
            FROM {rows} WHERE supplier_key IN (SELECT supplier_key FROM ranked)
            GROUP BY supplier_key)
        SELECT r.supplier_key, a.supplier_name, {PROVIDER_GROUP} AS size_group, a.supplier_size,
               a.supplier_vcse, a.home[1] AS home_district, a.home[2] AS home_region,
               a.home[3] AS home_country, r.value_gbp, r.awards, r.award_rows,
               coalesce(r.value_gbp / nullif(t.total_value, 0), 0) AS value_share,
               coalesce(r.awards / nullif(t.total_awards, 0), 0) AS count_share,
               fp.regions_served, fp.councils_served, fp.buyers_served,
               fp.regions_served >= ? AS national_provider
        FROM ranked r CROSS JOIN totals t JOIN attributes a USING (supplier_key)
             JOIN supplier_footprint fp USING (supplier_key)
        ORDER BY r.{order} DESC, r.supplier_key""",
        params + name_params + [limit] + params + params + [NATIONAL_PROVIDER_REGIONS]).df()
    frame["supplier_vcse"] = frame["supplier_vcse"].astype("boolean")
    frame["national_provider"] = frame["national_provider"].astype(bool)
    return frame[SUPPLIER_COLUMNS]


def top_chart(con, filters: Filters, measure: str, n: int = CHART_SUPPLIERS) -> pd.DataFrame:
    """The top `n` suppliers shaped for ui.charts.breakdown_bar: `group` is the size group
    (so each bar takes that group's colour) and `label` names the supplier and its group,
    so the colour is never the only way to tell the groups apart."""
    frame = top_suppliers(con, filters, measure, limit=n)
    frame.insert(0, "group", frame["size_group"])
    frame.insert(1, "label", _chart_labels(frame))
    return frame


def _chart_labels(frame: pd.DataFrame) -> list[str]:
    """ "Pennine Roads Ltd (Large)", unique per bar (Plotly merges equal category labels),
    with < > & escaped because Plotly reads a few HTML tags in axis labels."""
    labels, seen = [], set()
    for name, group, key in zip(frame["supplier_name"], frame["size_group"], frame["supplier_key"]):
        label = f"{name} ({group})"
        if label in seen:
            label = f"{name} ({group}, {key})"
        seen.add(label)
        labels.append(html.escape(label, quote=False))
    return labels


def supplier_awards(con, filters: Filters, supplier_key: str, limit: int = AWARDS_SHOWN) -> pd.DataFrame:
    """One supplier's filtered award rows, newest first, each with its notice link (only
    http(s) links: a notice could carry any text there, and the table makes it clickable)."""
    rows, params = filters.rows()
    return con.cursor().execute(f"""
        SELECT award_date, title, buyer_name, buyer_type, buyer_region, {locality_label()} AS locality, value_gbp,
               award_value_gbp, n_suppliers, value_band, supplier_size, supplier_vcse, is_framework,
               contract_end, source, {SAFE_URL} AS notice_url
        FROM {rows} WHERE supplier_key = ?
        ORDER BY award_date DESC NULLS LAST, award_key LIMIT ?""", params + [supplier_key, limit]).df()


def supplier_award_count(con, filters: Filters, supplier_key: str) -> int:
    """How many filtered award rows the supplier has (to say how many the table leaves out)."""
    rows, params = filters.rows()
    return con.cursor().execute(f"SELECT count(*) FROM {rows} WHERE supplier_key = ?",
                                params + [supplier_key]).fetchall()[0][0]


def _amount(row, measure: str) -> str:
    """£300k, or "3 awards" (whole awards; see formatting.count)."""
    return money(row["value_gbp"]) if measure == "value" else count(row["awards"])


def top_reading(frame: pd.DataFrame, measure: str) -> str:
    """ "Pennine Roads Ltd won the most award value: £300k (54% of the total). The top 15
    suppliers won 97% of it; 2 of them are national providers." """
    if frame.empty or frame[MEASURE_COLUMNS[measure]].sum() == 0:
        return "No awards match these filters."
    share_column = "value_share" if measure == "value" else "count_share"
    top = frame.iloc[0]
    what = "award value" if measure == "value" else "awards"
    national = int(frame["national_provider"].sum())
    return (f"{top['supplier_name']} won the most {what}: {_amount(top, measure)} "
            f"({pct(top[share_column])} of the total). The top {len(frame)} suppliers won "
            f"{pct(frame[share_column].sum())} of it; {national} of them "
            f"{'is a national provider' if national == 1 else 'are national providers'} "
            f"(buyers in {NATIONAL_PROVIDER_REGIONS} or more regions).")


def top_alt(frame: pd.DataFrame, measure: str) -> str:
    """A text description of the top-suppliers bar chart: every bar, its group and share."""
    share_column = "value_share" if measure == "value" else "count_share"
    what = "award value" if measure == "value" else "number of awards"
    bars = "; ".join(f"{row['supplier_name']}, {row['size_group']}: {_amount(row, measure)} "
                     f"({pct(row[share_column])})" for _, row in frame.iterrows())
    return (f"Horizontal bar chart of {what} for the {len(frame)} largest suppliers, largest first, "
            f"each bar coloured by provider size group: {bars or 'no suppliers'}.")


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


def supplier_sentence(frame: pd.DataFrame, supplier_key: str) -> str:
    """One supplier in a sentence: what it won, its size and where it is, its footprint."""
    row = frame.loc[frame["supplier_key"] == supplier_key].iloc[0]
    vcse = ("VCSE status unknown" if pd.isna(row["supplier_vcse"]) else
            "a VCSE organisation" if row["supplier_vcse"] else "not VCSE")
    home = ", ".join(str(p) for p in (row["home_district"], row["home_region"], row["home_country"])
                     if isinstance(p, str)) or "unknown"
    footprint = (f"Across the whole store it has won awards from buyers in {row['regions_served']} "
                 f"region{'s' if row['regions_served'] != 1 else ''} and {row['councils_served']} "
                 f"council{'s' if row['councils_served'] != 1 else ''}")
    national = " (a national provider)." if row["national_provider"] else "."
    # Whole awards: the awards it is on (a joint award is one award for each of its suppliers,
    # though in counts and shares it weighs 1/n for each).
    return (f"{row['supplier_name']} won {money(row['value_gbp'])} across "
            f"{count(row['award_rows'])} in this selection. Size: {row['supplier_size']}; {vcse}; "
            f"based in {home}. {footprint}{national}")
