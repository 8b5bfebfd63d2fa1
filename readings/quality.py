"""What the value totals leave out, in the one line under every page's totals."""

import pandas as pd

from queries.formatting import count, money
from queries.quality import LEFT_OUT_WORDS


def left_out_sentence(frame: pd.DataFrame) -> str:
    """ "Left out of value totals: 2 awards over £1bn (£3.4bn) and 1 a placeholder of £1 or
    less; they still count by number of awards." """
    parts = [f"{count(row.awards)} {LEFT_OUT_WORDS[row.flag]}"
             + (f" ({money(row.value_gbp)})" if row.flag in ("over_1bn", "negative") else "")
             for row in frame.itertuples() if row.awards]
    if not parts:
        return ("No award value is left out of these totals (none over £1bn, negative, in another currency "
                "or a placeholder of £1 or less).")
    listed = ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1]
    return f"Left out of value totals: {listed}; they still count by number of awards."
