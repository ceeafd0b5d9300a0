"""Navigation for the base layout: a menu entry shows exactly when its permission allows."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from botilbud.permissions import TemplatePermissions, can

# (label, url name, permission; None: every signed-in user). Apps' pages join
# this list as they are built; a missing URL is skipped, so the menu never
# links to nothing. tests/test_permissions.py checks that each role can open
# exactly the entries it is shown.
NAV_ITEMS: list[tuple[str, str, str | None]] = [
    ("Forside", "start", None),
    ("Botilbud", "home_list", "botilbud.view_homes"),
    ("Bevillinger", "visitation:placement_list", "visitation.view_placements"),
    ("Opfølgning", "visitation:worklist", "visitation.view_worklist"),
    ("Godkendelser", "visitation:approval_queue", "visitation.view_approval_queue"),
    ("Køb og salg", "visitation:purchases_sales", "visitation.view_purchases_sales"),
    ("Myndighedsprognose", "budget:authority", "budget.view_authority_forecast"),
    ("Forbrug", "budget:actuals_import", "budget.import_actuals"),
    ("Budgetår", "budget:year_list", "budget.view_years"),
    ("Takster", "rates:overview", "rates.view"),
    ("Afregning", "rates:settlement", "rates.view"),
    ("Budgetopfølgning", "followup:round_list", "followup.view"),
    ("Dashboard", "dashboard:department", "dashboard.view"),
    ("Kom i gang", "onboarding:start", "onboarding.use"),
    ("Databeskyttelse", "data_protection", "botilbud.view_data_protection"),
    ("Administration", "admin:index", "botilbud.use_admin"),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "can": TemplatePermissions(None)}
    items = []
    for label, name, permission in NAV_ITEMS:
        if permission is not None and not can(user, permission):
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    return {"nav_items": items, "can": TemplatePermissions(user)}
