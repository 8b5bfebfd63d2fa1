"""Every page's figures as one JSON file, so a refactor can show that no figure changed.

    python -m tools.page_data STORE OUT.json [--pages overview,locality]
    python -m tools.page_data compare BEFORE.json AFTER.json

The first form opens every page registered in ui/registry.py with Streamlit's AppTest (the
whole app: sidebar, router, footer) on STORE, in three variants: the page's example link,
the same by count (measure=By count), and the same filtered to the council buyer with the
most award rows in STORE. For each it records what a user reads: every Plotly chart (traces
and layout, floats to 6 significant digits), metric, title, header, text, caption, markdown,
alert, table (column labels and every row, numbers to 10 significant digits), tab and
expander label, and each widget's label and value. The file has sorted keys and no timings,
so two runs on the same store and code on the same day give identical bytes (the
scorecard's contracts ending in the next 24 months count from today).

The second form prints the differences page by page, variant by variant, element kind by
element kind, and exits 1 when there are any (0 when the two files match).
"""

import argparse
import base64
import difflib
import hashlib
import json
import math
import os
import sys
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
APP = ROOT / "dashboard.py"
STORE_ENV = "AWARDS_STORE"  # loaders/storage/store.py: where the app finds its store
COUNT_LABEL = "By count"  # bound controls read their labels from the URL (queries/filters.MEASURE_LABELS)
COUNCIL_TYPE = "local authority"  # loaders/normalising/classify.COUNCIL_TYPE
TIMEOUT = 180  # seconds for one page run; the slowest page takes a few on the demo store
# Significant digits kept: 6 for chart data (what a bar or a line can show); 10 for table
# cells, which show whole pounds of totals in the billions (and stay clear of the last bits
# a different order of summing can change).
CHART_DIGITS = 6
TABLE_DIGITS = 10

HEADINGS = ("title", "header", "subheader")
BODIES = ("text", "caption", "markdown", "latex", "code", "warning", "info", "error", "success", "exception")
LABELLED_BLOCKS = ("tab", "expander")
WIDGETS = ("button", "download_button", "checkbox", "toggle", "radio", "selectbox", "multiselect", "button_group",
           "date_input", "time_input", "text_input", "text_area", "number_input", "slider", "select_slider",
           "pagination", "color_picker")


# ---------------------------------------------------------------- values to plain JSON

def plain(value, digits: int = CHART_DIGITS):
    """A JSON value that is the same for the same figure: floats to `digits` significant
    digits, NaN and missing as null, dates as ISO text, arrays as lists."""
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, np.bool_):
        return bool(value)
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating, Decimal)):
        return _float(float(value), digits)
    if isinstance(value, (pd.Timestamp, datetime, date, time)):
        return None if pd.isna(value) else value.isoformat()
    if isinstance(value, (pd.Timedelta, np.timedelta64)):
        return None if pd.isna(value) else str(pd.Timedelta(value))
    if isinstance(value, np.datetime64):
        return None if np.isnat(value) else str(value)
    if isinstance(value, bytes):
        return {"bytes_sha256": hashlib.sha256(value).hexdigest()}
    if isinstance(value, dict):
        if set(value) >= {"dtype", "bdata"}:  # Plotly's base64 typed arrays
            return plain(_typed_array(value), digits)
        return {str(k): plain(v, digits) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray, pd.Series, pd.Index)):
        return [plain(v, digits) for v in list(value)]
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)


def _float(number: float, digits: int):
    if math.isnan(number):
        return None
    if math.isinf(number):
        return "inf" if number > 0 else "-inf"
    rounded = float(f"{number:.{digits}g}")
    return int(rounded) if rounded.is_integer() and abs(rounded) < 1e15 else rounded


def _typed_array(spec: dict) -> list:
    array = np.frombuffer(base64.b64decode(spec["bdata"]), dtype=np.dtype(spec["dtype"]))
    if "shape" in spec:
        shape = spec["shape"]
        array = array.reshape([int(n) for n in (shape.split(",") if isinstance(shape, str) else shape)])
    return array.tolist()


# ---------------------------------------------------------------- one page, one variant

