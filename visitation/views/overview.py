"""Overviews across placements: purchases and sales between municipalities, and one home's placements."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.dates import selectable_years
from botilbud.registry import home_tabs_for
from visitation import selectors
from visitation.models import Placement
from visitation.views.common import common_context, current_user, local_today


@login_required
@require_GET
def purchases_sales(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = current_user(request)
    today = local_today()
    try:
        year = int(request.GET.get("aar", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        year = today.year
    on = today if year == today.year else dt.date(year, 12, 31)
    return render(
        request,
        "visitation/purchases_sales.html",
        {
            "year": year,
            "on": on,
            "years": selectable_years(year, first=selectors.first_placement_year(), today=today),
            **selectors.purchases_and_sales(user, year=year, on=on),
            "list_url": reverse("visitation:placement_list"),
        },
    )


@login_required
@require_GET
def home_placements(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The placements in one own home, for everyone who sees the home (the
    home side sees citizens by initials only)."""

    user = current_user(request)
    home = get_home_for_user(request, pk)
    show_ended = request.GET.get("alle") == "1"
    qs = selectors.placements_for(user).filter(offer__home=home)
    if not show_ended:
        qs = qs.exclude(status__in=(Placement.Status.ENDED, Placement.Status.REJECTED))
    page = Paginator(qs.order_by("-start_date", "pk"), 100).get_page(request.GET.get("side"))
    tabs = home_tabs_for(user)
    return render(
        request,
        "visitation/home_placements.html",
        {**common_context(request), "home": home, "page": page, "tabs": tabs, "show_ended": show_ended},
    )
