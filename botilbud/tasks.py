"""Botilbud's own background jobs (procrastinate; see botilbud/jobs.py)."""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from procrastinate.contrib.django import app

from botilbud.jobs import jobs_purge

logger = logging.getLogger(__name__)


def local_date(timestamp: int) -> dt.date:
    """The Danish calendar date of a periodic job's scheduled time (cron times are UTC)."""
    return timezone.localtime(dt.datetime.fromtimestamp(timestamp, tz=dt.UTC)).date()


@app.periodic(cron="17 * * * *")
@app.task(name="botilbud.jobs_purge")
def purge_jobs(timestamp: int) -> int:
    """Hourly: delete finished exports (and their jobs) older than BOTILBUD_JOB_KEEP_HOURS."""
    deleted = jobs_purge(now=dt.datetime.fromtimestamp(timestamp, tz=dt.UTC))
    logger.info("jobs_purge: %s jobs deleted", deleted)
    return deleted
