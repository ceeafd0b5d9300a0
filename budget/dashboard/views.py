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
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.template.loader import render_to_string
from django.views.decorators.http import require_GET
from django_htmx.middleware import HtmxDetails

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.models import AccountGroup, Area, User
from botilbud.permissions import can, require
from budget.dashboard import build
from budget.dashboard import cache as dashboard_cache
from budget.dashboard import selectors as sel
from budget.dashboard.charts import excel_response

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


def _filters(request: AuthenticatedHttpRequest, user: User) -> sel.Filters:
    return sel.checked_filters(request.GET, user, _today())


def _is_partial(request: AuthenticatedHttpRequest) -> bool:
    """An HTMX swap inside the dashboard (not a direct visit or a history restore)."""
    htmx: HtmxDetails | None = getattr(request, "htmx", None)
    return htmx is not None and bool(htmx) and not htmx.history_restore_request


def _bad_filter(request: AuthenticatedHttpRequest, error: sel.BadFilter) -> HttpResponse:
    template = "dashboard/_bad_filter.html" if _is_partial(request) else "dashboard/bad_filter.html"
    return render(request, template, {"message": str(error)}, status=400)


def _render(request: AuthenticatedHttpRequest, user: User, filters: sel.Filters, level: dict[str, Any]) -> HttpResponse:
    context = {**sel.page_context(user, filters, level, _today()), "partial": LEVEL_TEMPLATES[level["level"]]}
    partial = _is_partial(request)
    if level.get("cache_key"):
        # The department level: its HTML is cached with its figures (``cache.rendered``).
        as_partial = {**context, "as_partial": True} if partial else context
        context["partial_html"] = dashboard_cache.rendered(
            level,
            f"{request.path}:{'htmx' if partial else 'page'}",
            lambda: render_to_string(context["partial"], as_partial, request),
        )
        if partial:
            return render(request, "dashboard/_cached.html", context)
    elif partial:
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
    return _render(request, user, filters, dashboard_cache.department(user, filters, _today()))


def _area_for(user: User, pk: int) -> Area:
    return sel.visible_area(user, pk)


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
) -> FileResponse:
    found = context["charts"].get(chart)
    if found is None:
        raise Http404("Ukendt figur.")
    return excel_response(found, f"{where} · budgetår {filters.year} · udtrukket {_today():%d-%m-%Y}")


@login_required
@require_GET
def department_excel(request: AuthenticatedHttpRequest, chart: str) -> HttpResponseBase:
    user = _user(request)
    try:
        filters = _filters(request, user)
    except sel.BadFilter as error:
        return _bad_filter(request, error)
    where = "Forvaltningen" if can(user, "dashboard.view_department") else "Mine botilbud"
    return _excel(request, dashboard_cache.department(user, filters, _today()), chart, where, filters)


@login_required
@require_GET
def area_excel(request: AuthenticatedHttpRequest, pk: int, chart: str) -> HttpResponseBase:
    user = _user(request)
    area_obj = _area_for(user, pk)
    try:
        filters = _filters(request, user)
    except sel.BadFilter as error:
        return _bad_filter(request, error)
    return _excel(request, build.area(user, area_obj, filters, _today()), chart, area_obj.name, filters)


@login_required
@require_GET
def home_excel(request: AuthenticatedHttpRequest, pk: int, chart: str) -> HttpResponseBase:
    user = _user(request)
    home_obj = get_home_for_user(request, pk)
    try:
        filters = _filters(request, user)
    except sel.BadFilter as error:
        return _bad_filter(request, error)
    return _excel(request, build.home(user, home_obj, filters, _today()), chart, home_obj.name, filters)


@login_required
@require_GET
def home_group_excel(request: AuthenticatedHttpRequest, pk: int, group: str, chart: str) -> HttpResponseBase:
    user = _user(request)
    home_obj = get_home_for_user(request, pk)
    group_obj = _group(group)
    try:
        filters = _filters(request, user)
    except sel.BadFilter as error:
        return _bad_filter(request, error)
    context = build.home_group(user, home_obj, group_obj, filters, _today())
    return _excel(request, context, chart, f"{home_obj.name} · {group_obj.label}", filters)
