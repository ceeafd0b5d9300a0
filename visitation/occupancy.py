"""Occupancy (belægning) of the own homes, by the rule in DESIGN.md:

    occupancy = resident-days in residential places ÷ (places × days)

A residential place is a placement under a paragraph on the intervention
ladder's home steps (``Paragraph.Ladder.TEMPORARY`` and ``LONG_TERM``: §107,
§108, §105+§85, §110). Outreach clients (§85 support outside the home) and
day activities (§103, §104) are counted apart and never as places.

Every page that shows a home's residents or occupancy for a month reads it
from here (the dashboard, the follow-up's section 2, the roll-ups), so one
month's figure is the same everywhere. One query for any number of homes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least

from botilbud.lib.dates import month_end
from botilbud.lib.money import percent
from botilbud.models import Paragraph
from visitation.models import Placement
from visitation.selectors import DaysBetween

RESIDENTIAL_STEPS = (Paragraph.Ladder.TEMPORARY, Paragraph.Ladder.LONG_TERM)
DAY_STEPS = (Paragraph.Ladder.PREVENTIVE, Paragraph.Ladder.GROUP)
COUNTED_STATUSES = ("godkendt", "aktiv", "ophoert")  # approved or later


@dataclass(frozen=True)
class Occupancy:
    """A home (or a sum of homes) over one period."""

    places: int
    days: int  # days in the period
    resident_days: int  # in residential places
    residents: int  # in residential places at the period's last day
    outreach: int = 0  # §85 clients outside the home at the last day (not places)
    day_activity: int = 0  # day activities (§103/§104 …) at the last day (not places)

    @property
    def place_days(self) -> int:
        return self.places * self.days

    @property
    def pct(self) -> Decimal | None:
        """Occupancy in percent, one decimal, half up (None without places)."""
        return percent(self.resident_days, self.place_days)

    def __add__(self, other: Occupancy) -> Occupancy:
        if self.days != other.days and self.places and other.places:
            raise ValueError("Belægning kan kun lægges sammen for samme periode.")
        return Occupancy(
            places=self.places + other.places,
            days=self.days or other.days,
            resident_days=self.resident_days + other.resident_days,
            residents=self.residents + other.residents,
            outreach=self.outreach + other.outreach,
            day_activity=self.day_activity + other.day_activity,
        )


def empty(days: int = 0) -> Occupancy:
    return Occupancy(places=0, days=days, resident_days=0, residents=0)


def total(items: list[Occupancy], days: int) -> Occupancy:
    result = empty(days)
    for item in items:
        result = result + item
    return result


def occupancy(homes: list, first: dt.date, last: dt.date) -> dict[int, Occupancy]:
    """Per home (``homes``: objects with ``pk`` and ``capacity``) over
    ``first``..``last`` (both included). One query."""

    days = (last - first).days + 1
    result = {h.pk: Occupancy(places=h.capacity, days=days, resident_days=0, residents=0) for h in homes}
    if not homes:
        return result
    in_period = Q(start_date__lte=last) & (Q(end_date__isnull=True) | Q(end_date__gte=first))
    at_last = Q(start_date__lte=last) & (Q(end_date__isnull=True) | Q(end_date__gte=last))
    residential = Q(offer__paragraph__ladder_step__in=RESIDENTIAL_STEPS)
    day = Q(offer__paragraph__ladder_step__in=DAY_STEPS)
    overlap = DaysBetween(
        Least(Coalesce("end_date", Value(last)), Value(last)), Greatest("start_date", Value(first))
    ) + Value(1)
    rows = (
        Placement.objects.filter(offer__home_id__any=[h.pk for h in homes], status__in=COUNTED_STATUSES)
        .filter(in_period)
        .values("offer__home_id")
        .annotate(
            resident_days=Coalesce(Sum(overlap, filter=residential, output_field=IntegerField()), 0),
            residents=Count("pk", filter=residential & at_last),
            outreach=Count("pk", filter=~residential & ~day & at_last),
            day_activity=Count("pk", filter=day & at_last),
        )
        .order_by()
    )
    for r in rows:
        home_id = r["offer__home_id"]
        result[home_id] = Occupancy(
            places=result[home_id].places,
            days=days,
            resident_days=r["resident_days"],
            residents=r["residents"],
            outreach=r["outreach"],
            day_activity=r["day_activity"],
        )
    return result


def month_occupancy(homes: list, month: dt.date) -> dict[int, Occupancy]:
    """The calendar month of ``month`` (residents counted at its last day)."""
    first = month.replace(day=1)
    return occupancy(homes, first, month_end(first))
