"""The project-wide pages' reads: the start page's block per role and the homes table."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Prefetch, QuerySet, Sum

from botilbud.models import Area, Home, Paragraph, Role, User
from botilbud.permissions import can


def homes_table(user: User) -> QuerySet[Home]:
    """The homes ``user`` sees, by area and name, with their area and paragraphs."""
    return (
        Home.objects.visible_to(user)
        .select_related("area")
        .prefetch_related(Prefetch("paragraphs", queryset=Paragraph.objects.order_by("ladder_step", "sort_order")))
        .order_by("area__name", "name")
    )


def start_block(user: User, block: str | None) -> dict[str, Any]:
    """The data of the start page's block for ``user``'s role (``botilbud.views.START_BLOCK``)."""
    context: dict[str, Any] = {}
    if block in ("own_homes_manager", "own_homes_consultant"):
        context["homes"] = homes_table(user)
    elif block == "areas":
        context["areas"] = Area.objects.filter(managers=user).prefetch_related(
            Prefetch("homes", queryset=Home.objects.order_by("name").prefetch_related("paragraphs"))
        )
    elif block == "department":
        context["areas"] = Area.objects.annotate(home_count=Count("homes"), places=Sum("homes__capacity")).order_by(
            "name"
        )
        context["totals"] = Home.objects.aggregate(homes=Count("id"), places=Sum("capacity"))
        if can(user, "botilbud.use_admin"):
            context["users_per_role"] = [
                {"label": Role(r["role"]).label, "count": r["n"]}
                for r in User.objects.filter(is_active=True).values("role").annotate(n=Count("id")).order_by("role")
            ]
    elif block == "authority":
        # The authority sees the municipality's own offers by paragraph, not
        # the homes' economy.
        context["places_by_paragraph"] = (
            Paragraph.objects.filter(homes__is_active=True)
            .annotate(homes_count=Count("homes"), places=Sum("homes__capacity"))
            .order_by("ladder_step", "sort_order")
        )
    return context
