"""The CLI's safety: what killed writes leave is found and removed, the demo store stays demo,
exports are safe to open in a spreadsheet, and a writer that must wait says for whom."""

import csv
import json
import os
import re
import subprocess
import sys
import threading
import time
from pathlib import Path

import duckdb
import pytest

from loaders import cli
from loaders.errors import StoreError
from loaders.sources.readers import read_file
from loaders.storage import loading, store, writers
from queries.export import csv_bytes
from tests.fake_api import FakeApi
from tests.ocds_factory import simple_release, supplier, write_package
from tests.test_cli import ROOT, real_package, run, sha256

GUID = "00000000-0000-0000-0000-0000000000{:02d}"


@pytest.fixture
def real_store(tmp_path):
    path = tmp_path / "store" / "awards.duckdb"
    loading.import_files([real_package(tmp_path / "real.json")], path)
    return path


@pytest.fixture
def demo_store(tmp_path):
    """A store of a few demo releases (source 'demo', as `python -m loaders demo` writes them)."""
    releases = [simple_release(f"ocds-demo00-{i:04d}", [supplier(i, name=f"Quorfen {i} Ltd")], rid=f"demo-{i}")
                for i in range(3)]
    package = write_package(tmp_path / "demo-000.json", releases)
    path = tmp_path / "demo" / "awards.duckdb"
    loading.load_releases([("demo:demo-000.json", read_file(package, source="demo"))], path, [])
    return path


def dead_pid() -> int:
    """The pid of a process that has ended (and so does not exist now)."""
    child = subprocess.Popen([sys.executable, "-c", "pass"])
    child.wait()
    assert not writers.alive(child.pid)
    return child.pid


def sources(path: Path) -> set[str]:
    con = store.read_only(path)
    try:
        return {s for (s,) in con.execute("SELECT DISTINCT source FROM releases").fetchall()}
    finally:
        con.close()


# --- leftovers of killed writes ---------------------------------------------------------

def fake_leftovers(path: Path, pid: int) -> list[Path]:
    temp = path.with_name(f"{path.name}.tmp-{pid}")
    temp.write_bytes(b"\0" * 3_000)
    wal = Path(f"{temp}.wal")
    wal.write_bytes(b"\0" * 2_500_000)
    return [temp, wal]


def test_info_names_the_leftovers_of_a_killed_write_and_their_size(real_store):
    temp, wal = fake_leftovers(real_store, dead_pid())
    result = run("info", "--store", real_store)
    assert result.returncode == 0, result.stderr
    lines = [line for line in result.stdout.splitlines() if line.startswith("left by a stopped write")]
    assert lines == [f"left by a stopped write: {temp} (3.0 kB); the next write to this store removes it",
                     f"left by a stopped write: {wal} (2.5 MB); the next write to this store removes it"]
    summary = json.loads(run("info", "--json", "--store", real_store).stdout)
    assert summary["leftovers"] == [{"file": str(temp), "bytes": 3_000}, {"file": str(wal), "bytes": 2_500_000}]
    assert temp.exists() and wal.exists()  # info only reports


def test_the_next_write_removes_the_leftovers_of_a_dead_process(tmp_path, real_store):
    leftovers = fake_leftovers(real_store, dead_pid())
    result = run("import", "--quiet", real_package(tmp_path / "more.json", n=4), "--store", real_store)
    assert result.returncode == 0, result.stderr
    assert not any(path.exists() for path in leftovers)
    assert not list(real_store.parent.glob("*.tmp-*"))


def test_a_live_writers_temporary_store_is_neither_reported_nor_removed(real_store):
    """The holder of the writer lock records itself before it makes its temporary store."""
    ready, release = threading.Event(), threading.Event()

    def hold():
        with writers.writer(command="import"), writers.holding(writers.lock_file(real_store), "s", wait=True):
            ready.set()
            release.wait(10)

    holder = threading.Thread(target=hold)
    holder.start()
    ready.wait(10)
    live = fake_leftovers(real_store, os.getpid())
    try:
        assert writers.leftovers(real_store) == []
        assert json.loads(run("info", "--json", "--store", real_store).stdout)["leftovers"] == []
    finally:
        release.set()
        holder.join()
    assert all(path.exists() for path in live)


