"""postcodes.io resolver: bulk batches, nations, terminated postcodes, outcodes, retries.

Every test talks to tests/fake_postcodes_io.py on 127.0.0.1, never to the internet.
"""

import pytest

from loaders.geography.places import Place
from loaders.geography.postcodes_io import DEFAULT_URL, URL_ENV, PostcodesIo
from loaders.sources.fetching import USER_AGENT, FetchError
from tests.fake_postcodes_io import FakePostcodesIo, live


@pytest.fixture
def api():
    with FakePostcodesIo() as fake:
        yield fake


@pytest.fixture
def sleeps():
    return []


def resolver(api, sleeps, **options):
    """A resolver on the fake whose sleeps are recorded, not slept; no pacing unless asked."""
    options.setdefault("min_interval_s", 0.0)
    return PostcodesIo(api.base_url, sleep=sleeps.append, **options)


def test_is_a_resolver_with_a_source_name(api, sleeps):
    place = resolver(api, sleeps).resolve(["PR3 0SG"])["PR3 0SG"]
    assert place == Place(lad_code="E07000121", lad_name="Lancaster", county_code="E10000017",
                          county_name="Lancashire", region="North West", country="England",
                          latitude=53.873809, longitude=-2.723233, precision="unit", source="postcodes.io")
    assert api.user_agents == [USER_AGENT]


def test_250_postcodes_go_in_batches_of_at_most_100(api, sleeps):
    postcodes = [f"TS{n} {d}AB" for n in range(1, 26) for d in range(10)]
    for postcode in postcodes:
        api.postcodes[postcode] = live(postcode, "Middlesbrough", "E06000002", None, "E99999999",
                                       "North East", "England", 54.57, -1.23)
    found = resolver(api, sleeps).resolve(postcodes)
    assert len(found) == 250
    assert [len(batch) for batch in api.bulk_requests()] == [100, 100, 50]


def test_batch_size_cannot_exceed_the_api_limit(api, sleeps):
    """The API refuses >100 per POST (section 3), so a larger batch_size is clamped."""
    postcodes = [f"TS{n} {d}AB" for n in range(1, 16) for d in range(10)]
    resolver(api, sleeps, batch_size=500).resolve(postcodes)
    assert [len(batch) for batch in api.bulk_requests()] == [100, 50]


@pytest.mark.parametrize("postcode, region, country", [
    ("LS6 2AB", "Yorkshire and The Humber", "England"),
    ("CF10 1EP", "Wales", "Wales"),
    ("EH1 1YZ", "Scotland", "Scotland"),
])
def test_region_is_the_english_region_or_the_nation(api, sleeps, postcode, region, country):
    place = resolver(api, sleeps).resolve([postcode])[postcode]
    assert (place.region, place.country) == (region, country)


def test_county_pseudo_code_becomes_none(api, sleeps):
    found = resolver(api, sleeps).resolve(["LS6 2AB", "CF10 1EP"])
    assert found["LS6 2AB"].county_code is None and found["LS6 2AB"].lad_code == "E08000035"
    assert found["CF10 1EP"].county_code is None


def test_results_are_matched_by_query_not_position(api, sleeps):
    api.reverse_bulk = True
    found = resolver(api, sleeps).resolve(["LS6 2AB", "PR3 0SG", "EH1 1YZ"])
    assert {k: p.lad_name for k, p in found.items()} == {
        "LS6 2AB": "Leeds", "PR3 0SG": "Lancaster", "EH1 1YZ": "City of Edinburgh"}


def test_keys_are_the_strings_given_and_duplicates_cost_one_lookup(api, sleeps):
    found = resolver(api, sleeps).resolve(["ls62ab", "LS6 2AB", "N/A", ""])
    assert set(found) == {"ls62ab", "LS6 2AB"}
    assert api.bulk_requests() == [["LS6 2AB"]]


def test_terminated_postcode_is_placed_by_the_nearest_live_one(api, sleeps):
    place = resolver(api, sleeps).resolve(["E1W 1UU"])["E1W 1UU"]
    assert (place.lad_code, place.lad_name, place.region) == ("E09000030", "Tower Hamlets", "London")
    assert (place.latitude, place.longitude) == (51.508774, -0.051135)  # its own centroid
    assert place.precision == "terminated"
    paths = [path for _, path, _ in api.requests]
    assert "/terminated_postcodes/E1W%201UU" in paths
    assert any(p.startswith("/postcodes?lon=-0.051135&lat=51.508774&limit=1") for p in paths)


def test_unknown_postcodes_and_unplaceable_ones_are_absent(api, sleeps):
    """Unknown (404 as terminated), terminated with null coords, Crown dependency pseudo district."""
    found = resolver(api, sleeps).resolve(["SW1A 2AA", "GY1 9ZZ", "GY1 1AA", "LS6 2AB"])
    assert set(found) == {"LS6 2AB"}


