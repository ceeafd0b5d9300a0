"""Hand-computed examples for the staff-hours tool and the allocation model."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from budget.allocation import one_hour_per_year, placement_income
from budget.staffing import StaffingInput, _h, roster_cost, staff_hours


def example() -> StaffingInput:
    return StaffingInput(
        wage_budget=D("4800000"),
        annual_wage_cost=D("480000"),
        year=2026,
        sickness_pct=D("5"),
        competence_hours=D("22"),
        meeting_hours=D("40"),
    )


def test_staff_hours_2026():
    """FTE = 4,800,000 / 480,000 = 10; gross = 10 × 1,924 = 19,240 h.
    Hours per week 1,924/52 = 37; per day 1,924/260 = 7.4.
    Holiday 10 × 5 × 37 = 1,850; extra holiday 10 × 5 × 7.4 = 370.
    Weekday public holidays 2026: 1 Jan (Thu), 2 Apr, 3 Apr, 6 Apr, 14 May, 25 May, 25 Dec (Fri) = 7
    → 10 × 7 × 7.4 = 518.
    Sickness 5 % × (19,240 − 1,850 − 370 − 518 = 16,502) = 825.10.
    Competence 10 × 22 = 220; meetings 10 × 40 = 400; other 0.
    Roster = 16,502 − 825.10 − 220 − 400 = 15,056.90 h; per week 15,056.90 / 52 = 289.56.
    """
    r = staff_hours(example())
    assert r.fte == D("10.00")
    assert r.gross_hours == D("19240.00")
    assert r.public_holidays == 7
    assert [loss.hours for loss in r.losses] == [
        D("1850.00"),
        D("370.00"),
        D("518.00"),
        D("825.10"),
        D("220.00"),
        D("400.00"),
        D("0.00"),
    ]
    assert r.roster_hours == D("15056.90")
    assert r.roster_hours_per_week == D("289.56")
    assert r.roster_hours_per_fte == D("1505.69")


def test_staff_hours_2027_has_fewer_weekday_holidays():
    """2027: 1 Jan (Fri), 25 Mar, 26 Mar, 29 Mar, 6 May, 17 May = 6 weekdays (25/26 Dec fall on Sat/Sun)."""
    data = StaffingInput(wage_budget=D("480000"), annual_wage_cost=D("480000"), year=2027)
    r = staff_hours(data)
    assert r.public_holidays == 6
    # 1 FTE: 1,924 − 185 − 37 − 6 × 7.4 (44.4) = 1,657.60
    assert r.roster_hours == D("1657.60")


def test_staff_hours_rounded_once_at_the_end():
    """FTE = 1.000.000 / 300.000 = 3,3333…; 2027 (6 weekday holidays), sickness 3 %.
    Per FTE: holiday 185, extra 37, public 44,4; at work 1.657,6; sickness 49,728;
    roster per FTE 1.607,872 → × 3,3333… = 5.359,5733… → 5.359,57 h (from the
    unrounded hours, rounded once); per week 5.359,5733… / 52 = 103,0687… → 103,07."""
    data = StaffingInput(
        wage_budget=D("1000000"),
        annual_wage_cost=D("300000"),
        year=2027,
        sickness_pct=D("3"),
        competence_hours=D("0"),
        meeting_hours=D("0"),
    )
    r = staff_hours(data)
    assert r.roster_hours == D("5359.57")
    assert r.roster_hours_per_week == D("103.07")
    # The half-up boundary: 0,005 rounds up.

    assert _h(D("0.005")) == D("0.01")
    assert _h(D("0.025")) == D("0.03")  # half even would give 0,02


def test_roster_cost():
    """Roster hours per FTE (example) = 1,505.69. 300 h/week × 52 = 15,600 h
    → 15,600 / 1,505.69 = 10.3607… FTE × 480,000 = 4,973,135.24 kr."""
    cost = roster_cost(example(), D("300"))
    assert cost.yearly_hours == D("15600.00")
    assert cost.fte == D("10.36")
    assert cost.cost == D("4973135.24")


def test_allocation_full_year_and_leap_year():
    """10 h/week × 400 kr. × 365/7 = 208,571.43; in leap year 2028: × 366/7 = 209,142.86."""
    common = {"weekly_hours": D("10"), "hour_price": D("400"), "start": dt.date(2020, 1, 1), "end": None}
    assert placement_income(**common, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31)) == D(
        "208571.43"
    )
    assert placement_income(**common, period_start=dt.date(2028, 1, 1), period_end=dt.date(2028, 12, 31)) == D(
        "209142.86"
    )
    # February of the leap year: 29 days → 10 × 400 × 29/7 = 16,571.43
    assert placement_income(**common, period_start=dt.date(2028, 2, 1), period_end=dt.date(2028, 2, 29)) == D(
        "16571.43"
    )


def test_allocation_mid_month_start():
    """Start 15 March 2026: March has 17 active days (15–31) → 12 × 400 × 17/7 = 11,657.14;
    the year has 292 days (15 Mar–31 Dec) → 12 × 400 × 292/7 = 200,228.57."""
    args = {"weekly_hours": D("12"), "hour_price": D("400"), "start": dt.date(2026, 3, 15), "end": None}
    assert placement_income(**args, period_start=dt.date(2026, 3, 1), period_end=dt.date(2026, 3, 31)) == D("11657.14")
    assert placement_income(**args, period_start=dt.date(2026, 1, 1), period_end=dt.date(2026, 12, 31)) == D(
        "200228.57"
    )
    # Before the start: nothing.
    assert placement_income(**args, period_start=dt.date(2026, 2, 1), period_end=dt.date(2026, 2, 28)) == D("0.00")


def test_one_hour_per_week():
    """400 × 365/7 = 20,857.14; leap year 400 × 366/7 = 20,914.29."""
    assert one_hour_per_year(D("400"), 2026) == D("20857.14")
    assert one_hour_per_year(D("400"), 2028) == D("20914.29")
