"""A large actuals file is checked by a background job (budget/tasks.py): the same
refusals and reconciliation as in the request, for the user who uploaded it only,
atomic; the job's page polls and then sends the user to the result."""

from __future__ import annotations

import io
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from botilbud.jobs import counting_reader
from botilbud.models import Job, JobUpload
from budget.models import Actual, ActualsImport
from tests.budget.helpers import bad_rows_17_and_40, csv_bytes

MAY_ROWS = [
    ["52000", "5.38.50", "1.10", "05-05-2026", "100.000,00", "Løn"],
    ["52000", "5.38.50", "2.29", "10-05-2026", "5.000,50", "Varer"],
    ["52010", "5.38.50", "1.10", "12-05-2026", "50.000,00", "Løn"],
]


@pytest.fixture
def in_background(settings):
    """Every upload counts as large."""
    settings.BOTILBUD_IMPORT_JOB_BYTES = 1
    return settings


def _upload(c, data: bytes, name: str = "forbrug.csv"):
    return c.post(reverse("budget:actuals_import"), {"file": SimpleUploadedFile(name, data)})


def _bad_rows(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'data-row="(\d+)"', html)}


def test_a_refused_file_names_the_same_lines_as_in_the_request_and_writes_nothing(org, client_for, jobs, settings):
    c = client_for(org.consultant)
    data = csv_bytes(bad_rows_17_and_40())
    in_request = _upload(c, data)
    assert in_request.status_code == 400

    settings.BOTILBUD_IMPORT_JOB_BYTES = 1
    queued = _upload(c, data)
    job = Job.objects.get(kind="budget.actuals_check")
    assert queued.status_code == 302 and queued["Location"] == job.get_absolute_url()
    assert job.owner == org.consultant and job.params["size"] == len(data)
    assert (
        b"".join(bytes(d) for d in JobUpload.objects.filter(job=job).order_by("seq").values_list("data", flat=True))
        == data
    )
    page = c.get(job.get_absolute_url())
    assert page.status_code == 200 and "I kø" in page.content.decode()

    assert jobs.run() == {"budget.actuals_check": "succeeded"}
    assert not JobUpload.objects.exists()
    poll = c.get(job.get_absolute_url(), HTTP_HX_REQUEST="true")
    result_url = reverse("budget:actuals_import_result", args=[job.pk])
    assert poll["HX-Redirect"] == result_url
    assert c.get(job.get_absolute_url())["Location"] == result_url
    result = c.get(result_url)
    html = result.content.decode()
    assert result.status_code == 400
    assert _bad_rows(html) == _bad_rows(in_request.content.decode()) == {17, 40}
    assert "Filen er afvist: 2 af 45 rækker har fejl" in html and 'data-refused="1"' in html
    assert not Actual.objects.exists() and not ActualsImport.objects.exists()


def test_a_good_file_is_previewed_then_confirmed(org, client_for, jobs, in_background):
    c = client_for(org.consultant)
    _upload(c, csv_bytes(MAY_ROWS))
    job = Job.objects.get()
    jobs.run()
    result_url = reverse("budget:actuals_import_result", args=[job.pk])
    result = c.get(result_url)
    html = result.content.decode()
    assert result.status_code == 200 and "Filen er i orden: 3 posteringer. Intet er skrevet endnu." in html
    assert 'id="reconciliation"' in html and "155.000,50" in html
    batch = ActualsImport.objects.get()
    assert batch.status == ActualsImport.Status.PREVIEW and batch.row_count == 3 and batch.uploaded_by == org.consultant
    assert not Actual.objects.exists()
    assert c.post(reverse("budget:actuals_import_confirm", args=[batch.pk])).status_code == 302
    assert Actual.objects.count() == 3
    # Once confirmed, the result leads to the import's own page.
    assert c.get(result_url)["Location"] == reverse("budget:import_detail", args=[batch.pk])


