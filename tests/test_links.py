"""Shared links: every list filter declared once (CHOICES), and a link whose parts cannot be
applied says which part was ignored and why instead of dropping it silently."""

from datetime import date

import pytest

from queries.filters import CHOICES, Filters, ignored_in_link

OPTIONS = {"buyers": ["Leeds City Council"], "regions": ["North West"]}
FIRST, LAST = date(2022, 1, 1), date(2024, 6, 1)


def test_every_choice_is_a_filters_field_and_reaches_where_slug_and_describe():
    for choice in CHOICES:
        filters = Filters(**{choice.field: ("x-value",)})
        clause, params = filters.where()
        assert f"{choice.column} IN (?)" in clause and params == ["x-value"]
        assert "x-value" in filters.slug()
        assert f"{choice.label.lower()}: x-value" in filters.describe()


def test_slug_and_describe_name_every_field():
    filters = Filters(date_from=date(2023, 1, 1), exclude_frameworks=True, local_km=20)
    assert filters.slug() == "2023-01-01_to_end_no-frameworks_local-within-20km"
    assert filters.describe() == ("awarded from 2023-01-01 to the last award; frameworks excluded; "
                                  "local means within 20 km of the buyer")


def test_the_measure_is_a_filter_that_changes_no_rows():
    by_count = Filters(buyers=("Leeds City Council",), measure="count")
    assert by_count.where() == Filters(buyers=("Leeds City Council",)).where()
    assert by_count.without_measure() == Filters(buyers=("Leeds City Council",))
    assert by_count.slug() == "leeds-city-council_by-count"
    assert by_count.describe() == "council or buyer: Leeds City Council; charts by number of awards"
    with pytest.raises(ValueError, match="measure must be one of value, count, not 'share'"):
        Filters(measure="share")


def test_a_link_with_nothing_wrong_has_no_notes():
    assert ignored_in_link({"buyer": ["Leeds City Council"], "from": ["2023-01-01"], "measure": ["By count"],
                            "local": ["within 20 km of the buyer"]}, OPTIONS, FIRST, LAST) == []


def test_an_unknown_measure_or_definition_of_local_is_named():
    assert ignored_in_link({"measure": ["By share"], "local": ["within 7 km of the buyer"]}, OPTIONS, FIRST, LAST) == [
        'Measure: "By share" is not one of By value, By count, so the charts are by value.',
        'Local means: "within 7 km of the buyer" is not one of the choices (the buyer\'s council area, or within '
        "5, 10, 20, 30, 50 km of the buyer), so it is the buyer's council area."]


def test_unknown_values_bad_and_reversed_dates_are_each_named():
    notes = ignored_in_link({"buyer": ["Nowhere Council", "Leeds City Council"], "from": ["2024-05-01"],
                             "to": ["2023-02-30"]}, OPTIONS, FIRST, LAST)
    assert notes == ['Council or buyer: "Nowhere Council" is not in the data, so it was ignored.',
                     'Awarded to: "2023-02-30" is not a date (YYYY-MM-DD), so it was ignored.']
    assert ignored_in_link({"from": ["2024-05-01"], "to": ["2023-01-01"]}, OPTIONS, FIRST, LAST) == [
        "The dates are reversed (01/05/2024 is after 01/01/2023)."]
    assert ignored_in_link({"to": ["2030-01-01"]}, OPTIONS, FIRST, LAST) == [
        "Awarded to: 01/01/2030 is outside the data (01/01/2022 to 01/06/2024), so it was ignored."]


def test_many_unknown_values_are_summarised():
    notes = ignored_in_link({"region": [f"R{i}" for i in range(2000)]}, OPTIONS, FIRST, LAST)
    assert notes == ['Buyer\'s region: "R0", "R1", "R2", "R3", "R4" and 1,995 more are not in the data, '
                     "so they were ignored."]


def test_the_page_says_which_part_of_the_link_was_ignored(open_page, small_store):
    app = open_page(small_store, buyer=["Nowhere Council", "Leeds City Council"])
    assert [w.value for w in app.warning] == [
        'Part of this link was ignored. Council or buyer: "Nowhere Council" is not in the data, so it was ignored.']
    assert app.session_state["filters"].buyers == ("Leeds City Council",)  # the rest of the link applies
