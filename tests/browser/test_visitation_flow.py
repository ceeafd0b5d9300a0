"""The visitation issue's "done when", as a new user would try it in the browser."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from botilbud.lib.dates import add_months
from disponering.models import Category, LedgerEntry
from tests.browser.conftest import axe_violations, screenshot
from tests.visitation.conftest import make_placement, vis  # noqa: F401 - fixture
from visitation import services
from visitation.models import Placement

pytestmark = pytest.mark.django_db(transaction=True)


def test_caseworker_committee_and_authority_head_flow(page, login, org, vis):  # noqa: F811
    today = timezone.localdate()
    base = page.base_url

    # 1. The caseworker records a §108 placement in an external offer at 600,000 kr. a year.
    login(org.caseworker)
    page.goto(base + "/visitation/bevillinger/ny/")
    # Choosing the paragraph first (nothing else filled in) narrows the offers
    # to that paragraph and shows the ladder with prices.
    page.select_option("#id_paragraph", label="§108")
    page.wait_for_selector("#id_offer option:has-text('Kildebo')", state="detached")
    page.wait_for_selector("#id_offer option:has-text('Bostedet Engly')", state="attached")
    assert "Indsatstrappen" in page.locator("#price-panel").inner_text()
    page.fill("#id_case_number", "2026-4711")
    page.fill("#id_initials", "JK")
    page.select_option("#id_offer", label="Bostedet Engly (§108, Bo & Liv ApS) – Privat")
    page.fill("#id_start_date", f"{today:%d-%m-%Y}")
    page.locator("#id_start_date").dispatch_event("change")
    panel = page.locator("#price-panel")
    panel.get_by_text("600.000,00 kr.").first.wait_for()
    # Before saving, the panel says the visitation committee must decide.
    level = page.get_by_test_id("required-level")
    level.wait_for()
    assert "Visitationsudvalget" in level.inner_text()
    assert "Bostedet Engly" in panel.inner_text()
    screenshot(page, "visitation-form-price-panel")
    assert axe_violations(page) == []
    page.click("button:has-text('Gem bevilling')")
    page.wait_for_url("**/visitation/bevillinger/*/")
    assert "Bevillingen er oprettet" in page.content()
    placement = Placement.objects.get(citizen__case_number="2026-4711")
    assert placement.annual_price == Decimal("600000.00")
    assert placement.required_level == "visitationsudvalg"

    # It is on the committee's agenda.
    page.goto(base + "/visitation/godkendelser/")
    agenda = page.locator("section:has(h2#niveau-visitationsudvalg)")
    assert "2026-4711" in agenda.inner_text()
    screenshot(page, "visitation-approval-queue")
    assert axe_violations(page) == []

    # A new §107 placement shows its first follow-up three months after start on the worklist.
    page.goto(base + "/visitation/bevillinger/ny/")
    page.fill("#id_case_number", "2026-4712")
    page.fill("#id_initials", "LM")
    page.select_option("#id_paragraph", label="§107")
    page.wait_for_selector("#id_offer option:has-text('Kildebo')", state="attached")
    page.select_option("#id_offer", label="Kildebo (§107, Region Hovedstaden) – Region")
    page.fill("#id_start_date", f"{today:%d-%m-%Y}")
    page.click("button:has-text('Gem bevilling')")
    page.wait_for_url("**/visitation/bevillinger/*/")
    due = add_months(today, 3)
    assert page.get_by_test_id("next-follow-up").inner_text() == f"{due:%d-%m-%Y}"
    page.goto(base + "/visitation/opfoelgning/")
    row = page.locator("tr:has-text('LM')")
    assert f"{due:%d-%m-%Y}" in row.inner_text()
    screenshot(page, "visitation-worklist")
    assert axe_violations(page) == []
    page.click("text=Log ud")

    # 2. The authority head cannot approve the 600,000 kr. case ...
    small = make_placement(
        vis.own_108,
        price="300000.00",
        status=Placement.Status.PROPOSED,
        level="myndighedsleder",
        package=vis.pkg25,
        start_date=today,
    )
    login(org.authority_head)
    page.goto(base + placement.get_absolute_url())
    # No personal approval; only recording the committee's decision with its meeting date.
    assert page.get_by_role("button", name="Godkend", exact=True).count() == 0
    card = page.locator(".decision-card").inner_text()
    assert "Du kan ikke selv godkende" in card and "Mødedato" in card
    screenshot(page, "visitation-committee-case-authority-head")
    # ... but can approve a 300,000 kr. one.
    page.goto(base + small.get_absolute_url())
    page.get_by_role("button", name="Godkend", exact=True).click()
    page.wait_for_load_state()
    assert "bevillingen er godkendt" in page.content()
    small.refresh_from_db()
    assert small.status in (Placement.Status.ACTIVE, Placement.Status.APPROVED)
    screenshot(page, "visitation-approved")
    assert page.csp_errors == []


def test_followup_and_package_change_from_the_worklist(page, login, org, vis):  # noqa: F811
    today = timezone.localdate()
    placement = make_placement(
        vis.own_85,
        price="124800.00",
        package=vis.pkg6,
        start_date=today.replace(day=1) if today.day > 1 else today,
        next_follow_up=today,
        citizen=None,
    )
    login(org.caseworker)
    page.goto(page.base_url + "/visitation/opfoelgning/")
    page.get_by_role("link", name=f"Registrér opfølgning for bevilling {placement.pk}").click()
    page.fill("#id_date", f"{today:%d-%m-%Y}")
    page.select_option("#id_outcome", label="Ny støttepakke")
    page.select_option("#id_new_package", label=str(vis.pkg9))
    page.fill("#id_note", "Borgeren har brug for mere støtte.")
    screenshot(page, "visitation-followup-form")
    assert axe_violations(page) == []
    page.click("button:has-text('Gem')")
    page.wait_for_url(f"**/visitation/bevillinger/{placement.pk}/")
    due = add_months(today, 3)
    assert page.get_by_test_id("next-follow-up").inner_text() == f"{due:%d-%m-%Y}"
    changes = page.locator("section:has(h2#aendringer)").inner_text()
    assert "Ny støttepakke" in changes and "187.200,00 kr." in changes
    screenshot(page, "visitation-after-followup")
    placement.refresh_from_db()
    assert placement.package == vis.pkg9
    assert page.csp_errors == []


def test_ending_a_placement_from_before_the_app_offers_a_move_out(page, login, org, vis):  # noqa: F811
    """A placement with no generated income entry (loaded at onboarding) ends:
    the form offers the move-out entry in the ledger; the home's ledger shows it."""

    placement = make_placement(vis.own_108, package=vis.pkg6, start_date=dt.date(2024, 2, 1))
    login(org.caseworker)
    page.goto(f"{page.base_url}/visitation/bevillinger/{placement.pk}/afslut/")
    box = page.get_by_label("Registrér fraflytningen i botilbuddets disponering")
    assert box.is_checked()
    page.fill("#id_end_date", "15-09-2026")
    assert axe_violations(page) == []
    screenshot(page, "visitation-end-offers-move-out")
    page.click("button:has-text('Gem')")
    page.wait_for_url(f"**/visitation/bevillinger/{placement.pk}/")
    entry = LedgerEntry.objects.get(placement=placement)
    assert entry.category == Category.MOVE_OUT and not entry.generated
    # 6 h × 400 kr. × 107 days (16-09 to 31-12) / 7 = 36.685,71 kr. less income.
    assert entry.amount == Decimal("36685.71")
    # The ended placement offers no second move-out: it has no live status left to end,
    # and a placement with a generated entry gets the note instead of the box.
    other = make_placement(vis.own_108, package=vis.pkg6, start_date=dt.date(2026, 3, 1))

    services.placement_change_package(
        placement=other, new_package=vis.pkg9, effective_date=dt.date(2026, 6, 1), user=org.caseworker
    )
    page.goto(f"{page.base_url}/visitation/bevillinger/{other.pk}/afslut/")
    assert page.get_by_test_id("generated-income-note").is_visible()
    assert page.get_by_label("Registrér fraflytningen i botilbuddets disponering").count() == 0
    assert axe_violations(page) == []
    assert page.csp_errors == []
