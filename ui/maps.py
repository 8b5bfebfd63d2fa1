"""Plotly figures for the Locality page: locality shares over time, the council map (shaded
council areas where boundaries are loaded, else bubbles at council centres), and one
buyer's suppliers by district. Plain Plotly, no Streamlit, so tests can read them.

Why `scattergeo` only: nothing may be fetched from the internet. Plotly's `choropleth`
trace fetches a world topojson from cdn.plot.ly even with the base map hidden (and draws
nothing when that fails), and the `*map` traces need WebGL and a tile server. A
`scattergeo` trace with the base layers hidden (geo.visible = False) fetches nothing, so
council areas are drawn as filled `scattergeo` polygons (one trace per area, coloured
from the same scale as the colour bar) and the colour bar and hover text come from a
marker at each area's centre.
"""

import math

import orjson
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

from queries import years
from queries.formatting import money, pct
from queries.locality import GROUPS, SHARE_COLUMNS, placed
from ui.charts import COLOURS

# Sequential scale for "% local": pale to the locality palette's local orange to dark.
LOCAL_SCALE = [[0.0, "#FDEBDD"], [0.5, COLOURS["local"]], [1.0, "#6B2A0C"]]
NO_SHARE_COLOUR = "#BFBFBF"  # an area whose awards carry no value to share
BACKGROUND_FILL, BACKGROUND_LINE = "#F3F2F1", "#B1B4B6"
HOME_COLOUR = "#0B0C0C"
# The United Kingdom, with a little margin (Scilly to Shetland, Fermanagh to Lowestoft).
UK_LON, UK_LAT = (-8.8, 2.1), (49.8, 61.0)
MAX_BUBBLE_PX = 40
LABELLED = 10  # the largest council areas are named on the bubble map
MEASURE_NAMES = {"value": "award value", "count": "awards"}


# --- Locality over time ------------------------------------------------------------------

def share_over_time(frame: pd.DataFrame, measure: str) -> go.Figure:
    """Stacked bars, one per financial year, each locality's share of value (or of awards)."""
    share_col = "value_share" if measure == "value" else "count_share"
    traces = []
    for group in GROUPS:
        part = frame[frame["group"] == group]
        if part.empty:
            continue
        amounts = [money(v) if measure == "value" else f"{v:,.0f} awards"
                   for v in part["value_gbp" if measure == "value" else "awards"]]
        traces.append(go.Bar(
            x=[years.shown_label(row) for row in part.to_dict("records")], y=part[share_col].tolist(),
            name=part["label"].iloc[0],
            marker_color=COLOURS[group], customdata=amounts,
            hovertemplate="%{fullData.name}, %{x}: %{y:.0%} (%{customdata})<extra></extra>"))
    figure = go.Figure(traces)
    figure.update_layout(barmode="stack", height=400, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                         yaxis={"tickformat": ".0%", "range": [0, 1], "title": f"Share of {MEASURE_NAMES[measure]}"},
                         xaxis={"title": "Financial year (April to March)", "type": "category"},
                         legend={"orientation": "h", "traceorder": "normal", "x": 0, "y": 1.02,
                                 "yanchor": "bottom"})
    return figure


# --- Council map -------------------------------------------------------------------------

def council_map(frame: pd.DataFrame, measure: str, shapes: pd.DataFrame | None = None) -> go.Figure:
    """% local by council area: shaded areas when `shapes` (from queries.locality.
    boundary_shapes) has any, else bubbles sized by value (or awards) at area centres."""
    share_col = SHARE_COLUMNS[measure]
    points = placed(frame)
    if shapes is not None and not shapes.empty:
        traces = [_background(shapes)] + _area_fills(points, shapes, share_col)
        traces.append(_centre_markers(points, measure, sized=False))
    else:
        traces = [_centre_markers(points, measure, sized=True)]
        no_share = points[points[share_col].isna()]
        if not no_share.empty:
            traces.append(go.Scattergeo(
                lat=no_share["latitude"].tolist(), lon=no_share["longitude"].tolist(), mode="markers",
                name="No value recorded", marker={"size": 6, "color": NO_SHARE_COLOUR},
                hovertext=[_council_hover(r, measure) for r in no_share.to_dict("records")], hoverinfo="text"))
    figure = go.Figure(traces)
    _uk_layout(figure, height=640, grid=shapes is None or shapes.empty)
    figure.update_layout(showlegend=False)
    return figure


