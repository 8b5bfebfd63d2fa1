"""`python -m loaders ...` run as a user runs it: exit codes, one-line errors, store paths."""

import csv
import hashlib
import json
import os
import subprocess
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from loaders.sources import demo
from loaders.storage import loading, store
from tests.ocds_factory import simple_release, supplier, write_package

ROOT = Path(__file__).resolve().parents[1]
GUID = "00000000-0000-0000-0000-0000000000{:02d}"


def run(*args, store_env=None, cwd=ROOT):
    """Run the CLI in a subprocess; AWARDS_STORE set to `store_env` (or removed)."""
    env = {k: v for k, v in os.environ.items() if k != store.STORE_ENV}
    if store_env is not None:
        env[store.STORE_ENV] = str(store_env)
    return subprocess.run([sys.executable, "-m", "loaders", *map(str, args)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


def sha256(path):
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def real_package(path, n=3):
    """A small Contracts Finder package (real ocid prefix, so its releases count as real)."""
    releases = [simple_release(f"ocds-b5fd17-{GUID.format(i)}", [supplier(i)], rid=f"{GUID.format(i)}-1",
                               amount=1000.0 * (i + 1)) for i in range(n)]
    return write_package(path, releases)


@pytest.fixture
def good_file(tmp_path):
    return real_package(tmp_path / "good.json")


@pytest.fixture
def existing_store(tmp_path, good_file):
    path = tmp_path / "store" / "awards.duckdb"
    loading.import_files([good_file], path)
    return path


BAD_INPUTS = {
    # name: (file content or None for a missing file, words the error must contain)
    "missing": (None, "no such file"),
    "invalid_json": ('{"releases": [ {"ocid": "x", ', "not valid JSON"),
    "not_ocds": ('{"hello": "world", "items": [1, 2]}', "is not OCDS"),
    "not_ocds_scalar": ("42", "is not OCDS"),
    "empty_package": ('{"version": "1.1", "releases": []}', "holds no releases"),
    "empty_file": ("", "is empty"),
}


@pytest.mark.parametrize("case", list(BAD_INPUTS))
def test_bad_input_exits_2_with_one_line_and_store_untouched(tmp_path, existing_store, case):
    content, problem = BAD_INPUTS[case]
    bad = tmp_path / f"{case}.json"
    if content is not None:
        bad.write_text(content)
    digest = sha256(existing_store)
    result = run("import", bad, store_env=existing_store)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(bad) in lines[0] and problem in lines[0]
    assert sha256(existing_store) == digest
    assert not list(existing_store.parent.glob("*.tmp-*"))


def test_bad_file_after_good_one_writes_nothing_and_creates_no_store(tmp_path, good_file):
    bad = tmp_path / "bad.json"
    bad.write_text("[{]")
    target = tmp_path / "new" / "awards.duckdb"
    result = run("import", good_file, bad, store_env=target)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and str(bad) in result.stderr
    assert not target.exists()


def test_import_then_export_csv_has_every_award_column(tmp_path, good_file):
    target = tmp_path / "awards.duckdb"
    result = run("import", good_file, store_env=target)
    assert result.returncode == 0, result.stderr
    assert "3 releases read, 3 new" in result.stdout
    out = tmp_path / "export" / "x.csv"
    result = run("export", "--out", out, store_env=target)
    assert result.returncode == 0, result.stderr
    with open(out, newline="") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == store.AWARD_COLUMNS
    assert len(rows) == 1 + 3


def test_info_json(existing_store):
    result = run("info", "--json", store_env=existing_store)
    assert result.returncode == 0, result.stderr
    summary = json.loads(result.stdout)
    assert {"releases", "award_rows", "quality"} <= set(summary)
    assert (summary["releases"], summary["award_rows"]) == (3, 3)
    assert summary["sources"][0]["source"] == "contracts-finder"


def test_info_without_store_exits_2(tmp_path):
    missing = tmp_path / "none.duckdb"
    result = run("info", store_env=missing)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1 and str(missing) in result.stderr


def test_store_option_overrides_environment(tmp_path, good_file):
    from_env, explicit = tmp_path / "env.duckdb", tmp_path / "explicit.duckdb"
    result = run("import", "--quiet", "--store", explicit, good_file, store_env=from_env)
    assert result.returncode == 0, result.stderr
    assert explicit.exists() and not from_env.exists()
    result = run("info", "--json", "--store", explicit, store_env=from_env)
    assert json.loads(result.stdout)["store"] == str(explicit)


def test_environment_names_the_store(tmp_path, good_file):
    target = tmp_path / "env.duckdb"
    assert run("import", "--quiet", good_file, store_env=target).returncode == 0
    assert target.exists()


def test_demo_refuses_to_replace_store_with_real_releases(existing_store):
    digest = sha256(existing_store)
    result = run("demo", store_env=existing_store)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(existing_store) in lines[0] and "real releases" in lines[0] and "--force" in lines[0]
    assert sha256(existing_store) == digest


def test_demo_write_packages_is_deterministic(tmp_path):
    """The same seed gives the same bytes (checked on the first file)."""
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = demo.write_packages(tmp_path / "a", seed=7)
    second = demo.write_packages(tmp_path / "b", seed=7)
    assert [p.name for p in first] == [p.name for p in second]
    assert first[0].read_bytes() == second[0].read_bytes()


@pytest.mark.slow
def test_demo_build(tmp_path):
    """The full demo store: many councils, every region, 20,000+ awards in 2021-2025."""
    path = tmp_path / "demo.duckdb"
    report = demo.build(path)
    assert report.award_rows > 0
    con = store.read_only(path)
    try:
        def one(sql):
            return con.execute(sql).fetchone()[0]
        buyers = [b for (b,) in con.execute("SELECT DISTINCT buyer_name FROM awards").fetchall()]
        regions = {r for (r,) in con.execute("SELECT DISTINCT buyer_region FROM awards").fetchall()}
        awards = one("SELECT count(DISTINCT ocid || '|' || award_id) FROM awards")
        first, last = con.execute("SELECT min(award_date), max(award_date) FROM awards").fetchone()
        sources = {s for (s,) in con.execute("SELECT DISTINCT source FROM awards").fetchall()}
        release_sources = {s for (s,) in con.execute("SELECT DISTINCT source FROM releases").fetchall()}
        unknown_region = one("SELECT count(*) FROM awards WHERE buyer_region IS NULL")
    finally:
        con.close()
    assert len(buyers) >= 40
    assert any(b.endswith("County Council") for b in buyers)
    assert regions == {"North East", "North West", "Yorkshire and The Humber", "East Midlands",
                       "West Midlands", "East of England", "London", "South East", "South West",
                       "Wales", "Scotland", "Northern Ireland"}
    assert unknown_region == 0
    assert awards >= 20_000
    assert date(2021, 1, 1) <= first and last <= date(2025, 12, 31)
    assert sources == release_sources == {"demo"}


def test_an_award_whose_supplier_has_no_name_is_exported_and_counted(tmp_path):
    """A real Home Office notice names its supplier only by id ("name": null, GB-CFS-173):
    the award must still be in every total, shown as unnamed and keyed by that id."""
    unnamed = {"id": "GB-CFS-173", "name": None, "roles": ["supplier"], "address": {}, "details": {}}
    ocid = f"ocds-b5fd17-{GUID.format(50)}"
    release = simple_release(ocid, [unnamed], rid=f"{GUID.format(50)}-1", amount=3_600_000.0)
    release["awards"][0]["suppliers"] = [{"id": "GB-CFS-173", "name": None}]
    target = tmp_path / "awards.duckdb"
    assert run("import", write_package(tmp_path / "p.json", [release]), store_env=target).returncode == 0
    out = tmp_path / "awards.csv"
    assert run("export", "--out", out, store_env=target).returncode == 0
    with open(out, newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["supplier_name"], r["supplier_key"], float(r["value_gbp"])) for r in rows] == \
           [("(name not published)", "id:GB-CFS-173", 3_600_000.0)]
    summary = json.loads(run("info", "--json", store_env=target).stdout)
    assert summary["quality"]["rows_with_unnamed_supplier"] == 1


def test_demo_judges_a_store_of_older_code_by_its_releases(existing_store):
    """The demo's check before replacing a store reads only the releases, so a store whose
    summary tables are from older code still gets the real-releases refusal, untouched."""
    con = duckdb.connect(str(existing_store))
    con.execute("DROP TABLE supplier_footprint; DELETE FROM meta WHERE key = 'summaries_version'")
    con.close()
    digest = sha256(existing_store)
    result = run("demo", store_env=existing_store)
    assert result.returncode == 2
    assert "real releases" in result.stderr and "rebuild" not in result.stderr
    assert sha256(existing_store) == digest


def test_info_on_a_store_of_older_code_says_to_rebuild(existing_store):
    con = duckdb.connect(str(existing_store))
    con.execute("DELETE FROM meta WHERE key = 'summaries_version'")
    con.close()
    digest = sha256(existing_store)
    result = run("info", "--store", existing_store)
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert str(existing_store) in lines[0] and "python -m loaders rebuild" in lines[0]
    assert sha256(existing_store) == digest
