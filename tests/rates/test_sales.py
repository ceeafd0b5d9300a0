"""Sold places priced at the approved rate, into the home's ledger (hand-computed).

Egebakken's approved 2027 rate: level "Let" (package 6 h/week) 1.200,00 kr./day,
level "Tung" (every other package) 1.800,00 kr./day. 2027 has 365 days.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from botilbud.models import Municipality
from budget.rates.models import RateCalculation, RateLevel
from budget.rates.sales import refresh_home_sales, segments_in
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
    # One entry per year with a rate in force; 2028 (the horizon) has none: no entry.
    assert [e.generated_key for e in entries] == ["salg:2027"]  # no hour-price income entry for a sale
    months = _months(entries[0])
    assert months[dt.date(2027, 3, 1)] == D("-18000.00")
    assert months[dt.date(2027, 4, 1)] == D("-36000.00")
    assert entries[0].amount == D("-348000.00") and len(months) == 10
    seg = segments_in(p, dt.date(2027, 3, 1), dt.date(2027, 3, 31))
    assert [(s.start, s.days, s.day_rate, s.amount) for s in seg] == [
        (dt.date(2027, 3, 17), 15, D("1200.00"), D("18000.00"))
    ]


def test_end_and_package_change_update_the_sale_income(org, vis, rate_2027):
    """Package 6 → 9 from 1 June: 17 March–31 May is 76 days × 1.200 = 91.200, 1 June–31 December
    214 days × 1.800 = 385.200: 476.400. Ended on 10 July: 91.200 + 40 days × 1.800 = 72.000: 163.200."""
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
    entry = LedgerEntry.objects.get(placement=p, generated_key="salg:2027")
    assert entry.amount == D("-476400.00")
    assert _months(entry)[dt.date(2027, 6, 1)] == D("-54000.00")  # 30 × 1.800
    services.placement_end(placement=p, end_date=dt.date(2027, 7, 10), user=org.caseworker)
    entry.refresh_from_db()
    assert entry.amount == D("-163200.00") and entry.end_date == dt.date(2027, 7, 10)
    assert LedgerEntry.objects.filter(placement=p).count() == 1
    # Segments for July: 1–10 July at the heavy level.
    p.refresh_from_db()
    seg = segments_in(p, dt.date(2027, 7, 1), dt.date(2027, 7, 31))
    assert [(s.days, s.day_rate, s.level) for s in seg] == [(10, D("1800.00"), "Tung")]


@pytest.fixture
def rate_2026(org):
    return RateCalculation.objects.create(
        home=org.home_a,
        year=2026,
        places=20,
        occupancy_pct=D("95"),
        overhead_pct=D("3"),
        regulation_limit_pct=D("5"),
        cost_groups=["loen", "drift"],
        status="godkendt",
        approved_annual=D("365000.00"),
        approved_day=D("1000.00"),
    )


def test_a_sale_from_an_earlier_year_earns_income_this_year_and_next(org, vis, rate_2026, rate_2027):
    """From 15 November 2026, open-ended: 2026 is 47 days (16 + 31) × 1.000 = 47.000; 2027 is the
    whole year at the light level: 365 × 1.200 = 438.000. Each year its own entry."""
    p = _sale(org, vis, dt.date(2026, 11, 15))
    entries = {e.generated_key: e for e in LedgerEntry.objects.filter(placement=p)}
    assert sorted(entries) == ["salg:2026", "salg:2027"]
    assert entries["salg:2026"].amount == D("-47000.00")
    assert entries["salg:2027"].amount == D("-438000.00")
    assert entries["salg:2027"].start_date == dt.date(2027, 1, 1)
    assert entries["salg:2027"].title == "Salg: GL (Gladsaxe), 2027"
    assert _months(entries["salg:2027"])[dt.date(2027, 2, 1)] == D("-33600.00")  # 28 × 1.200


def test_a_rate_approved_later_adds_that_years_income(org, vis, rate_2026):
    """Before 2027 has a rate in force the sale has a 2026 entry only; once the 2027 rate is in
    force, refreshing the home's sales adds 2027's (as approving or indexing does)."""

    p = _sale(org, vis, dt.date(2026, 11, 15))
    assert [e.generated_key for e in LedgerEntry.objects.filter(placement=p)] == ["salg:2026"]
    RateCalculation.objects.create(
        home=org.home_a,
        year=2027,
        places=20,
        occupancy_pct=D("95"),
        overhead_pct=D("3"),
        regulation_limit_pct=D("5"),
        cost_groups=["loen"],
        status="genaabnet",  # reopened: its last approved figures stay in force
        approved_annual=D("401500.00"),
        approved_day=D("1100.00"),
    )
    assert refresh_home_sales(org.home_a.pk, 2027) == 1
    entry = LedgerEntry.objects.get(placement=p, generated_key="salg:2027")
    assert entry.amount == D("-401500.00")  # 365 × 1.100


def test_a_sale_needs_an_approved_rate(org, vis):
    with pytest.raises(services.PlacementError, match="ingen godkendt takst for 2027"):
        services.placement_create(
            citizen=Citizen.objects.create(case_number="X-1", initials="XX"),
            offer=vis.own_85,
            package=vis.pkg6,
            start_date=dt.date(2027, 3, 17),
            user=org.caseworker,
            paying_municipality=Municipality.objects.get(pk=159),
        )
