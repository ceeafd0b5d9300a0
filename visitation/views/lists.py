"""The placement list: filtered, paginated, scoped with ``Placement.objects.visible_to``."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.planner import joins_in_written_order
from botilbud.permissions import can
from visitation import selectors
from visitation.views.common import PAGE_SIZE, common_context, current_user, placement_filters


@login_required
@require_GET
def placement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = current_user(request)
    form, f = placement_filters(request)
    qs = selectors.filter_placements(selectors.placements_for(user), f)
    with joins_in_written_order():  # planning the eight-table row query cost more than running it
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("side"))
        page.object_list = list(page.object_list)
    query = request.GET.copy()
    query.pop("side", None)
    context = {
        **common_context(request),
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_create": can(user, "visitation.manage_placements"),
    }
    if request.htmx:
        return render(request, "visitation/placement_list.html#results", context)
    return render(request, "visitation/placement_list.html", context)
