"""AppTest of the dashboard: every page runs, figures equal independent sums, charts equal
their query results, filters come from the URL, and an empty store gets a helpful message."""

import json
import os
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from loaders.storage import store
from queries.filters import Filters
from queries.overview import breakdown, summary, trend
from tests.app_fixtures import AWARDS
from tests.conftest import chart_specs
from ui.registry import PAGES

pytestmark = pytest.mark.usefixtures("small_numbers_off")  # figures on a few awards

APP = str(Path(__file__).resolve().parents[1] / "dashboard.py")

# Ground truth for the fixture, worked out by hand from tests/app_fixtures.AWARDS.
LOCALITY = ("local", "same_region", "elsewhere_uk", "local", "outside_uk", "unknown")
SME = (True, False, True, True, False, False)
VCSE = (True, False, False, False, False, False)


def metrics(app: AppTest) -> dict:
    return {m.label: m.value for m in app.metric}


def share(flags, values=None) -> str:
    values = values or [1] * len(flags)
    return f"{100 * sum(v for f, v in zip(flags, values) if f) / sum(values):.0f}%"


def test_headline_equals_independent_sums(open_page, small_store):
    values = [a[6] for a in AWARDS]
    shown = metrics(open_page(small_store))
    assert shown["Total award value"] == "£560k"
    assert shown["Awards"] == str(len(AWARDS))
    assert shown["Local (by value)"] == share([x == "local" for x in LOCALITY], values)
    assert shown["Local (by count)"] == share([x == "local" for x in LOCALITY])
    assert shown["SME (by value)"] == share(SME, values)
    assert shown["SME (by count)"] == share(SME)
    assert shown["VCSE (by value)"] == share(VCSE, values)
    assert shown["VCSE (by count)"] == share(VCSE)


def test_charts_draw_the_query_results(open_page, small_store):
    app = open_page(small_store)
    assert not app.exception
    charts = [json.loads(c.proto.spec) for c in app.get("plotly_chart")]
    assert len(charts) == 4
    with store.read_only(small_store) as con:
        for chart, dimension in zip(charts, ("provider", "locality", "value_band")):
            frame = breakdown(summary(con, Filters()), dimension)
            bar = chart["data"][0]
            assert bar["y"] == frame["label"].tolist()
            assert bar["x"] == pytest.approx(frame["value_gbp"].tolist())
        years = trend(summary(con, Filters()), "value")
    local_line = charts[3]["data"][0]
    # Every year from the first to the last, 2022-23 (no awards) included with no share.
    assert years["financial_year"].tolist() == ["2021-22", "2022-23", "2023-24", "2024-25"]
    # The data run from January 2022 to June 2024: the first and last years are part years.
    assert local_line["x"] == ["2021-22 (part year)", "2022-23", "2023-24", "2024-25 (part year)"]
    assert local_line["y"][1] is None and years["local_share"].isna().tolist() == [False, True, False, False]
    assert [y for y in local_line["y"] if y is not None] == pytest.approx(years["local_share"].dropna().tolist())


def test_count_switch_from_url_draws_counts(open_page, small_store):
    app = open_page(small_store, measure="By count")  # bound controls use their labels
    bar = json.loads(app.get("plotly_chart")[1].proto.spec)["data"][0]
    expected = [LOCALITY.count(g) for g in ("local", "same_region", "elsewhere_uk", "outside_uk", "unknown")]
    assert bar["x"] == pytest.approx(expected)


def test_filters_come_from_the_url(open_page, small_store):
    app = open_page(small_store, buyer=["Leeds City Council"], **{"from": "2024-01-01"})
    assert app.session_state["filters"] == Filters(date_from=__import__("datetime").date(2024, 1, 1),
                                                   buyers=("Leeds City Council",))
    assert metrics(app)["Total award value"] == "£350k"
    assert "Leeds City Council" in app.text[0].value


def test_locality_reading_names_the_largest_group(open_page, small_store):
    texts = [t.value for t in open_page(small_store).text]
    assert any(t.startswith("The largest group is Same region, with 54% of award value") for t in texts)


