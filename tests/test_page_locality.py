"""The Locality page: it runs, its figures equal sums worked out by hand from the fixture
awards, every chart draws its query's frame, the map shades council areas on the store's
boundaries and falls back to bubbles for a store without them (written by older code), and
nothing on the maps needs the internet. tests/test_maps.py tests the shipped boundaries."""

import io
import json
import shutil
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from plotly.colors import sample_colorscale

from loaders.definitions import DEFINITIONS
from loaders.geography import boundaries
from loaders.storage import store
from queries import locality
from queries.filters import Filters
from queries.overview import breakdown, summary
from readings import locality as locality_words
from tests.app_fixtures import AWARDS, LOOKUP
from tests.test_app import LOCALITY
from tests.test_maps import array
from ui import maps

pytestmark = pytest.mark.usefixtures("small_numbers_off")  # figures on a few awards

GROUPS = ("local", "same_region", "elsewhere_uk", "outside_uk", "unknown")
LEEDS, ESSEX, MANCHESTER = "Leeds City Council", "Essex County Council", "Manchester City Council"
AREA_OF = {LEEDS: "Leeds", ESSEX: "Essex", MANCHESTER: "Manchester"}
CODES = {"Leeds": "E08000035", "Essex": "E10000012", "Manchester": "E08000003"}
# Charts on the page, in order.
SPLIT, YEARS, COUNCIL_MAP, SUPPLIER_MAP = range(4)


# --- Ground truth, from tests/app_fixtures alone ------------------------------------------

def lookup() -> pd.DataFrame:
    return pd.read_csv(io.StringIO(LOOKUP))


def centre(*districts: str) -> tuple[float, float]:
    """Mean position of the fixture postcodes in these postcode districts (the store holds
    one postcode row per fixture postcode: LS1 and LS6 for Leeds, CM1 and CO1 for Essex, M1 twice)."""
    rows = lookup().set_index("postcode_district").loc[list(districts)]
    return rows["latitude"].mean(), rows["longitude"].mean()


CENTRES = {"Leeds": centre("LS1", "LS6"), "Essex": centre("CM1", "CO1"), "Manchester": centre("M1", "M1")}


def financial_year(day: str) -> str:
    year, month = int(day[:4]), int(day[5:7])
    start = year if month >= 4 else year - 1
    return f"{start}-{(start + 1) % 100:02d}"


def by_hand_councils() -> dict:
    """Per council area: value, awards, local value share, local count share, unknown value share."""
    out = {}
    for award, where in zip(AWARDS, LOCALITY):
        area = AREA_OF[award[0]]
        totals = out.setdefault(area, {"value": 0, "awards": 0, "local_value": 0, "local_awards": 0,
                                       "unknown_value": 0, "unknown_awards": 0})
        totals["value"] += award[6]
        totals["awards"] += 1
        if where in ("local", "unknown"):
            totals[f"{where}_value"] += award[6]
            totals[f"{where}_awards"] += 1
    return out


# --- Fixtures and helpers ----------------------------------------------------------------

def square(lon: float, lat: float, r: float = 0.1) -> list:
    """An anticlockwise square ring (the GeoJSON RFC 7946 orientation for outer rings)."""
    return [[lon - r, lat - r], [lon + r, lat - r], [lon + r, lat + r], [lon - r, lat + r], [lon - r, lat - r]]


TINY_BOUNDARIES = {"type": "FeatureCollection", "features": [
    {"type": "Feature", "properties": {"LAD24CD": code, "LAD24NM": name},
     "geometry": {"type": "Polygon", "coordinates": [square(lon, lat)]}}
    for code, name, lon, lat in (("E08000035", "Leeds", -1.55, 53.80), ("E08000032", "Bradford", -1.75, 53.80),
                                 ("E08000003", "Manchester", -2.24, 53.48), ("E07000070", "Chelmsford", 0.47, 51.74))
] + [{"type": "Feature", "properties": {"LAD24CD": "E07000071", "LAD24NM": "Colchester"},
      "geometry": {"type": "MultiPolygon", "coordinates": [[square(0.90, 51.89)], [square(1.10, 51.80, 0.02)]]}}]}


@pytest.fixture(scope="module")
def shaped_store(small_store, tmp_path_factory) -> Path:
    """A copy of the small store with a tiny boundaries table (five districts)."""
    folder = tmp_path_factory.mktemp("locality_shaped")
    path = folder / "shaped.duckdb"
    shutil.copy(small_store, path)
    geojson = folder / "tiny.geojson"
    geojson.write_text(json.dumps(TINY_BOUNDARIES))
    assert boundaries.load(path, file=geojson) == 5
    return path


