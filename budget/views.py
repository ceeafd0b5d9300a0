"""Pages of the budget app: a home's budget and forecast, the actuals import,
the staff-hours tool and the allocation model.

Every view starts from ``get_home_for_user`` (404 for outsiders, including the
authority) or, for the import, from the role check.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.dates import MONTH_ABBR, MONTH_NAMES
from botilbud.lib.dates import selectable_years as lib_selectable_years
from botilbud.lib.locking import VersionConflict
from botilbud.lib.money import ZERO
from botilbud.models import AccountGroup, Home, User
from botilbud.permissions import can, require
from botilbud.registry import home_tabs_for
from budget import importer, monthly_profiles, selectors, services
from budget.forms import ActualsUploadForm, CorrectionForm, ProfileForm, StaffingPlanForm, staff_group_formset
from budget.models import ActualsImport, BudgetLine, StaffingPlan
from budget.staffing import GroupInput, StaffingInput, roster_cost, staff_hours
from disponering.selectors import staff_changes


class BadParameter(Exception):
    pass


def _year(request: AuthenticatedHttpRequest) -> int:
    raw = request.GET.get("aar", "")
    if not raw:
        return dt.date.today().year
    if not (raw.isascii() and raw.isdigit()) or not 2000 <= int(raw) <= 2100:
        raise BadParameter(f"»{raw}« er ikke et gyldigt år.")
    return int(raw)


def _month(request: AuthenticatedHttpRequest, home_ids: list[int], year: int) -> int:
    raw = request.GET.get("maaned", "")
    if raw:
        if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= 12:
            raise BadParameter(f"»{raw}« er ikke en gyldig måned (1-12).")
        return int(raw)
    latest = selectors.latest_actual_month(home_ids, year)
    if latest:
        return latest
    # No actuals for the year yet: the forecast is the budget (as on the
    # dashboard, budget.dashboard.selectors.economy); a past year counts as closed.
    return 12 if year < dt.date.today().year else 0


def selectable_years(year: int, today: dt.date | None = None) -> list[int]:
    """Every year with a budget (and five back, one ahead), always the year shown."""
    return lib_selectable_years(year, first=selectors.first_budget_year(), today=today)


def _bad_request(request: AuthenticatedHttpRequest, message: str) -> HttpResponse:
    return render(request, "budget/bad_request.html", {"message": message}, status=400)


# --- The home's budget page ------------------------------------------------------


@login_required
@require_GET
def home_budget(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    home = get_home_for_user(request, pk)
    user = request.user
    try:
        year = _year(request)
        month = _month(request, [home.pk], year)
    except BadParameter as exc:
        return _bad_request(request, str(exc))
    rows = selectors.forecast(home, year, month)
    total = selectors.forecast_total(rows)
    lines = list(BudgetLine.objects.filter(home=home, year=year))
    monthly = selectors.monthly_table(home, year, lines, month)
    lines_by_group = {line.group: line for line in lines}
    parts = selectors.group_parts(home.pk, year, month)
    groups = [
        {
            "group": g,
            "row": rows[g.value],
            "line": lines_by_group.get(g.value),
            "cells": monthly[g.value],
            "parts": parts.get(g.value, []),
        }
        for g in AccountGroup
    ]
    month_totals = []
    for i in range(12):
        cells = [monthly[g.value][i] for g in AccountGroup]
        month_totals.append(
            {
                "month": cells[0].month,
                "budget": sum((c.budget for c in cells), ZERO),
                "actual": None
                if all(c.actual is None for c in cells)
                else sum((c.actual or ZERO for c in cells), ZERO),
                "expected": sum((c.expected for c in cells), ZERO),
            }
        )
    chart, chart_rows = _budget_chart(month_totals, month)
    can_manage = services.can_manage_budget(user, home)
    from budget.followup.models import HomeFollowUp, Step
    from budget.moments import Moment

    followup = (
        HomeFollowUp.objects.filter(home=home, round__month=dt.date(year, month or 1, 1))
        .select_related("round")
        .first()
    )
    moment = Moment.live(
        year, month, dt.date.today(), followup.round if followup else None, followup.step if followup else ""
    )
    corrections = list(selectors.corrections_for(home, year)[:50])
    return render(
        request,
        "budget/home_budget.html",
        {
            "home": home,
            "tabs": _tabs(user),
            "active_tab": "budget:home_budget",
            "moment": moment,
            "frozen_round": followup.round if followup and followup.step == Step.APPROVED else None,
            "year": year,
            "month": month,
            "month_label": MONTH_NAMES[month - 1] if month else "",
            "years": selectable_years(year),
            "months": [(i, MONTH_NAMES[i - 1]) for i in range(1, 13)],
            "groups": groups,
            "total": total,
            "month_totals": month_totals,
            "chart": chart,
            "chart_rows": chart_rows,
            "corrections": corrections,
            "pending_count": sum(1 for c in corrections if c.status == "foreslaaet"),
            "year_statement_link": year < dt.date.today().year,
            "carried_in": sum(
                (c.amount for c in corrections if c.kind == "overfoersel" and c.status == "godkendt"), ZERO
            ),
            "can_manage": can_manage,
            "correction_form": CorrectionForm(initial={"date": dt.date.today()}) if can_manage else None,
            "reallocation_form": _reallocation_form(user, home) if can_manage else None,
        },
    )


def _reallocation_form(user: User, home: Home):  # noqa: ANN202
    from budget.forms import ReallocationForm

    targets = Home.objects.all() if can(user, "budget.manage_any_home") else Home.objects.writable_by(user)
    return ReallocationForm(
        initial={"date": dt.date.today(), "target_home": home.pk}, target_homes=targets.filter(is_active=True)
    )


def _budget_chart(month_totals: list[dict], month: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Cumulative net budget, actuals and the forecast path through the year."""
    labels = [MONTH_ABBR[i] for i in range(12)]
    budget_cum, actual_cum, forecast_path = [], [], []
    b = a = f = ZERO
    for index, cell in enumerate(month_totals, start=1):
        b += cell["budget"]
        budget_cum.append(b)
        if index <= month:
            a += cell["actual"] or ZERO
            actual_cum.append(a)
            f = a
            forecast_path.append(f if index == month else None)
        else:
            actual_cum.append(None)
            f += cell["budget"] + cell["expected"]
            forecast_path.append(f)
    series = [("Budget (profil)", budget_cum), ("Forbrug", actual_cum), ("Prognose", forecast_path)]
    chart = {
        "kind": "lines",
        "title": "Akkumuleret nettoforbrug",
        "x": labels,
        "y_title": "kr.",
        "series": [
            {"name": name, "values": [None if v is None else str(v) for v in values], "dash": name == "Prognose"}
            for name, values in series
        ],
    }
    rows = [{"label": MONTH_NAMES[i], "values": [values[i] for _, values in series]} for i in range(12)]
    return chart, rows


