"""Maps on council outlines, offline, by default: every write gives a store the shipped
district boundaries (data/geography/) unless it holds another edition; every council area
of the Locality table is drawn as one filled area, the 2023 unitaries as the districts they
replaced; the area names never overlap; and no figure points at anything online."""

import base64
import hashlib
import json
import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import plotly.io as pio
import pytest

from loaders.geography import boundaries, register
from loaders.geography.geocoding import geocode
from loaders.storage import loading, store
from loaders.storage.loading import import_files
from queries import locality
from queries.filters import Filters
from tests.app_fixtures import release
from tests.fake_api import FakeApi
from tests.test_refresh import FTS_UNTIL, fts_releases, run
from ui import maps

ROOT = Path(__file__).resolve().parents[1]
README = boundaries.SHIPPED.with_name("README.md")
UNITARIES_2023 = {  # area code: (council, the districts of December 2022 it replaced)
    "E06000063": ("Cumberland Council", {"E07000026", "E07000028", "E07000029"}),
    "E06000064": ("Westmorland and Furness Council", {"E07000027", "E07000030", "E07000031"}),
    "E06000065": ("North Yorkshire Council", {f"E0700016{i}" for i in range(3, 10)}),
    "E06000066": ("Somerset Council", {"E07000187", "E07000188", "E07000189", "E07000246"}),
}


def array(value) -> np.ndarray:
    """A figure's list or binary array (Plotly sends numpy arrays as {"dtype", "bdata"}) as numbers."""
    if isinstance(value, dict):
        return np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
    return np.array([np.nan if v is None else v for v in value], dtype=float)


def shipped_codes() -> set[str]:
    return {f["properties"]["LAD22CD"] for f in json.loads(boundaries.SHIPPED.read_bytes())["features"]}


def stored_codes(path: Path) -> set[str]:
    with store.read_only(path) as con:
        return {code for (code,) in con.execute("SELECT lad_code FROM boundaries").fetchall()}


def council_figure(path: Path, measure: str = "value"):
    """The Locality page's council map of a store, with the areas it draws (its table's)."""
    with store.read_only(path) as con:
        areas = locality.councils(con, Filters(), measure)
        shapes = locality.boundary_shapes(con, Filters()) if locality.has_boundaries(con) else None
    compared = areas[areas["compared"]]
    return maps.council_map(compared, measure, shapes), compared


def fills(figure) -> dict:
    return {t.meta: t for t in figure.data if t.meta}


def named(figure):
    return next(t for t in figure.data if t.name == "Area names")


def overlapping(boxes) -> list:
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1:] if maps._overlap(a, b)]


# --- The shipped file ----------------------------------------------------------------------

def test_the_shipped_file_is_the_published_one_its_readme_names():
    digest = hashlib.sha256(boundaries.SHIPPED.read_bytes()).hexdigest()
    assert digest in README.read_text()  # a changed file needs its provenance changed too
    frame = boundaries.read(boundaries.SHIPPED)
    assert len(frame) == 374 and frame["lad_code"].is_unique
    assert not shipped_codes() & set(UNITARIES_2023)  # April 2023: after the edition


def test_the_shipped_file_is_tracked_not_ignored():
    assert boundaries.SHIPPED.relative_to(ROOT).as_posix() == "data/geography/lad_2022_uk_simplified.geojson"
    try:
        checked = subprocess.run(["git", "check-ignore", str(boundaries.SHIPPED), str(README)], cwd=ROOT,
                                 capture_output=True, text=True)
    except OSError:
        pytest.skip("git is not installed")
    if checked.returncode == 128:
        pytest.skip("not a git checkout")
    assert (checked.returncode, checked.stdout) == (1, "")  # neither file is ignored


# --- Every write path stores them ----------------------------------------------------------

def test_the_small_store_has_the_shipped_outlines(small_store):
    with store.read_only(small_store) as con:
        assert locality.has_boundaries(con)
    assert stored_codes(small_store) == shipped_codes()