@pytest.fixture(scope="module")
def unshaped_store(small_store, tmp_path_factory) -> Path:
    """A copy of the small store without boundaries, as code from before they were shipped
    left a store (the next write adds them)."""
    path = tmp_path_factory.mktemp("locality_unshaped") / "unshaped.duckdb"
    shutil.copy(small_store, path)
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE boundaries")
    return path


def charts(app) -> list[dict]:
    return [json.loads(c.proto.spec) for c in app.get("plotly_chart")]


def texts(app) -> list[str]:
    return [t.value for t in app.text]


def captions(app) -> list[str]:
    return [c.value for c in app.caption]


def trace(chart: dict, name: str) -> dict:
    return next(t for t in chart["data"] if t.get("name") == name)


# --- The page in the app -----------------------------------------------------------------

def test_page_runs_and_states_the_definition_in_force(open_page, small_store):
    app = open_page(small_store, "locality")
    assert app.title[0].value
    assert len(charts(app)) == 4
    first = captions(app)[0]
    assert first.startswith("Local means: the buyer's own council area.")
    assert DEFINITIONS["local"] in first
    assert all(DEFINITIONS[key] in " ".join(captions(app)) for key in GROUPS[1:])


def test_within_km_definition_from_the_url(open_page, small_store):
    app = open_page(small_store, "locality", local="within 20 km of the buyer")
    first = captions(app)[0]
    assert first.startswith("Local means: within 20 km of the buyer")
    assert DEFINITIONS["local_km"] in first
    # Within 20 km, Bradford (13 km from Leeds) is local too: Leeds 400k of 450k.
    council_map = trace(charts(app)[COUNCIL_MAP], "Council areas")
    shares = dict(zip([t for t in council_map["text"]], council_map["marker"]["color"]))
    assert shares["Leeds"] == pytest.approx(400_000 / 450_000)


def test_breakdown_chart_is_the_overview_breakdown(open_page, small_store):
    bar = charts(open_page(small_store, "locality"))[SPLIT]["data"][0]
    with store.read_only(small_store) as con:
        frame = breakdown(summary(con, Filters()), "locality")
    assert bar["y"] == frame["label"].tolist()
    assert bar["x"] == pytest.approx(frame["value_gbp"].tolist())
    expected = {g: sum(a[6] for a, w in zip(AWARDS, LOCALITY) if w == g) for g in GROUPS}
    assert frame["value_gbp"].tolist() == pytest.approx([expected[g] for g in GROUPS])


def test_years_chart_stacks_each_years_shares(open_page, small_store):
    chart = charts(open_page(small_store, "locality"))[YEARS]
    years = sorted({financial_year(a[7]) for a in AWARDS})
    assert [t["name"] for t in chart["data"]] == ["Local", "Same region", "Elsewhere in UK", "Outside UK", "Unknown"]
    shown = [f"{y} (part year)" if y in ("2021-22", "2024-25") else y for y in years]  # Jan 2022 to Jun 2024
    for group, bars in zip(GROUPS, chart["data"]):
        assert bars["x"] == shown
        expected = []
        for year in years:
            in_year = [(a, w) for a, w in zip(AWARDS, LOCALITY) if financial_year(a[7]) == year]
            expected.append(sum(a[6] for a, w in in_year if w == group) / sum(a[6] for a, _ in in_year))
        assert bars["y"] == pytest.approx(expected)
    with store.read_only(small_store) as con:
        frame = locality.by_year(summary(con, Filters()))
    assert chart["data"][0]["y"] == pytest.approx(frame.loc[frame["group"] == "local", "value_share"].tolist())


def test_count_switch_from_the_url(open_page, small_store):
    app = open_page(small_store, "locality", measure="By count")
    years_chart = charts(app)[YEARS]
    local = years_chart["data"][0]
    assert local["x"] == ["2021-22 (part year)", "2023-24", "2024-25 (part year)"]
    assert local["y"] == pytest.approx([0, 2 / 4, 0])  # 2023-24: two of its four awards are local
    council_map = trace(charts(app)[COUNCIL_MAP], "Council areas")
    truth = by_hand_councils()
    assert council_map["marker"]["color"] == pytest.approx(
        [truth[a]["local_awards"] / truth[a]["awards"] for a in council_map["text"]])
    assert council_map["customdata"] == pytest.approx([truth[a]["awards"] for a in council_map["text"]])
    assert council_map["text"] == ["Leeds", "Essex", "Manchester"]  # most awards first (3, 2, 1)


