"""The home's ledger page and its inline (HTMX) actions.

Every view starts from a user-scoped queryset: ``get_home_for_user`` for a
home, ``LedgerEntry.objects.visible_to`` for an entry (404 for outsiders,
403 for readers who try to write). Every action also works without
JavaScript: a plain POST answers with a redirect back to the ledger.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from botilbud.access import can_write_home, get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.locking import VersionConflict
from botilbud.lib.spreadsheet import xlsx_response
from botilbud.models import Home
from disponering import selectors, services
from disponering.export import ledger_workbook
from disponering.forms import ConsequenceForm, LeaveForm, LedgerEntryForm
from disponering.models import LeaveRules, LedgerEntry, Status
from disponering.rows import RowUrls, row_html, rows_html

MIN_YEAR, MAX_YEAR = 2000, 2100


def _year(request: AuthenticatedHttpRequest, default: int | None = None) -> int:
    raw = request.GET.get("aar") or request.POST.get("aar") or ""
    try:
        year = int(raw)
    except ValueError:
        return default or timezone.localdate().year
    if not MIN_YEAR <= year <= MAX_YEAR:
        return default or timezone.localdate().year
    return year


def _ledger_url(home_id: int, year: int, **filters: str) -> str:
    params = {"aar": year, **{k: v for k, v in filters.items() if v}}
    return reverse("disponering:ledger", args=[home_id]) + "?" + urlencode(params)


def _entry_for_user(request: AuthenticatedHttpRequest, pk: int, *, write: bool) -> LedgerEntry:
    user = request.user
    try:
        entry = LedgerEntry.objects.visible_to(user).select_related("home", "registered_by").get(pk=pk)
    except LedgerEntry.DoesNotExist:
        raise Http404("Disponeringen findes ikke, eller du har ikke adgang til den.") from None
    if write and not can_write_home(user, entry.home):
        raise PermissionDenied("Du kan se denne disponering, men ikke ændre den.")
    return entry


def _changed(response: HttpResponse, *, added: bool = False) -> HttpResponse:
    trigger_client_event(response, "ledgerChanged")
    if added:
        trigger_client_event(response, "entryAdded")
    return response


def _row_response(entry: LedgerEntry, can_write: bool, year: int, row_error: str = "") -> HttpResponse:
    """One entry's table row, the answer to an inline (HTMX) action."""
    return HttpResponse(row_html(entry, RowUrls(year), can_write=can_write, row_error=row_error))


@login_required
@require_GET
def ledger(request: AuthenticatedHttpRequest, home_pk: int) -> HttpResponse:
    home = get_home_for_user(request, home_pk)
    year = _year(request)
    filters = selectors.LedgerFilters.parse(request.GET)
    can_write = can_write_home(request.user, home)
    part = request.GET.get("del", "")
    context = selectors.ledger_page(home, year, filters, can_write=can_write)
    if request.htmx and part == "grid":
        context["grid"] = selectors.ledger_grid(home, year)
        return render(request, "disponering/ledger.html#grid", context)
    page = selectors.ledger_entries_page(home, year, filters, request.GET.get("side"))
    context["page"] = page
    context["rows"] = rows_html(list(page.object_list), year, can_write=can_write)
    if request.htmx and part == "entries":
        return render(request, "disponering/ledger.html#entries", context)
    context["grid"] = selectors.ledger_grid(home, year)
    # The two forms for a new entry and the income-consequence form are fetched
    # when the user opens them (entry_create / leave_create / consequence_preview
    # answer a GET with the form).
    return render(request, "disponering/ledger.html", context)


