"""Forecast accuracy of an activity-funded home is a percentage of its gross
expenditure (DESIGN.md, gross and net), on the follow-up page and the dashboard."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

from botilbud.models import AccountGroup, Home
from budget.dashboard import selectors as sel
from budget.followup.accuracy import accuracy_basis, accuracy_table
from budget.followup.models import HomeFollowUp, Round, Step
from budget.models import ActualTotal


def _setup(org):
    """Home A (activity-funded) 2025: wages 1.200.000, operations 240.000,
    income −1.300.000 → net 140.000, gross expenditure 1.440.000.
    The October round's frozen forecast was net 144.000: 4.000 too high.
    Of gross: 4.000 / 1.440.000 = 0,28 % → 0,3 %. Of net it would read 2,9 %
    (and a home with a net near zero read −165 %)."""

    for group, amount in (
        (AccountGroup.WAGES, "1200000"),
        (AccountGroup.OPERATIONS, "240000"),
        (AccountGroup.INCOME, "-1300000"),
    ):
        ActualTotal.objects.create(home=org.home_a, month=dt.date(2025, 12, 1), group=group, amount=D(amount))
    round_ = Round.objects.create(
        month=dt.date(2025, 10, 1),
        prepare_deadline=dt.date(2025, 11, 5),
        confirm_deadline=dt.date(2025, 11, 10),
        approve_deadline=dt.date(2025, 11, 15),
    )
    economy = [
        {
            "group": "loen",
            "corrected_budget": "1200000",
            "budget_to_date": "0",
            "actuals_to_date": "0",
            "forecast": "1204000",
            "deviation": "4000",
        },
        {
            "group": "drift",
            "corrected_budget": "240000",
            "budget_to_date": "0",
            "actuals_to_date": "0",
            "forecast": "240000",
            "deviation": "0",
        },
        {
            "group": "indtaegt",
            "corrected_budget": "-1300000",
            "budget_to_date": "0",
            "actuals_to_date": "0",
            "forecast": "-1300000",
            "deviation": "0",
        },
    ]
    HomeFollowUp.objects.create(
        round=round_,
        home=org.home_a,
        step=Step.APPROVED,
        snapshot={"economy": economy, "totals": {"forecast": "144000.00"}},
    )
    return round_


def test_accuracy_basis_boundaries():
    assert accuracy_basis("aktivitet", D("140000"), D("1440000")) == D("1440000")
    assert accuracy_basis("ramme", D("-140000"), D("1440000")) == D("140000")
    assert accuracy_basis("aktivitet", D("0"), None) == D("0")


def test_followup_accuracy_of_activity_home_uses_gross(org):
    assert org.home_a.financing == Home.Financing.ACTIVITY
    _setup(org)
    table = accuracy_table(Home.objects.filter(pk=org.home_a.pk), 2025)
    cell = table["rows"][0]["cells"][0]
    assert cell["deviation"] == D("4000.00")
    assert cell["pct"] == D("0.3")


def test_followup_accuracy_of_frame_home_uses_net(org):
    Home.objects.filter(pk=org.home_a.pk).update(financing=Home.Financing.FRAME)
    _setup(org)
    cell = accuracy_table(Home.objects.filter(pk=org.home_a.pk), 2025)["rows"][0]["cells"][0]
    assert cell["pct"] == D("2.9")  # 4.000 / 140.000 = 2,857 %


def test_dashboard_accuracy_uses_the_same_basis(org):
    _setup(org)
    rows = sel.accuracy([org.home_a.pk], 2025)
    assert len(rows) == 1
    assert rows[0]["deviation"] == D("4000.00")
    assert rows[0]["basis"] == D("1440000.00")
    assert rows[0]["mean_abs_pct"] == D("0.3")
