"""Role-aware navigation for the base layout."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.urls import NoReverseMatch, reverse

from botilbud.models import Role

# (label, url name, roles that see it). Apps' pages join this list as they
# are built; a missing URL is skipped, so the menu never links to nothing.
NAV_ITEMS: list[tuple[str, str, set[str] | None]] = [
    ("Forside", "start", None),
    ("Botilbud", "home_list", {r.value for r in Role} - {Role.CASEWORKER, Role.AUTHORITY_HEAD}),
    (
        "Bevillinger",
        "visitation:placement_list",
        {Role.CASEWORKER, Role.AUTHORITY_HEAD, Role.DEPARTMENT_HEAD, Role.ADMIN},
    ),
    ("Opfølgning", "visitation:worklist", {Role.CASEWORKER, Role.AUTHORITY_HEAD}),
    (
        "Godkendelser",
        "visitation:approval_queue",
        {Role.CASEWORKER, Role.AUTHORITY_HEAD, Role.DEPARTMENT_HEAD, Role.ADMIN},
    ),
    (
        "Køb og salg",
        "visitation:purchases_sales",
        {Role.AUTHORITY_HEAD, Role.DEPARTMENT_HEAD, Role.CONSULTANT, Role.ADMIN},
    ),
    ("Myndighedsprognose", "budget:authority", {Role.AUTHORITY_HEAD, Role.DEPARTMENT_HEAD, Role.ADMIN}),
    ("Forbrug", "budget:actuals_import", {Role.CONSULTANT, Role.ADMIN}),
    ("Budgetår", "budget:year_list", {Role.CONSULTANT, Role.DEPARTMENT_HEAD, Role.ADMIN}),
    ("Takster", "rates:overview", {Role.CONSULTANT, Role.AREA_MANAGER, Role.DEPARTMENT_HEAD, Role.ADMIN}),
    ("Afregning", "rates:settlement", {Role.CONSULTANT, Role.DEPARTMENT_HEAD, Role.ADMIN}),
    ("Budgetopfølgning", "followup:round_list", {r.value for r in Role} - {Role.CASEWORKER, Role.AUTHORITY_HEAD}),
    ("Dashboard", "dashboard:department", {Role.DEPARTMENT_HEAD, Role.AREA_MANAGER, Role.CONSULTANT, Role.ADMIN}),
    ("Kom i gang", "onboarding:start", {Role.ADMIN}),
    ("Databeskyttelse", "data_protection", {Role.ADMIN}),
    ("Administration", "admin:index", {Role.ADMIN}),
]


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for label, name, roles in NAV_ITEMS:
        if roles is not None and user.role not in roles:
            continue
        try:
            url = reverse(name)
        except NoReverseMatch:
            continue
        current = request.path == url if url == "/" else request.path.startswith(url)
        items.append({"label": label, "url": url, "current": current})
    return {"nav_items": items}
