"""The rate formula on hand-computed cases (DESIGN.md: rates are cost-based).

Common inputs, year 2027 (365 days): budget wages 8,000,000 + other operations
2,000,000 = cost base 10,000,000; overhead 3 % = 300,000; capital costs
200,000; 20 places × 95 % occupancy = 19 billable places. The limit is 5 % of
Y−2's cost base 10,000,000 = 500,000.
"""

from __future__ import annotations

from decimal import Decimal as D

import pytest

from budget.rates.calc import LevelInput, RateError, Regulation, compute_rate


def _reg(result: str, base: str = "10000000") -> Regulation:
    return Regulation(year=2025, result=D(result), limit_pct=D("5"), limit_base=D(base), source="regnskab")


def _rate(result: str, **kw):
    return compute_rate(
        year=2027,
        cost_lines=[("Løn", D("8000000")), ("Øvrig drift", D("2000000"))],
        overhead_pct=D("3"),
        capital_costs=D("200000"),
        regulation=_reg(result),
        places=20,
        occupancy_pct=D("95"),
        **kw,
    )


def test_deficit_within_the_limit_stays_with_the_home():
    """Deficit 400,000 ≤ 500,000: all carried over, nothing enters the rate.
    Total 10,500,000 ÷ 19 = 552,631.58; month 46,052.63; day 552,631.58 ÷ 365 = 1,514.06."""
    r = _rate("400000")
    assert r.cost_base == D("10000000.00") and r.overhead == D("300000.00")
    assert (r.regulation.into_rate, r.regulation.carry_over, r.regulation.kind) == (D("0"), D("400000"), "underskud")
    assert r.total == D("10500000.00")
    assert (r.annual, r.month, r.day) == (D("552631.58"), D("46052.63"), D("1514.06"))


def test_deficit_beyond_the_limit_raises_the_rate():
    """Deficit 700,000: 500,000 carried over, 200,000 enters. Total 10,700,000 ÷ 19 = 563,157.89;
    day 563,157.89 ÷ 365 = 1,542.90."""
    r = _rate("700000")
    assert (r.regulation.into_rate, r.regulation.carry_over) == (D("200000"), D("500000"))
    assert r.total == D("10700000.00")
    assert (r.annual, r.day) == (D("563157.89"), D("1542.90"))


def test_surplus_within_the_limit_stays_with_the_home():
    r = _rate("-300000")
    assert (r.regulation.into_rate, r.regulation.carry_over, r.regulation.kind) == (D("0"), D("-300000"), "overskud")
    assert r.annual == D("552631.58")


def test_surplus_beyond_the_limit_lowers_the_rate():
    """Surplus 800,000: 500,000 carried over, 300,000 lowers the rate. Total 10,200,000 ÷ 19 = 536,842.11;
    day 536,842.11 ÷ 365 = 1,470.80."""
    r = _rate("-800000")
    assert (r.regulation.into_rate, r.regulation.carry_over) == (D("-300000"), D("-500000"))
    assert r.total == D("10200000.00")
    assert (r.annual, r.day) == (D("536842.11"), D("1470.80"))


@pytest.mark.parametrize("result", ["500000", "-500000"])
def test_exactly_at_the_limit_nothing_enters(result):
    assert _rate(result).regulation.into_rate == 0


def test_leap_year_day_rate():
    """2028 has 366 days: 552,631.58 ÷ 366 = 1,509.92."""
    r = compute_rate(
        year=2028,
        cost_lines=[("Løn", D("10000000"))],
        overhead_pct=D("3"),
        capital_costs=D("200000"),
        regulation=_reg("0"),
        places=20,
        occupancy_pct=D("95"),
    )
    assert (r.annual, r.days, r.day) == (D("552631.58"), 366, D("1509.92"))


def test_differentiated_rates_weight_the_same_cost_base():
    """Weights 1,0 (10 places) and 1,5 (10 places): weighted mean 1,25.
    Level 1: 10,500,000 ÷ 19 × 1 ÷ 1,25 = 442,105.26; level 2: × 1,5 ÷ 1,25 = 663,157.89.
    The planned mix earns the total: 10 × 442,105.26 + 10 × 663,157.89 = 20 × 552,631.575."""
    r = _rate("0", levels=[LevelInput("Niveau 1", D("1"), D("10")), LevelInput("Niveau 2", D("1.5"), D("10"))])
    assert r.weighted_mean == D("1.25")
    assert [(lv.name, lv.annual, lv.day) for lv in r.levels] == [
        ("Niveau 1", D("442105.26"), D("1211.25")),
        ("Niveau 2", D("663157.89"), D("1816.87")),
    ]


def test_impossible_inputs_are_refused_in_danish():
    with pytest.raises(RateError, match="mindst én plads"):
        compute_rate(
            year=2027,
            cost_lines=[],
            overhead_pct=D(0),
            capital_costs=D(0),
            regulation=_reg("0"),
            places=0,
            occupancy_pct=D(95),
        )
    with pytest.raises(RateError, match="planlagte antal pladser"):
        _rate("0", levels=[LevelInput("Niveau 1", D("1"), D("0"))])
