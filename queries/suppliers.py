"""Suppliers: who wins the money, what size they are, where they are based, and how far
their footprint reaches (the national providers of DESIGN.md).

A supplier's awards are the awards it is on, whole: a joint award is one award for each of
its suppliers (its value is split equally among them, so values add up to the total, but
counts and shares of awards do not). A supplier's size, VCSE status and home area are taken
from its latest award among the filtered rows that states them (declarations change over
time; the latest is the current one). Its footprint counts the distinct buyer regions,
councils and buyers it has won awards from across the whole store, whatever the filters, so
"national provider" means the same thing on every view.
"""

import pandas as pd

from loaders.definitions import NATIONAL_PROVIDER_REGIONS
from queries.contracts import SAFE_URL, contains_pattern
from queries.filters import Filters
from queries.overview import PROVIDER_GROUP, distinct_awards, locality_label

TOP_SHOWN = 100        # suppliers a table page shows, and the supplier picker offers
CHART_SUPPLIERS = 15   # bars in the chart
AWARDS_SHOWN = 200     # one supplier's awards a table page shows; the download has all of them
# The ranking by each measure; ties go to the larger other measure, then the key (the
# supplier's number, which sorts as its key does: loaders.storage.store, derived columns).
ORDER = {"value": "value_gbp DESC, supplier_number", "count": "awards DESC, value_gbp DESC, supplier_number"}

SUPPLIER_COLUMNS = ["supplier_key", "supplier_name", "size_group", "supplier_size", "supplier_vcse",
                    "home_district", "home_region", "home_country", "value_gbp", "awards",
                    "value_share", "count_share", "regions_served", "councils_served", "buyers_served",
                    "national_provider"]
AWARD_COLUMNS = ["award_date", "title", "buyer_name", "buyer_type", "buyer_region", "locality", "value_gbp",
                 "award_value_gbp", "n_suppliers", "value_band", "supplier_size", "supplier_vcse", "is_framework",
                 "contract_end", "source", "notice_url"]

# The row with the latest award date that states a value wins (the home area's three parts
# always come from one row; two rows of the same date are an arbitrary pick). A plain date
# key: a (date, award key) pair is several times slower on a million rows.
_LATEST = "award_date"


def _which(search: str = "", key: str | None = None) -> tuple[str, list]:
    """The suppliers asked for: those whose name contains `search`, or the one of `key`."""
    if key is not None:
        return "supplier_key = ?", [key]
    if search.strip():
        return "supplier_name ILIKE ? ESCAPE '\\'", [contains_pattern(search)]
    return "TRUE", []


def top_suppliers(con, filters: Filters, measure: str = "value", search: str = "",
                  limit: int | None = TOP_SHOWN, offset: int = 0, key: str | None = None) -> pd.DataFrame:
    """The suppliers of the filtered awards, largest first by value or by count (`limit`
    from `offset`; None: every one), optionally only those whose name contains `search` or
    the one of `key`, with size, VCSE, home area and footprint.

    `awards` are the awards each is on; shares are of the whole filtered total (value, and
    the number of awards), so a searched supplier's share still reads as its share of all."""
    return _ranked(con, filters, measure, search, limit, offset, key)[SUPPLIER_COLUMNS]


