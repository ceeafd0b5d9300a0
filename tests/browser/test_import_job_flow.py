"""A large actuals file as a consultant meets it: the check runs as a job on the
real worker, its page shows the progress (HTMX polling, strict CSP) and then the
refusal or the preview, exactly as a small file's check in the request does; the
confirmed write of a large preview is a job too."""

from __future__ import annotations

import pytest

from botilbud.models import Job
from budget.models import Actual
from tests.browser.conftest import axe_violations, screenshot
from tests.budget.helpers import bad_rows_17_and_40, xlsx_bytes

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_large_file_is_checked_by_a_job_then_refused_or_confirmed(page, login, org, job_worker, settings, tmp_path):
    settings.BOTILBUD_IMPORT_JOB_BYTES = 1  # every file counts as large here
    settings.BOTILBUD_IMPORT_JOB_ROWS = 1  # and every confirmation
    login(org.consultant)
    page.goto(page.base_url + "/budget/forbrug/")

    bad = tmp_path / "forbrug-med-fejl.xlsx"
    bad.write_bytes(xlsx_bytes(bad_rows_17_and_40()))
    page.set_input_files("#id_file", str(bad))
    page.click("text=Kontrollér filen")
    page.wait_for_url("**/job/**")
    assert page.locator("h1").inner_text() == "Kontrol af forbrug-med-fejl.xlsx"
    assert page.locator("#job-status").is_visible()
    screenshot(page, "import_job_progress")
    assert axe_violations(page) == []
    # When the worker is done, the page sends the user on to the result.
    page.wait_for_url("**/forbrug/kontrol/**", timeout=60_000)
    errors = page.locator("#import-errors")
    assert "Intet er indlæst" in errors.inner_text()
    assert page.locator('tr[data-row="17"]').inner_text().startswith("17")
    assert "Ukendt omkostningssted »99999«" in page.locator('tr[data-row="40"]').inner_text()
    screenshot(page, "import_job_refused")
    assert axe_violations(page) == []
    assert not Actual.objects.exists()

    good = tmp_path / "forbrug-maj.xlsx"
    good.write_bytes(
        xlsx_bytes(
            [
                ["52000", "5.38.50", "1.10", "15-05-2026", "1.250.000,00", "Løn januar–maj"],
                ["52000", "5.38.50", "2.29", "20-05-2026", "40.000,00", "Varer"],
            ]
        )
    )
    page.set_input_files("#id_file", str(good))
    page.click("text=Kontrollér filen")
    page.wait_for_url("**/forbrug/kontrol/**", timeout=60_000)
    assert "1.290.000,00 kr." in page.locator("#preview-table").inner_text()
    screenshot(page, "import_job_preview")
    page.click("text=Godkend og indlæs")
    # The write is a job too; its page sends the user back to the import page with the answer.
    page.get_by_text("er indlæst: 2 posteringer").wait_for(timeout=60_000)
    assert Actual.objects.count() == 2
    assert Job.objects.filter(owner=org.consultant, status=Job.Status.DONE).count() == 3
    assert page.csp_errors == []
