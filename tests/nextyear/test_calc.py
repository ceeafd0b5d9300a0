"""Next year's budget, the pure arithmetic (``budget.nextyear.calc``), on hand-computed examples.

Allocation example: 10 places at 90 % budgeted occupancy = 9 budgeted places; on 1 January
4 residents: package A (10 h/week) 2 own; package B (20 h/week) 1 own and 1 sold; hour
price 400,00, 365 days:

- A: 9 × 2/4 = 4,5 places × 10 × 400 × 365/7 = 938.571,428… → 938.571,43
- B own: 9 × 1/4 = 2,25 places × 20 × 400 × 365/7 = 938.571,43
- B sold: 2,25 places × day rate 2.000,00 × 365 = 1.642.500,00
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from budget.nextyear import calc
from budget.staffing import GroupInput, StaffingInput

MIX = [calc.PackageMix("A", D("10"), own=2, sold=0), calc.PackageMix("B", D("20"), own=1, sold=1, day_rate=D("2000"))]


@pytest.mark.parametrize(
    "amount,pct,expected",
    [
        ("1000.00", "2.90", "1029.00"),
        ("0.50", "1", "0.51"),  # 0,505: half-up (banker's rounding would give 0,50)
        ("1000.00", "0", "1000.00"),  # PL 0 %: unchanged
        ("-4423972.00", "2.90", "-4552267.19"),  # income keeps its sign: −4.552.267,188
        ("1000.00", "-1.5", "985.00"),  # a falling index
    ],
)
def test_index_rounds_half_up_to_ore(amount, pct, expected):
    assert calc.index(D(amount), D(pct)) == D(expected)


def test_allocation_shares_follow_places_occupancy_packages_and_hour_price():
    shares = calc.allocation_shares(places=10, occupancy_pct=D("90"), mix=MIX, hour_price=D("400"), days=365)
    assert [(s.name, s.residents, s.places, s.amount) for s in shares] == [
        ("A", 2, D("4.5"), D("938571.43")),
        ("B", 1, D("2.25"), D("938571.43")),
    ]


def test_sold_places_earn_the_day_rate():
    shares = calc.sale_shares(places=10, occupancy_pct=D("90"), mix=MIX, days=365)
    assert [(s.name, s.places, s.amount) for s in shares] == [("B", D("2.25"), D("1642500.00"))]


def test_zero_places_or_no_residents_give_no_income():
    assert calc.allocation_shares(places=0, occupancy_pct=D("95"), mix=MIX, hour_price=D("400"), days=365) == []
    assert calc.sale_shares(places=0, occupancy_pct=D("95"), mix=MIX, days=365) == []
    assert calc.allocation_shares(places=10, occupancy_pct=D("95"), mix=[], hour_price=D("400"), days=365) == []


def test_a_sold_package_without_a_day_rate_is_refused():
    with pytest.raises(ValueError, match="dagtakst"):
        calc.sale_shares(places=10, occupancy_pct=D("95"), mix=[calc.PackageMix("C", D("5"), 0, 1)], days=365)


def test_outreach_client_for_a_whole_leap_year():
    # 5 h × 400 × 366/7 = 104.571,428… → 104.571,43
    assert calc.outreach_income(weekly_hours=D("5"), hour_price=D("400"), days=366) == D("104571.43")


def _plan(**kw) -> StaffingInput:
    base = {
        "wage_budget": D("480000"),
        "annual_wage_cost": D("480000"),
        "year": 2026,
        "holiday_weeks": D("0"),
        "extra_holiday_days": D("0"),
    }
    return StaffingInput(**{**base, **kw})


def test_wage_budget_is_the_roster_hours_costed_in_next_year():
    """1 FTE in 2026: 1.924 − 7 weekday holidays × 7,4 = 1.872,2 roster hours (36,004 h/week,
    shown 36,00; the exact hours are costed, rounded once at the end). 2027 has 6 weekday
    holidays: 1.924 − 44,4 = 1.879,6 per FTE → 1.872,2 ÷ 1.879,6 FTE × 480.000 × 1,02 =
    487.672,44 (less than 489.600: 2027 has one more working day to roster)."""
    result = calc.wage_budget(_plan(), roster_hours_per_week=None, year=2027, wage_pct=D("2"))
    assert result.roster_hours_per_week == D("36.00")
    assert result.roster_source == "loenbudget"
    assert result.amount == D("487672.44")
    assert result.average_cost_per_fte == D("489600.00")


def test_wage_budget_of_a_given_roster():
    """74 h/week × 52 = 3.848 h ÷ 1.879,6 = 2,0472 FTE × 489.600 = 1.002.330,71."""
    result = calc.wage_budget(_plan(), roster_hours_per_week=D("74"), year=2027, wage_pct=D("2"))
    assert result.roster_source == "vagtplan"
    assert (result.fte, result.amount) == (D("2.05"), D("1002330.71"))


def test_wage_budget_with_pl_zero_and_the_same_holidays_is_unchanged():
    # public holidays fixed at 7 both years, PL 0 %: the roster costs exactly this year's budget.
    result = calc.wage_budget(_plan(public_holidays=7), roster_hours_per_week=None, year=2027, wage_pct=D("0"))
    assert result.amount == D("480000.00")


def test_wage_budget_with_staff_groups_costs_their_supplements():
    """One group, 100 % of the budget, 500.000 a FTE, 50 % evening hours at 40 kr. Losses 0 and
    public holidays fixed at 0: 1.924 roster hours per FTE; supplements 1.924 × 0,5 × 40 =
    38.480 → 538.480 per FTE. A roster of 37 h/week = 1.924 h = 1 FTE. With PL 0 %: 538.480,00;
    with PL 10 %: wage and supplement × 1,1 → 550.000 + 1.924 × 0,5 × 44 = 592.328,00."""

    plan = _plan(
        public_holidays=0,
        groups=(GroupInput("Pædagoger", D("100"), D("500000"), evening_pct=D("50"), evening_supplement=D("40")),),
    )
    assert calc.wage_budget(plan, roster_hours_per_week=D("37"), year=2027, wage_pct=D("0")).amount == D("538480.00")
    assert calc.wage_budget(plan, roster_hours_per_week=D("37"), year=2027, wage_pct=D("10")).amount == D("592328.00")
