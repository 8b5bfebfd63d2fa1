"""Load test: many people opening the app's links at once, over loopback, without browsers.

    python -m benchmarks.load [--sessions 20] [--seconds 60 | --renders N] [--pages overview,locality]
                              [--store data/demo.duckdb] [--out benchmarks/results/load.json]

Serves the app over the store (tools/serving; the demo store is built there first when the
file is absent), then runs `--sessions` sessions at once. A session walks the links, every
registered page's example link, the same by count, within 10 km and filtered to the council
with the most awards, each session from its own place in the list, and opens each as a browser
opens a link in a new tab: it fetches the page over HTTP, opens Streamlit's websocket
(/_stcore/stream) and sends the `rerun_script` BackMsg the browser sends on load (the query
string and the page's URL name; no script hash, so the server's router picks the page), then
reads ForwardMsgs until the run's `script_finished`. A render is timed from that BackMsg to
`script_finished`; opening (HTTP fetch and websocket handshake) is timed apart.

An error is anything a visitor would see fail: an exception element, an error box
(`st.error`), "page not found", a script that does not compile, an HTTP status other than 200,
a websocket that fails or closes before the run ends, a render past `--timeout`. Writes the
figures to `--out` (JSON) and a short summary beside it (.txt), which it also prints; when
anything failed, the server's log is kept beside them (.log) and the exit status is 1.
"""

import argparse
import asyncio
import json
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from google.protobuf.message import DecodeError
from streamlit.proto.Alert_pb2 import Alert
from streamlit.proto.BackMsg_pb2 import BackMsg
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg
from websockets.asyncio.client import connect
from websockets.exceptions import WebSocketException

from benchmarks.browser import pct, rss_hwm_mb
from benchmarks.run import machine
from queries.filters import local_label
from tools.page_data import COUNT_LABEL, largest_council
from tools.serving import serving
from ui.registry import PAGES

ROOT = Path(__file__).resolve().parents[1]
RESULTS = Path(__file__).resolve().parent / "results"
TIMEOUT_S = 120
SAMPLES = 20  # error messages kept in the JSON (all are counted)


@dataclass(frozen=True)
class Link:
    """One link a session opens: the page's module (for the report), its URL path and query."""
    page: str
    path: str
    query: str = ""


def registry_links(store: Path, pages: list[str] | None = None) -> list[Link]:
    """The links of the registered pages (all, or those named): each page's example link, the
    same by count, within 10 km, and filtered to the council with the most award rows."""
    council = largest_council(store)
    variants = [{}, {"measure": COUNT_LABEL}, {"local": local_label(10)}] + ([{"buyer": council}] if council else [])
    return [Link(entry.module, entry.url_path, urlencode({**entry.example, **extra}))
            for entry in PAGES if pages is None or entry.module in pages for extra in variants]


# ------------------------------------------------------------------ what the server sends

def problems(msg: ForwardMsg) -> list[str]:
    """What in one ForwardMsg a visitor would see as a failure (usually nothing)."""
    kind = msg.WhichOneof("type")
    if kind == "page_not_found":
        return ["page not found"]  # the server names no page here: the failed links do
    if kind == "session_event" and msg.session_event.HasField("script_compilation_exception"):
        failure = msg.session_event.script_compilation_exception
        return [f"script does not compile: {failure.type}: {failure.message}"]
    if kind == "script_finished" and msg.script_finished == ForwardMsg.FINISHED_WITH_COMPILE_ERROR:
        return ["script finished with a compile error"]
    if kind != "delta" or not msg.delta.HasField("new_element"):
        return []
    element = msg.delta.new_element
    shown = element.WhichOneof("type")
    if shown == "exception" and not element.exception.is_warning:
        return [f"exception: {element.exception.type}: {element.exception.message}"]
    if shown == "alert" and element.alert.format == Alert.ERROR:
        return [f"error shown: {element.alert.body}"]
    return []


def finished(msg: ForwardMsg) -> bool:
    """Whether this message ends the run (a run stopped for st.rerun is followed by another)."""
    return msg.WhichOneof("type") == "script_finished" and msg.script_finished != ForwardMsg.FINISHED_EARLY_FOR_RERUN


def rerun_message(base: str, link: Link) -> bytes:
    """The BackMsg a browser sends when it opens `link`: run the page named in its path with
    its query string, no widget states yet."""
    msg = BackMsg()
    state = msg.rerun_script
    state.query_string = link.query
    state.page_name = link.path
    state.context_info.timezone = "Europe/London"
    state.context_info.locale = "en-GB"
    state.context_info.url = url_of(base, link)
    return msg.SerializeToString()


def url_of(base: str, link: Link) -> str:
    return f"{base}/{link.path}" + (f"?{link.query}" if link.query else "")


# ------------------------------------------------------------------ one link, one session

