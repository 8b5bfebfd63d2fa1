"""Money and percentages as people read them: £1.2m, £350k, 31%.

Rounding is half up on the decimal value ("£3,650,000" is £3.7m, not the £3.6m that binary
floating point gives), and a share is never shown as 0% or 100% unless it is exactly that.
"""

import math
from decimal import ROUND_HALF_UP, Decimal

UNITS = ((Decimal(10) ** 9, "bn"), (Decimal(10) ** 6, "m"), (Decimal(10) ** 3, "k"))


def money(pounds: float | None) -> str:
    """£1.2bn / £1.2m / £350k / £900; an en dash for no value."""
    if pounds is None or (isinstance(pounds, float) and math.isnan(pounds)):
        return "–"
    sign = "-" if pounds < 0 else ""
    amount = Decimal(repr(abs(float(pounds))))
    for i, (size, suffix) in enumerate(UNITS):
        if amount < size:
            continue
        digits = _rounded(amount / size)
        if digits >= 1000 and i > 0:  # £999.96k is £1m, not £1000k
            size, suffix = UNITS[i - 1]
            digits = _rounded(amount / size)
        return f"{sign}£{_plain(digits)}{suffix}"
    return f"{sign}£{amount.quantize(Decimal(1), ROUND_HALF_UP):,}"


def _rounded(scaled: Decimal) -> Decimal:
    """One decimal under 100 (12.3), none from 100 (123)."""
    places = Decimal("0.1") if scaled < 100 else Decimal(1)
    return scaled.quantize(places, ROUND_HALF_UP)


def _plain(number: Decimal) -> str:
    text = f"{number:f}"
    return text.removesuffix(".0")


def pct(share: float | None) -> str:
    """A 0-1 share as a whole percentage ("31%"); "under 1%" and "over 99%" for shares that
    would round to 0% or 100% without being either."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    if 0 < share < 0.005:
        return "under 1%"
    if 0.995 <= share < 1:
        return "over 99%"
    return f"{(Decimal(repr(float(share))) * 100).quantize(Decimal(1), ROUND_HALF_UP)}%"


def count(n: float, word: str = "award") -> str:
    """ "1 award", "12 awards", "1,234 awards": a whole number (half-up) with its noun. A joint
    award counts 1/n to each of its n suppliers, so a supplier's or a group's count can be a
    fraction: users see whole awards."""
    awards = whole(n)
    return f"{awards:,} {word}" + ("" if awards == 1 else "s")


def whole(n: float) -> int:
    """A count of awards as a whole number, half-up (2.5 is 3)."""
    return math.floor(n + 0.5)
