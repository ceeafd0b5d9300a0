"""Staff groups with inconvenience supplements in the staff-hours tool, and
the ledger's staff entries beside the wage budget (hand-computed)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from decimal import Decimal as D

import pytest
from django.urls import reverse

from budget.models import BudgetLine, StaffGroup, StaffingPlan
from budget.staffing import GroupInput, StaffingInput, roster_cost, staff_hours
from disponering import services as ledger
from disponering.models import Category, Spread
from disponering.selectors import staff_changes

# Per FTE with 8 weekday holidays and no other absence:
# 1.924 − 5 × 37 (holiday) − 5 × 7,4 (extra) − 8 × 7,4 (public) = 1.642,8 roster hours.
R = D("1642.8")

PAEDAGOGER = GroupInput(
    "Pædagoger",
    share_pct=D(60),
    annual_wage_cost=D(480000),
    evening_pct=D(25),
    weekend_pct=D(30),
    evening_supplement=D(30),
    weekend_supplement=D(60),
)
NAT = GroupInput(
    "Nattevagter",
    share_pct=D(20),
    annual_wage_cost=D(460000),
    night_pct=D(100),
    weekend_pct=D(30),
    night_supplement=D(40),
    weekend_supplement=D(60),
)


def plan(*groups: GroupInput) -> StaffingInput:
    return StaffingInput(
        wage_budget=D(10_000_000),
        annual_wage_cost=D(480000),
        year=2026,
        extra_holiday_days=D(5),
        public_holidays=8,
        groups=groups,
    )


def test_groups_with_supplements_hand_computed():
    result = staff_hours(plan(PAEDAGOGER, NAT))
    assert result.roster_hours_per_fte == R
    paed, nat, rest = result.groups
    # Pædagoger: supplements 1.642,8 × (25 % × 30 + 30 % × 60) = 1.642,8 × 25,5 = 41.891,40 kr. per FTE;
    # cost 521.891,40; FTE 6.000.000 / 521.891,40 = 11,4966; hours a week 11,4966 × 1.642,8 / 52 = 363,21.
    assert paed.supplements_per_fte == D("41891.40") and paed.cost_per_fte == D("521891.40")
    assert paed.budget == D("6000000.00") and paed.fte == D("11.50")
    assert paed.roster_hours_per_week == D("363.21")
    assert paed.evening_hours_per_week == D("90.80")  # 25 % of 363,2055
    assert paed.weekend_hours_per_week == D("108.96")  # 30 % of 363,2055
    # Nattevagter: 1.642,8 × (100 % × 40 + 30 % × 60) = 95.282,40; cost 555.282,40;
    # FTE 2.000.000 / 555.282,40 = 3,6018; 113,79 hours a week, all at night.
    assert nat.cost_per_fte == D("555282.40") and nat.fte == D("3.60")
    assert nat.roster_hours_per_week == D("113.79") and nat.night_hours_per_week == D("113.79")
    # The remaining 20 % at the plan's average without supplements: 2.000.000 / 480.000 = 4,1667.
    assert rest.unallocated and rest.share_pct == D(20) and rest.fte == D("4.17")
    # Totals from the exact figures, rounded once: 11,4966 + 3,6018 + 4,1667 = 19,2651 FTE;
    # 19,2651 × 1.642,8 = 31.648,68 hours a year, 608,63 a week.
    assert result.fte == D("19.27")
    assert result.roster_hours == D("31648.68")
    assert result.roster_hours_per_week == D("608.63")
    # Average per FTE incl. supplements: 10.000.000 / 19,2651 = 519.073,83.
    assert result.cost_per_fte == D("519073.83")
    # Without groups the same budget buys 20,83 FTE: the supplements cost about 50 hours a week.
    plain = staff_hours(plan())
    assert plain.fte == D("20.83") and plain.roster_hours_per_week == D("658.17")


def test_roster_cost_with_groups_uses_the_budget_mix():
    # 100 h/week = 5.200 h/year = 5.200 / 1.642,8 = 3,1653 FTE × 519.073,83 = 1.643.038,66 kr.
    cost = roster_cost(plan(PAEDAGOGER, NAT), D(100))
    assert cost.fte == D("3.17") and cost.cost == D("1643038.66")


def test_shares_boundaries():
    full = GroupInput("Alle", share_pct=D(100), annual_wage_cost=D(500000))
    result = staff_hours(plan(full))
    assert len(result.groups) == 1 and not result.groups[0].unallocated
    assert result.fte == D("20.00")  # 10.000.000 / 500.000
    over = GroupInput("For mange", share_pct=D("0.01"), annual_wage_cost=D(500000))
    with pytest.raises(ValueError, match="højst være 100 %"):
        staff_hours(plan(full, over))


def test_staff_changes_in_the_year(org):
    ledger.entry_create(
        home=org.home_a,
        user=org.manager,
        category=Category.TEMP,
        account_group="loen",
        title="Vikar",
        amount=D("120000"),
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        spread=Spread.EVEN,
    )
    ledger.entry_create(
        home=org.home_a,
        user=org.manager,
        category=Category.RESIGNATION,
        account_group="loen",
        title="Opsagt",
        amount=D("-60000"),
        start_date=dt.date(2026, 10, 1),
        end_date=dt.date(2027, 3, 31),
        spread=Spread.EVEN,
    )
    rows = {r["category"]: r for r in staff_changes(org.home_a, 2026)}
    assert rows[Category.TEMP]["total"] == D("120000.00")
    # 60.000 evenly over 6 months: 3 of them in 2026 = −30.000.
    assert rows[Category.RESIGNATION]["total"] == D("-30000.00")
    assert [r["category"] for r in staff_changes(org.home_a, 2026)] == [Category.RESIGNATION, Category.TEMP]


PLAN_DATA = {
    "wage_budget": "10.000.000",
    "annual_wage_cost": "480.000",
    "annual_norm_hours": "1.924",
    "holiday_weeks": "5",
    "extra_holiday_days": "5",
    "sickness_pct": "0",
    "competence_hours": "0",
    "meeting_hours": "0",
    "other_hours": "0",
    "roster_hours_per_week": "",
}


def groups_post(*rows: dict, initial: int = 0) -> dict:
    data = {"grupper-TOTAL_FORMS": str(len(rows)), "grupper-INITIAL_FORMS": str(initial)}
    for i, row in enumerate(rows):
        for k, v in row.items():
            data[f"grupper-{i}-{k}"] = v
    return data


PAED_ROW = {
    "name": "Pædagoger",
    "share_pct": "60",
    "annual_wage_cost": "480.000",
    "evening_pct": "25",
    "night_pct": "0",
    "weekend_pct": "30",
    "evening_supplement": "30",
    "night_supplement": "0",
    "weekend_supplement": "60",
}


def test_staffing_page_groups_and_ledger(org, client_for):
    BudgetLine.objects.create(home=org.home_a, year=2026, group="loen", original=D("10000000"))
    client = client_for(org.manager)
    url = reverse("budget:staffing", args=[org.home_a.pk]) + "?aar=2026"
    page = client.get(url).content.decode()
    # A plan without groups offers the typical groups of a 24-hour home.
    assert 'value="Nattevagter"' in page and 'value="Pædagoger"' in page
    data = {**PLAN_DATA, **groups_post(PAED_ROW, {"name": "Ny", "share_pct": "", "annual_wage_cost": "470.000"})}
    assert client.post(url, data).status_code == 302
    saved = StaffingPlan.objects.get(home=org.home_a, year=2026)
    group = StaffGroup.objects.get(plan=saved)  # the untouched row is not saved
    assert group.name == "Pædagoger" and group.share_pct == D(60)
    response = client.get(url)
    result = response.context["result"]
    # 2026 has 7 weekday holidays: R = 1.924 − 185 − 37 − 7 × 7,4 = 1.650,2; supplements
    # 1.650,2 × 25,5 = 42.080,10; FTE 6.000.000 / 522.080,10 = 11,4925.
    assert result.roster_hours_per_fte == D("1650.20")
    assert result.groups[0].supplements_per_fte == D("42080.10")
    assert result.groups[0].fte == D("11.49") and result.groups[1].unallocated
    body = response.content.decode()
    assert "Faggrupper" in body and "42.080 kr." in body
    # The ledger's staff entries beside the budget (live).
    ledger.entry_create(
        home=org.home_a,
        user=org.manager,
        category=Category.TEMP,
        account_group="loen",
        title="Vikar",
        amount=D("120000"),
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        spread=Spread.EVEN,
    )
    response = client.get(url)
    body = response.content.decode()
    led = response.context["ledger"]
    assert led["total"] == D("120000.00") and led["left"] == D("9880000.00")
    # Cost per roster hour = 10.000.000 / roster hours a year; the temp's 120.000 kr. in hours a week:
    per_hour = result.cost_per_roster_hour
    assert led["total_hours_per_week"] == (D(120000) / per_hour / 52).quantize(D("0.1"))
    assert "Live pr." in body and "9.880.000 kr." in body and "Vikardækning" in body


def test_staff_group_refusals(org, client_for):
    BudgetLine.objects.create(home=org.home_a, year=2026, group="loen", original=D("10000000"))
    client = client_for(org.manager)
    url = reverse("budget:staffing", args=[org.home_a.pk]) + "?aar=2026"
    over = {**PAED_ROW, "name": "Andre", "share_pct": "50"}
    r = client.post(url, {**PLAN_DATA, **groups_post(PAED_ROW, over)})
    assert r.status_code == 400 and "110,00 %" in r.content.decode()
    twice = {**PAED_ROW, "share_pct": "10"}
    r = client.post(url, {**PLAN_DATA, **groups_post(PAED_ROW, twice)})
    assert r.status_code == 400 and "to gange" in r.content.decode()
    bad = {**PAED_ROW, "evening_pct": "101"}
    assert client.post(url, {**PLAN_DATA, **groups_post(bad)}).status_code == 400
    assert not StaffingPlan.objects.exists() and not StaffGroup.objects.exists()


def test_group_edits_are_guarded_by_the_plan_version_and_audited(org, client_for):
    BudgetLine.objects.create(home=org.home_a, year=2026, group="loen", original=D("10000000"))
    client = client_for(org.manager)
    url = reverse("budget:staffing", args=[org.home_a.pk]) + "?aar=2026"
    assert client.post(url, {**PLAN_DATA, **groups_post(PAED_ROW)}).status_code == 302
    saved = StaffingPlan.objects.get()
    group = StaffGroup.objects.get()
    edit = {**PAED_ROW, "id": str(group.pk), "plan": str(saved.pk), "share_pct": "70"}
    first = {**PLAN_DATA, "version": saved.version, **groups_post(edit, initial=1)}
    assert client.post(url, first).status_code == 302
    stale = {**first, "grupper-0-share_pct": "80"}
    r = client.post(url, stale)
    assert r.status_code == 409
    group.refresh_from_db()
    assert group.share_pct == D(70)
    history = client.get(reverse("history", args=["medarbejdertimeplan", saved.pk])).content.decode()
    assert "Pædagoger" in history
    # Deleting a group through the form.
    saved.refresh_from_db()
    delete = {**PLAN_DATA, "version": saved.version, **groups_post({**edit, "DELETE": "on"}, initial=1)}
    assert client.post(url, delete).status_code == 302
    assert not StaffGroup.objects.exists()


def test_staffing_page_scoped(org, client_for):
    url = reverse("budget:staffing", args=[org.home_a.pk]) + "?aar=2026"
    assert client_for(org.other_manager).get(url).status_code == 404
    r = client_for(org.area_manager).post(url, {**PLAN_DATA, **groups_post(PAED_ROW)})
    assert r.status_code == 403 and not StaffGroup.objects.exists()


def test_start_page_hours_equal_the_staff_hours_page_with_groups(org, client_for):
    """The manager's start page shows the same roster hours a week as the
    staff-hours page, staff groups included (it once left the groups out)."""
    year = dt.date.today().year
    BudgetLine.objects.create(home=org.home_a, year=year, group="loen", original=D("10000000"))
    client = client_for(org.manager)
    url = reverse("budget:staffing", args=[org.home_a.pk]) + f"?aar={year}"
    assert client.post(url, {**PLAN_DATA, **groups_post(PAED_ROW)}).status_code == 302
    page_hours = client.get(url).context["result"].roster_hours_per_week
    saved = StaffingPlan.objects.get(home=org.home_a, year=year)
    without_groups = staff_hours(replace(saved.staffing_input(year), groups=())).roster_hours_per_week
    assert page_hours != without_groups  # the groups' supplements change the figure
    sections = client.get(reverse("start")).context["sections"]
    section = next(s for s in sections if s["template"] == "dashboard/_start_home_manager.html")
    rows = {r["home"].pk: r for r in section["dash_rows"]}
    assert rows[org.home_a.pk]["hours_per_week"] == page_hours
    assert rows[org.home_a.pk]["hours_from_plan"]
