"""The blocks a page is made of, and the one way each is drawn.

A page declares its blocks (`BLOCKS`, a tuple of `Chart` and `Table`) and draws them with
`show`. A chart is its data, its figure, a one-sentence reading, a text description and
downloads of exactly what it draws; a table is its rows a page at a time (LIMIT/OFFSET in
SQL, with a total), its columns in the one vocabulary of ui/tables.py, and downloads of
every row. Every download goes through `downloads` (CSV and XLSX with an About sheet,
formula-neutralised).

Declarations are plain data: the generic tests and the benchmark run every block of every
registered page through `frame` and `rows`, with no Streamlit, on any connection.
"""

import math
from dataclasses import dataclass, field, replace
from typing import Any, Callable

import pandas as pd
import streamlit as st

from queries import overview, sources, years
from queries.export import about, csv_bytes, xlsx_bytes
from queries.filters import Filters
from queries.rows import ROW_CAP, filtered_rows
from readings import breakdowns
from ui import charts, tables, widgets

XLSX_ROWS = 1_048_575  # a worksheet's rows, less the header: larger tables download as CSV only
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

Run = Callable[..., Any]  # run(query, *args) -> query(con, *args): in the app, cached on the store version


@dataclass(frozen=True)
class View:
    """What a page shows: the shared filters (with the measure) and the page's own settings
    (value bands, a cap, a search), as name-value pairs so a View is hashable."""
    filters: Filters
    inputs: tuple[tuple[str, Any], ...] = ()

    @property
    def measure(self) -> str:
        return self.filters.measure

    def __getitem__(self, name: str) -> Any:
        return dict(self.inputs)[name]

    def get(self, name: str, default: Any = None) -> Any:
        return dict(self.inputs).get(name, default)

    def having(self, **inputs) -> "View":
        """The same view with these page settings set (others kept)."""
        return replace(self, inputs=tuple(sorted({**dict(self.inputs), **inputs}.items())))


Text = str | Callable[[View], str]
# A caption under a block: fixed, or made from the block's data (a chart's frame, the page of a
# table shown, the dict of a Metrics block's figures).
Note = str | Callable[[Any, View], str]


@dataclass(frozen=True)
class Chart:
    """A chart: `data(run, view)` gives the frame it draws; `figure`, `reading` and `alt`
    turn that frame into the Plotly figure, the sentence above it and its description."""
    name: str  # the widget keys and the downloads' file names
    title: Text
    data: Callable[[Run, View], pd.DataFrame]
    figure: Callable[[pd.DataFrame, View], Any]
    reading: Callable[[pd.DataFrame, View], str]
    alt: Callable[[pd.DataFrame, View], str]
    notes: tuple[Note, ...] = ()  # captions under the chart
    stem: Text = ""  # the downloads' file name before the filters (default: the name)
    # What the figure, reading and notes need beyond the frame they draw (a map's outlines,
    # the thresholds in force), set in the view they are given: `view[name]`.
    context: Callable[[Run, View], dict] | None = None

    def view_for(self, run: Run, view: View) -> View:
        """The view the chart's figure, reading, alt and notes are made in."""
        return view.having(**self.context(run, view)) if self.context else view


@dataclass(frozen=True)
class Table:
    """A table: `rows(run, view, limit, offset)` gives one page of rows in the table's order
    (limit None: every row, for the download), `total(run, view)` how many there are."""
    name: str
    title: Text
    rows: Callable[[Run, View, int | None, int], pd.DataFrame]
    total: Callable[[Run, View], int]
    columns: tuple[str, ...] = ()  # names in ui/tables.COLUMNS, in order; empty: the frame's own
    reading: Callable[[Run, View, int], str] | None = None  # the sentence above the table (given the total)
    notes: tuple[Note, ...] = ()  # captions under the table (a callable gets the page shown)
    page_size: int = 100
    page_key: str = ""  # the URL key of the page number (default "<name>-page")
    settings: dict = field(default_factory=dict)  # st.dataframe settings, e.g. height
    stem: Text = ""  # the downloads' file name before the filters (default: the name)


@dataclass(frozen=True)
class Metrics:
    """Headline figures: `data(run, view)` gives a dict of figures, `rows(figures, view)` the
    metrics drawn from it as rows of (label, shown value). The download holds every figure."""
    name: str
    title: Text  # "" for none (a page's headline sits under its title)
    data: Callable[[Run, View], dict]
    rows: Callable[[dict, View], list[list[tuple[str, str]]]]
    reading: Callable[[dict, View], str] | None = None  # the sentence above the metrics
    notes: tuple[Note, ...] = ()


Block = Chart | Table | Metrics


