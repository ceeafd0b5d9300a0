"""Pages of the budget year's life cycle: omplacering, the approval queue of corrections,
the year-end close with its carry-overs and each home's year-end statement.

Every view starts from a queryset scoped to the user (``get_home_for_user`` or
``Home.objects.visible_to``); another home's correction gives 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.locking import VersionConflict
from botilbud.lib.spreadsheet import xlsx_response
from botilbud.models import Home
from botilbud.permissions import can, require
from botilbud.registry import home_tabs_for
from budget import corrections, export, selectors, yearend
from budget.forms import CarryOverDecisionForm, DecisionForm, ReallocationForm, YearCloseForm, YearReopenForm
from budget.models import BudgetCorrection, BudgetLine, CarryOver, YearEnd


def _form_errors(form) -> str:  # noqa: ANN001
    return "; ".join(f"{form.fields[f].label or f}: {' '.join(e)}" for f, e in form.errors.items() if f in form.fields)


@login_required
@require_POST
def reallocation_add(request: AuthenticatedHttpRequest, pk: int, year: int) -> HttpResponse:
    """Propose an omplacering from this home's budget line to another home or account group."""
    user = request.user
    home = get_home_for_user(request, pk)
    if not corrections.can_register(user, home):
        raise PermissionDenied("Kun botilbuddets økonomikonsulent kan omplacere budget.")
    back = f"{reverse('budget:home_budget', args=[home.pk])}?aar={year}#korrektioner"
    targets = Home.objects.all() if can(user, "budget.manage_any_home") else Home.objects.writable_by(user)
    form = ReallocationForm(request.POST, target_homes=targets.filter(is_active=True))
    if not form.is_valid():
        messages.error(request, f"Omplaceringen er ikke gemt. {_form_errors(form)}")
        return redirect(back)
    data = form.cleaned_data
    source = BudgetLine.objects.filter(home=home, year=year, group=data["source_group"]).first()
    if source is None:
        messages.error(
            request, f"Omplaceringen er ikke gemt. {home.name} har intet budget for den kontogruppe i {year}."
        )
        return redirect(back)
    try:
        corrections.reallocation_register(
            source=source,
            target_home=data["target_home"],
            target_group=data["target_group"],
            amount=data["amount"],
            reason=data["reason"],
            date=data["date"],
            user=user,
        )
    except corrections.CorrectionError as exc:
        messages.error(request, f"Omplaceringen er ikke gemt. {exc}")
        return redirect(back)
    messages.success(request, "Omplaceringen er registreret (begge sider) og venter på fagchefens godkendelse.")
    return redirect(back)


@login_required
@require_GET
def correction_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Proposed corrections on the user's homes; the department head decides them here."""
    user = request.user
    require(user, "budget.view_correction_queue")
    items: list[dict] = []
    by_transfer: dict = {}
    for correction in corrections.pending_for(user)[:200]:
        if correction.transfer:
            item = by_transfer.get(correction.transfer)
            if item is None:
                item = by_transfer[correction.transfer] = {"first": correction, "sides": []}
                items.append(item)
            item["sides"].append(correction)
        else:
            items.append({"first": correction, "sides": [correction]})
    return render(
        request,
        "budget/correction_queue.html",
        {"items": items, "can_decide": can(user, "budget.decide_correction")},
    )


