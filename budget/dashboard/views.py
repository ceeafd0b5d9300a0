"""The department head's dashboard with drill-down:

department → area → home → account group → ledger entries.

Each level has a real URL. A link inside the dashboard fetches the level with
HTMX and swaps ``#dashboard-main`` (``hx-push-url``), so the browser's back
button walks back up; a direct visit, a reload or a history restore gets the
whole page. Filters (budget year, area, paragraph, provider kind) live in the
query string and follow every drill-down link.

Access: the department head and the administrator see every home, an area
manager their own areas, a finance consultant their own homes; every other
role gets 404, as does a home or area outside the user's scope. (The old
budget overview ``/budget/oversigt/`` redirects here: one forecast on screen.)
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.dates import selectable_years
from botilbud.models import AccountGroup, Area, Home, Paragraph, Role, User
from botilbud.permissions import can, require
from budget.dashboard import build
from budget.dashboard import selectors as sel
from budget.dashboard.charts import excel_response
from budget.selectors import first_budget_year
from visitation.models import Provider

LEVEL_TEMPLATES = {
    "department": "dashboard/_department.html",
    "area": "dashboard/_area.html",
    "home": "dashboard/_home.html",
    "group": "dashboard/_group.html",
}


def _today() -> dt.date:
    return dt.date.today()


def _user(request: AuthenticatedHttpRequest) -> User:
    user = request.user
    require(user, "dashboard.view", not_found=True)
    return user


def _areas(user: User):  # noqa: ANN202
    return (
        Area.objects.filter(homes__in=Home.objects.visible_to(user).filter(is_active=True)).distinct().order_by("name")
    )


def _filters(request: AuthenticatedHttpRequest, user: User) -> sel.Filters:
    filters = sel.parse_filters(request.GET, _today())
    if filters.area_id and not _areas(user).filter(pk=filters.area_id).exists():
        raise Http404("Området findes ikke, eller du har ikke adgang til det.")
    if filters.paragraph_id and not Paragraph.objects.filter(pk=filters.paragraph_id).exists():
        raise sel.BadFilter("Den valgte paragraf findes ikke.")
    return filters


def _bad_filter(request: AuthenticatedHttpRequest, error: sel.BadFilter) -> HttpResponse:
    htmx = getattr(request, "htmx", None)
    partial = bool(htmx) and not htmx.history_restore_request
    template = "dashboard/_bad_filter.html" if partial else "dashboard/bad_filter.html"
    return render(request, template, {"message": str(error)}, status=400)


def _render(
    request: AuthenticatedHttpRequest, user: User, filters: sel.Filters, context: dict[str, Any]
) -> HttpResponse:
    context = {
        **context,
        "filters": filters,
        "query": filters.query(),
        "partial": LEVEL_TEMPLATES[context["level"]],
        "years": selectable_years(filters.year, first=first_budget_year(), today=_today())[::-1],
        "provider_kinds": Provider.Kind.choices,
        "sees_all": can(user, "dashboard.view_department"),
        # Wording only: an area manager's own scope is areas, everybody else's homes.
        "own_scope": "mine områder" if user.role == Role.AREA_MANAGER else "mine botilbud",
    }
    level = context["level"]
    if level == "department":
        context["excel_base"] = reverse("dashboard:department") + "excel/"
        context["title"] = "Dashboard"
    elif level == "area":
        context["excel_base"] = reverse("dashboard:area", args=[context["area"].pk]) + "excel/"
        context["title"] = f"Dashboard: {context['area'].name}"
    elif level == "home":
        context["excel_base"] = reverse("dashboard:home", args=[context["home"].pk]) + "excel/"
        context["title"] = f"Dashboard: {context['home'].name}"
    else:
        context["excel_base"] = (
            reverse("dashboard:home_group", args=[context["home"].pk, context["group"].value]) + "excel/"
        )
        context["title"] = f"Dashboard: {context['home'].name}, {context['group'].label.lower()}"
    if level == "department":
        context["area_options"] = list(_areas(user))
        context["paragraph_options"] = list(Paragraph.objects.order_by("ladder_step", "sort_order", "code"))
    htmx = getattr(request, "htmx", None)
    if htmx and not htmx.history_restore_request:
        return render(request, context["partial"], {**context, "as_partial": True})
    return render(request, "dashboard/page.html", context)


@login_required
@require_GET
def department(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _user(request)
    try:
        filters = _filters(request, user)
    except sel.BadFilter as error:
        return _bad_filter(request, error)
    return _render(request, user, filters, build.department(user, filters, _today()))


def _area_for(user: User, pk: int) -> Area:
    area = _areas(user).filter(pk=pk).first()
    if area is None:
        raise Http404("Området findes ikke, eller du har ikke adgang til det.")
    return area


@login_required
@require_GET
def area(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    area_obj = _area_for(user, pk)
    try:
        filters = _filters(request, user)
    except sel.BadFilter as error:
        return _bad_filter(request, error)
    return _render(request, user, filters, build.area(user, area_obj, filters, _today()))


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    home_obj = get_home_for_user(request, pk)
    try:
        filters = _filters(request, user)
    except sel.BadFilter as error:
        return _bad_filter(request, error)
    return _render(request, user, filters, build.home(user, home_obj, filters, _today()))


def _group(value: str) -> AccountGroup:
    if value not in AccountGroup.values:
        raise Http404("Ukendt kontogruppe.")
    return AccountGroup(value)


@login_required
@require_GET
def home_group(request: AuthenticatedHttpRequest, pk: int, group: str) -> HttpResponse:
    user = _user(request)
    home_obj = get_home_for_user(request, pk)
    group_obj = _group(group)
    try:
        filters = _filters(request, user)
    except sel.BadFilter as error:
        return _bad_filter(request, error)
    return _render(request, user, filters, build.home_group(user, home_obj, group_obj, filters, _today()))


# --- Excel downloads of a chart's numbers ---------------------------------------


def _excel(
    request: AuthenticatedHttpRequest, context: dict[str, Any], chart: str, where: str, filters: sel.Filters
) -> HttpResponse:
    found = context["charts"].get(chart)
    if found is None:
        raise Http404("Ukendt figur.")
    return excel_response(found, f"{where} · budgetår {filters.year} · udtrukket {_today():%d-%m-%Y}")


@login_required
@require_GET
def department_excel(request: AuthenticatedHttpRequest, chart: str) -> HttpResponse:
    user = _user(request)
    try:
        filters = _filters(request, user)
    except sel.BadFilter as error:
        return _bad_filter(request, error)
    where = "Forvaltningen" if can(user, "dashboard.view_department") else "Mine botilbud"
    return _excel(request, build.department(user, filters, _today()), chart, where, filters)


@login_required
@require_GET
def area_excel(request: AuthenticatedHttpRequest, pk: int, chart: str) -> HttpResponse:
    user = _user(request)
    area_obj = _area_for(user, pk)
    try:
        filters = _filters(request, user)
    except sel.BadFilter as error:
        return _bad_filter(request, error)
    return _excel(request, build.area(user, area_obj, filters, _today()), chart, area_obj.name, filters)


@login_required
@require_GET
def home_excel(request: AuthenticatedHttpRequest, pk: int, chart: str) -> HttpResponse:
    user = _user(request)
    home_obj = get_home_for_user(request, pk)
    try:
        filters = _filters(request, user)
    except sel.BadFilter as error:
        return _bad_filter(request, error)
    return _excel(request, build.home(user, home_obj, filters, _today()), chart, home_obj.name, filters)


@login_required
@require_GET
def home_group_excel(request: AuthenticatedHttpRequest, pk: int, group: str, chart: str) -> HttpResponse:
    user = _user(request)
    home_obj = get_home_for_user(request, pk)
    group_obj = _group(group)
    try:
        filters = _filters(request, user)
    except sel.BadFilter as error:
        return _bad_filter(request, error)
    context = build.home_group(user, home_obj, group_obj, filters, _today())
    return _excel(request, context, chart, f"{home_obj.name} · {group_obj.label}", filters)