def text(value: Text, view: View) -> str:
    return value(view) if callable(value) else value


def by_measure(function: Callable, *args) -> Callable[[pd.DataFrame, View], Any]:
    """`function(frame, measure, *args)` as a block's figure, reading or alt."""
    def call(frame: pd.DataFrame, view: View):
        return function(frame, view.measure, *args)
    call.__qualname__ = f"by_measure({function.__qualname__})"
    return call


def of_frame(function: Callable) -> Callable[[pd.DataFrame, View], Any]:
    """`function(frame)` as a block's figure, reading or alt (one that draws both measures)."""
    def call(frame: pd.DataFrame, view: View):
        return function(frame)
    call.__qualname__ = f"of_frame({function.__qualname__})"
    return call


def from_summary(reshape: Callable, *args) -> Callable[[Run, View], pd.DataFrame]:
    """A block's data reshaped from the one grouped scan of the filtered awards
    (queries.overview.summary): the scan runs once a rerun however many blocks share it."""
    def data(run: Run, view: View) -> pd.DataFrame:
        return reshape(run(overview.summary, view.filters), *args)
    data.__qualname__ = f"from_summary({reshape.__qualname__})"
    return data


def breakdown(dimension: str, subject: str, heading: str) -> Chart:
    """The bar chart of one breakdown of the filtered awards (provider size, supplier location,
    value band), as the Overview, Provider size and Locality pages show it: "Spend by
    <heading>" by value, "Awards by <heading>" by count."""
    def title(view: View) -> str:
        return f"{'Spend' if view.measure == 'value' else 'Awards'} by {heading}"
    return Chart(dimension, title, from_summary(overview.breakdown, dimension), by_measure(charts.breakdown_bar),
                 by_measure(breakdowns.largest_group), by_measure(breakdowns.bar_alt, subject))


def sources_table(title: str, note: str) -> Table:
    """What the store holds per source and when each was last loaded and refreshed (the
    Methodology and Data pages both show it)."""
    return Table("sources", title, lambda run, view, limit, offset: run(sources.source_rows, limit, offset),
                 lambda run, view: run(sources.source_count), sources.STATUS_COLUMNS, notes=(note,))


def period(run: Run, view: View) -> years.Period | None:
    """The days the data under the view's filters covers (to mark part financial years)."""
    return years.period_of(run(overview.store_facts), view.filters)


def sliced(frame: pd.DataFrame, limit: int | None, offset: int) -> pd.DataFrame:
    """One page of a frame a query has already sorted (for tables reshaped in pandas)."""
    return frame.iloc[offset:] if limit is None else frame.iloc[offset:offset + limit]


def paged_frame(frame_of: Callable[[Run, View], pd.DataFrame]) -> tuple:
    """A table's rows and total from a small frame worked out whole: (rows, total), the
    first two arguments of a Table."""
    return (lambda run, view, limit, offset: sliced(frame_of(run, view), limit, offset),
            lambda run, view: len(frame_of(run, view)))


# --- Drawing (Streamlit) --------------------------------------------------------------------

def show(blocks: tuple[Block, ...], view: View) -> None:
    """Draw blocks in order, each in the one way of its kind."""
    drawers = {Chart: chart_block, Table: table_block, Metrics: metrics_block}
    for block in blocks:
        drawers[type(block)](block, view)


def figures_frame(figures: dict) -> pd.DataFrame:
    """Headline figures as rows of (figure, value): what a Metrics block downloads."""
    return pd.DataFrame({"figure": list(figures), "value": list(figures.values())})


def metrics_block(metrics: Metrics, view: View) -> None:
    """Rows of st.metric under an optional title and reading, with notes and a download."""
    figures = metrics.data(widgets.query, view)
    if text(metrics.title, view):
        st.subheader(text(metrics.title, view))
    if metrics.reading:
        st.text(metrics.reading(figures, view))
    for row in metrics.rows(figures, view):
        for column, (label, value) in zip(st.columns(len(row)), row):
            column.metric(label, value)
    _notes(metrics.notes, figures, view)
    frame = figures_frame(figures)
    downloads(lambda: frame, len(frame), view.filters, metrics.name, "these figures")


@dataclass(frozen=True)
class Drawn:
    """A chart made ready to draw: its frame, the view its figure was made in (with the
    chart's context), its reading, Plotly figure and description."""
    frame: pd.DataFrame
    view: View
    reading: str
    figure: Any
    alt: str


def drawn(chart: Chart, view: View) -> Drawn:
    """Everything of a chart that depends only on the store and the view: made once for
    every session that opens the same view (widgets.made_once), so a cached rerun does not
    reshape frames or rebuild figures again."""
    frame = chart.data(widgets.query, view)
    view = chart.view_for(widgets.query, view)
    return Drawn(frame, view, chart.reading(frame, view), chart.figure(frame, view), chart.alt(frame, view))


