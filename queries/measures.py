"""By value or by count: what each measure sums, its share column and its words, declared
once for every chart, table and sentence (the measure itself is `Filters.measure`)."""

from dataclasses import dataclass

from queries.formatting import count, money, whole


@dataclass(frozen=True)
class Measure:
    name: str  # "value" or "count": also the middle of share columns such as sme_value_share
    amount: str  # the frame column it sums: value_gbp, or awards (a joint award 1/n per supplier)
    share: str  # the frame column of its share
    base: str  # the awards a share is of: valued_awards (with a usable value), or awards
    axis: str  # an axis title
    noun: str  # "award value" / "awards", as in "31% of award value"
    by: str  # "by award value" / "by number of awards", as the About sheet names the charts' measure

    @property
    def of(self) -> str:
        return f"of {self.noun}"

    def amount_text(self, amount: float) -> str:
        """ "£1.2m", or "12 awards" (whole awards, half-up)."""
        return money(amount) if self.name == "value" else count(amount)

    def figure(self, amount: float) -> str:
        """ "£1.2m", or "12": the amount alone, as a bar's label shows it."""
        return money(amount) if self.name == "value" else f"{whole(amount):,}"


MEASURE = {
    "value": Measure("value", "value_gbp", "value_share", "valued_awards", "Award value", "award value", "by award value"),
    "count": Measure("count", "awards", "count_share", "awards", "Number of awards", "awards", "by number of awards"),
}
