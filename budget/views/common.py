"""What the budget pages share: the year and month parameters (a bad one is a Danish 400), the years
to choose from, and the home a user may manage the budget of."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.dates import selectable_years as lib_selectable_years
from botilbud.models import Home
from budget import selectors, services


class BadParameter(Exception):
    pass


def year_param(request: AuthenticatedHttpRequest) -> int:
    raw = request.GET.get("aar", "")
    if not raw:
        return dt.date.today().year
    if not (raw.isascii() and raw.isdigit()) or not 2000 <= int(raw) <= 2100:
        raise BadParameter(f"»{raw}« er ikke et gyldigt år.")
    return int(raw)


def month_param(request: AuthenticatedHttpRequest, home_ids: list[int], year: int) -> int:
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


def bad_request(request: AuthenticatedHttpRequest, message: str) -> HttpResponse:
    return render(request, "budget/bad_request.html", {"message": message}, status=400)


def managed_home(request: AuthenticatedHttpRequest, pk: int) -> Home:
    home = get_home_for_user(request, pk)
    if not services.can_manage_budget(request.user, home):
        raise PermissionDenied("Kun botilbuddets økonomikonsulent kan ændre budgettet.")
    return home
