"""Aggregates for the Overview page: headline shares and the three core breakdowns.

Every figure is by value and by count. Value is the sum of `value_gbp` (each supplier's
equal share of its award; unknown values add nothing). Count is the number of awards,
each joint award counted once by giving each of its n suppliers 1/n of it.
"""

import pandas as pd

from loaders.classify import band_labels
from queries.filters import Filters

AWARD_COUNT = "sum(1.0 / n_suppliers)"

# Provider group: VCSE organisations are their own group whatever their size, so the
# groups are exclusive and add up to the total.
PROVIDER_GROUP = "CASE WHEN supplier_vcse THEN 'VCSE' ELSE supplier_size END"
DIMENSIONS = {
    "provider": (PROVIDER_GROUP, ("SME", "VCSE", "Large", "Unknown")),
    "locality": ("loc", ("local", "same_region", "elsewhere_uk", "outside_uk", "unknown")),
    "value_band": ("value_band", tuple(band_labels())),
}
GROUP_LABELS = {
    "SME": "SME (not VCSE)", "Large": "Large (not VCSE)",
    "local": "Local", "same_region": "Same region", "elsewhere_uk": "Elsewhere in UK",
    "outside_uk": "Outside UK", "unknown": "Unknown",
}


def headline(con, filters: Filters) -> dict:
    """Total value, award count and the local / SME / VCSE shares, by value and by count."""
    rows, params = filters.rows()
    row = con.cursor().execute(f"""
        SELECT sum(value_gbp), {AWARD_COUNT}, count(DISTINCT buyer_key), count(DISTINCT supplier_key),
               {_shares("loc = 'local'")}, {_shares("loc = 'unknown'")},
               {_shares("supplier_size = 'SME'")}, {_shares("supplier_size = 'Unknown'")},
               {_shares("supplier_vcse")}, {_shares("supplier_vcse IS NULL")},
               sum(value_gbp) FILTER (is_framework)
        FROM {rows}""", params).fetchall()[0]
    names = ("total_value", "awards", "buyers", "suppliers",
             "local_value_share", "local_count_share", "unknown_locality_value_share",
             "unknown_locality_count_share", "sme_value_share", "sme_count_share",
             "unknown_size_value_share", "unknown_size_count_share",
             "vcse_value_share", "vcse_count_share", "unknown_vcse_value_share",
             "unknown_vcse_count_share", "framework_value")
    figures = dict(zip(names, row))
    figures["awards"] = round(figures["awards"] or 0)
    return figures


def _shares(condition: str) -> str:
    """Two SQL expressions: the share of value and the share of awards meeting `condition`."""
    return (f"coalesce(sum(value_gbp) FILTER ({condition}), 0) / nullif(sum(value_gbp), 0), "
            f"coalesce({AWARD_COUNT} FILTER ({condition}), 0) / nullif({AWARD_COUNT}, 0)")


def breakdown(con, filters: Filters, dimension: str) -> pd.DataFrame:
    """Value, awards and shares per group of `dimension`, every group listed in a fixed order."""
    expression, order = DIMENSIONS[dimension]
    rows, params = filters.rows()
    found = con.cursor().execute(f"""
        SELECT {expression} AS grp, coalesce(sum(value_gbp), 0) AS value_gbp, {AWARD_COUNT} AS awards
        FROM {rows} GROUP BY grp""", params).df()
    frame = pd.DataFrame({"group": list(order)}).merge(
        found.rename(columns={"grp": "group"}), on="group", how="left").fillna({"value_gbp": 0.0, "awards": 0.0})
    frame["awards"] = frame["awards"].round(2)
    frame["value_share"] = _share(frame["value_gbp"])
    frame["count_share"] = _share(frame["awards"])
    frame.insert(1, "label", frame["group"].map(lambda g: GROUP_LABELS.get(g, g)))
    return frame


def _share(column: pd.Series) -> pd.Series:
    total = column.sum()
    return column / total if total else column * 0.0


def store_facts(con) -> dict:
    """Date range, sources, size and whether the store holds demo data (footer and banner)."""
    first, last, rows, demo = con.cursor().execute("""
        SELECT min(award_date), max(award_date), count(*), coalesce(bool_or(source = 'demo'), false)
        FROM awards""").fetchall()[0]
    sources = [s for (s,) in con.cursor().execute("SELECT DISTINCT source FROM awards ORDER BY 1").fetchall()]
    return {"first_award_date": first, "last_award_date": last, "rows": rows, "is_demo": demo,
            "sources": sources}


def filter_options(con) -> dict:
    """The values each filter can take, from the data."""
    def distinct(column: str) -> list[str]:
        rows = con.cursor().execute(
            f"SELECT DISTINCT {column} FROM awards WHERE {column} IS NOT NULL ORDER BY 1").fetchall()
        return [value for (value,) in rows]
    return {"regions": distinct("buyer_region"), "buyers": distinct("buyer_name"),
            "buyer_types": distinct("buyer_type"), "sources": distinct("source"),
            "supplier_sizes": distinct("supplier_size"), "categories": distinct("category")}


FINANCIAL_YEAR = ("CASE WHEN month(award_date) >= 4 THEN year(award_date) ELSE year(award_date) - 1 END")
TREND_SHARES = {"local": "loc = 'local'", "sme": "supplier_size = 'SME'", "vcse": "supplier_vcse"}


def trend(con, filters: Filters, measure: str) -> pd.DataFrame:
    """% local, % SME and % VCSE per financial year (April to March), by value or by count."""
    rows, params = filters.rows()
    weight = "value_gbp" if measure == "value" else "1.0 / n_suppliers"
    shares = ", ".join(f"sum({weight}) FILTER ({cond}) / nullif(sum({weight}), 0) AS {name}_share"
                       for name, cond in TREND_SHARES.items())
    frame = con.cursor().execute(f"""
        SELECT {FINANCIAL_YEAR} AS fy, {shares}, coalesce(sum(value_gbp), 0) AS value_gbp,
               {AWARD_COUNT} AS awards
        FROM {rows} WHERE award_date IS NOT NULL GROUP BY fy ORDER BY fy""", params).df()
    frame.insert(0, "financial_year", frame.pop("fy").map(lambda y: f"{int(y)}-{(int(y) + 1) % 100:02d}"))
    return frame.fillna({f"{name}_share": 0.0 for name in TREND_SHARES})
