"""Sickness absence from payroll: the import (check → preview → confirm), its profiles with a live
preview, an import's page with its reconciliation, and a home's months beside its ledger entries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import QuerySet
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib import tabular
from botilbud.lib.dates import selectable_years
from botilbud.lib.money import percent
from botilbud.models import Home, User
from botilbud.permissions import can, require
from botilbud.registry import home_tabs_for
from budget.absence import selectors, services
from budget.absence.forms import AbsenceProfileForm, AbsenceUploadForm
from budget.absence.models import AbsenceImport, AbsenceProfile
from budget.absence.reading import RowMapper, read_options

PREVIEW_ROWS = 10


def _visible_batches(user: User) -> QuerySet[AbsenceImport]:
    qs = AbsenceImport.objects.select_related("uploaded_by", "profile")
    return qs if can(user, "botilbud.view_all_imports") else qs.filter(uploaded_by=user)


def import_home_ids(user: User) -> list[int] | None:
    """The homes whose absence ``user`` may import (None = all), as for the actuals (``budget.services``)."""
    if can(user, "budget.manage_any_home"):
        return None
    return list(Home.objects.writable_by(user).values_list("pk", flat=True))


def _open(upload: Any) -> Any:
    upload.seek(0)
    return upload.file if hasattr(upload, "file") else upload


@login_required
@require_http_methods(["GET", "POST"])
def import_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(user, "absence.import")
    staged = None
    status = 200
    if request.method == "POST":
        form = AbsenceUploadForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["file"]
            staged = services.stage(
                _open(upload),
                upload.name or "fil",
                form.cleaned_data["profile"],
                user,
                allowed_home_ids=import_home_ids(user),
            )
            if staged.ok:
                assert staged.batch is not None
                return redirect("absence:batch", staged.batch.pk)
            status = 400
        else:
            status = 400
    else:
        form = AbsenceUploadForm()
    context = {
        "form": form,
        "staged": staged,
        "rec": staged.reconciliation if staged else [],
        "rec_totals": services.reconciliation_totals(staged.reconciliation) if staged else None,
        "recent": _visible_batches(user)[:10],
    }
    return render(request, "absence/import.html", context, status=status)


@login_required
@require_GET
def batch_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(user, "absence.import")
    batch = get_object_or_404(_visible_batches(user), pk=pk)
    groups = services.staged_groups(batch) if batch.status == AbsenceImport.Status.PREVIEW else []
    existing = services.existing_for(groups)
    for g in groups:
        g["existing"] = existing.get((g["cost_centre"], g["month"]))
        g["pct"] = percent(g["sick_hours"], g["norm_hours"])
    rec = services.reconciliation_from_json(batch.reconciliation)
    return render(
        request,
        "absence/batch.html",
        {"batch": batch, "groups": groups, "rec": rec, "rec_totals": services.reconciliation_totals(rec)},
    )


@login_required
@require_POST
def batch_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(user, "absence.import")
    batch = get_object_or_404(_visible_batches(user), pk=pk)
    try:
        services.confirm(batch.pk, user)
    except services.AbsenceImportError as exc:
        messages.error(request, str(exc))
        return render(request, "absence/refused.html", {"batch": batch, "message": str(exc)}, status=409)
    messages.success(request, f"Sygefraværet fra »{batch.file_name}« er indlæst.")
    return redirect("absence:batch", batch.pk)


@login_required
@require_POST
def batch_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    require(user, "absence.import")
    batch = get_object_or_404(_visible_batches(user), pk=pk)
    try:
        services.discard(batch.pk)
    except services.AbsenceImportError as exc:
        return render(request, "absence/refused.html", {"batch": batch, "message": str(exc)}, status=409)
    messages.success(request, "Indlæsningen er annulleret. Intet er skrevet.")
    return redirect("absence:import")


@login_required
@require_GET
def profile_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "absence.import")
    return render(request, "absence/profiles.html", {"profiles": AbsenceProfile.objects.all()})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, "absence.import")
    profile = get_object_or_404(AbsenceProfile, pk=pk) if pk else None
    copy_of = None
    raw_copy = request.GET.get("kopi", "")
    if profile is None and raw_copy.isascii() and raw_copy.isdigit() and len(raw_copy) < 12:
        copy_of = AbsenceProfile.objects.filter(pk=int(raw_copy)).first()
    if request.method == "POST":
        form = AbsenceProfileForm(request.POST, instance=profile)
        if form.is_valid():
            saved = form.save()
            messages.success(request, f"Profilen »{saved.name}« er gemt.")
            return redirect("absence:profile", saved.pk)
        status = 409 if form.conflict else 400
    else:
        initial = None
        if copy_of is not None:
            initial = {f: getattr(copy_of, f) for f in AbsenceProfileForm.Meta.fields}
            initial["name"] = f"{copy_of.name} (kopi)"[:120]
        form = AbsenceProfileForm(instance=profile, initial=initial)
        status = 200
    return render(request, "absence/profile_edit.html", {"form": form, "profile": profile}, status=status)


@login_required
@require_POST
def profile_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """HTMX: the first rows of the sample file as the profile in the form reads them."""
    require(request.user, "absence.import")
    upload = request.FILES.get("sample")
    context: dict[str, Any] = {}
    if upload is None:
        context["error"] = "Vælg en eksempelfil for at se, hvordan profilen læser den."
        return render(request, "absence/_profile_preview.html", context)
    form = AbsenceProfileForm(request.POST)
    form.is_valid()  # the preview uses what is filled in, even before the profile is complete
    fields = {k: v for k, v in form.cleaned_data.items() if k in AbsenceProfileForm.Meta.fields}
    profile = AbsenceProfile(**fields)
    profile.name = profile.name or "ny profil"
    for name, _ in AbsenceProfile.column_fields():
        setattr(profile, name, getattr(profile, name) or "")
    context["form_errors"] = [e for errors in form.errors.values() for e in errors if "version" not in e]
    complete = bool(profile.col_cost_centre and profile.col_sick_hours)
    try:
        options = (
            read_options(profile)
            if complete
            else tabular.ReadOptions(
                separator=profile.separator or None,
                encoding=profile.encoding or None,
                title_lines=profile.title_lines or 0,
            )
        )
        table, rows = tabular.preview_rows(_open(upload), upload.name or "fil", options, n=PREVIEW_ROWS)
    except tabular.TabularError as exc:
        context["error"] = str(exc)
        return render(request, "absence/_profile_preview.html", context)
    context.update(table=table, header=table.header, raw_rows=rows)
    mapper = None
    if complete and profile.col_period and profile.col_norm_hours:
        try:
            mapper = RowMapper(profile, table.header)
        except ValueError as exc:
            context["mapping_error"] = str(exc)
    if mapper is not None:
        context["mapped"] = [(line, *mapper.map(cells)) for line, cells in rows]
    return render(request, "absence/_profile_preview.html", context)


@login_required
@require_GET
def home_absence(request: AuthenticatedHttpRequest, home_pk: int) -> HttpResponse:
    """A home's twelve months from payroll beside the ledger's long-term sickness entries."""
    home = get_home_for_user(request, home_pk)
    user = request.user
    require(user, "budget.view_home", home)
    today = dt.date.today()
    raw = request.GET.get("aar", "")
    if raw and not (raw.isascii() and raw.isdigit() and 2000 <= int(raw) <= 2100):
        return render(
            request, "budget/bad_request.html", {"message": f"»{raw[:20]}« er ikke et gyldigt år."}, status=400
        )
    year = int(raw) if raw else today.year
    months = selectors.home_year(home, year)
    with_data = [m for m in months if m["has_month"]]
    return render(
        request,
        "absence/home.html",
        {
            "home": home,
            "year": year,
            "years": selectable_years(year, today=today),
            "months": months,
            "latest": with_data[-1] if with_data else None,
            "tabs": home_tabs_for(user),
            "active_tab": "absence:home",
            "today": today,
            "can_import": can(user, "absence.import"),
        },
    )
