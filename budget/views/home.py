"""A home's budget page: budget, actuals and forecast per line and month, with its chart and table."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.dates import MONTH_NAMES
from botilbud.models import Home, User
from botilbud.permissions import can
from botilbud.registry import home_tabs_for
from budget import selectors, services
from budget.followup.models import HomeFollowUp, Step
from budget.forms import (
    CorrectionForm,
    ReallocationForm,
)
from budget.moments import Moment
from budget.views.common import BadParameter, bad_request, month_param, selectable_years, year_param


@login_required
@require_GET
def home_budget(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    home = get_home_for_user(request, pk)
    user = request.user
    try:
        year = year_param(request)
        month = month_param(request, [home.pk], year)
    except BadParameter as exc:
        return bad_request(request, str(exc))
    today = dt.date.today()
    page = selectors.home_budget_page(home, year, month, today=today)
    can_manage = services.can_manage_budget(user, home)
    followup = (
        HomeFollowUp.objects.filter(home=home, round__month=dt.date(year, month or 1, 1))
        .select_related("round")
        .first()
    )
    return render(
        request,
        "budget/home_budget.html",
        {
            "home": home,
            "tabs": home_tabs_for(user),
            "active_tab": "budget:home_budget",
            "moment": Moment.live(
                year, month, today, followup.round if followup else None, followup.step if followup else ""
            ),
            "frozen_round": followup.round if followup and followup.step == Step.APPROVED else None,
            **page,
            "year": year,
            "month": month,
            "month_label": MONTH_NAMES[month - 1] if month else "",
            "years": selectable_years(year),
            "months": [(i, MONTH_NAMES[i - 1]) for i in range(1, 13)],
            "can_manage": can_manage,
            "correction_form": CorrectionForm(initial={"date": dt.date.today()}) if can_manage else None,
            "reallocation_form": _reallocation_form(user, home) if can_manage else None,
        },
    )


def _reallocation_form(user: User, home: Home):  # noqa: ANN202

    targets = Home.objects.all() if can(user, "budget.manage_any_home") else Home.objects.writable_by(user)
    return ReallocationForm(
        initial={"date": dt.date.today(), "target_home": home.pk}, target_homes=targets.filter(is_active=True)
    )
