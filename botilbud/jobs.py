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

A job that reads an upload (a large import) gets the file through the
database too (``job_attach_upload`` in the request, ``job_upload_file`` in the
worker), and reports progress over its own connection (``side_progress``)
when its work runs in one transaction, whose writes nobody sees until it ends.
A job whose result is a page rather than a file names it in
``params["result_url"]``: the job page sends the user there when it is done.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import logging
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import IO, Any

import psycopg
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from botilbud.models import Job, JobUpload, User

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


UPLOAD_CHUNK = 1 << 20


def job_attach_upload(job: Job, upload: UploadedFile) -> int:
    """Store an upload for the job's worker, chunk by chunk (Django keeps a large
    upload in a temporary file; neither side holds the whole file). Returns its size."""
    size = 0
    for seq, chunk in enumerate(upload.chunks(UPLOAD_CHUNK)):
        JobUpload.objects.create(job=job, seq=seq, data=chunk)
        size += len(chunk)
    return size


@contextlib.contextmanager
def job_upload_file(job: Job) -> Iterator[IO[bytes]]:
    """The job's upload as a seekable binary file on the worker's disk (read back
    one chunk at a time), deleted afterwards."""
    with tempfile.TemporaryFile() as file:
        chunks = JobUpload.objects.filter(job=job).order_by("seq").values_list("data", flat=True)
        for data in chunks.iterator(chunk_size=1):
            file.write(data)
        file.seek(0)
        yield file


class _CountingReader(io.RawIOBase):
    """Counts the bytes read from ``file`` and reports them (capped at ``total``)."""

    def __init__(self, file: IO[bytes], report: Callable[[int], None], total: int) -> None:
        self.file, self.report, self.total, self.count = file, report, total, 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, pos: int, whence: int = io.SEEK_SET) -> int:
        return self.file.seek(pos, whence)

    def tell(self) -> int:
        return self.file.tell()

    def readinto(self, buffer: Any) -> int:
        data = self.file.read(len(buffer))
        buffer[: len(data)] = data
        self.count += len(data)
        self.report(min(self.count, self.total))
        return len(data)


def counting_reader(file: IO[bytes], report: Callable[[int], None], total: int) -> IO[bytes]:
    """``file`` (binary, seekable) as a buffered stream that calls ``report(bytes read so far)``
    as it is read: the progress of a reader that knows nothing of jobs. Bytes, not the file's
    position: an .xlsx is read from its end first (the zip's directory)."""
    return io.BufferedReader(_CountingReader(file, report, total), buffer_size=1 << 16)


def _side_connection_params() -> dict[str, Any]:
    params = connection.get_connection_params()
    for django_only in ("cursor_factory", "context", "prepare_threshold"):
        params.pop(django_only, None)
    return params


class SideProgress:
    """Progress written over its own autocommitted connection, at most every
    ``interval`` seconds: for work inside one transaction (an atomic import),
    whose own writes the job page could not see until the end.

    ``phase(text)`` shows what the job is doing now (``Job.message`` while it runs)."""

    def __init__(self, job_id: Any, *, interval: float = 0.5) -> None:
        self.job_id = job_id
        self.interval = interval
        self._last = 0.0
        self._conn: psycopg.Connection[Any] | None = None

    def _execute(self, sql: str, params: list[Any]) -> None:
        try:
            if self._conn is None:
                self._conn = psycopg.connect(**_side_connection_params(), autocommit=True)
            self._conn.execute(sql, params)
        except psycopg.Error:  # progress is a courtesy: never let it fail the job
            logger.warning("job %s: progress not written", self.job_id, exc_info=True)

    def __call__(self, done: int, total: int | None) -> None:
        now = time.monotonic()
        if now - self._last < self.interval and (total is None or done < total):
            return
        self._last = now
        self._execute("UPDATE botilbud_job SET done = %s, total = %s WHERE id = %s", [done, total, self.job_id])

    def phase(self, text: str) -> None:
        self._execute("UPDATE botilbud_job SET message = %s WHERE id = %s", [text[:500], self.job_id])

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


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
    finally:
        JobUpload.objects.filter(job_id=job.pk).delete()
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