def chart(node) -> dict:
    """A Plotly chart's traces and layout (its theme template left out: it is Plotly's
    styling, thousands of lines, not the page's); a GeoJSON shape as its digest."""
    spec = json.loads(node.proto.spec)
    layout = {k: v for k, v in spec.get("layout", {}).items() if k != "template"}
    traces = [{k: (_shape_digest(v) if k == "geojson" else v) for k, v in trace.items()}
              for trace in spec.get("data", [])]
    shown = {"key": node.key, "data": traces, "layout": layout}
    if node.proto.alt:
        shown["alt"] = node.proto.alt
    return plain(shown)


def _shape_digest(geojson) -> dict:
    text = json.dumps(geojson, sort_keys=True)
    features = geojson.get("features", []) if isinstance(geojson, dict) else []
    return {"features": len(features), "sha256": hashlib.sha256(text.encode()).hexdigest()}


def dataframe(node) -> dict:
    """A table's column labels and formats (its column configuration) and every row."""
    frame = node.value
    config = json.loads(node.proto.columns) if node.proto.columns else {}
    order = list(node.proto.column_order) or [str(c) for c in frame.columns]
    return plain({"key": node.key, "column_order": order, "column_config": config,
                  "rows": len(frame), "columns": [str(c) for c in frame.columns],
                  "records": frame.to_dict("records")}, TABLE_DIGITS)


def widget(node) -> dict:
    try:
        value = node.value
    except Exception as error:  # noqa: BLE001 - a widget AppTest cannot read is noted, not fatal
        value = f"<unreadable: {type(error).__name__}>"
    return plain({"type": node.type, "label": getattr(node.proto, "label", ""), "key": node.key, "value": value})


def elements(app) -> dict:
    """Every element a user reads, by kind, each kind in page order (sidebar last)."""
    found: dict[str, list] = {}
    for node in app:
        kind, record = _record(node)
        if kind is not None:
            found.setdefault(kind, []).append(record)
    return found


def _record(node):
    kind = node.type
    if kind == "plotly_chart":
        return kind, chart(node)
    if kind == "metric":
        proto = node.proto
        shown = {"label": proto.label, "value": proto.body}
        shown.update({name: getattr(proto, name) for name in ("delta", "help") if getattr(proto, name, "")})
        return kind, shown
    if kind in ("dataframe", "table"):
        return kind, dataframe(node) if kind == "dataframe" else plain(node.value.to_dict("records"), TABLE_DIGITS)
    if kind in HEADINGS or kind in BODIES:
        return kind, node.value
    if kind in LABELLED_BLOCKS:
        return kind, getattr(node, "label", "")
    if kind in WIDGETS:
        return "widget", widget(node)
    return None, None


def open_page(script: str, url: dict):
    """The app as a user opens a link to `script` with `url` as its query parameters (as
    tests/conftest.py's open_page does)."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(APP), default_timeout=TIMEOUT)
    for key, value in url.items():
        app.query_params[key] = value
    app.switch_page(script)
    app.run()
    return app


def variants(example: dict, council: str | None) -> dict:
    """The three views of a page: its example link, by count, and one council's awards."""
    chosen = {"default": dict(example), "count": {**example, "measure": COUNT_LABEL}}
    if council is not None:
        chosen["council"] = {**example, "buyer": [council]}
    return chosen


def largest_council(store: Path) -> str | None:
    """The council buyer with the most award rows (ties by name), or None without one."""
    with duckdb.connect(str(store), read_only=True) as con:
        row = con.execute("SELECT buyer_name FROM awards WHERE buyer_type = ? AND buyer_name IS NOT NULL "
                          "GROUP BY buyer_name ORDER BY count(*) DESC, buyer_name LIMIT 1", [COUNCIL_TYPE]).fetchone()
    return row[0] if row else None


def snapshot(store: Path, modules: list[str] | None = None, log=print) -> dict:
    """Every registered page (or those of `modules`) in its three variants, on `store`."""
    from ui.registry import PAGES  # here, not above: `compare` needs neither the app nor Streamlit

    unknown = set(modules or ()) - {p.module for p in PAGES}
    if unknown:
        raise SystemExit(f"not registered pages: {', '.join(sorted(unknown))}")
    council = largest_council(store)
    pages = {}
    previous = os.environ.get(STORE_ENV)
    os.environ[STORE_ENV] = str(store)
    try:
        for entry in (p for p in PAGES if not modules or p.module in modules):
            pages[entry.module] = {name: _variant(entry, name, url, log)
                                   for name, url in variants(entry.example, council).items()}
    finally:
        if previous is None:
            os.environ.pop(STORE_ENV, None)
        else:
            os.environ[STORE_ENV] = previous
    # The scorecard's "contracts ending in the next 24 months" count from today: a snapshot
    # is comparable with one made on the same day.
    return {"store": str(store), "council": council, "made_on": date.today().isoformat(), "pages": pages}


