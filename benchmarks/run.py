"""The performance benchmark: `python -m benchmarks [--awards N] [--out FILE.json] [--skip-browser]`.

Page query time = the wall time of one uncached rerun of every block a registered page
declares (ui/registry.py PAGES, each page's BLOCKS): what ui.widgets.query would run on a
cache miss, each distinct query once, on a read-only connection. Queries a page runs outside
its blocks (the Overview's headline figures, the cap summary) are not timed.
Raw floor = the same aggregates, each as one hand-written DuckDB statement with literal
SQL (no FROM-subquery, no pandas post-processing), summed per page (for the Overview,
Locality and the scorecard).
Naive = the awards table loaded into pandas once; each rerun filters it with boolean
masks and aggregates with groupby (Overview, Locality and the scorecard's peer table,
trend and top suppliers).
Browser figures (filter changes, cold start, memory): see benchmarks/browser.py.
"""

import argparse
import functools
import json
import os
import platform
import random
import time
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks import browser, generate
from benchmarks.browser import pct

RESULTS = Path(__file__).resolve().parent / "results"
KEYS = ("awards", "page_query_p50_ms", "page_query_p95_ms", "raw_floor_p95_ms", "naive_page_query_p95_ms",
        "browser_redraw_p50_ms", "browser_redraw_p95_ms", "cold_start_s", "normalise_releases_per_s",
        "app_peak_rss_mb")


# --- normaliser ---------------------------------------------------------------------------

def normaliser_throughput(releases: int) -> dict:
    """Releases/s of normalise_ocid alone (one core), over >= `releases` demo releases."""
    import orjson
    from loaders.normalising.normalise import Release, normalise_ocid
    from loaders.sources import demo
    groups, total, seed = [], 0, demo.SEED
    while total < releases:  # the demo's own helpers, seed after seed, until enough releases
        rng = random.Random(seed)
        councils = demo.load_councils(rng)
        pools = demo.make_suppliers(rng, councils)
        for council in councils:
            for data in demo.council_releases(rng, council, councils, pools):
                data = orjson.loads(orjson.dumps(data))  # as read back from a file
                groups.append(Release("contracts-finder", data["ocid"], data["id"], data))
                total += 1
            if total >= releases:
                break
        seed += 1
    by_ocid = {}
    for r in groups:
        by_ocid.setdefault(r.ocid, []).append(r)
    grouped = list(by_ocid.values())
    start = time.process_time()
    rows = sum(len(normalise_ocid(g).rows) for g in grouped)
    cpu = time.process_time() - start
    return {"releases": total, "rows": rows, "cpu_s": cpu, "releases_per_s": total / cpu}


# --- filter combinations --------------------------------------------------------------------

def filter_combinations(con, n: int = 50, seed: int = 6):
    from queries.filters import Filters
    rng = random.Random(seed)
    regions = [r for (r,) in con.execute("SELECT DISTINCT buyer_region FROM awards ORDER BY 1").fetchall()]
    buyers = [r for (r,) in con.execute(
        "SELECT DISTINCT buyer_name FROM awards WHERE buyer_type = 'local authority' ORDER BY 1").fetchall()]
    first, last = con.execute("SELECT min(award_date), max(award_date) FROM awards").fetchone()
    combos = []
    for _ in range(n):
        kw = {}
        if rng.random() < 0.5:
            start = first + timedelta(days=rng.randrange(max(1, (last - first).days - 365)))
            kw["date_from"] = start
            kw["date_to"] = min(last, start + timedelta(days=rng.choice((365, 730, 1825))))
        if rng.random() < 0.3:
            kw["regions"] = tuple(rng.sample(regions, rng.randint(1, 3)))
        if rng.random() < 0.2:
            kw["buyer_types"] = ("local authority",)
        if rng.random() < 0.2:
            kw["supplier_sizes"] = (rng.choice(("SME", "Large")),)
        if rng.random() < 0.2:
            kw["categories"] = (rng.choice(("services", "works", "goods")),)
        if rng.random() < 0.15:
            kw["sources"] = (rng.choice(("contracts-finder", "find-a-tender")),)
        kw["exclude_frameworks"] = rng.random() < 0.2
        if rng.random() < 0.2:
            kw["local_km"] = rng.choice((10, 25, 50))
        combos.append((Filters(**kw), rng.choice(buyers)))
    return combos


