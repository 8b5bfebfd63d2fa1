"""The Keep it Local page: one honest indicator per step of the campaign, each with its base.

The outcome steps (1, 3, and the cap in 4) are read from the awards, as on the other pages;
the steps about how procurements were run (2, the bids in 3, lots in 4, 5) from the
procurement tables (loaders.normalising.procurements), which only Procurement Act notices on
Find a Tender fill. Every share says what it is of: a figure with no base is None, never 0.
The definitions, word for word, are in loaders.definitions (KEEP_IT_LOCAL).
"""

import pandas as pd

from queries.filters import Filters
from queries.overview import AWARD_COUNT

# Each procurement's rules, stage and what is known of it, worked out once per row by
# procurements(): the figures test them in some thirty conditions, and comparing the texts in
# each condition took about twice as long on a million procurements.
ROW_FLAGS = {
    "is_act": "regime = 'procurement_act'",
    "is_earlier": "regime = 'earlier_rules'",
    "is_planning": "stages = 'planning'",
    # The base of the engagement share: a procurement that has gone beyond planning (a tender,
    # award or contract notice: a planned one may yet publish its UK2), and not a direct award
    # (with no competition, there is no market to engage).
    "is_beyond_planning": "stages <> 'planning' AND procedure IS DISTINCT FROM 'direct'",
    "has_lots": "lots IS NOT NULL",
    "has_lots_reason": "no_lots_rationale IS NOT NULL",
    "has_engagement_notice": "engagement_notice IS NOT NULL",
    "has_engagement_reason": "no_engagement_rationale IS NOT NULL",
    "has_sme_bids": "bids IS NOT NULL AND sme_bids IS NOT NULL",
    "has_vcse_bids": "vcse_bids IS NOT NULL AND coalesce(final_stage_bids, bids) IS NOT NULL",
}
ACT = "is_act"
BEYOND_PLANNING = "is_beyond_planning"
SV_BANDS = ((0, 5), (5, 10), (10, 15), (15, 20), (20, 30), (30, 101))  # weight bands, % (lower bound inclusive)
WEIGHTED = f"{ACT} AND weights_published"
LARGE = "over_cap AND has_lots"  # over the cap, lots known (step 4's base)
ENGAGE_BASE = f"{ACT} AND {BEYOND_PLANNING}"
# The figures of steps 2 to 5 are summed in two steps, as queries.shares sums its shares: the
# procurements grouped by everything the figures test (a thousand groups or so, whatever the
# rows), then each figure over the groups. One scan testing thirty conditions on every row
# took twice as long (150 to 70 ms on two million procurements).
GROUP_KEYS = ("over_cap", *ROW_FLAGS, "weights_published", "social_value", "social_value_weight",
              "criteria_published", "divided")
GROUP_SUMS = ("count(*) AS procurements, sum(sme_bids) AS sme_bids, sum(bids) AS bids, "
              "sum(vcse_bids) AS vcse_bids, sum(coalesce(final_stage_bids, bids)) AS final_bids")
SV_WEIGHTED = f"{WEIGHTED} AND social_value"


def _count(condition: str) -> str:
    """The procurements meeting `condition`: 0, not null, when none do."""
    return f"coalesce(sum(procurements) FILTER ({condition}), 0)"


# Every figure of steps 2 to 5 but the median weight (name: SQL aggregate over the groups).
FIGURES = {
    "procurements": _count("true"),
    "act_procurements": _count(ACT),
    "weighted": _count(WEIGHTED),
    "with_social_value": _count(SV_WEIGHTED),
    "at_least_ten": _count(f"{SV_WEIGHTED} AND social_value_weight >= 10"),
    "earlier_with_criteria": _count("is_earlier AND criteria_published"),
    "earlier_with_social_value": _count("is_earlier AND social_value"),
    **{f"weight_{low}": _count(f"{SV_WEIGHTED} AND social_value_weight >= {low} AND social_value_weight < {high}")
       for low, high in SV_BANDS},
    "with_sme_bids": _count("has_sme_bids"),
    "sme_bids": "sum(sme_bids) FILTER (has_sme_bids)",
    "bids_with_sme": "sum(bids) FILTER (has_sme_bids)",
    "with_vcse_bids": _count("has_vcse_bids"),
    "vcse_bids": "sum(vcse_bids) FILTER (has_vcse_bids)",
    "bids_with_vcse": "sum(final_bids) FILTER (has_vcse_bids)",
    "large": _count(LARGE),
    "not_divided": _count(f"{LARGE} AND NOT divided"),
    "with_reason": _count(f"{LARGE} AND NOT divided AND has_lots_reason"),
    "lots_unknown": _count("over_cap AND NOT has_lots"),
    "engagement_base": _count(ENGAGE_BASE),
    "engaged": _count(f"{ENGAGE_BASE} AND has_engagement_notice"),
    "reason_given": _count(f"{ENGAGE_BASE} AND NOT has_engagement_notice AND has_engagement_reason"),
    "planning_only": _count(f"{ACT} AND is_planning"),
}


