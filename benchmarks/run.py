"""The performance benchmark: one command measures every target of the design (TARGETS).

    python -m benchmarks [--sizes 1000000,2000000 | --awards N] [--out FILE.json] [--skip-browser]
                         [--skip-load] [--load-sessions 20] [--load-seconds 60] [--run-import-memory]
                         [--profile]

For each size a store of that many award rows is generated (benchmarks/generate.py, in
data/bench-<N>.duckdb) and its page queries are timed over 50 filter combinations. The
browser half (benchmarks/browser.py) and the load test (benchmarks/load.py) then run on the
stores: filter changes, shared links, cold start and memory on the first size (1M); cold
start and memory again on the largest (2M, after opening every registered page); 20
concurrent sessions for 60 s on the first size.

Page query time = the wall time of one uncached rerun of every block a registered page
declares (ui/registry.py PAGES, each page's BLOCKS): what ui.widgets.query would run on a
cache miss, each distinct query once, on a read-only connection. Queries a page runs outside
its blocks (the Overview's headline figures, the cap summary) are not timed.
Raw floor (floor_*) = what DuckDB alone needs for that page: the connection handed to the
query functions is a Recorder, which records every statement they execute (its text and
parameters) as it passes it on; the statements of each timed rerun are then executed again,
exactly as recorded, on the plain connection with .fetchall(): no pandas frame, no Python
after. It is measured for every page in the same run, and ours / floor (p95 over p95) is
what the app adds on top of its own SQL (frames, shaping, the blocks). Recording costs a
list append per statement inside the timed rerun.
Hand floor (hand_floor_*) = the same aggregates as the Overview, Locality and the
scorecard show, each written by hand as one DuckDB statement with literal SQL (no
FROM-subquery, no pandas), summed per page: what a rewrite of the SQL could hope for.
Naive = the awards table loaded into pandas once; each rerun filters it with boolean
masks and aggregates with groupby (Overview, Locality and the scorecard's peer table,
trend and top suppliers).

The JSON: `sizes`; `pages[page][str(size)]` = {p50_ms, p95_ms, floor_p50_ms, floor_p95_ms,
ratio_floor_p95, statements (how many the first rerun executed)} and, for the three pages
that have them, hand_floor_p50_ms, hand_floor_p95_ms, ratio_hand_floor_p95, naive_p50_ms,
naive_p95_ms, ratio_naive_p95. The top-level page_query_*, raw_floor_p95_ms (the floor of
the slowest page), ratio_ours_floor_p95 (the largest ratio of any page), hand_floor_p95_ms
and naive_page_query_p95_ms (of the slowest page that has them) are of the first size; the
awards_2m_* keys are of the largest size (2,000,000 by default). Filter changes, shared
links (shared_link_p95_ms: a filtered link opened in a new tab, a new session, until its
last chart is drawn), cold_start_s and app_peak_rss_mb are of the first size;
awards_2m_cold_start_s and awards_2m_app_peak_rss_mb of the largest. concurrent_* are
benchmarks/load.py's render p95 (rerun sent to script finished), errors and server peak
memory. import_200mb_peak_rss_mb is read from benchmarks/results/import_memory.json
(written by benchmarks/import_memory.py, about two minutes), or measured in this run with
--run-import-memory. --profile samples the query benchmark of the slowest page at the
largest size with py-spy (cProfile when py-spy fails) into benchmarks/results/profile-<page>.txt.
"""

import argparse
import cProfile
import functools
import io
import json
import os
import platform
import pstats
import random
import re
import shutil
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlencode

import numpy as np
import pandas as pd

from benchmarks import browser, generate
from benchmarks.browser import pct

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
STORES = ROOT / "data"  # data/*.duckdb is ignored by git
SIZES = (1_000_000, 2_000_000)
IMPORT_MEMORY = RESULTS / "import_memory.json"
KEYS = ("awards", "sizes", "page_query_p50_ms", "page_query_p95_ms", "raw_floor_p95_ms", "ratio_ours_floor_p95",
        "hand_floor_p95_ms", "naive_page_query_p95_ms", "pages", "browser_redraw_p50_ms", "browser_redraw_p95_ms",
        "shared_link_p95_ms", "cold_start_s", "app_peak_rss_mb", "normalise_releases_per_s",
        "concurrent_p95_ms", "concurrent_errors", "concurrent_server_rss_mb", "awards_2m_page_query_p95_ms",
        "awards_2m_ratio_floor_p95", "awards_2m_app_peak_rss_mb", "awards_2m_cold_start_s",
        "import_200mb_peak_rss_mb")


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

