"""expected_changes and the calculations behind the ledger, on hand-computed examples."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from botilbud.lib.locking import VersionConflict
from botilbud.models import AccountGroup, HourPrice
from disponering import services
from disponering.models import Category, LedgerEntryMonth, Spread, Status
from disponering.selectors import expected_changes, expected_changes_for_homes, ledger_grid

W, OPS, INC = AccountGroup.WAGES.value, AccountGroup.OPERATIONS.value, AccountGroup.INCOME.value


def m(month: int, year: int = 2026) -> dt.date:
    return dt.date(year, month, 1)


def make(org, **kw):
    defaults = {
        "home": org.home_a,
        "user": org.manager,
        "category": Category.HIRE,
        "account_group": W,
        "title": "AB",
        "amount": D("0"),
        "start_date": dt.date(2026, 1, 1),
        "end_date": dt.date(2026, 12, 31),
        "spread": Spread.EVEN,
    }
    defaults.update(kw)
    return services.entry_create(**defaults)


def test_leave_effect_maternity_80_percent_temp():
    effect = services.leave_effect(
        monthly_wage=D("35000"),
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 12, 31),
        temp_percent=D("80"),
    )
    assert effect.monthly_net == D("-7000.00")
    assert effect.months == [(m(month), D("-7000.00")) for month in range(3, 13)]
    assert effect.total == D("-70000.00")
    assert effect.refund_months == []


def test_leave_effect_with_pay_and_refund_to_the_home():
    # Monthly effect = temp cost − refund to the home − (wage if without pay):
    # 35.000 × 80 % − 20.000 − 0 = 8.000 kr. a month.
    effect = services.leave_effect(
        monthly_wage=D("35000"),
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 4, 30),
        temp_percent=D("80"),
        monthly_refund=D("20000"),
        with_pay=True,
        refund_to_home=True,
    )
    assert effect.months == [(m(3), D("28000.00")), (m(4), D("28000.00"))]
    assert effect.refund_months == [(m(3), D("-20000.00")), (m(4), D("-20000.00"))]
    assert effect.monthly_effect == D("8000.00")
    assert effect.net_total == D("16000.00")


def test_leave_effect_refund_to_central_pool_is_not_the_homes():
    # Without pay, no temp, refund to the pool: −35.000 a month, no refund line.
    effect = services.leave_effect(
        monthly_wage=D("35000"),
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 31),
        temp_percent=D("0"),
        monthly_refund=D("20000"),
        with_pay=False,
        refund_to_home=False,
    )
    assert effect.months == [(m(3), D("-35000.00"))]
    assert effect.refund_months == []
    assert effect.monthly_effect == D("-35000.00")


def test_leave_effect_with_pay_and_no_temp_costs_nothing():
    # Boundary: with pay and 0 % temp the home neither saves nor spends.
    effect = services.leave_effect(
        monthly_wage=D("35000"),
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 3, 31),
        temp_percent=D("0"),
        with_pay=True,
    )
    assert effect.months == [(m(3), D("0.00"))]
    assert effect.monthly_effect == D("0.00")


def test_leave_effect_partial_months_by_days_and_refund():
    # 16 March – 15 May: March 16/31, April whole, May 15/31.
    effect = services.leave_effect(
        monthly_wage=D("31000"),
        start_date=dt.date(2026, 3, 16),
        end_date=dt.date(2026, 5, 15),
        temp_percent=D("50"),
        monthly_refund=D("15500"),
    )
    # Net 15,500/month: March 15,500 × 16/31 = 8,000; May 15,500 × 15/31 = 7,500.
    assert effect.months == [(m(3), D("-8000.00")), (m(4), D("-15500.00")), (m(5), D("-7500.00"))]
    assert effect.refund_months == [(m(3), D("-8000.00")), (m(4), D("-15500.00")), (m(5), D("-7500.00"))]


def test_even_spread_whole_months(org):
    make(org, amount=D("120000"))
    changes = expected_changes(org.home_a, 2026)
    assert all(changes[(m(k), W)] == D("10000.00") for k in range(1, 13))
    assert sum(changes.values()) == D("120000.00")


def test_even_spread_partial_months_by_days_and_remainder(org):
    # 15 Jan – 28 Feb 2026: Jan 17/31, Feb 28/28 → weights 17/31 and 1.
    make(org, amount=D("1000"), start_date=dt.date(2026, 1, 15), end_date=dt.date(2026, 2, 28))
    changes = expected_changes(org.home_a, 2026)
    jan = D(1000) * (D(17) / D(31)) / (D(17) / D(31) + 1)
    assert changes[(m(1), W)] == jan.quantize(D("0.01"))  # 354.17
    assert changes[(m(1), W)] == D("354.17")
    assert changes[(m(2), W)] == D("645.83")  # the remainder: parts add up to the total


def test_one_off_in_start_month(org):
    make(
        org,
        account_group=OPS,
        category=Category.ONE_OFF,
        amount=D("45000"),
        spread=Spread.ONE_OFF,
        start_date=dt.date(2026, 5, 20),
        end_date=dt.date(2026, 5, 20),
    )
    assert expected_changes(org.home_a, 2026) == {(m(5), OPS): D("45000.00")}


def test_typed_per_month(org):
    entry = make(
        org,
        spread=Spread.MONTHLY,
        start_date=dt.date(2026, 2, 1),
        end_date=dt.date(2026, 4, 30),
        monthly={m(2): D("100"), m(3): D("250.50"), m(4): D("-50")},
    )
    assert entry.amount == D("300.50")
    assert expected_changes(org.home_a, 2026) == {
        (m(2), W): D("100.00"),
        (m(3), W): D("250.50"),
        (m(4), W): D("-50.00"),
    }


def test_typed_month_outside_period_is_refused(org):
    with pytest.raises(ValueError, match="uden for perioden"):
        make(
            org,
            spread=Spread.MONTHLY,
            start_date=dt.date(2026, 2, 1),
            end_date=dt.date(2026, 2, 28),
            monthly={m(3): D("1")},
        )


def test_net_sum_cancelled_excluded_and_other_years_ignored(org):
    make(org, amount=D("12000"))  # +1,000/month wages
    make(org, amount=D("-6000"), start_date=dt.date(2026, 7, 1))  # −1,000/month Jul–Dec
    cancelled = make(org, amount=D("999999"))
    services.entry_cancel(entry=cancelled, seen_version=cancelled.version)
    make(org, amount=D("5000"), start_date=dt.date(2025, 12, 1), end_date=dt.date(2026, 1, 31))  # 2,500 per month
    make(org, home=org.home_b, amount=D("12000"))
    changes = expected_changes(org.home_a, 2026)
    assert changes[(m(1), W)] == D("3500.00")
    assert changes[(m(6), W)] == D("1000.00")
    assert changes[(m(7), W)] == D("0.00")
    assert (m(12, 2025), W) not in changes
    cancelled.refresh_from_db()
    assert cancelled.status == Status.CANCELLED
    assert LedgerEntryMonth.objects.filter(entry=cancelled).count() == 12  # kept, just not counted
    grid = ledger_grid(org.home_a, 2026)
    assert grid["total"] == D("2500.00") + D("12000.00") - D("6000.00")


def test_confirmed_counts(org):
    entry = make(org, amount=D("1200"))
    services.entry_confirm(entry=entry, seen_version=entry.version)
    assert expected_changes(org.home_a, 2026)[(m(1), W)] == D("100.00")


def test_for_homes_one_query(org, django_assert_num_queries):
    make(org, amount=D("1200"))
    make(org, home=org.home_b, account_group=INC, amount=D("-2400"))
    with django_assert_num_queries(1):
        result = expected_changes_for_homes([org.home_a.pk, org.home_b.pk, org.home_c.pk], 2026)
    assert result[(org.home_a.pk, m(3), W)] == D("100.00")
    assert result[(org.home_b.pk, m(3), INC)] == D("-200.00")
    assert not any(k[0] == org.home_c.pk for k in result)


def test_update_rewrites_months(org):
    entry = make(org, amount=D("1200"))
    services.entry_update(entry=entry, seen_version=entry.version, amount=D("600"), start_date=dt.date(2026, 7, 1))
    changes = expected_changes(org.home_a, 2026)
    assert (m(1), W) not in changes
    assert changes[(m(7), W)] == D("100.00")


def test_update_stale_version_refused(org):
    entry = make(org, amount=D("1200"))
    services.entry_update(entry=entry, seen_version=1, amount=D("600"))
    with pytest.raises(VersionConflict):
        services.entry_update(entry=entry, seen_version=1, amount=D("700"))


def test_income_consequence_6_to_10_hours_from_july(org):
    rows = services.income_consequence(org.home_a, 4, dt.date(2026, 7, 1), 2026)
    # 4 h × 400 kr. × days/7: July 31 days = 7,085.71; Sept 30 days = 6,857.14.
    assert rows[0] == (m(7), D("-7085.71"))
    assert rows[2] == (m(9), D("-6857.14"))
    assert [r[0] for r in rows] == [m(k) for k in range(7, 13)]
    # 184 days; each month rounded to øre: 4 × 7,085.71 + 2 × 6,857.14.
    assert sum(a for _, a in rows) == D("-42057.12")


def test_income_consequence_without_hour_price_is_empty(org):
    assert services.income_consequence(org.home_c, 4, dt.date(2026, 7, 1), 2026) == []


def test_income_consequence_uses_latest_earlier_price(org):
    HourPrice.objects.create(home=org.home_b, year=2025, hour_price="350.00")
    rows = services.income_consequence(org.home_b, 7, dt.date(2026, 12, 1), 2026)
    assert rows == [(m(12), D("-10850.00"))]  # 7 × 350 × 31/7


def test_package_change_shows_rest_of_year_and_twelve_months_across_year_end(org):
    # 6 → 10 h/week from 1 December 2026 at 400 kr./h (2027 falls back to 400):
    # rest of 2026: 4 × 400 × 31/7 = 7.085,71;
    # 12 months Dec 2026–Nov 2027: 365 days × 4 × 400 / 7 per month, rounded per month:
    # 31-day months (Dec, Jan, Mar, May, Jul, Aug, Oct) 7 × 7.085,71 = 49.599,97,
    # 30-day months (Apr, Jun, Sep, Nov) 4 × 6.857,14 = 27.428,56, February 6.400,00 → 83.428,53.
    summary = services.consequence_summary(
        org.home_a, old_weekly_hours=D("6"), new_weekly_hours=D("10"), from_date=dt.date(2026, 12, 1)
    )
    assert summary["consequence_total"] == D("-7085.71")
    assert summary["consequence_twelve_end"] == dt.date(2027, 11, 30)
    assert len(summary["consequence_twelve"]) == 12
    assert summary["consequence_twelve"][-1][0] == dt.date(2027, 11, 1)
    assert summary["consequence_twelve_total"] == D("-83428.53")


def test_package_change_twelve_months_from_mid_month(org):
    # From 15 January 2026: 12 months to 14 January 2027; January 2026 17 days, January 2027 14 days.
    summary = services.consequence_summary(
        org.home_a, old_weekly_hours=D("0"), new_weekly_hours=D("7"), from_date=dt.date(2026, 1, 15)
    )
    twelve = dict(summary["consequence_twelve"])
    assert twelve[dt.date(2026, 1, 1)] == D("-6800.00")  # 7 × 400 × 17/7
    assert twelve[dt.date(2027, 1, 1)] == D("-5600.00")  # 7 × 400 × 14/7
    assert len(twelve) == 13
