"""Value bands the user can redraw, procurement thresholds, and the contract-size cap what-if.

Bands are of `award_value_gbp` (the whole award's value, as `value_band` in the store), so a
band says how big the contract was; amounts summed are `value_gbp` (each supplier's share)
and awards are counted once (1/n per supplier row), as on every page. A value exactly on a
breakpoint goes to the higher band; no value, or a flagged one (a placeholder of £1 or less,
negative, another currency), is `unknown`.
"""

import re
from dataclasses import dataclass
from datetime import date

import pandas as pd

from loaders.normalising.classify import DEFAULT_BAND_EDGES, UNKNOWN_BAND
from queries.filters import Filters
from queries.overview import AWARD_COUNT, distinct_awards
from queries.shares import GROUP_SUMS, KEY_SUMS, share_pair

DEFAULT_TEXT = "25k, 100k, 500k, 1m, 5m, 25m"  # loaders.normalising.classify.DEFAULT_BAND_EDGES, as typed
MAX_EDGES = 12
MULTIPLIERS = {None: 1, "k": 1e3, "m": 1e6, "bn": 1e9}
_AMOUNT = re.compile(r"^(\d+(?:\.\d+)?)(k|m|bn)?$")
# Breakpoints are separated by semicolons, spaces or commas; a comma followed by exactly three
# digits is a thousands separator ("25,000"), not a break.
_SEPARATOR = re.compile(r"[;\s]+|,(?!\d{3}(?![\d.]))")


class BandError(ValueError):
    """The typed breakpoints cannot be used; the message says why, in plain words."""


def parse_edges(text: str) -> tuple[float, ...]:
    """Breakpoints typed by a user ("25k, 100k, 1.5m, £2bn, 250000") as pounds, ascending.

    Order and repeats do not matter (they are sorted and merged); anything that is not a
    positive amount is refused with a message naming it."""
    tokens = [t for t in _SEPARATOR.split(text.lower().replace("£", "")) if t]
    if not tokens:
        raise BandError("Type at least one breakpoint, for example: 25k, 100k, 1m.")
    edges = sorted({_amount(token) for token in tokens})
    if len(edges) > MAX_EDGES:
        raise BandError(f"Use at most {MAX_EDGES} breakpoints ({len(edges)} given).")
    if len({edge_label(edge) for edge in edges}) != len(edges):
        raise BandError("Some breakpoints are too close together to label apart; "
                        "round them to whole pounds.")
    return tuple(edges)


def edge_label(pounds: float) -> str:
    """25k, 1m, 1.25m, 12.345k: the compact form of band labels (as the store's `value_band`
    labels for the default bands), with as many decimals as the breakpoint needs, up to 3."""
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if pounds >= size:
            return f"{pounds / size:.3f}".rstrip("0").rstrip(".") + suffix
    return f"{pounds:.0f}"


def labels_for(edges: tuple[float, ...]) -> list[str]:
    """Band labels, lowest first, then "unknown": "under 25k", "25k-100k", ..., "25m and over"."""
    names = [edge_label(edge) for edge in edges]
    return ([f"under {names[0]}"] + [f"{low}-{high}" for low, high in zip(names, names[1:])]
            + [f"{names[-1]} and over", UNKNOWN_BAND])


def _amount(token: str) -> float:
    match = _AMOUNT.match(token.replace(",", ""))
    if not match:
        raise BandError(f'"{token}" is not an amount: write breakpoints like 25000, 25k, 1.5m or 2bn, '
                        "separated by commas.")
    amount = float(match[1]) * MULTIPLIERS[match[2]]
    if not 1 <= amount <= 1e12:
        raise BandError(f'"{token}" is out of range: breakpoints run from £1 to £1,000bn.')
    return amount


def edges_or_default(text: str | None) -> tuple[tuple[float, ...], str | None]:
    """(edges, None) for good input; (the default edges, why not) for bad input; blank means default."""
    if not text or not text.strip():
        return DEFAULT_BAND_EDGES, None
    try:
        return parse_edges(text), None
    except BandError as exc:
        return DEFAULT_BAND_EDGES, f"{exc} Showing the default bands ({DEFAULT_TEXT})."


def band_case(edges: tuple[float, ...]) -> tuple[str, list]:
    """A SQL expression giving each row's band number (0 = below the first edge, len(edges) =
    at or over the last, len(edges) + 1 = unknown) with the edges as bound parameters."""
    whens = " ".join(f"WHEN award_value_gbp < ? THEN {i}" for i in range(len(edges)))
    unknown = len(edges) + 1
    sql = (f"CASE WHEN award_value_gbp IS NULL OR coalesce(value_flag NOT IN ('over_1bn'), false) THEN {unknown} "
           f"{whens} ELSE {len(edges)} END")
    return sql, [float(edge) for edge in edges]