def test_bubble_map_without_boundaries(open_page, unshaped_store):
    app = open_page(unshaped_store, "locality")
    chart = charts(app)[COUNCIL_MAP]
    assert [t["type"] for t in chart["data"]] == ["scattergeo", "scattergeo"]  # nothing that fetches a base map
    bubbles = trace(chart, "Council areas")
    assert trace(chart, "Area names")["text"] == ["Leeds", "Essex", "Manchester"]
    truth = by_hand_councils()
    areas = bubbles["text"]
    assert areas == ["Leeds", "Essex", "Manchester"]  # largest first
    assert bubbles["marker"]["size"] == pytest.approx([truth[a]["value"] for a in areas])
    assert bubbles["marker"]["color"] == pytest.approx([truth[a]["local_value"] / truth[a]["value"] for a in areas])
    assert bubbles["lat"] == pytest.approx([CENTRES[a][0] for a in areas])
    assert bubbles["lon"] == pytest.approx([CENTRES[a][1] for a in areas])
    assert chart["layout"]["geo"]["visible"] is False
    assert any("written before council boundaries came with the project" in c for c in captions(app))
    assert any(t.startswith("Across 3 council areas, the local share of award value ranges from 0% (Manchester)")
               for t in texts(app))


def test_council_table_equals_hand_sums(open_page, small_store):
    app = open_page(small_store, "locality")
    table = app.dataframe[0].value
    truth = by_hand_councils()
    assert table["council_area"].tolist() == ["Leeds", "Essex", "Manchester"]
    for _, row in table.iterrows():  # shares shown as percentages with one decimal
        t = truth[row["council_area"]]
        assert row["value_gbp"] == pytest.approx(t["value"])
        assert row["awards"] == pytest.approx(t["awards"])
        assert row["local_value_share"] == pytest.approx(100 * t["local_value"] / t["value"], abs=0.05)
        assert row["local_count_share"] == pytest.approx(100 * t["local_awards"] / t["awards"], abs=0.05)
        assert row["unknown_value_share"] == pytest.approx(100 * t["unknown_value"] / t["value"], abs=0.05)
        assert row["unknown_count_share"] == pytest.approx(100 * t["unknown_awards"] / t["awards"], abs=0.05)
    assert "Leeds has the highest local share of award value (22%), Manchester the lowest (0%)." in texts(app)


def test_supplier_map_defaults_to_the_largest_buyer(open_page, small_store):
    app = open_page(small_store, "locality")
    assert app.selectbox(key="map_buyer").value == LEEDS
    assert app.selectbox(key="map_buyer").options == [LEEDS, ESSEX, MANCHESTER]
    chart = charts(app)[SUPPLIER_MAP]
    mine = [(a, w) for a, w in zip(AWARDS, LOCALITY) if a[0] == LEEDS]
    for group, label in (("local", "Local"), ("same_region", "Same region"), ("elsewhere_uk", "Elsewhere in UK")):
        points = trace(chart, label)
        assert points["marker"]["size"] == pytest.approx([a[6] for a, w in mine if w == group])
    bradford = trace(chart, "Same region")
    assert (bradford["lat"][0], bradford["lon"][0]) == pytest.approx(centre("BD1"))
    star = trace(chart, "The buyer's area")
    assert (star["lat"][0], star["lon"][0]) == pytest.approx(CENTRES["Leeds"])
    assert ("Of £450k awarded by Leeds City Council, 22% went to local suppliers (Leeds); "
            "its suppliers are in 3 districts.") in texts(app)


def test_supplier_map_for_a_buyer_from_the_url(open_page, small_store):
    app = open_page(small_store, "locality", map_buyer=ESSEX)
    chart = charts(app)[SUPPLIER_MAP]
    # Over the boundaries; the supplier abroad cannot be placed.
    assert [t["name"] for t in chart["data"]] == ["Council boundaries", "Local", "The buyer's area"]
    assert trace(chart, "Local")["marker"]["size"] == pytest.approx([20_000])
    assert (trace(chart, "Local")["lat"][0], trace(chart, "Local")["lon"][0]) == pytest.approx(centre("CO1"))
    assert any(t.startswith("Of £100k awarded by Essex County Council, 20% went to local suppliers (Essex)")
               and t.endswith("80% went to suppliers that cannot be placed on the map.") for t in texts(app))


def test_sidebar_buyer_narrows_the_supplier_choice(open_page, small_store):
    app = open_page(small_store, "locality", buyer=[MANCHESTER])
    assert app.selectbox(key="map_buyer").options == [MANCHESTER]
    assert app.dataframe[0].value["council_area"].tolist() == ["Manchester"]


