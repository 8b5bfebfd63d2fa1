"""Peak memory of `python -m loaders import`: `python -m benchmarks.import_memory [--megabytes N]`.

Writes demo-like releases (the demo generator's own, seed after seed, so every ocid is new)
to a JSON-lines file and to one release package of about N MB each in a temporary folder,
with a file of the same size that is not JSON from its first byte (which the import must
refuse at once), imports each into a new store in a child process, and reports the child's
peak resident memory (its VmHWM, which the child reads as it exits). Target: a 200 MB
JSON-lines file imports in under 500 MB. The figures are written to benchmarks/results/import_memory.json.
"""

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Iterator

import orjson

RESULTS = Path(__file__).resolve().parent / "results" / "import_memory.json"
ROOT = Path(__file__).resolve().parents[1]
TARGET_MB = 500


def demo_releases() -> Iterator[dict]:
    """Demo releases without end: every buyer's awards and the notices before them, seed after seed."""
    from loaders.sources import demo
    seed = demo.SEED
    while True:
        rng = random.Random(seed)
        councils = demo.load_councils(rng)
        pools = demo.make_suppliers(rng, councils)
        for buyer in councils + demo.other_buyers(rng, councils):
            yield from demo.process_releases(demo.council_releases(rng, buyer, councils, pools), buyer, seed)
        seed += 1


def write_lines(path: Path, megabytes: float) -> int:
    """A JSON-lines file of about `megabytes` MB, one release a line; return the releases written."""
    limit, written, count = megabytes * 1_000_000, 0, 0
    with open(path, "wb") as handle:
        for release in demo_releases():
            line = orjson.dumps(release) + b"\n"
            handle.write(line)
            written, count = written + len(line), count + 1
            if written >= limit:
                return count
    raise AssertionError("unreachable: demo_releases never ends")


def write_package(path: Path, megabytes: float) -> int:
    """One release package of about `megabytes` MB, indented as files saved by hand often
    are; return the releases written."""
    limit, written, count = megabytes * 1_000_000, 0, 0
    with open(path, "wb") as handle:
        handle.write(b'{"uri": "https://demo.invalid/package", "version": "1.1",\n "releases": [\n')
        for release in demo_releases():
            body = orjson.dumps(release, option=orjson.OPT_INDENT_2)
            handle.write((b",\n" if count else b"") + body)
            written, count = written + len(body), count + 1
            if written >= limit:
                break
        handle.write(b"\n]}\n")
    return count


def write_not_json(path: Path, megabytes: float) -> int:
    """A file of about `megabytes` MB that is not JSON from its first byte (a CSV by mistake)."""
    row = b"ocid,title,value\n" + b"ocds-b5fd17-1,Grounds maintenance,100000\n" * 1000
    with open(path, "wb") as handle:
        for _ in range(int(megabytes * 1_000_000 / len(row)) + 1):
            handle.write(row)
    return 0


# The child reports its own peak (VmHWM, of the memory it has since it started Python): the
# kernel's ru_maxrss of a child also counts the memory of the parent it was forked from, so it
# would read high whenever the caller is large (the test suite, say).
CHILD = """
import atexit, runpy, sys
from pathlib import Path
report = Path(sys.argv.pop(1))
def peak():
    status = Path("/proc/self/status").read_text().splitlines()
    report.write_text(next(line.split()[1] for line in status if line.startswith("VmHWM:")))
atexit.register(peak)
runpy.run_module("loaders", run_name="__main__", alter_sys=True)
"""


def import_peak_rss_mb(file: Path, store_path: Path, refused: bool = False) -> tuple[float, float]:
    """(peak RSS in MB, wall seconds) of one `python -m loaders import` of `file` into a new
    store; `refused`: the import is expected to fail (exit 2) on the file, not to succeed."""
    report = store_path.with_suffix(".peak")
    start = time.perf_counter()
    child = subprocess.run([sys.executable, "-c", CHILD, str(report), "import", "--quiet", "--store",
                            str(store_path), str(file)], cwd=ROOT, stderr=subprocess.PIPE)
    seconds = time.perf_counter() - start
    if child.returncode != (2 if refused else 0):
        raise RuntimeError(f"import of {file} failed ({child.returncode}): "
                           f"{child.stderr.decode(errors='replace').strip()}")
    return int(report.read_text()) / 1024, seconds  # VmHWM is in kB


def run(megabytes: float, folder: Path) -> dict:
    """Write both files, import each into its own new store, return the figures."""
    result = {"megabytes": megabytes}
    for kind, write in (("lines", write_lines), ("package", write_package), ("not_json", write_not_json)):
        file = folder / f"releases-{kind}.json"
        releases = write(file, megabytes)
        peak, seconds = import_peak_rss_mb(file, folder / f"{kind}.duckdb", refused=kind == "not_json")
        result[kind] = {"file_mb": round(file.stat().st_size / 1_000_000, 1), "releases": releases,
                        "peak_rss_mb": round(peak, 1), "seconds": round(seconds, 1)}
        file.unlink()
    result["import_200mb_peak_rss_mb" if megabytes == 200 else "import_peak_rss_mb"] = result["lines"]["peak_rss_mb"]
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.import_memory", description=__doc__)
    parser.add_argument("--megabytes", type=float, default=200, help="size of each file (default 200)")
    parser.add_argument("--out", type=Path, default=RESULTS, help=f"results file (default {RESULTS})")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        result = run(args.megabytes, Path(folder))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    lines = result["lines"]["peak_rss_mb"]
    print(f"JSON lines: {lines:.0f} MB peak ({'within' if lines < TARGET_MB else 'over'} the {TARGET_MB} MB target)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
