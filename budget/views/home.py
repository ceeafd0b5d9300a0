"""A home's budget page: budget, actuals and forecast per line and month, with its chart and table."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.dates import MONTH_ABBR, MONTH_NAMES
from botilbud.lib.money import ZERO
from botilbud.models import AccountGroup, Home, User
from botilbud.permissions import can
from botilbud.registry import home_tabs_for
from budget import selectors, services
from budget.followup.models import HomeFollowUp, Step
from budget.forms import (
    CorrectionForm,
    ReallocationForm,
)
from budget.models import BudgetLine
from budget.moments import Moment
from budget.nextyear.models import BudgetDraft
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
            "tabs": home_tabs_for(user),
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
            # The year's budget drafted from the models (budget.nextyear): one query.
            "draft": BudgetDraft.objects.filter(home=home, year=year).select_related("locked_by").first(),
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
