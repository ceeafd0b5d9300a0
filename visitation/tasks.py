"""Visitation's background jobs (procrastinate): the daily status step, the
daily retention run and the placement export.

Periodic times are UTC (the worker's clock); each job works on the Danish
date of its scheduled time, so a run the worker catches up on later (it was
down; up to a day, PROCRASTINATE_PERIODIC_DEFAULTS) uses the day it was for."""

from __future__ import annotations

import logging

from django.conf import settings
from django.http import QueryDict
from procrastinate.contrib.django import app

from botilbud.jobs import JobFile, Progress, job_run
from botilbud.models import Job
from botilbud.tasks import local_date
from visitation.export import placements_xlsx
from visitation.forms import PlacementFilterForm
from visitation.retention import apply_retention, retention_report
from visitation.services import placements_roll_status

logger = logging.getLogger(__name__)

SCHEDULED_RETENTION_JOB = "planlagt kørsel (worker)"


@app.periodic(cron="10 23 * * *")  # 00:10 Danish winter time, 01:10 summer time
@app.task(name="visitation.placements_daily")
def placements_daily(timestamp: int) -> dict[str, int]:
    """Approved placements whose start date has come become active; those past
    their end date end (``manage.py visitation_daily`` does the same by hand)."""
    today = local_date(timestamp)
    result = placements_roll_status(today=today)
    logger.info("placements_daily %s: %s", today, result)
    return result


@app.periodic(cron="30 1 * * *")
@app.task(name="visitation.retention_daily")
def retention_daily(timestamp: int) -> int:
    """``manage.py retention --apply`` on the schedule: anonymise the citizens
    due and record the run (shown on /databeskyttelse/). With
    BOTILBUD_RETENTION_SCHEDULED_APPLY=0 it only logs how many are due."""
    today = local_date(timestamp)
    if not settings.BOTILBUD_RETENTION_SCHEDULED_APPLY:
        report = retention_report(today=today)
        logger.info("retention_daily %s (dry run): %s citizens due", today, report.count)
        return 0
    run = apply_retention(today=today, job=SCHEDULED_RETENTION_JOB)
    logger.info("retention_daily %s: %s citizens anonymised (run %s)", today, run.citizens, run.pk)
    return run.citizens


def _placement_export(job: Job, progress: Progress) -> JobFile:
    form = PlacementFilterForm(QueryDict(job.params.get("query", "")) or None)
    return placements_xlsx(
        user=job.owner, filters=form.to_filters(), today=local_date(int(job.created_at.timestamp())), progress=progress
    )


@app.task(name="visitation.placement_export", queue="exports")
def placement_export(job_id: str) -> None:
    """The placement list as Excel, for the user who asked (botilbud/jobs.py)."""
    job_run(job_id, _placement_export)
