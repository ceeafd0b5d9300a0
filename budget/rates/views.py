"""Rate pages (/takster/): the overview per year, a home's calculation line
by line with the consultant's inputs and approval, and the export for
publishing. Every view starts from ``Home.objects.visible_to`` (the
authority sees no home's budget: 404)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings as dj_settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.dates import add_months
from botilbud.lib.locking import VersionConflict, save_versioned
from botilbud.lib.money import ZERO
from botilbud.lib.planner import joins_in_written_order
from botilbud.lib.spreadsheet import DATE_FORMAT, MONEY_FORMAT, safe_text, streaming_sheet, xlsx_response
from botilbud.models import Home, Municipality, User
from botilbud.permissions import can
from botilbud.registry import home_tabs_for
from budget.rates import selectors, services, settlement
from budget.rates.calc import RateError
from budget.rates.export import rates_workbook
from budget.rates.forms import RateCalculationForm, RateLevelFormSet
from budget.rates.models import RateCalculation
from budget.rates.rows import settlement_rows_html


class BadParameter(Exception):
    pass


def _year(request: AuthenticatedHttpRequest) -> int:
    raw = request.GET.get("aar", "") or request.POST.get("aar", "")
    if not raw:
        return dt.date.today().year + 1
    if not (raw.isascii() and raw.isdigit()) or not 2000 <= int(raw) <= 2100:
        raise BadParameter(f"»{raw}« er ikke et gyldigt år.")
    return int(raw)


def _bad(request: AuthenticatedHttpRequest, message: str) -> HttpResponse:
    return render(request, "budget/bad_request.html", {"message": message}, status=400)


def _tabs(user: User) -> list:
    return home_tabs_for(user)


def _years() -> list[int]:
    this = dt.date.today().year
    return list(range(this - 2, this + 3))


@login_required
@require_GET
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    try:
        year = _year(request)
    except BadParameter as exc:
        return _bad(request, str(exc))
    if not can(user, "rates.view"):
        raise Http404("Takstberegninger er botilbuddenes økonomi.")
    rows = selectors.overview_rows(user, year)
    return render(
        request,
        "rates/overview.html",
        {
            "year": year,
            "years": _years(),
            "rows": rows,
            "approved": sum(1 for r in rows if r["calc"] and r["calc"].is_approved),
            "can_index": can(user, "rates.index"),
        },
    )


def _calc_for(home: Home, year: int) -> RateCalculation:
    calc = RateCalculation.objects.filter(home=home, year=year).select_related("approved_by", "updated_by").first()
    return calc or selectors.new_calculation(home, year)


@login_required
@require_http_methods(["GET", "POST"])
def home_rate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    home = get_home_for_user(request, pk)
    user = request.user
    try:
        year = _year(request)
    except BadParameter as exc:
        return _bad(request, str(exc))
    calc = _calc_for(home, year)
    can_write = services.can_write_rates(user, home) and not calc.is_approved
    status = 200
    if request.method == "POST":
        services.require_rate_writer(user, home)
        form = RateCalculationForm(request.POST, instance=calc)
        formset = RateLevelFormSet(request.POST, instance=calc, prefix="niveau")
        if calc.is_approved:
            form.add_error(None, f"Taksten for {year} er godkendt og låst; den kan ikke ændres.")
            status = 409
        elif form.is_valid() and formset.is_valid():
            try:
                with transaction.atomic():
                    services.ensure_editable(calc)
                    saved = form.save(commit=False)
                    saved.updated_by = user
                    if saved.pk:
                        save_versioned(saved, seen_version=form.cleaned_data["version"])
                    else:
                        saved.save()
                    formset.instance = saved
                    formset.save()
                    selectors.rate_for(saved)  # refuse impossible inputs before they are stored
            except VersionConflict as conflict:
                form.add_error(None, conflict.message())
                status = 409
            except services.RateLocked as exc:
                form.add_error(None, str(exc))
                status = 409
            except RateError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, "Takstberegningen er gemt som kladde.")
                return redirect(f"{reverse('rates:home_rate', args=[home.pk])}?aar={year}")
        else:
            status = 409 if form.conflict else 400
        if status != 200:
            calc = _calc_for(home, year)
    else:
        form = RateCalculationForm(instance=calc)
        formset = RateLevelFormSet(instance=calc if calc.pk else RateCalculation(), prefix="niveau")
    result, error = None, None
    try:
        result = selectors.calculation_result(calc)
    except RateError as exc:
        error = str(exc)
    return render(
        request,
        "rates/home_rate.html",
        {
            "home": home,
            "tabs": _tabs(user),
            "active_tab": "rates:home_rate",
            "year": year,
            "years": _years(),
            "calc": calc,
            "result": result,
            "error": error,
            "form": form,
            "formset": formset,
            "can_write": can_write,
            "can_approve": can_write and calc.pk is not None and result is not None,
            "can_reopen": calc.is_approved and can(user, "rates.approve", home),
            "approvals": selectors.approvals(calc) if calc.pk else [],
        },
        status=status,
    )


@login_required
@require_POST
def approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    home = get_home_for_user(request, pk)
    user = request.user
    try:
        year = _year(request)
    except BadParameter as exc:
        return _bad(request, str(exc))
    services.require_rate_writer(user, home)
    calc = RateCalculation.objects.filter(home=home, year=year).first()
    url = f"{reverse('rates:home_rate', args=[home.pk])}?aar={year}"
    raw = request.POST.get("version", "")
    if calc is None or not (raw.isascii() and raw.isdigit()):
        return _bad(request, "Gem takstberegningen, før den godkendes.")
    try:
        services.approve(calc=calc, user=user, seen_version=int(raw))
    except VersionConflict as conflict:
        messages.error(request, conflict.message())
        return redirect(url)
    except (services.RateLocked, RateError) as exc:
        messages.error(request, str(exc))
        return redirect(url)
    messages.success(request, f"Taksten for {year} er godkendt og låst.")
    return redirect(url)


@login_required
@require_POST
def reopen(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Reopen an approved rate with a reason (audited); the approved version stays in the history."""
    home = get_home_for_user(request, pk)
    user = request.user
    try:
        year = _year(request)
    except BadParameter as exc:
        return _bad(request, str(exc))
    if not can(user, "rates.approve", home):
        raise PermissionDenied("Kun botilbuddets økonomikonsulent (og administratoren) genåbner takster.")
    calc = RateCalculation.objects.filter(home=home, year=year).first()
    url = f"{reverse('rates:home_rate', args=[home.pk])}?aar={year}"
    raw = request.POST.get("version", "")
    if calc is None or not (raw.isascii() and raw.isdigit()):
        return _bad(request, f"Der er ingen godkendt takst for {year} at genåbne.")
    try:
        services.reopen(calc=calc, user=user, seen_version=int(raw), reason=request.POST.get("reason", ""))
    except VersionConflict as conflict:
        messages.error(request, conflict.message())
        return redirect(url)
    except services.ReopenError as exc:
        messages.error(request, str(exc))
        return redirect(url)
    messages.success(
        request,
        f"Taksten for {year} er genåbnet. Den godkendte takst gælder, indtil den nye beregning er godkendt.",
    )
    return redirect(url)