def test_a_temporary_store_of_a_live_pid_that_is_not_the_lock_holder_is_a_leftover(real_store):
    """A pid alive again (reused) but not the one writing: the lock says whose the file is not."""
    sleeper = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(30)"])
    try:
        temp, wal = fake_leftovers(real_store, sleeper.pid)
        with writers.holding(writers.lock_file(real_store), "s", wait=True):
            assert [found.path for found in writers.leftovers(real_store)] == [temp, wal]
    finally:
        sleeper.kill()
        sleeper.wait()


# --- the demo store stays demo ----------------------------------------------------------

def test_importing_real_notices_into_the_demo_store_is_refused_in_one_line(tmp_path, demo_store):
    digest = sha256(demo_store)
    result = run("import", real_package(tmp_path / "real.json"), "--store", demo_store)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert lines == [f"error: {demo_store}: is the demo store (invented data): start a real store with "
                     f"--store data/awards.duckdb, or add --force to replace the demo with a store of the "
                     f"real data only"]
    assert sha256(demo_store) == digest


def test_the_default_store_as_demo_suggests_another_file(tmp_path, demo_store):
    workdir = tmp_path / "work"
    (workdir / "data").mkdir(parents=True)
    default = workdir / "data" / "awards.duckdb"
    default.write_bytes(demo_store.read_bytes())
    result = subprocess.run([sys.executable, "-m", "loaders", "import", str(real_package(tmp_path / "r.json"))],
                            cwd=workdir, capture_output=True, text=True, timeout=120,
                            env={**{k: v for k, v in os.environ.items() if k != store.STORE_ENV},
                                 "PYTHONPATH": str(ROOT)})
    assert result.returncode == 2 and "--store data/real.duckdb" in result.stderr, result.stderr


def test_import_force_replaces_the_demo_with_the_real_data_only(tmp_path, demo_store):
    result = run("import", "--force", "--quiet", real_package(tmp_path / "real.json"), "--store", demo_store)
    assert result.returncode == 0, result.stderr
    assert sources(demo_store) == {"contracts-finder"}
    summary = json.loads(run("info", "--json", "--store", demo_store).stdout)
    assert (summary["is_demo"], summary["releases"], summary["award_rows"]) == (False, 3, 3)


def test_a_bad_file_with_force_leaves_the_demo_as_it_was(tmp_path, demo_store):
    bad = tmp_path / "bad.json"
    bad.write_text("[{]")
    digest = sha256(demo_store)
    result = run("import", "--force", real_package(tmp_path / "real.json"), bad, "--store", demo_store)
    assert result.returncode == 2 and len(result.stderr.strip().splitlines()) == 1
    assert sha256(demo_store) == digest


def test_a_write_of_real_releases_into_the_demo_store_is_refused_by_the_library_too(tmp_path, demo_store):
    """store.writing itself keeps a demo store demo, whoever calls it (the app's refresh)."""
    digest = sha256(demo_store)
    with pytest.raises(StoreError, match="is the demo store"):
        loading.import_files([real_package(tmp_path / "real.json")], demo_store)
    assert sha256(demo_store) == digest
    assert not list(demo_store.parent.glob("*.tmp-*"))


def test_other_writes_to_the_demo_store_still_work(demo_store):
    assert loading.rebuild(demo_store).award_rows == 3
    assert sources(demo_store) == {"demo"}


def test_refreshing_the_demo_store_is_refused_before_anything_is_fetched(demo_store):
    digest = sha256(demo_store)
    result = run("refresh", "--source", "find-a-tender", "--since", "2025-03-01", "--until", "2025-03-02",
                 "--base-url", "http://127.0.0.1:9", "--store", demo_store)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and "is the demo store" in result.stderr
    assert sha256(demo_store) == digest
    assert not list(demo_store.parent.glob("*.refresh-*.duckdb"))


