from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from openpyxl import load_workbook

from botilbud.models import AccountGroup, Area, Home, Paragraph
from budget.dashboard.models import FollowUpFigure
from budget.dashboard.selectors import economy
from budget.followup.models import Step
from budget.followup.selectors import live_numbers, numbers_for, rollup
from budget.followup.services import followups_for_round
from budget.models import ActualTotal, BudgetLine, StaffingPlan
from budget.selectors import forecast, forecast_total
from tests.dashboard.conftest import YEAR, add_ledger, add_placements, approve

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:department") + f"?aar={YEAR}"


def _figures(client) -> dict:
    response = client.get(URL)
    assert response.status_code == 200
    return response.context["figures"]


# --- The numbers -----------------------------------------------------------------


def test_totals_equal_the_sum_of_the_followups_for_the_same_round(world, client_for):
    """The dashboard's totals are the follow-ups' numbers: home A's frozen
    snapshot (even after its actuals changed), homes B and C live."""

    homes = [world.home_a, world.home_b, world.home_c]
    followups = followups_for_round(round_=world.round, homes=homes)
    live = live_numbers([fu.home for fu in followups if not fu.is_frozen], world.round)
    expected = rollup(followups, live)["totals"]

    figures = _figures(client_for(world.department_head))
    assert figures["net_budget"] == Decimal(expected["corrected_budget"])
    assert figures["forecast"] == Decimal(expected["forecast"])
    assert figures["deviation"] == Decimal(expected["deviation"])
    # And home by home, as each follow-up page shows it.
    total = sum((Decimal(numbers_for(fu)["totals"]["forecast"]) for fu in followups), Decimal(0))
    assert figures["forecast"] == total


def test_frozen_followup_is_not_moved_by_later_actuals(world, client_for):
    snapshot = world.followups[world.home_a.pk]
    snapshot.refresh_from_db()
    response = client_for(world.department_head).get(reverse("dashboard:home", args=[world.home_a.pk]) + f"?aar={YEAR}")
    figures = response.context["figures"]
    assert figures["forecast"] == Decimal(snapshot.snapshot["totals"]["forecast"])
    live = forecast_total(forecast(world.home_a, YEAR, 3))
    assert live.forecast != figures["forecast"]  # the late correction is only in the live numbers
    assert "1 botilbud med godkendt opfølgning" in response.content.decode()


def test_hand_computed_key_figures(world, client_for):
    """Budgets: A and B 840,000 each; C none. Home A frozen at +30,000
    (wages 330,000 + 900,000 remaining). Home B: on budget plus the ledger's
    −60,000 × 9/9 months sickness saving … after March: Apr–Dec sickness
    (−60,000) and Apr–Jun temp cover (+90,000) = +30,000."""
    figures = _figures(client_for(world.department_head))
    assert figures["net_budget"] == Decimal("1680000.00")
    assert figures["deviation"] == Decimal("60000.00")
    assert figures["forecast"] == Decimal("1740000.00")
    assert figures["action_plans"] == 1
    assert figures["homes"] == 3
    # Occupancy: two residents in each of the three own homes (48 places).
    assert figures["residents"] == 6
    assert figures["places"] == 48
    # One overdue placement follow-up per home.
    assert figures["overdue"] == 3
    # The three external placements of 1,460,000 kr. a year are "large".
    assert figures["large_count"] == 3
    assert figures["large_total"] == Decimal("4380000.00")


def test_area_chart_sums_its_homes(world, client_for):
    response = client_for(world.department_head).get(URL)
    chart = response.context["charts"]["omraader"]
    assert chart.categories == ["Område Nord", "Område Syd"]
    budgets = chart.series[0].values
    assert budgets == [Decimal("1680000.00"), Decimal("0.00")]
    assert chart.links[0].startswith(reverse("dashboard:area", args=[world.area_north.pk]))
    assert f"aar={YEAR}" in chart.links[0]


def test_spending_by_provider_kind_is_pro_rata_by_days(world, client_for):
    response = client_for(world.department_head).get(URL)
    chart = response.context["charts"]["leverandoertyper"]
    by_kind = dict(zip(chart.categories, chart.series[0].values, strict=True))
    # Own homes: 6 placements × 365,000 for the whole (non-leap) year.
    assert by_kind["Egen kommune"] == Decimal("2190000.00")
    # Private: 3 × 1,460,000 × 184/365 days (1 July – 31 December).
    assert by_kind["Privat"] == (3 * Decimal("1460000") * 184 / 365).quantize(Decimal("0.01"))
    assert by_kind["Region"] == Decimal("0.00")
    trend = response.context["charts"]["leverandoertyper-udvikling"]
    assert trend.categories == [str(y) for y in range(YEAR - 4, YEAR + 1)]


