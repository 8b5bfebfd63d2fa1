"""The award rows behind the figures, for downloads (every column, with notice links)."""

import pandas as pd

from queries.filters import Filters

ROW_CAP = 1_000_000  # a download of more rows than this is cut, and says so in its name


def filtered_rows(con, filters: Filters, limit: int = ROW_CAP) -> pd.DataFrame:
    """Every column of the filtered award rows, newest first, at most `limit` rows."""
    rows, params = filters.rows()
    return con.cursor().execute(
        f"SELECT * EXCLUDE (loc) FROM {rows} ORDER BY award_date DESC, award_key LIMIT ?",
        params + [limit]).df()
