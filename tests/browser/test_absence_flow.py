"""Sickness absence from payroll, in Chromium: the consultant sets up a profile for an unseen payroll
layout with the live preview, a file with two bad lines is refused naming both lines (nothing written),
the corrected file is checked, reconciled and confirmed; follow-up section 3 and the dashboard show the
figure with its moment; the manager sees the months beside the ledger's long-term sickness. Axe on each.

Hand-computed: home A (52000) March 2026, two staff rows: sick 41,25 + 28,75 = 70 of norm 1.200 + 800 = 2.000
hours → 3,5 %; one long-term sick employee, as in the ledger.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from budget.absence.models import AbsenceImport, SicknessAbsence
from disponering.models import Category, LedgerEntry
from tests.browser.conftest import axe_violations, screenshot
from tests.followup.conftest import make_march

HEADER = "Afdeling\tMedarbejdergruppe\tLønperiode\tSkal-timer\tSyg timer\tLangtid timer\tLangtid antal"


def _file(path, rows):
    lines = ["HR-system: fravær pr. afdeling", HEADER, *("\t".join(r) for r in rows)]
    path.write_bytes(("\n".join(lines) + "\n").encode("utf-8"))
    return path


GOOD = [
    ("52000", "Pædagoger", "2026-03", "1200.00", "41.25", "0", "0"),
    ("52000", "Nattevagter", "2026-03", "800.00", "28.75", "20", "1"),
    ("52010", "Alle", "2026-03", "1000.00", "45.00", "0", "0"),
]


def _check(page, name):
    assert axe_violations(page) == [], name
    assert page.csp_errors == [], name
    screenshot(page, name)


def test_consultant_imports_payroll_absence_and_everybody_sees_it(org, page, login, tmp_path):
    march = make_march(org)
    LedgerEntry.objects.create(
        home=org.home_a,
        category=Category.SICKNESS,
        account_group="loen",
        title="KL nattevagt langtidssyg",
        amount=Decimal("-30000"),
        start_date=dt.date(2026, 2, 10),
        end_date=dt.date(2026, 4, 30),
        registered_by=org.manager,
    )
    login(org.consultant)

    # 1. A profile for a layout no shipped profile knows, built against the sample with the live preview.
    sample = _file(tmp_path / "fravaer_marts.txt", GOOD)
    page.goto(page.base_url + "/fravaer/profiler/ny/")
    page.set_input_files("#id_sample", str(sample))
    page.wait_for_selector("#preview-detected")
    assert "Overskriften er linje 1: HR-system" in page.locator("#preview-detected").inner_text()
    page.fill("#id_name", "HR-systemet (tabulator)")
    page.select_option("#id_separator", "\t")
    page.fill("#id_title_lines", "1")
    page.press("#id_title_lines", "Tab")
    page.wait_for_selector("#preview-raw >> text=Skal-timer")
    for field, value in (
        ("#id_col_cost_centre", "Afdeling"),
        ("#id_col_period", "Lønperiode"),
        ("#id_col_norm_hours", "Skal-timer"),
        ("#id_col_sick_hours", "Syg timer"),
        ("#id_col_long_term_hours", "Langtid timer"),
        ("#id_col_long_term_people", "Langtid antal"),
    ):
        page.fill(field, value)
    page.select_option("#id_period_format", "YYYY-MM")
    page.select_option("#id_number_format", "en")
    page.press("#id_number_format", "Tab")
    page.wait_for_selector("#preview-mapped >> text=1.200,00")  # the preview follows the number format
    mapped = page.locator("#preview-mapped").inner_text()
    assert "1.200,00" in mapped and "41,25" in mapped and "Marts 2026".lower() in mapped.lower()
    _check(page, "absence-profile-preview")
    page.click("text=Gem profil")
    page.wait_for_selector("text=er gemt")

    # 2. A file with two bad lines is refused, naming both lines as the file counts them.
    bad = _file(
        tmp_path / "fravaer_fejl.txt",
        [GOOD[0], ("52000", "Nattevagter", "2026-03", "800.00", "900.00", "0", "0"), ("77777", *GOOD[2][1:])],
    )
    page.goto(page.base_url + "/fravaer/")
    page.set_input_files("#id_file", str(bad))
    page.select_option("#id_profile", label="HR-systemet (tabulator)")
    page.click("text=Kontrollér filen")
    page.wait_for_selector("#import-errors")
    errors = page.locator("#import-error-rows").inner_text()
    assert "4\t" in errors and "flere end normtimerne" in errors
    assert "5\t" in errors and "77777" in errors
    assert "Ja (ikke skrevet" not in page.locator("#reconciliation tfoot").inner_text()
    assert AbsenceImport.objects.count() == 0 and SicknessAbsence.objects.count() == 0
    _check(page, "absence-import-refused")

    # 3. The good file: checked, reconciled, confirmed.
    page.set_input_files("#id_file", str(sample))
    page.select_option("#id_profile", label="HR-systemet (tabulator)")
    page.click("text=Kontrollér filen")
    page.wait_for_selector("#preview-table")
    preview = page.locator("#preview-table").inner_text()
    assert "3,5 %" in preview and "4,5 %" in preview
    _check(page, "absence-import-preview")
    page.click("text=Godkend og indlæs")
    page.wait_for_selector("text=er indlæst")
    assert page.locator("#batch-status").inner_text() == "Indlæst"
    assert "Ja" in page.locator("#reconciliation tfoot").inner_text()
    assert SicknessAbsence.objects.get(cost_centre="52000").sick_hours == Decimal("70.00")

    # 4. Follow-up section 3, live, with its figure marked.
    page.goto(f"{page.base_url}/opfoelgning/{march.pk}/botilbud/{org.home_a.pk}/")
    s3 = page.locator("section[aria-labelledby=s3]")
    text = s3.inner_text()
    assert "Sygefravær i marts (lønsystemet)" in text and "3,5 %" in text
    assert "passer ikke" not in text  # 1 long-term sick in payroll and in the ledger
    _check(page, "absence-followup-section3")

    # 5. The manager: the home's months beside the ledger, reached from the ledger.
    page.context.clear_cookies()
    login(org.manager)
    page.goto(f"{page.base_url}/disponering/botilbud/{org.home_a.pk}/?aar=2026")
    page.click("#absence-link a")
    page.wait_for_selector("#absence-months")
    row = page.locator("#absence-months tr[data-month='2026-03']").inner_text()
    assert "3,5 %" in row and "KL nattevagt langtidssyg" in row and "Ja" in row
    assert "Fra lønsystemet: fravær til og med marts 2026" in page.locator("#absence-moment").inner_text()
    _check(page, "absence-home-months")

    # 6. The department head's dashboard.
    page.context.clear_cookies()
    login(org.department_head)
    page.goto(page.base_url + "/dashboard/?aar=2026")
    page.wait_for_selector("#sygdom-chart .main-svg")  # drawn by plotly
    page.click("button[aria-controls=sygdom-table]")
    table = page.locator("#sygdom-table").inner_text()
    assert "Sygefravær marts 2026 (lønsystemet)" in table and "3,5 %" in table
    _check(page, "absence-dashboard")
