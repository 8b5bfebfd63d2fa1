"""Aggregates for the Overview page: headline shares, the three core breakdowns, the trend.

They are worked out in pandas from `summary`, one grouped scan of the filtered awards.
Every figure is by value and by count. Value is the sum of `value_gbp` (each supplier's
equal share of its award; unknown values add nothing). Count is the number of awards,
each joint award counted once by giving each of its n suppliers 1/n of it.
"""

import pandas as pd

from loaders.normalising.classify import band_labels
from queries import years
from queries.filters import CHOICES, Filters
from queries.measures import MEASURE

AWARD_COUNT = "sum(1.0 / n_suppliers)"


def distinct_awards(con, number: str = "award_number") -> str:
    """An aggregate counting the distinct awards of the rows, exactly as count(DISTINCT
    award_number) does, as a bitmap of the award numbers: the store numbers its awards from
    1 (loaders.storage.store), and DuckDB's hashed distinct count took nine times as long on
    two million rows (64 to 7 ms). `number` may be an expression that is null for a row not
    to count; the answer is 0 when no row counts."""
    last = con.cursor().execute("SELECT max(award_number) FROM awards").fetchone()[0]
    return f"coalesce(bit_count(bitstring_agg({number}, 1, {int(last or 1)})), 0)"
FINANCIAL_YEAR = "CASE WHEN month(award_date) >= 4 THEN year(award_date) ELSE year(award_date) - 1 END"

# Provider group: VCSE organisations are their own group whatever their size, so the
# groups are exclusive and add up to the total.
PROVIDER_GROUP = "CASE WHEN supplier_vcse THEN 'VCSE' ELSE supplier_size END"
DIMENSIONS = {
    "provider": ("SME", "VCSE", "Large", "Unknown"),
    "locality": ("local", "same_region", "elsewhere_uk", "outside_uk", "unknown"),
    "value_band": tuple(band_labels()),
}
GROUP_LABELS = {
    "SME": "SME (not VCSE)", "Large": "Large (not VCSE)", "Unknown": "Size unknown (not VCSE)",
    "local": "Local", "same_region": "Same region", "elsewhere_uk": "Elsewhere in UK",
    "outside_uk": "Outside UK", "unknown": "Unknown",
}


def locality_label(column: str = "loc") -> str:
    """SQL giving a locality code's label ("Elsewhere in UK"): tables show labels, never codes."""
    whens = " ".join(f"WHEN '{code}' THEN '{GROUP_LABELS[code]}'" for code in DIMENSIONS["locality"])
    return f"CASE {column} {whens} END"


def summary(con, filters: Filters) -> pd.DataFrame:
    """The filtered awards summed by every grouping the Overview needs: financial year,
    locality, size, VCSE, value band and framework. One scan answers the headline, the three
    breakdowns and the trend (and the Locality and scorecard year charts), which is what
    keeps a page fast on millions of rows; the groups are few (thousands at most).

    value_gbp is null for a group none of whose awards has a known value."""
    rows, params = filters.rows()
    return con.cursor().execute(f"""
        SELECT {FINANCIAL_YEAR} AS fy, loc, supplier_size, supplier_vcse, value_band, is_framework,
               sum(value_gbp) AS value_gbp, {AWARD_COUNT} AS awards,
               coalesce({AWARD_COUNT} FILTER (value_gbp IS NOT NULL), 0) AS valued_awards
        FROM {rows} GROUP BY ALL""", params).df()


def participants(con, filters: Filters) -> dict:
    """How many distinct buyers and suppliers the filtered awards involve (not additive over
    groups, so not part of the summary)."""
    rows, params = filters.rows()
    buyers, suppliers = con.cursor().execute(
        f"SELECT count(DISTINCT buyer_key), count(DISTINCT supplier_number) FROM {rows}", params).fetchone()
    return {"buyers": buyers, "suppliers": suppliers}


def headline(summary_frame: pd.DataFrame, counts: dict) -> dict:
    """Total value, award count, buyers, suppliers and the local / SME / VCSE shares (and the
    unknown shares beside them), by value and by count, from `summary` and `participants`."""
    frame = summary_frame
    figures = {"total_value": _total(frame["value_gbp"]), "awards": round(frame["awards"].sum()),
               "valued_awards": round(frame["valued_awards"].sum()),
               "buyers": counts["buyers"], "suppliers": counts["suppliers"]}
    for name, mask in (("local", frame["loc"] == "local"), ("unknown_locality", frame["loc"] == "unknown"),
                       ("sme", frame["supplier_size"] == "SME"),
                       ("unknown_size", frame["supplier_size"] == "Unknown"),
                       ("vcse", _is_vcse(frame)), ("unknown_vcse", frame["supplier_vcse"].isna())):
        figures[f"{name}_value_share"] = _part(frame["value_gbp"], mask)
        figures[f"{name}_count_share"] = _part(frame["awards"], mask)
    figures["framework_value"] = _total(frame.loc[frame["is_framework"].fillna(False).astype(bool), "value_gbp"])
    return figures


