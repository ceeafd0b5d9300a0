"""Long work a user asks for (an export) runs as a background job, not in the
web request: no web worker waits for it, and the page shows its progress.

The flow:

1. The view makes a ``Job`` for the user (``job_create``) and defers the
   app's procrastinate task with the job's id (``<app>/tasks.py``); both in the
   request's transaction, so a job is never queued without its row.
2. The worker (``manage.py procrastinate worker``) runs the task, which calls
   ``job_run(job_id, work)``: ``work(job, progress)`` does the work, reports
   ``progress(done, total)`` as it goes and returns the finished file.
3. The job's page (``botilbud/views.py: job_detail``) polls its status with
   HTMX while it runs, and offers the file when it is done; only the user who
   asked can open either (another user's job is a 404).

A failed job says so in Danish on its page; the error itself goes to the log
and to procrastinate (the job is marked failed there too).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from botilbud.models import Job, User

logger = logging.getLogger(__name__)

FAILED_MESSAGE = "Jobbet fejlede. Prøv igen; sker det igen, så kontakt administratoren."


@dataclass
class JobFile:
    """What a job produced: a file for its owner to download."""

    name: str
    content_type: str
    content: bytes
    message: str = ""


Progress = Callable[[int, int | None], None]
Work = Callable[[Job, Progress], JobFile]


def jobs_for(user: User) -> QuerySet[Job]:
    """The jobs a user may see: their own, nobody else's (not even an administrator's)."""
    return Job.objects.filter(owner=user)


def job_create(*, user: User, kind: str, title: str, params: dict[str, Any], back_url: str = "") -> Job:
    return Job.objects.create(owner=user, kind=kind, title=title, params=params, back_url=back_url)


def _progress(job_id: Any, every: int) -> Progress:
    """A progress callback that writes at most once per ``every`` rows (and at the end)."""
    last = {"done": -every}

    def report(done: int, total: int | None) -> None:
        if done - last["done"] >= every or (total is not None and done >= total):
            last["done"] = done
            Job.objects.filter(pk=job_id).update(done=done, total=total)

    return report


def job_run(job_id: Any, work: Work, *, report_every: int = 500) -> Job | None:
    """Run ``work`` for the job: mark it running, store the file it returns and
    mark it done; on an error mark it failed with a Danish message and re-raise
    (so the worker logs it and procrastinate marks its job failed too).

    Returns None when the job is gone (its owner was deleted, or it expired)."""
    job = Job.objects.select_related("owner").filter(pk=job_id).first()
    if job is None:
        logger.warning("job %s is gone; nothing to do", job_id)
        return None
    Job.objects.filter(pk=job.pk).update(status=Job.Status.RUNNING, started_at=timezone.now())
    try:
        result = work(job, _progress(job.pk, report_every))
    except Exception:
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, message=FAILED_MESSAGE, finished_at=timezone.now()
        )
        raise
    job.refresh_from_db(fields=["done", "total"])
    Job.objects.filter(pk=job.pk).update(
        status=Job.Status.DONE,
        done=job.total if job.total is not None else job.done,
        file_name=result.name,
        content_type=result.content_type,
        content=result.content,
        message=result.message,
        finished_at=timezone.now(),
    )
    job.refresh_from_db()
    return job


def jobs_purge(*, now: dt.datetime | None = None) -> int:
    """Delete jobs (and their files) made more than BOTILBUD_JOB_KEEP_HOURS ago."""
    cutoff = (now or timezone.now()) - dt.timedelta(hours=settings.BOTILBUD_JOB_KEEP_HOURS)
    deleted, _ = Job.objects.filter(created_at__lt=cutoff).delete()
    return deleted
