"""Next year's budget from the models for a home (``budget.nextyear.services``), hand-computed.

Year 2027 (this year 2026), PL 2027 set to 2,00 % (no wage or price part: both 2,00 %).

Egebakken (activity-funded, 20 places, budgeted occupancy 95 % → 19 budgeted places, hour
price 2026 400,00 → 2027 408,00). Running on 01-01-2027: in § 108 places 2 own citizens with
6 h/week, 1 own with 9 h/week and 1 sold (Frederiksberg pays) with 9 h/week; one own § 85
outreach client with 6 h/week. Not counted: a placement that ends 31-12-2026, one that starts
01-02-2027. Egebakken's approved 2027 rate: 2.000,00 a day.

- allocation: 6 h: 19 × 2/4 = 9,5 places × 6 × 408 × 365/7 = 1.212.634,29;
  9 h: 4,75 × 9 × 408 × 365/7 = 909.475,71; outreach 6 × 408 × 365/7 = 127.645,71
  → −2.249.755,71;
- sale: 4,75 places × 2.000 × 365 = −3.467.500,00;
- wages: no staff plan → 1.000.000 × 1,02 = 1.020.000,00;
- operations: 200.000 + carry-over 10.000 − technical 5.000 = 205.000 corrected, without the
  carry-over 195.000 × 1,02 = 198.900,00.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest

from botilbud.lib.locking import VersionConflict
from botilbud.models import Home, HourPrice, Municipality, Paragraph
from budget.models import BudgetCorrection, BudgetLine, CorrectionKind, StaffingPlan
from budget.nextyear import services
from budget.nextyear.models import BudgetDraft
from budget.rates.models import PriceIndex, RateCalculation
from tests.visitation.conftest import make_placement


def _line(home, group, original, year=2026):
    return BudgetLine.objects.create(home=home, year=year, group=group, original=D(original))


@pytest.fixture
def egebakken(org, vis):
    PriceIndex.objects.update_or_create(year=2027, defaults={"pl_pct": D("2.00"), "wage_pct": None, "price_pct": None})
    home = org.home_a
    _line(home, "loen", "1000000")
    drift = _line(home, "drift", "200000")
    _line(home, "indtaegt", "-900000")
    for kind, amount in ((CorrectionKind.CARRY_OVER, "10000"), (CorrectionKind.TECHNICAL, "-5000")):
        BudgetCorrection.objects.create(
            line=drift, kind=kind, date=dt.date(2026, 1, 2), amount=D(amount), reason="x", created_by=org.consultant
        )
    for package in (vis.pkg6, vis.pkg6, vis.pkg9):
        make_placement(vis.own_108, package=package, start_date=dt.date(2025, 3, 1))
    make_placement(vis.own_108, package=vis.pkg9, paying_municipality=Municipality.objects.get(pk=147))
    make_placement(vis.own_85, package=vis.pkg6)
    make_placement(vis.own_108, package=vis.pkg25, end_date=dt.date(2026, 12, 31))
    make_placement(vis.own_108, package=vis.pkg25, start_date=dt.date(2027, 2, 1))
    RateCalculation.objects.create(
        home=home,
        year=2027,
        places=20,
        occupancy_pct=D("95"),
        overhead_pct=D("3"),
        regulation_limit_pct=D("5"),
        cost_groups=["loen", "drift"],
        status="godkendt",
        approved_annual=D("730000.00"),
        approved_day=D("2000.00"),
    )
    return home


def _amounts(draft):
    return {line.key: line.amount for line in draft.lines.all()}


def test_activity_funded_selling_home(org, egebakken):
    draft = services.draft_compute(home=egebakken, year=2027, user=org.consultant)
    assert _amounts(draft) == {
        "loen": D("1020000.00"),
        "drift": D("198900.00"),
        "tildeling": D("-2249755.71"),
        "salg": D("-3467500.00"),
    }
    lines = {line.key: line for line in draft.lines.all()}
    assert lines["loen"].account == "5.38.50.1.1.10"  # the home's § 108 (no postings yet)
    assert "Ingen medarbejdertimeplan" in lines["loen"].source
    inputs = {row["label"]: row["value"] for row in lines["tildeling"].inputs}
    assert inputs["Timepris 2027"] == "408.00" and inputs["Budgetterede pladser"] == "19.00"
    assert draft.status == BudgetDraft.Status.DRAFT


def test_frame_funded_home_without_sales_indexes_its_income_and_runs_the_staff_plan_in_reverse(org, vis):
    """Lindehuset (frame-funded, 12 places): income 2026 −50.000 × 1,02 = −51.000,00; no allocation.
    Staff plan 2026: 480.000 at 480.000 per FTE, no losses but the public holidays → 1.872,2 roster
    hours (7 weekday holidays) → in 2027 (6): 1.872,2 ÷ 1.879,6 × 489.600 = 487.672,44."""
    PriceIndex.objects.update_or_create(year=2027, defaults={"pl_pct": D("2.00"), "wage_pct": None, "price_pct": None})
    home = org.home_b
    _line(home, "loen", "480000")
    _line(home, "drift", "0")
    _line(home, "indtaegt", "-50000")
    StaffingPlan.objects.create(
        home=home,
        year=2026,
        wage_budget=D("480000"),
        annual_wage_cost=D("480000"),
        holiday_weeks=0,
        extra_holiday_days=0,
        sickness_pct=0,
        competence_hours=0,
        meeting_hours=0,
    )
    draft = services.draft_compute(home=home, year=2027, user=org.consultant)
    assert _amounts(draft) == {"loen": D("487672.44"), "drift": D("0.00"), "oevrig_indtaegt": D("-51000.00")}


def test_a_selling_home_without_a_rate_gets_one_from_the_rate_model_on_its_draft(org, vis):
    """Lindehuset with 1 own and 1 sold § 108 resident, no 2027 rate, PL 2,00 %: costs 612.000 +
    102.000 = 714.000, overhead 3 % 21.420 → 735.420 ÷ (12 × 95 % = 11,4) = 64.510,53 a year,
    ÷ 365 = 176,74 a day; sold 11,4 × 1/2 = 5,7 places × 176,74 × 365 = 367.707,57."""
    PriceIndex.objects.update_or_create(year=2027, defaults={"pl_pct": D("2.00"), "wage_pct": None, "price_pct": None})
    home = org.home_b
    offer = vis.own_108.__class__.objects.create(provider=vis.own, name="Lindehuset", paragraph=vis.p108, home=home)
    _line(home, "loen", "600000")
    _line(home, "drift", "100000")
    _line(home, "indtaegt", "-50000")
    make_placement(offer, package=vis.pkg6)
    make_placement(offer, package=vis.pkg6, paying_municipality=Municipality.objects.get(pk=147))
    draft = services.draft_compute(home=home, year=2027, user=org.consultant)
    assert _amounts(draft) == {"loen": D("612000.00"), "drift": D("102000.00"), "salg": D("-367707.57")}
    sale = {row["label"]: row["value"] for row in draft.lines.get(key="salg").inputs}
    assert sale["Dagtakst 2027"] == "176.74"
    assert any("ingen takst for 2027 i kraft" in note for note in draft.notes)


def test_pl_missing_means_zero_and_says_so(org, vis):
    PriceIndex.objects.filter(year=2027).delete()
    _line(org.home_b, "loen", "100000")
    draft = services.draft_compute(home=org.home_b, year=2027, user=org.consultant)
    assert _amounts(draft)["loen"] == D("100000.00")
    assert any("intet PL-skøn for 2027" in note for note in draft.notes)


def test_zero_places_activity_home_counts_only_outreach(org, egebakken):
    egebakken.capacity = 0
    egebakken.save()
    draft = services.draft_compute(home=egebakken, year=2027, user=org.consultant)
    # only the outreach client: 6 × 408 × 365/7 = 127.645,71; no places, so no sale either
    assert _amounts(draft)["tildeling"] == D("-127645.71")
    assert _amounts(draft)["salg"] == D("0.00")


def test_recompute_keeps_the_adjustment_and_moves_the_model(org, egebakken):
    draft = services.draft_compute(home=egebakken, year=2027, user=org.consultant)
    line = draft.lines.get(key="drift")
    services.line_adjust(
        line=line, adjustment=D("25000"), reason="Ny bus", seen_version=line.version, user=org.consultant
    )
    PriceIndex.objects.filter(year=2027).update(pl_pct=D("0"))
    draft = services.draft_compute(home=egebakken, year=2027, user=org.consultant)
    line = draft.lines.get(key="drift")
    assert (line.model_amount, line.adjustment, line.amount) == (D("195000.00"), D("25000.00"), D("220000.00"))
    assert line.adjustment_reason == "Ny bus"


def test_adjustment_needs_a_reason_and_a_fresh_version(org, egebakken):
    draft = services.draft_compute(home=egebakken, year=2027, user=org.consultant)
    line = draft.lines.get(key="loen")
    with pytest.raises(services.DraftError, match="begrundelse"):
        services.line_adjust(line=line, adjustment=D("1"), reason=" ", seen_version=line.version, user=org.consultant)
    services.line_adjust(
        line=line, adjustment=D("1000"), reason="Ekstra vikar", seen_version=line.version, user=org.consultant
    )
    stale = draft.lines.get(key="loen")
    stale.version -= 1
    with pytest.raises(VersionConflict):
        services.line_adjust(
            line=stale, adjustment=D("2000"), reason="x", seen_version=stale.version, user=org.consultant
        )


def test_lock_writes_the_original_budget_and_keeps_a_booked_carry_over(org, egebakken):
    # A carry-over from the 2026 close was booked on 2027's operations line (original 0) before the lock.
    target = _line(egebakken, "drift", "0", year=2027)
    BudgetCorrection.objects.create(
        line=target,
        kind=CorrectionKind.CARRY_OVER,
        date=dt.date(2027, 1, 15),
        amount=D("40000"),
        reason="Overførsel 2026",
        created_by=org.consultant,
    )
    draft = services.draft_compute(home=egebakken, year=2027, user=org.consultant)
    line = draft.lines.get(key="drift")
    services.line_adjust(
        line=line, adjustment=D("-8900"), reason="Husleje ned", seen_version=line.version, user=org.consultant
    )
    draft.refresh_from_db()
    services.draft_lock(draft=draft, seen_version=draft.version, user=org.consultant)
    budget = dict(BudgetLine.objects.filter(home=egebakken, year=2027).values_list("group", "original"))
    assert budget == {"loen": D("1020000.00"), "drift": D("190000.00"), "indtaegt": D("-5717255.71")}
    target.refresh_from_db()
    assert target.corrections.get().amount == D("40000.00")  # still on top
    with pytest.raises(services.DraftError, match="låst"):
        services.line_adjust(
            line=draft.lines.get(key="loen"), adjustment=D("1"), reason="x", seen_version=1, user=org.consultant
        )
    with pytest.raises(services.DraftError, match="låst"):
        services.draft_compute(home=egebakken, year=2027, user=org.consultant)


def test_lock_refuses_a_page_drawn_before_an_adjustment(org, egebakken):
    draft = services.draft_compute(home=egebakken, year=2027, user=org.consultant)
    seen = draft.version
    line = draft.lines.get(key="loen")
    services.line_adjust(
        line=line, adjustment=D("1000"), reason="Vikar", seen_version=line.version, user=org.department_head
    )
    with pytest.raises(VersionConflict):
        services.draft_lock(draft=draft, seen_version=seen, user=org.consultant)
    assert not BudgetLine.objects.filter(home=egebakken, year=2027).exists()


def test_only_coming_years_are_drafted():
    services.check_year(2027, today=dt.date(2026, 12, 1))
    services.check_year(2028, today=dt.date(2026, 12, 1))
    for year in (2026, 2029):
        with pytest.raises(services.DraftError):
            services.check_year(year, today=dt.date(2026, 12, 1))


def test_outreach_only_home_is_not_told_its_places_are_empty(org, vis):
    """Birkelund (activity-funded, § 85 only, 16 "places" on record): one outreach client with
    6 h/week at 408,00 → 127.645,71 and no note about empty places, as § 85 clients are never
    places; once it offers § 108 places with nobody in them, the draft says so."""
    PriceIndex.objects.update_or_create(year=2027, defaults={"pl_pct": D("2.00"), "wage_pct": None, "price_pct": None})
    home = org.home_c
    home.financing = Home.Financing.ACTIVITY
    home.save()
    home.paragraphs.set(Paragraph.objects.filter(code="§85"))
    HourPrice.objects.create(home=home, year=2026, hour_price=D("400.00"))
    offer = vis.own_85.__class__.objects.create(provider=vis.own, name="Birkelund", paragraph=vis.p85, home=home)
    make_placement(offer, package=vis.pkg6)
    draft = services.draft_compute(home=home, year=2027, user=org.consultant)
    assert _amounts(draft)["tildeling"] == D("-127645.71")
    assert not any("Ingen beboere" in note for note in draft.notes)
    home.paragraphs.add(vis.p108)
    draft = services.draft_compute(home=home, year=2027, user=org.consultant, seen_version=draft.version)
    assert any("Ingen beboere i pladserne 1. januar 2027" in note for note in draft.notes)