def page_calls(con, filters, council, only: str | None = None):
    """Every registered page as one uncached rerun runs it: each block's data (a table's
    total and first page) through the page's own declarations, each distinct query once (in
    the app, the cache shares a query between the blocks of one rerun). The page's settings
    are its defaults (INPUTS) with its example_inputs (a supplier that has awards), and a
    setting named council or buyer is the chosen council. `only`: that page alone (the
    profile samples one page, not the settings of every other)."""
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
            for name, module in page_modules().items() if module.BLOCKS and only in (None, name)}


@functools.cache
def page_modules() -> dict:
    """The registered pages' modules, loaded once (ui.registry.Page.load)."""
    from ui.registry import PAGES
    return {page.module: page.load() for page in PAGES}


# --- hand floor: hand-written statements -------------------------------------------------------

def hand_floor_calls(con, filters, council):
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


# --- raw floor: the statements a rerun executed, executed again -------------------------------

class Recorder:
    """The connection as the query functions see it: every statement executed through it
    or a cursor of it is recorded (text, parameters) and run by the real connection."""

    def __init__(self, con):
        self.con = con
        self.statements: list[tuple[str, object]] = []

    def cursor(self):
        return _RecordingCursor(self.con.cursor(), self.statements)

    def execute(self, sql, parameters=None):
        self.statements.append((sql, parameters))
        return self.con.execute(sql, parameters)

    def __getattr__(self, name):
        return getattr(self.con, name)


class _RecordingCursor:
    """A cursor that records what it executes into its Recorder's list."""

    def __init__(self, cursor, statements: list):
        self._cursor, self._statements = cursor, statements

    def execute(self, sql, parameters=None):
        self._statements.append((sql, parameters))
        return self._cursor.execute(sql, parameters)

    def __getattr__(self, name):
        return getattr(self._cursor, name)


def time_ours(con, combos) -> tuple[dict, dict]:
    """Every page's rerun per filter combination (ms), and the statements each executed."""
    recorder = Recorder(con)
    times: dict[str, list[float]] = {}
    statements: dict[str, list[list]] = {}
    for filters, council in combos:
        for page, call in page_calls(recorder, filters, council).items():
            recorder.statements.clear()  # the settings' own look-ups are not part of the rerun
            start = time.perf_counter()
            call()
            times.setdefault(page, []).append((time.perf_counter() - start) * 1000)
            statements.setdefault(page, []).append(list(recorder.statements))
    return times, statements


def time_floor(con, statements: dict) -> dict:
    """The recorded statements of each rerun executed again as they were, fetched, nothing else (ms)."""
    times: dict[str, list[float]] = {page: [] for page in statements}
    for i in range(max(len(reruns) for reruns in statements.values())):
        for page, reruns in statements.items():
            start = time.perf_counter()
            for sql, parameters in reruns[i]:
                con.execute(sql, parameters).fetchall()
            times[page].append((time.perf_counter() - start) * 1000)
    return times


def time_pages(combos, make_calls) -> dict:
    times: dict[str, list[float]] = {}
    for filters, council in combos:
        for page, call in make_calls(filters, council).items():
            start = time.perf_counter()
            call()
            times.setdefault(page, []).append((time.perf_counter() - start) * 1000)
    return times


def query_benchmark(store_path: Path, n_combos: int = 50) -> dict:
    """Ours, the raw floor, the hand floor and the naive baseline on one store."""
    from loaders.storage import store
    con = store.read_only(store_path)
    try:
        combos = filter_combinations(con, n_combos)
        for filters, council in combos[:2]:  # warm-up: first touch of the file pages
            for call in page_calls(con, filters, council).values():
                call()
        ours, statements = time_ours(con, combos)
        floor = time_floor(con, statements)
        hand = time_pages(combos, lambda f, c: hand_floor_calls(con, f, c))
        load_start = time.perf_counter()
        frame = naive_frame(con)
        naive_load_s = time.perf_counter() - load_start
        naive = time_pages(combos, lambda f, c: naive_calls(frame, f, c))
        del frame
    finally:
        con.close()
    pages = {page: page_figures(ours[page], floor[page], hand.get(page), naive.get(page)) | {
        "statements": len(statements[page][0])} for page in ours}
    worst = max(pages, key=lambda k: pages[k]["p95_ms"])
    return {"pages": pages, "worst_page": worst, "naive_load_s": naive_load_s, "combos": len(combos)}


