"""Council boundaries for the maps: the shipped district outlines, or a newer edition read
from a GeoJSON file or downloaded, stored as the store's `boundaries` table.

The project ships the ONS district boundaries of December 2022, simplified
(data/geography/, with their provenance), and every write brings a store that has no
`boundaries` table up to date with them (`ensure`, from store.bring_up_to_date): every
store the loaders make has council outlines, offline. `python -m loaders geography
boundaries` replaces them with another edition (`load`), which later writes keep. Its
default download is the ONS Open Geography Portal's generalised (BUC) district boundaries
as GeoJSON; the service name changes with each edition, so the URL can be given (`--url`
or $BOUNDARIES_URL).

Councils created after the edition in use (North Yorkshire, Cumberland, Westmorland and
Furness and Somerset, April 2023, against the 2022 edition) need no shape of their own:
queries.locality.boundary_shapes draws a council area with no boundary of its own as the
districts the council register puts in it, as it draws a county.
"""

import os
import re
from pathlib import Path
from typing import TYPE_CHECKING

import orjson
import pandas as pd

from loaders.errors import InputError

if TYPE_CHECKING:
    from loaders.sources.fetching import Fetcher

SHIPPED = Path(__file__).resolve().parents[2] / "data" / "geography" / "lad_2022_uk_simplified.geojson"
URL_ENV = "BOUNDARIES_URL"
DEFAULT_URL = ("https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/"
               "Local_Authority_Districts_December_2024_Boundaries_UK_BUC/FeatureServer/0/query"
               "?where=1%3D1&outFields=*&outSR=4326&f=geojson")
CODE = re.compile(r"^(lad\d{2}cd|lad_code|code)$", re.IGNORECASE)
NAME = re.compile(r"^(lad\d{2}nm|lad_name|name)$", re.IGNORECASE)


def load(store_path: Path, file: Path | None = None, url: str | None = None, fetcher: "Fetcher | None" = None) -> int:
    """Store district boundaries from `file`, else from `url` / $BOUNDARIES_URL / the ONS
    portal, in place of the ones the store holds; return how many districts."""
    # Imported here: the store imports this module (every write may store the shipped
    # boundaries), and only a download needs the HTTP engine.
    from loaders.sources.fetching import Fetcher, HttpPolicy
    from loaders.storage import store

    if file:
        frame = read(Path(file))
    else:
        source = url or os.environ.get(URL_ENV) or DEFAULT_URL
        # One large request, politely retried, through the same engine as the notice loaders.
        fetcher = fetcher or Fetcher(HttpPolicy(max_attempts=4, timeout_s=120.0))
        frame = features(fetcher.get_json(source), source)
    with store.writing(store_path) as con:
        save(con, frame)
    return len(frame)


def ensure(con) -> None:
    """Give a store with no `boundaries` table the shipped ones; keep any it holds (a newer
    edition loaded with `load`)."""
    if not con.execute("SELECT count(*) FROM duckdb_tables() WHERE table_name = 'boundaries' "
                       "AND database_name = current_database()").fetchall()[0][0]:
        save(con, read(SHIPPED))


def save(con, frame: pd.DataFrame) -> None:
    """`frame` (from `features`) as the store's `boundaries` table."""
    con.register("boundary_frame", frame)
    con.execute("CREATE OR REPLACE TABLE boundaries AS SELECT * FROM boundary_frame")
    con.unregister("boundary_frame")


def read(path: Path) -> pd.DataFrame:
    """The district boundaries of a GeoJSON file (see `features`)."""
    try:
        document = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise InputError(str(path), f"is not a readable GeoJSON file ({exc})") from exc
    return features(document, str(path))


def features(document, source: str) -> pd.DataFrame:
    """lad_code, lad_name, geometry (GeoJSON text) per feature; InputError if not district GeoJSON."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise InputError(source, "is not a GeoJSON FeatureCollection")
    rows = []
    for feature in document.get("features") or []:
        properties = feature.get("properties") or {}
        code = next((v for k, v in properties.items() if CODE.match(k)), None)
        name = next((v for k, v in properties.items() if NAME.match(k)), None)
        if code and feature.get("geometry"):
            rows.append((str(code), name, orjson.dumps(feature["geometry"]).decode()))
    if not rows:
        raise InputError(source, "has no features with a district code property (LADyyCD)")
    return pd.DataFrame(rows, columns=["lad_code", "lad_name", "geometry"])
