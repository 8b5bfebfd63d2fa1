"""Plotly maps for the Locality page: the council map (council
areas shaded by their local share on the store's council boundaries, or, for a store not
written since the boundaries were shipped, bubbles at council centres), and one buyer's
suppliers by district. Plain Plotly, no Streamlit, so tests can read them.

Why `scattergeo` only: nothing may be fetched from the internet. Plotly's `choropleth`
trace fetches a world topojson from cdn.plot.ly even with the base map hidden (and draws
nothing when that fails), and the `*map` traces need WebGL and a tile server. A
`scattergeo` trace with the base layers hidden (geo.visible = False) fetches nothing, so
council areas are drawn as filled `scattergeo` polygons (one trace per area, coloured
from the same scale as the colour bar; an area made of several districts, such as a
county or a council that replaced its districts, is one fill with one outline) and the
colour bar and hover text come from a marker at each area's centre.

The figures set a height and no width: Streamlit draws them the width of the page. The
geo view is the United Kingdom (UK_LON, UK_LAT); the United Kingdom is taller than it is
wide, so at any page wider than about 400 px the map's scale is set by its height, and the
area names are chosen at that scale so that no two overlap (`_named`).
"""

import math
from functools import lru_cache

import numpy as np
import orjson
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import sample_colorscale

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
# The council map's margins leave room for its colour bar under the map, the supplier map's
# for its legend above; neither grows to fit them, so the map's scale is known (`_pixels`).
MAP_HEIGHT = 800
COUNCIL_MARGIN = {"l": 0, "r": 0, "t": 10, "b": 70, "autoexpand": False}
SUPPLIER_MARGIN = {"l": 0, "r": 0, "t": 40, "b": 10, "autoexpand": False}
MAX_BUBBLE_PX = 40
DOT_PX = 7  # the marker at an area's centre over the shaded areas
# Area names: at most LABELLED, the largest areas (by value, or by awards) first, each
# left out if its box would overlap a name already placed. The box is estimated from the
# font size: a character is at most LABEL_EM of it wide, a line LINE_EM of it high, with
# LABEL_GAP_PX of clear space around each name.
LABELLED, LABEL_PX, LABEL_EM, LINE_EM, LABEL_GAP_PX = 12, 11, 0.62, 1.25, 2


# --- Council map -------------------------------------------------------------------------

def council_map(frame: pd.DataFrame, measure: str, shapes: pd.DataFrame | None = None) -> go.Figure:
    """% local by council area: the areas shaded, over every boundary in grey, when `shapes`
    (from queries.locality.boundary_shapes) has any; else bubbles sized by value (or awards)
    at area centres. The largest areas are named, no two names overlapping."""
    share_col = SHARE_COLUMNS[measure]
    points = placed(frame)
    shaded = shapes is not None and not shapes.empty
    markers = _centre_markers(points, measure, sized=not shaded)
    if shaded:
        areas = _areas(points, shapes)
        traces = [_background(shapes), *_area_fills(areas, points, share_col), _outlines(areas), markers]
    else:
        traces = [markers]
        no_share = points[points[share_col].isna()]
        if not no_share.empty:
            traces.append(go.Scattergeo(
                lat=no_share["latitude"].tolist(), lon=no_share["longitude"].tolist(), mode="markers",
                name="No value recorded", marker={"size": 6, "color": NO_SHARE_COLOUR},
                hovertext=[_council_hover(r, measure) for r in no_share.to_dict("records")], hoverinfo="text"))
    traces.append(_area_names(markers))
    figure = go.Figure(traces)
    _uk_layout(figure, grid=not shaded, margin=COUNCIL_MARGIN)
    figure.update_layout(showlegend=False)
    return figure