def test_outcode_without_codes_is_placed_through_its_centroid(api, sleeps):
    place = resolver(api, sleeps).resolve(["LS6"])["LS6"]
    assert (place.lad_code, place.lad_name, place.precision) == ("E08000035", "Leeds", "district")
    assert (place.latitude, place.longitude) == (53.8210, -1.5740)  # the outcode's centroid
    assert [path.split("?")[0] for _, path, _ in api.requests] == ["/outcodes/LS6", "/postcodes"]


def test_outcode_with_one_district_code_uses_it(api, sleeps):
    place = resolver(api, sleeps).resolve(["PR3"])["PR3"]
    assert place == Place(lad_code="E07000121", lad_name="Lancaster", county_code="E10000017",
                          county_name="Lancashire", region=None, country="England",
                          latitude=53.86, longitude=-2.70, precision="district", source="postcodes.io")
    assert len(api.requests) == 1  # no reverse geocoding needed


def test_unknown_or_unlocated_outcodes_are_absent(api, sleeps):
    assert resolver(api, sleeps).resolve(["ZZ9", "GY9"]) == {}


def test_mixed_full_and_partial_postcodes(api, sleeps):
    found = resolver(api, sleeps).resolve(["LS6", "PR3 0SG", "E1W 1UU"])
    assert {k: p.precision for k, p in found.items()} == {
        "LS6": "district", "PR3 0SG": "unit", "E1W 1UU": "terminated"}


def test_nothing_to_resolve_makes_no_request(api, sleeps):
    assert resolver(api, sleeps).resolve([]) == {}
    assert api.requests == []


@pytest.mark.parametrize("fault", ["500", "503", "429", "truncated", "drop"])
def test_each_fault_is_retried_then_succeeds(api, sleeps, fault):
    api.faults = [fault, fault]
    found = resolver(api, sleeps).resolve(["LS6 2AB"])
    assert found["LS6 2AB"].lad_name == "Leeds"
    assert len(api.bulk_requests()) == 3
    assert sleeps == [1.0, 2.0]  # exponential backoff


def test_retry_after_is_honoured(api, sleeps):
    api.faults = ["429-retry-after"]
    assert "LS6 2AB" in resolver(api, sleeps).resolve(["LS6 2AB"])
    assert sleeps == [7.0]


def test_a_timeout_is_retried(api, sleeps):
    api.faults = ["slow"]
    assert "LS6 2AB" in resolver(api, sleeps, timeout_s=0.2).resolve(["LS6 2AB"])
    assert len(api.bulk_requests()) == 2


def test_faults_on_the_follow_up_lookups_are_retried_too(api, sleeps):
    api.faults = [None, "503", None, "truncated"]  # bulk, terminated x2, reverse geocode x2
    assert resolver(api, sleeps).resolve(["E1W 1UU"])["E1W 1UU"].precision == "terminated"
    assert len(api.requests) == 5


def test_giving_up_raises_fetch_error(api, sleeps):
    api.faults = ["500"] * 3
    with pytest.raises(FetchError, match="gave up after 3 attempts: HTTP 500") as caught:
        resolver(api, sleeps, max_attempts=3).resolve(["LS6 2AB"])
    assert caught.value.source == f"{api.base_url}/postcodes"
    assert len(api.requests) == 3


def test_other_client_errors_on_the_bulk_call_are_not_retried(api, sleeps):
    api.faults = ["400"]
    with pytest.raises(FetchError, match="HTTP 400"):
        resolver(api, sleeps).resolve(["LS6 2AB"])
    assert len(api.requests) == 1 and sleeps == []


def test_requests_are_spaced_by_min_interval(api, sleeps):
    still = PostcodesIo(api.base_url, sleep=sleeps.append, min_interval_s=0.2, clock=lambda: 100.0)
    still.resolve(["E1W 1UU"])  # bulk, terminated lookup, reverse geocode
    assert sleeps == [0.2, 0.2]


def test_base_url_comes_from_the_environment(api, sleeps, monkeypatch):
    monkeypatch.setenv(URL_ENV, api.base_url + "/")
    env_resolver = PostcodesIo(sleep=sleeps.append, min_interval_s=0)
    assert env_resolver.base_url == api.base_url
    assert "LS6 2AB" in env_resolver.resolve(["LS6 2AB"])


def test_argument_beats_environment_and_default_is_postcodes_io(monkeypatch):
    monkeypatch.setenv(URL_ENV, "http://127.0.0.1:9")
    assert PostcodesIo("http://example.invalid").base_url == "http://example.invalid"
    monkeypatch.delenv(URL_ENV)
    assert PostcodesIo().base_url == DEFAULT_URL
