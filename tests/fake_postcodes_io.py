"""A fake postcodes.io on 127.0.0.1 serving small invented tables and injecting faults.

It answers the calls of api-spec section 3: bulk POST /postcodes, GET
/terminated_postcodes/{pc}, reverse geocoding GET /postcodes?lon=&lat=, and GET
/outcodes/{outcode}. `faults` is a queue: each request takes the next entry (None serves
normally). Every request is logged in `requests` as (method, path, postcodes in a bulk body).
"""

import json
from urllib.parse import parse_qs, unquote, urlsplit

from tests.fake_http import FakeServer, FaultyHandler

FAULTS = {"400", "429", "429-retry-after", "500", "503", "truncated", "drop", "slow"}


def live(postcode, district, district_code, county, county_code, region, country, lat, lon):
    """One live postcode result in the shape of the real bulk example (section 3)."""
    outcode, incode = postcode.split(" ")
    return {"postcode": postcode, "outcode": outcode, "incode": incode, "quality": 1,
            "country": country, "region": region, "admin_district": district,
            "admin_county": county, "longitude": lon, "latitude": lat,
            "codes": {"admin_district": district_code, "admin_county": county_code}}


POSTCODES = {p["postcode"]: p for p in [
    live("LS6 2AB", "Leeds", "E08000035", None, "E99999999", "Yorkshire and The Humber", "England",
         53.8190, -1.5720),
    live("PR3 0SG", "Lancaster", "E07000121", "Lancashire", "E10000017", "North West", "England",
         53.873809, -2.723233),
    live("CF10 1EP", "Cardiff", "W06000015", None, "W99999999", None, "Wales", 51.4810, -3.1790),
    live("EH1 1YZ", "City of Edinburgh", "S12000036", None, "S99999999", None, "Scotland",
         55.9500, -3.1890),
    live("E1W 1YW", "Tower Hamlets", "E09000030", None, "E99999999", "London", "England",
         51.5080, -0.0560),
    live("GY1 1AA", "Guernsey", "L99999999", None, None, None, "Channel Islands", None, None),
]}
TERMINATED = {
    "E1W 1UU": {"postcode": "E1W 1UU", "year_terminated": 2007, "month_terminated": 12,
                "longitude": -0.051135, "latitude": 51.508774},
    "GY1 9ZZ": {"postcode": "GY1 9ZZ", "year_terminated": 2010, "month_terminated": 1,
                "longitude": None, "latitude": None},
}
OUTCODES = {
    # No codes: the resolver must reverse-geocode the centroid.
    "LS6": {"outcode": "LS6", "latitude": 53.8210, "longitude": -1.5740,
            "admin_district": ["Leeds"], "admin_county": [], "country": ["England"]},
    # Codes present (whether the real API gives them is UNCONFIRMED).
    "PR3": {"outcode": "PR3", "latitude": 53.86, "longitude": -2.70,
            "admin_district": ["Lancaster"], "admin_county": ["Lancashire"], "country": ["England"],
            "codes": {"admin_district": ["E07000121"], "admin_county": ["E10000017"]}},
    "GY9": {"outcode": "GY9", "latitude": None, "longitude": None,
            "admin_district": [], "admin_county": [], "country": ["Channel Islands"]},
}


class FakePostcodesIo(FakeServer):
    def __init__(self, slow_s: float = 0.6):
        self.postcodes = dict(POSTCODES)
        self.terminated = dict(TERMINATED)
        self.outcodes = dict(OUTCODES)
        self.reverse_bulk = False  # answer bulk items in reverse order (clients match by query)
        self.slow_s = slow_s
        self.faults: list[str | None] = []
        self.requests: list[tuple[str, str, list | None]] = []
        self.user_agents: list[str] = []
        super().__init__(self._handler())

    def bulk_requests(self) -> list[list[str]]:
        return [body for method, _, body in self.requests if method == "POST"]

    # --- answers, before any fault --------------------------------------------------------

    def bulk(self, queries: list[str]) -> tuple[int, dict]:
        if len(queries) > 100:  # the real limit (section 3)
            return 400, {"status": 400, "error": "Too many postcodes submitted. Up to 100 allowed"}
        items = [{"query": q, "result": self.postcodes.get(" ".join(q.upper().split()))} for q in queries]
        return 200, {"status": 200, "result": items[::-1] if self.reverse_bulk else items}

    def nearest(self, query: dict) -> tuple[int, dict]:
        lon, lat = float(query["lon"]), float(query["lat"])
        located = [p for p in self.postcodes.values() if p["latitude"] is not None]
        located.sort(key=lambda p: (p["latitude"] - lat) ** 2 + (p["longitude"] - lon) ** 2)
        limit = int(query.get("limit", 10))
        return 200, {"status": 200, "result": located[:limit] or None}

    def lookup(self, table: dict, key: str) -> tuple[int, dict]:
        if key not in table:
            return 404, {"status": 404, "error": "not found"}
        return 200, {"status": 200, "result": table[key]}

    def _handler(self):
        api = self

        class Handler(FaultyHandler):
            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                queries = json.loads(self.rfile.read(length) or b"{}").get("postcodes", [])
                self._note("POST", queries)
                if urlsplit(self.path).path != "/postcodes":
                    return self._serve(404, {"status": 404, "error": "not found"})
                self._serve(*api.bulk(queries))

            def do_GET(self):
                self._note("GET", None)
                url = urlsplit(self.path)
                parts = [unquote(p) for p in url.path.strip("/").split("/")]
                query = {k: v[0] for k, v in parse_qs(url.query).items()}
                if parts == ["postcodes"] and "lon" in query:
                    return self._serve(*api.nearest(query))
                if len(parts) == 2 and parts[0] == "terminated_postcodes":
                    return self._serve(*api.lookup(api.terminated, parts[1]))
                if len(parts) == 2 and parts[0] == "outcodes":
                    return self._serve(*api.lookup(api.outcodes, parts[1].upper()))
                self._serve(404, {"status": 404, "error": "not found"})

            def _note(self, method, body):
                api.requests.append((method, self.path, body))
                api.user_agents.append(self.headers.get("User-Agent", ""))
                self.fault = api.faults.pop(0) if api.faults else None

            def _serve(self, status, payload):
                self.serve_with_fault(self.fault, status, json.dumps(payload).encode(), api.slow_s)

        return Handler
