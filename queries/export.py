"""Downloads that spreadsheets cannot turn against their users."""

import io

import pandas as pd

# A text cell starting with one of these is run as a formula by spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """Prefix formula-like text cells with an apostrophe; numbers stay numbers."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(
                lambda v: "'" + v if isinstance(v, str) and v.startswith(FORMULA_STARTS) else v)
    return safe


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as UTF-8 CSV, formula-safe."""
    buffer = io.StringIO()
    neutralise(frame).to_csv(buffer, index=False)
    return buffer.getvalue().encode("utf-8")