# --- our queries, per page --------------------------------------------------------------------

def page_calls(con, filters, council):
    """Every registered page as one uncached rerun runs it: each block's data (a table's
    total and first page) through the page's own declarations, each distinct query once (in
    the app, the cache shares a query between the blocks of one rerun). The page's settings
    are its defaults (INPUTS) with its example_inputs (a supplier that has awards), and a
    setting named council or buyer is the chosen council."""
    from ui.blocks import Chart, Metrics, View

    def settings(module) -> tuple:
        """The page's settings, worked out before the timing starts."""
        example = module.example_inputs(lambda function, *args: function(con, *args)) \
            if hasattr(module, "example_inputs") else {}
        inputs = {**getattr(module, "INPUTS", {}), **example}
        return tuple(sorted((name, council if name in ("council", "buyer") else value)
                            for name, value in inputs.items()))

    def rerun(module, inputs: tuple):
        memo = {}

        def run(function, *args):
            key = (function, args)
            if key not in memo:
                memo[key] = function(con, *args)
            return memo[key]
        view = View(filters, inputs)
        for block in module.BLOCKS:
            if isinstance(block, (Chart, Metrics)):
                block.data(run, view)
            if isinstance(block, Chart):
                block.view_for(run, view)
            elif not isinstance(block, Metrics):
                block.total(run, view)
                block.rows(run, view, block.page_size, 0)
    return {name: (lambda module=module, inputs=settings(module): rerun(module, inputs))
            for name, module in page_modules().items() if module.BLOCKS}


@functools.cache
def page_modules() -> dict:
    """The registered pages' modules, loaded once (ui.registry.Page.load)."""
    from ui.registry import PAGES
    return {page.module: page.load() for page in PAGES}


# --- raw floor: hand-written statements --------------------------------------------------------