def _variant(entry, name: str, url: dict, log) -> dict:
    found = elements(open_page(entry.script, url))
    raised = f"; RAISED: {found['exception'][0][:120]}" if found.get("exception") else ""
    log(f"{entry.module} / {name}: {sum(map(len, found.values()))} elements{raised}")
    return {"url": plain(url), "elements": found}


def write(data: dict, out: Path) -> None:
    out.write_text(json.dumps(data, sort_keys=True, indent=1, ensure_ascii=False, allow_nan=False) + "\n",
                   encoding="utf-8")


# ---------------------------------------------------------------- compare two snapshots

MAX_LINES = 12  # differences shown per element before "... and N more"


def compare(before: dict, after: dict, out=print) -> int:
    """Print every difference; the number of element kinds, over all pages and variants,
    that differ (0 when none)."""
    differing = 0
    if before.get("council") != after.get("council"):
        out(f"note: council variant uses {before.get('council')!r} before, {after.get('council')!r} after")
    if before.get("made_on") != after.get("made_on"):
        out(f"note: made on {before.get('made_on')} and {after.get('made_on')}: figures that count from today "
            "(the scorecard's contracts ending in the next 24 months) differ for that reason alone")
    if before.get("store") != after.get("store"):
        out(f"note: store {before.get('store')} before, {after.get('store')} after")
    pages_a, pages_b = before["pages"], after["pages"]
    for page in sorted(set(pages_a) | set(pages_b)):
        if page not in pages_b or page not in pages_a:
            out(f"\n== {page}: only {'before' if page in pages_a else 'after'}")
            differing += 1
            continue
        for variant in sorted(set(pages_a[page]) | set(pages_b[page])):
            a, b = pages_a[page].get(variant), pages_b[page].get(variant)
            header = f"\n== {page} / {variant}"
            if a is None or b is None:
                out(f"{header}: only {'before' if b is None else 'after'}")
                differing += 1
                continue
            blocks = _variant_blocks(a, b)
            if blocks:
                out(f"{header}  ({_url_text(b['url'])})")
                for lines in blocks:
                    out("\n".join(lines))
                differing += len(blocks)
    out("\nsame figures on every page and variant" if not differing
        else f"\n{differing} element kind(s) differ (pages and variants above)")
    return differing


def _variant_blocks(a: dict, b: dict) -> list[list[str]]:
    blocks = []
    if a["url"] != b["url"]:
        blocks.append([f"  url: {_url_text(a['url'])} -> {_url_text(b['url'])}"])
    ea, eb = a["elements"], b["elements"]
    for kind in sorted(set(ea) | set(eb)):
        lines = _kind_lines(kind, ea.get(kind, []), eb.get(kind, []))
        if lines:
            blocks.append(lines)
    return blocks


