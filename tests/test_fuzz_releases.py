"""Real releases mutated at random: a field's value replaced by one of another type, a field
deleted, a value nested in a list or an object. Normalising them never raises, each award
is either in the award rows or reported in the quality events, every wrong type is caught
by the shape check (loaders.normalising.shapes) rather than by the last-resort handler, and
every row has the types of its store columns.

Deterministic (derandomize) and quick by default; FUZZ_EXAMPLES sets the number of examples
for a longer run: `FUZZ_EXAMPLES=10000 .venv/bin/python -m pytest -q tests/test_fuzz_releases.py`.
"""

import math
import os
import tempfile
from collections import defaultdict
from datetime import date
from functools import lru_cache
from pathlib import Path

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from loaders.normalising import shapes
from loaders.normalising.normalise import ROW_FIELDS, Release, normalise_ocid
from loaders.normalising.procurements import (CRITERION_FIELDS, LOT_FIELDS, PROCUREMENT_FIELDS,
                                              procurement_facts)
from loaders.sources.readers import read_file
from loaders.storage import loading, store
from tests.ocds_factory import write_package

pytestmark = pytest.mark.realdata

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "1000"))
# What the last-resort handlers write: a wrong type that reaches them escaped the shape check.
ESCAPED = ("could not be normalised (", "procurement could not be derived (")
# The whole shape read, awards included, for choosing fields the normaliser reads.
SHAPE = {**shapes.RELEASE, "awards": [shapes.AWARD]}
PYTHON_TYPES = {"VARCHAR": (str,), "DOUBLE": (float, int), "INTEGER": (int,), "BOOLEAN": (bool,), "DATE": (date,)}


@lru_cache(maxsize=1)
def real_groups() -> tuple:
    """(source, [release JSON text]) per ocid of the real samples (empty when absent)."""
    files = sorted((DATA / "contracts-finder").glob("*.json")) + sorted((DATA / "find-a-tender").glob("*.json"))
    groups = defaultdict(list)
    for path in files:
        for raw in read_file(path):
            groups[(raw.source, raw.ocid)].append((raw.release_id, raw.json))
    return tuple((source, ocid, tuple(releases)) for (source, ocid), releases in sorted(groups.items()))


needs_samples = pytest.mark.skipif(not real_groups(), reason=f"no real releases under {DATA}")


# --- mutations -----------------------------------------------------------------------------

def shape_at(path: tuple):
    """The shape the normaliser reads at `path`, or None where it reads nothing."""
    shape = SHAPE
    for part in path:
        if isinstance(shape, dict) and isinstance(part, str):
            shape = shape.get(part)
        elif isinstance(shape, list) and isinstance(part, int):
            shape = shape[0]
        else:
            return None
    return shape


def paths_of(value, path: tuple = ()) -> list[tuple]:
    """Every field in `value`, and every field the normaliser reads but `value` lacks."""
    found = [path]
    if isinstance(value, dict):
        for key, inner in value.items():
            found += paths_of(inner, path + (key,))
        shape = shape_at(path)
        if isinstance(shape, dict):
            found += [path + (key,) for key in shape if key not in value]
    elif isinstance(value, list):
        for position, inner in enumerate(value):
            found += paths_of(inner, path + (position,))
    return found


def fields_of(paths: list[tuple]) -> dict[tuple, list[tuple]]:
    """The paths by field ("awards", "value", "currency"; the release itself is ()), so that
    each field is drawn as often as any other however many times a release repeats it."""
    fields = defaultdict(list)
    for path in paths:
        fields[tuple(part for part in path if not isinstance(part, int))].append(path)
    return fields


def mutate(data, path: tuple, how: str, value):
    """The release with the field at `path` replaced by `value`, deleted or nested."""
    if not path:
        return value if how == "replace" else ([data] if how == "nest" else {})
    holder = data
    for part in path[:-1]:
        holder = holder[part]
    last = path[-1]
    if how == "delete":
        if isinstance(holder, dict):
            holder.pop(last, None)
        else:
            del holder[last]
    elif how == "nest" and (isinstance(holder, list) or last in holder):
        # in a list when the drawn value is one, else in an object under its own key
        holder[last] = [holder[last]] if isinstance(value, list) else {str(last): holder[last]}
    else:
        holder[last] = value
    return data


SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**15, 10**15), st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=12),
    st.sampled_from(["abc", "1,000", "£1,000", "12.5", "nan", "inf", "1e9999", "", " ", "GBP", "EUR", "SW1A 2AA",
                     "2025-13-45", "2025-02-30T10:00:00Z", "0001-01-01T00:00:00+23:00", "active", "cancelled",
                     "buyer", "supplier", "UK12", "GB-COH-123", "CPV"]))
KEYS = st.sampled_from(sorted({key for shape in (shapes.PARTY, shapes.AWARD, shapes.TENDER, shapes.LOT,
                                                 shapes.VALUE, shapes.ADDRESS, shapes.RELEASE) for key in shape}))
VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(KEYS, inner, max_size=3),
                      max_leaves=6)


@st.composite
def mutated_groups(draw, reader_safe: bool = False):
    """(source, ocid, [(release id, data)]) of one real ocid, with one or two mutations.
    `reader_safe` leaves `tag` alone (see test_tags_that_are_not_text_do_not_stop_an_import)."""
    source, ocid, releases = draw(st.sampled_from(real_groups()))
    datas = [(rid, orjson.loads(body)) for rid, body in releases]
    for _ in range(draw(st.integers(1, 2))):
        target = draw(st.integers(0, len(datas) - 1))
        rid, data = datas[target]
        fields = fields_of(paths_of(data))
        read = {key: paths for key, paths in fields.items() if key and shape_at(paths[0]) is not None}
        pool = read if read and draw(st.booleans()) else fields  # half the time a field the normaliser reads
        path = draw(st.sampled_from(pool[draw(st.sampled_from(sorted(pool, key=str)))]))
        if reader_safe and (not path or path[0] == "tag"):
            continue
        data = mutate(data, path, draw(st.sampled_from(["replace", "replace", "delete", "nest"])), draw(VALUES))
        datas[target] = (rid, data)
    return source, ocid, datas


# --- what must hold ------------------------------------------------------------------------

def award_ids(data) -> set[str]:
    """The ids of the award entries of a release that have an id of a usable type."""
    awards = data.get("awards") if isinstance(data, dict) else None
    return {str(a["id"]) for a in awards if isinstance(a, dict) and a.get("id") not in (None, "")
            and shapes.ID.accepts(a["id"])} if isinstance(awards, list) else set()


def check_outcome(releases: list[Release], result, facts) -> None:
    events = result.events + facts.events
    escaped = [e for e in events if e[4] and e[4].startswith(ESCAPED)]
    assert not escaped, escaped
    rejected = {e[1] for e in events if e[2] is None and e[3] == "release_not_normalised"}
    with_rows = {row[ROW_FIELDS.index("award_id")] for row in result.rows}
    reported = {e[2] for e in events if e[2] is not None}
    for award_id in set().union(*(award_ids(r.data) for r in releases)):
        carriers = [r.release_id for r in releases if award_id in award_ids(r.data)]
        assert award_id in with_rows or award_id in reported or all(c in rejected for c in carriers), award_id
    for release in releases:
        if not isinstance(release.data, dict):
            assert release.release_id in rejected, release.release_id
    check_types(result.rows, ROW_FIELDS, store.BASE_COLUMN_TYPES)
    check_types(facts.procurements, PROCUREMENT_FIELDS, store.PROCUREMENT_COLUMN_TYPES)
    check_types(facts.lots, LOT_FIELDS, store.LOT_COLUMN_TYPES)
    check_types(facts.criteria, CRITERION_FIELDS, store.CRITERION_COLUMN_TYPES)


def check_types(rows: list[tuple], fields: tuple, types: dict) -> None:
    """Every value of every row is None or of its column's type (so the store takes it)."""
    for row in rows:
        for name, value in zip(fields, row):
            wanted = PYTHON_TYPES[types[name]]
            assert value is None or (isinstance(value, wanted) and not (isinstance(value, bool) and bool not in wanted)
                                     and (not isinstance(value, float) or math.isfinite(value))), (name, value)


# --- the tests -----------------------------------------------------------------------------

@needs_samples
@settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(mutated_groups())
def test_mutated_real_releases_are_normalised_or_reported(group):
    source, ocid, datas = group
    releases = [Release(source, ocid, rid, data) for rid, data in datas]
    check_outcome(releases, normalise_ocid(releases), procurement_facts(releases))


@needs_samples
@settings(max_examples=max(3, EXAMPLES // 100), derandomize=True, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(mutated_groups(reader_safe=True), min_size=5, max_size=15))
def test_mutated_real_releases_import_into_a_store(groups):
    """Through `import`: the file is loaded whole, every release kept, no error escapes the
    shape check, and the store takes every row."""
    releases = [data for _, _, datas in groups for _, data in datas]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "awards.duckdb"
        package = write_package(Path(folder) / "fuzz.json", releases)
        loading.import_files([package], path)
        con = store.read_only(path)
        try:
            kept = con.execute("SELECT count(*) FROM releases").fetchone()[0]
            escaped = con.execute("SELECT detail FROM quality_events WHERE detail LIKE 'could not be normalised (%' "
                                  "OR detail LIKE 'procurement could not be derived (%'").fetchall()
        finally:
            con.close()
    assert kept == len({orjson.dumps(r) for r in releases})
    assert escaped == []


def test_tags_that_are_not_text_do_not_stop_an_import(tmp_path):
    data = {"ocid": "ocds-b5fd17-x", "id": "r1", "date": "2025-01-01T00:00:00Z", "tag": [1]}
    loading.import_files([write_package(tmp_path / "x.json", [data])], tmp_path / "awards.duckdb")
