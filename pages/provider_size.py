"""Provider size: SME / VCSE / large / unknown, overall, over time, by buyer type, category and
CPV division, and the largest awards to large suppliers."""

import streamlit as st

from queries import provider_size
from readings import provider_size as words
from ui import blocks, provider_size_charts, widgets
from ui.blocks import Chart, Table, View, by_measure

TOP_DIVISIONS = 10
INTRO = ("Size is as each supplier declared it in the notice (SME: fewer than 250 staff and limited turnover or "
         "balance sheet). VCSE organisations (voluntary, community and social enterprise) form their own group "
         "whatever their size, so the groups add up to the total. Both describe direct awards only and say "
         "nothing of subcontracting.")
CPV_NOTE = ("A CPV division is the first two digits of the notice's main CPV code (e.g. 45 is construction work); "
            "it is named where a notice uses the division's own code.")


def split_chart(split: str, title: str) -> Chart:
    """Provider size stacked for each key of `split` (financial year, buyer type, category)."""
    def data(run, view: View):
        return provider_size.provider_split(run(provider_size.split_sums, view.filters), split,
                                            run(provider_size.division_labels), blocks.period(run, view))

    def reading(frame, view: View) -> str:
        return (words.year_sentence(frame, view.measure) if split == "year"
                else words.split_sentence(frame, view.measure, split))
    return Chart(f"provider-{split}", title, data, by_measure(provider_size_charts.provider_stack, split), reading,
                 by_measure(words.stack_alt, split))


def divisions(run, view: View):
    """Provider size in the largest CPV divisions by the measure (the rest as Other)."""
    return provider_size.provider_by_division(run(provider_size.split_sums, view.filters), view.measure,
                                              run(provider_size.division_labels), TOP_DIVISIONS)


def largest(run, view: View, limit: int | None, offset: int):
    """One page of the award rows to large suppliers, largest first."""
    return run(provider_size.largest_large_awards, view.filters, limit, offset)


def largest_reading(run, view: View, total: int) -> str:
    """The sentence on the largest award to a large supplier (the table's first row)."""
    return words.largest_sentence(largest(run, view, 1, 0))


BLOCKS = (
    blocks.breakdown("provider", "provider size", "provider size"),
    split_chart("year", "Provider size by financial year"),
    split_chart("buyer_type", "Provider size by buyer type"),
    split_chart("category", "Provider size by category (goods, services, works)"),
    Chart("provider-cpv", f"Provider size in the top {TOP_DIVISIONS} CPV divisions", divisions,
          by_measure(provider_size_charts.provider_stack, "cpv_division"), by_measure(words.split_sentence, "cpv_division"),
          by_measure(words.stack_alt, "cpv_division"), notes=(CPV_NOTE,)),
    Table("large-awards", "Largest awards to large suppliers", largest,
          lambda run, view: run(provider_size.large_award_rows, view.filters), tuple(provider_size.LARGEST_COLUMNS),
          largest_reading, notes=("Award rows to suppliers that declared themselves large, largest first. A joint "
                                  "award's value is split equally among its suppliers (Supplier's share).",)),
)


def render() -> None:
    view = View(widgets.page_filters())
    st.title("Small or large: who wins the contracts?")
    st.caption(INTRO)
    widgets.left_out_line(view.filters)
    blocks.show(BLOCKS, view)


if __name__ == "__main__":
    widgets.run_page(render)
