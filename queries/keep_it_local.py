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

ACT = "regime = 'procurement_act'"
# The base of the engagement share: a procurement that has gone beyond planning (a tender,
# award or contract notice: a planned one may yet publish its UK2), and not a direct award
# (with no competition, there is no market to engage).
BEYOND_PLANNING = "stages <> 'planning' AND procedure IS DISTINCT FROM 'direct'"
SV_BANDS = ((0, 5), (5, 10), (10, 15), (15, 20), (20, 30), (30, 101))  # weight bands, % (lower bound inclusive)
# The size of a procurement: its tender value, else the sum of its awards' whole values.
_SIZES = """(SELECT ocid, sum(award_value_gbp / n_suppliers) AS awarded_gbp FROM awards
             WHERE duplicate_of IS NULL AND award_value_gbp IS NOT NULL GROUP BY ocid)"""


def procurements(filters: Filters) -> tuple[str, list]:
    """A FROM clause of the filtered procurements, each with `size_gbp` (see _SIZES)."""
    where, params = filters.procurement_where()
    return (f"""(SELECT p.*, coalesce(p.tender_value_gbp, s.awarded_gbp) AS size_gbp FROM procurements p
                 LEFT JOIN {_SIZES} s USING (ocid) WHERE {where}) AS p""", params)


def _one(con, sql: str, params: list) -> dict:
    cursor = con.cursor().execute(sql, params)
    return dict(zip([d[0] for d in cursor.description], cursor.fetchone()))


def _share(part, whole) -> float | None:
    return float(part) / float(whole) if whole else None


def social_value(con, filters: Filters) -> dict:
    """Step 2: of the Procurement Act procurements with weighted award criteria, how many have
    a social value criterion, and its weights; the earlier-rules ones counted apart."""
    rows, params = procurements(filters)
    found = _one(con, f"""
        SELECT count(*) FILTER ({ACT}) AS act_procurements,
               count(*) FILTER ({ACT} AND weights_published) AS weighted,
               count(*) FILTER ({ACT} AND weights_published AND social_value) AS with_social_value,
               median(social_value_weight) FILTER ({ACT} AND weights_published AND social_value) AS median_weight,
               count(*) FILTER ({ACT} AND social_value AND social_value_weight >= 10) AS at_least_ten,
               count(*) FILTER (regime = 'earlier_rules' AND criteria_published) AS earlier_with_criteria,
               count(*) FILTER (regime = 'earlier_rules' AND social_value) AS earlier_with_social_value
        FROM {rows}""", params)
    found["share"] = _share(found["with_social_value"], found["weighted"])
    return found


def social_value_weights(con, filters: Filters) -> pd.DataFrame:
    """Step 2's chart: Procurement Act procurements with a social value criterion, by its weight
    (SV_BANDS; a procurement whose criterion has no percentage weight is left out)."""
    rows, params = procurements(filters)
    found = con.cursor().execute(f"""
        SELECT social_value_weight AS weight FROM {rows}
        WHERE {ACT} AND weights_published AND social_value AND social_value_weight IS NOT NULL""", params).df()
    counts = [int(((found["weight"] >= low) & (found["weight"] < high)).sum()) for low, high in SV_BANDS]
    total = sum(counts)
    return pd.DataFrame({"band": [band_label(low, high) for low, high in SV_BANDS], "low": [b[0] for b in SV_BANDS],
                         "procurements": counts, "share": [c / total if total else None for c in counts]})


def band_label(low: int, high: int) -> str:
    return f"{low}% or more" if high > 100 else f"{low}% to under {high}%"


SOCIAL_VALUE_COLUMNS = ["published_date", "buyer_name", "title", "social_value_weight", "criteria", "notice_url", "ocid"]


def social_value_procurements(con, filters: Filters, limit: int | None = 100, offset: int = 0) -> pd.DataFrame:
    """Step 2's table: every procurement with a social value criterion (any rules), heaviest
    weight first, with its criteria in words."""
    rows, params = procurements(filters)
    page = "" if limit is None else f"LIMIT {int(limit)} OFFSET {int(offset)}"
    return con.cursor().execute(f"""
        SELECT p.published_date, p.buyer_name, p.title, p.social_value_weight,
               (SELECT string_agg(l.criteria, ' | ' ORDER BY l.lot_id) FROM procurement_lots l
                WHERE l.ocid = p.ocid) AS criteria, p.notice_url, p.ocid
        FROM {rows} WHERE p.social_value
        ORDER BY p.social_value_weight DESC NULLS LAST, p.published_date DESC, p.ocid {page}""", params).df()


def social_value_count(con, filters: Filters) -> int:
    rows, params = procurements(filters)
    return con.cursor().execute(f"SELECT count(*) FROM {rows} WHERE social_value", params).fetchone()[0]


