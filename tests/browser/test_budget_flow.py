"""The budget flows in Chromium: the consultant imports a month of actuals from
an .xlsx file and the home's forecast moves; a bad file is refused naming its
rows; the manager opens the staff-hours tool and sees where the hours go."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from budget.chart import ensure_default_accounts
from budget.models import Actual, BudgetLine
from disponering import services as ledger
from disponering.models import Category, Spread
from tests.browser.conftest import axe_violations, screenshot
from tests.budget.helpers import bad_rows_17_and_40, xlsx_bytes

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _budgets(org):
    ensure_default_accounts()  # the live-server test database was flushed
    for group, amount in (("loen", "4800000"), ("drift", "600000"), ("indtaegt", "-1200000")):
        BudgetLine.objects.create(home=org.home_a, year=2026, group=group, original=Decimal(amount))


def logout(page):
    page.click("text=Log ud")
    page.wait_for_load_state()


def test_consultant_imports_actuals_and_forecast_moves(org, page, login, tmp_path):
    _budgets(org)
    login(org.consultant)
    budget_url = f"{page.base_url}/budget/botilbud/{org.home_a.pk}/?aar=2026&maaned=5"
    page.goto(budget_url)
    before = page.get_by_test_id("forecast-total").inner_text()
    assert before == "2.450.000 kr."

    # A bad file first: refused whole, rows 17 and 40 named, nothing written.
    page.click("nav.main-nav >> text=Forbrug")
    bad = tmp_path / "forbrug-med-fejl.xlsx"
    bad.write_bytes(xlsx_bytes(bad_rows_17_and_40()))
    page.set_input_files("#id_file", str(bad))
    page.click("text=Kontrollér filen")
    errors = page.locator("#import-errors")
    assert errors.is_visible()
    assert "Intet er indlæst" in errors.inner_text()
    assert page.locator('tr[data-row="17"]').inner_text().startswith("17")
    assert "Ukendt omkostningssted »99999«" in page.locator('tr[data-row="40"]').inner_text()
    screenshot(page, "budget_import_refused")
    assert not Actual.objects.exists()

    # The good file: preview per home and month, then confirm.
    good = tmp_path / "forbrug-maj.xlsx"
    good.write_bytes(
        xlsx_bytes(
            [
                ["52000", "5.38.50", "1.10", "15-05-2026", "1.250.000,00", "Løn januar–maj"],
                ["52000", "5.38.50", "2.29", "20-05-2026", "40.000,00", "Varer"],
                ["52000", "5.38.50", "7.71", "28-05-2026", "-10.000,00", "Salg af pladser"],
            ]
        )
    )
    page.set_input_files("#id_file", str(good))
    page.fill("#id_month", "2026-05")
    page.click("text=Kontrollér filen")
    preview = page.locator("#preview-table")
    assert "Egebakken" in preview.inner_text()
    assert "maj 2026" in preview.inner_text()
    assert "1.280.000,00 kr." in preview.inner_text()
    assert axe_violations(page) == []
    screenshot(page, "budget_import_preview")
    page.click("text=Godkend og indlæs")
    assert page.get_by_text("er indlæst: 3 posteringer").is_visible()
    assert Actual.objects.count() == 3

    # The forecast moved: before 7/12 of the net budget 4,200,000 = 2,450,000 remained with
    # no actuals; now the actuals 1,280,000 come on top.
    page.goto(budget_url)
    assert page.get_by_test_id("forecast-total").inner_text() == "3.730.000 kr."
    page.click("text=Vis som tabel")
    assert page.locator("#budget-chart-table").is_visible()
    assert page.locator("#budget-chart svg.main-svg").first.is_visible()
    assert axe_violations(page) == []
    screenshot(page, "budget_home_forecast")

    # Re-importing the same month changes nothing.
    page.click("nav.main-nav >> text=Forbrug")
    page.set_input_files("#id_file", str(good))
    page.click("text=Kontrollér filen")
    assert "3 posteringer" in page.locator("#preview-table").inner_text()
    page.click("text=Godkend og indlæs")
    assert page.get_by_text("erstatter 3 tidligere posteringer").is_visible()
    page.goto(budget_url)
    assert page.get_by_test_id("forecast-total").inner_text() == "3.730.000 kr."
    assert page.csp_errors == []


def test_manager_sees_where_the_hours_go(org, page, login):
    _budgets(org)
    login(org.manager)
    page.goto(f"{page.base_url}/botilbud/{org.home_a.pk}/")
    page.click("nav.tabs >> text=Medarbejdertimer")
    page.wait_for_load_state()
    assert page.get_by_test_id("fte").inner_text() == "10,00"
    # Where the hours go: a waterfall, and the same numbers as a table.
    page.wait_for_selector("#staffing-chart svg.main-svg")
    page.click("text=Vis som tabel")
    table = page.locator("#staffing-table").inner_text()
    for label in ("Ferie", "Feriefridage", "Helligdage", "Sygefravær", "Kompetenceudvikling", "Møder og supervision"):
        assert label in table
    page.fill("#id_sickness_pct", "5")
    page.fill("#id_roster_hours_per_week", "300")
    page.click("text=Beregn og gem")
    page.wait_for_load_state()
    assert page.get_by_text("Planen er gemt.").is_visible()
    assert page.get_by_test_id("roster-year").inner_text() == "15.057"
    assert "4.973.135 kr." in page.get_by_test_id("roster-cost").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "budget_staff_hours")
    assert page.csp_errors == []


def test_other_budget_pages_are_accessible(org, page, login):
    _budgets(org)
    line = BudgetLine.objects.get(home=org.home_a, group="loen")
    login(org.consultant)
    for path in (
        "/budget/forbrug/",
        f"/budget/botilbud/{org.home_a.pk}/linje/{line.pk}/profil/",
        f"/budget/botilbud/{org.home_a.pk}/tildeling/?aar=2026",
        "/budget/myndighed/?aar=2026",
        "/budget/oversigt/?aar=2026",
        "/budget/budgetter/import/",
    ):
        page.goto(page.base_url + path)
        assert page.locator("h1").is_visible(), path
        assert axe_violations(page) == [], path
    screenshot(page, "budget_budget_import")
    assert page.csp_errors == []


def test_manager_plans_a_24_hour_home_with_staff_groups(org, page, login):
    """Staff groups with evening, night and weekend supplements, and the year's
    staff entries from the ledger beside the wage budget, in Chromium."""

    _budgets(org)
    ledger.entry_create(
        home=org.home_a,
        user=org.manager,
        category=Category.TEMP,
        account_group="loen",
        title="Vikar for barsel",
        amount=Decimal("120000"),
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 12, 31),
        spread=Spread.EVEN,
    )
    login(org.manager)
    page.goto(f"{page.base_url}/budget/botilbud/{org.home_a.pk}/medarbejdertimer/?aar=2026")
    # The typical groups of a 24-hour home are offered; the manager gives them shares.
    for i, share in enumerate(["55", "20", "15", "10"]):
        page.fill(f"#id_grupper-{i}-share_pct", share)
    page.click("text=Beregn og gem")
    page.wait_for_load_state()
    assert page.get_by_text("Planen er gemt.").is_visible()
    groups = page.locator("#staff-groups").inner_text()
    for name in ("Pædagoger", "Social- og sundhedsassistenter", "Nattevagter", "Ledelse"):
        assert name in groups
    assert "Ikke fordelt" not in groups  # the shares add up to 100 %
    # The night group's hours are all at night.
    night = page.locator("[data-testid=staff-group]", has_text="Nattevagter").locator("td").all_inner_texts()
    assert night[5] == night[7]  # hours a week == of which at night
    staff = page.locator("#staff-ledger").inner_text()
    assert "Vikardækning" in staff and "120.000 kr." in staff and "4.680.000 kr." in staff
    assert "Live pr." in page.get_by_test_id("staff-ledger-moment").inner_text()
    # Shares over 100 % are refused in Danish, and nothing changes.
    page.fill("#id_grupper-0-share_pct", "80")
    page.click("text=Beregn og gem")
    page.wait_for_load_state()
    assert page.get_by_text("de må højst være 100 %").is_visible()
    assert axe_violations(page) == []
    screenshot(page, "budget_staff_groups")
    assert page.csp_errors == []
