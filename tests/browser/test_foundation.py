"""Whole flows in headless Chromium: each role logs in and sees its start
page; a home manager is refused another home; axe-core finds no serious or
critical WCAG 2.1 AA violation on the pages."""

import pytest

from tests.browser.conftest import axe_violations, screenshot

START_HEADINGS = {
    "manager": "Mine botilbud",
    "area_manager": "Område Nord",
    "consultant": "Mine botilbud",
    "caseworker": "Kommunens egne tilbud",
    "authority_head": "Kommunens egne tilbud",
    "department_head": "Områder og botilbud",
    "administrator": "Aktive brugere pr. rolle",
}


def test_login_page_is_accessible(page):
    page.goto(page.base_url + "/log-ind/")
    assert page.locator("h1").inner_text() == "Log ind i Botilbud"
    assert axe_violations(page) == []
    assert page.csp_errors == []


@pytest.mark.parametrize("persona", sorted(START_HEADINGS))
def test_each_role_logs_in_and_sees_its_start_page(org, page, login, persona):
    login(getattr(org, persona))
    assert page.url == page.base_url + "/"
    assert page.get_by_text(START_HEADINGS[persona]).first.is_visible()
    assert page.locator("nav[aria-label=Hovedmenu]").is_visible()
    screenshot(page, f"start-{persona}")
    assert axe_violations(page) == []
    assert page.csp_errors == [], page.csp_errors


def test_a_home_manager_is_refused_another_home(org, page, login):
    login(org.manager)
    own = page.goto(f"{page.base_url}/botilbud/{org.home_a.pk}/")
    assert own.status == 200
    assert page.locator("h1").inner_text() == "Egebakken"
    assert axe_violations(page) == []
    other = page.goto(f"{page.base_url}/botilbud/{org.home_c.pk}/")
    assert other.status == 404
    assert page.locator("h1").inner_text() == "Siden findes ikke"


def test_history_page_is_accessible(org, page, login):
    login(org.department_head)
    page.goto(f"{page.base_url}/historik/botilbud/{org.home_a.pk}/")
    assert "Ændringshistorik" in page.locator("h1").inner_text()
    assert axe_violations(page) == []