def _total(values: pd.Series) -> float | None:
    """The sum of known values; None when there are none (as SQL's sum)."""
    total = values.sum(min_count=1)
    return None if pd.isna(total) else float(total)


def _part(values: pd.Series, mask: pd.Series) -> float | None:
    """The share of `values` where `mask` holds; None when the whole is nothing."""
    whole = values.sum()
    return float(values[mask.to_numpy()].sum() / whole) if whole else None


def breakdown(summary_frame: pd.DataFrame, dimension: str) -> pd.DataFrame:
    """Value, awards and shares per group of `dimension`, every group listed in a fixed order."""
    order = DIMENSIONS[dimension]
    frame = summary_frame.assign(group=_groups(summary_frame, dimension))
    found = frame.groupby("group", dropna=True)[["value_gbp", "awards"]].sum()
    out = pd.DataFrame({"group": list(order)}).merge(found.reset_index(), on="group", how="left")
    out = out.fillna({"value_gbp": 0.0, "awards": 0.0}).astype({"value_gbp": float, "awards": float})
    out["value_share"] = _share(out["value_gbp"])
    out["count_share"] = _share(out["awards"])  # from the unrounded counts
    out["awards"] = out["awards"].round(2)
    out.insert(1, "label", out["group"].map(lambda g: GROUP_LABELS.get(g, g)))
    return out


def _groups(frame: pd.DataFrame, dimension: str) -> pd.Series:
    """Each summary row's group under `dimension` (provider: VCSE, else the declared size)."""
    if dimension == "provider":
        return frame["supplier_size"].where(~_is_vcse(frame), "VCSE")
    return frame["loc" if dimension == "locality" else dimension]


def _is_vcse(frame: pd.DataFrame) -> pd.Series:
    """True where the group's suppliers are VCSE; an unknown status is not VCSE."""
    return frame["supplier_vcse"].fillna(False).astype(bool)


def _share(column: pd.Series) -> pd.Series:
    total = column.sum()
    return column / total if total else column * 0.0


def store_facts(con) -> dict:
    """Date range, sources, size and whether the store holds demo data (footer and banner), as
    the load counted them (loaders.storage.summaries: award_counts)."""
    first, last, rows, demo, sources = con.cursor().execute(
        "SELECT first_award_date, last_award_date, award_rows, is_demo, sources FROM award_counts").fetchall()[0]
    return {"first_award_date": first, "last_award_date": last, "rows": rows, "is_demo": demo,
            "sources": list(sources)}


def filter_options(con) -> dict:
    """The values each filter can take, from the data."""
    def distinct(column: str) -> list[str]:
        rows = con.cursor().execute(
            f"SELECT DISTINCT {column} FROM awards WHERE {column} IS NOT NULL ORDER BY 1").fetchall()
        return [value for (value,) in rows]
    return {choice.field: distinct(choice.column) for choice in CHOICES}


def trend(summary_frame: pd.DataFrame, measure: str, period: years.Period | None = None) -> pd.DataFrame:
    """% local, % SME and % VCSE per financial year (April to March), by value or by count,
    from `summary`, with each year's base (awards, valued awards) and whether the data
    covers only part of it (`period`: the days the data covers); undated awards left out.
    Every year between the first and the last is listed; a year with nothing to share has
    no share (NaN), never 0%."""
    frame = summary_frame[summary_frame["fy"].notna()]
    weight = frame[MEASURE[measure].amount].fillna(0.0)
    parts = {"local": frame["loc"] == "local", "sme": frame["supplier_size"] == "SME", "vcse": _is_vcse(frame)}
    sums = pd.DataFrame({"fy": frame["fy"].astype(int), "weight": weight,
                         **{name: weight.where(mask.to_numpy(), 0.0) for name, mask in parts.items()},
                         "value_gbp": frame["value_gbp"].fillna(0.0), "awards": frame["awards"],
                         "valued_awards": frame["valued_awards"]})
    totals = sums.groupby("fy").sum().sort_index()
    if len(totals):  # every year from the first to the last, a year without awards included
        totals = totals.reindex(range(int(totals.index.min()), int(totals.index.max()) + 1), fill_value=0.0)
    out = pd.DataFrame({"financial_year": [years.label(y) for y in totals.index]})
    for name in parts:
        # No share (not 0%) for a year with nothing to share: no awards, or none with a value.
        out[f"{name}_share"] = (totals[name] / totals["weight"].where(totals["weight"] != 0)).to_numpy()
    out["value_gbp"] = totals["value_gbp"].to_numpy()
    out["awards"] = totals["awards"].to_numpy()
    out["valued_awards"] = totals["valued_awards"].to_numpy()
    return years.mark_part_years(out, pd.Series(totals.index), period)