def chart_block(chart: Chart, view: View) -> None:
    """The chart under its title and reading, its description, notes and data downloads."""
    made = widgets.made_once(chart.name, view, lambda: drawn(chart, view))
    frame, view = made.frame, made.view
    st.subheader(text(chart.title, view))
    st.text(made.reading)  # plain text: names in readings are never rendered as Markdown
    stem = f"{text(chart.stem, view) or chart.name}_{view.filters.slug()}"
    st.plotly_chart(made.figure, key=f"chart-{chart.name}",
                    config={"displaylogo": False, "toImageButtonOptions": {"filename": stem}})
    st.caption(f"Chart description: {widgets.plain(made.alt)}")
    _notes(chart.notes, frame, view)
    downloads(lambda: frame, len(frame), view.filters, chart.name, "data", text(chart.stem, view))


def table_block(table: Table, view: View) -> None:
    """The table a page at a time, with its reading, notes and downloads of every row."""
    total = table.total(widgets.query, view)
    st.subheader(text(table.title, view))
    if table.reading:
        st.text(table.reading(widgets.query, view, total))
    offset = pager(total, table.page_size, table.page_key or f"{table.name}-page")
    shown = table.rows(widgets.query, view, table.page_size, offset)
    tables.table(shown, table.name, table.columns or None, **table.settings)
    _notes(table.notes, shown, view)
    if total:
        downloads(lambda: table.rows(widgets.query, view, None, 0), total, view.filters, table.name,
                  f"all {total:,} rows" if total > table.page_size else "the table", text(table.stem, view))


def _notes(notes: tuple[Note, ...], data: Any, view: View) -> None:
    for note in notes:
        shown = note(data, view) if callable(note) else note
        if shown:
            st.caption(shown)  # the page's own Markdown; names go in readings, never in notes


def pager(total: int, page_size: int, key: str) -> int:
    """The one page picker (bound to the URL, so a link opens the same page); returns the row
    offset. A page number past the last is said so, and the last page shown."""
    pages = max(1, math.ceil(total / page_size))
    if pages == 1:  # no picker to draw, but a link may still ask for a later page
        asked = st.query_params.get(key, "1")
        if asked != "1":
            st.warning(f"There is no page {asked}: the table has one page, so it is shown.", icon="🔗")
        return 0
    page = st.number_input(f"Page (1 to {pages:,}, {page_size} rows each)", min_value=1, value=1, step=1,
                           key=key, bind="query-params")
    page = int(page or 1)
    if page > pages:
        st.warning(f"There is no page {page:,}: the table has {pages:,} pages, so the last is shown.", icon="🔗")
        page = pages
    first = (page - 1) * page_size
    st.text(f"Page {page:,} of {pages:,}: rows {first + 1:,} to {min(first + page_size, total):,} of {total:,}.")
    return first


def downloads(make: Callable[[], pd.DataFrame], rows: int, filters: Filters, name: str, what: str,
              stem: str = "") -> None:
    """The one download path: CSV and XLSX (with an About sheet) of `make()`, formula-safe,
    named after the view (`stem`, default the block's name, then the filters). Files are
    made only when clicked, so a rerun pays for none; `name` keys the buttons."""
    stem = f"{stem or name}_{filters.slug()}"
    left, right = st.columns(2)
    left.download_button(f"Download {what} (CSV)", lambda: csv_bytes(tables.for_download(make())),
                         file_name=f"{stem}.csv", mime="text/csv", key=f"csv-{name}", on_click="ignore")
    if rows <= XLSX_ROWS:
        right.download_button(f"Download {what} (XLSX)",
                              lambda: xlsx_bytes(tables.for_download(make()), _about(filters)),
                              file_name=f"{stem}.xlsx", mime=XLSX, key=f"xlsx-{name}", on_click="ignore")
    else:
        right.caption(f"{rows:,} rows are more than a spreadsheet holds: download them as CSV.")


def rows_download(filters: Filters, name: str = "award-rows", what: str = "the award rows behind these figures") -> None:
    """Every filtered award row (all columns, notice links): the rows behind a page's figures."""
    downloads(lambda: widgets.query(filtered_rows, filters), ROW_CAP, filters, name, what)


def _about(filters: Filters) -> pd.DataFrame:
    facts = widgets.query(overview.store_facts)
    return about(filters.describe(), f"{', '.join(facts['sources'])} notices (OCDS), "
                                     f"awards dated {facts['first_award_date']} to {facts['last_award_date']}")