def test_recipients_per_paragraph_inflow_outflow_total(world, client_for):
    response = client_for(world.department_head).get(URL)
    chart = response.context["charts"]["modtagere"]
    inflow, outflow, total = (s.values for s in chart.series)
    assert inflow[0] == 6 and inflow[6] == 3  # January: own homes; July: the external placements
    assert total[0] == 6 and total[6] == 9
    assert sum(outflow) == 0


def test_paragraph_and_provider_filters_narrow_the_placement_figures(world, client_for):
    client = client_for(world.department_head)
    response = client.get(URL + "&leverandoer=privat")
    assert response.context["figures"]["overdue"] == 0
    assert response.context["figures"]["large_count"] == 3
    other = Paragraph.objects.exclude(code="§107").first()
    response = client.get(URL + f"&paragraf={other.pk}")
    assert response.context["figures"]["large_count"] == 0
    assert f"paragraf={other.pk}" in response.context["charts"]["omraader"].links[0]


# --- Access ----------------------------------------------------------------------


def test_area_manager_sees_only_their_area(world, client_for):
    client = client_for(world.area_manager)
    response = client.get(URL)
    assert response.status_code == 200
    assert {h.pk for h in response.context["homes"]} == {world.home_a.pk, world.home_b.pk}
    assert response.context["figures"]["net_budget"] == Decimal("1680000.00")
    assert "Birkelund" not in response.content.decode()
    assert client.get(reverse("dashboard:area", args=[world.area_south.pk])).status_code == 404
    assert client.get(reverse("dashboard:home", args=[world.home_c.pk])).status_code == 404
    assert client.get(reverse("dashboard:home_group", args=[world.home_c.pk, "loen"])).status_code == 404
    assert client.get(URL + f"&omraade={world.area_south.pk}").status_code == 404
    assert client.get(reverse("dashboard:area_excel", args=[world.area_south.pk, "botilbud"])).status_code == 404
    assert client.get(reverse("dashboard:area", args=[world.area_north.pk])).status_code == 200


def test_consultant_sees_own_homes_only(world, client_for):
    client = client_for(world.consultant)
    response = client.get(URL)
    assert response.status_code == 200
    assert {h.pk for h in response.context["homes"]} == {world.home_a.pk, world.home_b.pk}
    assert client.get(reverse("dashboard:home", args=[world.home_a.pk])).status_code == 200
    assert client.get(reverse("dashboard:home", args=[world.home_c.pk])).status_code == 404
    assert client.get(reverse("dashboard:home_excel", args=[world.home_c.pk, "kontogrupper"])).status_code == 404


def test_old_budget_overview_redirects_to_the_dashboard(world, client_for):
    response = client_for(world.consultant).get(reverse("budget:dashboard") + "?aar=2026&maaned=6")
    assert response.status_code == 302
    assert response["Location"] == URL


@pytest.mark.parametrize("persona", ["manager", "caseworker", "authority_head"])
def test_other_roles_get_404(world, client_for, persona):
    client = client_for(getattr(world, persona))
    assert client.get(URL).status_code == 404
    assert client.get(reverse("dashboard:home", args=[world.home_a.pk])).status_code == 404
    assert client.get(reverse("dashboard:department_excel", args=["omraader"])).status_code == 404


def test_anonymous_is_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert "/log-ind/" in response["Location"]


def test_post_is_405(world, client_for):
    client = client_for(world.department_head)
    assert client.post(URL).status_code == 405
    assert client.post(reverse("dashboard:home", args=[world.home_a.pk])).status_code == 405


@pytest.mark.parametrize(
    "query",
    ["aar=abc", "aar=1999", "aar=20260", "leverandoer=ukendt", "paragraf=x", "paragraf=999999", "omraade=abc"],
)
def test_bad_filters_are_a_danish_400(world, client_for, query):
    response = client_for(world.department_head).get(reverse("dashboard:department") + "?" + query)
    assert response.status_code == 400
    assert "Ugyldigt filter" in response.content.decode()


def test_unknown_group_and_chart_are_404(world, client_for):
    client = client_for(world.department_head)
    assert client.get(reverse("dashboard:home_group", args=[world.home_a.pk, "xyz"])).status_code == 404
    assert client.get(reverse("dashboard:department_excel", args=["findes-ikke"])).status_code == 404


# --- Drill-down and HTMX ---------------------------------------------------------