def _centre_markers(points: pd.DataFrame, measure: str, sized: bool) -> go.Scattergeo:
    """One marker per council area with a share, largest first (by value, or awards): coloured
    by % local (the colour bar); on the bubble map sized by value (or awards), so smaller
    bubbles are drawn over larger ones; over shaded areas a small dot. `text` holds every
    area's name (not drawn: the names shown are the `_area_names` trace); the hover text
    gives the figures."""
    share_col, amount_col = SHARE_COLUMNS[measure], "value_gbp" if measure == "value" else "awards"
    shown = points[points[share_col].notna()]
    shown = shown.assign(_amount=shown[amount_col].astype(float)).sort_values(
        ["_amount", "council_area"], ascending=[False, True], kind="stable")
    amounts = shown["_amount"]
    size = ({"size": amounts.tolist(), "sizemode": "area", "sizeref": _sizeref(amounts), "sizemin": 4,
             "opacity": 0.9} if sized else {"size": DOT_PX})
    return go.Scattergeo(
        lat=shown["latitude"].tolist(), lon=shown["longitude"].tolist(), mode="markers", name="Council areas",
        text=[_escape(name) for name in shown["council_area"]], customdata=amounts.tolist(),
        hovertext=[_council_hover(r, measure) for r in shown.to_dict("records")], hoverinfo="text",
        marker={**size, "color": shown[share_col].tolist(), "colorscale": LOCAL_SCALE, "cmin": 0, "cmax": 1,
                "line": {"color": "white", "width": 1},
                # Under the middle of the map, wherever the page's width puts the map.
                "colorbar": {"title": {"text": f"% local (by {'value' if measure == 'value' else 'count'})",
                                       "side": "top"},
                             "orientation": "h", "x": 0.5, "xanchor": "center", "y": 0, "yanchor": "top",
                             "lenmode": "pixels", "len": 320, "thickness": 12, "tickformat": ".0%"}})


def _sizeref(amounts: pd.Series) -> float:
    """Plotly's area sizing: the largest bubble MAX_BUBBLE_PX across."""
    largest = float(amounts.max()) if len(amounts) else 0.0
    return 2.0 * largest / MAX_BUBBLE_PX ** 2 if largest > 0 else 1.0


def _council_hover(row, measure: str) -> str:
    basis = "value" if measure == "value" else "count"
    return (f"{_escape(row['council_area'])}<br>Local: {pct(row[SHARE_COLUMNS[measure]])} (by {basis})"
            f"<br>Unknown location: {pct(row[f'unknown_{basis}_share'])}"
            f"<br>{money(row['value_gbp'])}, {row['awards']:,.0f} awards")


# --- Area names --------------------------------------------------------------------------

def _area_names(markers: go.Scattergeo) -> go.Scattergeo:
    """The names of the areas `_named` picks, above their markers: a text trace over
    transparent copies of those markers, so Plotly sets each name clear of its dot or bubble."""
    chosen = _named(markers)

    def pick(values) -> list:
        return [values[i] for i in chosen]

    marker = markers.marker
    return go.Scattergeo(
        lat=pick(markers.lat), lon=pick(markers.lon), text=pick(markers.text), mode="markers+text",
        name="Area names", textposition="top center",
        textfont={"size": LABEL_PX, "color": "#3D3D3D", "shadow": "auto"},  # a halo: legible over any fill
        marker={"size": pick(_sizes(markers)), "sizemode": marker.sizemode or "diameter", "sizeref": marker.sizeref,
                "sizemin": marker.sizemin, "opacity": 0},
        hoverinfo="skip", showlegend=False)


def _named(markers: go.Scattergeo) -> list[int]:
    """Which markers to name, in the markers' own order (largest area first): greedily, a
    name is placed unless its box overlaps one placed before; at most LABELLED names."""
    placed_boxes, chosen = [], []
    for i, box in enumerate(label_boxes(markers)):
        if len(chosen) == LABELLED:
            break
        if not any(_overlap(box, other) for other in placed_boxes):
            placed_boxes.append(box)
            chosen.append(i)
    return chosen


def label_boxes(markers: go.Scattergeo) -> list[tuple[float, float, float, float]]:
    """(left, top, right, bottom) in pixels of each marker's name as Plotly draws it ("top
    center": centred over the marker, its bottom 1/0.8 of the marker's radius plus a pixel
    above the centre), at the scale the map is drawn at, with LABEL_GAP_PX of margin."""
    marker = markers.marker
    if marker.sizemode == "area":
        radii = [max(math.sqrt(float(s) / 2 / marker.sizeref), marker.sizemin or 0) for s in _sizes(markers)]
    else:
        radii = [float(s) / 2 for s in _sizes(markers)]
    boxes = []
    for lon, lat, text, radius in zip(markers.lon, markers.lat, markers.text, radii):
        x, y = _pixels(lon, lat)
        half = LABEL_EM * LABEL_PX * len(_unescape(text)) / 2 + LABEL_GAP_PX
        bottom = y - (radius / 0.8 + 1) + LABEL_GAP_PX
        boxes.append((x - half, bottom - LINE_EM * LABEL_PX - 2 * LABEL_GAP_PX, x + half, bottom))
    return boxes


