"""Money and percentages as people read them: £1.2m, £350k, 31%."""

import math


def money(pounds: float | None) -> str:
    """£1.2bn / £1.2m / £350k / £900; an en dash for no value."""
    if pounds is None or (isinstance(pounds, float) and math.isnan(pounds)):
        return "–"
    sign = "-" if pounds < 0 else ""
    amount = abs(pounds)
    for size, suffix in ((1e9, "bn"), (1e6, "m"), (1e3, "k")):
        if amount >= size:
            digits = f"{amount / size:.1f}" if amount < size * 100 else f"{amount / size:.0f}"
            return f"{sign}£{digits.removesuffix('.0')}{suffix}"
    return f"{sign}£{amount:,.0f}"


def pct(share: float | None) -> str:
    """A 0-1 share as a whole percentage ("31%"), "under 1%" for tiny non-zero shares."""
    if share is None or (isinstance(share, float) and math.isnan(share)):
        return "–"
    if 0 < share < 0.005:
        return "under 1%"
    return f"{share * 100:.0f}%"