def _centre_markers(points: pd.DataFrame, measure: str, sized: bool) -> go.Scattergeo:
    """One marker per council area with a share: coloured by % local (the colour bar); on
    the bubble map sized by value (or awards), largest first, with the largest areas named;
    over shaded areas a small dot; the hover text gives the figures."""
    share_col, amount_col = SHARE_COLUMNS[measure], "value_gbp" if measure == "value" else "awards"
    shown = points[points[share_col].notna()]
    if sized:  # the largest bubbles first, so smaller ones are drawn over them
        shown = shown.sort_values(amount_col, ascending=False, kind="stable")
    amounts = shown[amount_col].astype(float)
    named = set(amounts.sort_values(ascending=False, kind="stable").index[:LABELLED]) if sized else set()
    size = ({"size": amounts.tolist(), "sizemode": "area", "sizeref": _sizeref(amounts), "sizemin": 4,
             "opacity": 0.9} if sized else {"size": 7})
    return go.Scattergeo(
        lat=shown["latitude"].tolist(), lon=shown["longitude"].tolist(),
        mode="markers+text" if sized else "markers", name="Council areas",
        text=[_escape(name) if i in named else "" for i, name in shown["council_area"].items()],
        textposition="top center", textfont={"size": 11, "color": "#3D3D3D"},
        customdata=amounts.tolist(),
        hovertext=[_council_hover(r, measure) for r in shown.to_dict("records")], hoverinfo="text",
        marker={**size, "color": shown[share_col].tolist(), "colorscale": LOCAL_SCALE, "cmin": 0, "cmax": 1,
                "line": {"color": "white", "width": 1},
                "colorbar": {"title": {"text": f"% local<br>(by {'value' if measure == 'value' else 'count'})"},
                             "tickformat": ".0%", "thickness": 14}})


def _sizeref(amounts: pd.Series) -> float:
    """Plotly's area sizing: the largest bubble MAX_BUBBLE_PX across."""
    largest = float(amounts.max()) if len(amounts) else 0.0
    return 2.0 * largest / MAX_BUBBLE_PX ** 2 if largest > 0 else 1.0


def _council_hover(row, measure: str) -> str:
    basis = "value" if measure == "value" else "count"
    return (f"{_escape(row['council_area'])}<br>Local: {pct(row[SHARE_COLUMNS[measure]])} (by {basis})"
            f"<br>Unknown location: {pct(row[f'unknown_{basis}_share'])}"
            f"<br>{money(row['value_gbp'])}, {row['awards']:,.0f} awards")


def _area_fills(points: pd.DataFrame, shapes: pd.DataFrame, share_col: str) -> list[go.Scattergeo]:
    """One filled polygon trace per council area with a boundary, largest first so a district
    council's area is drawn over the county around it."""
    shares = dict(zip(points["area_code"], points[share_col]))
    areas = []
    for code, part in shapes[shapes["area_code"].notna()].groupby("area_code", sort=True):
        if code not in shares:
            continue
        rings = [ring for geometry in part["geometry"] for ring in _rings(geometry)]
        areas.append((sum(abs(_signed_area(r)) for r in rings), code, rings))
    names = dict(zip(points["area_code"], points["council_area"]))
    traces = []
    for _, code, rings in sorted(areas, key=lambda a: (-a[0], a[1])):
        share = shares[code]
        colour = NO_SHARE_COLOUR if share is None or pd.isna(share) else sample_colorscale(LOCAL_SCALE, [share])[0]
        lon, lat = _path(rings)
        traces.append(go.Scattergeo(lon=lon, lat=lat, mode="lines", fill="toself", fillcolor=colour,
                                    line={"color": "white", "width": 0.6}, name=_escape(names[code]),
                                    hoverinfo="skip", meta=code))
    return traces


def _background(shapes: pd.DataFrame) -> go.Scattergeo:
    """Every loaded boundary in pale grey: the outline of the country under the shaded areas."""
    rings = [ring for geometry in shapes.loc[shapes["area_code"].isna(), "geometry"] for ring in _rings(geometry)]
    lon, lat = _path(rings)
    return go.Scattergeo(lon=lon, lat=lat, mode="lines", fill="toself", fillcolor=BACKGROUND_FILL,
                         line={"color": BACKGROUND_LINE, "width": 0.4}, name="Council boundaries",
                         hoverinfo="skip", showlegend=False)


