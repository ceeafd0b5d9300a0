"""The actuals import (upload, stage, confirm or discard) and the budget import page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.money import ZERO
from botilbud.models import User
from botilbud.permissions import can, require
from budget import importer, selectors, services
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
        context["file_error"] = str(exc)
        return render(request, "budget/actuals_import.html", context, status=400)
    context["stage"] = outcome.stage
    context["rec"] = outcome.reconciliation
    context["rec_totals"] = outcome.reconciliation.totals() if outcome.reconciliation else None
    if not outcome.stage.ok:
        if outcome.stage.row_count == 0:
            context["file_error"] = "Filen har ingen rækker med posteringer."
        return render(request, "budget/actuals_import.html", context, status=400)
    context["batch"] = outcome.batch
    context["preview"] = outcome.preview
    context["preview_total"] = sum((p.total for p in outcome.preview), ZERO)
    return render(request, "budget/actuals_preview.html", context)


def _recent_imports(user: User):  # noqa: ANN202
    qs = ActualsImport.objects.select_related("uploaded_by").order_by("-created_at")
    if not can(user, "botilbud.view_all_imports"):
        qs = qs.filter(uploaded_by=user)
    return qs[:10]


def _own_batch(request: AuthenticatedHttpRequest, batch_pk: int) -> ActualsImport:
    user = request.user
    require(user, "budget.import_actuals")
    qs = (
        ActualsImport.objects.all()
        if can(user, "botilbud.view_all_imports")
        else ActualsImport.objects.filter(uploaded_by=user)
    )
    return get_object_or_404(qs, pk=batch_pk)


@login_required
@require_POST
def actuals_import_confirm(request: AuthenticatedHttpRequest, batch_pk: int) -> HttpResponse:
    batch = _own_batch(request, batch_pk)
    try:
        inserted, replaced = services.confirm_import(batch=batch, user=request.user)  # type: ignore[arg-type]
    except services.ImportStateError as exc:
        messages.error(request, str(exc))
        return redirect("budget:actuals_import")
    text = f"Forbruget fra {batch.file_name} er indlæst: {inserted} posteringer"
    if replaced:
        text += f" (erstatter {replaced} tidligere posteringer for de samme måneder)"
    messages.success(request, text + ".")
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