def test_no_store_shows_a_helpful_message(open_page, tmp_path):
    app = open_page(tmp_path / "missing.duckdb")
    assert not app.exception
    assert "python -m loaders demo" in app.info[0].value


def test_empty_store_shows_a_helpful_message(open_page, tmp_path):
    path = tmp_path / "empty.duckdb"
    with store.writing(path):
        pass
    app = open_page(path)
    assert not app.exception
    assert "No award data yet" in app.info[0].value


def test_no_demo_banner_on_real_data(open_page, small_store):
    assert not open_page(small_store).warning


def test_demo_store_shows_the_banner(open_page, demo_store):
    app = open_page(demo_store)
    assert not app.exception
    assert app.warning[0].value.startswith("Demo data: invented suppliers")


@pytest.mark.parametrize("page", [p.module for p in PAGES])
def test_every_page_runs_on_the_demo_store(open_page, demo_store, page):
    app = open_page(demo_store, page)
    assert not app.exception
    assert app.title


def test_local_within_km_from_the_url(open_page, small_store):
    # Leeds LS1 -> LS6 is about 3 km; Bradford 13 km; Manchester 47 km; Colchester from
    # Chelmsford 35 km; so within 20 km: local are 100k (Leeds) + 300k (Bradford) of 560k.
    app = open_page(small_store, local="within 20 km of the buyer")
    assert app.session_state["filters"].local_km == 20
    assert metrics(app)["Local (by value)"] == f"{100 * 400_000 / 560_000:.0f}%"
    assert "within 20 km of the buyer" in app.text[0].value


CF_SAMPLE = Path(__file__).resolve().parents[2] / "shared" / "data" / "contracts-finder"
SECTORS = CF_SAMPLE.parent / "geography" / "postcode_sector_centroids_lad.csv.gz"


@pytest.fixture(scope="module")
def real_store(tmp_path_factory) -> Path:
    """A store loaded from the real Contracts Finder sample (skipped when it is absent)."""
    files = sorted(CF_SAMPLE.glob("*.json"))
    if not files or not SECTORS.is_file():
        pytest.skip(f"{CF_SAMPLE} is absent")
    from loaders.storage.loading import import_files
    path = tmp_path_factory.mktemp("real") / "real.duckdb"
    import_files(files, path, [SECTORS])
    return path


@pytest.mark.realdata
@pytest.mark.parametrize("page", [p.module for p in PAGES])
def test_every_page_runs_on_the_real_sample(open_page, real_store, page):
    app = open_page(real_store, page)
    assert not app.exception
    assert not app.warning  # no demo banner on real data
    assert app.title


def test_every_page_file_is_registered():
    # A page file left out of the registry would be unreachable and untested.
    assert sorted(p.name for p in (Path(APP).parent / "pages").glob("*.py")) == sorted(
        Path(p.script).name for p in PAGES)


def test_a_chart_is_made_once_for_every_session_opening_its_view(open_page, small_store, tmp_path, monkeypatch):
    """Many visitors opening the same link share the chart made for the first (widgets.made_once):
    the second session draws the same figures without building them again; another measure, or
    a changed store, builds them anew."""
    from ui import provider_size_charts, widgets
    made = []

    def counted(frame, measure, split):
        made.append((measure, split))
        return stack(frame, measure, split)
    stack = provider_size_charts.provider_stack
    monkeypatch.setattr(provider_size_charts, "provider_stack", counted)
    widgets._made.clear()
    path = tmp_path / "awards.duckdb"
    shutil.copyfile(small_store, path)
    first = chart_specs(open_page(path, "provider_size"))
    assert len(made) == 4  # years, buyer types, categories, CPV divisions
    assert chart_specs(open_page(path, "provider_size")) == first
    assert len(made) == 4
    open_page(path, "provider_size", measure="By count")
    assert len(made) == 8 and {measure for measure, _ in made[4:]} == {"count"}
    changed = path.stat().st_mtime + 10
    os.utime(path, (changed, changed))
    assert chart_specs(open_page(path, "provider_size")) == first
    assert len(made) == 12
