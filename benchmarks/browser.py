"""The browser half of the benchmark: the real app in the system Chromium.

Filter change to redrawn page = the time from clicking a sidebar control (after its menu
is open, so the click is the change) to the app's script-state attribute going from
`running` back to `notRunning`, plus two animation frames for the browser to paint. Each
page gets its own sequence of single changes (a size, a category, a region, what "local"
means, excluding frameworks), and no filter state is visited twice, so no rerun is served
from the query cache. A region change is left out on the scorecard, where it changes no
figure.

Shared link = a filtered page's URL opened in a new tab (a new Streamlit session, the
browser's cache warm as for anyone who has opened the app before), timed from the request
until the script has finished and every chart on the page has been drawn (its SVG is in
the page), plus two animation frames. A browser that has never opened the app also
downloads Streamlit's scripts first: about two seconds more over loopback.

Cold start = server start to the first chart of the default page. Peak memory = VmHWM of
the server and its children after the run (`cold_start` opens every page it is given once
first, so the figure covers each page's queries and charts).
"""

import random
import time
from pathlib import Path
from urllib.parse import urlencode

import numpy as np

from tools.serving import CHROMIUM_ARGS, serving

DONE = "[data-testid='stApp'][data-test-script-state='notRunning']"
WAIT_MS = 120_000
VIEWPORT = {"width": 1400, "height": 1000}
LOCAL_CHOICES = ("the buyer's council area", "within 10 km of the buyer", "within 20 km of the buyer")

# Counts finished reruns: a page's script state goes running -> notRunning once per rerun.
_COUNT_RERUNS = """() => {
  window.benchReruns = 0;
  let running = false;
  const app = document.querySelector("[data-testid='stApp']");
  new MutationObserver(() => {
    const state = app.getAttribute('data-test-script-state');
    if (state === 'running') running = true;
    else if (state === 'notRunning' && running) { running = false; window.benchReruns += 1; }
  }).observe(app, {attributes: true, attributeFilter: ['data-test-script-state']});
}"""
_TWO_FRAMES = "() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(done)))"
# Every chart on the page drawn: Plotly has put its SVG in each chart element.
_CHARTS_DRAWN = """() => {
  const charts = document.querySelectorAll("[data-testid='stPlotlyChart']");
  return charts.length > 0 && [...charts].every(chart => chart.querySelector('svg.main-svg'));
}"""


def pct(values, q):
    return float(np.percentile(np.asarray(values, dtype=float), q)) if values else None


def benchmark(store_path: Path, council: str, regions: list[str], links, log: Path, changes: int = 50) -> dict:
    """Cold start, filter-change redraws per page, shared-link loads and the app's peak memory."""
    from playwright.sync_api import sync_playwright
    started = time.perf_counter()
    with serving(store_path, log) as (base, proc), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=VIEWPORT)  # its tabs share one cache, as a person's do
        page = context.new_page()
        cold = first_chart(page, base, started)
        pages = {"overview": "", "locality": "locality", "scorecard": f"scorecard?{urlencode({'council': council})}"}
        redraws = {name: redraw_times(page, f"{base}/{path}", steps(name, regions, changes))
                   for name, path in pages.items()}
        loads = {name: link_times(context, base, path, links) for name, path in pages.items()}
        browser.close()
        rss = rss_hwm_mb(proc.pid)
    every = [t for ts in redraws.values() for t in ts]
    every_load = [t for ts in loads.values() for t in ts]
    return {"cold_start_s": cold, "redraw_p50_ms": pct(every, 50), "redraw_p95_ms": pct(every, 95),
            "link_p50_ms": pct(every_load, 50), "link_p95_ms": pct(every_load, 95),
            "changes_per_page": changes, "links_per_page": len(links),
            "per_page": {k: {"p50_ms": pct(v, 50), "p95_ms": pct(v, 95)} for k, v in redraws.items()},
            "link_load": {k: {"p50_ms": pct(v, 50), "p95_ms": pct(v, 95)} for k, v in loads.items()},
            "app_peak_rss_mb": rss}


def cold_start(store_path: Path, paths: dict[str, str], log: Path) -> dict:
    """Server start to the first chart, then each page of `paths` (module -> URL path and
    query) opened once until drawn; the app's peak memory after them."""
    from playwright.sync_api import sync_playwright
    started = time.perf_counter()
    with serving(store_path, log) as (base, proc), sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page(viewport=VIEWPORT)
        cold = first_chart(page, base, started)
        opened = {}
        for name, path in paths.items():
            start = time.perf_counter()
            page.goto(f"{base}/{path}")
            page_drawn(page)
            opened[name] = (time.perf_counter() - start) * 1000
        browser.close()
        rss = rss_hwm_mb(proc.pid)
    return {"cold_start_s": cold, "pages_opened": opened, "app_peak_rss_mb": rss}


def page_drawn(page) -> None:
    """Wait until the page's script has finished (a brief window can show notRunning before
    the run starts, so the title is waited for between two looks, as the browser tests do)."""
    page.wait_for_selector(DONE, timeout=WAIT_MS)
    page.locator("h1").first.wait_for(state="visible", timeout=WAIT_MS)
    page.wait_for_selector(DONE, timeout=WAIT_MS)