@dataclass
class Render:
    """One opened link: its times (ms; render None when it did not finish) and what failed."""
    link: Link
    open_ms: float | None
    render_ms: float | None
    errors: list[str]


async def open_link(base: str, link: Link, timeout: float) -> Render:
    """Open `link` as a new browser tab does and wait for its run to finish."""
    started = time.perf_counter()
    open_ms = None
    try:
        async with asyncio.timeout(timeout):
            status = await http_status(url_of(base, link))
            if status != 200:
                return Render(link, None, None, [f"HTTP {status} for {url_of(base, link)}"])
            async with connect(f"ws{base[4:]}/_stcore/stream", subprotocols=["streamlit"], origin=base,
                               max_size=None) as ws:
                open_ms = (time.perf_counter() - started) * 1000
                sent = time.perf_counter()
                await ws.send(rerun_message(base, link))
                errors = []
                while True:
                    msg = ForwardMsg.FromString(await ws.recv())
                    errors += problems(msg)
                    if finished(msg):
                        return Render(link, open_ms, (time.perf_counter() - sent) * 1000, errors)
    except TimeoutError:
        return Render(link, open_ms, None, [f"timeout: no script_finished within {timeout:g} s"])
    except (OSError, WebSocketException, DecodeError) as exc:  # refused, reset, closed early, not a ForwardMsg
        return Render(link, open_ms, None, [f"connection: {type(exc).__name__}: {exc}"])


async def http_status(url: str) -> int:
    """The HTTP status of a GET of `url` (the page's HTML, read to the end), over asyncio
    streams so that fetches of many sessions wait on no thread pool."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        writer.write(f"GET {target} HTTP/1.1\r\nHost: {parts.netloc}\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        response = await reader.read()
    finally:
        writer.close()
    status = response.split(b"\r\n", 1)[0].split()
    if len(status) < 2 or not status[1].isdigit():
        raise ConnectionError(f"not an HTTP response from {url}: {response[:80]!r}")
    return int(status[1])


async def run_sessions(base: str, links: list[Link], sessions: int, seconds: float | None,
                       renders: int | None, timeout: float) -> list[Render]:
    """`sessions` sessions opening links until `seconds` have passed or `renders` links in all
    have been opened; session i starts at its own place in the list."""
    done: list[Render] = []
    deadline = None if seconds is None else time.perf_counter() + seconds
    started = 0

    async def session(number: int) -> None:
        nonlocal started
        step = number * max(1, len(links) // sessions)
        while (renders is None or started < renders) and (deadline is None or time.perf_counter() < deadline):
            started += 1
            done.append(await open_link(base, links[step % len(links)], timeout))
            step += 1

    await asyncio.gather(*(session(n) for n in range(sessions)))
    return done


# ------------------------------------------------------------------ the run and its report

def run(store: Path, sessions: int, out: Path, seconds: float | None = None, renders: int | None = None,
        links: list[Link] | None = None, timeout: float = TIMEOUT_S) -> dict:
    """Serve the app over `store`, run the sessions, write the figures to `out` and the summary
    beside it; return the figures."""
    if seconds is None and renders is None:
        raise ValueError("a load run needs an end: seconds or renders")
    links = links or registry_links(store)
    out.parent.mkdir(parents=True, exist_ok=True)
    log = out.with_suffix(".log")
    with serving(store.resolve(), log) as (base, proc):
        started, cpu = time.perf_counter(), time.process_time()
        done = asyncio.run(run_sessions(base, links, sessions, seconds, renders, timeout))
        duration, cpu = time.perf_counter() - started, time.process_time() - cpu
        peak_mb = rss_hwm_mb(proc.pid)
    result = figures(done, sessions, duration, peak_mb)
    result["client_cpu_s"] = round(cpu, 1)  # the sessions share the machine with the server
    if not result["errors"]:
        log.unlink()  # kept when something failed: the server's side of it is there
    result.update(store=str(store), links=len(links), machine=machine())
    out.write_text(json.dumps(result, indent=2) + "\n")
    out.with_suffix(".txt").write_text(summary(result) + "\n")
    return result


def figures(done: list[Render], sessions: int, duration: float, peak_mb: float) -> dict:
    """The report of a run: counts, errors with a sample of their messages, render times (of
    renders without errors) and opening times, overall and per page, the server's peak memory."""
    times = _times(done)
    opens = [r.open_ms for r in done if r.open_ms is not None]
    failed = [r for r in done if r.errors]
    messages = {}
    for r in failed:
        for error in r.errors:
            messages[error] = messages.get(error, 0) + 1
    per_page = {}
    for r in done:
        per_page.setdefault(r.link.page, []).append(r)
    return {
        "sessions": sessions, "renders": len(done), "duration_s": round(duration, 1),
        "renders_per_s": round(len(done) / duration, 2) if duration else None,
        "errors": len(failed),
        "error_messages": [{"message": m, "count": n}
                           for m, n in sorted(messages.items(), key=lambda item: -item[1])][:SAMPLES],
        "failed_links": list(dict.fromkeys(url_of("", r.link) for r in failed))[:SAMPLES],
        "render_p50_ms": _ms(pct(times, 50)), "render_p95_ms": _ms(pct(times, 95)),
        "render_max_ms": _ms(max(times, default=None)),
        "open_p50_ms": _ms(pct(opens, 50)), "open_p95_ms": _ms(pct(opens, 95)),
        "per_page": {page: {"renders": len(rs), "errors": sum(bool(r.errors) for r in rs),
                            "p50_ms": _ms(pct(_times(rs), 50)), "p95_ms": _ms(pct(_times(rs), 95))}
                     for page, rs in per_page.items()},
        "server_peak_rss_mb": round(peak_mb, 1),
    }


