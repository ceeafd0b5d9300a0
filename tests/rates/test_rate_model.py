"""The rate model on the database: inputs from the budget and Y−2's closed
actuals, the page line by line, approval and lock, export, scoping."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from botilbud.models import Paragraph
from botilbud.registry import load_reference_data
from budget.models import ActualTotal, BudgetCorrection, BudgetLine
from budget.rates import selectors, services
from budget.rates.models import RateCalculation, RateLevel
from visitation.models import Offer, Provider


@pytest.fixture
def budget_2027(org):
    """Egebakken (20 places, 95 %): 2027 budget wages 7,900,000 + a correction of 100,000 and
    other operations 2,000,000 (income is not a cost). 2025's actuals, all 12 months:
    wages 7,200,000, other 1,200,000, income −8,400,000."""
    load_reference_data()
    wages = BudgetLine.objects.create(home=org.home_a, year=2027, group="loen", original=D("7900000"))
    BudgetCorrection.objects.create(
        line=wages, date=dt.date(2027, 1, 5), amount=D("100000"), reason="Tillæg", created_by=org.consultant
    )
    BudgetLine.objects.create(home=org.home_a, year=2027, group="drift", original=D("2000000"))
    BudgetLine.objects.create(home=org.home_a, year=2027, group="indtaegt", original=D("-9000000"))
    rows = []
    for m in range(1, 13):
        month = dt.date(2025, m, 1)
        rows += [
            ActualTotal(home=org.home_a, month=month, group="loen", amount=D("600000")),
            ActualTotal(home=org.home_a, month=month, group="drift", amount=D("100000")),
            ActualTotal(home=org.home_a, month=month, group="indtaegt", amount=D("-700000")),
        ]
    ActualTotal.objects.bulk_create(rows)
    return org.home_a


def _calc(home, **kw):
    calc = selectors.new_calculation(home, 2027)
    calc.capital_costs = D("200000")
    for k, v in kw.items():
        setattr(calc, k, v)
    calc.save()
    return calc


def test_regulation_from_closed_actuals(budget_2027):
    """2025: actual costs 8,400,000 × 1,03 + capital 200,000 = 8,852,000; rate income 8,400,000:
    deficit 452,000. Limit 5 % of 8,852,000 = 442,600 → 9,400 enters the 2027 rate.
    Total = 10,000,000 + 300,000 + 200,000 + 9,400 = 10,509,400 ÷ 19 = 553,126.32."""
    r = selectors.rate_for(_calc(budget_2027))
    reg = r.regulation
    assert (reg.source, reg.closed, reg.months) == ("regnskab", True, 12)
    assert (reg.actual_costs, reg.actual_income, reg.result) == (D("8852000.00"), D("8400000.00"), D("452000.00"))
    assert (reg.limit, reg.into_rate, reg.carry_over) == (D("442600.00"), D("9400.00"), D("442600.00"))
    assert [a for _, a in r.cost_lines] == [D("8000000.00"), D("2000000.00")]
    assert (r.total, r.annual) == (D("10509400.00"), D("553126.32"))


def test_open_year_gives_no_regulation_and_override_is_used(budget_2027):
    ActualTotal.objects.filter(month=dt.date(2025, 12, 1)).delete()
    calc = _calc(budget_2027)
    reg = selectors.rate_for(calc).regulation
    assert (reg.source, reg.into_rate, reg.months) == ("ingen", 0, 11)
    assert "ikke afsluttet (11 af 12" in reg.note
    calc.result_override, calc.override_reason = D("-1000000"), "Regnskab ikke lukket"
    calc.save()
    reg = selectors.rate_for(calc).regulation
    assert (reg.source, reg.into_rate) == ("manuel", D("-593450.00"))
    # Limit base: 11 months' costs 7,700,000 × 1,03 + 200,000 = 8,131,000; 5 % = 406,550; −1,000,000 + 406,550.


def test_consultant_saves_approves_and_locks(budget_2027, client_for, org):
    c = client_for(org.consultant)
    url = reverse("rates:home_rate", args=[org.home_a.pk]) + "?aar=2027"
    body = c.get(url).content.decode()
    assert "Omkostningsgrundlag" in body and "10.000.000,00 kr." in body
    data = {
        "aar": "2027",
        "places": "20",
        "occupancy_pct": "95",
        "overhead_pct": "3",
        "capital_costs": "200.000",
        "regulation_limit_pct": "5",
        "cost_groups": ["loen", "drift"],
        "result_override": "",
        "override_reason": "",
        "niveau-TOTAL_FORMS": "2",
        "niveau-INITIAL_FORMS": "0",
        "niveau-MIN_NUM_FORMS": "0",
        "niveau-MAX_NUM_FORMS": "20",
        "niveau-0-name": "Niveau 1",
        "niveau-0-weight": "1",
        "niveau-0-places": "10",
        "niveau-1-name": "Niveau 2",
        "niveau-1-weight": "1,5",
        "niveau-1-places": "10",
    }
    r = c.post(url, data)
    assert r.status_code == 302, r.content.decode()[:3000]
    calc = RateCalculation.objects.get(home=org.home_a, year=2027)
    assert calc.levels.count() == 2
    body = c.get(url).content.decode()
    assert "553.126,32 kr." in body and "9.400,00 kr." in body and "Kladde" in body
    # Approve: the rates are frozen on the calculation and its levels.
    r = c.post(reverse("rates:approve", args=[org.home_a.pk]), {"aar": "2027", "version": str(calc.version)})
    assert r.status_code == 302
    calc.refresh_from_db()
    assert calc.is_approved and calc.approved_by == org.consultant
    assert calc.approved_annual == D("553126.32") and calc.approved_day == D("1515.41")
    # Level 1: 10,509,400 ÷ 19 ÷ 1,25 = 442,501.05; level 2 × 1,5 = 663,751.58.
    assert dict(calc.levels.values_list("name", "approved_annual")) == {
        "Niveau 1": D("442501.05"),
        "Niveau 2": D("663751.58"),
    }
    # The API other apps use.
    rate = selectors.approved_rate(org.home_a, 2027)
    assert rate.level == "Niveau 1" and rate.day == D("1212.33") and rate.month == D("36875.09")
    # A later budget change does not move the approved rate on the page.
    BudgetLine.objects.filter(home=org.home_a, year=2027, group="drift").update(original=D("3000000"))
    body = c.get(url).content.decode()
    assert "553.126,32 kr." in body and "Godkendt og låst" in body
    # Locked: a save is refused with 409 and nothing changes.
    data["version"] = str(calc.version)
    r = c.post(url, {**data, "places": "30"})
    assert r.status_code == 409 and "godkendt og låst" in r.content.decode()
    calc.refresh_from_db()
    assert calc.places == 20
    # History is kept.
    assert c.get(reverse("history", args=["takst", calc.pk])).status_code == 200


def test_stale_save_is_refused(budget_2027, client_for, org):
    calc = _calc(budget_2027)
    c = client_for(org.consultant)
    url = reverse("rates:home_rate", args=[org.home_a.pk]) + "?aar=2027"
    base = {
        "aar": "2027",
        "places": "20",
        "occupancy_pct": "95",
        "overhead_pct": "3",
        "capital_costs": "0",
        "regulation_limit_pct": "5",
        "cost_groups": ["loen"],
        "niveau-TOTAL_FORMS": "0",
        "niveau-INITIAL_FORMS": "0",
        "niveau-MIN_NUM_FORMS": "0",
        "niveau-MAX_NUM_FORMS": "20",
        "version": str(calc.version),
    }
    assert c.post(url, base).status_code == 302
    r = c.post(url, {**base, "places": "25"})  # the version seen before the first save
    assert r.status_code == 409 and "en anden har ændret" in r.content.decode()


def test_override_needs_a_reason_and_bad_input_is_400(budget_2027, client_for, org):
    c = client_for(org.consultant)
    url = reverse("rates:home_rate", args=[org.home_a.pk]) + "?aar=2027"
    base = {
        "aar": "2027",
        "places": "20",
        "occupancy_pct": "95",
        "overhead_pct": "3",
        "capital_costs": "0",
        "regulation_limit_pct": "5",
        "cost_groups": ["loen"],
        "result_override": "100.000",
        "niveau-TOTAL_FORMS": "0",
        "niveau-INITIAL_FORMS": "0",
        "niveau-MIN_NUM_FORMS": "0",
        "niveau-MAX_NUM_FORMS": "20",
    }
    r = c.post(url, base)
    assert r.status_code == 400 and "Skriv hvorfor" in r.content.decode()
    r = c.post(url, {**base, "override_reason": "x", "occupancy_pct": "abc"})
    assert r.status_code == 400
    assert c.get(reverse("rates:home_rate", args=[org.home_a.pk]) + "?aar=²").status_code == 400
    assert not RateCalculation.objects.exists()


@pytest.mark.parametrize(
    "who,status",
    [
        ("consultant", 200),
        ("manager", 200),
        ("area_manager", 200),
        ("department_head", 200),
        ("administrator", 200),
        ("other_manager", 404),
        ("caseworker", 404),
        ("authority_head", 404),
    ],
)
def test_rate_page_scoping(budget_2027, client_for, org, who, status):
    url = reverse("rates:home_rate", args=[org.home_a.pk]) + "?aar=2027"
    assert client_for(getattr(org, who)).get(url).status_code == status


@pytest.mark.parametrize("who", ["manager", "area_manager", "department_head"])
def test_only_consultant_and_admin_write_rates(budget_2027, client_for, org, who):
    calc = _calc(budget_2027)
    c = client_for(getattr(org, who))
    url = reverse("rates:home_rate", args=[org.home_a.pk]) + "?aar=2027"
    assert c.post(url, {"aar": "2027", "places": "5"}).status_code == 403
    assert c.post(reverse("rates:approve", args=[org.home_a.pk]), {"aar": "2027", "version": "1"}).status_code == 403
    calc.refresh_from_db()
    assert not calc.is_approved and calc.places == 20


def test_overview_and_export(budget_2027, client_for, org):
    calc = _calc(budget_2027)
    RateLevel.objects.create(calculation=calc, name="=HYPERLINK(1)", weight=D("1"), places=D("20"))
    services.approve(calc=calc, user=org.consultant, seen_version=calc.version)
    own = Provider.objects.create(name="Kommunen", kind="egen")

    Offer.objects.create(
        provider=own, name="Egebakken §108", paragraph=Paragraph.objects.get(code="§108"), home=org.home_a
    )
    c = client_for(org.consultant)
    body = c.get(reverse("rates:overview") + "?aar=2027").content.decode()
    assert "Egebakken" in body and "Lindehuset" in body and "Birkelund" not in body
    assert "553.126,32 kr." in body
    r = c.get(reverse("rates:export") + "?aar=2027")
    assert r.status_code == 200

    ws = load_workbook(io.BytesIO(b"".join(r.streaming_content))).active
    rows = list(ws.iter_rows(values_only=True))
    assert rows[1][:7] == ("Botilbud", "Tilbud", "Paragraf", "Niveau", "Døgntakst", "Månedstakst", "Årstakst")
    assert rows[2][:4] == ("Egebakken", "Egebakken §108", "§108", "'=HYPERLINK(1)")
    assert [D(str(x)) for x in rows[2][4:7]] == [D("1515.41"), D("46093.86"), D("553126.32")]
    assert client_for(org.caseworker).get(reverse("rates:overview")).status_code == 404