def _tabs(user: User) -> list:
    return home_tabs_for(user)


def _managed_home(request: AuthenticatedHttpRequest, pk: int) -> Home:
    home = get_home_for_user(request, pk)
    if not services.can_manage_budget(request.user, home):  # type: ignore[arg-type]
        raise PermissionDenied("Kun botilbuddets økonomikonsulent kan ændre budgettet.")
    return home


@login_required
@require_POST
def correction_add(request: AuthenticatedHttpRequest, pk: int, line_pk: int) -> HttpResponse:
    """A technical correction (approved at once) or a tillægsbevilling (to the department head)."""
    from budget.corrections import CorrectionError, correction_register
    from budget.models import CorrectionKind

    home = _managed_home(request, pk)
    line = get_object_or_404(BudgetLine, pk=line_pk, home=home)
    back = f"{reverse('budget:home_budget', args=[home.pk])}?aar={line.year}#korrektioner"
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(f"{form.fields[f].label}: {' '.join(e)}" for f, e in form.errors.items() if f in form.fields)
        messages.error(request, f"Korrektionen er ikke gemt. {errors}")
        return redirect(back)
    data = form.cleaned_data
    try:
        correction = correction_register(
            line=line,
            kind=data["kind"],
            amount=data["amount"],
            reason=data["reason"],
            date=data["date"],
            user=request.user,  # type: ignore[arg-type]
            council_decision=data["council_decision"],
            council_date=data["council_date"],
        )
    except CorrectionError as exc:
        messages.error(request, f"Korrektionen er ikke gemt. {exc}")
        return redirect(back)
    if correction.kind == CorrectionKind.TECHNICAL:
        messages.success(request, f"Den tekniske korrektion af {line.get_group_display().lower()} er gemt og godkendt.")
    else:
        messages.success(request, "Tillægsbevillingen er registreret og venter på fagchefens godkendelse.")
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest, pk: int, line_pk: int) -> HttpResponse:
    home = _managed_home(request, pk)
    line = get_object_or_404(BudgetLine, pk=line_pk, home=home)
    suggestion, history_years = monthly_profiles.suggested_profile(line)
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if "reset" in request.POST:
            version = request.POST.get("version") or "0"
            if not (version.isascii() and version.isdigit()):
                return _bad_request(request, "Formularen mangler et gyldigt versionsnummer. Genindlæs siden.")
            try:
                services.set_profile(line=line, percentages=None, seen_version=int(version))
            except VersionConflict as conflict:
                messages.error(request, conflict.message())
                return redirect("budget:profile_edit", pk=home.pk, line_pk=line.pk)
            messages.success(request, "Månedsprofilen er nulstillet til 1/12 pr. måned.")
            return redirect(f"{reverse('budget:home_budget', args=[home.pk])}?aar={line.year}")
        if form.is_valid():
            try:
                services.set_profile(
                    line=line, percentages=form.cleaned_data["percentages"], seen_version=form.cleaned_data["version"]
                )
            except VersionConflict as conflict:
                form.add_error(None, conflict.message())
                status = 409
            else:
                messages.success(request, "Månedsprofilen er gemt.")
                return redirect(f"{reverse('budget:home_budget', args=[home.pk])}?aar={line.year}")
        else:
            status = 400
    else:
        initial: dict[str, Any] = {"version": line.version}
        if request.GET.get("fra") == "historik" and suggestion:
            for i, pct in enumerate(suggestion, start=1):
                initial[f"m{i}"] = pct
            messages.info(
                request,
                f"Profilen er udfyldt fra det faktiske forbrug i {', '.join(str(y) for y in history_years)}. "
                "Den er ikke gemt, før du trykker Gem profil.",
            )
        else:
            for i, share in enumerate(line.shares(), start=1):
                initial[f"m{i}"] = (share * 100).quantize(Decimal("0.01"))
        form = ProfileForm(initial=initial)
    return render(
        request,
        "budget/profile_edit.html",
        {
            "home": home,
            "line": line,
            "form": form,
            "suggestion": suggestion,
            "history_years": history_years,
            "accuracy": monthly_profiles.accuracy(home.pk, line.group, history_years),
        },
        status=status,
    )