@login_required
@require_GET
def export(request: AuthenticatedHttpRequest) -> HttpResponse | FileResponse:
    """Approved rates for publishing: per offer and support level, day, month and year rate."""

    user = request.user
    try:
        year = _year(request)
    except BadParameter as exc:
        return _bad(request, str(exc))
    return xlsx_response(rates_workbook(user, year), f"takster-{year}.xlsx")


# --- Settlement (mellemkommunal afregning) -------------------------------------------


def _month(request: AuthenticatedHttpRequest) -> dt.date:
    raw = request.GET.get("maaned", "") or request.POST.get("maaned", "")
    if not raw:
        today = dt.date.today()
        return add_months(dt.date(today.year, today.month, 1), -1)
    parts = raw.split("-")
    if (
        len(parts) != 2
        or not all(x.isascii() and x.isdigit() for x in parts)
        or not 2000 <= int(parts[0]) <= 2100
        or not 1 <= int(parts[1]) <= 12
    ):
        raise BadParameter(f"»{raw}« er ikke en gyldig måned (åååå-mm).")
    return dt.date(int(parts[0]), int(parts[1]), 1)


def _months_choice(selected: dt.date) -> list[dt.date]:
    today = dt.date.today()
    this = dt.date(today.year, today.month, 1)
    months = [add_months(this, -i) for i in range(0, 24)]
    if selected not in months:
        months.append(selected)
    return months