def _ranked(con, filters: Filters, measure: str, search: str, limit: int | None, offset: int,
            key: str | None) -> pd.DataFrame:
    """top_suppliers' rows with `total_awards`, the number of filtered awards (the chart's
    base, counted in the same scan)."""
    rows, params = filters.rows()
    which, which_params = _which(search, key)
    # Rank on cheap sums first; the per-supplier attributes are worked out for the ranked few.
    frame = con.cursor().execute(f"""
        WITH ranked AS (
            SELECT supplier_number, coalesce(sum(value_gbp), 0) AS value_gbp, count(*) AS awards
            FROM {rows} WHERE supplier_number IS NOT NULL AND {which}
            GROUP BY supplier_number ORDER BY {ORDER[measure]} LIMIT ? OFFSET ?),
        totals AS (SELECT sum(value_gbp) AS total_value, {distinct_awards(con)} AS total_awards FROM {rows}),
        attributes AS (
            SELECT supplier_number, any_value(supplier_key) AS supplier_key,
                   arg_max(supplier_name, {_LATEST}) AS supplier_name,
                   coalesce(arg_max(supplier_size, {_LATEST}) FILTER (supplier_size <> 'Unknown'),
                            'Unknown') AS supplier_size,
                   arg_max(supplier_vcse, {_LATEST}) FILTER (supplier_vcse IS NOT NULL) AS supplier_vcse,
                   arg_max([supplier_lad_name, supplier_region, supplier_country], {_LATEST})
                       FILTER (supplier_country IS NOT NULL) AS home
            FROM {rows} WHERE supplier_number IN (SELECT supplier_number FROM ranked)
            GROUP BY supplier_number)
        SELECT a.supplier_key, a.supplier_name, {PROVIDER_GROUP} AS size_group, a.supplier_size,
               a.supplier_vcse, a.home[1] AS home_district, a.home[2] AS home_region,
               a.home[3] AS home_country, r.value_gbp, r.awards,
               coalesce(r.value_gbp / nullif(t.total_value, 0), 0) AS value_share,
               coalesce(r.awards / nullif(t.total_awards, 0), 0) AS count_share,
               fp.regions_served, fp.councils_served, fp.buyers_served,
               fp.regions_served >= ? AS national_provider, t.total_awards
        FROM ranked r CROSS JOIN totals t JOIN attributes a USING (supplier_number)
             JOIN supplier_footprint fp ON fp.supplier_key = a.supplier_key
        ORDER BY {', '.join(f'r.{part}' for part in ORDER[measure].split(', '))}""",
        params + which_params + [limit, offset] + params + params + [NATIONAL_PROVIDER_REGIONS]).df()
    frame["supplier_vcse"] = frame["supplier_vcse"].astype("boolean")
    frame["national_provider"] = frame["national_provider"].astype(bool)
    return frame


def supplier_count(con, filters: Filters, search: str = "") -> int:
    """How many suppliers the filtered awards have (whose name contains `search`)."""
    rows, params = filters.rows()
    which, which_params = _which(search)
    return con.cursor().execute(f"SELECT count(DISTINCT supplier_number) FROM {rows} WHERE {which}",
                                params + which_params).fetchall()[0][0]


def one_supplier(con, filters: Filters, supplier_key: str | None) -> pd.DataFrame:
    """The supplier of `supplier_key` as the table shows it (no row for None or no awards)."""
    return top_suppliers(con, filters, key=supplier_key, limit=0 if supplier_key is None else 1)


def top_chart(con, filters: Filters, measure: str, n: int = CHART_SUPPLIERS) -> pd.DataFrame:
    """The top `n` suppliers for ui.charts.breakdown_bar: `group` is the size group (so each
    bar takes that group's colour; the page adds the labels), and `together_count_share` the
    share of all awards that any of them is on (an award two of them won counted once)."""
    frame = _ranked(con, filters, measure, "", n, 0, None)
    rows, params = filters.rows()
    together = con.cursor().execute(  # the few rows of these suppliers: a scan, not a count of every award
        f"SELECT {distinct_awards(con)} FROM {rows} WHERE list_contains(?::VARCHAR[], supplier_key)",
        params + [frame["supplier_key"].tolist()]).fetchall()[0][0]
    total = frame["total_awards"].iloc[0] if len(frame) else 0
    frame = frame[SUPPLIER_COLUMNS]
    frame.insert(0, "group", frame["size_group"])
    frame["together_count_share"] = together / total if total else 0.0
    return frame


def supplier_awards(con, filters: Filters, supplier_key: str | None, limit: int | None = AWARDS_SHOWN,
                    offset: int = 0) -> pd.DataFrame:
    """One supplier's filtered award rows, newest first (`limit` from `offset`; None: all),
    each with its notice link (only http(s) links: a notice could carry any text there, and
    the table makes it clickable). No supplier (None): no rows."""
    rows, params = filters.rows()
    return con.cursor().execute(f"""
        SELECT award_date, title, buyer_name, buyer_type, buyer_region, {locality_label()} AS locality, value_gbp,
               award_value_gbp, n_suppliers, value_band, supplier_size, supplier_vcse, is_framework,
               contract_end, source, {SAFE_URL} AS notice_url
        FROM {rows} WHERE supplier_key = ?
        ORDER BY award_date DESC NULLS LAST, award_key LIMIT ? OFFSET ?""",
        params + [supplier_key, limit, offset]).df()[AWARD_COLUMNS]


def supplier_award_count(con, filters: Filters, supplier_key: str | None) -> int:
    """How many filtered award rows (awards it is on) the supplier has."""
    rows, params = filters.rows()
    return con.cursor().execute(f"SELECT count(*) FROM {rows} WHERE supplier_key = ?",
                                params + [supplier_key]).fetchall()[0][0]