# The median social value weight of the weighted procurements with such a criterion, from
# the groups' weights and counts, as DuckDB's median gives it over the rows: the weight at
# the middle position, or the mean of the two at the middle positions when their number is
# even (positions counted by a running sum over the weights in order).
MEDIAN_WEIGHT = f"""(
    WITH weights AS (SELECT social_value_weight AS weight, sum(procurements) AS n FROM groups
                     WHERE {SV_WEIGHTED} AND social_value_weight IS NOT NULL GROUP BY 1),
    running AS (SELECT weight, sum(n) OVER (ORDER BY weight) AS upto, sum(n) OVER () AS total FROM weights)
    SELECT (min(weight) FILTER (upto >= (total + 1) // 2) + min(weight) FILTER (upto >= total // 2 + 1)) / 2
    FROM running) AS median_weight"""


def procurements(filters: Filters, cap: float | None = None) -> tuple[str, list]:
    """A FROM clause of the filtered procurements, with `over_cap` (the size over `cap`) and
    ROW_FLAGS; its params bind in order."""
    where, params = filters.procurement_where()
    flags = ", ".join(f"{sql} AS {name}" for name, sql in ROW_FLAGS.items())
    return f"(SELECT *, size_gbp > ? AS over_cap, {flags} FROM procurements WHERE {where}) AS p", [cap, *params]


def _share(part, whole) -> float | None:
    return float(part) / float(whole) if whole else None


def figures(con, filters: Filters, cap: float) -> dict:
    """Steps 2 to 5 from the procurements (FIGURES, summed in two steps, and MEDIAN_WEIGHT),
    with each share beside its base (None where the base is nothing): what every block of
    those steps reads. One statement, so nothing is kept between the steps."""
    rows, params = procurements(filters, cap)
    cursor = con.cursor().execute(f"""
        WITH groups AS MATERIALIZED (SELECT {', '.join(GROUP_KEYS)}, {GROUP_SUMS} FROM {rows} GROUP BY ALL)
        SELECT {', '.join(f'{expr} AS {name}' for name, expr in FIGURES.items())}, {MEDIAN_WEIGHT}
        FROM groups""", params)
    found = dict(zip([d[0] for d in cursor.description], cursor.fetchone()))
    found.update(cap=cap, social_value_share=_share(found["with_social_value"], found["weighted"]),
                 sme_bid_share=_share(found["sme_bids"], found["bids_with_sme"]),
                 vcse_bid_share=_share(found["vcse_bids"], found["bids_with_vcse"]),
                 not_divided_share=_share(found["not_divided"], found["large"]),
                 engagement_share=_share(found["engaged"], found["engagement_base"]))
    return found


def social_value_weights(found: dict) -> pd.DataFrame:
    """Step 2's chart from `figures`: procurements with a social value criterion by its weight
    (SV_BANDS; a criterion with no percentage weight is left out)."""
    counts = [int(found[f"weight_{low}"]) for low, _ in SV_BANDS]
    total = sum(counts)
    return pd.DataFrame({"band": [band_label(low, high) for low, high in SV_BANDS], "low": [b[0] for b in SV_BANDS],
                         "procurements": counts, "share": [c / total if total else None for c in counts]})


def band_label(low: int, high: int) -> str:
    return f"{low}% or more" if high > 100 else f"{low}% to under {high}%"


def small_organisations(summary: pd.DataFrame) -> dict:
    """Step 3's awards to small organisations (SMEs and VCSEs, a VCSE counted once), from the
    one grouped scan of the awards (queries.overview.summary)."""
    small = (summary["supplier_size"] == "SME") | summary["supplier_vcse"].fillna(False).astype(bool)
    return {"small_awards": float(summary.loc[small, "awards"].sum()),
            "small_value": float(summary.loc[small, "value_gbp"].sum())}


SOCIAL_VALUE_COLUMNS = ["published_date", "buyer_name", "title", "social_value_weight", "criteria", "notice_url", "ocid"]


def social_value_procurements(con, filters: Filters, limit: int | None = 100, offset: int = 0) -> pd.DataFrame:
    """Step 2's table: every procurement with a social value criterion (any rules), heaviest
    weight first, with its criteria in words."""
    rows, params = procurements(filters)
    page = "" if limit is None else f"LIMIT {int(limit)} OFFSET {int(offset)}"
    return con.cursor().execute(f"""
        SELECT {", ".join(SOCIAL_VALUE_COLUMNS)} FROM {rows} WHERE social_value
        ORDER BY social_value_weight DESC NULLS LAST, published_date DESC, ocid {page}""", params).df()


def social_value_count(con, filters: Filters) -> int:
    rows, params = procurements(filters)
    return con.cursor().execute(f"SELECT count(*) FROM {rows} WHERE social_value", params).fetchone()[0]


def _search(column: str, text: str) -> tuple[str, list]:
    """A case-insensitive match of every word typed, as a bound parameter each."""
    words = [word for word in (text or "").split() if word]
    return " AND ".join([f"{column} ILIKE ?"] * len(words)) or "true", [f"%{word}%" for word in words]


REASON_COLUMNS = ["published_date", "buyer_name", "title", "size_gbp", "reason", "notice_url", "ocid"]