def test_the_job_checks_what_its_owner_may_import(org, client_for, jobs, in_background):
    c = client_for(org.consultant)
    _upload(c, csv_bytes([["52020", "5.38.50", "1.10", "05-05-2026", "1,00", "x"]]))
    jobs.run()
    result = c.get(reverse("budget:actuals_import_result", args=[Job.objects.get().pk]))
    assert result.status_code == 400
    assert "Du har ikke adgang til omkostningssted »52020«" in result.content.decode()
    assert not ActualsImport.objects.exists()


def test_an_unreadable_file_is_refused_in_danish(org, client_for, jobs, in_background):
    c = client_for(org.consultant)
    _upload(c, b"a;b;c\n1;2;3\n")
    assert jobs.run() == {"budget.actuals_check": "succeeded"}
    result = c.get(reverse("budget:actuals_import_result", args=[Job.objects.get().pk]))
    assert result.status_code == 400 and "Filen er afvist." in result.content.decode()


@pytest.mark.parametrize(
    "persona",
    ["manager", "other_manager", "area_manager", "caseworker", "authority_head", "department_head", "administrator"],
)
def test_another_users_job_and_result_are_404(org, client_for, jobs, in_background, persona):
    _upload(client_for(org.consultant), csv_bytes(MAY_ROWS))
    jobs.run()
    job = Job.objects.get()
    other = client_for(getattr(org, persona))
    assert other.get(job.get_absolute_url()).status_code == 404
    assert other.get(reverse("budget:actuals_import_result", args=[job.pk])).status_code == 404
    assert other.get(reverse("job_download", args=[job.pk])).status_code == 404


def test_a_small_file_is_still_checked_in_the_request(org, client_for, jobs):
    response = _upload(client_for(org.consultant), csv_bytes(MAY_ROWS))
    assert response.status_code == 200 and "Filen er i orden" in response.content.decode()
    assert not Job.objects.exists() and not jobs.queued


def test_the_counting_reader_reports_bytes_read_up_to_the_size():
    seen: list[int] = []
    data = b"x" * 200_000
    stream = counting_reader(io.BytesIO(data), seen.append, len(data))
    assert stream.read(8) == b"x" * 8
    stream.seek(0)
    assert stream.read() == data
    assert seen == sorted(seen) and seen[-1] == len(data)


def test_a_large_preview_is_written_by_a_job(org, client_for, jobs, settings):
    settings.BOTILBUD_IMPORT_JOB_ROWS = 1
    c = client_for(org.consultant)
    assert _upload(c, csv_bytes(MAY_ROWS)).status_code == 200  # a small file: checked in the request
    batch = ActualsImport.objects.get()
    queued = c.post(reverse("budget:actuals_import_confirm", args=[batch.pk]))
    job = Job.objects.get(kind="budget.actuals_confirm")
    assert queued["Location"] == job.get_absolute_url() and job.owner == org.consultant
    assert not Actual.objects.exists()
    assert jobs.run() == {"budget.actuals_confirm": "succeeded"}
    done_url = reverse("budget:actuals_import_confirmed", args=[job.pk])
    assert c.get(job.get_absolute_url())["Location"] == done_url
    page = c.get(done_url, follow=True)
    assert "Forbruget fra forbrug.csv er indlæst: 3 posteringer." in page.content.decode()
    assert Actual.objects.count() == 3
    batch.refresh_from_db()
    assert batch.status == ActualsImport.Status.DONE and batch.row_count == 3
    # Someone else's job is not theirs to see.
    assert client_for(org.administrator).get(done_url).status_code == 404
    # Confirming it again is refused by the job, in Danish.
    c.post(reverse("budget:actuals_import_confirm", args=[batch.pk]))
    jobs.run()
    again = Job.objects.filter(kind="budget.actuals_confirm").exclude(pk=job.pk).get()
    page = c.get(reverse("budget:actuals_import_confirmed", args=[again.pk]), follow=True)
    assert "Importen er allerede indlæst eller annulleret." in page.content.decode()
    assert Actual.objects.count() == 3