def floor_calls(con, filters, council):
    """The same aggregates, each as one plain statement over `awards` with a WHERE clause."""
    from queries import scorecard as sc
    where, params = filters.where()
    loc = filters.locality_sql()
    peer_where, peer_params = sc.peer_filters(filters).where()
    mine_where, mine_params = sc.council_filters(filters, council).where()
    fy = "CASE WHEN month(award_date) >= 4 THEN year(award_date) ELSE year(award_date) - 1 END"
    cnt = "sum(1.0 / n_suppliers)"

    def q(sql, p):
        return con.execute(sql, p).fetchall()

    def overview_floor():
        q(f"""SELECT sum(value_gbp), {cnt}, count(DISTINCT buyer_key), count(DISTINCT supplier_key),
                     sum(value_gbp) FILTER ({loc} = 'local'), {cnt} FILTER ({loc} = 'local'),
                     sum(value_gbp) FILTER ({loc} = 'unknown'), sum(value_gbp) FILTER (supplier_size = 'SME'),
                     sum(value_gbp) FILTER (supplier_vcse), sum(value_gbp) FILTER (is_framework)
              FROM awards WHERE {where}""", params)
        for expr in ("CASE WHEN supplier_vcse THEN 'VCSE' ELSE supplier_size END", loc, "value_band"):
            q(f"SELECT {expr} g, sum(value_gbp), {cnt} FROM awards WHERE {where} GROUP BY g", params)
        q(f"""SELECT {fy} fy, sum(value_gbp) FILTER ({loc} = 'local'), sum(value_gbp) FILTER (supplier_size = 'SME'),
                     sum(value_gbp) FILTER (supplier_vcse), sum(value_gbp), {cnt}
              FROM awards WHERE {where} GROUP BY fy""", params)

    def locality_floor():
        q(f"SELECT {loc} g, sum(value_gbp), {cnt} FROM awards WHERE {where} GROUP BY g", params)
        q(f"SELECT {fy} fy, {loc} g, sum(value_gbp), {cnt} FROM awards WHERE {where} GROUP BY fy, g", params)
        q(f"""SELECT buyer_area_code, any_value(buyer_area_name), sum(value_gbp), {cnt}, count(DISTINCT buyer_key),
                     sum(value_gbp) FILTER ({loc} = 'local'), sum(value_gbp) FILTER ({loc} = 'unknown')
              FROM awards WHERE {where} GROUP BY buyer_area_code""", params)
        q(f"SELECT buyer_name FROM awards WHERE {where} GROUP BY buyer_name ORDER BY sum(value_gbp) DESC", params)
        q(f"""SELECT supplier_lad_code, {loc} g, sum(value_gbp), {cnt}, count(DISTINCT supplier_key)
              FROM awards WHERE {where} AND buyer_name = ? GROUP BY ALL""", params + [council])

    def scorecard_floor():
        q(f"""SELECT buyer_name, sum(value_gbp), {cnt}, sum(value_gbp) FILTER ({loc} = 'local'),
                     sum(value_gbp) FILTER (supplier_size = 'SME'), sum(value_gbp) FILTER (supplier_vcse)
              FROM awards WHERE {peer_where} AND buyer_type = 'local authority' GROUP BY buyer_name""", peer_params)
        q(f"SELECT {fy} fy, sum(value_gbp), {cnt} FROM awards WHERE {mine_where} GROUP BY fy", mine_params)
        # top suppliers with footprint, national summary / awards, ending contracts: one statement
        q(f"""WITH reach AS (SELECT supplier_key, count(DISTINCT buyer_region) r FROM awards
                             WHERE duplicate_of IS NULL AND supplier_key IN
                                 (SELECT supplier_key FROM awards WHERE {mine_where}) GROUP BY supplier_key)
              SELECT supplier_key, sum(value_gbp), {cnt}, any_value(r) FROM awards JOIN reach USING (supplier_key)
              WHERE {mine_where} GROUP BY supplier_key ORDER BY 2 DESC NULLS LAST LIMIT 15""",
          mine_params + mine_params)
        q(f"""SELECT count(*), count(*) FILTER (value_gbp IS NULL), count(*) FILTER (supplier_postcode IS NULL)
              FROM awards WHERE {mine_where}""", mine_params)

    return {"overview": overview_floor, "locality": locality_floor, "scorecard": scorecard_floor}


# --- naive pandas baseline --------------------------------------------------------------------

NAIVE_COLUMNS = ("award_date", "buyer_region", "buyer_name", "buyer_type", "buyer_key", "source", "supplier_size",
                 "supplier_vcse", "category", "is_framework", "duplicate_of", "locality", "distance_km",
                 "value_gbp", "n_suppliers", "value_band", "buyer_area_code", "buyer_area_name", "supplier_key",
                 "supplier_name", "supplier_lad_code")


def naive_frame(con) -> pd.DataFrame:
    frame = con.execute(f"SELECT {', '.join(NAIVE_COLUMNS)} FROM awards").df()
    frame["award_date"] = pd.to_datetime(frame["award_date"])
    frame["supplier_vcse"] = frame["supplier_vcse"].astype("boolean").fillna(False).astype(bool)
    frame["is_framework"] = frame["is_framework"].astype(bool)
    return frame


