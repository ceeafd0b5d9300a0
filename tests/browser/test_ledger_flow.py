"""The ledger's "done when" flow in a real browser.

The manager enters a maternity leave without pay 1 March – 31 December with 80 % temp
cover and sees the net effect in the grid without a reload; the consultant
sees the same numbers and the entry's history; two tabs editing the same
entry give the conflict message on the second save.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from playwright.sync_api import expect

from botilbud.models import Paragraph
from disponering.models import LedgerEntry
from tests.browser.conftest import axe_violations, screenshot
from tests.conftest import PASSWORD
from visitation import services as vservices
from visitation.models import Citizen, Offer, Placement, Provider, SupportPackage

# serialized_rollback: the flush after a transactional test would otherwise drop
# the reference data from migrations (paragraphs, packages) for later tests.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def cell(page, month: int, group: str):
    return page.locator(f'#ledger-grid td[data-month="{month}"][data-group="{group}"]')


def test_maternity_leave_flow(org, page, login, browser, live_server):
    login(org.manager)
    url = f"{page.base_url}/disponering/botilbud/{org.home_a.pk}/?aar=2026"
    page.goto(url)
    assert cell(page, 3, "loen").inner_text() == "0"

    # The form is fetched when it is opened (the page itself carries no create form).
    assert page.locator("#leave-form").count() == 0
    page.get_by_text("Barsel eller sygdom med vikardækning").click()
    form = page.locator("#leave-form")
    form.wait_for()
    form.locator("select[name=category]").select_option("barsel")
    form.locator("input[name=title]").fill("AB")
    form.locator("input[name=monthly_wage]").fill("35.000")
    form.locator("input[name=start_date]").fill("2026-03-01")
    form.locator("input[name=end_date]").fill("2026-12-31")
    form.locator("input[name=temp_percent]").fill("80")
    # Without pay (the wage is saved): 35.000 × 80 % − 35.000 = −7.000 a month.
    form.locator("input[name=with_pay][value='0']").check()
    form.get_by_role("button", name="Beregn virkning").click()
    page.locator("#leave-preview").get_by_text("-70.000,00 kr.").wait_for()
    expect(page.locator("[data-testid=leave-monthly-effect]")).to_contain_text("-7.000,00 kr.")
    form.get_by_role("button", name="Gem fravær").click()

    # The grid refreshes itself (HX-Trigger ledgerChanged), no reload.
    expect(cell(page, 3, "loen")).to_have_text("-7.000")
    for month in range(3, 13):
        assert cell(page, month, "loen").inner_text() == "-7.000"
    assert cell(page, 2, "loen").inner_text() == "0"
    assert page.locator("#ledger-grid td[data-group=total-year]").inner_text() == "-70.000"
    page.locator("#ledger-entries").get_by_text("AB").first.wait_for()
    assert page.csp_errors == []
    assert axe_violations(page) == []
    shot = screenshot(page, "ledger-manager")
    assert shot.exists()

    entry = LedgerEntry.objects.get()

    # The consultant opens the same home: identical numbers and the history.
    consultant_ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="da-DK")
    other = consultant_ctx.new_page()
    other.goto(f"{live_server.url}/log-ind/")
    other.fill("#id_username", org.consultant.username)

    other.fill("#id_password", PASSWORD)
    other.click("button[type=submit]")
    other.wait_for_load_state()
    other.goto(url)
    for month in range(1, 13):
        assert cell(other, month, "loen").inner_text() == cell(page, month, "loen").inner_text()
    other.get_by_role("link", name="Historik for AB").click()
    other.wait_for_load_state()
    assert "Ændringshistorik" in other.content()
    assert "Leder Testesen" in other.content()
    screenshot(other, "ledger-history-consultant")
    consultant_ctx.close()

    # Two tabs edit the same entry: the second save is refused with the message.
    tab2 = page.context.new_page()
    tab2.goto(url)
    page.goto(url)
    for tab in (page, tab2):
        tab.locator(f"#post-{entry.pk}").get_by_role("link", name="Ret").click()
        tab.locator(f"#post-{entry.pk}.edit-row form").wait_for()
    page.locator(f"#post-{entry.pk} textarea[name=comment]").fill("Vikar fundet")
    page.locator(f"#post-{entry.pk}").get_by_role("button", name="Gem ændringer").click()
    page.locator(f"#post-{entry.pk}").get_by_text("Vikar fundet").wait_for()

    tab2.locator(f"#post-{entry.pk} input[name=title]").fill("AB (pædagog)")
    tab2.locator(f"#post-{entry.pk}").get_by_role("button", name="Gem ændringer").click()
    alert = tab2.locator(f"#post-{entry.pk} .conflict")
    alert.wait_for()
    assert "Din ændring er ikke gemt" in alert.inner_text()
    assert "Leder Testesen" in alert.inner_text()
    screenshot(tab2, "ledger-conflict")
    entry.refresh_from_db()
    assert entry.title == "AB" and "Vikar fundet" in entry.comment


def test_package_change_shows_income_adjustment(org, page, login):
    """A §85 package change 6 → 10 hours from 1 July: the consequence is shown
    before saving, and after the change the grid has the adjustment July–December."""

    p85, _ = Paragraph.objects.get_or_create(
        code="§85", defaults={"name": "Socialpædagogisk støtte", "ladder_step": Paragraph.Ladder.INDIVIDUAL}
    )
    six = SupportPackage.objects.create(name="Test 6 t", weekly_hours=Decimal("6"))
    ten = SupportPackage.objects.create(name="Test 10 t", weekly_hours=Decimal("10"))
    offer = Offer.objects.create(
        provider=Provider.objects.create(name="Egne botilbud", kind=Provider.Kind.OWN),
        name="Egebakken §85",
        paragraph=p85,
        home=org.home_a,
    )
    placement = Placement.objects.create(
        citizen=Citizen.objects.create(case_number="T-9", initials="KL"),
        offer=offer,
        package=six,
        start_date=dt.date(2025, 1, 1),
        annual_price=Decimal("124800.00"),
        status=Placement.Status.ACTIVE,
        required_level="myndighedsleder",
    )

    login(org.manager)
    url = f"{page.base_url}/disponering/botilbud/{org.home_a.pk}/?aar=2026"
    page.goto(url)
    page.get_by_text("Beregn indtægtskonsekvensen").click()  # the form is fetched when opened
    page.fill("#konsekvens_hours_from", "6")
    page.fill("#konsekvens_hours_to", "10")
    page.fill("#konsekvens_from_date", "2026-07-01")
    page.get_by_role("button", name="Beregn", exact=True).click()
    expect(page.locator("#consequence")).to_contain_text("-7.085,71 kr.")
    expect(page.locator("#consequence")).to_contain_text("-42.057,12 kr.")
    # The twelve-month table is wider than the page at 1280 px: it scrolls in its
    # own keyboard-reachable region instead of pushing the page off the right edge.
    assert page.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth")
    assert axe_violations(page) == []
    screenshot(page, "ledger-consequence-preview")

    vservices.placement_change_package(
        placement=placement, new_package=ten, effective_date=dt.date(2026, 7, 1), user=org.caseworker
    )
    page.goto(url)
    assert cell(page, 6, "indtaegt").inner_text() == "0"
    assert cell(page, 7, "indtaegt").inner_text() == "-7.086"
    assert cell(page, 9, "indtaegt").inner_text() == "-6.857"
    assert cell(page, 12, "indtaegt").inner_text() == "-7.086"
    expect(page.locator("#ledger-entries")).to_contain_text("automatisk")
    expect(page.locator("#ledger-entries")).to_contain_text("Ændret pakke KL")
