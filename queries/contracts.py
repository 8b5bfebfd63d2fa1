"""Contracts: the filtered award rows as a searchable, sortable table, a page at a time.

The sort column and direction come only from the whitelists below (a user's choice picks a
key; the SQL text is ours); search text is always a bound parameter.
"""

import pandas as pd

from queries.filters import Filters
from queries.overview import distinct_awards, locality_label

PAGE_SIZE = 100
SORTS = {
    "Award date": "award_date",
    "Value (this supplier's share)": "value_gbp",
    "Whole award value": "award_value_gbp",
    "Contract end": "contract_end",
    "Buyer": "buyer_name",
    "Supplier": "supplier_name",
    "Title": "title",
}
DIRECTIONS = {"Descending": "DESC", "Ascending": "ASC"}
SEARCHED = ("title", "buyer_name", "buyer_name_published", "supplier_name")  # the buyer as listed and as published
# The table makes notice_url clickable: only web links, never javascript: or other schemes.
SAFE_URL = ("CASE WHEN notice_url ILIKE 'https://%' OR notice_url ILIKE 'http://%' "
            "THEN notice_url END")

CONTRACT_COLUMNS = ["award_date", "title", "buyer_name", "supplier_name", "supplier_size", "supplier_vcse",
                    "locality", "value_gbp", "award_value_gbp", "n_suppliers", "value_band", "is_framework",
                    "contract_end", "source", "notice_url"]


def contains_pattern(text: str) -> str:
    """An ILIKE pattern (with ESCAPE '\\') matching `text` anywhere: the user's % and _
    are literal characters, not wildcards."""
    escaped = text.strip().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _search(search: str) -> tuple[str, list]:
    """A condition matching rows whose title, buyer or supplier name contains `search`."""
    if not search.strip():
        return "TRUE", []
    pattern = contains_pattern(search)
    return ("(" + " OR ".join(f"{column} ILIKE ? ESCAPE '\\'" for column in SEARCHED) + ")",
            [pattern] * len(SEARCHED))


def order_by(sort: str, direction: str) -> str:
    """The ORDER BY clause for a whitelisted sort and direction (ValueError otherwise).

    Rows without the sorted value go last either way; award_key breaks ties so that pages
    never overlap."""
    if sort not in SORTS or direction not in DIRECTIONS:
        raise ValueError(f"unknown sort {sort!r} {direction!r}")
    return f"{SORTS[sort]} {DIRECTIONS[direction]} NULLS LAST, award_key"


def matching(con, filters: Filters, search: str = "") -> dict:
    """How many filtered rows match the search: rows, awards (the distinct awards they are
    of: a joint award whose suppliers both match is one award) and value."""
    rows, params = filters.rows()
    condition, search_params = _search(search)
    found, awards, value = con.cursor().execute(f"""
        SELECT count(*), {distinct_awards(con)}, coalesce(sum(value_gbp), 0)
        FROM {rows} WHERE {condition}""", params + search_params).fetchall()[0]
    return {"rows": found, "awards": awards, "value_gbp": float(value)}


def contracts(con, filters: Filters, search: str = "", sort: str = "Award date", direction: str = "Descending",
              limit: int | None = PAGE_SIZE, offset: int = 0) -> pd.DataFrame:
    """The matching rows in the chosen order, `limit` from `offset` (None: every one), with
    notice links."""
    rows, params = filters.rows()
    condition, search_params = _search(search)
    return con.cursor().execute(f"""
        SELECT award_date, title, buyer_name, supplier_name, supplier_size, supplier_vcse,
               {locality_label()} AS locality, value_gbp, award_value_gbp, n_suppliers, value_band, is_framework,
               contract_end, source, {SAFE_URL} AS notice_url
        FROM {rows} WHERE {condition}
        ORDER BY {order_by(sort, direction)}
        LIMIT ? OFFSET ?""", params + search_params + [limit, offset]).df()
