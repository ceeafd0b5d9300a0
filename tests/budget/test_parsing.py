"""Danish numbers, dates and months as the SQL import parses them."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.db import connection, transaction

from botilbud.lib.money import parse_danish_decimal
from budget import importer
from tests.budget.helpers import csv_bytes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.234,56", "1234.56"),
        ("-1.234,56", "-1234.56"),
        ("−12,5", "-12.5"),
        ("1234", "1234"),
        ("1.234.567,89", "1234567.89"),
    ],
)
def test_parse_danish_decimal(text, expected):
    assert parse_danish_decimal(text) == Decimal(expected)


@pytest.mark.parametrize("text", ["12.5", "1,2,3", "abc", "", "1.23,4"])
def test_parse_danish_decimal_rejects(text):
    with pytest.raises(ValueError):
        parse_danish_decimal(text)


def _parsed(org, rows, header=None):
    """Stage a CSV and return the parsed rows (row_no, amount, posting_date, month) from SQL."""
    data = csv_bytes(rows, header) if header else csv_bytes(rows)
    with transaction.atomic():
        importer.stage_file(io.BytesIO(data), "x.csv")
        importer.validate()
        with connection.cursor() as c:
            c.execute(
                "SELECT row_no, amount, posting_date, COALESCE(date_trunc('month', posting_date)::date, month_value) "
                "FROM budget_actuals_parsed ORDER BY row_no"
            )
            result = c.fetchall()
        transaction.set_rollback(True)
    return result


def test_sql_parses_danish_amounts_and_dates(org):
    rows = [
        ["52000", "5.38.50", "1.10", "03-05-2026", "1.234,56", "a"],
        ["52000", "5.38.50", "1.10", "3.5.2026", "-12.000,00", "b"],
        ["52000", "5.38.50", "1.10", "2026-05-31", "−99,5", "c"],
        ["52000", "5.38.50", "1.10", "29-02-2024", "7", "leap day"],
    ]
    parsed = _parsed(org, rows)
    assert [(r[0], r[1], r[2].isoformat()) for r in parsed] == [
        (2, Decimal("1234.56"), "2026-05-03"),
        (3, Decimal("-12000.00"), "2026-05-03"),
        (4, Decimal("-99.50"), "2026-05-31"),
        (5, Decimal("7.00"), "2024-02-29"),
    ]


def test_sql_month_column(org):
    header = ["Omkostningssted", "Konto", "Måned", "Beløb", "Tekst"]
    rows = [["52000", "5.38.50.1.10", "2026-04", "10,00", "x"], ["52000", "5.38.50/7.71", "04-2026", "-5,00", "y"]]
    parsed = _parsed(org, rows, header)
    assert [r[3].isoformat() for r in parsed] == ["2026-04-01", "2026-04-01"]


def test_bad_values_are_named(org):
    rows = [
        ["52000", "5.38.50", "1.10", "31-02-2026", "1,00", "no 31 February"],
        ["52000", "5.38.50", "1.10", "2026-05-01", "12.5", "English decimal point"],
        ["52000", "5.38.50", "8.10", "01-05-2026", "1,00", "unknown art"],
        ["", "5.38.50", "1.10", "01-05-2026", "1,00", "no cost centre"],
        ["52000", "5.38.50", "1.10", "", "1,00", "no date"],
    ]
    with transaction.atomic():
        importer.stage_file(io.BytesIO(csv_bytes(rows)), "x.csv")
        result = importer.validate()
        transaction.set_rollback(True)
    reasons = {e.row: " ".join(e.reasons) for e in result.errors}
    assert "ikke en gyldig dato" in reasons[2]
    assert "»12.5« er ikke et gyldigt tal" in reasons[3]
    assert "Ukendt konto »5.38.50 / 8.10«" in reasons[4]
    assert "Omkostningssted mangler" in reasons[5]
    assert "Dato eller måned mangler" in reasons[6]
    assert result.bad_row_count == 5