def test_drill_down_levels_full_page_and_htmx_partial(world, client_for):
    client = client_for(world.department_head)
    area_url = reverse("dashboard:area", args=[world.area_north.pk]) + f"?aar={YEAR}"
    full = client.get(area_url)
    body = full.content.decode()
    assert "<html" in body and 'id="dashboard-main"' in body
    partial = client.get(area_url, headers={"HX-Request": "true"})
    text = partial.content.decode()
    assert partial.status_code == 200
    assert "<html" not in text and 'id="dashboard-main"' not in text
    assert "<title>Dashboard: Område Nord – Botilbud</title>" in text
    assert 'hx-push-url="true"' in text
    # Back/forward after a cache miss asks for the whole page again.
    restore = client.get(area_url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    assert "<html" in restore.content.decode()


def test_home_and_group_levels(world, client_for):
    client = client_for(world.department_head)
    response = client.get(reverse("dashboard:home", args=[world.home_b.pk]) + f"?aar={YEAR}")
    chart = response.context["charts"]["kontogrupper"]
    assert chart.categories == [g.label for g in AccountGroup]
    ledger_column = chart.series[4].values
    assert ledger_column[0] == Decimal("30000.00")  # wages: −60,000 sickness + 90,000 temp cover
    months = response.context["charts"]["maaneder"]
    budget, actual, expected = (s.values for s in months.series)
    assert budget[0] == Decimal("70000.00")  # (1,200,000 + 240,000 − 600,000) / 12
    assert actual[0] == Decimal("70000.00") and actual[5] is None
    assert sum(expected) == Decimal("30000.00")
    assert expected[3] == Decimal("23333.33")  # April: 30,000 temp cover − 6,666.67 sickness (øre rounding)
    response = client.get(reverse("dashboard:home_group", args=[world.home_b.pk, "loen"]) + f"?aar={YEAR}")
    body = response.content.decode()
    assert "Langtidssyg medarbejder (MK)" in body and "Vikardækning for MK" in body
    assert response.context["entries_total"] == Decimal("30000.00")
    assert reverse("disponering:ledger", args=[world.home_b.pk]) in body


# --- Excel -----------------------------------------------------------------------


def test_excel_download_holds_the_charts_numbers(world, client_for):
    client = client_for(world.department_head)
    response = client.get(reverse("dashboard:department_excel", args=["omraader"]) + f"?aar={YEAR}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert 'filename="omraader.xlsx"' in response["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.getvalue())).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0].startswith("Budget og prognose pr. område")
    header = rows[3]
    assert header[0] == "Område" and header[1] == "Korrigeret budget (kr.)"
    data = {r[0]: r for r in rows[4:]}
    assert Decimal(str(data["Område Nord"][1])) == Decimal("1680000")
    assert sheet.cell(row=5, column=2).number_format.endswith('"kr."')


def test_excel_of_large_placements_and_ledger_entries(world, client_for):
    client = client_for(world.department_head)
    response = client.get(reverse("dashboard:department_excel", args=["store-bevillinger"]) + f"?aar={YEAR}")
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert rows[3][:5] == ("Borger", "Tilbud", "Paragraf", "Leverandørtype", "Årspris (kr.)")
    assert len(rows) == 4 + 3
    response = client.get(reverse("dashboard:home_group_excel", args=[world.home_b.pk, "loen", "disponeringer"]))
    rows = list(load_workbook(io.BytesIO(response.getvalue())).active.iter_rows(values_only=True))
    assert {r[0] for r in rows[4:]} == {"Langtidssyg medarbejder (MK)", "Vikardækning for MK"}


# --- The summary table (trigger) ---------------------------------------------------


def test_summary_follows_approval_and_reopening(world):
    fu = world.followups[world.home_a.pk]
    rows = FollowUpFigure.objects.filter(followup_id=fu.pk)
    assert rows.count() == 3
    assert sum(r.forecast for r in rows) == Decimal(fu.snapshot["totals"]["forecast"])
    fu.step = Step.AREA
    fu.snapshot = None
    fu.save()
    assert not FollowUpFigure.objects.filter(followup_id=fu.pk).exists()


# --- Query bounds ------------------------------------------------------------------


def _grow(org, extra: int) -> None:
    """Add ``extra`` homes in a new area with budgets, actuals, ledger entries,
    placements and follow-ups (half of them approved)."""

    area = Area.objects.create(name="Område Øst")
    area.managers.add(org.area_manager)
    homes = []
    for i in range(extra):
        home = Home.objects.create(
            name=f"Ekstra {i:02d}", area=area, capacity=10, target_group="handicap", cost_centre=f"6{i:04d}"
        )
        homes.append(home)
        for group, amount in ((AccountGroup.WAGES, 1000000), (AccountGroup.INCOME, -300000)):
            BudgetLine.objects.create(home=home, year=YEAR, group=group, original=Decimal(amount))
            for month in (1, 2, 3):
                ActualTotal.objects.create(
                    home=home, month=dt.date(YEAR, month, 1), group=group, amount=Decimal(amount) / 12
                )
        add_ledger(org, home)
    add_placements(org, homes, prefix="g")
    for n, fu in enumerate(followups_for_round(round_=org.round, homes=homes)):
        if n % 2 == 0:
            approve(fu, org.area_manager)


