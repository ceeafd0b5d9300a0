"""The budget app's background job (procrastinate): checking a large actuals file.

A file above ``BOTILBUD_IMPORT_JOB_BYTES`` is checked here instead of in the
request (``budget.views.actuals``): the same ``services.import_actuals`` call
(staged, validated, reconciled, in one transaction, for the user who uploaded
it), with the bytes read as progress on the job's page. The outcome is stored
with the job; the page it sends the user to (``actuals_import_result``) shows
the refusal or the preview to confirm, exactly as the synchronous check does.
"""

from __future__ import annotations

import datetime as dt
import json

from procrastinate.contrib.django import app

from botilbud.jobs import JobFile, Progress, SideProgress, counting_reader, job_run, job_upload_file
from botilbud.models import Job
from budget import importer, services
from budget.models import ImportProfile

ACTUALS_CHECK = "budget.actuals_check"
READ_PHASE = "Filen læses og kontrolleres række for række …"
CHECK_PHASE = "Filen er læst. Rækkerne afstemmes og gemmes til din godkendelse …"


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
