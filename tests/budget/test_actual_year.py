"""The yearly actuals summary (``ActualYear``, kept by triggers on
``ActualTotal``) always equals the raw aggregate: hand cases for each kind of
write, then random sequences of writes (hypothesis) through the ORM and raw
SQL, the way the import, the regrouping and the demo seeder write."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Count, Max, Sum
from django.db.models.functions import ExtractMonth, ExtractYear
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from budget import selectors
from budget.models import ActualTotal, ActualYear

pytestmark = pytest.mark.django_db

MONTHS = range(1, 13)


def raw() -> dict[tuple[int, int, str, int], tuple[D, int]]:
    rows = (
        ActualTotal.objects.annotate(y=ExtractYear("month"), m=ExtractMonth("month"))
        .values("home_id", "y", "group", "m")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    return {(r["home_id"], r["y"], r["group"], r["m"]): (r["total"], r["n"]) for r in rows}


def summary() -> dict[tuple[int, int, str, int], tuple[D, int]]:
    result = {}
    for row in ActualYear.objects.all():
        for m in MONTHS:
            n = getattr(row, f"n{m:02d}")
            amount = getattr(row, f"m{m:02d}")
            if n:
                result[(row.home_id, row.year, row.group, m)] = (amount, n)
            else:
                assert amount == 0, "a month with nothing behind it holds nothing"
    return result


def assert_exact() -> None:
    assert summary() == raw()


def total(home, month: dt.date, group: str, amount: str) -> ActualTotal:
    return ActualTotal.objects.create(home=home, month=month, group=group, amount=D(amount), row_count=1)


def test_insert_update_upsert_delete(org):
    home = org.home_a
    jan = total(home, dt.date(2026, 1, 1), "loen", "100.10")
    total(home, dt.date(2026, 3, 1), "loen", "50.00")
    total(home, dt.date(2025, 12, 1), "loen", "7.00")  # another year: its own row
    assert_exact()
    row = ActualYear.objects.get(home_id=home.pk, year=2026, group="loen")
    assert (row.m01, row.m02, row.m03, row.n02) == (D("100.10"), D("0"), D("50.00"), 0)

    ActualTotal.objects.filter(pk=jan.pk).update(amount=D("-20.05"))
    assert_exact()
    # The demo seeder's INSERT … ON CONFLICT DO UPDATE (one row updated, one inserted).
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO budget_actualtotal (home_id, month, "group", amount, row_count)
            VALUES (%(h)s, '2026-03-01', 'loen', 1.50, 1), (%(h)s, '2026-04-01', 'drift', 9.99, 1)
            ON CONFLICT (home_id, month, "group")
            DO UPDATE SET amount = budget_actualtotal.amount + EXCLUDED.amount
            """,
            {"h": home.pk},
        )
    assert_exact()
    # The import's replace of a home's months, and the regrouping's delete of everything.
    ActualTotal.objects.filter(home=home, month=dt.date(2026, 3, 1)).delete()
    assert_exact()
    ActualTotal.objects.all().delete()
    assert_exact()
    assert summary() == {}


def test_forecast_and_latest_month_read_the_summary(org):
    total(org.home_b, dt.date(2026, 1, 1), "drift", "1000.00")
    total(org.home_b, dt.date(2026, 2, 1), "drift", "500.00")
    total(org.home_b, dt.date(2026, 5, 1), "indtaegt", "-300.00")
    assert selectors.latest_actual_month([org.home_b.pk], 2026) == 5
    assert selectors.latest_actual_month([org.home_c.pk], 2026) == 0
    rows = selectors.forecast_for_homes([org.home_b.pk], 2026, 2)
    assert rows[(org.home_b.pk, "drift")].actuals_to_date == D("1500.00")
    # Income's first actuals are in May: through February it has none, so no row.
    assert (org.home_b.pk, "indtaegt") not in rows
    assert selectors.forecast_for_homes([org.home_b.pk], 2026, 5)[(org.home_b.pk, "indtaegt")].actuals_to_date == D(
        "-300.00"
    )
    assert selectors.forecast_for_homes([org.home_b.pk], 2026, 0) == {}


OPS = st.lists(
    st.tuples(
        st.sampled_from(["insert", "update", "delete", "upsert", "move"]),
        st.integers(min_value=0, max_value=2),  # home
        st.integers(min_value=0, max_value=29),  # month offset from 2025-01
        st.sampled_from(["loen", "drift", "indtaegt"]),
        st.integers(min_value=-(10**7), max_value=10**7),  # øre
    ),
    min_size=1,
    max_size=15,
)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_random_writes_keep_the_summary_exact(org, ops):
    homes = [org.home_a, org.home_b, org.home_c]
    for op, which, offset, group, ore in ops:
        home = homes[which]
        y, m = divmod(offset, 12)
        month = dt.date(2025 + y, m + 1, 1)
        amount = D(ore) / 100
        here = ActualTotal.objects.filter(home=home, month=month, group=group)
        if op == "insert" and not here.exists():
            total(home, month, group, str(amount))
        elif op == "update":
            ActualTotal.objects.filter(home=home).update(amount=amount)
        elif op == "delete":
            ActualTotal.objects.filter(home=home, month__gte=month).delete()
        elif op == "upsert":
            with connection.cursor() as cursor:
                cursor.execute(
                    """
                    INSERT INTO budget_actualtotal (home_id, month, "group", amount, row_count)
                    VALUES (%s, %s, %s, %s, 1)
                    ON CONFLICT (home_id, month, "group")
                    DO UPDATE SET amount = budget_actualtotal.amount + EXCLUDED.amount
                    """,
                    [home.pk, month, group, amount],
                )
        elif op == "move":
            # A row moved to another month (and maybe year) by an UPDATE.
            latest = ActualTotal.objects.filter(home=home).aggregate(m=Max("month"))["m"]
            if latest and not ActualTotal.objects.filter(home=home, month=month, group=group).exists():
                ActualTotal.objects.filter(home=home, month=latest, group=group).update(month=month)
        assert_exact()