def _pages(org) -> list[str]:
    return [
        URL,
        reverse("dashboard:area", args=[org.area_north.pk]) + f"?aar={YEAR}",
        reverse("dashboard:home", args=[org.home_b.pk]) + f"?aar={YEAR}",
        reverse("dashboard:home_group", args=[org.home_b.pk, "loen"]) + f"?aar={YEAR}",
        reverse("dashboard:department_excel", args=["botilbud"]) + f"?aar={YEAR}",
        reverse("start"),
    ]


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("persona", ["department_head", "area_manager"])
def test_query_count_is_the_same_at_two_sizes(world, client_for, django_assert_max_num_queries, persona):
    client = client_for(getattr(world, persona))
    small = {url: _count(client, url) for url in _pages(world)}
    _grow(world, 25)
    for url in _pages(world):
        with django_assert_max_num_queries(small[url]):
            client.get(url)
    large = {url: _count(client, url) for url in _pages(world)}
    assert large == small
    assert max(small.values()) <= 30


def test_start_pages_per_role(world, client_for):
    year = dt.date.today().year
    expectations = {
        "manager": f"Mine botilbud {year}",
        "area_manager": "Mine botilbud side om side",
        "consultant": "Forbrugsimporter i",
        "department_head": f"Økonomien {year}",
        "administrator": f"Økonomien {year}",
    }
    for persona, text in expectations.items():
        response = client_for(getattr(world, persona)).get(reverse("start"))
        assert response.status_code == 200, persona
        assert text in response.content.decode(), persona


def test_home_manager_start_block_numbers(world, client_for):
    StaffingPlan.objects.create(home=world.home_b, year=dt.date.today().year, wage_budget=Decimal("1200000"))
    response = client_for(world.manager).get(reverse("start"))
    section = next(s for s in response.context["sections"] if s["template"] == "dashboard/_start_home_manager.html")
    rows = {r["home"].pk: r for r in section["dash_rows"]}
    assert set(rows) == {world.home_a.pk, world.home_b.pk}
    assert rows[world.home_b.pk]["hours_per_week"] > 0
    assert rows[world.home_b.pk]["hours_from_plan"]
    # No saved plan: the wage budget with the default assumptions, as the staff-hours page.
    assert not rows[world.home_a.pk]["hours_from_plan"]
    if dt.date.today().year == YEAR:
        assert rows[world.home_a.pk]["hours_per_week"] > 0


def test_bad_filter_in_an_htmx_request_is_a_partial_400(world, client_for):
    response = client_for(world.department_head).get(
        reverse("dashboard:department") + "?aar=abc", headers={"HX-Request": "true"}
    )
    assert response.status_code == 400
    body = response.content.decode()
    assert "»abc« er ikke et gyldigt budgetår" in body
    assert "<html" not in body


def test_administrator_sees_everything_area_manager_no_purchases(world, client_for):
    response = client_for(world.administrator).get(URL)
    assert response.status_code == 200
    assert len(response.context["homes"]) == 3
    assert "Udgifter til bevillinger pr. leverandørtype" in response.content.decode()
    body = client_for(world.area_manager).get(URL).content.decode()
    assert "Udgifter til bevillinger pr. leverandørtype" not in body
    assert "Dashboard for mine områder" in body


def test_navigation_links_to_the_dashboard(world, client_for):
    for persona, sees in (("department_head", True), ("area_manager", True), ("manager", False)):
        body = client_for(getattr(world, persona)).get(reverse("start")).content.decode()
        assert (f'href="{reverse("dashboard:department")}"' in body) is sees, persona


def test_no_actuals_yet_the_forecast_is_the_budget(org):
    """A newly onboarded municipality before its first import: the live
    forecast is the budget (actuals to "årets start"), not December's 1/12
    with eleven empty months (found by testing)."""

    today = dt.date(2026, 12, 1)
    BudgetLine.objects.create(home=org.home_a, year=2026, group=AccountGroup.WAGES, original=Decimal("1200000"))
    econ = economy([org.home_a.pk], 2026, None, today)
    assert econ.month == 0
    wages = econ.per_home[org.home_a.pk][AccountGroup.WAGES.value]
    assert wages["forecast"] == Decimal("1200000.00") and wages["deviation"] == 0
    # A past year without actuals counts as closed (month 12); a future year starts at 0.
    assert economy([org.home_a.pk], 2025, None, today).month == 12
    assert economy([org.home_a.pk], 2027, None, today).month == 0
