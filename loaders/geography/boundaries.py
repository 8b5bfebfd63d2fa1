"""Council boundaries for choropleth maps: read a GeoJSON file or download one, store it.

Without boundaries the app falls back to bubbles at district centroids, so this is
optional. The default download is the ONS Open Geography Portal's generalised (BUC)
district boundaries as GeoJSON; its exact service name changes with each edition, so the
URL can be given (`--url` or $BOUNDARIES_URL).
"""

import os
import re
from pathlib import Path

import orjson
import pandas as pd

from loaders.errors import InputError
from loaders.sources.fetching import Fetcher, HttpPolicy
from loaders.storage import store

URL_ENV = "BOUNDARIES_URL"
DEFAULT_URL = ("https://services1.arcgis.com/ESMARspQHYMw9BZ9/arcgis/rest/services/"
               "Local_Authority_Districts_December_2024_Boundaries_UK_BUC/FeatureServer/0/query"
               "?where=1%3D1&outFields=*&outSR=4326&f=geojson")
# One large request, politely retried, through the same engine as the notice loaders.
DOWNLOAD = HttpPolicy(max_attempts=4, timeout_s=120.0)
CODE = re.compile(r"^(lad\d{2}cd|lad_code|code)$", re.IGNORECASE)
NAME = re.compile(r"^(lad\d{2}nm|lad_name|name)$", re.IGNORECASE)


def load(store_path: Path, file: Path | None = None, url: str | None = None,
         fetcher: Fetcher | None = None) -> int:
    """Store district boundaries from `file`, else from `url` / $BOUNDARIES_URL / the ONS portal."""
    if file:
        source = str(file)
        try:
            document = orjson.loads(Path(file).read_bytes())
        except (OSError, orjson.JSONDecodeError) as exc:
            raise InputError(source, f"is not a readable GeoJSON file ({exc})") from exc
    else:
        source = url or os.environ.get(URL_ENV) or DEFAULT_URL
        fetcher = fetcher or Fetcher(DOWNLOAD)
        document = fetcher.get_json(source)
    frame = features(document, source)
    with store.writing(store_path) as con:
        con.register("boundary_frame", frame)
        con.execute("CREATE OR REPLACE TABLE boundaries AS SELECT * FROM boundary_frame")
        con.unregister("boundary_frame")
    return len(frame)


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
