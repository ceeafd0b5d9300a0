"""The actuals import (upload, stage, confirm or discard) and the budget import page."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from botilbud.http import AuthenticatedHttpRequest
from botilbud.jobs import job_attach_upload, jobs_for
from botilbud.lib.money import ZERO
from botilbud.models import Job, User
from botilbud.permissions import can, require
from budget import importer, selectors, services, tasks
from budget.forms import ActualsUploadForm
from budget.models import ActualsImport


@login_required
@require_http_methods(["GET", "POST"])
def actuals_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(user, "budget.import_actuals")
    context: dict[str, Any] = {
        "recent": _recent_imports(user),
        "coverage": selectors.actuals_coverage(user=user, year=dt.date.today().year),
    }
    if request.method == "GET":
        context["form"] = ActualsUploadForm()
        return render(request, "budget/actuals_import.html", context)
    form = ActualsUploadForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "budget/actuals_import.html", context, status=400)
    upload = form.cleaned_data["file"]
    if upload.size >= settings.BOTILBUD_IMPORT_JOB_BYTES:
        return _check_in_background(request, form)
    try:
        outcome = services.import_actuals(
            stream=importer.open_upload(upload),
            file_name=upload.name,
            user=user,
            only_month=form.cleaned_data["month"],
            mode="preview",
            profile=form.cleaned_data.get("profile"),
        )
    except importer.ImportFileError as exc:
        outcome = services.ImportOutcome(stage=importer.StageResult(file_name=upload.name), file_error=str(exc))
    return _show_outcome(request, context, outcome)


def _show_outcome(
    request: AuthenticatedHttpRequest, context: dict[str, Any], outcome: services.ImportOutcome
) -> HttpResponse:
    """The check's answer: the refusal (every bad line named, the reconciliation) on the
    upload page with a 400, or the preview to confirm."""
    if outcome.file_error:
        context["file_error"] = outcome.file_error
        return render(request, "budget/actuals_import.html", context, status=400)
    context["stage"] = outcome.stage
    context["rec"] = outcome.reconciliation
    context["rec_totals"] = outcome.reconciliation.totals() if outcome.reconciliation else None
    if not outcome.stage.ok or outcome.batch is None:
        if outcome.stage.row_count == 0:
            context["file_error"] = "Filen har ingen rækker med posteringer."
        return render(request, "budget/actuals_import.html", context, status=400)
    context["batch"] = outcome.batch
    context["preview"] = outcome.preview
    context["preview_total"] = sum((p.total for p in outcome.preview), ZERO)
    return render(request, "budget/actuals_preview.html", context)


def _check_in_background(request: AuthenticatedHttpRequest, form: ActualsUploadForm) -> HttpResponse:
    """A large file is checked by the worker (``budget.tasks.actuals_check``): the upload goes
    to the job in chunks, and the job's page shows the progress, then sends the user to
    ``actuals_import_result``."""
    upload = form.cleaned_data["file"]
    month = form.cleaned_data["month"]
    profile = form.cleaned_data.get("profile")
    job = Job(
        owner=request.user,
        kind=tasks.ACTUALS_CHECK,
        title=f"Kontrol af {upload.name}"[:200],
        back_url=reverse("budget:actuals_import"),
    )
    job.params = {
        "file_name": upload.name,
        "size": upload.size,
        "month": month.isoformat() if month else "",
        "profile": profile.pk if profile else None,
        "unit": "bytes",
        "result_url": reverse("budget:actuals_import_result", args=[job.pk]),
    }
    job.save()
    job_attach_upload(job, upload)
    tasks.actuals_check.defer(job_id=str(job.pk))
    return redirect(job)


@login_required
@require_GET
def actuals_import_result(request: AuthenticatedHttpRequest, job_pk: uuid.UUID) -> HttpResponse:
    """What the background check of a large file found (only for the user who uploaded it)."""
    user = request.user
    job = get_object_or_404(jobs_for(user), pk=job_pk, kind=tasks.ACTUALS_CHECK)  # another user's: 404
    require(user, "budget.import_actuals")
    if job.status != Job.Status.DONE or job.content is None:
        return redirect(job)
    data = json.loads(bytes(job.content))
    batch = None
    if data["batch"] is not None:
        batch = _batches_of(user).filter(pk=data["batch"]).first()
        if batch is None:
            raise Http404("Indlæsningen findes ikke.")
        if batch.status != ActualsImport.Status.PREVIEW:
            return redirect("budget:import_detail", batch.pk)
    context: dict[str, Any] = {
        "recent": _recent_imports(user),
        "coverage": selectors.actuals_coverage(user=user, year=dt.date.today().year),
        "form": ActualsUploadForm(),
    }
    return _show_outcome(request, context, services.ImportOutcome.from_json(data, batch=batch))


def _recent_imports(user: User):  # noqa: ANN202
    qs = ActualsImport.objects.select_related("uploaded_by").order_by("-created_at")
    if not can(user, "botilbud.view_all_imports"):
        qs = qs.filter(uploaded_by=user)
    return qs[:10]


def _batches_of(user: User) -> QuerySet[ActualsImport]:
    if can(user, "botilbud.view_all_imports"):
        return ActualsImport.objects.all()
    return ActualsImport.objects.filter(uploaded_by=user)


def _own_batch(request: AuthenticatedHttpRequest, batch_pk: int) -> ActualsImport:
    user = request.user
    require(user, "budget.import_actuals")
    return get_object_or_404(_batches_of(user), pk=batch_pk)


@login_required
@require_POST
def actuals_import_confirm(request: AuthenticatedHttpRequest, batch_pk: int) -> HttpResponse:
    batch = _own_batch(request, batch_pk)
    if batch.row_count >= settings.BOTILBUD_IMPORT_JOB_ROWS:
        return _confirm_in_background(request, batch)
    try:
        inserted, replaced = services.confirm_import(batch=batch, user=request.user)
    except services.ImportStateError as exc:
        messages.error(request, str(exc))
        return redirect("budget:actuals_import")
    messages.success(request, services.confirmed_message(batch.file_name, inserted, replaced))
    return redirect("budget:actuals_import")


def _confirm_in_background(request: AuthenticatedHttpRequest, batch: ActualsImport) -> HttpResponse:
    """A large preview is written by the worker (``budget.tasks.actuals_confirm``); the job's page
    shows that it runs, then ``actuals_import_confirmed`` gives the answer on the import page."""
    job = Job(
        owner=request.user,
        kind=tasks.ACTUALS_CONFIRM,
        title=f"Indlæsning af {batch.file_name}"[:200],
        back_url=reverse("budget:actuals_import"),
    )
    job.params = {"batch": batch.pk, "result_url": reverse("budget:actuals_import_confirmed", args=[job.pk])}
    job.save()
    tasks.actuals_confirm.defer(job_id=str(job.pk))
    return redirect(job)


@login_required
@require_GET
def actuals_import_confirmed(request: AuthenticatedHttpRequest, job_pk: uuid.UUID) -> HttpResponse:
    """The background write's answer, as a message on the import page (only for its owner)."""
    job = get_object_or_404(jobs_for(request.user), pk=job_pk, kind=tasks.ACTUALS_CONFIRM)
    if job.status != Job.Status.DONE or job.content is None:
        return redirect(job)
    answer = json.loads(bytes(job.content))
    (messages.success if answer["ok"] else messages.error)(request, answer["text"])
    return redirect("budget:actuals_import")


@login_required
@require_POST
def actuals_import_discard(request: AuthenticatedHttpRequest, batch_pk: int) -> HttpResponse:
    batch = _own_batch(request, batch_pk)
    try:
        services.discard_import(batch=batch)
    except services.ImportStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, f"Importen af {batch.file_name} er annulleret. Intet er skrevet.")
    return redirect("budget:actuals_import")


@login_required
@require_GET
def budget_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The original budget is one of the staged imports (preview, reconciliation,
    confirm): ``onboarding.kinds.budget.BudgetKind`` run by ``onboarding``."""
    require(request.user, "budget.import_actuals")
    return redirect("onboarding:upload", "budget")