@pytest.mark.slow
def test_the_demo_store_has_the_shipped_outlines(demo_store):
    assert stored_codes(demo_store) == shipped_codes()


@pytest.fixture
def bare(small_store, tmp_path) -> Path:
    """A copy of the small store without boundaries, as older code left it."""
    path = tmp_path / "bare.duckdb"
    shutil.copy(small_store, path)
    for name in ("awards.json", "lookup.csv"):
        shutil.copy(small_store.with_name(name), tmp_path / name)
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE boundaries")
    return path


def _refresh(path):
    with FakeApi("/api/1.0/ocdsReleasePackages", "updatedFrom", "updatedTo", fts_releases(4)) as api:
        run(api, "find-a-tender", path, FTS_UNTIL)


WRITES = {
    "import": lambda path: import_files([path.with_name("awards.json")], path, [path.with_name("lookup.csv")]),
    "rebuild": loading.rebuild,
    "geocode": lambda path: geocode(path, [path.with_name("lookup.csv")], offline=True),
    "refresh": _refresh,
}


@pytest.mark.parametrize("write", list(WRITES))
def test_any_write_gives_a_store_without_boundaries_the_shipped_ones(bare, write):
    with store.read_only(bare) as con:
        assert not locality.has_boundaries(con)
        assert locality.boundary_shapes(con, Filters()).empty
    WRITES[write](bare)
    assert stored_codes(bare) == shipped_codes()


class OneFeature:
    """A fetcher that serves one district, standing in for the ONS download."""
    def get_json(self, url):
        self.url = url
        return {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"LAD24CD": "E08000035", "LAD24NM": "Leeds"},
             "geometry": {"type": "Polygon", "coordinates": [[[-1.8, 53.7], [-1.3, 53.7], [-1.3, 53.95]]]}}]}


def test_a_newer_edition_replaces_them_and_later_writes_keep_it(bare):
    fetcher = OneFeature()
    assert boundaries.load(bare, url="https://example.invalid/lad.geojson", fetcher=fetcher) == 1
    assert fetcher.url == "https://example.invalid/lad.geojson"
    loading.rebuild(bare)
    assert stored_codes(bare) == {"E08000035"}
    assert boundaries.load(bare, file=boundaries.SHIPPED) == 374  # and back, from the file
    assert stored_codes(bare) == shipped_codes()


# --- Every area drawn ------------------------------------------------------------------------

def test_every_area_of_the_small_store_is_one_filled_area(small_store, small_numbers_off):
    figure, compared = council_figure(small_store)
    assert set(fills(figure)) == set(compared["area_code"]) == {"E08000035", "E10000012", "E08000003"}
    assert all(t.fill == "toself" for t in fills(figure).values())
    # Essex County Council is its twelve districts, in one trace.
    with store.read_only(small_store) as con:
        shapes = locality.boundary_shapes(con, Filters())
    assert shapes.loc[shapes["area_code"] == "E10000012", "lad_code"].nunique() == 12
    assert figure.data[0].name == "Council boundaries"  # every district, under the areas
    assert np.isnan(figure.data[0].lon).sum() == sum(len(maps._rings(g)) for g in
                                                     boundaries.read(boundaries.SHIPPED)["geometry"]) - 1


@pytest.mark.slow
def test_every_area_of_the_demo_store_is_one_filled_area(demo_store):
    figure, compared = council_figure(demo_store)
    assert len(compared) > 50
    assert set(fills(figure)) == set(compared["area_code"])


def test_every_council_since_the_edition_can_be_drawn():
    """Every council that existed on or after the edition's date (December 2022) is drawn from
    the shipped districts: its own, or the districts its area is made of. The ones that cannot
    be are exactly the councils abolished before it (the 2019-2021 reorganisations in Dorset,
    Suffolk, Somerset West and Taunton, Buckinghamshire and Northamptonshire, and Northern
    Ireland's councils of before 2015): their areas are parts of later districts."""
    codes = shipped_codes()
    members = register.area_member_frame().groupby("area_code")["lad_code"].apply(set).to_dict()
    undrawable = [c for c in register.registers().councils.values()
                  if c.gss not in codes and not members.get(c.gss, set()) & codes]
    assert undrawable and all(c.end and c.end < date(2022, 12, 1) for c in undrawable)
    assert {c.name for c in undrawable} >= {"Aylesbury Vale District Council", "Taunton Deane Borough Council"}