def _sizes(markers: go.Scattergeo) -> list:
    """Each marker's size: its own, or the one size of them all."""
    size = markers.marker.size
    return list(size) if isinstance(size, (list, tuple)) else [size] * len(markers.lat or ())


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _pixels(lon: float, lat: float) -> tuple[float, float]:
    """Where Plotly's Mercator view of UK_LON x UK_LAT puts a point, in pixels from the
    view's top left, when the view is as tall as the plot area (pages wider than the map)."""
    top, bottom = _mercator_y(UK_LAT[1]), _mercator_y(UK_LAT[0])
    scale = (MAP_HEIGHT - COUNCIL_MARGIN["t"] - COUNCIL_MARGIN["b"]) / (top - bottom)
    return scale * math.radians(lon - UK_LON[0]), scale * (top - _mercator_y(lat))


def _mercator_y(lat: float) -> float:
    return math.log(math.tan(math.pi / 4 + math.radians(lat) / 2))


# --- Council areas -----------------------------------------------------------------------

def _areas(points: pd.DataFrame, shapes: pd.DataFrame) -> list[tuple[str, tuple]]:
    """(area code, its rings) of every council area on the map with a boundary, largest
    first, so a district council's area is drawn over the county around it."""
    wanted = set(points["area_code"])
    areas = []
    for code, part in shapes[shapes["area_code"].isin(wanted)].groupby("area_code", sort=True):
        rings = tuple(ring for geometry in part["geometry"] for ring in _rings(geometry))
        if rings:
            areas.append((sum(abs(_signed_area(r)) for r in rings), code, rings))
    return [(code, rings) for _, code, rings in sorted(areas, key=lambda a: (-a[0], a[1]))]


def _area_fills(areas: list, points: pd.DataFrame, share_col: str) -> list[dict]:
    """One filled trace per council area, its edges in its own colour so that the districts
    it is made of read as one area (`_outlines` draws its border). Plain dicts: a figure
    checks a dict's properties once, a trace object's twice (made, then copied into the
    figure), and a map of 400 areas has 400 of them."""
    shares = dict(zip(points["area_code"], points[share_col]))
    names = dict(zip(points["area_code"], points["council_area"]))
    known = [shares[code] for code, _ in areas if pd.notna(shares[code])]
    colours = iter(sample_colorscale(LOCAL_SCALE, known) if known else [])
    traces = []
    for code, rings in areas:
        colour = next(colours) if pd.notna(shares[code]) else NO_SHARE_COLOUR
        lon, lat = _path(rings)
        traces.append({"type": "scattergeo", "lon": lon, "lat": lat, "mode": "lines", "fill": "toself",
                       "fillcolor": colour, "line": {"color": colour, "width": 0.5}, "name": _escape(names[code]),
                       "hoverinfo": "skip", "meta": code})
    return traces


def _outlines(areas: list) -> go.Scattergeo:
    """The border of every council area in white, in one trace: the edges of its districts
    that no other of its districts shares (an edge shared inside an area is no border)."""
    lon, lat = _joined(run for _, rings in areas for run in _border(rings))
    return go.Scattergeo(lon=lon, lat=lat, mode="lines", line={"color": "white", "width": 0.8},
                         name="Council area borders", hoverinfo="skip", showlegend=False)


def _border(rings: tuple) -> list[list[tuple[float, float]]]:
    """The runs of the rings' edges that appear once among them (the boundaries of adjacent
    districts share their vertices, so an edge between two of the area's districts appears
    twice); a ring with no shared edge is one closed run."""
    edges = {}
    for ring in rings:
        for a, b in zip(ring, ring[1:] + ring[:1]):
            key = (a, b) if a <= b else (b, a)
            edges[key] = edges.get(key, 0) + 1
    runs = []
    for ring in rings:
        closed = ring + ring[:1]
        outer = [edges[(a, b) if a <= b else (b, a)] == 1 for a, b in zip(closed, closed[1:])]
        if all(outer):
            runs.append(closed)
            continue
        start = outer.index(False)  # begin at a shared edge, so no run wraps round the ring's end
        run = []
        for k in range(1, len(outer) + 1):
            i = (start + k) % len(outer)
            if outer[i]:
                run = run or [closed[i]]
                run.append(closed[i + 1])
            elif run:
                runs.append(run)
                run = []
        if run:
            runs.append(run)
    return runs


def _background(shapes: pd.DataFrame) -> go.Scattergeo:
    """Every stored boundary in pale grey: the outline of the country under the shaded areas."""
    rings = [ring for geometry in shapes.loc[shapes["area_code"].isna(), "geometry"] for ring in _rings(geometry)]
    lon, lat = _path(rings)
    return go.Scattergeo(lon=lon, lat=lat, mode="lines", fill="toself", fillcolor=BACKGROUND_FILL,
                         line={"color": BACKGROUND_LINE, "width": 0.4}, name="Council boundaries",
                         hoverinfo="skip", showlegend=False)