def test_no_matching_awards(open_page, small_store):
    app = open_page(small_store, "locality", buyer=[MANCHESTER], size=["SME"])
    assert "No awards match these filters." in [i.value for i in app.info]
    assert "No awards match these filters." in texts(app)


def test_choropleth_with_boundaries(open_page, shaped_store):
    app = open_page(shaped_store, "locality")
    chart = charts(app)[COUNCIL_MAP]
    assert {t["type"] for t in chart["data"]} == {"scattergeo"}
    background = chart["data"][0]
    assert background["name"] == "Council boundaries" and background["fill"] == "toself"
    assert np.isnan(array(background["lon"])).sum() == 5  # six rings (Colchester has two), one path
    fills = {t["meta"]: t for t in chart["data"] if t.get("meta")}
    assert set(fills) == {CODES["Leeds"], CODES["Essex"], CODES["Manchester"]}
    assert [t["meta"] for t in chart["data"] if t.get("meta")][0] == CODES["Essex"]  # largest area drawn first
    assert np.isnan(array(fills[CODES["Essex"]]["lon"])).sum() == 2  # Chelmsford, and Colchester's two parts
    truth = by_hand_councils()
    for area, code in CODES.items():
        share = truth[area]["local_value"] / truth[area]["value"]
        assert fills[code]["fillcolor"] == sample_colorscale(maps.LOCAL_SCALE, [share])[0]
    dots = trace(chart, "Council areas")
    assert dots["marker"]["color"] == pytest.approx(
        [truth[a]["local_value"] / truth[a]["value"] for a in ("Leeds", "Essex", "Manchester")])
    assert any("A county council's area is drawn as its districts" in c for c in captions(app))
    assert trace(chart, "Area names")["text"] == ["Leeds", "Essex", "Manchester"]
    # The supplier map draws the boundaries underneath its points.
    assert charts(app)[SUPPLIER_MAP]["data"][0]["name"] == "Council boundaries"


# --- Query functions on the small store ---------------------------------------------------

def test_councils_query(small_store):
    with store.read_only(small_store) as con:
        frame = locality.councils(con, Filters(), "count")
    assert frame["council_area"].tolist() == ["Essex", "Leeds", "Manchester"]  # by % local of awards
    assert frame["area_code"].tolist() == [CODES["Essex"], CODES["Leeds"], CODES["Manchester"]]
    assert frame["buyers"].tolist() == [1, 1, 1]
    assert frame["latitude"].tolist() == pytest.approx([CENTRES[a][0] for a in ("Essex", "Leeds", "Manchester")])
    assert frame["longitude"].tolist() == pytest.approx([CENTRES[a][1] for a in ("Essex", "Leeds", "Manchester")])
    assert frame["value_gbp"].sum() == pytest.approx(sum(a[6] for a in AWARDS))


def test_boundary_shapes_query(shaped_store):
    with store.read_only(shaped_store) as con:
        assert locality.has_boundaries(con)
        shapes = locality.boundary_shapes(con, Filters())
        leeds_only = locality.boundary_shapes(con, Filters(buyers=(LEEDS,)))
    assert shapes["area_code"].isna().sum() == 5  # the background: every boundary once
    members = shapes.dropna(subset=["area_code"]).groupby("area_code")["lad_code"].apply(sorted).to_dict()
    assert members == {CODES["Essex"]: ["E07000070", "E07000071"], CODES["Leeds"]: [CODES["Leeds"]],
                       CODES["Manchester"]: [CODES["Manchester"]]}
    assert leeds_only.dropna(subset=["area_code"])["area_code"].unique().tolist() == [CODES["Leeds"]]


def test_supplier_places_add_up_to_the_buyer(small_store):
    with store.read_only(small_store) as con:
        frame = locality.supplier_places(con, Filters(), ESSEX)
        home = locality.buyer_home(con, Filters(), ESSEX)
        options = locality.buyers(con, Filters())
    assert options == [LEEDS, ESSEX, MANCHESTER]
    assert frame["value_gbp"].sum() == pytest.approx(100_000)
    assert frame["awards"].sum() == pytest.approx(2)
    abroad = frame[frame["group"] == "outside_uk"].iloc[0]
    assert abroad["district"] == "Not placed" and pd.isna(abroad["latitude"])
    assert abroad["largest_suppliers"] == '=HYPERLINK("x") Ltd'  # raw here; downloads neutralise it
    assert home["area_name"] == "Essex" and (home["latitude"], home["longitude"]) == pytest.approx(CENTRES["Essex"])


