"""Import profiles (set up by the consultant with a live preview), an import's reconciliation page, and the
posting list (drill-down from a figure to the postings behind it)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Sum
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib import tabular
from botilbud.models import User
from botilbud.permissions import can, require
from budget import importer
from budget.forms import ImportProfileForm
from budget.models import ActualsImport, GroupDefinition, ImportProfile, Posting
from budget.profiles import RowMapper

PREVIEW_ROWS = 10


@login_required
@require_GET
def profile_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "budget.import_actuals")
    return render(request, "budget/import_profiles.html", {"profiles": ImportProfile.objects.all()})


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest, pk: int | None = None) -> HttpResponse:
    require(request.user, "budget.import_actuals")
    profile = get_object_or_404(ImportProfile, pk=pk) if pk else None
    copy_of = None
    if profile is None and request.GET.get("kopi", "").isascii() and request.GET.get("kopi", "").isdigit():
        copy_of = ImportProfile.objects.filter(pk=int(request.GET["kopi"])).first()
    if request.method == "POST":
        form = ImportProfileForm(request.POST, instance=profile)
        if form.is_valid():
            saved = form.save()
            messages.success(request, f"Profilen »{saved.name}« er gemt.")
            return redirect("budget:import_profile", saved.pk)
        status = 409 if form.conflict else 400
    else:
        initial = None
        if copy_of is not None:
            initial = {f: getattr(copy_of, f) for f in ImportProfileForm.Meta.fields}
            initial["name"] = f"{copy_of.name} (kopi)"
        form = ImportProfileForm(instance=profile, initial=initial)
        status = 200
    return render(request, "budget/import_profile_edit.html", {"form": form, "profile": profile}, status=status)


@login_required
@require_POST
def profile_preview(request: AuthenticatedHttpRequest) -> HttpResponse:
    """HTMX: the first rows of the uploaded sample file as the profile in the form reads them."""
    require(request.user, "budget.import_actuals")
    upload = request.FILES.get("sample")
    context: dict[str, Any] = {}
    if upload is None:
        context["error"] = "Vælg en eksempelfil for at se, hvordan profilen læser den."
        return render(request, "budget/_profile_preview.html", context)
    form = ImportProfileForm(request.POST)
    form.is_valid()  # the preview uses what is filled in, even before the profile is complete
    profile = ImportProfile(**{k: v for k, v in form.cleaned_data.items() if k in ImportProfileForm.Meta.fields})
    profile.name = profile.name or "ny profil"
    for field_name in ("col_cost_centre", "col_amount"):
        setattr(profile, field_name, getattr(profile, field_name) or "")
    context["form_errors"] = [e for errors in form.errors.values() for e in errors if "version" not in e]

    try:
        options = profile.read_options() if profile.col_cost_centre and profile.col_amount else None
        if options is None:
            options = tabular.ReadOptions(
                separator=profile.separator or None,
                encoding=profile.encoding or None,
                title_lines=profile.title_lines or 0,
            )
        table, rows = tabular.preview_rows(importer.open_upload(upload), upload.name or "", options, n=PREVIEW_ROWS)
    except tabular.TabularError as exc:
        context["error"] = str(exc)
        return render(request, "budget/_profile_preview.html", context)
    context.update(table=table, header=table.header, raw_rows=rows)
    try:
        mapper = RowMapper(profile, table.header) if profile.col_cost_centre and profile.col_amount else None
    except ValueError as exc:
        context["mapping_error"] = str(exc)
        mapper = None
    if mapper is not None:
        context["mapped"] = [(line, *mapper.map(cells)) for line, cells in rows]
    return render(request, "budget/_profile_preview.html", context)


def _visible_batches(user: User):  # noqa: ANN202
    qs = ActualsImport.objects.select_related("uploaded_by", "profile")
    return qs if can(user, "botilbud.view_all_imports") else qs.filter(uploaded_by=user)


@login_required
@require_GET
def import_detail(request: AuthenticatedHttpRequest, batch_pk: int) -> HttpResponse:
    """An import's page: who, when, which profile, and its reconciliation per cost centre (kept)."""
    user = request.user
    require(user, "budget.import_actuals")
    batch = get_object_or_404(_visible_batches(user), pk=batch_pk)
    rec = importer.Reconciliation.from_json(batch.reconciliation)
    return render(request, "budget/import_detail.html", {"batch": batch, "rec": rec, "rec_totals": rec.totals()})


@login_required
@require_GET
def postings(request: AuthenticatedHttpRequest, home_pk: int) -> HttpResponse:
    """The postings of a home in a month (optionally one account group), with account string and text."""
    home = get_home_for_user(request, home_pk)
    user = request.user
    if user.is_authority:
        raise Http404
    month_text = request.GET.get("maaned", "")
    try:
        month = importer.month_from_text(month_text)
    except ValueError:
        today = dt.date.today()
        month = dt.date(today.year, today.month, 1)
    groups = list(GroupDefinition.objects.all())
    kinds = {g.code: g.kind for g in groups}
    wanted = request.GET.get("gruppe", "")
    qs = Posting.objects.filter(home=home, month=month)
    selected = None
    if wanted in kinds:
        selected = next(g for g in groups if g.code == wanted)
        codes = (
            [wanted] if wanted not in ("loen", "drift", "indtaegt") else [c for c, k in kinds.items() if k == wanted]
        )
        qs = qs.filter(group__in=codes)
    by_group = {r["group"]: r for r in qs.values("group").annotate(n=Count("id"), total=Sum("amount"))}
    summary = [(g, by_group[g.code]) for g in groups if g.code in by_group]
    page = Paginator(qs.order_by("posting_date", "id"), 200).get_page(request.GET.get("side"))
    total = sum((r["total"] for r in by_group.values()), 0)
    return render(
        request,
        "budget/postings.html",
        {
            "home": home,
            "month": month,
            "selected": selected,
            "summary": summary,
            "page": page,
            "total": total,
            "count": sum(r["n"] for r in by_group.values()),
        },
    )
