"""Find a Tender's OCDS release packages API, as a configuration of the shared engine."""

from datetime import timedelta

from loaders.sources.fetching import SourceConfig

CONFIG = SourceConfig(
    name="find-a-tender",
    base_url="https://www.find-tender.service.gov.uk",
    url_env="FIND_A_TENDER_URL",
    path="/api/1.0/ocdsReleasePackages",
    # Windows longer than 6 hours silently lose releases (api-spec 2.1, kingfisher-collect).
    window=timedelta(hours=6),
    from_param="updatedFrom",
    to_param="updatedTo",
    # Every stage, no `stages` filter: no document says which stage a UK12 procurement
    # termination (which cancels awards), a UK10 change or a UK15 release falls under, so
    # all are fetched and classified by tag and notice type (sources-2 section D; kingfisher
    # does the same). Pages of at most 100 (api-spec 2.1).
    fixed_params={"limit": "100"},
    # "12 request limit in 2 minute": about one request every 10 s (api-spec 2.2).
    min_interval_s=10.0,
    # 429 often comes without Retry-After: then wait 30 s; 503 and 504 likewise (api-spec 2.2).
    rate_limit_statuses=frozenset({429, 503, 504}),
    rate_limit_wait_s=30.0,
    retry_statuses=frozenset({500, 502}),
    max_attempts=5,
    timeout_s=60.0,
)
