"""The monthly follow-up as the three roles click through it in Chromium."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.management import call_command
from openpyxl import load_workbook

from budget.followup.models import HomeFollowUp, Step
from budget.models import Account
from budget.selectors import forecast
from tests.browser.conftest import axe_violations, screenshot
from tests.followup.conftest import make_march


@pytest.fixture
def march(org):
    return make_march(org)


def logout(page):
    page.click("text=Log ud")
    page.wait_for_load_state()


def test_consultant_manager_and_area_manager_run_the_follow_up(org, march, page, login, tmp_path):
    url = f"{page.base_url}/opfoelgning/{march.pk}/botilbud/{org.home_a.pk}/"

    # The consultant prepares the round for a home with an overspend above the threshold.
    login(org.consultant)
    page.goto(url)
    assert "Handleplan påkrævet" in page.content()
    page.fill("#id_note", "Lønnen ligger 30.000 kr. over budget efter marts.")
    page.click("text=Send til lederen")
    assert page.get_by_text("Opfølgningen er sendt til lederen.").is_visible()
    assert axe_violations(page) == []
    logout(page)

    # The manager cannot confirm without an explanation and an action plan.
    login(org.manager)
    page.goto(url)
    page.click("text=Bekræft og send til områdelederen")
    assert page.get_by_text("Skriv en forklaring på afvigelsen for løn.").first.is_visible()
    page.fill("#id_loen-text", "Vikarer under to langtidssygemeldinger.")
    page.click("form[action$='forklaring/loen/'] button")
    page.wait_for_selector("text=Forklaringen for løn er gemt.")
    page.fill("#id_description", "Stop for eksterne vikarer i weekender")
    page.fill("#id_owner", "Botilbudsleder")
    page.fill("#id_deadline", "01-05-2026")
    page.fill("#id_expected_effect", "25000")
    page.click("text=Tilføj handling")
    page.wait_for_selector("text=Handlingen er tilføjet handleplanen.")
    assert "845.000,00 kr." in page.content()  # the forecast after the plan
    screenshot(page, "followup-manager")
    assert axe_violations(page) == []
    page.click("text=Bekræft og send til områdelederen")
    assert page.get_by_text("Opfølgningen er bekræftet").is_visible()
    logout(page)

    # The area manager sends it back once with a comment …
    login(org.area_manager)
    page.goto(url)
    page.fill("#id_comment", "Hvornår forventes vikarforbruget at falde?")
    page.click("text=Send tilbage til lederen")
    assert page.get_by_text("Opfølgningen er sendt tilbage til lederen.").is_visible()
    logout(page)
    login(org.manager)
    page.goto(url)
    assert page.get_by_text("Hvornår forventes vikarforbruget at falde?").is_visible()
    page.click("text=Bekræft og send til områdelederen")
    logout(page)
    # … and then approves.
    login(org.area_manager)
    page.goto(url)
    page.click("text=Godkend og fastfrys")
    assert page.get_by_text("Tallene er fastfrosset").first.is_visible()
    screenshot(page, "followup-approved")
    fu = HomeFollowUp.objects.get(round=march, home=org.home_a)
    assert fu.step == Step.APPROVED

    # A new actuals import changes the live forecast, not the approved follow-up.

    Account.objects.get_or_create(function_code="", art_prefix="1", defaults={"group": "loen"})
    csv = tmp_path / "marts.csv"
    csv.write_text(
        "Omkostningssted;Funktion;Art;Måned;Beløb;Tekst\n52000;5.38.50;1.10;2026-03;160.000,00;Løn marts rettet\n",
        encoding="utf-8",
    )
    call_command("import_actuals", str(csv), month="2026-03")

    live_wages = forecast(org.home_a, 2026, 3)["loen"].forecast
    assert live_wages == Decimal("1280000.00")  # 110,000 + 110,000 + 160,000 + 900,000
    page.goto(url)
    assert "1.230.000,00 kr." in page.content() and "1.280.000,00 kr." not in page.content()

    # The Excel export has the seven sections and the page's numbers.
    with page.expect_download() as download_info:
        page.click("text=Hent som Excel")
    path = download_info.value.path()
    with open(path, "rb") as downloaded:  # the download has no .xlsx name
        ws = load_workbook(BytesIO(downloaded.read())).active
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    for n in range(1, 8):
        assert any(t.startswith(f"{n}. ") for t in texts), n
    values = [c.value for row in ws.iter_rows() for c in row]
    assert Decimal("1230000.00") in values and Decimal("845000.00") in values
    assert page.csp_errors == []


def test_department_head_reads_the_rollup(org, march, page, login):
    login(org.department_head)
    page.goto(f"{page.base_url}/opfoelgning/{march.pk}/forvaltning/")
    assert "Forvaltningen samlet" in page.locator("h1").inner_text()
    assert "1.710.000,00 kr." in page.content()
    assert axe_violations(page) == []
