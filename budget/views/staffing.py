"""The staff-hours tool: the wage budget turned into roster hours, per staff group."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.locking import VersionConflict
from botilbud.models import AccountGroup, Home
from botilbud.permissions import can
from botilbud.registry import home_tabs_for
from budget import selectors, services
from budget.forms import StaffingPlanForm, staff_group_formset
from budget.models import StaffingPlan
from budget.staffing import GroupInput, StaffingInput, roster_cost, staff_hours
from budget.views.common import BadParameter, bad_request, selectable_years, year_param
from disponering.selectors import staff_changes


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
        year = year_param(request)
    except BadParameter as exc:
        return bad_request(request, str(exc))
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
            "tabs": home_tabs_for(user),
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
