"""Danish numbers, dates and months as the import reads them through the own layout's profile."""

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


def _validate(data: bytes):
    read = importer.stage_file(io.BytesIO(data), "x.csv")
    return read, importer.validate_profile(read, allowed_home_ids=None, only_month=None, closed_years=[])


def _parsed(org, rows, header=None):
    """Stage a CSV and return the rows as they would be written (row_no, amount, posting_date, month)."""
    data = csv_bytes(rows, header) if header else csv_bytes(rows)
    with transaction.atomic():
        read, _ = _validate(data)
        with connection.cursor() as c:
            c.execute(f"SELECT row_no, amount, posting_date, month FROM ({read.source_sql}) s ORDER BY row_no")
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
    rows = [
        ["52000", "5.38.50.1.10", "2026-04", "10,00", "x"],
        ["52000", "5.38.50/7.71", "04-2026", "-5,00", "y"],
        ["52000", "5.38.50 1.10", "2026-04-30", "1.000,00-", "a date in the month column, SAP's minus"],
    ]
    parsed = _parsed(org, rows, header)
    assert [r[3].isoformat() for r in parsed] == ["2026-04-01", "2026-04-01", "2026-04-01"]
    assert [r[1] for r in parsed] == [Decimal("10.00"), Decimal("-5.00"), Decimal("-1000.00")]


def test_own_layout_date_and_month_must_agree(org):
    header = ["Tekst", "Beløb", "Måned", "Bogføringsdato", "Art", "Funktion", "Omkostningssted"]  # any order
    rows = [
        ["ok", "1,00", "2026-04", "15-04-2026", "1.10", "5.38.50", "52000"],
        ["wrong month", "1,00", "2026-05", "15-04-2026", "1.10", "5.38.50", "52000"],
        ["month from the date", "1,00", "", "15-04-2026", "1.10", "5.38.50", "52000"],
    ]
    with transaction.atomic():
        _, result = _validate(csv_bytes(rows, header))
        transaction.set_rollback(True)
    assert [(e.row, e.reasons) for e in result.errors] == [(3, ["Datoen 15-04-2026 ligger ikke i måneden 2026-05"])]


def test_bad_values_are_named(org):
    rows = [
        ["52000", "5.38.50", "1.10", "31-02-2026", "1,00", "no 31 February"],
        ["52000", "5.38.50", "1.10", "2026-05-01", "12.5", "English decimal point"],
        ["52000", "5.38.50", "8.10", "01-05-2026", "1,00", "unknown art"],
        ["", "5.38.50", "1.10", "01-05-2026", "1,00", "no cost centre"],
        ["52000", "5.38.50", "1.10", "", "1,00", "no date"],
    ]
    with transaction.atomic():
        _, result = _validate(csv_bytes(rows))
        transaction.set_rollback(True)
    reasons = {e.row: " ".join(e.reasons) for e in result.errors}
    assert "Datoen »31-02-2026« kan ikke læses" in reasons[2]
    assert "»12.5« er ikke et gyldigt tal" in reasons[3]
    assert "Ukendt konto »5.38.50 / 8.10«" in reasons[4]
    assert "Omkostningssted mangler" in reasons[5]
    assert "Periode eller dato mangler" in reasons[6]
    assert result.bad_row_count == 5