@pytest.fixture(scope="module")
def unitaries_store(tmp_path_factory) -> Path:
    """A store with one award from each council created in April 2023, to a supplier in one
    of the districts it replaced, built through the import."""
    folder = tmp_path_factory.mktemp("unitaries")
    places = {"E06000063": ("CA1", "E07000028", "Carlisle", 54.89, -2.93),
              "E06000064": ("LA9", "E07000031", "South Lakeland", 54.33, -2.74),
              "E06000065": ("HG1", "E07000165", "Harrogate", 53.99, -1.54),
              "E06000066": ("TA1", "E07000246", "Somerset West and Taunton", 51.02, -3.10)}
    lookup = ["postcode_district,lad_code,lad_name,county_code,county_name,region,country,latitude,longitude"]
    awards = []
    for i, (code, (outcode, lad, name, lat, lon)) in enumerate(places.items()):
        lookup.append(f"{outcode},{lad},{name},,,,England,{lat},{lon}")
        awards.append(release(i, (UNITARIES_2023[code][0], f"{outcode} 1AA", f"Supplier {i} Ltd",
                                  f"1 High St, {outcode} 2BB", "sme", False, 10_000 * (i + 1), "2024-05-01")))
    (folder / "lookup.csv").write_text("\n".join(lookup) + "\n")
    (folder / "awards.json").write_text(json.dumps({"releases": awards}))
    path = folder / "unitaries.duckdb"
    import_files([folder / "awards.json"], path, [folder / "lookup.csv"])
    return path


def test_the_2023_unitaries_are_drawn_as_the_districts_they_replaced(unitaries_store, small_numbers_off):
    figure, compared = council_figure(unitaries_store)
    assert set(compared["area_code"]) == set(UNITARIES_2023)
    with store.read_only(unitaries_store) as con:
        shapes = locality.boundary_shapes(con, Filters())
    drawn = shapes.dropna(subset=["area_code"]).groupby("area_code")["lad_code"].apply(set).to_dict()
    assert drawn == {code: districts for code, (_, districts) in UNITARIES_2023.items()}
    geometry = dict(zip(shapes["lad_code"], shapes["geometry"]))
    for code, (_, districts) in UNITARIES_2023.items():
        trace = fills(figure)[code]
        assert trace.fill == "toself" and trace.line.color == trace.fillcolor  # no line between its districts
        rings = sum(len(maps._rings(geometry[lad])) for lad in districts)
        assert np.isnan(trace.lon).sum() == rings - 1  # every ring of every district, in one trace
    # One border round each: the edges two of its districts share are not drawn.
    border = next(t for t in figure.data if t.name == "Council area borders")
    drawn_edges = {frozenset(e) for e in _edges(border.lon, border.lat)}
    for code, (_, districts) in UNITARIES_2023.items():
        counts = {}
        for lad in districts:
            for ring in maps._rings(geometry[lad]):
                for a, b in zip(ring, ring[1:] + ring[:1]):
                    counts[frozenset((a, b))] = counts.get(frozenset((a, b)), 0) + 1
        inner = {e for e, n in counts.items() if n > 1}
        assert inner and not inner & drawn_edges
        assert {e for e, n in counts.items() if n == 1} <= drawn_edges


def _edges(lon, lat):
    points = [None if np.isnan(x) else (round(float(x), 4), round(float(y), 4)) for x, y in zip(lon, lat)]
    return [(a, b) for a, b in zip(points, points[1:]) if a and b]


