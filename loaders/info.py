"""What a store holds: counts, date range, sources and data-quality figures, the files
that stopped writes left beside it, and the windows refreshes could not fetch (gaps).

Used by `python -m loaders info` and by the app's footer and data-quality views.
"""

from datetime import datetime
from pathlib import Path

from loaders.normalising.normalise import TERMINATION_NOTICES, UNNAMED_SUPPLIER, kind_of
from loaders.sources import refresh
from loaders.storage import store, writers


def summary(path: Path) -> dict:
    """Plain-data summary of the store at `path` (StoreError if there is none)."""
    con = store.read_only(path)
    try:
        return {"store": str(path), **_counts(con), "sources": _sources(con), "release_kinds": release_kinds(con),
                "quality": _quality(con), "not_normalised": _not_normalised(con), "leftovers": leftovers(path),
                "gaps": refresh.known_gaps(path)}
    finally:
        con.close()


def leftovers(path: Path) -> list[dict]:
    """Temporary stores and WAL files of writes that were killed (the next write removes them)."""
    return [{"file": str(found.path), "bytes": found.size} for found in writers.leftovers(path)]


def _counts(con) -> dict:
    releases = con.execute("SELECT count(*) FROM releases").fetchall()[0][0]
    rows, awards, suppliers, buyers, first, last, demo = con.execute("""
        SELECT count(*), count(DISTINCT ocid || '|' || award_id), count(DISTINCT supplier_key),
               count(DISTINCT buyer_key), min(award_date), max(award_date),
               bool_or(source = 'demo')
        FROM awards""").fetchall()[0]
    postcodes = con.execute("SELECT count(*) FROM postcodes").fetchall()[0][0]
    unresolved = len(store.unresolved_postcodes(con))
    return {"releases": releases, "award_rows": rows, "awards": awards, "suppliers": suppliers,
            "buyers": buyers, "first_award_date": _iso(first), "last_award_date": _iso(last),
            "is_demo": bool(demo), "postcodes_cached": postcodes, "postcodes_unresolved": unresolved}


def _sources(con) -> list[dict]:
    rows = con.execute("""
        SELECT r.source, r.n, r.last_fetched, coalesce(a.n, 0)
        FROM (SELECT source, count(*) AS n, max(fetched_at) AS last_fetched FROM releases GROUP BY 1) r
        LEFT JOIN (SELECT source, count(*) AS n FROM awards GROUP BY 1) a USING (source)
        ORDER BY 1""").fetchall()
    return [{"source": s, "releases": n, "last_loaded": _iso(t), "award_rows": a} for s, n, t, a in rows]


def release_kinds(con) -> dict:
    """Releases held by kind of notice (award, contract, tender, planning, termination ...),
    from their tags and whether they name a UK12 termination notice."""
    found: dict[str, int] = {}
    for tags, uk12, n in con.execute("""SELECT tags, contains(json, '"UK12"'), count(*) FROM releases
                                       GROUP BY ALL""").fetchall():
        kind = kind_of(set((tags or "").split(",")), TERMINATION_NOTICES if uk12 else set())
        found[kind] = found.get(kind, 0) + n
    return dict(sorted(found.items()))


def _quality(con) -> dict:
    """Counts of award rows with unknowns or suspect values, and of excluded awards."""
    row = con.execute("""
        SELECT count(*) FILTER (award_value_gbp IS NULL),
               count(*) FILTER (supplier_postcode IS NULL AND supplier_abroad IS NULL),
               count(*) FILTER (supplier_size = 'Unknown'),
               count(*) FILTER (supplier_vcse IS NULL),
               count(*) FILTER (locality = 'unknown'),
               count(*) FILTER (value_source = 'contract'),
               count(*) FILTER (duplicate_of IS NOT NULL),
               count(*) FILTER (supplier_name = ?)
        FROM awards""", [UNNAMED_SUPPLIER]).fetchall()[0]
    names = ("rows_without_value", "rows_without_supplier_postcode", "rows_with_unknown_size",
             "rows_with_unknown_vcse", "rows_with_unknown_locality", "rows_valued_from_contract",
             "rows_cross_published_left_out", "rows_with_unnamed_supplier")
    quality = dict(zip(names, row))
    quality["buyers_identified_by"] = dict(con.execute("""
        SELECT CASE WHEN buyer_key LIKE 'council:%' THEN 'council register'
                    WHEN buyer_key LIKE 'govuk:%' THEN 'GOV.UK organisations' ELSE 'name only' END,
               count(DISTINCT buyer_key)
        FROM awards WHERE buyer_key IS NOT NULL GROUP BY 1 ORDER BY 1""").fetchall())
    quality["value_flags"] = dict(con.execute(
        "SELECT value_flag, count(*) FROM awards WHERE value_flag IS NOT NULL GROUP BY 1 ORDER BY 1").fetchall())
    quality["events"] = dict(con.execute(
        "SELECT kind, count(*) FROM quality_events GROUP BY 1 ORDER BY 1").fetchall())
    return quality


def _not_normalised(con, limit: int = 50) -> list[dict]:
    """Releases kept but not normalised, with the reason (the first `limit`)."""
    rows = con.execute("""
        SELECT ocid, release_id, detail FROM quality_events
        WHERE kind = 'release_not_normalised' ORDER BY ocid, release_id LIMIT ?""", [limit]).fetchall()
    return [{"ocid": o, "release_id": r, "reason": d} for o, r, d in rows]


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def format_summary(info: dict) -> str:
    """The summary as a few readable lines for the terminal."""
    lines = [
        f"store: {info['store']}" + ("  (demo data)" if info["is_demo"] else ""),
        f"releases: {info['releases']:,}   award rows: {info['award_rows']:,}   awards: {info['awards']:,}",
        f"suppliers: {info['suppliers']:,}   buyers: {info['buyers']:,}   postcodes placed: "
        f"{info['postcodes_cached']:,}, unresolved: {info['postcodes_unresolved']:,}",
        f"award dates: {info['first_award_date']} to {info['last_award_date']}",
    ]
    for s in info["sources"]:
        lines.append(f"source {s['source']}: {s['releases']:,} releases, {s['award_rows']:,} award rows, "
                     f"last loaded {s['last_loaded']}")
    lines.append("releases by kind: " + ", ".join(f"{k} {n:,}" for k, n in info["release_kinds"].items()))
    for key, value in info["quality"].items():
        lines.append(f"{key.replace('_', ' ')}: {value}")
    for item in info["not_normalised"]:
        lines.append(f"not normalised: {item['ocid']} {item['release_id']}: {item['reason']}")
    for item in info["leftovers"]:
        lines.append(f"left by a stopped write: {item['file']} ({writers.size_text(item['bytes'])}); "
                     f"the next write to this store removes it")
    for gap in info["gaps"]:
        lines.append(f"gap: {gap['source']} {_window(gap)}: not fetched ({gap['error']}); "
                     f"the next refresh of {gap['source']} retries it")
    return "\n".join(lines)


def _window(gap: dict) -> str:
    """A gap's window as the refresh names it: a month and notice type, or a span of time."""
    start = datetime.fromisoformat(gap["from"])
    if gap["notice_type"]:
        return f"{start:%m-%Y} notice type {gap['notice_type']}"
    return f"{start:%Y-%m-%d %H:%M} to {datetime.fromisoformat(gap['to']):%Y-%m-%d %H:%M}"
