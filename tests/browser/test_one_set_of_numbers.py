"""A new consultant follows one home through one month in Chromium: the same
forecast on the dashboard, the budget page and the follow-up, and the one
frozen follow-up says it is frozen while the live pages say "Live pr." (issue 12)."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations, screenshot
from tests.dashboard.conftest import YEAR, make_world


@pytest.fixture
def world(org):
    return make_world(org)


def _figure(page, figure: str, home_id: int) -> tuple[str, str]:
    el = page.locator(
        f"[data-testid=key-figures] [data-figure={figure}][data-home='{home_id}'], "
        f".cards [data-figure={figure}][data-home='{home_id}']"
    ).first
    return el.inner_text(), el.get_attribute("data-moment")


def test_one_home_one_month_same_figures_everywhere(world, page, login):
    org = world
    login(org.consultant)
    page.click("nav[aria-label=Hovedmenu] >> text=Dashboard")
    page.wait_for_selector("[data-testid=moment]")
    assert (
        "Opfølgningen" in page.locator("[data-testid=moment]").inner_text()
        or "opfølgning" in page.locator("[data-testid=moment]").inner_text()
    )
    assert axe_violations(page) == []

    # Home B: live at the round's month (March) on every page.
    page.goto(f"{page.base_url}/dashboard/botilbud/{org.home_b.pk}/?aar={YEAR}")
    dashboard_forecast, moment = _figure(page, "forecast", org.home_b.pk)
    assert moment == "live"
    assert page.locator("[data-testid=home-moment]").inner_text().startswith("Tallene for")
    assert "Live pr." in page.locator("[data-testid=home-moment]").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "one-set-dashboard-home-b")

    page.goto(f"{page.base_url}/budget/botilbud/{org.home_b.pk}/?aar={YEAR}")
    budget_forecast, moment = _figure(page, "forecast", org.home_b.pk)
    assert moment == "live"
    assert budget_forecast == dashboard_forecast
    assert "Live pr." in page.locator("[data-testid=moment]").inner_text()
    assert axe_violations(page) == []

    page.goto(f"{page.base_url}/opfoelgning/{org.round.pk}/botilbud/{org.home_b.pk}/")
    followup_forecast, moment = _figure(page, "forecast", org.home_b.pk)
    assert (followup_forecast, moment) == (dashboard_forecast, "live")
    assert "kladde" in page.locator("[data-testid=moment]").inner_text()
    assert axe_violations(page) == []
    screenshot(page, "one-set-followup-home-b")

    # Home A: approved and frozen; a later import moved its live numbers.
    page.goto(f"{page.base_url}/dashboard/botilbud/{org.home_a.pk}/?aar={YEAR}")
    frozen, moment = _figure(page, "forecast", org.home_a.pk)
    assert moment == f"round-{org.round.pk}"
    assert "Godkendt opfølgning marts 2026 (fastfrosset)" in page.locator("[data-testid=home-moment]").inner_text()
    page.goto(f"{page.base_url}/opfoelgning/{org.round.pk}/botilbud/{org.home_a.pk}/")
    assert _figure(page, "forecast", org.home_a.pk) == (frozen, f"round-{org.round.pk}")
    assert "fastfrosset ved godkendelsen" in page.content()
    page.goto(f"{page.base_url}/budget/botilbud/{org.home_a.pk}/?aar={YEAR}&maaned=3")
    live, moment = _figure(page, "forecast", org.home_a.pk)
    assert moment == "live" and live != frozen  # another moment, and it says so
    moment_text = page.locator("[data-testid=moment]").inner_text()
    assert "Live pr." in moment_text and "fastfrosne tal" in moment_text
    assert axe_violations(page) == []
    screenshot(page, "one-set-budget-home-a")
    assert page.csp_errors == []
