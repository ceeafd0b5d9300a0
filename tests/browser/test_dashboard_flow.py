"""The department head reads the dashboard and drills down in Chromium."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.browser.conftest import axe_violations, screenshot
from tests.dashboard.conftest import YEAR, make_world


@pytest.fixture
def world(org):
    return make_world(org)


def test_department_head_drills_down_to_ledger_entries_and_back(world, page, login):
    org = world
    login(org.department_head)
    page.click("nav[aria-label=Hovedmenu] >> text=Dashboard")
    page.goto(f"{page.base_url}/dashboard/?aar={YEAR}")
    page.wait_for_selector("#omraader-chart .main-svg")  # Plotly drew the chart
    # The key figures.
    assert page.locator("[data-testid=key-figures] [data-figure=corrected_budget]").inner_text() == "1.680.000 kr."
    assert page.locator("[data-testid=key-figures] [data-figure=forecast]").inner_text() == "1.740.000 kr."
    assert page.locator("[data-testid=key-figures] [data-figure=deviation]").inner_text() == "60.000 kr."
    assert page.locator("[data-figure=action_plans]").inner_text() == "1"
    assert page.csp_errors == []
    screenshot(page, "dashboard-department")
    assert axe_violations(page) == []

    # A chart as a table …
    toggle = page.locator("[data-toggle-target=omraader-table]")
    toggle.click()
    assert toggle.get_attribute("aria-expanded") == "true"
    table = page.locator("#omraader-table")
    assert table.is_visible()
    assert "1.680.000 kr." in table.inner_text()

    # … and its numbers as Excel.
    with page.expect_download() as info:
        page.locator("figure:has(#omraader-table) >> text=Hent tallene (Excel)").click()
    download = info.value
    assert download.suggested_filename == "omraader.xlsx"
    with open(download.path(), "rb") as f:
        sheet = load_workbook(BytesIO(f.read())).active
    values = {row[0]: row[1] for row in sheet.iter_rows(min_row=5, values_only=True)}
    assert values["Område Nord"] == 1680000

    # Department → area (an HTMX swap with a real URL).
    table.locator("text=Område Nord").click()
    page.wait_for_url(re.compile(rf"/dashboard/omraade/{org.area_north.pk}/\?aar={YEAR}"))
    page.wait_for_selector("h1:has-text('Område Nord')")
    assert page.title().startswith("Dashboard: Område Nord")
    page.wait_for_selector("#botilbud-chart .main-svg")  # charts drawn after the swap
    assert axe_violations(page) == []

    # Area → home.
    page.click("[data-toggle-target=botilbud-table]")
    page.locator("#botilbud-table >> text=Lindehuset").click()
    page.wait_for_url(re.compile(rf"/dashboard/botilbud/{org.home_b.pk}/"))
    page.wait_for_selector("h1:has-text('Lindehuset')")
    page.wait_for_selector("#maaneder-chart .main-svg")
    assert axe_violations(page) == []

    # Home → account group → ledger entries.
    page.click("[data-toggle-target=kontogrupper-table]")
    page.locator("#kontogrupper-table >> text=Løn").click()
    page.wait_for_url(re.compile(rf"/dashboard/botilbud/{org.home_b.pk}/loen/"))
    page.wait_for_selector("text=Vikardækning for MK")
    assert page.get_by_text("Langtidssyg medarbejder (MK)").is_visible()
    screenshot(page, "dashboard-ledger-entries")
    assert axe_violations(page) == []

    # And back up with the browser's back button.
    page.go_back()
    page.wait_for_url(re.compile(rf"/dashboard/botilbud/{org.home_b.pk}/\?"))
    # The group page's heading also names the home ("Lindehuset: løn"): wait for the
    # home level's own chart, so the next back does not race this restore.
    page.wait_for_selector("#maaneder-chart .main-svg")
    page.go_back()
    page.wait_for_url(re.compile(rf"/dashboard/omraade/{org.area_north.pk}/"))
    page.wait_for_selector("h1:has-text('Område Nord')")
    page.go_back()
    page.wait_for_url(re.compile(rf"/dashboard/\?aar={YEAR}$"))
    page.wait_for_selector("[data-testid=key-figures] [data-figure=corrected_budget]")
    assert page.locator("[data-testid=key-figures] [data-figure=corrected_budget]").inner_text() == "1.680.000 kr."
    page.wait_for_selector("#omraader-chart .main-svg")
    assert page.csp_errors == []


def test_area_manager_start_page_and_filters(world, page, login):
    org = world
    login(org.area_manager)
    assert page.get_by_text("Mine botilbud side om side").is_visible()
    assert axe_violations(page) == []
    page.goto(f"{page.base_url}/dashboard/?aar={YEAR}")
    page.select_option("#f-lev", "privat")
    page.click("form.filter-form button[type=submit]")
    page.wait_for_url(re.compile(r"leverandoer=privat"))
    assert page.locator("#f-lev").input_value() == "privat"
    assert "Birkelund" not in page.content()
    assert axe_violations(page) == []