# --- Actuals import ---------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def actuals_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(user, "budget.import_actuals")
    context: dict[str, Any] = {"recent": _recent_imports(user), "coverage": _coverage(user)}
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


def _coverage(user: User) -> dict[str, Any]:
    """Which months of the year have actuals, per home the user imports for (one query + homes)."""
    from django.db.models import Count, Sum

    from budget.models import ActualTotal

    year = dt.date.today().year
    homes = Home.objects.all() if can(user, "budget.manage_any_home") else Home.objects.writable_by(user)
    homes = list(homes.order_by("cost_centre").only("pk", "name", "cost_centre")[:200])
    cells = {
        (r["home_id"], r["month"].month): r
        for r in ActualTotal.objects.filter(home__in=[h.pk for h in homes], month__year=year)
        .values("home_id", "month")
        .annotate(rows=Sum("row_count"), groups=Count("id"))
    }
    return {
        "year": year,
        "months": [(i, MONTH_ABBR[i - 1]) for i in range(1, 13)],
        "rows": [{"home": h, "cells": [cells.get((h.pk, i)) for i in range(1, 13)]} for h in homes],
    }


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


# --- Budget import (opening budgets) -------------------------------------------------------


@login_required
@require_GET
def budget_import(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The original budget is one of the staged imports (preview, reconciliation,
    confirm): ``onboarding.kinds.budget.BudgetKind`` run by ``onboarding``."""
    require(request.user, "budget.import_actuals")
    return redirect("onboarding:upload", "budget")


# --- Staff hours ----------------------------------------------------------------------


def _staffing_input(plan: StaffingPlan, year: int) -> StaffingInput:
    groups = (
        tuple(
            GroupInput(
                name=g.name,
                share_pct=g.share_pct,
                annual_wage_cost=g.annual_wage_cost,
                evening_pct=g.evening_pct,
                night_pct=g.night_pct,
                weekend_pct=g.weekend_pct,
                evening_supplement=g.evening_supplement,
                night_supplement=g.night_supplement,
                weekend_supplement=g.weekend_supplement,
            )
            for g in plan.groups.all()
        )
        if plan.pk
        else ()
    )
    return StaffingInput(
        groups=groups,
        wage_budget=plan.wage_budget,
        annual_wage_cost=plan.annual_wage_cost,
        year=year,
        annual_norm_hours=plan.annual_norm_hours,
        holiday_weeks=plan.holiday_weeks,
        extra_holiday_days=plan.extra_holiday_days,
        sickness_pct=plan.sickness_pct,
        competence_hours=plan.competence_hours,
        meeting_hours=plan.meeting_hours,
        other_hours=plan.other_hours,
    )


@login_required
@require_http_methods(["GET", "POST"])
def staffing(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    home = get_home_for_user(request, pk)
    user = request.user
    try:
        year = _year(request)
    except BadParameter as exc:
        return _bad_request(request, str(exc))
    can_write = can(user, "budget.edit_staffing", home)
    plan = StaffingPlan.objects.filter(home=home, year=year).first()
    wage_budget = selectors.forecast(home, year, 0)[AccountGroup.WAGES.value].corrected_budget
    if plan is None:
        plan = StaffingPlan(home=home, year=year, wage_budget=wage_budget)
    status = 200
    if request.method == "POST":
        if not can_write:
            raise PermissionDenied("Du kan se dette botilbud, men ikke ændre det.")
        form = StaffingPlanForm(request.POST, instance=plan)
        # A post without the groups' management form (an older client) leaves the groups as they are.
        posted_groups = "grupper-TOTAL_FORMS" in request.POST
        groups = staff_group_formset(plan, request.POST if posted_groups else None)
        if form.is_valid() and (not posted_groups or groups.is_valid()):
            try:
                with transaction.atomic():
                    saved = form.save(commit=False)
                    services.save_staffing_plan(
                        plan=saved,
                        user=user,
                        seen_version=form.cleaned_data.get("version") if plan.pk else None,
                        groups=groups if posted_groups else None,
                    )
            except VersionConflict as conflict:
                form.add_error(None, conflict.message())
                status = 409
            else:
                messages.success(request, "Planen er gemt.")
                return redirect(f"{reverse('budget:staffing', args=[home.pk])}?aar={year}")
        else:
            status = 409 if form.conflict else 400
    else:
        form = StaffingPlanForm(instance=plan)
        groups = staff_group_formset(plan)
    source = form.instance if status == 200 else plan
    if status != 200:
        source = StaffingPlan.objects.filter(pk=plan.pk).first() or StaffingPlan(
            home=home, year=year, wage_budget=wage_budget
        )
    result = staff_hours(_staffing_input(source, year))
    ledger = _staff_ledger(home, year, source.wage_budget, result)
    cost = None
    if source.roster_hours_per_week:
        try:
            cost = roster_cost(_staffing_input(source, year), source.roster_hours_per_week)
        except ValueError:
            cost = None
    chart = {
        "kind": "waterfall",
        "title": "Fra bruttotimer til timer i vagtplanen",
        "x": ["Bruttotimer", *[loss.label for loss in result.losses], "Timer i vagtplanen"],
        "measure": ["absolute", *["relative"] * len(result.losses), "total"],
        "values": [str(result.gross_hours), *[str(-loss.hours) for loss in result.losses], str(result.roster_hours)],
        "y_title": "timer pr. år",
    }
    return render(
        request,
        "budget/staffing.html",
        {
            "home": home,
            "tabs": _tabs(user),
            "active_tab": "budget:staffing",
            "year": year,
            "years": selectable_years(year),
            "form": form,
            "groups": groups,
            "ledger": ledger,
            "plan": source,
            "saved": bool(source.pk),
            "can_write": can_write,
            "result": result,
            "cost": cost,
            "wage_budget": wage_budget,
            "chart": chart,
        },
        status=status,
    )


def _staff_ledger(home: Home, year: int, wage_budget: Decimal, result: Any) -> dict[str, Any]:
    """The year's staff entries in the ledger (live) beside the plan's wage
    budget, in kroner and in roster hours a week at the plan's average cost
    per roster hour (supplements included)."""
    rows = staff_changes(home, year)
    total = sum((r["total"] for r in rows), Decimal(0))
    per_hour = result.cost_per_roster_hour

    def weekly(amount: Decimal) -> Decimal | None:
        return None if not per_hour else (amount / per_hour / 52).quantize(Decimal("0.1"))

    return {
        "rows": [{**r, "hours_per_week": weekly(r["total"])} for r in rows],
        "total": total,
        "total_hours_per_week": weekly(total),
        "left": wage_budget - total,
        "left_hours_per_week": weekly(wage_budget - total),
        "budget_hours_per_week": weekly(wage_budget),
        "today": timezone.localdate(),
    }


# --- Allocation model ------------------------------------------------------------------


@login_required
@require_GET
def allocation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    home = get_home_for_user(request, pk)
    user = request.user
    try:
        year = _year(request)
    except BadParameter as exc:
        return _bad_request(request, str(exc))
    from budget.allocation import home_allocation

    model = home_allocation(home.pk, year)
    return render(
        request,
        "budget/allocation.html",
        {
            "home": home,
            "tabs": _tabs(user),
            "active_tab": "budget:allocation",
            "year": year,
            "years": selectable_years(year),
            "model": model,
        },
    )


# --- Authority forecast -----------------------------------------------------------------


@login_required
@require_GET
def authority(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(user, "budget.view_authority_forecast")
    try:
        year = _year(request)
        raw = request.GET.get("maaned", "")
        if raw and (not (raw.isascii() and raw.isdigit()) or not 0 <= int(raw) <= 12):
            raise BadParameter(f"»{raw}« er ikke en gyldig måned (1-12).")
        today = dt.date.today()
        month = int(raw) if raw else (today.month - 1 if year == today.year else (12 if year < today.year else 0))
    except BadParameter as exc:
        return _bad_request(request, str(exc))
    from budget.authority import authority_forecast

    forecast = authority_forecast(year, month)
    totals = {
        name: forecast.total(name)
        for name in ("placements_cost", "expected_inflow", "expected_outflow", "forecast", "budget", "deviation")
    }
    totals["baseline_cost"] = forecast.total("baseline_cost")
    from budget.rates.refusion import expected_refusion

    refusion = expected_refusion(year)
    totals["refusion"] = refusion.total
    totals["net"] = totals["forecast"] - refusion.total
    return render(
        request,
        "budget/authority.html",
        {
            "forecast": forecast,
            "refusion": refusion,
            "totals": totals,
            "year": year,
            "month": month,
            "month_label": MONTH_NAMES[month - 1] if month else "",
            "years": selectable_years(year),
            "months": [(i, MONTH_NAMES[i - 1]) for i in range(1, 13)],
        },
    )


# --- Department / area overview (budget vs forecast per home and area) ----------------------


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The old budget overview: folded into the dashboard (one forecast on screen)."""
    from django.shortcuts import redirect

    target = reverse("dashboard:department")
    year = request.GET.get("aar", "")
    if year.isascii() and year.isdigit():
        target += f"?aar={year}"
    return redirect(target, permanent=False)