def naive_calls(df: pd.DataFrame, filters, council):
    def filtered(f):
        m = df["duplicate_of"].isna()
        if f.date_from:
            m &= df["award_date"] >= pd.Timestamp(f.date_from)
        if f.date_to:
            m &= df["award_date"] <= pd.Timestamp(f.date_to)
        for col, vals in (("buyer_region", f.regions), ("buyer_name", f.buyers), ("buyer_type", f.buyer_types),
                          ("source", f.sources), ("supplier_size", f.supplier_sizes), ("category", f.categories)):
            if vals:
                m &= df[col].isin(vals)
        if f.exclude_frameworks:
            m &= ~df["is_framework"]
        out = df[m].copy()
        out["loc"] = out["locality"]
        if f.local_km:
            out.loc[out["distance_km"] <= f.local_km, "loc"] = "local"
        out["cnt"] = 1.0 / out["n_suppliers"]
        out["fy"] = out["award_date"].dt.year - (out["award_date"].dt.month < 4)
        return out

    def agg(frame, keys):
        return frame.groupby(keys, dropna=False).agg(value=("value_gbp", "sum"), awards=("cnt", "sum"))

    def overview_naive():
        f = filtered(filters)
        f["value_gbp"].sum(), f["buyer_key"].nunique(), f["supplier_key"].nunique()
        for cond in (f["loc"] == "local", f["supplier_size"] == "SME", f["supplier_vcse"] == True):  # noqa: E712
            f.loc[cond, "value_gbp"].sum(), f.loc[cond, "cnt"].sum()
        f["grp"] = np.where(f["supplier_vcse"] == True, "VCSE", f["supplier_size"])  # noqa: E712
        for key in ("grp", "loc", "value_band"):
            agg(f, key)
        f["lv"] = f["value_gbp"].where(f["loc"] == "local", 0)
        f.groupby("fy").agg(v=("value_gbp", "sum"), lv=("lv", "sum"), n=("cnt", "sum"))

    def locality_naive():
        f = filtered(filters)
        agg(f, "loc"), agg(f, ["fy", "loc"])
        f["lv"] = f["value_gbp"].where(f["loc"] == "local", 0)
        f.groupby("buyer_area_code", dropna=False).agg(v=("value_gbp", "sum"), lv=("lv", "sum"),
                                                        n=("cnt", "sum"), b=("buyer_key", "nunique"))
        f.groupby("buyer_name")["value_gbp"].sum().sort_values()
        mine = f[f["buyer_name"] == council]
        mine.groupby(["supplier_lad_code", "loc"], dropna=False).agg(
            v=("value_gbp", "sum"), s=("supplier_key", "nunique"))

    def scorecard_naive():
        from queries import scorecard as sc
        p = filtered(sc.peer_filters(filters))
        p = p[p["buyer_type"] == "local authority"]
        p["lv"] = p["value_gbp"].where(p["loc"] == "local", 0)
        p.groupby("buyer_name").agg(v=("value_gbp", "sum"), lv=("lv", "sum"), n=("cnt", "sum"))
        m = filtered(sc.council_filters(filters, council))
        m.groupby("fy").agg(v=("value_gbp", "sum"), n=("cnt", "sum"))
        reach = df[df["supplier_key"].isin(m["supplier_key"].unique())].groupby("supplier_key")["buyer_region"].nunique()
        m.groupby("supplier_key").agg(v=("value_gbp", "sum")).join(reach).nlargest(15, "v")

    return {"overview": overview_naive, "locality": locality_naive, "scorecard": scorecard_naive}


def time_pages(combos, make_calls) -> dict:
    times: dict[str, list[float]] = {}
    for filters, council in combos:
        for page, call in make_calls(filters, council).items():
            start = time.perf_counter()
            call()
            times.setdefault(page, []).append((time.perf_counter() - start) * 1000)
    return times