def test_a_border_leaves_out_the_edge_two_districts_share():
    left = [(0.0, 0.0), (0.0, 1.0), (1.0, 1.0), (1.0, 0.0)]  # clockwise squares side by side
    right = [(1.0, 0.0), (1.0, 1.0), (2.0, 1.0), (2.0, 0.0)]
    runs = maps._border((left, right))
    edges = {frozenset(e) for run in runs for e in zip(run, run[1:])}
    assert frozenset(((1.0, 0.0), (1.0, 1.0))) not in edges
    assert len(edges) == 6  # the outline of the 2 x 1 rectangle
    island = [(5.0, 5.0), (5.0, 6.0), (6.0, 6.0)]
    assert maps._border((island,)) == [island + island[:1]]  # nothing shared: one closed ring


# --- Names that do not overlap ---------------------------------------------------------------

def crowded_markers(n=40, seed=3):
    """Council-like markers packed round London, largest first, as council_map makes them."""
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({
        "area_code": [f"E0900{i:04d}" for i in range(n)], "council_area": [f"Borough number {i}" for i in range(n)],
        "value_gbp": rng.lognormal(14, 1, n), "awards": rng.integers(20, 200, n).astype(float),
        "local_value_share": rng.random(n), "local_count_share": rng.random(n),
        "unknown_value_share": 0.0, "unknown_count_share": 0.0,
        "latitude": 51.5 + rng.normal(0, 0.3, n), "longitude": -0.1 + rng.normal(0, 0.5, n), "compared": True})
    return frame


@pytest.mark.parametrize("sized", [True, False])
def test_names_never_overlap_and_the_largest_comes_first(sized):
    frame = crowded_markers()
    markers = maps._centre_markers(frame, "value", sized=sized)
    chosen = maps._named(markers)
    boxes = maps.label_boxes(markers)
    assert chosen[0] == 0 and list(markers.text)[0] == frame.loc[frame["value_gbp"].idxmax(), "council_area"]
    assert 1 < len(chosen) <= maps.LABELLED
    assert not overlapping([boxes[i] for i in chosen])
    # Greedy: every name left out (before the last placed) would have overlapped one placed before it.
    for i in range(chosen[-1]):
        if i not in chosen:
            assert any(maps._overlap(boxes[i], boxes[j]) for j in chosen if j < i)
    assert maps._named(maps._centre_markers(frame.iloc[::-1], "value", sized=sized)) == chosen  # deterministic


def test_the_named_areas_on_the_map_are_the_chosen_ones():
    frame = crowded_markers()
    outline = pd.DataFrame([(None, "E09000001", "A", json.dumps(
        {"type": "Polygon", "coordinates": [[[-1, 51], [1, 51], [1, 52], [-1, 52], [-1, 51]]]}))],
        columns=["area_code", "lad_code", "lad_name", "geometry"])
    for shapes in (None, outline):  # bubbles, shaded areas
        figure = maps.council_map(frame, "value", shapes)
        markers = next(t for t in figure.data if t.name == "Council areas")
        labels = named(figure)
        chosen = maps._named(markers)
        assert list(labels.text) == [markers.text[i] for i in chosen]
        assert list(labels.lat) == [markers.lat[i] for i in chosen]
        assert labels.mode == "markers+text" and labels.marker.opacity == 0 and labels.hoverinfo == "skip"
        assert figure.data[-1] is labels  # drawn over everything


@pytest.mark.slow
def test_names_on_the_demo_map_do_not_overlap(demo_store):
    figure, _ = council_figure(demo_store)
    labels = named(figure)
    assert len(labels.text) >= 5
    assert not overlapping(maps.label_boxes(labels))


# --- Nothing online --------------------------------------------------------------------------