def capacity(con, filters: Filters) -> dict:
    """Step 3: awards to small organisations (SMEs and VCSEs, from the awards), and the SME and
    VCSE shares of bids where a procurement publishes bid statistics."""
    award_rows, params = filters.rows()
    small = "(supplier_size = 'SME' OR supplier_vcse)"
    found = _one(con, f"""
        SELECT {AWARD_COUNT} FILTER ({small}) AS small_awards, sum(value_gbp) FILTER ({small}) AS small_value
        FROM {award_rows}""", params)
    rows, more = procurements(filters)
    found.update(_one(con, f"""
        SELECT count(*) FILTER (bids IS NOT NULL AND sme_bids IS NOT NULL) AS with_sme_bids,
               sum(sme_bids) FILTER (bids IS NOT NULL AND sme_bids IS NOT NULL) AS sme_bids,
               sum(bids) FILTER (bids IS NOT NULL AND sme_bids IS NOT NULL) AS bids_with_sme,
               count(*) FILTER (vcse_bids IS NOT NULL AND coalesce(final_stage_bids, bids) IS NOT NULL)
                   AS with_vcse_bids,
               sum(vcse_bids) FILTER (coalesce(final_stage_bids, bids) IS NOT NULL) AS vcse_bids,
               sum(coalesce(final_stage_bids, bids)) FILTER (vcse_bids IS NOT NULL) AS bids_with_vcse
        FROM {rows}""", more))
    found["sme_bid_share"] = _share(found["sme_bids"], found["bids_with_sme"])
    found["vcse_bid_share"] = _share(found["vcse_bids"], found["bids_with_vcse"])
    found["small_awards"] = float(found["small_awards"] or 0)
    found["small_value"] = float(found["small_value"] or 0)
    return found


def contract_size(con, filters: Filters, cap: float) -> dict:
    """Step 4: of the procurements over the cap whose lots are known, how many were not
    divided into lots, and how many of those give a reason."""
    rows, params = procurements(filters)
    large = "size_gbp > ? AND lots IS NOT NULL"
    return _one(con, f"""
        SELECT count(*) FILTER ({large}) AS large, count(*) FILTER ({large} AND NOT divided) AS not_divided,
               count(*) FILTER ({large} AND NOT divided AND no_lots_rationale IS NOT NULL) AS with_reason,
               count(*) FILTER (size_gbp > ? AND lots IS NULL) AS lots_unknown
        FROM {rows}""", [cap, cap, cap, cap] + params) | {"cap": cap}


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


def engagement(con, filters: Filters) -> dict:
    """Step 5: of the Procurement Act procurements beyond planning (direct awards aside), how many have a preliminary
    market engagement notice (UK2) on the same ocid, and how many state why none was held."""
    rows, params = procurements(filters)
    base = f"{ACT} AND {BEYOND_PLANNING}"
    found = _one(con, f"""
        SELECT count(*) FILTER ({base}) AS procurements,
               count(*) FILTER ({base} AND engagement_notice IS NOT NULL) AS engaged,
               count(*) FILTER ({base} AND engagement_notice IS NULL AND no_engagement_rationale IS NOT NULL)
                   AS reason_given,
               count(*) FILTER ({ACT} AND stages = 'planning') AS planning_only
        FROM {rows}""", params)
    found["share"] = _share(found["engaged"], found["procurements"])
    return found


def coverage(con, filters: Filters) -> dict:
    """What the procurement facts rest on: procurements under the filters, by rules, and those
    from Find a Tender (the only source that publishes the process fields)."""
    rows, params = procurements(filters)
    return _one(con, f"""
        SELECT count(*) AS procurements, count(*) FILTER ({ACT}) AS act, count(*) FILTER (regime = 'earlier_rules')
               AS earlier, count(*) FILTER (source = 'find-a-tender') AS find_a_tender
        FROM {rows}""", params)


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
    rows, more = procurements(filters)
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
                   count(*) FILTER ({ACT} AND weights_published) AS weighted,
                   count(*) FILTER ({ACT} AND weights_published AND social_value) AS with_social_value,
                   count(*) FILTER (size_gbp > ? AND lots IS NOT NULL) AS large_known_lots,
                   count(*) FILTER (size_gbp > ? AND lots IS NOT NULL AND NOT divided) AS not_divided,
                   count(*) FILTER ({ACT} AND {BEYOND_PLANNING}) AS beyond_planning,
                   count(*) FILTER ({ACT} AND {BEYOND_PLANNING} AND engagement_notice IS NOT NULL) AS engaged
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
        [*councils, *params, *councils, cap, cap, *more, *councils, chosen]).df()