@pytest.fixture
def cf_api():
    releases = [simple_release(f"ocds-b5fd17-{GUID.format(i)}", [supplier(i)], rid=f"{GUID.format(i)}-1",
                               date=f"2025-03-0{i + 1}T10:00:00Z") for i in range(4)]
    with FakeApi("/Published/Notices/OCDS/Search", "publishedFrom", "publishedTo", releases, page_size=100) as api:
        yield api


def refresh_cli(api, path, *extra, wait=True):
    command = [sys.executable, "-m", "loaders", "refresh", "--source", "contracts-finder", "--since", "2025-03-01",
               "--until", "2025-03-10", "--store", str(path), *extra]
    env = {**os.environ, "CONTRACTS_FINDER_URL": api.base_url}
    if wait:
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120, env=env)
    return subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)


def test_refresh_force_replaces_the_demo_with_the_real_data_only(cf_api, demo_store):
    result = refresh_cli(cf_api, demo_store, "--force", "--quiet")
    assert result.returncode == 0, result.stderr
    assert sources(demo_store) == {"contracts-finder"}


# --- export -----------------------------------------------------------------------------

FORMULAS = {0: '=HYPERLINK("https://example.invalid","click")', 1: "+44 1522 000000", 2: "@SUM(A1)"}


@pytest.fixture
def formula_store(tmp_path):
    """Awards whose supplier names a spreadsheet would run as formulas, and one plain."""
    releases = [simple_release(f"ocds-b5fd17-{GUID.format(i)}", [supplier(i, name=FORMULAS.get(i, "Plain Ltd"))],
                               rid=f"{GUID.format(i)}-1") for i in range(4)]
    path = tmp_path / "formulas.duckdb"
    loading.import_files([write_package(tmp_path / "f.json", releases)], path)
    return path


def supplier_names(path: Path) -> list[str]:
    with open(path, newline="", encoding="utf-8") as handle:
        return sorted(row["supplier_name"] for row in csv.DictReader(handle))


def test_export_csv_neutralises_formulas_as_the_app_downloads_do_and_says_so(tmp_path, formula_store):
    out = tmp_path / "awards.csv"
    result = run("export", "--out", out, "--store", formula_store)
    assert result.returncode == 0, result.stderr
    assert "3 cells starting like a formula" in result.stdout and "--raw" in result.stdout
    assert supplier_names(out) == sorted(["'" + name for name in FORMULAS.values()] + ["Plain Ltd"])
    con = store.read_only(formula_store)
    try:
        frame = con.execute("SELECT * FROM awards ORDER BY award_key").df()
    finally:
        con.close()
    assert out.read_bytes() == csv_bytes(frame)  # byte for byte the app's CSV download


def test_export_raw_writes_cells_as_stored(tmp_path, formula_store):
    out = tmp_path / "awards.csv"
    result = run("export", "--raw", "--out", out, "--store", formula_store)
    assert result.returncode == 0, result.stderr
    assert "written as stored (--raw)" in result.stdout
    assert supplier_names(out) == sorted([*FORMULAS.values(), "Plain Ltd"])


def test_export_help_documents_the_neutralising_and_raw():
    text = run("export", "--help").stdout
    assert "apostrophe" in text and "--raw" in text and ".parquet" in text


def test_export_parquet_by_extension(tmp_path, formula_store):
    out = tmp_path / "awards.parquet"
    result = run("export", "--out", out, "--store", formula_store)
    assert result.returncode == 0, result.stderr
    assert "(Parquet)" in result.stdout
    con = duckdb.connect()
    try:
        columns = tuple(c for (c, *_rest) in con.execute(f"DESCRIBE SELECT * FROM '{out}'").fetchall())
        names = sorted(n for (n,) in con.execute(f"SELECT supplier_name FROM '{out}'").fetchall())
    finally:
        con.close()
    assert columns == store.AWARD_COLUMNS
    assert names == sorted([*FORMULAS.values(), "Plain Ltd"])