@lru_cache(maxsize=2048)
def _rings(geometry: str) -> tuple[list[tuple[float, float]], ...]:
    """The outer rings of a GeoJSON Polygon or MultiPolygon, clockwise (the orientation
    Plotly's geo projection fills inside; anticlockwise would fill the rest of the globe),
    rounded to about 10 m, without the closing point. Holes are left out: an enclosed area
    is drawn over them. Cached: the same boundaries are drawn on every rerun (callers must
    not change the lists)."""
    shape = orjson.loads(geometry)
    polygons = {"Polygon": [shape.get("coordinates") or []],
                "MultiPolygon": shape.get("coordinates") or []}.get(shape.get("type"), [])
    rings = []
    for polygon in polygons:
        if not polygon or len(polygon[0]) < 3:
            continue
        ring = [(round(float(x), 4), round(float(y), 4)) for x, y, *_ in polygon[0]]
        if ring[0] == ring[-1]:
            ring = ring[:-1]
        if len(ring) >= 3:
            rings.append(ring[::-1] if _signed_area(ring) > 0 else ring)
    return tuple(rings)


def _signed_area(ring: list[tuple[float, float]]) -> float:
    """Shoelace area in degrees squared: positive when the ring runs anticlockwise."""
    return 0.5 * sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:] + ring[:1]))


def _path(rings) -> tuple[np.ndarray, np.ndarray]:
    """Rings closed and joined into one lon and one lat array, separated by NaN (a gap:
    separate polygons). Arrays, not lists: Plotly takes them without checking each of the
    tens of thousands of points, and sends them to the browser as binary."""
    return _joined(ring + ring[:1] for ring in rings)


def _joined(lines) -> tuple[np.ndarray, np.ndarray]:
    """Lines of (lon, lat) points as one lon and one lat array, NaN between lines."""
    points = []
    for line in lines:
        if points:
            points.append((math.nan, math.nan))
        points.extend(line)
    joined = np.array(points, dtype=np.float32).reshape(-1, 2)  # under 1 m at 61°N: ample for 10 m points
    return joined[:, 0], joined[:, 1]


# --- One buyer's suppliers ---------------------------------------------------------------

def supplier_map(frame: pd.DataFrame, home: dict, measure: str, shapes: pd.DataFrame | None = None) -> go.Figure:
    """One buyer's suppliers at their district centres, sized by value (or awards) and
    coloured by locality, with a star at the buyer's own area; the store's boundaries, if it
    holds any, as the background."""
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
    _uk_layout(figure, grid=shapes is None or shapes.empty, margin=SUPPLIER_MARGIN)
    figure.update_layout(legend={"orientation": "h", "y": 1.0, "yanchor": "bottom", "x": 0.5, "xanchor": "center",
                                 "itemsizing": "constant"})
    return figure


def _supplier_hover(row) -> str:
    return (f"{_escape(row['district'])} ({row['label']})<br>{money(row['value_gbp'])}, "
            f"{row['awards']:,.0f} awards, {row['suppliers']:,} supplier{'s' if row['suppliers'] != 1 else ''}"
            f"<br>Largest: {_escape(row['largest_suppliers'] or '')}")


# --- Shared ------------------------------------------------------------------------------

def _uk_layout(figure: go.Figure, grid: bool, margin: dict) -> None:
    """A map of the United Kingdom with no base layers, so nothing is fetched; without
    boundaries to draw, faint 2-degree grid lines keep the points in proportion. A height
    and no width: the figure is as wide as the page it is drawn in."""
    axis = {"showgrid": grid, "dtick": 2, "gridcolor": "#E5E5E5", "gridwidth": 0.5}
    figure.update_geos(visible=False, projection_type="mercator", bgcolor="rgba(0,0,0,0)",
                       lonaxis={**axis, "range": list(UK_LON)}, lataxis={**axis, "range": list(UK_LAT)})
    figure.update_layout(height=MAP_HEIGHT, autosize=True, margin=margin, dragmode="pan")


def _escape(text) -> str:
    """Names as plain text in Plotly labels: Plotly reads a few HTML tags in text, so < > &
    are written as entities, which it shows as the characters themselves."""
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _unescape(text: str) -> str:
    """The characters `_escape` wrote as entities, for measuring a name as it is shown."""
    return str(text).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _missing(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))
