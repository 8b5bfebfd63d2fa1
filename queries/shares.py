"""Shares of value and of awards that meet a condition (local, SME, VCSE, unknown...), per
council, area or band, summed in two steps.

A table of such shares is a dozen filtered sums per key. Summed over every award row, each
condition is tested on every row; summed first by the key and what the conditions test
(`GROUP_SUMS` over a few groups per key), then over those groups (`share_pair`), it takes
about half the time on a million rows, with the same result.
"""

from queries.overview import AWARD_COUNT

# The first step's sums (a group's value, awards and awards with a value), named as the
# second step's conditions and sums expect them.
GROUP_SUMS = (f"sum(value_gbp) AS value_gbp, {AWARD_COUNT} AS awards, "
              f"{AWARD_COUNT} FILTER (value_gbp IS NOT NULL) AS valued_awards")
# The second step's totals per key.
KEY_SUMS = ("coalesce(sum(value_gbp), 0) AS value_gbp, sum(awards) AS awards, "
            "coalesce(sum(valued_awards), 0) AS valued_awards")


def share_pair(condition: str, name: str) -> str:
    """The share of value and of awards meeting `condition` (over the first step's groups),
    as {name}_value_share and {name}_count_share: 0 when none do, null when the key has no
    value (or no awards) to share."""
    return (f"coalesce(sum(value_gbp) FILTER ({condition}), 0) / nullif(sum(value_gbp), 0) AS {name}_value_share, "
            f"coalesce(sum(awards) FILTER ({condition}), 0) / nullif(sum(awards), 0) AS {name}_count_share")
