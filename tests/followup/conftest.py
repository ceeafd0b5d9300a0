import datetime as dt
from decimal import Decimal

import pytest

from botilbud.models import AccountGroup
from budget.followup.models import Round
from budget.models import ActualTotal, BudgetLine


def make_march(org):
    """Home A in March 2026, hand-computed:

    wages budget 1,200,000 (100,000/month), actuals Jan–Mar 330,000
      → forecast 330,000 + 900,000 = 1,230,000, deviation +30,000;
    other operations 240,000, actuals 60,000 → on budget;
    income −600,000, actuals −150,000 → on budget.
    Net budget 840,000 → threshold min(1 % = 8,400; 100,000) = 8,400:
    the +30,000 overspend needs explanations and an action plan.
    """

    for home in (org.home_a, org.home_b):
        BudgetLine.objects.create(home=home, year=2026, group=AccountGroup.WAGES, original=Decimal("1200000"))
        BudgetLine.objects.create(home=home, year=2026, group=AccountGroup.OPERATIONS, original=Decimal("240000"))
        BudgetLine.objects.create(home=home, year=2026, group=AccountGroup.INCOME, original=Decimal("-600000"))
    for month in (1, 2, 3):
        day = dt.date(2026, month, 1)
        wages = Decimal("110000") if month == 3 else Decimal("110000")
        ActualTotal.objects.create(home=org.home_a, month=day, group=AccountGroup.WAGES, amount=wages)
        ActualTotal.objects.create(home=org.home_a, month=day, group=AccountGroup.OPERATIONS, amount=Decimal("20000"))
        ActualTotal.objects.create(home=org.home_a, month=day, group=AccountGroup.INCOME, amount=Decimal("-50000"))
        # Home B is exactly on budget.
        ActualTotal.objects.create(home=org.home_b, month=day, group=AccountGroup.WAGES, amount=Decimal("100000"))
        ActualTotal.objects.create(home=org.home_b, month=day, group=AccountGroup.OPERATIONS, amount=Decimal("20000"))
        ActualTotal.objects.create(home=org.home_b, month=day, group=AccountGroup.INCOME, amount=Decimal("-50000"))
    return Round.objects.create(
        month=dt.date(2026, 3, 1),
        prepare_deadline=dt.date(2026, 4, 8),
        confirm_deadline=dt.date(2026, 4, 12),
        approve_deadline=dt.date(2026, 4, 16),
    )


@pytest.fixture
def march(org):
    return make_march(org)