def strings(value):
    """Every string in a figure's JSON but its binary arrays."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key != "bdata":
                yield from strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item)
    elif isinstance(value, str):
        yield value


def test_no_figure_refers_to_anything_online(small_store, tmp_path):
    bare = tmp_path / "bare.duckdb"
    shutil.copy(small_store, bare)
    with duckdb.connect(str(bare)) as con:
        con.execute("DROP TABLE boundaries")
    for path in (small_store, bare):  # shaded areas, bubbles
        council, _ = council_figure(path)
        with store.read_only(path) as con:
            places = locality.supplier_places(con, Filters(), "Leeds City Council")
            home = locality.buyer_home(con, Filters(), "Leeds City Council")
            shapes = locality.boundary_shapes(con, Filters()) if locality.has_boundaries(con) else None
        for figure in (council, maps.supplier_map(places, home, "value", shapes)):
            found = [s for s in strings(json.loads(pio.to_json(figure, validate=False)))
                     if re.search(r"https?:|://|www\.|cdn|topojson|\.json\b", s, re.IGNORECASE)]
            assert not found
            assert {t.type for t in figure.data} == {"scattergeo"}  # `choropleth` would fetch a world map
            assert figure.layout.geo.visible is False  # no base layers to fetch
            assert figure.layout.width is None and figure.layout.height == maps.MAP_HEIGHT  # as wide as the page


# --- In the browser --------------------------------------------------------------------------

CHROMIUM = Path("/usr/bin/chromium")


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.skipif(not CHROMIUM.exists(), reason="/usr/bin/chromium is absent")
def test_names_drawn_in_the_browser_do_not_overlap(demo_store, tmp_path):
    """The demo store's council map as Chromium draws it, on a wide and a narrower page: every
    name chosen is drawn, inside the box the code kept clear for it (so no two overlap), and
    the figure is as wide as the page gives it."""
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    from tools.serving import CHROMIUM_ARGS, serving

    figure, _ = council_figure(demo_store)
    labels = named(figure)
    expected = dict(zip(labels.text, maps.label_boxes(labels)))
    assert len(expected) >= 5
    with serving(demo_store, tmp_path / "streamlit.log") as (base, _process), sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        page = browser.new_page()
        drawn = {width: _drawn_names(page, base, width, list(expected)) for width in (1400, 900)}
        browser.close()
    for width, seen in drawn.items():
        assert set(seen["boxes"]) == set(expected), width
        assert seen["width"] == pytest.approx(seen["place"], abs=2), width  # the figure fills its place
        # The code measures from the map's top left, the browser from the figure's: one shift for all.
        shift = [np.median([(d[k] + d[k + 2]) / 2 - (e[k] + e[k + 2]) / 2 for d, e in
                            ((seen["boxes"][n], expected[n]) for n in expected)]) for k in (0, 1)]
        for name, (left, top, right, bottom) in seen["boxes"].items():
            kept = expected[name]
            assert kept[0] + shift[0] <= left and right <= kept[2] + shift[0], (width, name)
            assert kept[1] + shift[1] <= top and bottom <= kept[3] + shift[1], (width, name)
        assert not overlapping(list(seen["boxes"].values())), width


def _drawn_names(page, base: str, width: int, names: list[str]) -> dict:
    """The boxes of the council map's names as drawn in a page `width` pixels wide, and the
    widths of the figure and of the place the page gives it."""
    page.set_viewport_size({"width": width, "height": 1000})
    page.goto(f"{base}/locality")
    page.wait_for_selector("[data-testid='stApp'][data-test-script-state='notRunning']", timeout=60_000)
    chart = page.locator(".js-plotly-plot").filter(has=page.locator("text=% local (by value)"))
    chart.scroll_into_view_if_needed()
    page.wait_for_timeout(1_000)
    return chart.evaluate("""(el, names) => {
        const frame = el.getBoundingClientRect();
        const boxes = {};
        for (const text of el.querySelectorAll('.geo text')) {
            if (!names.includes(text.textContent)) continue;
            const r = text.getBoundingClientRect();
            boxes[text.textContent] = [r.left - frame.left, r.top - frame.top,
                                       r.right - frame.left, r.bottom - frame.top];
        }
        return {boxes, width: frame.width, place: el.parentElement.getBoundingClientRect().width};
    }""", names)
