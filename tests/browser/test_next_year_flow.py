"""Next year's budget in Chromium: the consultant drafts 2027 from the models, adjusts one
line, locks the budget and exports it; the home's manager sees the locked budget and where
each line comes from (axe on every page)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path

import time_machine

from botilbud.models import Paragraph
from budget.chart import ensure_default_accounts
from budget.models import BudgetLine
from budget.rates.models import PriceIndex
from tests.browser.conftest import axe_violations, screenshot
from visitation.models import Citizen, Offer, Placement, Provider, SupportPackage


def _setup(org):
    ensure_default_accounts()  # the live-server test database was flushed
    PriceIndex.objects.update_or_create(year=2027, defaults={"pl_pct": Decimal("2.00")})
    for group, amount in (("loen", "1000000"), ("drift", "200000"), ("indtaegt", "-900000")):
        BudgetLine.objects.create(home=org.home_a, year=2026, group=group, original=Decimal(amount))
    provider = Provider.objects.create(name="Egne botilbud", kind=Provider.Kind.OWN)
    offer = Offer.objects.create(
        provider=provider, name="Egebakken", paragraph=Paragraph.objects.get(code="§108"), home=org.home_a
    )
    package = SupportPackage.objects.get(weekly_hours=Decimal("6.00"))
    for n in range(2):
        Placement.objects.create(
            citizen=Citizen.objects.create(case_number=f"T-{n}", initials="AB"),
            offer=offer,
            package=package,
            start_date=dt.date(2026, 1, 1),
            annual_price=Decimal("100000"),
            status="aktiv",
            required_level="myndighedsleder",
        )


def test_draft_adjust_lock_export_and_the_manager_sees_it(org, page, login):
    _setup(org)
    home = org.home_a
    with time_machine.travel(dt.datetime(2026, 12, 1, 10, tzinfo=dt.UTC), tick=True):
        login(org.consultant)
        page.goto(f"{page.base_url}/botilbud/{home.pk}/")
        page.click("nav.tabs >> text=Næste år")
        assert "ingen kladde til budget 2027" in page.get_by_test_id("moment").inner_text()
        page.click("text=Beregn kladde til budget 2027 fra modellerne")
        assert page.get_by_test_id("draft-status").inner_text() == "Kladde"
        assert "Kladde til budget 2027, ikke låst" in page.get_by_test_id("moment").inner_text()
        # 2 own residents in 20 places at 95 %: 19 places × 6 h × 408 × 365/7 = 2.425.268,57
        assert "-2.425.268,57 kr." in page.locator('tr[data-line="tildeling"]').inner_text()
        assert axe_violations(page) == []
        screenshot(page, "next_year_draft")

        page.click("text=Hvor tallet kommer fra · tilpas: øvrig drift")
        page.locator('tr:has(summary:has-text("øvrig drift")) input[name$="-adjustment"]').fill("-4.000")
        page.locator('tr:has(summary:has-text("øvrig drift")) input[name$="-reason"]').fill("Ny rengøringsaftale")
        page.locator('tr:has(summary:has-text("øvrig drift")) button:has-text("Gem tilpasning")').click()
        assert "er gemt" in page.locator("#messages").inner_text()
        row = page.locator('tr[data-line="drift"]').inner_text()
        assert "-4.000,00 kr." in row and "200.000,00 kr." in row  # 200.000 × 1,02 − 4.000
        assert axe_violations(page) == []

        page.locator(".lock-box button:has-text('Lås budget 2027')").click()
        assert page.get_by_test_id("draft-status").inner_text() == "Låst"
        assert "Gem tilpasning" not in page.content()
        assert BudgetLine.objects.get(home=home, year=2027, group="drift").original == Decimal("200000.00")
        assert axe_violations(page) == []
        screenshot(page, "next_year_locked")
        with page.expect_download() as download:
            page.get_by_test_id("export-link").click()
        text = Path(download.value.path()).read_text(encoding="utf-8-sig")
        rows = list(csv.reader(io.StringIO(text), delimiter=";"))
        assert [
            "52000",
            "5.38.50",
            "1",
            "2.29",
            "5.38.50.1.2.29",
            "2027",
            "200000,00",
            "Egebakken: budget 2027",
        ] in rows
        page.click("text=Log ud")
        page.wait_for_load_state()

        login(org.manager)
        page.goto(f"{page.base_url}/budget/naeste-aar/botilbud/{home.pk}/")
        assert "Låst oprindeligt budget 2027" in page.get_by_test_id("moment").inner_text()
        page.click("text=Hvor tallet kommer fra: indtægt fra tildelingsmodellen (egne borgere)")
        inputs = page.locator('tr:has(summary:has-text("tildelingsmodellen"))').inner_text()
        assert "Budgetterede pladser" in inputs and "408,00 kr." in inputs and "PL 2027: 2,00 %" in inputs
        assert "Gem tilpasning" not in page.content()
        assert axe_violations(page) == []
        screenshot(page, "next_year_manager")
        assert page.csp_errors == []