def first_chart(page, base: str, started: float) -> float:
    """Open the app and wait for its first chart; seconds since `started` (the server's start)."""
    page.goto(base)
    page.get_by_test_id("stPlotlyChart").first.wait_for(state="visible", timeout=WAIT_MS)
    return time.perf_counter() - started


# --- filter changes ------------------------------------------------------------------------------

def steps(page_name: str, regions: list[str], n: int, seed: int = 6) -> list[tuple[str, str | None, bool]]:
    """Single changes as (control, option to pick or None to remove the chosen one, timed):
    `n` timed ones, each leading to a filter state not seen before on this page. When every
    next state has been seen, an untimed change walks on (its rerun would be cached)."""
    rng = random.Random(f"{seed}-{page_name}")
    options = {"size": ["SME", "Large"], "category": ["services", "works", "goods"],
               "local": list(LOCAL_CHOICES), "frameworks": [None]}
    if page_name != "scorecard":
        options["region"] = list(regions)
    state = {"size": None, "category": None, "region": None, "local": LOCAL_CHOICES[0], "frameworks": False}
    seen, chosen, timed = {tuple(sorted(state.items()))}, [], 0
    while timed < n:
        moves = [(c, _after(state, c, o)) for c, opts in options.items() for o in _picks(state, c, opts)]
        fresh = [(c, s) for c, s in moves if tuple(sorted(s.items())) not in seen]
        control, new = rng.choice(fresh or moves)
        chosen.append((control, None if control == "frameworks" else new[control], bool(fresh)))
        timed += bool(fresh)
        state = new
        seen.add(tuple(sorted(state.items())))
    return chosen


def _picks(state: dict, control: str, options: list) -> list:
    """What a click on `control` can do now: remove the value chosen, or choose another."""
    if control == "frameworks":
        return [None]
    if control != "local" and state[control] is not None:
        return [None]
    return [o for o in options if o != state[control]]


def _after(state: dict, control: str, option) -> dict:
    new = dict(state)
    new[control] = (not state["frameworks"]) if control == "frameworks" else option
    return new


def redraw_times(page, url: str, changes) -> list[float]:
    """Open `url`, then make each change and time it until the page has redrawn (ms)."""
    page.goto(url)
    page.wait_for_selector(DONE, timeout=WAIT_MS)
    page.get_by_test_id("stPlotlyChart").first.wait_for(state="visible", timeout=WAIT_MS)
    page.evaluate(_COUNT_RERUNS)
    times = []
    for control, option, timed in changes:
        before = page.evaluate("window.benchReruns")
        click = _prepare(page, control, option)
        start = time.perf_counter()
        click()
        page.wait_for_function(f"window.benchReruns > {before}", timeout=WAIT_MS)
        page.evaluate(_TWO_FRAMES)
        if timed:
            times.append((time.perf_counter() - start) * 1000)
        page.keyboard.press("Escape")  # close any open menu
    return times


def _prepare(page, control: str, option):
    """Open the control's menu if it has one; return the click that makes the change."""
    sidebar = page.get_by_test_id("stSidebar")
    if control == "frameworks":
        return sidebar.get_by_text("Exclude frameworks").click
    label = {"size": "Supplier size", "category": "Category", "region": "Buyer's region",
             "local": "Local means"}[control]
    widget = sidebar.get_by_test_id("stSelectbox" if control == "local" else "stMultiSelect").filter(has_text=label)
    if option is None:
        return widget.get_by_role("button", name="Remove").first.click
    widget.locator("input").click()
    widget.locator("input").fill(option)  # long lists only render the options in view
    choice = page.get_by_role("option", name=option, exact=True)
    choice.wait_for(timeout=WAIT_MS)
    return choice.click


def link_times(context, base: str, path: str, links) -> list[float]:
    """Shared links (the page with filters in its URL) each opened in a new tab of the
    browser `context`, until the script has finished and every chart is drawn (ms)."""
    times = []
    for params in links:
        joiner = "&" if "?" in path else "?"
        page = context.new_page()
        start = time.perf_counter()
        page.goto(f"{base}/{path}{joiner}{urlencode(params)}" if params else f"{base}/{path}")
        page.get_by_test_id("stPlotlyChart").first.wait_for(state="visible", timeout=WAIT_MS)
        page.wait_for_selector(DONE, timeout=WAIT_MS)
        page.wait_for_function(_CHARTS_DRAWN, timeout=WAIT_MS)
        page.evaluate(_TWO_FRAMES)
        times.append((time.perf_counter() - start) * 1000)
        page.close()
    return times


def link_params(filters) -> list[tuple[str, str]]:
    """URL parameters of a Filters, as the sidebar binds them."""
    params = []
    if filters.date_from:
        params += [("from", filters.date_from.isoformat()), ("to", filters.date_to.isoformat())]
    params += [("region", r) for r in filters.regions]
    params += [("size", s) for s in filters.supplier_sizes]
    params += [("category", c) for c in filters.categories]
    if filters.exclude_frameworks:
        params.append(("no_frameworks", "true"))
    return params


def rss_hwm_mb(pid: int) -> float:
    """VmHWM (peak resident memory) of the process and its children, in MB."""
    total = 0
    pids = [pid]
    try:
        pids += [int(c) for c in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        pass
    for p in pids:
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmHWM:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024