def page_figures(ours: list, floor: list, hand: list | None, naive: list | None) -> dict:
    """p50/p95 of ours and of each baseline the page has, and ours p95 over theirs."""
    figures = {"p50_ms": pct(ours, 50), "p95_ms": pct(ours, 95)}
    for name, times in (("floor", floor), ("hand_floor", hand), ("naive", naive)):
        if times:
            figures.update({f"{name}_p50_ms": pct(times, 50), f"{name}_p95_ms": pct(times, 95),
                            f"ratio_{name}_p95": figures["p95_ms"] / pct(times, 95)})
    return figures


def size_keys(queries: dict) -> dict:
    """The headline query figures of one size: the slowest page, its floor, the worst ratio."""
    pages = queries["pages"]
    worst = pages[queries["worst_page"]]
    hand = max((p for p in pages.values() if "hand_floor_p95_ms" in p), key=lambda p: p["p95_ms"])
    return {"page_query_p50_ms": max(p["p50_ms"] for p in pages.values()), "page_query_p95_ms": worst["p95_ms"],
            "raw_floor_p95_ms": worst["floor_p95_ms"],
            "ratio_ours_floor_p95": max(p["ratio_floor_p95"] for p in pages.values()),
            "worst_ratio_page": max(pages, key=lambda k: pages[k]["ratio_floor_p95"]),
            "hand_floor_p95_ms": hand["hand_floor_p95_ms"], "ratio_ours_hand_floor_p95": hand["ratio_hand_floor_p95"],
            "naive_page_query_p95_ms": hand["naive_p95_ms"], "ratio_ours_naive_p95": hand["ratio_naive_p95"]}


# --- the browser, the load test, the import ---------------------------------------------------

def largest_council(store_path: Path) -> str:
    """The council with the most awards (the heaviest scorecard)."""
    from loaders.storage import store
    con = store.read_only(store_path)
    try:
        return con.execute("""SELECT buyer_name FROM awards WHERE buyer_name IN (SELECT council FROM council_buyers)
                              GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""").fetchone()[0]
    finally:
        con.close()


def browser_run(store_path: Path, log: Path, changes: int, link_loads: int = 10) -> dict:
    """Filter changes, shared links, cold start and memory, on the council with the most awards."""
    from loaders.storage import store
    council = largest_council(store_path)
    con = store.read_only(store_path)
    try:
        regions = [r for (r,) in con.execute(
            "SELECT DISTINCT buyer_region FROM awards WHERE buyer_region IS NOT NULL ORDER BY 1").fetchall()]
        links = [browser.link_params(f) for f, _ in filter_combinations(con, link_loads, seed=66)]
    finally:
        con.close()
    return browser.benchmark(store_path, council, regions, links, log, changes)


def registered_paths(council: str) -> dict[str, str]:
    """Every registered page's example link (its council or buyer the given one), by module."""
    from ui.registry import PAGES
    return {entry.module: entry.url_path + (
        "?" + urlencode({k: council if k in ("council", "buyer") else v for k, v in entry.example.items()})
        if entry.example else "") for entry in PAGES}


def cold_start_run(store_path: Path, log: Path) -> dict:
    """Cold start, then every registered page opened once, and the app's peak memory."""
    return browser.cold_start(store_path, registered_paths(largest_council(store_path)), log)


def load_run(store_path: Path, out: Path, sessions: int, seconds: float) -> dict:
    """benchmarks/load.py's sessions over every registered page's links, on this store."""
    from benchmarks import load  # it imports this module (machine)
    return load.run(store_path, sessions, out, seconds=seconds)


def import_memory_figures(run_it: bool) -> dict:
    """The 200 MB import's figures: measured now (about two minutes), else the committed result."""
    if run_it:
        import tempfile
        from benchmarks import import_memory
        with tempfile.TemporaryDirectory() as folder:
            return {**import_memory.run(200, Path(folder)), "how": "measured in this run"}
    if not IMPORT_MEMORY.is_file():
        return {"import_200mb_peak_rss_mb": None, "how": f"{IMPORT_MEMORY} is absent: run with --run-import-memory"}
    return {**json.loads(IMPORT_MEMORY.read_text()), "how": f"read from {IMPORT_MEMORY.relative_to(ROOT)}"}


