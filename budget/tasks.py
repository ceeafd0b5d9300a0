"""The budget app's background jobs (procrastinate): checking a large actuals file, and
writing a large previewed import.

A file above ``BOTILBUD_IMPORT_JOB_BYTES`` is checked here instead of in the
request (``budget.views.actuals``): the same ``services.import_actuals`` call
(staged, validated, reconciled, in one transaction, for the user who uploaded
it), with the bytes read as progress on the job's page. The outcome is stored
with the job; the page it sends the user to (``actuals_import_result``) shows
the refusal or the preview to confirm, exactly as the synchronous check does.

Confirming a preview of ``BOTILBUD_IMPORT_JOB_ROWS`` rows or more is a job too
(``actuals_confirm``): ``services.confirm_import`` for the user who confirmed,
and its Danish answer on the import page afterwards.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from procrastinate.contrib.django import app

from botilbud.jobs import JobFile, Progress, SideProgress, counting_reader, job_run, job_upload_file
from botilbud.models import Job
from budget import importer, services
from budget.models import ActualsImport, ImportProfile

ACTUALS_CHECK = "budget.actuals_check"
ACTUALS_CONFIRM = "budget.actuals_confirm"
READ_PHASE = "Filen læses og kontrolleres række for række …"
CHECK_PHASE = "Filen er læst. Rækkerne afstemmes og gemmes til din godkendelse …"
CONFIRM_PHASE = "Posteringerne skrives, og det skrevne afstemmes mod det kontrollerede …"


def actuals_check_work(job: Job, progress: Progress) -> JobFile:
    params = job.params
    size = int(params["size"])
    profile = None
    if params.get("profile"):
        profile = ImportProfile.objects.filter(pk=params["profile"]).first()
    only_month = dt.date.fromisoformat(params["month"]) if params.get("month") else None
    side = SideProgress(job.pk)

    def report(read: int) -> None:
        side(read, size)
        if read >= size:
            side.phase(CHECK_PHASE)

    side.phase(READ_PHASE)
    try:
        if params.get("profile") and profile is None:
            raise importer.ImportFileError("Importprofilen er slettet, efter filen blev uploadet. Vælg en anden.")
        with job_upload_file(job) as file:
            outcome = services.import_actuals(
                stream=counting_reader(file, report, size),
                file_name=params["file_name"],
                user=job.owner,
                only_month=only_month,
                mode="preview",
                profile=profile,
            )
    except importer.ImportFileError as exc:
        outcome = services.ImportOutcome(stage=importer.StageResult(file_name=params["file_name"]), file_error=str(exc))
    finally:
        side.close()
    message = "Filen er kontrolleret." if outcome.batch else "Filen er afvist. Intet er indlæst."
    content = json.dumps(outcome.as_json(), ensure_ascii=False).encode()
    return JobFile(name="kontrol.json", content_type="application/json", content=content, message=message)


@app.task(name=ACTUALS_CHECK, queue="imports")
def actuals_check(job_id: str) -> None:
    """Check (stage, validate, reconcile) a large actuals file for the user who uploaded it."""
    job_run(job_id, actuals_check_work)


def actuals_confirm_work(job: Job, progress: Progress) -> JobFile:
    # Before the import's transaction begins, so the job's page sees it.
    Job.objects.filter(pk=job.pk).update(message=CONFIRM_PHASE)
    batch = ActualsImport.objects.filter(pk=job.params["batch"]).first()
    answer: dict[str, Any]
    try:
        if batch is None:
            raise services.ImportStateError("Indlæsningen findes ikke længere.")
        inserted, replaced = services.confirm_import(batch=batch, user=job.owner)
        answer = {"ok": True, "text": services.confirmed_message(batch.file_name, inserted, replaced)}
    except services.ImportStateError as exc:
        answer = {"ok": False, "text": str(exc)}
    content = json.dumps(answer, ensure_ascii=False).encode()
    return JobFile(
        name="indlaesning.json", content_type="application/json", content=content, message=str(answer["text"])
    )


@app.task(name=ACTUALS_CONFIRM, queue="imports")
def actuals_confirm(job_id: str) -> None:
    """Write a large previewed actuals import (replacing its months) for the user who confirmed it."""
    job_run(job_id, actuals_confirm_work)
