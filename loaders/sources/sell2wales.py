"""Sell2Wales's OCDS notices API, as a configuration of the shared engine."""

from dataclasses import replace

from loaders.sources import public_contracts_scotland

# Notice types that carry awards (sources-2 B): 53 Contract Award Notice, and the OJEU
# award forms of the same platform as Public Contracts Scotland (sources-2 A): F3 contract
# award, F6 utilities award, F15 voluntary ex ante transparency, F20 modification, F25
# concession award.
AWARD_NOTICE_TYPES = ("3", "6", "15", "20", "25", "53")
# Planning, tender and sub-contract notices, fetched with --notice-types all: F1 prior
# information, F2 contract notice, F4/F5 utilities, F7 qualification systems, F12-F14
# design contests, F21-F24; 51 invitation to tender, 52 prior information, 54-56
# sub-contract notices (a contractor's, not the buyer's, awards) (sources-2 B).
TENDER_AND_PLANNING_NOTICE_TYPES = ("1", "2", "4", "5", "7", "12", "13", "14", "21", "22", "23", "24",
                                    "51", "52", "54", "55", "56")

# The same Proactis platform as Public Contracts Scotland (sources-2 A and B): the same
# request per (month, notice type), paging, pacing, retries and gaps; what differs follows.
# The API has been reported to fail with a server-side SQL error for whole months, and with
# intermittent 500s (sources-2 B): retried, then kept as a gap for the next refresh.
CONFIG = replace(
    public_contracts_scotland.CONFIG,
    name="sell2wales",
    # The documented API host; its documentation is mirrored at api-sell2wales.klickstream.com
    # (sources-2 B).
    base_url="https://api.sell2wales.gov.wales",
    url_env="SELL2WALES_URL",
    notice_types=AWARD_NOTICE_TYPES,
    all_notice_types=AWARD_NOTICE_TYPES + TENDER_AND_PLANNING_NOTICE_TYPES,
    # outputType 0 is OCDS; locale 2057 is English (1106 is Welsh) (sources-2 B).
    fixed_params={"outputType": "0", "locale": "2057"},
)