# --- profile ----------------------------------------------------------------------------------

def repeat_page(store_path: str, page: str, n_combos: int) -> None:
    """One page's reruns over the filter combinations: what the profile samples."""
    from loaders.storage import store
    con = store.read_only(store_path)
    try:
        for filters, council in filter_combinations(con, n_combos):
            page_calls(con, filters, council, only=page)[page]()  # only its settings, not every page's
    finally:
        con.close()


def profile(store_path: Path, page: str, n_combos: int, folder: Path) -> dict:
    """Sample `page`'s query benchmark with py-spy into profile-<page>.txt (the raw collapsed
    stacks beside it, .collapsed); with cProfile instead when py-spy fails (it needs ptrace).
    py-spy runs the reruns in a child of its own (--idle: time waiting on DuckDB counts), and
    the child marks that it finished, since py-spy's exit status does not say."""
    target, raw, finished = (folder / f"profile-{page}{ext}" for ext in (".txt", ".collapsed", ".done"))
    finished.unlink(missing_ok=True)
    spy = shutil.which("py-spy") or str(Path(sys.executable).parent / "py-spy")
    code = (f"from pathlib import Path; from benchmarks.run import repeat_page; "
            f"repeat_page({str(store_path)!r}, {page!r}, {n_combos}); Path({str(finished)!r}).touch()")
    try:
        done = subprocess.run([spy, "record", "--output", str(raw), "--format", "raw", "--rate", "250", "--idle",
                               "--", sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
        failure = None if finished.exists() and raw.is_file() else (done.stderr or done.stdout)[-800:]
    except OSError as exc:
        failure = f"{spy}: {exc}"
    finished.unlink(missing_ok=True)
    header = f"Profile of the {page} page's queries, {n_combos} filter combinations on {store_path.name}\n"
    if failure is None:
        target.write_text(header + collapsed_report(raw.read_text()))
        return {"tool": "py-spy", "page": page, "file": str(target), "collapsed": str(raw)}
    profiler = cProfile.Profile()
    profiler.runcall(repeat_page, str(store_path), page, n_combos)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(40)
    target.write_text(f"{header}py-spy failed ({failure.strip()}); cProfile, top 40 by cumulative time:\n"
                      + text.getvalue())
    return {"tool": "cProfile", "page": page, "file": str(target), "py_spy_failure": failure}


def collapsed_report(collapsed: str, top: int = 40) -> str:
    """The `top` functions by own samples and by total samples, from py-spy's collapsed
    stacks (`frame;frame;... count` a line; a frame's line number is dropped, so a function
    is one entry)."""
    own: dict[str, int] = {}
    total: dict[str, int] = {}
    samples = 0
    for line in collapsed.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        frames = [re.sub(r":\d+\)$", ")", frame) for frame in stack.split(";")]
        samples += int(count)
        own[frames[-1]] = own.get(frames[-1], 0) + int(count)
        for frame in set(frames):
            total[frame] = total.get(frame, 0) + int(count)
    lines = [f"{samples} samples.", "", f"Top {top} by own samples (% of all):"]
    lines += [f"{n:8d} {100 * n / samples:5.1f}%  {f}" for f, n in sorted(own.items(), key=lambda x: -x[1])[:top]]
    lines += ["", f"Top {top} by total samples (the function and what it calls):"]
    lines += [f"{n:8d} {100 * n / samples:5.1f}%  {f}" for f, n in sorted(total.items(), key=lambda x: -x[1])[:top]]
    return "\n".join(lines) + "\n"


# --- the run ----------------------------------------------------------------------------------

def machine() -> dict:
    model = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), platform.processor())
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal"))
    return {"nproc": os.cpu_count(), "cpu_model": model, "memory_gb": round(mem_kb / 1024 / 1024, 1),
            "python": platform.python_version(), "duckdb": __import__("duckdb").__version__}