def band_distribution(con, filters: Filters, edges: tuple[float, ...] = DEFAULT_BAND_EDGES) -> pd.DataFrame:
    """Per band (every band listed, lowest first, unknown last): value, awards, their shares of
    the total, and the SME and local shares within the band, by value and by count.

    The SME share counts every SME, VCSE or not (as the headline does); local is `loc`, so it
    follows the chosen definition of local. A band with no value has no share by value (NaN)."""
    case, case_params = band_case(edges)
    rows, params = filters.rows()
    found = con.cursor().execute(f"""
        WITH grouped AS (  -- summed first by band, size and locality, then per band (queries.shares)
            SELECT {case} AS band, supplier_size, loc, {GROUP_SUMS} FROM {rows} GROUP BY ALL)
        SELECT band, {KEY_SUMS}, {share_pair("supplier_size = 'SME'", "sme")}, {share_pair("loc = 'local'", "local")}
        FROM grouped GROUP BY band""", case_params + params).df()
    labels = labels_for(edges)
    frame = pd.DataFrame({"band": range(len(labels))}).merge(found, on="band", how="left")
    frame = frame.fillna({"value_gbp": 0.0, "awards": 0.0})
    frame.insert(1, "group", labels)
    frame.insert(2, "label", labels)
    frame["value_share"] = _share(frame["value_gbp"])
    frame["count_share"] = _share(frame["awards"])  # from the unrounded counts
    frame["awards"] = frame["awards"].round(2)
    order = ["band", "group", "label", "value_gbp", "awards", "value_share", "count_share",
             "sme_value_share", "sme_count_share", "local_value_share", "local_count_share"]
    return frame[order].astype({f"{k}_{b}_share": float for k in ("sme", "local") for b in ("value", "count")})


def _share(column: pd.Series) -> pd.Series:
    total = column.sum()
    return column / total if total else column * 0.0


def value_histogram(con, filters: Filters, step: float = 0.25) -> pd.DataFrame:
    """Awards and value in bins of equal width on a log scale (`step` decades wide; 0.25 is
    four bins per tenfold), for awards with a value of £1 or more (a log scale has no zero)."""
    rows, params = filters.rows()
    frame = con.cursor().execute(f"""
        SELECT floor(log10(award_value_gbp) / ?) AS bin, {AWARD_COUNT} AS awards,
               coalesce(sum(value_gbp), 0) AS value_gbp
        FROM {rows} WHERE award_value_gbp >= 1 GROUP BY bin ORDER BY bin""", [step] + params).df()
    frame.insert(0, "log10_from", (frame.pop("bin") * step).round(6))
    frame.insert(1, "log10_to", (frame["log10_from"] + step).round(6))
    frame.insert(2, "from_gbp", (10 ** frame["log10_from"]).round(0))
    frame.insert(3, "to_gbp", (10 ** frame["log10_to"]).round(0))
    frame["awards"] = frame["awards"].round(2)
    return frame


def unplotted_awards(con, filters: Filters) -> float:
    """Awards the histogram cannot place: no value, or under £1 (zero and placeholders)."""
    rows, params = filters.rows()
    (count,) = con.cursor().execute(f"""
        SELECT coalesce({AWARD_COUNT} FILTER (award_value_gbp IS NULL OR award_value_gbp < 1), 0)
        FROM {rows}""", params).fetchone()
    return float(count)


def period_shown(con, filters: Filters) -> tuple[date | None, date | None]:
    """The first and last award dates of the filtered awards: the period the thresholds cover."""
    rows, params = filters.rows()
    return tuple(con.cursor().execute(f"SELECT min(award_date), max(award_date) FROM {rows}", params).fetchone())


@dataclass(frozen=True)
class ThresholdPeriod:
    """Regulated procurement thresholds for one period (api-spec.md 5.1): applied by the
    procurement's start date; excluding VAT until 2021, including VAT from 2022."""
    start: date
    end: date | None
    basis: str
    goods_services: int  # sub-central government supplies and services
    works: int


THRESHOLDS = (
    ThresholdPeriod(date(2020, 1, 1), date(2021, 12, 31), "ex VAT", 189_330, 4_733_252),
    ThresholdPeriod(date(2022, 1, 1), date(2023, 12, 31), "inc VAT", 213_477, 5_336_937),
    ThresholdPeriod(date(2024, 1, 1), date(2025, 12, 31), "inc VAT", 214_904, 5_372_609),
    ThresholdPeriod(date(2026, 1, 1), None, "inc VAT", 207_720, 5_193_000),
)
THRESHOLD_KINDS = {"goods_services": "Sub-central goods and services threshold", "works": "Works threshold"}


def thresholds_in_force(first: date | None, last: date | None) -> pd.DataFrame:
    """The sub-central goods/services and works thresholds of every period overlapping
    [first, last] (all periods when the dates are unknown), oldest first."""
    rows = []
    for period in THRESHOLDS:
        if (last and period.start > last) or (first and period.end and period.end < first):
            continue
        for kind, name in THRESHOLD_KINDS.items():
            rows.append({"kind": kind, "threshold": name, "amount_gbp": getattr(period, kind),
                         "in_force_from": period.start, "in_force_to": period.end, "basis": period.basis})
    return pd.DataFrame(rows, columns=["kind", "threshold", "amount_gbp", "in_force_from", "in_force_to", "basis"])


