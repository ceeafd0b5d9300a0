"""The ledger's month summary (``LedgerMonthTotal``, kept by triggers) always
equals the raw aggregate of the entries' months, cancelled entries left out:
hand cases for each kind of write, then random sequences of writes
(hypothesis) through the services, the ORM and raw SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.db import connection
from django.db.models import Count, Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from botilbud.models import AccountGroup
from disponering import selectors, services
from disponering.models import Category, LedgerEntry, LedgerEntryMonth, LedgerMonthTotal, Spread, Status

pytestmark = pytest.mark.django_db


def raw() -> dict[tuple[int, dt.date, str], tuple[D, int]]:
    rows = (
        LedgerEntryMonth.objects.exclude(entry__status=Status.CANCELLED)
        .values("home_id", "month", "account_group")
        .annotate(total=Sum("amount"), n=Count("pk"))
        .order_by()
    )
    return {(r["home_id"], r["month"], r["account_group"]): (r["total"], r["n"]) for r in rows}


def summary() -> dict[tuple[int, dt.date, str], tuple[D, int]]:
    rows = LedgerMonthTotal.objects.filter(months__gt=0).values_list(
        "home_id", "month", "account_group", "amount", "months"
    )
    return {(h, m, g): (a, n) for h, m, g, a, n in rows}


def assert_exact() -> None:
    assert summary() == raw()
    # A cell with nothing behind it has nothing left in it either.
    assert not LedgerMonthTotal.objects.filter(months=0).exclude(amount=0).exists()


def make(home, user, **kw):
    data = {
        "home": home,
        "user": user,
        "category": Category.HIRE,
        "account_group": AccountGroup.WAGES,
        "title": "AB",
        "amount": D("12000"),
        "start_date": dt.date(2026, 1, 1),
        "end_date": dt.date(2026, 12, 31),
        "spread": Spread.EVEN,
    }
    data.update(kw)
    return services.entry_create(**data)


def test_create_edit_cancel_restore_delete(org):
    a = make(org.home_a, org.manager)  # 1.000 a month
    b = make(org.home_a, org.manager, amount=D("600"), start_date=dt.date(2026, 7, 1))  # 100 a month Jul-Dec
    assert_exact()
    assert selectors.expected_changes(org.home_a, 2026)[(dt.date(2026, 7, 1), "loen")] == D("1100.00")

    a = services.entry_update(entry=a, seen_version=a.version, account_group=AccountGroup.OPERATIONS)
    assert_exact()
    assert selectors.expected_changes(org.home_a, 2026)[(dt.date(2026, 7, 1), "loen")] == D("100.00")

    b = services.entry_cancel(entry=b, seen_version=b.version)
    assert_exact()
    assert (dt.date(2026, 7, 1), "loen") not in selectors.expected_changes(org.home_a, 2026)

    b = services.entry_set_status(entry=b, seen_version=b.version, status=Status.EXPECTED)
    assert_exact()
    b = services.entry_confirm(entry=b, seen_version=b.version)  # not cancelled → cancelled-ness unchanged
    assert_exact()
    assert selectors.expected_changes(org.home_a, 2026)[(dt.date(2026, 7, 1), "loen")] == D("100.00")

    a.delete()
    assert_exact()
    assert selectors.year_totals_for_homes([org.home_a.pk], 2026) == {(org.home_a.pk, "loen"): D("600.00")}


def test_entry_created_cancelled_never_counts_and_bulk_writes(org):
    make(org.home_b, org.manager, status=Status.CANCELLED)
    assert summary() == {} == raw()
    entry = make(org.home_b, org.manager, amount=D("1200"))
    # The ORM's bulk update and raw SQL go through the same triggers.
    LedgerEntryMonth.objects.filter(entry=entry, month__gte=dt.date(2026, 6, 1)).update(amount=D("50.50"))
    assert_exact()
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE disponering_ledgerentrymonth SET month = month + interval '1 year' WHERE entry_id = %s",
            [entry.pk],
        )
    assert_exact()
    LedgerEntry.objects.filter(pk=entry.pk).update(status=Status.CANCELLED)
    assert_exact()
    LedgerEntry.objects.filter(pk=entry.pk).update(status=Status.CONFIRMED)
    assert_exact()
    LedgerEntryMonth.objects.filter(entry=entry).delete()
    assert_exact()
    # The forecast's part reads the summary: after month 12 nothing is left.
    assert selectors.expected_changes_after([org.home_b.pk], 2027, 12) == {}


OPS = st.lists(
    st.tuples(
        st.sampled_from(["create", "update", "cancel", "restore", "delete", "move_month"]),
        st.integers(min_value=0, max_value=7),  # which entry / home
        st.integers(min_value=-5000, max_value=20000),  # amount
        st.integers(min_value=0, max_value=23),  # start month offset from 2025-07
        st.integers(min_value=0, max_value=14),  # length in months
        st.sampled_from(list(AccountGroup.values)),
        st.sampled_from([Spread.EVEN, Spread.ONE_OFF]),
    ),
    min_size=1,
    max_size=12,
)


def _month(offset: int) -> dt.date:
    y, m = divmod(6 + offset, 12)
    return dt.date(2025 + y, m + 1, 1)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_random_writes_keep_the_summary_exact(org, ops):
    homes = [org.home_a, org.home_b, org.home_c]
    for op, which, amount, start, length, group, spread in ops:
        entries = list(LedgerEntry.objects.order_by("pk"))
        start_date = _month(start)
        end_date = _month(start + length) + dt.timedelta(days=27)
        if op == "create" or not entries:
            make(
                homes[which % 3],
                org.manager,
                amount=D(amount),
                account_group=group,
                spread=spread,
                start_date=start_date,
                end_date=end_date,
                status=Status.CANCELLED if which == 7 else Status.EXPECTED,
            )
            continue
        entry = entries[which % len(entries)]
        if op == "update":
            services.entry_update(
                entry=entry,
                seen_version=entry.version,
                amount=D(amount),
                account_group=group,
                start_date=start_date,
                end_date=end_date,
                spread=spread,
            )
        elif op == "cancel":
            services.entry_cancel(entry=entry, seen_version=entry.version)
        elif op == "restore":
            services.entry_set_status(entry=entry, seen_version=entry.version, status=Status.EXPECTED)
        elif op == "delete":
            entry.delete()
        elif op == "move_month":
            LedgerEntryMonth.objects.filter(entry=entry, month__gte=start_date).update(amount=D(amount) / 7)
        assert_exact()
    assert_exact()
