"""Payroll sickness absence in follow-up section 3 (page, frozen snapshot, Excel) and on the dashboard.

Home A (cost centre 52000), hand-computed:
  January 50 / 1.000, February 30 / 1.000, March 70 / 2.000 sick / norm hours;
  March 70 / 2.000 = 3,5 %; year to date (50 + 30 + 70) / 4.000 = 3,75 % → 3,8 % (half up).
"""

from __future__ import annotations

import datetime as dt
import io
import re
from decimal import Decimal as D
from io import BytesIO

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from budget.absence import services
from budget.absence.models import AbsenceProfile
from budget.absence.reading import ensure_builtin_profiles
from budget.followup.models import HomeFollowUp, Step
from budget.followup.services import freeze
from disponering.models import Category, LedgerEntry
from tests.absence.test_import import payroll_file
from tests.followup.conftest import make_march


@pytest.fixture
def march(org):
    return make_march(org)


@pytest.fixture
def payroll(org):
    ensure_builtin_profiles()
    profile = AbsenceProfile.objects.get(is_builtin=True)
    data = payroll_file(
        "52000;Alle;01.2026;1.000,00;50,00;0;0",
        "52000;Alle;02.2026;1.000,00;30,00;0;0",
        "52000;Alle;03.2026;2.000,00;70,00;40,00;1",
    )
    staged = services.stage(io.BytesIO(data), "loen.csv", profile, None)
    services.confirm(staged.batch.pk, None)
    return profile


def _section3(html: str) -> str:
    return html.split('id="s3"')[1].split('id="s4"')[0]


def test_section_3_shows_payroll_figures_live(org, march, payroll, client_for):
    html = client_for(org.consultant).get(f"/opfoelgning/{march.pk}/botilbud/{org.home_a.pk}/").content.decode()
    s3 = _section3(html)
    assert "Sygefravær i marts (lønsystemet)" in s3
    assert re.search(rf'data-figure="sickness_pct" data-home="{org.home_a.pk}" data-moment="live"[^>]*>3,5 %', s3)
    assert re.search(r'data-figure="sickness_ytd_pct"[^>]*>3,8 %', s3)
    assert "70,00 sygetimer af 2.000,00 normtimer" in s3
    # The payroll system has 1 long-term sick employee, the ledger none: said, not hidden.
    assert "passer ikke med lønsystemet" in s3
    assert f"/fravaer/botilbud/{org.home_a.pk}/?aar=2026" in s3


def test_section_3_without_import_says_so(org, march, client_for):
    html = client_for(org.consultant).get(f"/opfoelgning/{march.pk}/botilbud/{org.home_b.pk}/").content.decode()
    assert "Ikke indlæst fra lønsystemet" in _section3(html)


def test_frozen_follow_up_keeps_its_sickness_figure(org, march, payroll, client_for):
    fu = HomeFollowUp.objects.create(round=march, home=org.home_a)
    fu.snapshot = freeze(fu)
    fu.step, fu.approved_at = Step.APPROVED, timezone.now()
    fu.save()
    # A later re-import of March changes the live figure to 10 / 2.000 = 0,5 % ...
    again = payroll_file("52000;Alle;03.2026;2.000,00;10,00;0;0")
    services.confirm(services.stage(io.BytesIO(again), "loen2.csv", payroll, None).batch.pk, None)
    html = client_for(org.consultant).get(f"/opfoelgning/{march.pk}/botilbud/{org.home_a.pk}/").content.decode()
    s3 = _section3(html)
    # ... but the approved follow-up keeps 3,5 %, marked with its round.
    assert re.search(rf'data-figure="sickness_pct"[^>]*data-moment="round-{march.pk}"[^>]*>3,5 %', s3)
    assert "fastfrosset ved godkendelsen" in s3


def test_excel_section_3_has_the_same_figures(org, march, payroll, client_for):
    response = client_for(org.consultant).get(f"/opfoelgning/{march.pk}/botilbud/{org.home_a.pk}/excel/")
    ws = load_workbook(BytesIO(response.getvalue())).active
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    header = next(i for i, r in enumerate(rows) if r and r[1] == "Sygefravær % (lønsystemet)")
    values = rows[header + 1]
    assert values[1:7] == [D("3.5"), D("3.8"), D("70.00"), D("2000.00"), 1, 0] or values[1:7] == [
        3.5,
        3.8,
        70,
        2000,
        1,
        0,
    ]


def test_dashboard_shows_payroll_sickness_for_the_economy_month(org, march, payroll, client_for):
    html = client_for(org.department_head).get("/dashboard/?aar=2026").content.decode()
    chart = html.split('id="sygdom"')[1] if 'id="sygdom"' in html else html
    # Actuals run to March, so the dashboard reads March's payroll figures, marked live for 2026-03:
    assert re.search(
        rf'data-figure="sickness_pct" data-home="{org.home_a.pk}" data-moment="live" data-month="2026-03">3,5 %',
        chart,
    )
    assert re.search(rf'data-figure="sickness_ytd_pct" data-home="{org.home_a.pk}"[^>]*>3,8 %', chart)
    assert "Sygefravær marts 2026 (lønsystemet)" in chart


def test_same_figure_on_follow_up_and_dashboard(org, march, payroll, client_for):
    """The consistency rule for the new figure: same home, moment and month → same text."""
    pattern = re.compile(
        r'data-figure="(sickness(?:_ytd)?_pct)" data-home="(\d+)" data-moment="live" data-month="([\d-]+)">([^<]+)<'
    )
    fu = client_for(org.consultant).get(f"/opfoelgning/{march.pk}/botilbud/{org.home_a.pk}/").content.decode()
    dash = client_for(org.department_head).get("/dashboard/?aar=2026").content.decode()
    fu_figures = {m[:3]: m[3] for m in pattern.findall(fu)}
    dash_figures = {m[:3]: m[3] for m in pattern.findall(dash)}
    assert fu_figures and set(fu_figures) <= set(dash_figures)
    assert all(dash_figures[k] == v for k, v in fu_figures.items())


def test_dashboard_without_payroll_keeps_the_ledger_chart(org, march, client_for):
    html = client_for(org.department_head).get("/dashboard/?aar=2026").content.decode()
    assert "Langtidssygdom pr. botilbud" in html and "sickness_pct" not in html


def test_home_absence_page_query_count_is_flat(org, payroll, client_for, django_assert_max_num_queries):
    client = client_for(org.manager)
    url = f"/fravaer/botilbud/{org.home_a.pk}/?aar=2026"
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            home=org.home_a,
            category=Category.SICKNESS,
            account_group="loen",
            title=f"Syg {i}",
            amount=D("-1000"),
            start_date=dt.date(2026, 1 + i % 12, 1),
            end_date=dt.date(2026, 1 + i % 12, 20),
        )
        for i in range(40)
    )
    with django_assert_max_num_queries(14):
        assert client.get(url).status_code == 200


def test_area_manager_start_page_shows_payroll_sickness(org, march, payroll, client_for):
    html = client_for(org.area_manager).get("/").content.decode()
    assert re.search(
        rf'data-figure="sickness_pct" data-home="{org.home_a.pk}" data-moment="live" data-month="2026-03">3,5 %', html
    )
    assert "sygefravær marts fra lønsystemet" in html
