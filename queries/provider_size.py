"""Provider size: who wins the money (SME, VCSE, large, unknown) over time, by buyer type,
by category and CPV division, and the largest awards to large suppliers.

Groups are the Overview's provider groups (VCSE organisations are their own group whatever
their size, so the groups add up to the total). Value is the sum of `value_gbp`; awards are
counted once (1/n per supplier row of a joint award).
"""

import pandas as pd

from queries import years
from queries.filters import Filters
from queries.measures import MEASURE
from queries.overview import AWARD_COUNT, DIMENSIONS, FINANCIAL_YEAR, GROUP_LABELS, PROVIDER_GROUP

GROUPS = DIMENSIONS["provider"]  # SME, VCSE, Large, Unknown
CATEGORIES = ("goods", "services", "works")
NO_CPV, OTHER = "", "other"
# What each row is split by: the SQL key (null for a row it does not apply to).
SPLITS = {
    "year": FINANCIAL_YEAR,  # null without an award date
    "buyer_type": "coalesce(buyer_type, 'unknown')",
    "category": "coalesce(category, 'unknown')",
    "cpv_division": f"coalesce(left(cpv_code, 2), '{NO_CPV}')",
}
SPLIT_WORDS = {"year": "financial year", "buyer_type": "buyer type", "category": "category",
               "cpv_division": "CPV division"}
LONG_COLUMNS = ["key", "key_label", "group", "label", "value_gbp", "awards", "valued_awards", "value_share",
                "count_share"]
AMOUNTS = ["value_gbp", "awards", "valued_awards"]


def split_sums(con, filters: Filters) -> pd.DataFrame:
    """Value, awards and valued awards per year, buyer type, category, CPV division and
    provider group together: every split the page charts, summed from this one scan (a few
    thousand groups; one scan per split took twice as long, 130 to 55 ms on two million rows)."""
    rows, params = filters.rows()
    return con.cursor().execute(f"""
        SELECT {', '.join(f'{sql} AS {split}' for split, sql in SPLITS.items())}, {PROVIDER_GROUP} AS grp,
               coalesce(sum(value_gbp), 0) AS value_gbp, {AWARD_COUNT} AS awards,
               coalesce({AWARD_COUNT} FILTER (value_gbp IS NOT NULL), 0) AS valued_awards
        FROM {rows} GROUP BY ALL""", params).df()


def provider_split(sums: pd.DataFrame, split: str, labels: dict[str, str],
                   period: years.Period | None = None) -> pd.DataFrame:
    """Value, awards and valued awards per (split key, provider group), from `split_sums`:
    every group listed for every key, with each group's share of its key's value and awards
    (the bars of a 100% stack). `labels` names the CPV divisions (division_labels). By year,
    `part_year` marks a year the data (`period`) covers only in part."""
    found = (sums.dropna(subset=[split]).groupby([split, "grp"], as_index=False)[AMOUNTS].sum()
             .rename(columns={split: "key"}))
    found["key"] = found["key"].astype(int if split == "year" else str)
    frame = _long(found, _key_order(found, split), _labeller(labels, split))
    if split == "year":
        frame = years.mark_part_years(frame, frame["key"], period)
    return frame


def _key_order(found: pd.DataFrame, split: str) -> list:
    """Years in order; categories goods, services, works (then any other); else largest first."""
    if split == "year":
        return sorted(found["key"].unique())
    totals = found.groupby("key")["value_gbp"].sum().sort_values(ascending=False, kind="stable")
    if split == "category":
        return sorted(totals.index, key=lambda k: (CATEGORIES.index(k) if k in CATEGORIES else 9, k))
    return list(totals.index)


def _labeller(labels: dict[str, str], split: str):
    """How a key is shown: "2024-25", "45 Construction work" / "CPV 45", "Unknown"."""
    if split == "year":
        return lambda year: f"{year}-{(year + 1) % 100:02d}"
    if split == "cpv_division":
        return lambda code: labels.get(code, f"CPV {code}")
    return lambda key: "Unknown" if key == "unknown" else key