def _times(done: list[Render]) -> list[float]:
    """Render times of the renders that did not fail (a failed page may stop early)."""
    return [r.render_ms for r in done if r.render_ms is not None and not r.errors]


def _ms(value: float | None) -> float | None:
    return None if value is None else round(value, 1)


def summary(r: dict) -> str:
    """The run in a few lines."""
    m = r["machine"]
    lines = [f"Load: {r['sessions']} sessions, {r['renders']} renders in {r['duration_s']} s "
             f"({r['renders_per_s']}/s) over {r['links']} links; {r['errors']} errors.",
             f"Render (rerun sent to script finished, renders without errors): p50 {r['render_p50_ms']} ms, "
             f"p95 {r['render_p95_ms']} ms, max {r['render_max_ms']} ms.",
             f"Opening (HTTP page and websocket): p50 {r['open_p50_ms']} ms, p95 {r['open_p95_ms']} ms.",
             f"Server peak memory (VmHWM): {r['server_peak_rss_mb']} MB. Client CPU: {r['client_cpu_s']} s.",
             f"Machine: {m['nproc']} cores, {m['cpu_model']}, {m['memory_gb']} GB RAM; Python {m['python']}; "
             f"store {r['store']}."]
    lines += [f"  {page}: {p['errors']} of {p['renders']} renders failed" for page, p in r["per_page"].items()
              if p["errors"]]
    lines += [f"  error x{e['count']}: {e['message'][:200]}" for e in r["error_messages"][:3]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = _arguments(argv)
    if not args.store.exists():
        print(f"building the demo store at {args.store}")
        subprocess.run([sys.executable, "-m", "loaders", "demo", "--store", str(args.store)], cwd=ROOT, check=True)
    links = registry_links(args.store, args.pages)
    result = run(args.store, args.sessions, args.out, seconds=args.seconds, renders=args.renders,
                 links=links, timeout=args.timeout)
    print(summary(result))
    print(f"wrote {args.out} and {args.out.with_suffix('.txt')}")
    return 1 if result["errors"] else 0


def _arguments(argv: list[str] | None):
    parser = argparse.ArgumentParser(prog="python -m benchmarks.load", description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20, help="sessions at once (default 20)")
    budget = parser.add_mutually_exclusive_group()
    budget.add_argument("--seconds", type=float, help="run for this long (default 60)")
    budget.add_argument("--renders", type=int, help="stop after this many renders in all")
    parser.add_argument("--pages", help="comma-separated page modules to open (default: every registered page)")
    parser.add_argument("--store", type=Path, default=ROOT / "data" / "demo.duckdb")
    parser.add_argument("--out", type=Path, default=RESULTS / "load.json")
    parser.add_argument("--timeout", type=float, default=TIMEOUT_S, help=f"seconds per render (default {TIMEOUT_S})")
    args = parser.parse_args(argv)
    for name in ("sessions", "renders"):
        if getattr(args, name) is not None and getattr(args, name) < 1:
            parser.error(f"--{name} {getattr(args, name)}: must be at least 1")
    for name in ("seconds", "timeout"):
        if getattr(args, name) is not None and getattr(args, name) <= 0:
            parser.error(f"--{name} {getattr(args, name):g}: must be more than 0")
    if args.seconds is None and args.renders is None:
        args.seconds = 60.0
    if args.pages is not None:
        args.pages = [name.strip() for name in args.pages.split(",") if name.strip()]
        unknown = sorted(set(args.pages) - {page.module for page in PAGES})
        if unknown or not args.pages:
            parser.error(f"--pages {','.join(unknown) or '(empty)'}: not registered; registered: "
                         f"{', '.join(page.module for page in PAGES)}")
    if args.store.exists() and not args.store.is_file():
        parser.error(f"--store {args.store}: not a file")
    return args


if __name__ == "__main__":
    raise SystemExit(main())