def test_by_year_lists_every_locality_every_year(small_store):
    with store.read_only(small_store) as con:
        frame = locality.by_year(summary(con, Filters()))
        empty = locality.by_year(summary(con, Filters(buyers=(MANCHESTER,), supplier_sizes=("SME",))))
    assert len(frame) == 3 * len(GROUPS)
    assert frame.groupby("financial_year")["value_share"].sum().tolist() == pytest.approx([1, 1, 1])
    assert frame.groupby("financial_year")["count_share"].sum().tolist() == pytest.approx([1, 1, 1])
    assert empty.empty
    assert locality_words.year_reading(empty, "value") == "No awards with a date match these filters."
    assert locality_words.year_reading(frame, "count") == (
        "In 2024-25, 0% of awards went to local suppliers, the same as in 2021-22.")


# --- Figure helpers ----------------------------------------------------------------------

def test_rings_are_clockwise_without_holes():
    anticlockwise = {"type": "Polygon", "coordinates": [square(0, 50), square(0, 50, 0.01)]}
    rings = maps._rings(json.dumps(anticlockwise))
    assert len(rings) == 1  # the hole is left out
    assert maps._signed_area(rings[0]) < 0
    clockwise = {"type": "MultiPolygon", "coordinates": [[square(0, 50)[::-1]], [square(2, 50)]]}
    assert all(maps._signed_area(r) < 0 for r in maps._rings(json.dumps(clockwise)))


def test_names_are_plain_text_in_hover_labels():
    assert maps._escape("<b>A & B</b>") == "&lt;b&gt;A &amp; B&lt;/b&gt;"
    frame = pd.DataFrame([{"lad_code": "X", "district": "<i>Town</i>", "group": "local", "label": "Local",
                           "value_gbp": 10.0, "awards": 1.0, "suppliers": 1,
                           "largest_suppliers": "<a href='x'>Evil</a> Ltd", "latitude": 52.0, "longitude": -1.0}])
    figure = maps.supplier_map(frame, {"area_name": "Here", "latitude": 52.0, "longitude": -1.0}, "value")
    hover = figure.data[0].hovertext[0]
    assert "<a" not in hover and "<i>" not in hover and "&lt;a href=" in hover


# --- Demo store --------------------------------------------------------------------------

@pytest.mark.slow
def test_page_runs_on_the_demo_store(open_page, demo_store):
    path = demo_store
    app = open_page(path, "locality")
    assert len(charts(app)) == 4
    with store.read_only(path) as con:
        frame = locality.councils(con, Filters(), "value")
        everyone = locality.councils(con, Filters(), "value", with_other_bodies=True)
        total = breakdown(summary(con, Filters()), "locality")["value_gbp"].sum()
        councils_only = con.execute("SELECT sum(value_gbp) FROM awards WHERE buyer_council_code IS NOT NULL "
                                    "AND duplicate_of IS NULL").fetchone()[0]
    bubbles = trace(charts(app)[COUNCIL_MAP], "Council areas")
    shown = locality.placed(frame[frame["compared"]])
    shown = shown[shown["local_value_share"].notna()].sort_values("value_gbp", ascending=False, kind="stable")
    assert bubbles["marker"]["color"] == pytest.approx(shown["local_value_share"].tolist())
    assert bubbles["lat"] == pytest.approx(shown["latitude"].tolist())
    assert frame["value_gbp"].sum() == pytest.approx(councils_only)  # council buyers only, by default
    assert everyone["value_gbp"].sum() == pytest.approx(total)  # with the others: every award in one row


def test_unknown_buyer_in_the_url_falls_back(open_page, small_store):
    app = open_page(small_store, "locality", map_buyer="No Such Council")
    assert app.selectbox(key="map_buyer").value == LEEDS


def test_map_reading_counts_what_cannot_be_placed():
    frame = pd.DataFrame([
        {"council_area": "Leeds", "value_gbp": 300.0, "awards": 3.0, "local_value_share": 0.5,
         "local_count_share": 1 / 3, "latitude": 53.8, "longitude": -1.5, "compared": True},
        {"council_area": locality.NO_AREA, "value_gbp": 10_000.0, "awards": 1.0, "local_value_share": 0.0,
         "local_count_share": 0.0, "latitude": None, "longitude": None, "compared": False}])
    assert locality_words.council_map_reading(frame, "value") == (
        "In the one council area with enough awards to show, Leeds, 50% of award value went to local suppliers. "
        "£10k of award value is not on the map: the buyer's area could not be placed.")
    assert locality_words.council_map_reading(frame, "count").endswith("1 award is not on the map: the buyer's area could not be placed.")
