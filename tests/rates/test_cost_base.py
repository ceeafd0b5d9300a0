"""Before next year has a budget, its rate's cost base is this year's corrected budget indexed
with next year's PL (hand-computed): 1.000.000 × 1,029 = 1.029.000; 200.000,50 × 1,029 = 205.800,51."""

from __future__ import annotations

from decimal import Decimal as D

from botilbud.registry import load_reference_data
from budget.models import BudgetLine
from budget.rates.models import PriceIndex
from budget.rates.selectors import budgeted_costs


def test_an_earlier_budget_is_indexed_to_the_rate_year(org):
    load_reference_data()
    BudgetLine.objects.create(home=org.home_a, year=2026, group="loen", original=D("1000000"))
    BudgetLine.objects.create(home=org.home_a, year=2026, group="drift", original=D("200000.50"))
    lines = budgeted_costs(org.home_a.pk, 2027, ["loen", "drift"])
    assert [a for _, a in lines] == [D("1029000.00"), D("205800.51")]  # 205.800,51445 → ,51
    assert lines[0][0] == "Budget 2026: Løn × PL 2027 2,90 % (budget 2027 findes ikke endnu)"
    # Two years on: every year in between needs its PL; 2028 has none yet.
    assert [a for _, a in budgeted_costs(org.home_a.pk, 2028, ["loen"])] == [D("1000000.00")]  # no PL 2028
    PriceIndex.objects.create(year=2028, pl_pct=D("2.00"))
    assert [a for _, a in budgeted_costs(org.home_a.pk, 2028, ["loen"])] == [D("1049580.00")]  # × 1,029 × 1,02
    PriceIndex.objects.filter(year=2027).delete()
    lines = budgeted_costs(org.home_a.pk, 2027, ["loen"])
    assert lines == [
        ("Budget 2026: Løn (budget 2027 findes ikke endnu; ikke fremskrevet: PL-skøn mangler)", D("1000000.00"))
    ]


def test_the_years_own_budget_is_used_as_it_is(org):
    BudgetLine.objects.create(home=org.home_a, year=2027, group="loen", original=D("1000000"))
    assert budgeted_costs(org.home_a.pk, 2027, ["loen"]) == [("Budget 2027: Løn", D("1000000.00"))]
