"""Reads in visitation: the lists every page starts from, always user-scoped,
and the aggregates (in SQL) behind the purchases & sales page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, Greatest, Least

from botilbud.lib.dates import days_in_year
from botilbud.models import Paragraph, User
from visitation.models import ApprovalLevel, Decision, Offer, OfferPrice, Placement, PlacementQuerySet, Provider

ZERO = Value(Decimal("0.00"), output_field=DecimalField(max_digits=14, decimal_places=2))


def placements_for(user: User) -> PlacementQuerySet:
    """The user's placements with everything a list row shows, in one query."""
    return Placement.objects.visible_to(user).select_related(
        "citizen", "offer__provider", "offer__paragraph", "offer__home", "package", "paying_municipality"
    )


@dataclass
class PlacementFilters:
    q: str = ""
    status: str = ""
    paragraph: int | None = None
    provider_kind: str = ""
    level: str = ""
    year: int | None = None
    sale: str = ""  # "" | "salg" | "egne"


def filter_placements(qs: PlacementQuerySet, f: PlacementFilters) -> PlacementQuerySet:
    if f.q:
        qs = qs.filter(
            Q(citizen__case_number__icontains=f.q) | Q(citizen__initials__iexact=f.q) | Q(offer__name__icontains=f.q)
        )
    if f.status:
        qs = qs.filter(status=f.status)
    if f.paragraph:
        qs = qs.filter(offer__paragraph_id=f.paragraph)
    if f.provider_kind:
        qs = qs.filter(offer__provider__kind=f.provider_kind)
    if f.level:
        qs = qs.filter(required_level=f.level)
    if f.year:
        qs = qs.filter(start_date__lte=dt.date(f.year, 12, 31)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=dt.date(f.year, 1, 1))
        )
    if f.sale == "salg":
        qs = qs.sales()
    elif f.sale == "egne":
        qs = qs.own_citizens()
    return qs


LIVE = (Placement.Status.APPROVED, Placement.Status.ACTIVE)
# The worklist shows proposed placements too: their first follow-up is
# planned from the day they are recorded.
ON_WORKLIST = (Placement.Status.PROPOSED, *LIVE)


def worklist(user: User, *, today: dt.date, horizon_days: int = 183, mine: bool = False) -> QuerySet[Placement]:
    """Proposed/approved/active placements whose next follow-up is overdue or due within the horizon."""
    qs = placements_for(user).filter(
        status__in=ON_WORKLIST,
        next_follow_up__isnull=False,
        next_follow_up__lte=today + dt.timedelta(days=horizon_days),
    )
    if mine:
        qs = qs.filter(created_by=user)
    return qs.order_by("next_follow_up", "pk")


def worklist_counts(user: User, *, today: dt.date) -> dict[str, int]:
    return placements_for(user).aggregate(
        overdue=Count("pk", filter=Q(status__in=ON_WORKLIST, next_follow_up__lt=today)),
        due_soon=Count(
            "pk",
            filter=Q(
                status__in=ON_WORKLIST, next_follow_up__gte=today, next_follow_up__lte=today + dt.timedelta(days=30)
            ),
        ),
    )


def approval_queue(user: User) -> QuerySet[Placement]:
    """Proposed placements, with whether the committee has already recommended
    (then a political case waits for the political committee)."""
    committee_yes = Decision.objects.filter(
        placement=OuterRef("pk"), level=ApprovalLevel.COMMITTEE, outcome=Decision.Outcome.APPROVED
    )
    return (
        placements_for(user)
        .filter(status=Placement.Status.PROPOSED)
        .annotate(committee_approved=Exists(committee_yes))
        .select_related("created_by")
        .order_by("start_date", "pk")
    )


class DaysBetween(Func):
    """``end - start`` in whole days (Postgres date subtraction gives an integer)."""

    template = "(%(expressions)s)"
    arg_joiner = " - "
    output_field = IntegerField()


