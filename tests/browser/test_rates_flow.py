"""Issue #11's "done when" in the browser: the consultant computes and approves
next year's rate (and reopens it with a reason, and approves it again), a
caseworker records another municipality's citizen in the home from a
mid-month date, the home's ledger shows the income, that municipality's
statement lists the citizen with the right days and amount, the authority
forecast excludes the citizen and shows expected refusion; then the
administrator indexes 2026's prices into 2027 with PL (preview, confirm,
undo), and the own citizen's 2027 cost follows the price in force."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from botilbud.registry import load_reference_data
from budget.models import BudgetLine
from budget.rates.models import PriceIndex, RateCalculation, RefusionTier
from tests.browser.conftest import axe_violations, screenshot
from tests.visitation.conftest import vis  # noqa: F401 - fixture
from visitation import services
from visitation.models import Citizen, Placement

pytestmark = pytest.mark.django_db(transaction=True)


def test_rate_sale_settlement_and_refusion(page, login, org, vis):  # noqa: F811
    base = page.base_url
    BudgetLine.objects.create(home=org.home_a, year=2027, group="loen", original=Decimal("8000000"))
    BudgetLine.objects.create(home=org.home_a, year=2027, group="drift", original=Decimal("2000000"))

    # 1. The consultant computes next year's rate and sees every line, then approves it.
    login(org.consultant)
    page.goto(base + f"/takster/botilbud/{org.home_a.pk}/?aar=2027")
    page.fill("#id_capital_costs", "200.000")
    page.click("button:has-text('Gem kladde og beregn')")
    page.wait_for_load_state()
    lines = page.locator("#rate-lines").inner_text()
    # 10.000.000 + 3 % overhead 300.000 + capital 200.000 = 10.500.000 ÷ (20 × 95 %) = 552.631,58.
    assert "10.000.000,00 kr." in lines and "300.000,00 kr." in lines and "10.500.000,00 kr." in lines
    assert "ikke afsluttet" in lines  # no closed 2025 accounts: no regulation
    assert page.get_by_test_id("day-rate").inner_text() == "1.514,06 kr."
    assert axe_violations(page) == []
    page.click("button:has-text('Godkend og lås taksten for 2027')")
    page.wait_for_load_state()
    assert "Godkendt og låst" in page.get_by_test_id("rate-status").inner_text()
    screenshot(page, "rates-approved")
    assert RateCalculation.objects.get(home=org.home_a, year=2027).approved_day == Decimal("1514.06")

    # 1b. The consultant reopens it with a reason; the approved rate stays in force, then approves again.
    page.click("button:has-text('Genåbn taksten for 2027')")  # no reason: the browser asks for one
    assert "Genåbn taksten" in page.content() and RateCalculation.objects.get(home=org.home_a, year=2027).is_approved
    page.fill("#reopen-reason", "Kapitalomkostningerne skal kontrolleres")
    page.click("button:has-text('Genåbn taksten for 2027')")
    page.wait_for_load_state()
    status = page.get_by_test_id("rate-status").inner_text()
    assert "Genåbnet af" in status and "1.514,06 kr." in status and "Kapitalomkostningerne" in status
    assert axe_violations(page) == []
    screenshot(page, "rates-reopened")
    page.click("button:has-text('Godkend og lås taksten for 2027')")
    page.wait_for_load_state()
    assert "Godkendt og låst" in page.get_by_test_id("rate-status").inner_text()
    history = page.locator("#rate-approvals").inner_text()
    assert history.count("Godkendt") == 2 and "Genåbnet" in history and "Kapitalomkostningerne" in history

    # 2. A caseworker records Gladsaxe's citizen in the home from 15 January 2027.
    page.context.clear_cookies()
    login(org.caseworker)
    page.goto(base + "/visitation/bevillinger/ny/")
    page.select_option("#id_paragraph", label="§85")
    page.wait_for_selector("#id_offer option:has-text('Egebakken')", state="attached")
    page.fill("#id_case_number", "GLA-2027-1")
    page.fill("#id_initials", "GL")
    page.select_option("#id_paying_municipality", label="Gladsaxe (159)")
    page.select_option("#id_offer", label="Egebakken (§85, Egne botilbud) – Egen kommune")
    page.select_option("#id_package", label=str(vis.pkg6))
    page.fill("#id_start_date", "15-01-2027")
    page.locator("#id_start_date").dispatch_event("change")
    page.get_by_text("552.631,58 kr.").first.wait_for()  # the panel prices the sale at the rate
    page.click("button:has-text('Gem bevilling')")
    page.wait_for_url("**/visitation/bevillinger/*/")
    sale = Placement.objects.get(citizen__case_number="GLA-2027-1")
    assert sale.is_sale and sale.annual_price == Decimal("552631.58")
    services.placement_decide(
        placement=sale, user=org.authority_head, outcome="godkendt", meeting_date=dt.date(2027, 1, 10)
    )

    # 3. The home's ledger shows the income: 351 days × 1.514,06 = 531.435,06 kr.
    page.context.clear_cookies()
    login(org.consultant)
    page.goto(base + f"/disponering/botilbud/{org.home_a.pk}/?aar=2027")
    assert "Salg: GL (Gladsaxe)" in page.content() and "-531.435,06 kr." in page.content()

    # 4. Gladsaxe's January statement: 17 days (15–31 January) × 1.514,06 = 25.739,02 kr.
    page.goto(base + f"/takster/afregning/{org.home_a.pk}/159/2027-01/")
    row = page.locator("#statement-lines tbody tr").first.inner_text()
    assert "GLA-2027-1" in row and "15-01-2027" in row and "17" in row and "25.739,02 kr." in row
    assert page.get_by_test_id("statement-total").inner_text() == "25.739,02 kr."
    assert axe_violations(page) == []
    page.click("button:has-text('Markér som sendt')")
    page.wait_for_load_state()
    assert "Sendt af" in page.get_by_test_id("statement-status").inner_text()
    screenshot(page, "rates-statement-sent")

    # 5. The authority forecast: the sale is not our spending; an expensive own citizen gives refusion.
    RefusionTier.objects.create(year=2027, threshold=Decimal("1200000"), share_pct=Decimal("25"))
    own = Placement.objects.create(
        citizen=Citizen.objects.create(case_number="DYR-1", initials="DY", birth_year=1990),
        offer=vis.ext_108,
        start_date=dt.date(2027, 1, 1),
        annual_price=Decimal("1600000"),
        status="aktiv",
        required_level="visitationsudvalg",
    )
    assert own.paying_municipality_id == 101
    page.context.clear_cookies()
    login(org.authority_head)
    page.goto(base + "/budget/myndighed/?aar=2027")
    assert "GLA-2027-1" not in page.content()
    # 25 % × (1.600.000 − 1.200.000) = 100.000 kr.
    assert page.get_by_test_id("authority-refusion").inner_text() == "100.000 kr."
    assert "DYR-1" in page.locator("#refusion-cases").inner_text()
    assert page.get_by_test_id("authority-forecast").inner_text() == "1.600.000 kr."
    assert axe_violations(page) == []
    screenshot(page, "rates-authority-refusion")

    # 6. The administrator indexes 2026's prices into 2027 with the PL-skøn (2,90 % shipped):
    #    preview old → new per line, confirm, and undo.

    load_reference_data()
    assert PriceIndex.objects.get(year=2027).pl_pct == Decimal("2.90")
    page.context.clear_cookies()
    login(org.administrator)
    page.goto(base + "/takster/pl/")
    assert page.get_by_test_id("pl-2027").inner_text() == "2,90 %"
    assert axe_violations(page) == []
    page.goto(base + "/takster/fremskriv/?fra=2026")
    hours = page.locator("#index-timepris").inner_text()
    assert "Egebakken" in hours and "400,00 kr." in hours and "411,60 kr." in hours  # 400 × 1,029
    own = page.locator("#index-bevilling").inner_text()
    assert "DYR-1" in own and "1.646.400,00 kr." in own  # 1.600.000 × 1,029 from 01-01-2027
    assert "GLA-2027-1" not in own  # a sale is priced by the rate, not indexed
    assert axe_violations(page) == []
    screenshot(page, "rates-index-preview")
    page.click("button:has-text('Bekræft: fremskriv')")
    page.wait_for_load_state()
    assert "Priserne er fremskrevet fra 2026 til 2027" in page.content()
    assert "Gælder" in page.locator("#index-runs").inner_text()
    screenshot(page, "rates-index-done")
    page.goto(base + "/budget/myndighed/?aar=2027")
    assert page.get_by_test_id("authority-forecast").inner_text() == "1.646.400 kr."  # the price in force
    page.goto(base + "/takster/fremskriv/?fra=2026")
    page.click("#index-runs button:has-text('Fortryd')")
    page.wait_for_load_state()
    assert "er fortrudt" in page.content() and "Fortrudt" in page.locator("#index-runs").inner_text()
    page.goto(base + "/budget/myndighed/?aar=2027")
    assert page.get_by_test_id("authority-forecast").inner_text() == "1.600.000 kr."