def above_cap(con, filters: Filters, cap: float) -> dict:
    """How many awards and how much value sit above a contract-size cap, and their shares.

    An award is above the cap when its whole value (`award_value_gbp`) is over it."""
    rows, params = filters.rows()
    above = "award_value_gbp > ?"
    # The distinct count takes its condition inside (a null is not counted): DuckDB ran a
    # distinct count written with FILTER six times slower (70 ms on two million rows).
    row = con.cursor().execute(f"""
        SELECT {AWARD_COUNT} FILTER ({above}), sum(value_gbp) FILTER ({above}),
               {AWARD_COUNT}, sum(value_gbp),
               {distinct_awards(con, f'CASE WHEN {above} THEN award_number END')}
        FROM {rows}""", [cap, cap, cap] + params).fetchone()
    awards_above, value_above, awards, value, contracts = (v or 0 for v in row)
    return {"cap": cap, "awards_above": round(float(awards_above), 2), "value_above": float(value_above),
            "awards": round(float(awards), 2), "value": float(value), "contracts_above": int(contracts),
            "awards_share": awards_above / awards if awards else 0.0,
            "value_share": value_above / value if value else 0.0}


CAP_ORDER = {"value": "value_above", "count": "awards_above"}


def buyers_above_cap(con, filters: Filters, cap: float, measure: str = "value", limit: int = 25) -> pd.DataFrame:
    """The buyers that award most above the cap (by value or by count), with the share of
    each buyer's own awards that is above it and its largest award."""
    rows, params = filters.rows()
    above = "award_value_gbp > ?"
    frame = con.cursor().execute(f"""
        SELECT buyer_name, round({AWARD_COUNT} FILTER ({above}), 2) AS awards_above,
               coalesce(sum(value_gbp) FILTER ({above}), 0) AS value_above,
               round({AWARD_COUNT}, 2) AS awards, coalesce(sum(value_gbp), 0) AS value_gbp,
               max(award_value_gbp) FILTER (value_gbp IS NOT NULL) AS largest_award_gbp
        FROM {rows} GROUP BY buyer_name
        HAVING count(*) FILTER ({above}) > 0
        ORDER BY {CAP_ORDER[measure]} DESC, buyer_name LIMIT ?""", [cap, cap] + params + [cap, limit]).df()
    frame.insert(3, "share_of_buyer_value_above",
                 frame["value_above"] / frame["value_gbp"].where(frame["value_gbp"] > 0))
    frame.insert(4, "share_of_buyer_awards_above", frame["awards_above"] / frame["awards"])
    return frame


CONTRACT_COLUMNS = ["award_date", "buyer_name", "title", "award_value_gbp", "reason_not_divided_into_lots",
                    "notice_url", "suppliers", "category", "is_framework", "source", "ocid", "award_id"]
NOT_STATED = "not stated"


def contracts_above_cap(con, filters: Filters, cap: float, limit: int | None = 100, offset: int = 0) -> pd.DataFrame:
    """One row per award above the cap (largest first, equal values in the order of the
    award numbers: by source, ocid and award id; suppliers of a joint award listed together),
    with any reason the notice gives for not dividing it into lots."""
    rows, params = filters.rows()
    # The page's awards are ranked on their number and value alone; their names and titles
    # are gathered for those few (on two million rows, carrying the texts through the
    # ranking took five times as long, and gathering them for every award above the cap 3x).
    frame = con.cursor().execute(f"""
        WITH ranked AS (
            SELECT award_number, max(award_value_gbp) AS award_value_gbp FROM {rows} WHERE award_value_gbp > ?
            GROUP BY award_number ORDER BY award_value_gbp DESC, award_number LIMIT ? OFFSET ?),
        gathered AS (
            SELECT award_number, min(award_date) AS award_date, min(buyer_name) AS buyer_name,
                   string_agg(DISTINCT supplier_name, '; ' ORDER BY supplier_name) AS suppliers,
                   min(title) AS title, min(category) AS category, bool_or(is_framework) AS is_framework,
                   min(notice_url) AS notice_url, any_value(source) AS source, any_value(ocid) AS ocid,
                   any_value(award_id) AS award_id
            FROM {rows} WHERE award_number IN (SELECT award_number FROM ranked) GROUP BY award_number)
        SELECT g.*, r.award_value_gbp FROM ranked r JOIN gathered g USING (award_number)
        ORDER BY r.award_value_gbp DESC, award_number""",
        params + [cap, limit, offset] + params).df()
    reasons = lot_reasons(con, tuple(frame["ocid"].dropna().unique()))
    frame["reason_not_divided_into_lots"] = frame["ocid"].map(lambda o: reasons.get(o, NOT_STATED))
    return frame[CONTRACT_COLUMNS]


def lot_reasons(con, ocids: tuple[str, ...]) -> dict[str, str]:
    """ocid -> the lot-division reason(s) its releases state, newest release first, as the
    load read them from the release JSON (loaders.storage.summaries: lot_reasons)."""
    if not ocids:
        return {}
    return dict(con.cursor().execute("SELECT ocid, reasons FROM lot_reasons WHERE ocid IN (SELECT unnest(?::VARCHAR[]))",
                                     [list(ocids)]).fetchall())