@pytest.mark.parametrize("case", ["unknown_extension", "directory", "under_a_file", "parquet_under_a_file"])
def test_a_bad_out_is_one_line_and_no_traceback(tmp_path, formula_store, case):
    (tmp_path / "a-file").write_text("x")
    out, problem = {
        "unknown_extension": (tmp_path / "awards.xlsx", "'.xlsx' is not an export format"),
        "directory": (tmp_path, "is a directory"),
        "under_a_file": (tmp_path / "a-file" / "awards.csv", "cannot be written"),
        "parquet_under_a_file": (tmp_path / "a-file" / "awards.parquet", "cannot be written"),
    }[case]
    result = run("export", "--out", out, "--store", formula_store)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith(f"error: {out}: ") and problem in result.stderr, result.stderr
    assert (tmp_path / "a-file").read_text() == "x"


def test_a_failed_export_leaves_the_file_it_would_replace(tmp_path, formula_store, monkeypatch):
    out = tmp_path / "awards.csv"
    out.write_text("earlier export\n")

    def fail(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("queries.export._write_csv", fail)
    assert cli.main(["export", "--out", str(out), "--store", str(formula_store)]) == 2
    assert out.read_text() == "earlier export\n"
    assert not list(tmp_path.glob("*.part"))


# --- waiting for the lock ---------------------------------------------------------------

HOLD = """
import sys, time
from loaders.storage import writers
from pathlib import Path
with writers.writer(command="import"), writers.holding(writers.lock_file(Path(sys.argv[1])), "s", wait=True):
    print("held", flush=True)
    time.sleep(float(sys.argv[2]))
"""


def test_a_waiting_import_says_once_whom_it_waits_for(tmp_path, real_store):
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(real_store), "2"], cwd=ROOT, stdout=subprocess.PIPE,
                              text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        result = run("import", real_package(tmp_path / "more.json", n=4), "--store", real_store)
    finally:
        holder.wait(30)
    assert result.returncode == 0, result.stderr
    waiting = [line for line in result.stderr.splitlines() if line.startswith("waiting for")]
    assert len(waiting) == 1
    assert re.fullmatch(re.escape(f"waiting for {real_store}: held by pid {holder.pid} (import, since ")
                        + r"\d\d:\d\d\)\.\.\.", waiting[0]), waiting


def test_the_progress_bar_does_not_count_the_wait(tmp_path, real_store, monkeypatch):
    """The bar is drawn from the first release normalised, after the lock is free."""
    created, released, ready = [], [], threading.Event()

    class RecordedBar(cli.tqdm):
        def __init__(self, *args, **kwargs):
            created.append(time.monotonic())
            super().__init__(*args, **kwargs)

    def hold():
        with writers.holding(writers.lock_file(real_store), "s", wait=True):
            ready.set()
            time.sleep(1)
            released.append(time.monotonic())

    monkeypatch.setattr(cli, "tqdm", RecordedBar)
    holder = threading.Thread(target=hold)
    holder.start()
    ready.wait(10)
    code = cli.main(["import", str(real_package(tmp_path / "more.json", n=4)), "--store", str(real_store)])
    holder.join()
    assert code == 0
    assert created and min(created) >= released[0]


def test_a_second_refresh_while_one_runs_is_one_clear_line(cf_api, tmp_path):
    """The first refresh holds the staging file; the second says whose it is, no DuckDB traceback."""
    cf_api.faults, cf_api.slow_s = ["slow"], 4
    path = tmp_path / "s.duckdb"
    first = refresh_cli(cf_api, path, "--quiet", wait=False)
    try:
        deadline = time.monotonic() + 30
        while not refresh_staging(path).exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        second = refresh_cli(cf_api, path, "--quiet")
    finally:
        out, err = first.communicate(timeout=60)
    assert second.returncode == 2
    lines = second.stderr.strip().splitlines()
    assert len(lines) == 1, second.stderr
    assert re.fullmatch(re.escape(f"error: {path}: a refresh of contracts-finder into this store is running: "
                                  f"pid {first.pid} (refresh, since ") + r"\d\d:\d\d\); run this again when it has ended",
                        lines[0]), lines
    assert first.returncode == 0, err
    assert sources(path) == {"contracts-finder"}


def refresh_staging(path: Path) -> Path:
    return path.with_name(f"{path.name}.refresh-contracts-finder.duckdb")
