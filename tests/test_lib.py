"""Danish money, numbers and dates, on hand-computed examples."""

import datetime as dt
from decimal import Decimal

import pytest

from botilbud.lib.dates import (
    add_months,
    danish_public_holidays,
    days_between,
    easter_sunday,
    months_between,
    overlap_days,
    weekday_public_holidays,
)
from botilbud.lib.money import format_kr, format_number, parse_danish_decimal, to_money
from botilbud.lib.spreadsheet import safe_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", Decimal("1234.56")),
        ("-1.234.567,89", Decimal("-1234567.89")),
        ("1234", Decimal("1234")),
        ("12,5", Decimal("12.5")),
        (" 400,00 kr.", Decimal("400.00")),
        ("−75,00", Decimal("-75.00")),
    ],
)
def test_it_parses_danish_numbers(text, expected):
    assert parse_danish_decimal(text) == expected


@pytest.mark.parametrize("text", ["", "abc", "1.23,4", "1,2,3", "12.34.5", "1e5"])
def test_it_refuses_bad_numbers_in_danish(text):
    with pytest.raises(ValueError, match="(?i)tal"):
        parse_danish_decimal(text)


def test_it_formats_money_the_danish_way():
    assert format_kr(Decimal("1234567.891")) == "1.234.567,89 kr."
    assert format_kr(Decimal("-0.005")) == "-0,01 kr."
    assert format_number(Decimal("1924"), 0) == "1.924"
    assert to_money("2.345") == Decimal("2.35")  # half up, as the accounts round


def test_months_and_days():
    assert add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert list(months_between(dt.date(2026, 11, 15), dt.date(2027, 1, 2))) == [
        dt.date(2026, 11, 1),
        dt.date(2026, 12, 1),
        dt.date(2027, 1, 1),
    ]
    # 15 March–14 April inside March: 17 days (15..31).
    assert overlap_days(dt.date(2026, 3, 15), dt.date(2026, 4, 14), dt.date(2026, 3, 1), dt.date(2026, 3, 31)) == 17


def test_danish_public_holidays():
    assert easter_sunday(2026) == dt.date(2026, 4, 5)
    holidays = danish_public_holidays(2026)
    assert holidays[dt.date(2026, 4, 2)] == "Skærtorsdag"
    assert holidays[dt.date(2026, 5, 14)] == "Kristi himmelfartsdag"
    assert dt.date(2026, 5, 1) not in holidays  # Store bededag abolished from 2024
    assert "Store bededag" in danish_public_holidays(2023).values()
    # 2026: Skærtorsdag, Langfredag, 2. påskedag, Kr. himmelfart, 2. pinsedag,
    # Nytårsdag (Thu), Juledag (Fri) are weekdays; Påskedag, Pinsedag, 2. juledag (Sat) are not.
    assert weekday_public_holidays(2026) == 7


def test_it_neutralises_spreadsheet_formulas():
    assert safe_text('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert safe_text("@SUM(A1)") == "'@SUM(A1)"
    assert safe_text("-2+3") == "'-2+3"
    assert safe_text("Barsel AB") == "Barsel AB"
    assert safe_text(Decimal("-5")) == Decimal("-5")


def test_days_between_rounds_half_up_to_a_tenth():
    start = dt.datetime(2026, 11, 3, 8, 0, tzinfo=dt.UTC)
    # 1 day and 72 minutes = 1,05 days → 1,1 (half up; half-even would give 1,0).
    assert days_between(start, start + dt.timedelta(days=1, minutes=72)) == Decimal("1.1")
    # 2 days and 2 h 24 min = 2,1 days exactly; 3 h 35 min 59 s short of 0,15 stays 0,1.
    assert days_between(start, start + dt.timedelta(days=2, hours=2, minutes=24)) == Decimal("2.1")
    assert days_between(start, start + dt.timedelta(hours=3, minutes=35, seconds=59)) == Decimal("0.1")
    assert days_between(start, None) is None
    assert days_between(None, start) is None