def _kind_lines(kind: str, a: list, b: list) -> list[str]:
    """One kind of element as two lists in page order: matching runs are skipped, changed
    elements are shown field by field, added and removed ones by a summary."""
    if a == b:
        return []
    keys_a, keys_b = [_canonical(x) for x in a], [_canonical(x) for x in b]
    if sorted(keys_a) == sorted(keys_b):
        return [f"  {kind}: the same {len(a)} elements in a different order"]
    lines = [f"  {kind}: {len(a)} before, {len(b)} after" if len(a) != len(b) else f"  {kind}:"]
    matcher = difflib.SequenceMatcher(None, keys_a, keys_b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        pairs = min(i2 - i1, j2 - j1) if tag == "replace" else 0
        for offset in range(pairs):
            lines.append(f"    {kind}[{i1 + offset}] -> [{j1 + offset}] {_summary(kind, a[i1 + offset])}")
            lines += ["      " + d for d in _limited(_differences(a[i1 + offset], b[j1 + offset], ""))]
        for i in range(i1 + pairs, i2):
            lines.append(f"    - removed {kind}[{i}]: {_summary(kind, a[i])}")
        for j in range(j1 + pairs, j2):
            lines.append(f"    + added {kind}[{j}]: {_summary(kind, b[j])}")
    return lines


def _differences(a, b, path: str):
    if type(a) is not type(b) and not (isinstance(a, (int, float)) and isinstance(b, (int, float))):
        yield f"{path or '.'}: {_short(a)} -> {_short(b)}"
    elif isinstance(a, dict):
        for key in sorted(set(a) | set(b)):
            if key not in b:
                yield f"{path}.{key}: removed ({_short(a[key])})"
            elif key not in a:
                yield f"{path}.{key}: added ({_short(b[key])})"
            else:
                yield from _differences(a[key], b[key], f"{path}.{key}")
    elif isinstance(a, list):
        if len(a) != len(b):
            yield f"{path}: {len(a)} items -> {len(b)} items"
        for index, (x, y) in enumerate(zip(a, b)):
            yield from _differences(x, y, f"{path}[{index}]")
    elif isinstance(a, str) and a != b:
        yield f"{path or '.'}: {_text_change(a, b)}"
    elif a != b:
        yield f"{path or '.'}: {_short(a)} -> {_short(b)}"


def _text_change(a: str, b: str, context: int = 30) -> str:
    """Two texts shown around where they first differ, so a long sentence's change is seen."""
    if len(a) <= 80 and len(b) <= 80:
        return f"{a!r} -> {b!r}"
    start = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    end = 0  # the common tail, not reaching back over the common head
    while end < min(len(a), len(b)) - start and a[-1 - end] == b[-1 - end]:
        end += 1
    lo = max(0, start - context)

    def part(text: str) -> str:
        middle = text[lo:len(text) - end + context]
        return ("..." if lo else "") + repr(middle) + ("..." if len(text) - end + context < len(text) else "")
    return f"{part(a)} -> {part(b)}"


def _limited(lines) -> list[str]:
    lines = list(lines)
    return lines if len(lines) <= MAX_LINES else lines[:MAX_LINES] + [f"... and {len(lines) - MAX_LINES} more"]


def _summary(kind: str, element) -> str:
    if kind == "metric":
        return f"{element['label']} = {element['value']}"
    if kind == "plotly_chart":
        names = [t.get("name") or t.get("type") for t in element.get("data", [])]
        return f"{element.get('key')} ({len(names)} traces: {', '.join(map(str, names))[:80]})"
    if kind == "dataframe":
        return f"{element.get('key') or 'table'} ({element['rows']} rows; {', '.join(element['column_order'])[:80]})"
    if kind == "widget":
        return f"{element['type']} {element['label']!r} = {_short(element['value'])}"
    return _short(element)


def _short(value, width: int = 100) -> str:
    text = value if isinstance(value, str) else json.dumps(value, sort_keys=True, ensure_ascii=False)
    text = repr(text) if isinstance(value, str) else text
    return text if len(text) <= width else text[:width - 3] + "..."


def _canonical(value) -> str:
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def _url_text(url: dict) -> str:
    return "&".join(f"{k}={v}" for k, v in sorted(url.items())) or "no parameters"


# ---------------------------------------------------------------- command line

def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["compare"] or "--compare" in argv:
        files = [a for a in argv if a not in ("compare", "--compare")]
        if len(files) != 2:
            raise SystemExit("usage: python -m tools.page_data compare BEFORE.json AFTER.json")
        before, after = (json.loads(Path(f).read_text(encoding="utf-8")) for f in files)
        return 1 if compare(before, after) else 0
    args = _arguments(argv)
    if not args.store.is_file():
        raise SystemExit(f"no store at {args.store} (make one with `python -m loaders demo --store {args.store}`)")
    modules = [m.strip() for m in args.pages.split(",") if m.strip()] if args.pages else None
    data = snapshot(args.store.resolve(), modules, log=lambda line: print(line, file=sys.stderr))
    write(data, args.out)
    print(f"wrote {args.out}", file=sys.stderr)
    return 0


def _arguments(argv: list[str]):
    parser = argparse.ArgumentParser(prog="python -m tools.page_data", description=__doc__.splitlines()[0],
                                     epilog="compare two files: python -m tools.page_data compare BEFORE.json AFTER.json")
    parser.add_argument("store", type=Path, help="the DuckDB store the pages read")
    parser.add_argument("out", type=Path, help="the JSON file to write")
    parser.add_argument("--pages", help="comma-separated page modules (default: every registered page)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    sys.exit(main())