def query_benchmark(store_path: Path, n_combos: int = 50) -> dict:
    from loaders.storage import store
    con = store.read_only(store_path)
    try:
        combos = filter_combinations(con, n_combos)
        for filters, council in combos[:2]:  # warm-up: first touch of the file pages
            for call in page_calls(con, filters, council).values():
                call()
        ours = time_pages(combos, lambda f, c: page_calls(con, f, c))
        floor = time_pages(combos, lambda f, c: floor_calls(con, f, c))
        load_start = time.perf_counter()
        frame = naive_frame(con)
        naive_load_s = time.perf_counter() - load_start
        naive = time_pages(combos, lambda f, c: naive_calls(frame, f, c))
    finally:
        con.close()
    pages = {page: {"p50_ms": pct(ours[page], 50), "p95_ms": pct(ours[page], 95)} for page in ours}
    for page, figures in pages.items():  # hand-written floors and pandas baselines exist for three pages
        if page in floor:
            figures.update(floor_p50_ms=pct(floor[page], 50), floor_p95_ms=pct(floor[page], 95),
                           ratio_floor_p95=figures["p95_ms"] / pct(floor[page], 95))
        if page in naive:
            figures.update(naive_p50_ms=pct(naive[page], 50), naive_p95_ms=pct(naive[page], 95),
                           ratio_naive_p95=figures["p95_ms"] / pct(naive[page], 95))
    worst = max(pages, key=lambda k: pages[k]["p95_ms"])
    return {"pages": pages, "worst_page": worst, "naive_load_s": naive_load_s, "combos": len(combos)}


def browser_run(store_path: Path, log: Path, changes: int, link_loads: int = 10) -> dict:
    """The browser measures on the council with the most awards (the heaviest scorecard)."""
    from loaders.storage import store
    con = store.read_only(store_path)
    try:
        council = con.execute("""SELECT buyer_name FROM awards WHERE buyer_name IN (SELECT council FROM council_buyers)
                                 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""").fetchone()[0]
        regions = [r for (r,) in con.execute(
            "SELECT DISTINCT buyer_region FROM awards WHERE buyer_region IS NOT NULL ORDER BY 1").fetchall()]
        links = [browser.link_params(f) for f, _ in filter_combinations(con, link_loads, seed=66)]
    finally:
        con.close()
    return browser.benchmark(store_path, council, regions, links, log, changes)


# --- report ---------------------------------------------------------------------------------------

def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu_model": model, "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "duckdb": __import__("duckdb").__version__}


def run(awards: int, out: Path, skip_browser: bool, normalise_releases: int = 50_000,
        store_path: Path | None = None, combos: int = 50, browser_changes: int = 50) -> dict:
    store_path = store_path or RESULTS / f"bench-{awards}.duckdb"
    t0 = time.perf_counter()
    generate.build(store_path, awards)
    generate_s = time.perf_counter() - t0
    norm = normaliser_throughput(normalise_releases)
    queries = query_benchmark(store_path, combos)
    pages = queries["pages"]
    worst = pages[queries["worst_page"]]
    floored = max((p for p in pages.values() if "floor_p95_ms" in p), key=lambda p: p["p95_ms"])
    result = {
        "awards": awards,
        "page_query_p50_ms": max(p["p50_ms"] for p in pages.values()),
        "page_query_p95_ms": worst["p95_ms"],
        "raw_floor_p95_ms": floored["floor_p95_ms"],  # of the slowest page that has a hand-written floor
        "naive_page_query_p95_ms": floored["naive_p95_ms"],
        "ratio_ours_floor_p95": floored["ratio_floor_p95"],
        "ratio_ours_naive_p95": floored["ratio_naive_p95"],
        "browser_redraw_p50_ms": None, "browser_redraw_p95_ms": None, "cold_start_s": None,
        "normalise_releases_per_s": norm["releases_per_s"], "app_peak_rss_mb": None,
        "pages": pages, "worst_page": queries["worst_page"], "naive_load_s": queries["naive_load_s"],
        "filter_combinations": queries["combos"], "normaliser": norm, "generate_store_s": generate_s,
        "machine": machine(), "browser": None,
    }
    if not skip_browser:
        b = browser_run(store_path, out.parent / "streamlit.log", browser_changes)
        result.update(browser_redraw_p50_ms=b["redraw_p50_ms"], browser_redraw_p95_ms=b["redraw_p95_ms"],
                      cold_start_s=b["cold_start_s"], app_peak_rss_mb=b["app_peak_rss_mb"], browser=b)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=2, default=str))
    out.with_suffix(".md").write_text(markdown(result))
    return result


