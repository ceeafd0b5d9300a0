"""Overviews across placements: purchases and sales between municipalities, and one home's placements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

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
from visitation.models import Placement, Provider
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
    purchases = selectors.purchases_by_provider_kind(user, year=year, on=on)
    sales = list(selectors.sales_by_municipality(user, year=year, on=on))
    external = [r for r in purchases if r["kind"] != Provider.Kind.OWN]
    total_cost = sum((r["year_cost"] for r in purchases), Decimal("0.00"))
    external_cost = sum((r["year_cost"] for r in external), Decimal("0.00"))
    return render(
        request,
        "visitation/purchases_sales.html",
        {
            "year": year,
            "on": on,
            "years": selectable_years(year, first=selectors.first_placement_year(), today=today),
            "purchases": purchases,
            "purchases_total": {
                "placements": sum(r["placements"] for r in purchases),
                "in_force": sum(r["in_force"] for r in purchases),
                "annual_in_force": sum((r["annual_in_force"] for r in purchases), Decimal("0.00")),
                "year_cost": total_cost,
            },
            "external_share": (external_cost / total_cost * 100) if total_cost else None,
            "sales": sales,
            "sales_total": {
                "placements": sum(r["placements"] for r in sales),
                "in_force": sum(r["in_force"] for r in sales),
                "year_income": sum((r["year_income"] for r in sales), Decimal("0.00")),
            },
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