def _form_response(
    request: AuthenticatedHttpRequest, template: str, context: dict[str, Any], status: int = 200
) -> HttpResponse:
    return render(request, template, context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def entry_create(request: AuthenticatedHttpRequest, home_pk: int) -> HttpResponse:
    home = get_home_for_user(request, home_pk, write=True)
    year = _year(request)
    if request.method == "GET":
        template = "disponering/ledger.html#entry-form" if request.htmx else "disponering/entry_form_page.html"
        return render(request, template, {"form": LedgerEntryForm(year=year), "home": home, "year": year})
    form = LedgerEntryForm(request.POST, year=year)
    if not form.is_valid():
        template = "disponering/ledger.html#entry-form" if request.htmx else "disponering/entry_form_page.html"
        return _form_response(request, template, {"form": form, "home": home, "year": year}, status=422)
    fields = form.service_fields()
    services.entry_create(home=home, user=request.user, monthly=form.monthly, **fields)
    if request.htmx:
        fresh = LedgerEntryForm(year=year)
        response = render(
            request,
            "disponering/ledger.html#entry-form",
            {"form": fresh, "home": home, "year": year, "saved": True},
        )
        return _changed(response, added=True)
    messages.success(request, "Disponeringen er gemt.")
    return redirect(_ledger_url(home.pk, year))


@login_required
@require_http_methods(["GET", "POST"])
def leave_create(request: AuthenticatedHttpRequest, home_pk: int) -> HttpResponse:
    home = get_home_for_user(request, home_pk, write=True)
    year = _year(request)
    if request.method == "GET":
        template = "disponering/ledger.html#leave-form" if request.htmx else "disponering/leave_form_page.html"
        context = {"leave_form": LeaveForm(year=year), "leave_rules": LeaveRules.load(), "home": home, "year": year}
        return render(request, template, context)
    form = LeaveForm(request.POST, year=year)
    if not form.is_valid():
        template = "disponering/ledger.html#leave-form" if request.htmx else "disponering/leave_form_page.html"
        context = {"leave_form": form, "leave_rules": LeaveRules.load(), "home": home, "year": year}
        return _form_response(request, template, context, status=422)
    entries = services.leave_create(home=home, user=request.user, **form.cleaned_data)
    if request.htmx:
        response = render(
            request,
            "disponering/ledger.html#leave-form",
            {"leave_form": LeaveForm(year=year), "home": home, "year": year, "leave_saved": entries},
        )
        return _changed(response, added=True)
    messages.success(request, "Fraværet er gemt som disponering.")
    return redirect(_ledger_url(home.pk, year))


@login_required
@require_POST
def leave_preview(request: AuthenticatedHttpRequest, home_pk: int) -> HttpResponse:
    home = get_home_for_user(request, home_pk, write=True)
    year = _year(request)
    form = LeaveForm(request.POST, year=year)
    effect = None
    if form.is_valid():
        data = form.cleaned_data
        effect = services.leave_effect(
            monthly_wage=data["monthly_wage"],
            start_date=data["start_date"],
            end_date=data["end_date"],
            temp_percent=data["temp_percent"],
            monthly_refund=data["monthly_refund"],
            with_pay=data["with_pay"],
            refund_to_home=LeaveRules.load().refund_to_home(data["category"]),
        )
    template = "disponering/ledger.html#leave-preview" if request.htmx else "disponering/leave_form_page.html"
    return render(
        request,
        template,
        {"effect": effect, "leave_form": form, "home": home, "year": year},
        # A live preview of a half-filled form is no error; a plain POST is.
        status=200 if effect or request.htmx else 422,
    )


@login_required
@require_GET
def consequence_preview(request: AuthenticatedHttpRequest, home_pk: int) -> HttpResponse:
    """The allocation model's income consequence per month, before anything is saved.

    A GET without any of the form's fields is the empty form (the ledger page
    fetches it when the user opens it, with ``aar`` for the default date)."""
    home = get_home_for_user(request, home_pk)
    year = _year(request)
    context: dict[str, Any] = {"home": home, "year": year}
    if not any(name in request.GET for name in ConsequenceForm.base_fields):
        context["consequence_form"] = ConsequenceForm(initial={"from_date": dt.date(year, 7, 1)})
        template = "disponering/ledger.html#consequence-form" if request.htmx else "disponering/consequence_page.html"
        return render(request, template, context)
    form = ConsequenceForm(request.GET)
    context["consequence_form"] = form
    if form.is_valid():
        data = form.cleaned_data
        context.update(
            services.consequence_summary(
                home,
                old_weekly_hours=data["hours_from"],
                new_weekly_hours=data["hours_to"],
                from_date=data["from_date"],
            )
        )
    template = "disponering/ledger.html#consequence" if request.htmx else "disponering/consequence_page.html"
    return render(request, template, context, status=200 if form.is_valid() else 422)


@login_required
@require_http_methods(["GET", "POST"])
def entry_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    entry = _entry_for_user(request, pk, write=True)
    year = _year(request, default=entry.start_date.year)
    if request.method == "GET":
        form = LedgerEntryForm(instance=entry, year=year)
        template = "disponering/ledger.html#edit-row" if request.htmx else "disponering/entry_edit.html"
        return render(request, template, {"form": form, "entry": entry, "home": entry.home, "year": year})
    form = LedgerEntryForm(request.POST, instance=entry, year=year)
    conflict_message = ""
    if form.is_valid():
        try:
            entry = services.entry_update(
                entry=entry, seen_version=form.cleaned_data["version"], monthly=form.monthly, **form.service_fields()
            )
        except VersionConflict as conflict:
            form.conflict = conflict
        else:
            if request.htmx:
                response = _row_response(entry, True, year)
                return _changed(response)
            messages.success(request, "Disponeringen er gemt.")
            return redirect(_ledger_url(entry.home_id, year))
    status = 422
    if form.conflict is not None:
        # Show the other person's change and the entry as it is now; the user
        # re-enters their change on top of it.
        status = 409
        conflict_message = form.conflict.message()
        entry = _entry_for_user(request, pk, write=True)
        form = LedgerEntryForm(instance=entry, year=year)
    template = "disponering/ledger.html#edit-row" if request.htmx else "disponering/entry_edit.html"
    return render(
        request,
        template,
        {"form": form, "entry": entry, "home": entry.home, "year": year, "conflict_message": conflict_message},
        status=status,
    )


def _status_action(request: AuthenticatedHttpRequest, pk: int, action: str) -> HttpResponse:
    entry = _entry_for_user(request, pk, write=True)
    year = _year(request, default=entry.start_date.year)
    try:
        seen = int(request.POST.get("version", ""))
    except ValueError:
        seen = None
    error = ""
    if seen is None:
        error = "Formularen mangler versionsnummer. Genindlæs siden og prøv igen."
        status = 400
    else:
        try:
            if action == "confirm":
                if entry.status == Status.CANCELLED:
                    raise PermissionDenied("En annulleret disponering kan ikke bekræftes.")
                services.entry_confirm(entry=entry, seen_version=seen)
            else:
                services.entry_cancel(entry=entry, seen_version=seen)
        except VersionConflict as conflict:
            error = conflict.message()
            status = 409
            # save_versioned re-read the entry's own model, locked: the entry as it is now.
            assert isinstance(conflict.current, LedgerEntry)
            entry = conflict.current
    if request.htmx:
        response = _row_response(entry, True, year, row_error=error)
        if error:
            response.status_code = status
            return response
        return _changed(response)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request, "Disponeringen er bekræftet." if action == "confirm" else "Disponeringen er annulleret."
        )
    return redirect(_ledger_url(entry.home_id, year))


@login_required
@require_POST
def entry_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, "confirm")


@login_required
@require_POST
def entry_cancel(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _status_action(request, pk, "cancel")


@login_required
@require_GET
def entry_row(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One entry's row (the "Fortryd" of an inline edit)."""
    entry = _entry_for_user(request, pk, write=False)
    year = _year(request, default=entry.start_date.year)
    can_write = can_write_home(request.user, entry.home)
    if not request.htmx:
        return redirect(_ledger_url(entry.home_id, year))
    return _row_response(entry, can_write, year)


@login_required
@require_GET
def export(request: AuthenticatedHttpRequest, home_pk: int) -> FileResponse:
    home: Home = get_home_for_user(request, home_pk)
    year = _year(request)
    return xlsx_response(ledger_workbook(home, year), f"disponering-{home.cost_centre}-{year}.xlsx")