TARGETS = (("page_query_p95_ms", "page queries p95 (worst page)", "<= 100 ms", lambda v: v <= 100),
           ("ratio_ours_floor_p95", "ours / raw floor (p95)", "<= 10x", lambda v: v <= 10),
           ("browser_redraw_p95_ms", "filter change to redrawn page p95", "< 1000 ms", lambda v: v < 1000),
           ("cold_start_s", "cold start to first chart", "< 5 s", lambda v: v < 5),
           ("normalise_releases_per_s", "normaliser, one core", ">= 5,000 releases/s", lambda v: v >= 5000),
           ("app_peak_rss_mb", "app peak memory (VmHWM)", "< 1024 MB", lambda v: v < 1024))


def _shown(value, form: str) -> str:
    return "-" if value is None else form.format(value)


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [f"# Benchmark: {r['awards']:,} award rows", "",
             f"Machine: {m['nproc']} cores, {m['cpu_model']}, {m['memory_gb']} GB RAM; Python {m['python']}, "
             f"DuckDB {m['duckdb']}. Store generated in {r['generate_store_s']:.1f} s; "
             f"{r['filter_combinations']} filter combinations.", "",
             "| measure | value | target | met |", "|---|---|---|---|"]
    for key, label, target, ok in TARGETS:
        v = r.get(key)
        lines.append(f"| {label} | {'skipped' if v is None else f'{v:,.1f}'} | {target} | "
                     f"{'-' if v is None else ('yes' if ok(v) else 'NO')} |")
    lines += ["", "| page | ours p50 ms | ours p95 ms | floor p95 ms | ours/floor | naive p95 ms | ours/naive |",
              "|---|---|---|---|---|---|---|"]
    for page, p in r["pages"].items():
        lines.append(f"| {page} | {p['p50_ms']:.1f} | {p['p95_ms']:.1f} | " + " | ".join(
            _shown(p.get(key), form) for key, form in (("floor_p95_ms", "{:.1f}"), ("ratio_floor_p95", "{:.1f}x"),
                                                       ("naive_p95_ms", "{:.1f}"), ("ratio_naive_p95", "{:.2f}x")))
                     + " |")
    if r["browser"]:
        b = r["browser"]
        lines += ["", "| page (browser) | filter change p50 ms | filter change p95 ms | shared link load p50 ms "
                      "| shared link load p95 ms |", "|---|---|---|---|---|"]
        for page, p in b["per_page"].items():
            link = b["link_load"][page]
            lines.append(f"| {page} | {p['p50_ms']:.0f} | {p['p95_ms']:.0f} | {link['p50_ms']:.0f} | "
                         f"{link['p95_ms']:.0f} |")
        lines += ["", f"Filter change: {b['changes_per_page']} single sidebar changes per page, each to a filter "
                      "state not seen before (so never served from the cache), timed from the click to the "
                      "redrawn page. Shared link load: a fresh page load of a filtered URL, for reference."]
    n = r["normaliser"]
    lines += ["", f"Normaliser: {n['releases']:,} demo releases -> {n['rows']:,} rows in {n['cpu_s']:.1f} s CPU.",
              f"Naive baseline: whole table loaded into pandas once in {r['naive_load_s']:.1f} s (not counted "
              "per rerun).", ""]
    return "\n".join(lines)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    parser.add_argument("--awards", type=int, default=1_000_000)
    parser.add_argument("--out", type=Path, default=RESULTS / "results.json")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--normalise-releases", type=int, default=50_000)
    args = parser.parse_args(argv)
    result = run(args.awards, args.out, args.skip_browser, args.normalise_releases)
    print(markdown(result))
    return 0
