"""The budget year's life cycle in Chromium: the consultant closes last year, the
department head approves the carry-overs, and the home's manager sees them on next
year's budget with their computation; a re-import of the closed year is refused."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import time_machine

from budget.chart import ensure_default_accounts
from budget.models import ActualTotal, BudgetCorrection, BudgetLine, CorrectionKind
from tests.browser.conftest import axe_violations, screenshot


def _year(org):
    ensure_default_accounts()  # the live-server test database was flushed
    # Lindehuset (frame-funded): net budget 800.000, actual 700.000 → surplus 100.000,
    # cap 5 % = 40.000 carried, 60.000 lapses.
    for group, original, actual in (
        ("loen", "900000", "650000"),
        ("drift", "100000", "250000"),
        ("indtaegt", "-200000", "-200000"),
    ):
        BudgetLine.objects.create(home=org.home_b, year=2026, group=group, original=Decimal(original))
        ActualTotal.objects.create(home=org.home_b, month=dt.date(2026, 6, 1), group=group, amount=Decimal(actual))


def logout(page):
    page.click("text=Log ud")
    page.wait_for_load_state()


def test_close_year_approve_carry_over_and_see_it_next_year(org, page, login):
    _year(org)
    with time_machine.travel(dt.datetime(2027, 2, 1, 10, tzinfo=dt.UTC), tick=True):
        login(org.consultant)
        page.click("nav.main-nav >> text=Budgetår")
        page.click("#year-table >> text=2026")
        assert "åbent" in page.get_by_test_id("year-status").inner_text()
        assert axe_violations(page) == []
        page.click("text=Luk 2026 og beregn overførsler")
        assert "Lukket" in page.get_by_test_id("year-status").inner_text()
        row = page.locator(f'#carry-over-table tr[data-home="{org.home_b.pk}"]').inner_text()
        assert "100.000,00" in row and "40.000,00" in row and "60.000,00" in row
        screenshot(page, "year_end_closed")
        assert axe_violations(page) == []
        logout(page)

        login(org.department_head)
        page.goto(f"{page.base_url}/budget/aar/2026/")
        page.click("text=beregnede overførsler")
        assert "godkendt og bogført" in page.locator("#messages").inner_text()
        assert BudgetCorrection.objects.get(kind=CorrectionKind.CARRY_OVER).amount == Decimal("40000.00")
        logout(page)

        login(org.manager)
        page.goto(f"{page.base_url}/budget/botilbud/{org.home_b.pk}/?aar=2027")
        assert "40.000,00 kr." in page.get_by_test_id("carried-in").inner_text()
        row = page.locator('#corrections-table tr[data-kind="overfoersel"]')
        row.locator("summary").click()
        assert "bortfalder: 60.000,00 kr" in row.inner_text()
        screenshot(page, "year_end_next_year_budget")
        assert axe_violations(page) == []
        page.click("text=beregningen")
        assert page.get_by_test_id("carry-over-amount").inner_text() == "40.000 kr."
        assert axe_violations(page) == []
        assert page.csp_errors == []
