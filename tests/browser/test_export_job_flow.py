"""A long export as a user meets it: the placement list's "Hent som Excel"
queues a job, the job's page shows its progress (HTMX polling, strict CSP)
until the real worker has made the file, and only the user who asked can
download it."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from botilbud.models import Job
from tests.browser.conftest import axe_violations, screenshot
from tests.conftest import PASSWORD
from tests.visitation.conftest import make_placement, vis  # noqa: F401 - fixture
from visitation.models import Citizen

pytestmark = pytest.mark.django_db(transaction=True)


def test_export_runs_as_a_job_with_progress_and_a_private_download(page, login, org, vis, job_worker):  # noqa: F811
    for i in range(30):
        make_placement(vis.ext_108, citizen=Citizen.objects.create(case_number=f"E-{i:03d}", initials="AB"))
    make_placement(vis.ext_107, citizen=Citizen.objects.create(case_number="ANDEN-1", initials="CD"))

    login(org.caseworker)
    page.goto(page.base_url + f"/visitation/bevillinger/?paragraph={vis.p108.pk}")
    page.click("button:has-text('Hent som Excel')")
    page.wait_for_url("**/job/**")
    job = Job.objects.get()
    assert page.locator("h1").inner_text() == "Bevillinger som Excel"
    # The page polls its status block until the worker is done.
    page.locator("#job-status:has-text('Færdig')").wait_for(timeout=60_000)
    assert "30 af 30 rækker" in page.locator("#job-status").inner_text()
    assert page.locator("#job-status[hx-trigger]").count() == 0  # polling stopped
    screenshot(page, "export-job-done")
    assert axe_violations(page) == []
    assert page.csp_errors == []

    with page.expect_download() as download:
        page.click("text=Hent bevillinger-")
    assert download.value.suggested_filename.startswith("bevillinger-")
    content = io.BytesIO(Path(download.value.path()).read_bytes())
    rows = list(load_workbook(content).active.iter_rows(values_only=True))
    assert len(rows) == 31  # header + the 30 §108 placements, not the §107 one
    assert {row[1] for row in rows[1:]} == {f"E-{i:03d}" for i in range(30)}

    # Another user (even one who sees every placement) gets a 404 for the job and its file.
    other = page.context.browser.new_context()
    other_page = other.new_page()
    other_page.goto(page.base_url + "/log-ind/")

    other_page.fill("#id_username", org.authority_head.username)
    other_page.fill("#id_password", PASSWORD)
    other_page.click("button[type=submit]")
    other_page.wait_for_load_state()
    assert other_page.goto(page.base_url + f"/job/{job.pk}/").status == 404
    assert other_page.goto(page.base_url + f"/job/{job.pk}/fil/").status == 404
    other.close()
