"""Overviews: the allocation model of a home, the authority's forecast, and the old budget overview
(now a redirect to the department dashboard)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.dates import MONTH_NAMES
from botilbud.permissions import require
from botilbud.registry import home_tabs_for
from budget.allocation import home_allocation
from budget.authority import authority_forecast
from budget.rates.refusion import expected_refusion
from budget.views.common import BadParameter, bad_request, selectable_years, year_param


@login_required
@require_GET
def allocation(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    home = get_home_for_user(request, pk)
    user = request.user
    try:
        year = year_param(request)
    except BadParameter as exc:
        return bad_request(request, str(exc))

    model = home_allocation(home.pk, year)
    return render(
        request,
        "budget/allocation.html",
        {
            "home": home,
            "tabs": home_tabs_for(user),
            "active_tab": "budget:allocation",
            "year": year,
            "years": selectable_years(year),
            "model": model,
        },
    )


@login_required
@require_GET
def authority(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(user, "budget.view_authority_forecast")
    try:
        year = year_param(request)
        raw = request.GET.get("maaned", "")
        if raw and (not (raw.isascii() and raw.isdigit()) or not 0 <= int(raw) <= 12):
            raise BadParameter(f"»{raw}« er ikke en gyldig måned (1-12).")
        today = dt.date.today()
        month = int(raw) if raw else (today.month - 1 if year == today.year else (12 if year < today.year else 0))
    except BadParameter as exc:
        return bad_request(request, str(exc))

    forecast = authority_forecast(year, month)
    totals = {
        name: forecast.total(name)
        for name in ("placements_cost", "expected_inflow", "expected_outflow", "forecast", "budget", "deviation")
    }
    totals["baseline_cost"] = forecast.total("baseline_cost")

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


@login_required
@require_GET
def dashboard(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The old budget overview: folded into the dashboard (one forecast on screen)."""

    target = reverse("dashboard:department")
    year = request.GET.get("aar", "")
    if year.isascii() and year.isdigit():
        target += f"?aar={year}"
    return redirect(target, permanent=False)