@login_required
@require_GET
def settlement_overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    try:
        month = _month(request)
    except BadParameter as exc:
        return _bad(request, str(exc))
    if not can(user, "rates.view"):
        raise Http404("Afregninger hører til botilbuddenes økonomi.")
    home_ids = list(Home.objects.visible_to(user).values_list("pk", flat=True))
    with joins_in_written_order():  # planning the sales query's joins cost more than running it
        rows = settlement.overview(home_ids, month)
    return render(
        request,
        "rates/settlement_overview.html",
        {
            "month": month,
            "months": _months_choice(month),
            "rows": rows,
            "rows_html": settlement_rows_html(rows, month),
            "income_total": sum((r["income"] for r in rows), ZERO),
            "days_total": sum(r["days"] for r in rows),
        },
    )


def _statement_args(request: AuthenticatedHttpRequest, pk: int, code: int, month_text: str):
    home = get_home_for_user(request, pk)
    municipality = Municipality.objects.filter(pk=code).first()
    parts = month_text.split("-")
    if municipality is None or municipality.is_own:
        raise Http404("Kommunen findes ikke.")
    if (
        len(parts) != 2
        or not all(x.isascii() and x.isdigit() for x in parts)
        or not (2000 <= int(parts[0]) <= 2100 and 1 <= int(parts[1]) <= 12)
    ):
        raise BadParameter(f"»{month_text}« er ikke en gyldig måned.")
    return home, municipality, dt.date(int(parts[0]), int(parts[1]), 1)


@login_required
@require_GET
def statement_detail(request: AuthenticatedHttpRequest, pk: int, code: int, month: str) -> HttpResponse | FileResponse:
    user = request.user
    try:
        home, municipality, first = _statement_args(request, pk, code, month)
    except BadParameter as exc:
        return _bad(request, str(exc))
    view = settlement.statement(home.pk, municipality.pk, first)
    if request.GET.get("format") == "xlsx":
        return _statement_xlsx(home, municipality, view)
    return render(
        request,
        "rates/statement.html",
        {
            "home": home,
            "municipality": municipality,
            "month": first,
            "view": view,
            "can_send": view.sent is None and bool(view.lines) and services.can_write_rates(user, home),
        },
    )


@login_required
@require_POST
def statement_send(request: AuthenticatedHttpRequest, pk: int, code: int, month: str) -> HttpResponse:
    user = request.user
    try:
        home, municipality, first = _statement_args(request, pk, code, month)
    except BadParameter as exc:
        return _bad(request, str(exc))
    services.require_rate_writer(user, home)
    url = reverse("rates:statement", args=[home.pk, municipality.pk, month])
    try:
        settlement.send(home=home, municipality_code=municipality.pk, month=first, user=user)
    except settlement.SettlementError as exc:
        messages.error(request, str(exc))
        return redirect(url)
    messages.success(request, f"Afregningen til {municipality.name} for {first:%m-%Y} er markeret som sendt.")
    return redirect(url)


def _statement_xlsx(home: Home, municipality: Any, view: settlement.StatementView) -> FileResponse:
    wb = Workbook(write_only=True)
    ws = streaming_sheet(wb, "Afregning")
    ws.append([f"Mellemkommunal afregning {view.month:%m-%Y}"])
    ws.append([f"Fra: {settings_name()} – {safe_text(home.name)}"])
    ws.append([f"Til: {municipality.name} Kommune ({municipality.code})"])
    ws.append(["Sendt" if view.sent else "Kladde (ikke sendt)"])
    ws.append([])
    ws.append(["Sagsnummer", "Initialer", "Art", "Niveau", "Fra", "Til", "Dage", "Døgntakst", "Beløb"])

    def money(value: Any) -> Any:
        cell = WriteOnlyCell(ws.sheet, value=value)
        cell.number_format = MONEY_FORMAT
        return cell

    def date(value: Any) -> Any:
        cell = WriteOnlyCell(ws.sheet, value=value)
        cell.number_format = DATE_FORMAT
        return cell

    for ln in view.lines:
        kind = "Korrektion for " + ln.corrects_month.strftime("%m-%Y") if ln.corrects_month else "Ophold"
        ws.append(
            [
                safe_text(ln.case_number),
                safe_text(ln.initials),
                kind,
                safe_text(ln.level),
                date(ln.period_start),
                date(ln.period_end),
                ln.days,
                money(ln.day_rate),
                money(ln.amount),
            ]
        )
    ws.append(["I alt", "", "", "", "", "", "", "", money(view.total)])
    return xlsx_response(wb, f"afregning-{municipality.code}-{home.pk}-{view.month:%Y-%m}.xlsx")


def settings_name() -> str:
    return getattr(dj_settings, "MUNICIPALITY_NAME", "")
