"""Public Contracts Scotland's OCDS notices API, as a configuration of the shared engine."""

from loaders.sources.fetching import SourceConfig

# Notice types that carry awards (sources-2 A, inferred from the form names): F3 contract
# award, F6 utilities award, F25 concession award, 103 website contract award notice, 104
# Quick Quote award (most Scottish awards below the thresholds), F15 voluntary ex ante
# transparency and F20 modification (both carry award or contract data).
AWARD_NOTICE_TYPES = ("3", "6", "25", "103", "104", "15", "20")
# Planning and tender notices, fetched with --notice-types all (the "Keep it Local"
# procurement facts): F1 prior information, F2 contract notice, F4/F5 utilities, F7
# qualification systems, F12-F14 design contests, F21-F24 social and other services and
# concessions, 101/102 website prior information and contract notices (sources-2 A; which
# of 101/102 is which is disputed, so both are listed).
TENDER_AND_PLANNING_NOTICE_TYPES = ("1", "2", "4", "5", "7", "12", "13", "14", "21", "22", "23", "24", "101", "102")

CONFIG = SourceConfig(
    name="public-contracts-scotland",
    # The documented API host (sources-2 A: stored API page, kingfisher-collect).
    base_url="https://api.publiccontractsscotland.gov.uk",
    url_env="PUBLIC_CONTRACTS_SCOTLAND_URL",
    # GET /v1/Notices?dateFrom=MM-YYYY&noticeType=N&outputType=0: one month and one notice
    # type a request, no date-to, cursor or page parameter (sources-2 A), so each (month,
    # notice type) is one window of one page.
    path="/v1/Notices",
    month_param="dateFrom",
    month_format="%m-%Y",
    notice_type_param="noticeType",
    notice_types=AWARD_NOTICE_TYPES,
    all_notice_types=AWARD_NOTICE_TYPES + TENDER_AND_PLANNING_NOTICE_TYPES,
    # outputType 0 is OCDS (1 is TED/custom); kingfisher-collect moved to 0 (sources-2 A).
    fixed_params={"outputType": "0"},
    # No rate limit is documented and kingfisher sets no throttle (sources-2 A, unconfirmed):
    # one request a second, as for Contracts Finder, to be polite.
    min_interval_s=1.0,
    rate_limit_statuses=frozenset({429}),
    rate_limit_wait_s=60.0,
    retry_statuses=frozenset({500, 502, 503, 504}),
    max_attempts=5,
    timeout_s=120.0,  # a month of one notice type comes whole, in one body
    # A month that still fails after the retries is kept as a gap and retried by the next
    # refresh, not allowed to stop the other months (the same platform as Sell2Wales, whose
    # API has failed for whole months: sources-2 B).
    gaps_allowed=True,
)
