"""The staff-hours tool: the wage budget turned into roster hours, per staff group."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.locking import VersionConflict
from botilbud.models import AccountGroup
from botilbud.permissions import can
from botilbud.registry import home_tabs_for
from budget import selectors, services
from budget.forms import StaffingPlanForm, staff_group_formset
from budget.models import StaffingPlan
from budget.views.common import BadParameter, bad_request, selectable_years, year_param


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
            "plan": source,
            "saved": bool(source.pk),
            "can_write": can_write,
            **selectors.staffing_figures(home, year, source),
            "wage_budget": wage_budget,
        },
        status=status,
    )