def lots_reasons(con, filters: Filters, search: str, limit: int | None = 100, offset: int = 0) -> pd.DataFrame:
    """Step 4's table: the reasons stated for not dividing into lots (any size), as written."""
    return _reasons(con, filters, "no_lots_rationale", search, limit, offset)


def engagement_reasons(con, filters: Filters, search: str, limit: int | None = 100, offset: int = 0) -> pd.DataFrame:
    """Step 5's table: the reasons stated for holding no preliminary market engagement."""
    return _reasons(con, filters, "no_engagement_rationale", search, limit, offset)


def reason_count(con, filters: Filters, column: str, search: str) -> int:
    rows, params = procurements(filters)
    matched, words = _search(column, search)
    return con.cursor().execute(f"SELECT count(*) FROM {rows} WHERE {column} IS NOT NULL AND {matched}",
                                params + words).fetchone()[0]


def _reasons(con, filters: Filters, column: str, search: str, limit: int | None, offset: int) -> pd.DataFrame:
    rows, params = procurements(filters)
    matched, words = _search(column, search)
    page = "" if limit is None else f"LIMIT {int(limit)} OFFSET {int(offset)}"
    return con.cursor().execute(f"""
        SELECT published_date, buyer_name, title, size_gbp, {column} AS reason, notice_url, ocid
        FROM {rows} WHERE {column} IS NOT NULL AND {matched}
        ORDER BY published_date DESC, ocid {page}""", params + words).df()


def network_councils(con, codes: tuple[str, ...]) -> list[str]:
    """The councils of the store (as the council filter names them) whose register code is
    one of `codes` (the Keep it Local network's), with awards or procurements, whatever the
    filters."""
    if not codes:
        return []
    marks = ", ".join("?" for _ in codes)
    return [name for (name,) in con.cursor().execute(f"""
        SELECT council FROM council_buyers WHERE code IN ({marks})
        UNION SELECT buyer_name FROM procurements WHERE buyer_council_code IN ({marks}) AND buyer_name IS NOT NULL
        ORDER BY 1""", [*codes, *codes]).fetchall()]


PEER_COLUMNS = ["council", "this_council", "awards", "local_value_share", "sme_value_share", "vcse_value_share",
                "weighted", "social_value_share", "large_known_lots", "not_divided_share", "beyond_planning",
                "engagement_share"]


def councils_side_by_side(con, filters: Filters, councils: tuple[str, ...], chosen: str | None,
                          cap: float) -> pd.DataFrame:
    """One row per council named (by its buyer name): the steps' figures side by side, each
    share beside its base, under the same filters (the caller leaves out any council filter).
    Large procurements are those over `cap`, as in step 4."""
    if not councils:
        return pd.DataFrame(columns=PEER_COLUMNS)
    marks = ", ".join("?" for _ in councils)
    award_rows, params = filters.rows()
    rows, more = procurements(filters, cap)
    return con.cursor().execute(f"""
        WITH named AS (SELECT unnest([{marks}]) AS council),
        outcome AS (
            SELECT buyer_name AS council, {AWARD_COUNT} AS awards,
                   sum(value_gbp) FILTER (loc = 'local') / nullif(sum(value_gbp), 0) AS local_value_share,
                   sum(value_gbp) FILTER (supplier_size = 'SME') / nullif(sum(value_gbp), 0) AS sme_value_share,
                   sum(value_gbp) FILTER (supplier_vcse) / nullif(sum(value_gbp), 0) AS vcse_value_share
            FROM {award_rows} WHERE buyer_name IN ({marks}) GROUP BY 1),
        process AS (
            SELECT buyer_name AS council,
                   count(*) FILTER ({WEIGHTED}) AS weighted,
                   count(*) FILTER ({WEIGHTED} AND social_value) AS with_social_value,
                   count(*) FILTER ({LARGE}) AS large_known_lots,
                   count(*) FILTER ({LARGE} AND NOT divided) AS not_divided,
                   count(*) FILTER ({ENGAGE_BASE}) AS beyond_planning,
                   count(*) FILTER ({ENGAGE_BASE} AND has_engagement_notice) AS engaged
            FROM {rows} WHERE buyer_name IN ({marks}) GROUP BY 1)
        SELECT n.council, coalesce(n.council = ?, false) AS this_council, coalesce(o.awards, 0) AS awards,
               o.local_value_share, o.sme_value_share, o.vcse_value_share,
               coalesce(p.weighted, 0) AS weighted, p.with_social_value / nullif(p.weighted, 0) AS social_value_share,
               coalesce(p.large_known_lots, 0) AS large_known_lots,
               p.not_divided / nullif(p.large_known_lots, 0) AS not_divided_share,
               coalesce(p.beyond_planning, 0) AS beyond_planning,
               p.engaged / nullif(p.beyond_planning, 0) AS engagement_share
        FROM named n LEFT JOIN outcome o USING (council) LEFT JOIN process p USING (council)
        ORDER BY n.council""",
        [*councils, *params, *councils, *more, *councils, chosen]).df()
