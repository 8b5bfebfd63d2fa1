"""Coverage and data quality for the Methodology page: what is unknown, and why.

The store-wide figures are the ones `python -m loaders info` prints (loaders.info.summary):
the same conditions over the same rows, here over an open connection so the app can cache
them. Each is beside the reason it is unknown, in the words the page shows.
"""

import pandas as pd

from loaders.normalising.normalise import UNNAMED_SUPPLIER
from loaders.storage import store
from queries.filters import Filters

# (figure, SQL condition on an award row, why it happens). The conditions are those of
# loaders.info._quality, so the store column equals `info`.
COVERAGE = (
    ("Award rows without a value", "award_value_gbp IS NULL",
     "The notice gave no award or contract value, or gave it in another currency. These rows "
     "count in 'by count' figures but add nothing to value totals."),
    ("Award rows without a supplier postcode", "supplier_postcode IS NULL AND supplier_abroad IS NULL",
     "The supplier's address in the notice has no postcode (or only text such as N/A) and "
     "names no other country, so the supplier cannot be placed."),
    ("Award rows with unknown supplier size", "supplier_size = 'Unknown'",
     "The notice does not say whether the supplier is an SME: size is taken only from the "
     "supplier's own declaration, never guessed."),
    ("Award rows with unknown VCSE status", "supplier_vcse IS NULL",
     "The notice does not say whether the supplier is a voluntary, community or social enterprise."),
    ("Award rows with unknown locality", "{loc} = 'unknown'",
     "The buyer's or the supplier's postcode is missing or could not be placed in a council "
     "area (under the within-N-km definition: either postcode has no centroid)."),
    ("Award rows whose supplier is not named", f"supplier_name = '{UNNAMED_SUPPLIER}'",
     "The notice lists a supplier without its name (only the platform's id for it). The award "
     "is kept, so no total loses it; the supplier shows as " + UNNAMED_SUPPLIER + "."),
    ("Award rows valued from the contract", "value_source = 'contract'",
     "The award had no value, so the value of its contract was used (Find a Tender UK7 notices "
     "carry it there). Not unknown, but worth knowing."),
)
COVERAGE_COLUMNS = ["figure", "store_rows", "store_share", "selection_rows", "selection_share", "why"]

VALUE_FLAGS = {
    "placeholder": "The value is £1 or less (0, 0.01, 1), a placeholder rather than a price. Kept in "
                   "the row, left out of value totals and shares (its band is unknown).",
    "negative": "The value is negative. Kept in the row, left out of value totals.",
    "over_1bn": "The value is over £1bn, usually a framework ceiling or a typing error. Kept in the "
                "row, left out of value totals.",
    "non_gbp": "The value is in another currency. Kept in the notice; the row has no pounds value.",
}
EVENT_KINDS = {
    "cross_published": "Contracts Finder awards that copy a Find a Tender award (published on both): "
                       "their rows stay in the table, marked, but are left out of every figure.",
    "award_cancelled": "Awards the notice marks cancelled: no rows, left out of the figures.",
    "award_cancelled_by_termination": "Awards a later procurement termination notice (Find a Tender UK12) "
                                      "cancels, for the whole procurement or the award's lot: no rows, left "
                                      "out of the figures.",
    "award_unsuccessful": "Awards the notice marks unsuccessful: no rows, left out of the figures.",
    "award_no_suppliers": "Award entries that name no supplier: no rows.",
    "value_not_numeric": "Amounts written as text that is not a number (\"abc\", \"£1,000\"), read as no "
                         "value: an award keeps its rows, without a value, left out of value totals.",
    "release_not_normalised": "Releases (or single awards) kept as received but whose shape could not be read "
                              "as awards, such as a field of the wrong type (the reasons are listed below).",
    "same_as_notice": "Rows of a Contracts Finder CSV export or a council contracts register that are also a notice "
                      "held (the same notice identifier, or the same buyer, supplier, value and date), or a register "
                      "row that is also a row of an export: their rows stay, marked, but are left out of every "
                      "figure, where the other copy counts.",
    "row_not_read": "Rows of an imported table (CSV or XLSX) with a cell that could not be read, such as a value or "
                    "a date that is not one: no award; the file, line and cell are named.",
    "text_not_utf8": "Lines (or files) of an imported file whose text was not UTF-8, read as windows-1252 "
                     "instead: their names and addresses may show odd characters; the file and line are named.",
}
NOT_NORMALISED_SHOWN = 50
# Each value flag as the one line under value totals names it.
LEFT_OUT_WORDS = {"over_1bn": "over £1bn", "negative": "with a negative value",
                  "non_gbp": "valued in another currency",
                  "placeholder": "with a placeholder value of £1 or less"}


