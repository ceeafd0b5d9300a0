"""Onboarding in Chromium: the administrator of an empty database loads the
sample municipality (areas and homes, users, original budget) through the
staged imports, a file with errors is refused naming its lines, an imported
manager chooses a password through the personal link, and each role's start
page shows the new municipality. axe-core runs on every page."""

from __future__ import annotations

from botilbud.models import Home, Role, User
from tests.browser.conftest import axe_violations, screenshot
from tests.conftest import PASSWORD, make_user
from tests.onboarding.conftest import FILES, SAMPLES


def _axe_clean(page, where: str) -> None:
    assert axe_violations(page) == [], where
    assert page.csp_errors == [], where


def _import(page, kind_label: str, path, screenshot_name: str) -> None:
    page.goto(page.base_url + "/kom-i-gang/")
    page.click(f"text={kind_label}")
    page.set_input_files("#id_file", str(path))
    page.click("text=Kontrollér filen")
    page.wait_for_load_state()
    assert page.locator("#reconciliation").is_visible()
    _axe_clean(page, f"preview {kind_label}")
    screenshot(page, screenshot_name + "_preview")
    page.click("text=Godkend og indlæs")
    page.wait_for_load_state()
    assert "er indlæst" in page.locator("#messages").inner_text()
    screenshot(page, screenshot_name + "_done")


def test_admin_onboards_the_sample_municipality(page, login, live_server):
    admin = make_user("admin", Role.ADMIN, is_staff=True, is_superuser=True)
    login(admin)
    page.click("nav.main-nav >> text=Kom i gang")
    assert page.locator(".step--done").count() == 1  # only the chart of accounts ships
    _axe_clean(page, "kom i gang (empty)")
    screenshot(page, "onboarding_start_empty")

    # A file with deliberate errors first: refused, lines 4, 5 and 6 named, nothing written.
    page.click("text=Indlæs områder og botilbud")
    page.set_input_files("#id_file", str(FILES / "organisation_med_fejl.csv"))
    page.click("text=Kontrollér filen")
    refused = page.locator("#import-refused")
    assert "3 af 5 rækker har fejl" in refused.inner_text()
    lines = page.locator("#import-errors tbody tr td.num").all_inner_texts()
    assert lines == ["4", "5", "6"]
    _axe_clean(page, "refused")
    screenshot(page, "onboarding_refused")
    assert not Home.objects.exists()

    _import(page, "Indlæs områder og botilbud", SAMPLES / "organisation.csv", "onboarding_organisation")
    assert Home.objects.count() == 6
    _import(page, "Indlæs brugere", SAMPLES / "brugere.csv", "onboarding_users")
    _import(page, "Indlæs budget", SAMPLES / "budget.csv", "onboarding_budget")
    rec = page.locator("#reconciliation").inner_text()
    assert "35.932.000,00 kr." in rec
    _import(page, "Indlæs bevillinger", SAMPLES / "bevillinger.csv", "onboarding_placements")
    assert "14.366.220,00 kr." in page.locator("#reconciliation").inner_text()

    page.goto(page.base_url + "/kom-i-gang/")
    assert "6 aktive botilbud" in page.content()
    assert page.locator(".step--done").count() == 5  # all but the first actuals import
    screenshot(page, "onboarding_start_progress")

    # A personal link for the imported manager.
    page.click("text=Adgangskoder")
    _axe_clean(page, "passwords")
    page.click("button[aria-label='Lav link til anne.holm']")
    link = page.input_value("#set-link")
    _axe_clean(page, "password link")
    page.click("text=Log ud")

    page.goto(link)
    page.fill("#id_new_password1", "Fjordby-2026-sikker")
    page.fill("#id_new_password2", "Fjordby-2026-sikker")
    _axe_clean(page, "choose password")
    page.click("text=Gem adgangskode")
    assert "Adgangskoden er gemt" in page.content()

    anne = User.objects.get(username="anne.holm")
    login(anne, "Fjordby-2026-sikker")
    tables = page.locator("main").inner_text()
    assert "Egely" in tables and "Skovbrynet" in tables and "Lyngbakken" not in tables
    _axe_clean(page, "manager start")
    screenshot(page, "onboarding_manager_start")
    page.click("text=Log ud")

    # The other roles (their passwords set directly: the link flow is shown above).
    for username, expect, absent in (
        ("hans.ravn", ["Lyngbakken", "Kildevang", "Møllegården"], "Egely"),
        ("erik.bach", ["Nord", "Egely", "Havnehuset"], "Lyngbakken"),
        ("ida.krogh", ["§108", "§107"], None),
        ("karen.vang", ["§108"], None),
        ("lars.friis", ["Nord", "Syd"], None),
    ):
        user = User.objects.get(username=username)
        user.set_password(PASSWORD)
        user.save()
        login(user)
        text = page.locator("main").inner_text()
        for word in expect:
            assert word in text, (username, word)
        if absent:
            assert absent not in text, (username, absent)
        _axe_clean(page, f"{username} start")
        screenshot(page, f"onboarding_start_{user.role}")
        if user.role == Role.CASEWORKER:
            page.click("nav.main-nav >> text=Bevillinger")
            assert "Egely" in page.locator("main").inner_text()
            _axe_clean(page, "caseworker placements")
            screenshot(page, "onboarding_caseworker_placements")
        page.click("text=Log ud")
