"""The allocation model (ressourcetildelingsmodel) of activity-based homes.

A home's activity income for a period = Σ over its residents of
weekly package hours × the home's hour price × (active days in the period / 7).
Fixed, transparent, the same for every home. Income is shown positive here;
in the accounts it is booked negative (``as_account_amount``). Only our own
citizens count: a sold place earns the home's approved rate from the paying
municipality (``budget.rates.sales``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from botilbud.lib.dates import days_in_year, overlap_days
from botilbud.lib.money import ZERO, to_money
from botilbud.models import HourPrice
from visitation.models import Placement

SEVEN = Decimal(7)


def placement_income(
    *,
    weekly_hours: Decimal,
    hour_price: Decimal,
    start: dt.date,
    end: dt.date | None,
    period_start: dt.date,
    period_end: dt.date,
) -> Decimal:
    """Income of one placement in [period_start, period_end] (both inclusive)."""
    days = overlap_days(start, end, period_start, period_end)
    return to_money(Decimal(weekly_hours) * Decimal(hour_price) * Decimal(days) / SEVEN)


def one_hour_per_year(hour_price: Decimal, year: int) -> Decimal:
    """What one hour a week more (or less) of support means for the year's income."""
    return to_money(Decimal(hour_price) * Decimal(days_in_year(year)) / SEVEN)


def as_account_amount(income: Decimal) -> Decimal:
    return -income


@dataclass
class ResidentIncome:
    placement_id: int
    initials: str
    paragraph: str
    package: str
    weekly_hours: Decimal
    start: dt.date
    end: dt.date | None
    days: int
    income: Decimal
    status: str


@dataclass
class HomeAllocation:
    year: int
    hour_price: Decimal | None
    residents: list[ResidentIncome]
    total: Decimal
    weekly_hours: Decimal
    one_hour_per_year: Decimal | None


# Placements that give the home income: decided and not rejected.
INCOME_STATUSES = ("godkendt", "aktiv", "ophoert")


def home_allocation(home_id: int, year: int) -> HomeAllocation:
    """The year's activity income per resident and in total (one query for the placements)."""

    price = HourPrice.for_home(home_id, year)
    hour_price = price.hour_price if price else None
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    placements = (
        Placement.objects.own_citizens()
        .filter(offer__home_id=home_id, status__in=INCOME_STATUSES, start_date__lte=last)
        .exclude(end_date__lt=first)
        .select_related("citizen", "package", "offer__paragraph")
        .order_by("start_date", "pk")
    )
    residents = []
    for p in placements:
        hours = p.package.weekly_hours if p.package else ZERO
        days = overlap_days(p.start_date, p.end_date, first, last)
        income = (
            placement_income(
                weekly_hours=hours,
                hour_price=hour_price,
                start=p.start_date,
                end=p.end_date,
                period_start=first,
                period_end=last,
            )
            if hour_price
            else ZERO
        )
        residents.append(
            ResidentIncome(
                placement_id=p.pk,
                initials=p.citizen.initials,
                paragraph=p.offer.paragraph.code,
                package=p.package.name if p.package else "—",
                weekly_hours=hours,
                start=p.start_date,
                end=p.end_date,
                days=days,
                income=income,
                status=p.get_status_display(),
            )
        )
    return HomeAllocation(
        year=year,
        hour_price=hour_price,
        residents=residents,
        total=sum((r.income for r in residents), ZERO),
        weekly_hours=sum((r.weekly_hours for r in residents if r.end is None or r.end >= dt.date.today()), ZERO),
        one_hour_per_year=one_hour_per_year(hour_price, year) if hour_price else None,
    )