def store_counts(con) -> dict:
    """What the store holds: releases, award rows, awards, suppliers, buyers, postcodes."""
    cur = con.cursor()
    releases = cur.execute("SELECT count(*) FROM releases").fetchall()[0][0]
    rows, awards, suppliers, buyers = cur.execute(  # counted by the load (summaries.award_counts)
        "SELECT award_rows, awards, suppliers, buyers FROM award_counts").fetchall()[0]
    cached = cur.execute("SELECT count(*) FROM postcodes").fetchall()[0][0]
    return {"releases": releases, "award_rows": rows, "awards": awards, "suppliers": suppliers,
            "buyers": buyers, "postcodes_cached": cached,
            "postcodes_unresolved": len(store.unresolved_postcodes(con.cursor()))}


def coverage(con, filters: Filters) -> pd.DataFrame:
    """Each coverage figure for the whole store (every award row, as `info` counts them) and
    for the rows the filters select (cross-published copies left out, as in every figure)."""
    where, params = filters.where()
    store_counts = ", ".join(f"count(*) FILTER ({condition.format(loc='locality')})" for _, condition, _ in COVERAGE)
    selection_counts = ", ".join(f"count(*) FILTER (selected AND {condition.format(loc='loc')})"
                                 for _, condition, _ in COVERAGE)
    found = con.cursor().execute(f"""
        SELECT count(*), {store_counts}, count(*) FILTER (selected), {selection_counts}
        FROM (SELECT *, {filters.locality_sql()} AS loc, ({where}) AS selected FROM awards)""",  # one scan for both
        params).fetchall()[0]
    everything, selected = found[:len(COVERAGE) + 1], found[len(COVERAGE) + 1:]
    frame = pd.DataFrame({
        "figure": [name for name, _, _ in COVERAGE],
        "store_rows": everything[1:], "selection_rows": selected[1:],
        "why": [why for _, _, why in COVERAGE]})
    frame["store_share"] = frame["store_rows"] / everything[0] if everything[0] else 0.0
    frame["selection_share"] = frame["selection_rows"] / selected[0] if selected[0] else 0.0
    return frame[COVERAGE_COLUMNS]


def value_flags(con) -> pd.DataFrame:
    """Award rows per value flag (every known flag listed, with what it means)."""
    found = dict(con.cursor().execute(
        "SELECT value_flag, count(*) FROM awards WHERE value_flag IS NOT NULL GROUP BY 1").fetchall())
    flags = list(VALUE_FLAGS) + sorted(set(found) - set(VALUE_FLAGS))
    return pd.DataFrame({"flag": flags, "rows": [found.get(f, 0) for f in flags],
                         "meaning": [VALUE_FLAGS.get(f, "") for f in flags]})


def quality_events(con) -> pd.DataFrame:
    """Records left out of the figures, per kind (every known kind listed, with its meaning)."""
    found = dict(con.cursor().execute("SELECT kind, count(*) FROM quality_events GROUP BY 1").fetchall())
    kinds = list(EVENT_KINDS) + sorted(set(found) - set(EVENT_KINDS))
    return pd.DataFrame({"kind": kinds, "count": [found.get(k, 0) for k in kinds],
                         "meaning": [EVENT_KINDS.get(k, "") for k in kinds]})


def not_normalised(con, limit: int = NOT_NORMALISED_SHOWN) -> pd.DataFrame:
    """Releases kept but not normalised, with the reason (the first `limit`, as `info`)."""
    return con.cursor().execute("""
        SELECT ocid, release_id, detail AS reason FROM quality_events
        WHERE kind = 'release_not_normalised' ORDER BY ocid, release_id LIMIT ?""", [limit]).df()


def left_out(con, filters: Filters) -> pd.DataFrame:
    """Per value flag (every flag listed): the awards under the filters whose value it leaves
    out of value totals, and the pounds left out (none for values in other currencies)."""
    rows, params = filters.rows()
    found = con.cursor().execute(f"""
        SELECT value_flag AS flag, count(DISTINCT ocid || '|' || award_id) AS awards,
               sum(award_value_gbp / n_suppliers) AS value_gbp
        FROM {rows} WHERE value_flag IS NOT NULL GROUP BY 1""", params).df()
    frame = pd.DataFrame({"flag": list(LEFT_OUT_WORDS)}).merge(found, on="flag", how="left")
    return frame.fillna({"awards": 0}).astype({"awards": int})
