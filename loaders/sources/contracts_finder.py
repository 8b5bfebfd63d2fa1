"""Contracts Finder's OCDS search API, as a configuration of the shared engine."""

from datetime import timedelta

from loaders.sources.fetching import SourceConfig

CONFIG = SourceConfig(
    name="contracts-finder",
    base_url="https://www.contractsfinder.service.gov.uk",
    url_env="CONTRACTS_FINDER_URL",
    path="/Published/Notices/OCDS/Search",
    # Without date filters the API returns only recent months; kingfisher-collect settled on
    # 15-day windows (api-spec 1.2).
    window=timedelta(days=15),
    from_param="publishedFrom",
    to_param="publishedTo",
    # Award notices only (Contracts Finder publishes no termination notices); 100 is the
    # largest page the API serves (api-spec 1.2).
    fixed_params={"stages": "award", "limit": "100"},
    # "Unpredictable and undocumented" throttling: one request at a time, spaced (api-spec 1.3).
    min_interval_s=1.0,
    # HTTP 403 is the rate limit: "no further requests ... until after 5 minutes" (api-spec 1.3).
    # A 429 is not documented, but is treated the same if it ever comes.
    rate_limit_statuses=frozenset({403, 429}),
    rate_limit_wait_s=300.0,
    retry_statuses=frozenset({500, 502, 503, 504}),
    max_attempts=6,
    timeout_s=60.0,
)
