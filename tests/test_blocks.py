"""Every block of every registered page, with no Streamlit: a page is tested by being
registered. For each block and a few views (by value, by count, one council, local within
20 km): no exception; a chart's plotted numbers are numbers of its frame, its title,
reading and description are not empty, and its download holds its frame; a table's pages
are its rows in order, its total counts them, and its columns are in the vocabulary."""

import io
import math

import pandas as pd
import pytest

from loaders.storage import store
from queries.export import csv_bytes
from queries.filters import Filters
from ui import tables
from ui.blocks import Chart, Metrics, Table, View, figures_frame, text
from ui.registry import PAGES

VIEWS = {"by value": Filters(), "by count": Filters(measure="count"), "within 20 km": Filters(local_km=20)}


MODULES = {page.module: page.load() for page in PAGES}
CASES = [(name, block.name) for name, module in MODULES.items() for block in module.BLOCKS]


@pytest.fixture(scope="module")
def run(small_store):
    con = store.read_only(small_store)
    yield lambda function, *args: function(con, *args)
    con.close()


@pytest.fixture(scope="module")
def council(small_store) -> str:
    """The council with most award rows in the small store."""
    con = store.read_only(small_store)
    (name,), = con.execute("""SELECT buyer_name FROM awards WHERE buyer_type = 'local authority'
                              GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1""").fetchall()
    con.close()
    return name


def views(module, council: str, run) -> dict[str, View]:
    """The page's views: its default settings (INPUTS), with those of its example_inputs(run)
    hook (a council or supplier that shows every block with data), under each set of filters."""
    example = module.example_inputs(run) if hasattr(module, "example_inputs") else {}
    inputs = tuple(sorted({**getattr(module, "INPUTS", {}), **example}.items()))
    chosen = {**VIEWS, "one council": Filters(buyers=(council,))}
    return {name: View(filters, inputs) for name, filters in chosen.items()}


def test_every_page_declares_its_blocks():
    for name, module in MODULES.items():
        assert isinstance(module.BLOCKS, tuple), name
        assert all(isinstance(block, (Chart, Table, Metrics)) for block in module.BLOCKS), name
        names = [block.name for block in module.BLOCKS]
        assert len(names) == len(set(names)), f"{name}: two blocks share a name (their keys would clash)"


@pytest.mark.parametrize(("page", "name"), CASES)
def test_block(run, council, page, name):
    module = MODULES[page]
    block = next(b for b in module.BLOCKS if b.name == name)
    check = {Chart: check_chart, Table: check_table, Metrics: check_metrics}[type(block)]
    for label, view in views(module, council, run).items():
        if not isinstance(block, Metrics):  # headline figures may sit under the page's title
            assert text(block.title, view).strip(), (label, "title")
        check(block, run, view, label)


def check_chart(chart: Chart, run, view: View, label: str) -> None:
    frame = chart.data(run, view)
    view = chart.view_for(run, view)
    figure = chart.figure(frame, view)
    assert chart.reading(frame, view).strip(), (label, "reading")
    assert chart.alt(frame, view).strip(), (label, "alt")
    known = frame_numbers(frame)
    for trace in figure.data:
        for number in plotted(trace):
            assert any(math.isclose(number, k, rel_tol=1e-9, abs_tol=1e-9) for k in known), \
                f"{label}: {trace.type} {trace.name!r} plots {number}, which is not in the chart's frame"
    assert_notes(chart.notes, frame, view)
    assert_download_holds(frame, label)


def check_metrics(metrics: Metrics, run, view: View, label: str) -> None:
    figures = metrics.data(run, view)
    rows = metrics.rows(figures, view)
    assert rows and all(row for row in rows), label
    for name, shown in (item for row in rows for item in row):
        assert name.strip() and isinstance(shown, str) and shown.strip(), (label, name)
    if metrics.reading:
        assert metrics.reading(figures, view).strip(), (label, "reading")
    assert_notes(metrics.notes, figures, view)
    assert_download_holds(figures_frame(figures), label)
    assert len(figures_frame(figures)) == len(figures)


def assert_notes(notes, data, view: View) -> None:
    """Every note can be made from its block's data (a note may be empty: then none is drawn)."""
    for note in notes:
        assert isinstance(note(data, view) if callable(note) else note, str)


def check_table(table: Table, run, view: View, label: str) -> None:
    total = table.total(run, view)
    every = table.rows(run, view, None, 0).reset_index(drop=True)
    assert len(every) == total, f"{label}: the total says {total}, the rows are {len(every)}"
    size = table.page_size
    for offset in range(0, min(total, 3 * size), size):
        page = table.rows(run, view, size, offset).reset_index(drop=True)
        pd.testing.assert_frame_equal(page, every.iloc[offset:offset + size].reset_index(drop=True))
    missing = [c for c in table.columns if c not in every.columns or c not in tables.COLUMNS]
    assert not missing, f"{label}: columns not in the frame or the vocabulary: {missing}"
    if table.reading:
        assert table.reading(run, view, total).strip(), (label, "reading")
    assert_notes(table.notes, every.head(size), view)
    assert_download_holds(every, label)


def frame_numbers(frame: pd.DataFrame) -> list[float]:
    numbers = frame.select_dtypes("number").to_numpy(dtype=float, na_value=math.nan).ravel()
    return [float(n) for n in numbers if not math.isnan(n)]


def plotted(trace) -> list[float]:
    """The numbers a trace draws as amounts or shares (not positions such as map coordinates
    or a histogram's log-scale midpoints)."""
    if trace.type == "bar":
        values = trace.x if trace.orientation == "h" else trace.y
    elif trace.type == "scatter":
        values = trace.y
    elif trace.type == "scattergeo" and trace.marker is not None and isinstance(trace.marker.color, (list, tuple)):
        values = trace.marker.color
    else:
        return []
    return [float(v) for v in (values or ()) if isinstance(v, (int, float)) and not math.isnan(v)]


def assert_download_holds(frame: pd.DataFrame, label: str) -> None:
    """The CSV a user downloads has the frame's rows and columns, its counts whole."""
    expected = tables.for_download(frame)
    got = pd.read_csv(io.BytesIO(csv_bytes(expected)), keep_default_na=False)
    assert list(got.columns) == [str(c) for c in expected.columns], label
    assert len(got) == len(expected), label


def test_an_unknown_location_reads_unknown_not_a_size_group():
    frame = pd.DataFrame({"locality": ["unknown", "Unknown", "elsewhere_uk"]})
    assert tables.shown(frame)["locality"].tolist() == ["Unknown", "Unknown", "Elsewhere in UK"]