def run(sizes, out: Path, skip_browser: bool = False, skip_load: bool = False, normalise_releases: int = 50_000,
        store_dir: Path | None = None, combos: int = 50, browser_changes: int = 50, load_sessions: int = 20,
        load_seconds: float = 60, run_import_memory: bool = False, profile_slowest: bool = False) -> dict:
    """Every measure at every size; write the JSON to `out` and the summary beside it (.md)."""
    sizes = tuple(sizes)
    started = time.perf_counter()
    stores = {size: (store_dir or STORES) / f"bench-{size}.duckdb" for size in sizes}
    queries, generated = {}, {}
    for size, path in stores.items():
        t0 = time.perf_counter()
        generate.build(path, size)
        generated[str(size)] = time.perf_counter() - t0
        queries[size] = query_benchmark(path, combos)
    first, largest = sizes[0], max(sizes)
    norm = normaliser_throughput(normalise_releases)
    imported = import_memory_figures(run_import_memory)
    result = {
        "awards": first, "sizes": list(sizes), **size_keys(queries[first]),
        "pages": {page: {str(size): queries[size]["pages"][page] for size in sizes}
                  for page in queries[first]["pages"]},
        "worst_page": {str(size): q["worst_page"] for size, q in queries.items()},
        "browser_redraw_p50_ms": None, "browser_redraw_p95_ms": None, "shared_link_p50_ms": None,
        "shared_link_p95_ms": None, "cold_start_s": None, "app_peak_rss_mb": None,
        "normalise_releases_per_s": norm["releases_per_s"],
        "concurrent_p95_ms": None, "concurrent_errors": None, "concurrent_server_rss_mb": None,
        "awards_2m_page_query_p95_ms": queries[largest]["pages"][queries[largest]["worst_page"]]["p95_ms"],
        "awards_2m_ratio_floor_p95": size_keys(queries[largest])["ratio_ours_floor_p95"],
        "awards_2m_app_peak_rss_mb": None, "awards_2m_cold_start_s": None,
        "import_200mb_peak_rss_mb": imported.get("import_200mb_peak_rss_mb"),
        "largest_size": largest, "naive_load_s": {str(size): q["naive_load_s"] for size, q in queries.items()},
        "filter_combinations": queries[first]["combos"], "normaliser": norm, "import_memory": imported,
        "generate_store_s": generated, "machine": machine(), "browser": None, "browser_largest": None,
        "load": None, "profile": None,
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    if not skip_browser:
        result.update(browser_keys(stores[first], stores[largest], out.parent, browser_changes))
    if not skip_load:
        load = load_run(stores[first], out.with_name(f"{out.stem}-load.json"), load_sessions, load_seconds)
        result.update(concurrent_p95_ms=load["render_p95_ms"], concurrent_errors=load["errors"],
                      concurrent_server_rss_mb=load["server_peak_rss_mb"], load=load)
    if profile_slowest:
        result["profile"] = profile(stores[largest], queries[largest]["worst_page"], combos, out.parent)
    result["total_s"] = time.perf_counter() - started
    out.write_text(json.dumps(result, indent=2, default=str))
    out.with_suffix(".md").write_text(markdown(result))
    return result


def browser_keys(first: Path, largest: Path, folder: Path, changes: int, link_loads: int = 10) -> dict:
    """The browser's figures: everything on the first store, cold start and memory on the largest."""
    b = browser_run(first, folder / "streamlit.log", changes, link_loads)
    keys = {"browser_redraw_p50_ms": b["redraw_p50_ms"], "browser_redraw_p95_ms": b["redraw_p95_ms"],
            "shared_link_p50_ms": b["link_p50_ms"], "shared_link_p95_ms": b["link_p95_ms"],
            "cold_start_s": b["cold_start_s"], "app_peak_rss_mb": b["app_peak_rss_mb"], "browser": b}
    big = cold_start_run(largest, folder / "streamlit-largest.log") if largest != first else None
    keys.update(awards_2m_cold_start_s=(big or b)["cold_start_s"],
                awards_2m_app_peak_rss_mb=(big or b)["app_peak_rss_mb"], browser_largest=big)
    return keys


# --- report ---------------------------------------------------------------------------------------

def page_limit_ms(size: int) -> float:
    """The page-query target at a size: 50 ms up to 1,000,000 award rows, 100 ms beyond (to 2,000,000)."""
    return 50 if size <= 1_000_000 else 100


FLOOR_RATIO = 3
# (key, label, target, met): labels say "first size" / "largest size" where the figure is of one.
TARGETS = (
    ("page_query_p95_ms", "page queries p95, slowest page, first size", "<= 50 ms", lambda v: v <= 50),
    ("awards_2m_page_query_p95_ms", "page queries p95, slowest page, largest size", "<= 100 ms",
     lambda v: v <= 100),
    ("ratio_ours_floor_p95", "ours / raw floor p95, worst page, first size", f"<= {FLOOR_RATIO}x",
     lambda v: v <= FLOOR_RATIO),
    ("awards_2m_ratio_floor_p95", "ours / raw floor p95, worst page, largest size", f"<= {FLOOR_RATIO}x",
     lambda v: v <= FLOOR_RATIO),
    ("browser_redraw_p95_ms", "filter change to redrawn page p95", "< 300 ms", lambda v: v < 300),
    ("shared_link_p95_ms", "shared link, new session, to its last chart p95", "< 1000 ms", lambda v: v < 1000),
    ("cold_start_s", "cold start to first chart, first size", "< 3 s", lambda v: v < 3),
    ("awards_2m_cold_start_s", "cold start to first chart, largest size", "< 3 s", lambda v: v < 3),
    ("awards_2m_app_peak_rss_mb", "app peak memory (VmHWM), largest size", "< 600 MB", lambda v: v < 600),
    ("concurrent_errors", "concurrent sessions: errors", "0", lambda v: v == 0),
    ("concurrent_p95_ms", "concurrent sessions: page render p95", "< 2000 ms", lambda v: v < 2000),
    ("concurrent_server_rss_mb", "concurrent sessions: server peak memory", "reported", None),
    ("normalise_releases_per_s", "normaliser, one core", ">= 15,000 releases/s", lambda v: v >= 15_000),
    ("import_200mb_peak_rss_mb", "importing a 200 MB file, peak memory", "< 500 MB", lambda v: v < 500),
)


def _shown(value, form: str) -> str:
    return "-" if value is None else form.format(value)


def _value(value) -> str:
    if value is None:
        return "skipped"
    return f"{value:,}" if isinstance(value, int) else f"{value:,.1f}"


def _met(value, ok) -> str:
    if value is None or ok is None:
        return "-"
    return "yes" if ok(value) else "NO"


def markdown(r: dict) -> str:
    m = r["machine"]
    sizes = ", ".join(f"{s:,}" for s in r["sizes"])
    lines = [f"# Benchmark: {sizes} award rows", "",
             f"Machine: {m['nproc']} cores, {m['cpu_model']}, {m['memory_gb']} GB RAM; Python {m['python']}, "
             f"DuckDB {m['duckdb']}. Stores generated in "
             + ", ".join(f"{float(s):.1f} s" for s in r["generate_store_s"].values())
             + f"; {r['filter_combinations']} filter combinations; the whole run took {r['total_s'] / 60:.1f} min.",
             "", f"First size {r['awards']:,}, largest {r['largest_size']:,}.", "",
             "| measure | value | target | met |", "|---|---|---|---|"]
    for key, label, target, ok in TARGETS:
        v = r.get(key)
        lines.append(f"| {label} | {_value(v)} | {target} | {_met(v, ok)} |")
    lines += page_table(r)
    if r["browser"]:
        lines += browser_table(r)
    if r["load"]:
        load = r["load"]
        lines += ["", f"Concurrent sessions: {load['sessions']} sessions for {load['duration_s']} s on the "
                      f"{r['awards']:,} store, {load['renders']} renders ({load['renders_per_s']}/s) of every "
                      f"registered page's links, {load['errors']} errors; render p50 {load['render_p50_ms']} ms, "
                      f"p95 {load['render_p95_ms']} ms, max {load['render_max_ms']} ms; server peak memory "
                      f"{load['server_peak_rss_mb']} MB."]
    n = r["normaliser"]
    lines += ["", f"Normaliser: {n['releases']:,} demo releases -> {n['rows']:,} rows in {n['cpu_s']:.1f} s CPU.",
              f"Import of 200 MB: {r['import_memory']['how']}.",
              "Naive baseline: whole table loaded into pandas once per size in "
              + ", ".join(f"{float(s):.1f} s" for s in r["naive_load_s"].values()) + " (not counted per rerun)."]
    if r["profile"]:
        lines += [f"Profile ({r['profile']['tool']}) of the {r['profile']['page']} page: {r['profile']['file']}."]
    return "\n".join(lines + [""])


def page_table(r: dict) -> list[str]:
    """One row per page and size: ours, the raw floor and the ratio (with its target), the
    hand floor and the naive baseline where the page has them."""
    lines = ["", "Raw floor: the statements the page's rerun executed, run again with fetchall (see run.py). "
                 f"Met: p95 within the size's target (50 ms to 1M, 100 ms beyond) and within {FLOOR_RATIO}x the floor.",
             "", "| page | awards | ours p50 ms | ours p95 ms | statements | floor p95 ms | ours/floor | met "
                 "| hand floor p95 ms | naive p95 ms | ours/naive |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for page, by_size in r["pages"].items():
        for size, p in by_size.items():
            met = p["p95_ms"] <= page_limit_ms(int(size)) and p["ratio_floor_p95"] <= FLOOR_RATIO
            lines.append(f"| {page} | {int(size):,} | {p['p50_ms']:.1f} | {p['p95_ms']:.1f} | {p['statements']} | "
                         f"{p['floor_p95_ms']:.1f} | {p['ratio_floor_p95']:.1f}x | {'yes' if met else 'NO'} | "
                         + " | ".join(_shown(p.get(key), form) for key, form in (
                             ("hand_floor_p95_ms", "{:.1f}"), ("naive_p95_ms", "{:.1f}"),
                             ("ratio_naive_p95", "{:.2f}x"))) + " |")
    return lines


def browser_table(r: dict) -> list[str]:
    b = r["browser"]
    lines = ["", f"| page (browser, {r['awards']:,}) | filter change p50 ms | filter change p95 ms "
                 "| shared link p50 ms | shared link p95 ms |", "|---|---|---|---|---|"]
    for page, p in b["per_page"].items():
        link = b["link_load"][page]
        lines.append(f"| {page} | {p['p50_ms']:.0f} | {p['p95_ms']:.0f} | {link['p50_ms']:.0f} | "
                     f"{link['p95_ms']:.0f} |")
    lines += ["", f"Filter change: {b['changes_per_page']} single sidebar changes per page, each to a filter "
                  "state not seen before (so never served from the cache), timed from the click to the "
                  "redrawn page. Shared link: a filtered URL opened in a new tab (a new session), timed until "
                  "the script has finished and every chart on the page is drawn."]
    if r["browser_largest"]:
        big = r["browser_largest"]
        lines += [f"At {r['largest_size']:,}: cold start {big['cold_start_s']:.1f} s; after opening "
                  f"{len(big['pages_opened'])} registered pages, app peak memory {big['app_peak_rss_mb']:.0f} MB."]
    return lines


def parse_sizes(text: str) -> tuple[int, ...]:
    """--sizes: comma-separated award counts, each at least 1,000."""
    try:
        sizes = tuple(int(part.replace("_", "")) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: not comma-separated whole numbers") from None
    if not sizes or min(sizes) < 1_000:
        raise argparse.ArgumentTypeError(f"{text!r}: each size must be at least 1,000 award rows")
    return sizes


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.splitlines()[0])
    which = parser.add_mutually_exclusive_group()
    which.add_argument("--sizes", type=parse_sizes, default=SIZES,
                       help="award rows, comma-separated (default 1000000,2000000); the first is the headline")
    which.add_argument("--awards", type=int, help="one size only")
    parser.add_argument("--out", type=Path, default=RESULTS / "results.json")
    parser.add_argument("--skip-browser", action="store_true")
    parser.add_argument("--skip-load", action="store_true", help="no concurrent-session test")
    parser.add_argument("--load-sessions", type=int, default=20)
    parser.add_argument("--load-seconds", type=float, default=60)
    parser.add_argument("--normalise-releases", type=int, default=50_000)
    parser.add_argument("--run-import-memory", action="store_true",
                        help="measure the 200 MB import now (about two minutes) instead of reading "
                             "benchmarks/results/import_memory.json")
    parser.add_argument("--profile", action="store_true",
                        help="profile the slowest page at the largest size (py-spy) into results/profile-<page>.txt")
    args = parser.parse_args(argv)
    sizes = (args.awards,) if args.awards else args.sizes
    result = run(sizes, args.out, args.skip_browser, args.skip_load, args.normalise_releases,
                 load_sessions=args.load_sessions, load_seconds=args.load_seconds,
                 run_import_memory=args.run_import_memory, profile_slowest=args.profile)
    print(markdown(result))
    return 0
