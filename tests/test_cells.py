"""Cells of hand-made spreadsheets: money, dates and flags in the forms people type them."""

from datetime import date

import pytest

from loaders.tabular.cells import CellError, day, flag, money


@pytest.mark.parametrize("text, amount", [("£1,234.50", 1234.5), ("12,000", 12000.0), ("(500)", -500.0),
                                          ("-£5", -5.0), (" 7 ", 7.0), ("£ 1 000", 1000.0), (".5", 0.5)])
def test_money(text, amount):
    assert money(text) == amount


@pytest.mark.parametrize("text", ["", "  ", "-", "N/A", "TBC", None])
def test_blank_cells_are_unknown_not_zero(text):
    assert money(text) is None and day(text) is None and flag(text) is None


@pytest.mark.parametrize("text", ["abc", "12x", "1,00", "£1.2.3"])
def test_text_that_is_not_money_is_an_error(text):
    with pytest.raises(CellError, match="is not an amount of money"):
        money(text)


@pytest.mark.parametrize("text", ["03/04/2022", "3/4/2022", "03-Apr-2022", "2022-04-03", "2022-04-03T00:00:00",
                                  "03 April 2022", "03/04/22"])
def test_dates_day_first_in_every_form(text):
    assert day(text) == date(2022, 4, 3)


def test_a_date_that_is_not_one_is_an_error():
    with pytest.raises(CellError, match=r"'31/02/2022' is not a date"):
        day("31/02/2022")


def test_flags():
    assert [flag(t) for t in ("Yes", "no", "Y", "N", "TRUE", "0")] == [True, False, True, False, True, False]
    with pytest.raises(CellError, match="'Maybe' is not yes or no"):
        flag("Maybe")
