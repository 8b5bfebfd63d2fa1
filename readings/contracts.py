"""The Contracts page in words: what a row is, and how many rows match the search."""

from queries.formatting import count, money

INTRO = ("Every award in the filters, one row per award and supplier (a joint award has a row per "
         "supplier, each with its equal share of the value). Each row links to its public notice.")
SEARCH_HELP = "Rows whose title, buyer (as listed or as the notice published it) or supplier contains this text."
ORDER_NOTE = ("Rows without the sorted value (no value, no contract end) come last in either order. The downloads "
              "hold every matching row in this order; every column of every filtered row is in the award rows "
              "download below.")


def count_sentence(found: dict, search: str) -> str:
    """ "1,234 award rows (1,200 awards, £45m) match "care"." """
    what = f'match "{search.strip()}"' if search.strip() else "match the filters"
    if not found["rows"]:
        return f"No award rows {what}."
    return (f"{count(found['rows'], 'award row')} ({count(found['awards'])}, {money(found['value_gbp'])}) "
            f"{what}.")
