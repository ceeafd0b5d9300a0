"""The authority forecast and the allocation model on real placements (hand-computed)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from botilbud.models import Paragraph
from budget.allocation import home_allocation
from budget.authority import authority_forecast
from budget.models import Account, Baseline, BaselineLine
from budget.services import freeze_baseline
from visitation.models import Citizen, Offer, Placement, PlacementChange, Provider, SupportPackage


@pytest.fixture
def placements(org):

    # get_or_create: a browser test's flush may have removed the migration's paragraphs.
    p108, p107, p85 = (
        Paragraph.objects.get_or_create(code=c, defaults={"name": c, "ladder_step": step})[0]
        for c, step in (("§108", 5), ("§107", 4), ("§85", 3))
    )
    private = Provider.objects.create(name="Privat A/S", kind="privat")
    region = Provider.objects.create(name="Region H", kind="region")
    own = Provider.objects.create(name="Kommunen", kind="egen")
    o108 = Offer.objects.create(provider=private, name="Bo privat", paragraph=p108)
    o107 = Offer.objects.create(provider=region, name="Bo region", paragraph=p107)
    o85 = Offer.objects.create(provider=own, name="Egebakken §85", paragraph=p85, home=org.home_a)
    package = SupportPackage.objects.create(name="Pakke 10", weekly_hours=D("10"))

    def make(n, offer, start, price, status="aktiv", end=None, pkg=None, payer=None):
        citizen = Citizen.objects.create(case_number=f"S-{n}", initials=f"B{n}")
        return Placement.objects.create(
            citizen=citizen,
            offer=offer,
            start_date=start,
            end_date=end,
            annual_price=D(price),
            status=status,
            required_level="sagsbehandler",
            package=pkg,
            **({"paying_municipality_id": payer, "acting_municipality_id": payer} if payer else {}),
        )

    make(1, o108, dt.date(2025, 6, 1), "365000")
    make(2, o107, dt.date(2026, 7, 1), "730000")
    changed = make(3, o108, dt.date(2024, 1, 1), "438000")
    PlacementChange.objects.create(
        placement=changed,
        kind="pakke",
        effective_date=dt.date(2026, 4, 1),
        old_annual_price=D("365000"),
        new_annual_price=D("438000"),
        created_by=org.caseworker,
    )
    make(4, o108, dt.date(2026, 1, 1), "999999", status="afvist")
    make(5, o85, dt.date(2026, 3, 15), "0", pkg=package)
    return {"p108": p108, "make": make, "o85": o85, "package": package}


def test_authority_forecast(org, placements):
    """2026 has 365 days.
    §108 private: placement 1 at 365,000 all year = 365,000; placement 3 at 365,000 for
    Jan–Mar (90 days → 90,000) then 438,000 from 1 April (275 days → 330,000) = 420,000;
    the rejected placement does not count. Placements' cost = 785,000.
    Baseline: inflow 1 in November, outflow 1 in December, average price 365,000. At m = 10:
    inflow 365,000 × 2/12 = 60,833.33; outflow 365,000 × 1/12 = 30,416.67.
    Forecast = 785,000 + 60,833.33 − 30,416.67 = 815,416.66; budget 800,000 → +15,416.66.
    §107 region: 730,000 × 184/365 (1 July–31 December) = 368,000."""

    # Gladsaxe's citizen in our own home: a sale, the home's income.
    placements["make"](6, placements["o85"], dt.date(2026, 1, 1), "730000", pkg=placements["package"], payer=159)
    baseline = Baseline.objects.create(year=2026)
    BaselineLine.objects.create(
        baseline=baseline,
        paragraph=placements["p108"],
        provider_kind="privat",
        placements=2,
        average_price=D("365000"),
        budget=D("800000"),
        inflow=[0] * 10 + [1, 0],
        outflow=[0] * 11 + [1],
    )
    result = authority_forecast(2026, 10, today=dt.date(2026, 11, 1))
    rows = {(r.paragraph, r.kind): r for r in result.rows}
    r108 = rows[("§108", "privat")]
    assert r108.placements == 2 and r108.active_now == 2
    assert r108.placements_cost == D("785000.00")
    assert (r108.expected_inflow, r108.expected_outflow) == (D("60833.33"), D("30416.67"))
    assert r108.forecast == D("815416.66")
    assert r108.deviation == D("15416.66")
    assert r108.baseline_cost == D("760416.67")  # (2 + 2/12 − 1/12) × 365,000
    assert rows[("§107", "region")].placements_cost == D("368000.00")
    # Own citizens only: the sold place (730,000 kr. a year, Gladsaxe pays) is not our spending.
    assert rows[("§85", "egen")].placements == 1 and rows[("§85", "egen")].placements_cost == D("0.00")


def test_allocation_on_placements(org, placements):
    """Egebakken's §85 resident from 15 March 2026 with 10 h/week at 400 kr.:
    292 days → 10 × 400 × 292/7 = 166,857.14. One hour/week more = 400 × 365/7 = 20,857.14."""

    model = home_allocation(org.home_a.pk, 2026)
    assert [(r.initials, r.days, r.income) for r in model.residents] == [("B5", 292, D("166857.14"))]
    assert model.total == D("166857.14")
    assert model.one_hour_per_year == D("20857.14")


@pytest.mark.parametrize(
    "who,status",
    [("authority_head", 200), ("department_head", 200), ("consultant", 200), ("caseworker", 403), ("manager", 403)],
)
def test_authority_page_roles(org, client_for, placements, who, status):
    assert client_for(getattr(org, who)).get(reverse("budget:authority") + "?aar=2026").status_code == status


def test_allocation_page_shows_resident(org, client_for, placements):
    html = (
        client_for(org.manager).get(reverse("budget:allocation", args=[org.home_a.pk]) + "?aar=2026").content.decode()
    )
    assert "B5" in html and "166.857,14 kr." in html and "± 20.857 kr." in html


def test_baseline_freeze_locks_the_lines_in_admin(org, client_for, placements):
    baseline = Baseline.objects.create(year=2026)
    BaselineLine.objects.create(
        baseline=baseline, paragraph=placements["p108"], provider_kind="privat", placements=2, average_price=D("1")
    )
    client = client_for(org.administrator)
    url = reverse("admin:budget_baseline_change", args=[baseline.pk])
    assert 'name="lines-0-placements"' in client.get(url).content.decode()
    frozen = freeze_baseline(baseline=baseline, user=org.administrator)
    assert frozen.frozen_at is not None and frozen.frozen_by == org.administrator
    html = client.get(url).content.decode()
    assert 'name="lines-0-placements"' not in html  # read-only once frozen
    # Freezing twice keeps the first time.
    assert freeze_baseline(baseline=baseline, user=org.consultant).frozen_by == org.administrator


def test_admin_edits_chart_of_accounts(org, client_for):
    client = client_for(org.administrator)
    assert client.get(reverse("admin:budget_account_changelist")).status_code == 200
    response = client.post(
        reverse("admin:budget_account_add"),
        {
            "function_code": "5.38.58",
            "art_prefix": "1",
            "group": "loen",
            "name": "Beskyttet beskæftigelse",
            "is_active": "on",
        },
    )
    assert response.status_code == 302
    assert Account.objects.filter(function_code="5.38.58", group="loen").exists()