def _long(found: pd.DataFrame, keys: list, label_of) -> pd.DataFrame:
    """Every (key, group) pair, zeros where nothing was awarded, shares within each key."""
    grid = pd.MultiIndex.from_product([keys, GROUPS], names=["key", "grp"]).to_frame(index=False)
    frame = grid.merge(found, on=["key", "grp"], how="left").fillna(
        {"value_gbp": 0.0, "awards": 0.0, "valued_awards": 0.0})
    frame = frame.rename(columns={"grp": "group"})
    frame["key_label"] = frame["key"].map(label_of)
    frame["label"] = frame["group"].map(lambda g: GROUP_LABELS.get(g, g))
    for amount, share in (("value_gbp", "value_share"), ("awards", "count_share")):
        total = frame.groupby("key", sort=False)[amount].transform("sum")
        frame[share] = (frame[amount] / total.where(total > 0)).fillna(0.0)
    frame["awards"] = frame["awards"].round(2)  # after the shares, which use the unrounded counts
    return frame[LONG_COLUMNS]


def division_labels(con) -> dict[str, str]:
    """CPV division (2 digits) -> "45 Construction work", from the label of the division's own
    code (nn000000) where any notice uses it. Divisions not listed show as "CPV nn"."""
    found = con.cursor().execute("SELECT division, label FROM cpv_divisions").fetchall()  # made by the load
    return {NO_CPV: "No CPV code", OTHER: "Other divisions"} | {code: f"{code} {label}" for code, label in found}


def provider_by_division(sums: pd.DataFrame, measure: str, labels: dict[str, str], top: int = 10) -> pd.DataFrame:
    """The `top` CPV divisions by value (or by awards), each split by provider group, from
    `split_sums`; the other divisions together as one "Other divisions" bar, so the bars add
    up to the total."""
    frame = provider_split(sums, "cpv_division", labels)
    amount = MEASURE[measure].amount
    totals = frame.groupby("key", sort=False)[amount].sum()
    ranked = [k for k in totals.sort_values(ascending=False, kind="stable").index if k != NO_CPV]
    keys = ranked[:top] + ([OTHER] if len(ranked) > top else []) + ([NO_CPV] if NO_CPV in totals.index else [])
    frame["key"] = frame["key"].where(frame["key"].isin(keys), OTHER)
    found = frame.groupby(["key", "group"], as_index=False)[AMOUNTS].sum()
    return _long(found.rename(columns={"group": "grp"}), keys, _labeller(labels, "cpv_division"))


LARGEST_COLUMNS = ["award_date", "buyer_name", "supplier_name", "title", "value_gbp", "notice_url", "award_value_gbp",
                   "n_suppliers", "locality", "supplier_area", "is_framework"]


def largest_large_awards(con, filters: Filters, limit: int | None = 200, offset: int = 0) -> pd.DataFrame:
    """Awards to suppliers declaring themselves large, largest share of value first, with where
    the supplier is (under the chosen definition of local) and the notice link."""
    rows, params = filters.rows()
    frame = con.cursor().execute(f"""
        SELECT award_date, buyer_name, supplier_name, title, value_gbp, award_value_gbp, n_suppliers,
               loc AS locality, supplier_lad_name AS supplier_area, is_framework, notice_url
        FROM {rows} WHERE supplier_size = 'Large' AND value_gbp IS NOT NULL
        ORDER BY value_gbp DESC, award_key LIMIT ? OFFSET ?""", params + [limit, offset]).df()
    frame["locality"] = frame["locality"].map(lambda v: GROUP_LABELS.get(v, v))
    return frame[LARGEST_COLUMNS]


def large_award_rows(con, filters: Filters) -> int:
    """How many rows `largest_large_awards` can list (for paging)."""
    rows, params = filters.rows()
    return con.cursor().execute(
        f"SELECT count(*) FROM {rows} WHERE supplier_size = 'Large' AND value_gbp IS NOT NULL", params).fetchone()[0]