def year_cost_expression(year: int) -> Any:
    """A placement's cost inside ``year``: annual price × its days in the year /
    days of the year (pro rata), in SQL. The dashboard uses it too."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    days = DaysBetween(
        Least(Coalesce(F("end_date"), Value(last)), Value(last)), Greatest(F("start_date"), Value(first))
    ) + Value(1)
    return ExpressionWrapper(
        F("annual_price") * days / Value(Decimal(days_in_year(year))),
        output_field=DecimalField(max_digits=18, decimal_places=2),
    )


def _in_year(year: int) -> Q:
    return Q(start_date__lte=dt.date(year, 12, 31)) & (Q(end_date__isnull=True) | Q(end_date__gte=dt.date(year, 1, 1)))


APPROVED_OR_LATER = (Placement.Status.APPROVED, Placement.Status.ACTIVE, Placement.Status.ENDED)


def purchases_by_provider_kind(user: User, *, year: int, on: dt.date) -> list[dict[str, Any]]:
    """Own citizens' placements by provider kind: count in force on ``on``, the
    annual amount in force, and the year's cost (pro rata by days)."""
    rows = (
        Placement.objects.visible_to(user)
        .own_citizens()
        .filter(status__in=APPROVED_OR_LATER)
        .filter(_in_year(year))
        .values("offer__provider__kind")
        .annotate(
            placements=Count("pk"),
            in_force=Count("pk", filter=Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))),
            annual_in_force=Coalesce(
                Sum(
                    "annual_price",
                    filter=Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on)),
                ),
                ZERO,
            ),
            year_cost=Coalesce(Sum(year_cost_expression(year)), ZERO),
        )
        .order_by("offer__provider__kind")
    )
    by_kind: dict[str, Any] = {r["offer__provider__kind"]: r for r in rows}
    result = []
    for kind in Provider.Kind:
        r: dict[str, Any] = by_kind.get(kind.value, {})
        result.append(
            {
                "kind": kind.value,
                "label": kind.label,
                "placements": r.get("placements", 0),
                "in_force": r.get("in_force", 0),
                "annual_in_force": r.get("annual_in_force", Decimal("0.00")),
                "year_cost": r.get("year_cost", Decimal("0.00")),
            }
        )
    return result


def sales_by_municipality(user: User, *, year: int, on: dt.date) -> QuerySet[Any, Mapping[str, Any]]:
    """Other municipalities' citizens in own homes, by paying municipality (income)."""
    return (
        Placement.objects.visible_to(user)
        .sales()
        .filter(status__in=APPROVED_OR_LATER, offer__home__isnull=False)
        .filter(_in_year(year))
        .values("paying_municipality__name", "paying_municipality__code")
        .annotate(
            placements=Count("pk"),
            in_force=Count("pk", filter=Q(start_date__lte=on) & (Q(end_date__isnull=True) | Q(end_date__gte=on))),
            year_income=Coalesce(Sum(year_cost_expression(year)), ZERO),
        )
        .order_by("-year_income")
    )


def offers_for_ladder(paragraph_id: int | None, *, day: dt.date) -> list[Offer]:
    """Active offers on the paragraph's step of the intervention ladder and
    every step below it (less intrusive alternatives), each annotated with
    ``list_price`` (external offers: the price in force on ``day``)."""

    if not paragraph_id:
        return []
    step = Paragraph.objects.filter(pk=paragraph_id).values_list("ladder_step", flat=True).first()
    if step is None:
        return []
    price = (
        OfferPrice.objects.filter(offer=OuterRef("pk"), valid_from__lte=day)
        .order_by("-valid_from")
        .values("annual_price")[:1]
    )
    return list(
        Offer.objects.filter(is_active=True, paragraph__ladder_step__lte=step)
        .select_related("provider", "paragraph")
        .annotate(list_price=Subquery(price))
        .order_by("paragraph__ladder_step", "paragraph__sort_order", "name")
    )


def first_placement_year() -> int | None:
    """The first year a placement started (the year selector offers every year from it)."""
    first = Placement.objects.aggregate(first=Min("start_date"))["first"]
    return first.year if first else None


def purchases_and_sales(user: User, *, year: int, on: dt.date) -> dict[str, Any]:
    """The purchases-and-sales page's figures: purchases per provider kind and sales per paying
    municipality in ``year`` (in force on ``on``), with their totals and the external share."""
    purchases = purchases_by_provider_kind(user, year=year, on=on)
    sales = list(sales_by_municipality(user, year=year, on=on))
    external = [r for r in purchases if r["kind"] != Provider.Kind.OWN]
    total_cost = sum((r["year_cost"] for r in purchases), Decimal("0.00"))
    external_cost = sum((r["year_cost"] for r in external), Decimal("0.00"))
    return {
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
    }


def proposals_waiting(user: User, *, level: str) -> dict[str, int]:
    """Proposals ``user`` sees that wait for a decision: all, and those at ``level`` (one query)."""
    counts: dict[str, int] = (
        placements_for(user)
        .filter(status=Placement.Status.PROPOSED)
        .aggregate(total=Count("pk"), mine=Count("pk", filter=Q(required_level=level)))
    )
    return counts