def _rings(geometry: str) -> list[list[tuple[float, float]]]:
    """The outer rings of a GeoJSON Polygon or MultiPolygon, clockwise (the orientation
    Plotly's geo projection fills inside; anticlockwise would fill the rest of the globe),
    rounded to about 10 m. Holes are left out: an enclosed area is drawn over them."""
    shape = orjson.loads(geometry)
    polygons = {"Polygon": [shape.get("coordinates") or []],
                "MultiPolygon": shape.get("coordinates") or []}.get(shape.get("type"), [])
    rings = []
    for polygon in polygons:
        if not polygon or len(polygon[0]) < 3:
            continue
        ring = [(round(float(x), 4), round(float(y), 4)) for x, y, *_ in polygon[0]]
        rings.append(ring[::-1] if _signed_area(ring) > 0 else ring)
    return rings


def _signed_area(ring: list[tuple[float, float]]) -> float:
    """Shoelace area in degrees squared: positive when the ring runs anticlockwise."""
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))


def _path(rings: list) -> tuple[list, list]:
    """Rings joined into one lon and one lat list, separated by None (separate polygons)."""
    lon, lat = [], []
    for ring in rings:
        if lon:
            lon.append(None)
            lat.append(None)
        lon.extend(x for x, _ in ring)
        lat.extend(y for _, y in ring)
    return lon, lat


# --- One buyer's suppliers ---------------------------------------------------------------

def supplier_map(frame: pd.DataFrame, home: dict, measure: str, shapes: pd.DataFrame | None = None) -> go.Figure:
    """One buyer's suppliers at their district centres, sized by value (or awards) and
    coloured by locality, with a star at the buyer's own area; boundaries, if loaded, as
    the background."""
    amount_col = "value_gbp" if measure == "value" else "awards"
    points = placed(frame)
    sizeref = _sizeref(points[amount_col])
    traces = [_background(shapes)] if shapes is not None and not shapes.empty else []
    for group in GROUPS:
        part = points[points["group"] == group]
        if part.empty:
            continue
        traces.append(go.Scattergeo(
            lat=part["latitude"].tolist(), lon=part["longitude"].tolist(), mode="markers",
            name=part["label"].iloc[0], customdata=part[amount_col].tolist(),
            marker={"size": [float(v or 0) for v in part[amount_col]], "sizemode": "area", "sizeref": sizeref,
                    "sizemin": 4, "color": COLOURS[group], "opacity": 0.85,
                    "line": {"color": "white", "width": 1}},
            hovertext=[_supplier_hover(r) for r in part.to_dict("records")], hoverinfo="text"))
    if not _missing(home.get("latitude")):
        traces.append(go.Scattergeo(
            lat=[home["latitude"]], lon=[home["longitude"]], mode="markers",
            name="The buyer's area", marker={"symbol": "star", "size": 16, "color": HOME_COLOUR,
                                             "line": {"color": "white", "width": 1}},
            hovertext=[f"The buyer's area: {_escape(home.get('area_name') or 'not named')}"], hoverinfo="text"))
    figure = go.Figure(traces)
    _uk_layout(figure, height=640, grid=shapes is None or shapes.empty)
    figure.update_layout(legend={"orientation": "h", "y": 1.02, "x": 0, "itemsizing": "constant"})
    return figure


def _supplier_hover(row) -> str:
    return (f"{_escape(row['district'])} ({row['label']})<br>{money(row['value_gbp'])}, "
            f"{row['awards']:,.0f} awards, {row['suppliers']:,} supplier{'s' if row['suppliers'] != 1 else ''}"
            f"<br>Largest: {_escape(row['largest_suppliers'] or '')}")


# --- Shared ------------------------------------------------------------------------------

def _uk_layout(figure: go.Figure, height: int, grid: bool) -> None:
    """A map of the United Kingdom with no base layers, so nothing is fetched; without
    boundaries to draw, faint 2-degree grid lines keep the points in proportion."""
    axis = {"showgrid": grid, "dtick": 2, "gridcolor": "#E5E5E5", "gridwidth": 0.5}
    figure.update_geos(visible=False, projection_type="mercator", bgcolor="rgba(0,0,0,0)",
                       lonaxis={**axis, "range": list(UK_LON)}, lataxis={**axis, "range": list(UK_LAT)})
    figure.update_layout(height=height, margin={"l": 0, "r": 0, "t": 10, "b": 0}, dragmode="pan")


def _escape(text) -> str:
    """Names as plain text in Plotly labels: Plotly reads a few HTML tags in text, so < > &
    are written as entities, which it shows as the characters themselves."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