@login_required
@require_POST
def correction_decide(request: AuthenticatedHttpRequest, correction_pk: int) -> HttpResponse:
    user = request.user
    require(user, "budget.view_correction_queue")
    correction = get_object_or_404(
        BudgetCorrection.objects.filter(line__home__in=Home.objects.visible_to(user)), pk=correction_pk
    )
    if not can(user, "budget.decide_correction"):
        raise PermissionDenied("Kun fagchefen kan godkende korrektioner.")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Ikke afgjort. {_form_errors(form)}")
        return redirect("budget:correction_queue")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        corrections.correction_decide(
            correction=correction,
            user=user,
            approve=approve,
            seen_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except VersionConflict as conflict:
        messages.error(request, conflict.message())
        return redirect("budget:correction_queue")
    except corrections.CorrectionError as exc:
        messages.error(request, str(exc))
        return redirect("budget:correction_queue")
    label = correction.get_kind_display().lower()
    messages.success(request, f"{label.capitalize()} er {'godkendt' if approve else 'afvist'}.")
    return redirect("budget:correction_queue")


def _check_year(year: int) -> None:
    if not 2000 <= year <= 2100:
        raise Http404("Året findes ikke.")


@login_required
@require_GET
def year_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The budget years with their status (open, closed, reopened)."""
    user = request.user
    require(user, "budget.view_years")
    return render(
        request,
        "budget/year_list.html",
        {
            "rows": selectors.budget_years(user),
            "pending_corrections": corrections.pending_for(user).count(),
            "today": timezone.localdate(),
        },
    )


@login_required
@require_GET
def year_detail(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    user = request.user
    require(user, "budget.view_years")
    _check_year(year)
    detail = selectors.year_end_detail(user, year)
    return render(
        request,
        "budget/year_detail.html",
        {
            "year": year,
            **detail,
            "can_close": can(user, "budget.close_year") and year < timezone.localdate().year,
            "can_approve": can(user, "budget.approve_carry_over"),
            "default_cap": yearend.DEFAULT_CAP_PCT,
        },
    )


def _back(year: int) -> HttpResponse:
    return redirect("budget:year_detail", year=year)


@login_required
@require_POST
def year_close(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    user = request.user
    require(user, "budget.close_year")
    _check_year(year)
    form = YearCloseForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Året er ikke lukket. {_form_errors(form)}")
        return _back(year)
    try:
        yearend.year_close(year=year, user=user, cap_pct=form.cleaned_data["cap_pct"])
    except yearend.YearEndError as exc:
        messages.error(request, str(exc))
        return _back(year)
    messages.success(
        request, f"{year} er lukket: forbruget er låst, og overførslerne er beregnet og venter på fagchefen."
    )
    return _back(year)


@login_required
@require_POST
def year_reopen(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    user = request.user
    require(user, "budget.close_year")
    year_end = get_object_or_404(YearEnd, year=year)
    form = YearReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Året er ikke genåbnet. {_form_errors(form)}")
        return _back(year)
    try:
        yearend.year_reopen(
            year_end=year_end, user=user, reason=form.cleaned_data["reason"], seen_version=form.cleaned_data["version"]
        )
    except VersionConflict as conflict:
        messages.error(request, conflict.message())
        return _back(year)
    except yearend.YearEndError as exc:
        messages.error(request, str(exc))
        return _back(year)
    messages.success(request, f"{year} er genåbnet: forbruget kan indlæses igen. Luk året igen bagefter.")
    return _back(year)


@login_required
@require_POST
def carry_over_approve(request: AuthenticatedHttpRequest, year: int, carry_over_pk: int) -> HttpResponse:
    user = request.user
    require(user, "budget.view_years")
    carry_over = get_object_or_404(
        CarryOver.objects.filter(year_end__year=year, home__in=Home.objects.visible_to(user)), pk=carry_over_pk
    )
    if not can(user, "budget.approve_carry_over"):
        raise PermissionDenied("Kun fagchefen kan godkende overførsler.")
    form = CarryOverDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Overførslen er ikke godkendt. {_form_errors(form)}")
        return _back(year)
    try:
        yearend.carry_over_approve(
            carry_over=carry_over,
            user=user,
            seen_version=form.cleaned_data["version"],
            amount=form.cleaned_data["amount"],
            note=form.cleaned_data["note"],
        )
    except VersionConflict as conflict:
        messages.error(request, conflict.message())
        return _back(year)
    except yearend.YearEndError as exc:
        messages.error(request, str(exc))
        return _back(year)
    messages.success(request, f"Overførslen for {carry_over.home.name} er godkendt og bogført på {year + 1}.")
    return _back(year)


@login_required
@require_POST
def carry_over_approve_all(request: AuthenticatedHttpRequest, year: int) -> HttpResponse:
    user = request.user
    require(user, "budget.approve_carry_over")
    year_end = get_object_or_404(YearEnd, year=year)
    try:
        count = yearend.approve_all(
            year_end=year_end, user=user, home_ids=list(Home.objects.visible_to(user).values_list("pk", flat=True))
        )
    except yearend.YearEndError as exc:
        messages.error(request, str(exc))
        return _back(year)
    messages.success(request, f"{count} overførsler er godkendt og bogført på budget {year + 1}.")
    return _back(year)


@login_required
@require_GET
def year_statement(request: AuthenticatedHttpRequest, pk: int, year: int) -> HttpResponse | FileResponse:
    """A home's year-end statement: result per account group and the carry-over's computation."""
    home = get_home_for_user(request, pk)
    _check_year(year)

    context = {"home": home, "year": year, **selectors.year_statement(home, year)}
    if request.GET.get("format") == "xlsx":
        workbook = export.year_statement_workbook(home, year, context)
        return xlsx_response(workbook, f"aarsafslutning-{year}-{home.cost_centre}.xlsx")
    return render(request, "budget/year_statement.html", {**context, "tabs": home_tabs_for(request.user)})
