"""Sold places priced at the approved rate, into the home's ledger (hand-computed).

Egebakken's approved 2027 rate: level "Let" (package 6 h/week) 1.200,00 kr./day,
level "Tung" (every other package) 1.800,00 kr./day. 2027 has 365 days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from budget.rates.models import RateCalculation, RateLevel
from budget.rates.sales import segments_in
from disponering.models import LedgerEntry, LedgerEntryMonth
from visitation import services
from visitation.models import Citizen


@pytest.fixture
def rate_2027(org, vis):
    calc = RateCalculation.objects.create(
        home=org.home_a,
        year=2027,
        places=20,
        occupancy_pct=D("95"),
        overhead_pct=D("3"),
        regulation_limit_pct=D("5"),
        cost_groups=["loen", "drift"],
        status="godkendt",
        approved_annual=D("547500.00"),
        approved_day=D("1500.00"),
    )
    light = RateLevel.objects.create(
        calculation=calc,
        name="Let",
        weight=D("0.8"),
        places=D("10"),
        approved_annual=D("438000.00"),
        approved_day=D("1200.00"),
    )
    light.packages.add(vis.pkg6)
    RateLevel.objects.create(
        calculation=calc,
        name="Tung",
        weight=D("1.2"),
        places=D("10"),
        approved_annual=D("657000.00"),
        approved_day=D("1800.00"),
    )
    return calc


def _sale(org, vis, start, package=None):
    from botilbud.models import Municipality

    citizen = Citizen.objects.create(case_number="GLA-1", initials="GL")
    p = services.placement_create(
        citizen=citizen,
        offer=vis.own_85,
        package=package or vis.pkg6,
        start_date=start,
        user=org.caseworker,
        paying_municipality=Municipality.objects.get(pk=159),
    )
    services.placement_decide(
        placement=p, user=org.authority_head, outcome="godkendt", meeting_date=start - dt.timedelta(days=3)
    )
    p.refresh_from_db()
    return p


def _months(entry):
    return {m.month: m.amount for m in LedgerEntryMonth.objects.filter(entry=entry).order_by("month")}


def test_a_sale_starting_mid_month_earns_the_day_rate_per_day(org, vis, rate_2027):
    """From 17 March 2027: March has 15 days (17–31) × 1.200 = 18.000; April 30 × 1.200 = 36.000;
    to 31 December 290 days × 1.200 = 348.000 (income: negative)."""
    p = _sale(org, vis, dt.date(2027, 3, 17))
    assert p.is_sale and p.annual_price == D("438000.00")  # the level's approved annual rate
    entries = list(LedgerEntry.objects.filter(placement=p))
    assert [e.generated_key for e in entries] == ["salg-start"]  # no hour-price income entry for a sale
    months = _months(entries[0])
    assert months[dt.date(2027, 3, 1)] == D("-18000.00")
    assert months[dt.date(2027, 4, 1)] == D("-36000.00")
    assert entries[0].amount == D("-348000.00") and len(months) == 10
    seg = segments_in(p, dt.date(2027, 3, 1), dt.date(2027, 3, 31))
    assert [(s.start, s.days, s.day_rate, s.amount) for s in seg] == [
        (dt.date(2027, 3, 17), 15, D("1200.00"), D("18000.00"))
    ]


def test_end_and_package_change_update_the_sale_income(org, vis, rate_2027):
    """Package 6 → 9 from 1 June: +600/day × 214 days (1 June–31 December) = 128.400.
    Ended on 10 July: the start entry is 17 March–10 July = 116 days × 1.200 = 139.200,
    the change 1 June–10 July = 40 days × 600 = 24.000."""
    p = _sale(org, vis, dt.date(2027, 3, 17))
    services.placement_change_package(
        placement=p,
        new_package=vis.pkg9,
        effective_date=dt.date(2027, 6, 1),
        user=org.authority_head,
        meeting_date=dt.date(2027, 5, 20),
    )
    p.refresh_from_db()
    assert p.annual_price == D("657000.00")
    change = LedgerEntry.objects.get(placement=p, generated_key="salg-pakke:2027-06-01")
    assert change.amount == D("-128400.00")
    services.placement_end(placement=p, end_date=dt.date(2027, 7, 10), user=org.caseworker)
    start = LedgerEntry.objects.get(placement=p, generated_key="salg-start")
    change.refresh_from_db()
    assert (start.amount, change.amount) == (D("-139200.00"), D("-24000.00"))
    # Segments for July: 1–10 July at the heavy level.
    p.refresh_from_db()
    seg = segments_in(p, dt.date(2027, 7, 1), dt.date(2027, 7, 31))
    assert [(s.days, s.day_rate, s.level) for s in seg] == [(10, D("1800.00"), "Tung")]


def test_a_sale_needs_an_approved_rate(org, vis):
    from botilbud.models import Municipality

    with pytest.raises(services.PlacementError, match="ingen godkendt takst for 2027"):
        services.placement_create(
            citizen=Citizen.objects.create(case_number="X-1", initials="XX"),
            offer=vis.own_85,
            package=vis.pkg6,
            start_date=dt.date(2027, 3, 17),
            user=org.caseworker,
            paying_municipality=Municipality.objects.get(pk=159),
        )
