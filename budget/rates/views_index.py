"""The price and wage index (PL) pages: the yearly PL-skøn as data (``/takster/pl/``)
and the reviewed index step (``/takster/fremskriv/``): preview old → new per line,
confirm, undo. Only the consultant and the administrator write; what the step
covers is what the user sees (``budget.rates.indexing``)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.locking import VersionConflict, save_versioned
from botilbud.lib.money import format_number
from botilbud.permissions import can
from budget.rates import indexing
from budget.rates.forms import PriceIndexForm
from budget.rates.models import IndexRun, PriceIndex
from budget.rates.rows import index_rows_html

PREVIEW_LINES = 200


def _bad(request: HttpRequest, message: str) -> HttpResponse:
    return render(request, "budget/bad_request.html", {"message": message}, status=400)


def _year_param(raw: str) -> int | None:
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 2000 <= int(raw) <= 2100:
        raise ValueError(f"»{raw}« er ikke et gyldigt år.")
    return int(raw)


@login_required
@require_http_methods(["GET", "POST"])
def price_index(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    can_write = can(user, "rates.edit_price_index")
    try:
        year = _year_param(request.GET.get("aar", "") or request.POST.get("aar", ""))
    except ValueError as exc:
        return _bad(request, str(exc))
    instance = PriceIndex.objects.filter(year=year).first() if year else None
    status = 200
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("Kun økonomikonsulenten og administratoren retter PL-skønnet.")
        form = PriceIndexForm(request.POST, instance=instance or PriceIndex())
        if form.is_valid():
            try:
                saved = form.save(commit=False)
                saved.updated_by = user
                if saved.pk:
                    save_versioned(saved, seen_version=form.cleaned_data["version"])
                else:
                    saved.save()
            except VersionConflict as conflict:
                form.add_error(None, conflict.message())
                status = 409
            else:
                messages.success(request, f"PL-skønnet for {saved.year} er gemt.")
                return redirect(reverse("rates:price_index"))
        else:
            status = 409 if form.conflict else 400
    else:
        form = PriceIndexForm(instance=instance, initial={} if instance else {"year": dt.date.today().year + 1})
    return render(
        request,
        "rates/price_index.html",
        {
            "rows": list(PriceIndex.objects.select_related("updated_by").order_by("year")),
            "form": form,
            "editing": instance,
            "can_write": can_write,
        },
        status=status,
    )


def _from_year(request: HttpRequest) -> int:
    raw = request.GET.get("fra", "") or request.POST.get("fra", "")
    year = _year_param(raw)
    return year if year is not None else dt.date.today().year


@login_required
@require_http_methods(["GET", "POST"])
def index_step(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not indexing.can_index(user):
        raise PermissionDenied("Kun økonomikonsulenten og administratoren fremskriver priser.")
    try:
        from_year = _from_year(request)
    except ValueError as exc:
        return _bad(request, str(exc))
    url = f"{reverse('rates:index_step')}?fra={from_year}"
    status = 200
    if request.method == "POST":
        fingerprint = request.POST.get("fingerprint", "")
        if len(fingerprint) != 64:
            return _bad(request, "Forhåndsvisningen mangler. Genindlæs siden, og bekræft igen.")
        try:
            run = indexing.apply(from_year=from_year, user=user, fingerprint=fingerprint)
        except indexing.IndexConflict as exc:
            messages.error(request, str(exc))
            status = 409
        except indexing.IndexStepError as exc:
            messages.error(request, str(exc))
            status = 400
        else:
            messages.success(
                request,
                f"Priserne er fremskrevet fra {from_year} til {from_year + 1} med PL "
                f"{format_number(run.pl_pct, 2)} %: "
                f"{len(run.lines)} linjer skrevet. Fremskrivningen kan fortrydes herunder.",
            )
            return redirect(url)
    plan = indexing.plan(from_year, user, preview_lines=PREVIEW_LINES)
    groups = plan.groups(shown=PREVIEW_LINES)
    for g in groups:
        g["rows_html"] = index_rows_html(g["shown"])
    return render(
        request,
        "rates/index_step.html",
        {
            "plan": plan,
            "groups": groups,
            "from_year": from_year,
            "years": list(range(dt.date.today().year - 2, dt.date.today().year + 3)),
            "index": PriceIndex.objects.filter(year=from_year + 1).first(),
            "runs": indexing.runs(),
        },
        status=status,
    )


@login_required
@require_POST
def index_undo(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = request.user
    if not indexing.can_index(user):
        raise PermissionDenied("Kun økonomikonsulenten og administratoren fortryder en fremskrivning.")
    run = get_object_or_404(IndexRun, pk=pk)
    url = f"{reverse('rates:index_step')}?fra={run.from_year}"
    raw = request.POST.get("version", "")
    if not (raw.isascii() and raw.isdigit()):
        return _bad(request, "Formularen mangler versionsnummer. Genindlæs siden og prøv igen.")
    try:
        indexing.undo(run=run, user=user, seen_version=int(raw))
    except VersionConflict as conflict:
        messages.error(request, conflict.message())
    except indexing.IndexStepError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"Fremskrivningen {run.from_year} → {run.to_year} er fortrudt.")
    return redirect(url)
