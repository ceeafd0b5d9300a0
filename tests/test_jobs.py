"""Background jobs (botilbud/jobs.py): only the user who asked sees a job and
its file; progress, failure and the purge; the schedule of the periodic jobs."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone
from procrastinate.contrib.django import app

from botilbud import jobs as jobs_module
from botilbud.jobs import JobFile, job_create, job_run, jobs_purge
from botilbud.models import Job
from botilbud.tasks import local_date


def _finished_job(owner, content=b"PK-fil") -> Job:
    job = job_create(user=owner, kind="test", title="Testjob", params={})
    job_run(job.pk, lambda job, progress: JobFile(name="fil.xlsx", content_type="application/x-test", content=content))
    job.refresh_from_db()
    return job


def test_it_shows_the_owner_the_job_and_the_file(org, client_for):
    job = _finished_job(org.caseworker)
    c = client_for(org.caseworker)
    page = c.get(reverse("job_detail", args=[job.pk]))
    assert page.status_code == 200
    assert "Færdig" in page.content.decode() and reverse("job_download", args=[job.pk]) in page.content.decode()
    download = c.get(reverse("job_download", args=[job.pk]))
    assert download.status_code == 200
    assert download.content == b"PK-fil"
    assert download["Content-Type"] == "application/x-test"
    assert download["Content-Disposition"] == 'attachment; filename="fil.xlsx"'


@pytest.mark.parametrize(
    "persona",
    ["manager", "other_manager", "area_manager", "consultant", "authority_head", "department_head", "administrator"],
)
def test_it_is_404_for_every_other_user_whatever_the_role(org, client_for, persona):
    job = _finished_job(org.caseworker)
    c = client_for(getattr(org, persona))
    assert c.get(reverse("job_detail", args=[job.pk])).status_code == 404
    assert c.get(reverse("job_download", args=[job.pk])).status_code == 404
    assert c.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").status_code == 404


def test_it_asks_an_anonymous_user_to_log_in(org, client):
    job = _finished_job(org.caseworker)
    for name in ("job_detail", "job_download"):
        r = client.get(reverse(name, args=[job.pk]))
        assert r.status_code == 302 and reverse("login") in r["Location"]


def test_it_is_405_for_a_post(org, client_for):
    job = _finished_job(org.caseworker)
    c = client_for(org.caseworker)
    assert c.post(reverse("job_detail", args=[job.pk])).status_code == 405
    assert c.post(reverse("job_download", args=[job.pk])).status_code == 405


def test_htmx_polls_the_status_block_until_the_job_is_finished(org, client_for, django_assert_max_num_queries):
    job = job_create(user=org.caseworker, kind="test", title="Testjob", params={})
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, done=250, total=1000)
    c = client_for(org.caseworker)
    with django_assert_max_num_queries(4):
        r = c.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true")
    html = r.content.decode()
    assert "<html" not in html and 'id="job-status"' in html
    assert 'hx-trigger="every 1s"' in html
    assert 'value="25"' in html and "250 af 1.000 rækker" in html
    # Not ready: the download goes back to the job's page.
    assert c.get(reverse("job_download", args=[job.pk]))["Location"] == reverse("job_detail", args=[job.pk])
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, done=1000, content=b"x", file_name="f.xlsx")
    html = c.get(reverse("job_detail", args=[job.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert "hx-trigger" not in html and "Hent f.xlsx" in html


def test_a_failing_job_says_so_in_danish_and_offers_no_file(org, client_for):
    job = job_create(user=org.caseworker, kind="test", title="Testjob", params={})

    def work(job, progress):
        progress(10, 100)
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        job_run(job.pk, work, report_every=1)
    job.refresh_from_db()
    assert (job.status, job.done, job.total, job.content) == (Job.Status.FAILED, 10, 100, None)
    c = client_for(org.caseworker)
    html = c.get(reverse("job_detail", args=[job.pk])).content.decode()
    assert jobs_module.FAILED_MESSAGE in html and "hx-trigger" not in html
    assert c.get(reverse("job_download", args=[job.pk])).status_code == 302


def test_progress_is_written_once_per_step_and_at_the_end(org, django_assert_num_queries):
    job = job_create(user=org.caseworker, kind="test", title="Testjob", params={})
    seen = []

    def work(job, progress):
        for done in range(0, 1201):
            progress(done, 1200)
            if done in (499, 500, 1000, 1200):
                seen.append(Job.objects.values_list("done", flat=True).get(pk=job.pk))
        return JobFile(name="f", content_type="text/plain", content=b"")

    job_run(job.pk, work)
    # Written at 0, 500, 1000 and at the total (1200): 499 still shows 0.
    assert seen == [0, 500, 1000, 1200]


def test_a_job_that_is_gone_is_skipped(org):
    assert job_run("00000000-0000-0000-0000-000000000000", lambda job, progress: None) is None


def test_the_purge_deletes_jobs_older_than_the_keep_hours(org, settings):
    settings.BOTILBUD_JOB_KEEP_HOURS = 24
    now = timezone.now()
    old = _finished_job(org.caseworker)
    edge = _finished_job(org.caseworker)
    young = _finished_job(org.caseworker)
    Job.objects.filter(pk=old.pk).update(created_at=now - dt.timedelta(hours=24, seconds=1))
    Job.objects.filter(pk=edge.pk).update(created_at=now - dt.timedelta(hours=24))
    Job.objects.filter(pk=young.pk).update(created_at=now - dt.timedelta(hours=23))
    assert jobs_purge(now=now) == 1
    assert set(Job.objects.values_list("pk", flat=True)) == {edge.pk, young.pk}


@pytest.mark.parametrize(
    ("utc", "danish_date"),
    [
        (dt.datetime(2026, 3, 28, 23, 10), dt.date(2026, 3, 29)),  # 00:10 winter time
        (dt.datetime(2026, 6, 30, 23, 10), dt.date(2026, 7, 1)),  # 01:10 summer time
        (dt.datetime(2026, 1, 1, 22, 59), dt.date(2026, 1, 1)),  # 23:59 the same day
        (dt.datetime(2026, 7, 1, 21, 59), dt.date(2026, 7, 1)),  # 23:59 summer time
        (dt.datetime(2026, 7, 1, 22, 0), dt.date(2026, 7, 2)),  # midnight summer time
    ],
)
def test_a_periodic_job_works_on_the_danish_date_of_its_time(utc, danish_date):
    assert local_date(int(utc.replace(tzinfo=dt.UTC).timestamp())) == danish_date


def test_the_worker_schedules_the_daily_jobs():
    schedule = {task.task.name: task.cron for task in app.periodic_registry.periodic_tasks.values()}
    assert schedule == {
        "visitation.placements_daily": "10 23 * * *",
        "visitation.retention_daily": "30 1 * * *",
        "followup.reminders": "0 6 * * *",
        "botilbud.jobs_purge": "17 * * * *",
    }
