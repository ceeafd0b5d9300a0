"""The forecast on hand-computed cases, and its query count."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

from django.db import connection
from django.test.utils import CaptureQueriesContext

from budget.models import BudgetCorrection, BudgetLine
from budget.selectors import forecast, forecast_for_homes
from budget.services import import_actuals
from disponering.models import LedgerEntry, Status
from disponering.services import entry_create
from tests.budget.helpers import csv_bytes


def _setup(org, profile=None):
    line = BudgetLine.objects.create(
        home=org.home_a, year=2026, group="loen", original=D("1200000"), profile=profile or []
    )
    BudgetCorrection.objects.create(
        line=line, date=dt.date(2026, 2, 1), amount=D("120000"), reason="Tillæg", created_by=org.consultant
    )
    rows = [["52000", "5.38.50", "1.10", f"15-{m:02d}-2026", "100.000,00", "Løn"] for m in (1, 2, 3)]
    outcome = import_actuals(stream=io.BytesIO(csv_bytes(rows)), file_name="q1.csv", user=None, mode="apply")
    assert outcome.stage.ok

    common = {"home": org.home_a, "user": org.manager, "category": "vikar", "account_group": "loen"}
    entry_create(
        **common,
        title="Vikar april–juni",
        amount=D("60000"),
        start_date=dt.date(2026, 4, 1),
        end_date=dt.date(2026, 6, 30),
    )
    entry_create(
        **common,
        title="Vikar februar (før m)",
        amount=D("10000"),
        start_date=dt.date(2026, 2, 1),
        end_date=dt.date(2026, 2, 28),
    )
    cancelled = entry_create(
        **common, title="Aflyst", amount=D("99999"), start_date=dt.date(2026, 9, 1), end_date=dt.date(2026, 9, 30)
    )

    LedgerEntry.objects.filter(pk=cancelled.pk).update(status=Status.CANCELLED)


def test_forecast_even_profile(org):
    """Corrected budget 1,200,000 + 120,000 = 1,320,000. At March (m = 3):
    actuals 3 × 100,000 = 300,000; budget to date 1,320,000 × 3/12 = 330,000;
    remaining budget 990,000; ledger after March: 60,000 (the February entry
    is before m, the cancelled one does not count).
    Forecast = 300,000 + 990,000 + 60,000 = 1,350,000; deviation = +30,000 (merforbrug)."""
    _setup(org)
    row = forecast(org.home_a, 2026, 3)["loen"]
    assert row.corrected_budget == D("1320000.00")
    assert row.actuals_to_date == D("300000.00")
    assert row.budget_to_date == D("330000.00")
    assert row.expected_changes == D("60000.00")
    assert row.forecast == D("1350000.00")
    assert row.deviation == D("30000.00")


def test_forecast_with_holiday_pay_profile(org):
    """Profile weights 1 for every month but May (2): sum 13, share through March 3/13.
    Budget to date 1,320,000 × 3/13 = 304,615.38; remaining 1,015,384.62.
    Forecast = 300,000 + 1,015,384.62 + 60,000 = 1,375,384.62; deviation 55,384.62."""
    _setup(org, profile=[D(1)] * 4 + [D(2)] + [D(1)] * 7)
    row = forecast(org.home_a, 2026, 3)["loen"]
    assert row.budget_to_date == D("304615.38")
    assert row.forecast == D("1375384.62")
    assert row.deviation == D("55384.62")


def test_forecast_at_month_zero_and_twelve(org):
    """m = 0: forecast = budget + all the year's ledger changes (60,000 + 10,000) = 1,390,000.
    m = 12: forecast = actuals = 300,000."""
    _setup(org)
    assert forecast(org.home_a, 2026, 0)["loen"].forecast == D("1390000.00")
    assert forecast(org.home_a, 2026, 12)["loen"].forecast == D("300000.00")


def test_forecast_for_many_homes_is_a_fixed_number_of_queries(org):
    _setup(org)
    for home in (org.home_b, org.home_c):
        BudgetLine.objects.create(home=home, year=2026, group="drift", original=D("120000"))
    with CaptureQueriesContext(connection) as one:
        forecast_for_homes([org.home_a.pk], 2026, 3)
    with CaptureQueriesContext(connection) as three:
        rows = forecast_for_homes([org.home_a.pk, org.home_b.pk, org.home_c.pk], 2026, 3)
    assert len(one) == len(three) <= 2
    # No actuals in Q1 for home B: 0 + 120,000 × 9/12 = 90,000 (an underspend of 30,000 so far).
    assert rows[(org.home_b.pk, "drift")].forecast == D("90000.00")
    assert rows[(org.home_a.pk, "loen")].forecast == D("1350000.00")
