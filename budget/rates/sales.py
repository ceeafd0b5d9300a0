"""Sold places: another municipality's citizen in our home earns the home's
approved day rate for the placement's support level, per day.

    income of a sale in a period = Σ over its package periods of
                                   day rate (home, year, level of the package) × days

Days count from the start date (a sale starting on the 17th of a 30-day month
has 14 days in it) to the end date, both included. The same function gives
the home's ledger entries (``handle_sale_event``, registered with
``visitation.events``; the own-placement bridge leaves sales alone) and the
monthly settlement statements (``budget.rates.settlement``), so the
statement's total is the home's sales income.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from botilbud.lib.dates import month_end, months_between, overlap_days
from botilbud.lib.money import ZERO, to_money
from botilbud.models import AccountGroup


@dataclass(frozen=True)
class SaleSegment:
    """A part of a sale with one package: from–to (both included) at one day rate."""

    start: dt.date
    end: dt.date
    package_id: int | None
    day_rate: Decimal | None
    level: str

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def amount(self) -> Decimal:
        return to_money((self.day_rate or ZERO) * self.days)


def package_periods(placement: Any, changes: list | None = None) -> list[tuple[dt.date, dt.date | None, int | None]]:
    """The placement's packages over time: [(from, to or None, package_id)] from its package changes."""
    if changes is None:
        changes = list(placement.changes.filter(kind="pakke").order_by("effective_date", "pk"))
    changes = [c for c in changes if c.kind == "pakke"]
    first_package = changes[0].old_package_id if changes else placement.package_id
    periods = []
    start, package_id = placement.start_date, first_package
    for c in changes:
        if c.effective_date > start:
            periods.append((start, c.effective_date - dt.timedelta(days=1), package_id))
        start, package_id = max(c.effective_date, start), c.new_package_id
    periods.append((start, placement.end_date, package_id))
    return periods


def segments_in(
    placement: Any, first: dt.date, last: dt.date, rates: dict | None = None, changes: list | None = None
) -> list[SaleSegment]:
    """The sale's segments inside [first, last] (one year or less), priced by that year's approved rates.

    ``rates``: {(home_id, package_id | None): (day rate, level)} of the year (``day_rates``), to
    price many placements without a query each."""
    from budget.rates.selectors import approved_rate

    home_id = placement.offer.home_id
    result = []
    for start, end, package_id in package_periods(placement, changes):
        s, e = max(start, first), min(end or last, last)
        if e < s:
            continue
        if rates is not None:
            day_rate, level = rates.get((home_id, package_id)) or rates.get((home_id, None)) or (None, "")
        else:
            rate = approved_rate(home_id, s.year, package_id)
            day_rate, level = (rate.day, rate.level) if rate else (None, "")
        result.append(SaleSegment(s, e, package_id, day_rate, level))
    return result


def day_rates(year: int) -> dict[tuple[int, int | None], tuple[Decimal, str]]:
    """Every approved day rate of ``year``: {(home_id, package_id): (day rate, level)} and
    {(home_id, None): the default level's}. Three queries of plain values (a statement
    asks for it once per month it covers; model instances for every level's packages
    made sending one statement take seconds)."""
    from budget.rates.models import RateCalculation, RateLevel

    approved = RateCalculation.objects.filter(year=year, status=RateCalculation.Status.APPROVED)
    calcs = list(approved.values_list("pk", "home_id", "approved_day"))
    levels_by_calc: dict[int, list[tuple[int, str, Decimal]]] = defaultdict(list)
    for level_id, calc_id, name, day in RateLevel.objects.filter(
        calculation__in=approved, approved_day__isnull=False
    ).values_list("pk", "calculation_id", "name", "approved_day"):
        levels_by_calc[calc_id].append((level_id, name, day))
    packages: dict[int, list[int]] = defaultdict(list)
    level_ids = [lv[0] for levels in levels_by_calc.values() for lv in levels]
    for level_id, package_id in (
        RateLevel.packages.through.objects.filter(ratelevel_id__in=level_ids)
        .order_by("pk")
        .values_list("ratelevel_id", "supportpackage_id")
    ):
        packages[level_id].append(package_id)
    result: dict[tuple[int, int | None], tuple[Decimal, str]] = {}
    for calc_id, home_id, calc_day in calcs:
        levels = levels_by_calc.get(calc_id, [])
        default = next((lv for lv in levels if not packages.get(lv[0])), None)
        if default is not None:
            result[(home_id, None)] = (default[2], default[1])
        elif calc_day is not None:
            result[(home_id, None)] = (calc_day, "Alle pladser")
        for level_id, name, day in levels:
            for package_id in packages.get(level_id, []):
                result[(home_id, package_id)] = (day, name)
    return result


def sale_income_months(placement: Any, start: dt.date, end: dt.date | None) -> list[tuple[dt.date, Decimal]]:
    """Income per month (negative, municipal sign) from ``start`` to ``end`` or the end of start's year."""
    year_end = dt.date(start.year, 12, 31)
    last = min(end or year_end, year_end)
    if last < start:
        return []
    segments = segments_in(placement, start, last)
    result = []
    for month in months_between(start, last):
        m_end = month_end(month)
        amount = sum(
            (to_money((s.day_rate or ZERO) * overlap_days(s.start, s.end, month, m_end)) for s in segments), ZERO
        )
        result.append((month, -amount))
    return result


def _sale_entries(placement: Any):
    from disponering.models import LedgerEntry

    return LedgerEntry.objects.filter(placement_id=placement.pk, generated=True, generated_key__startswith="salg")


def _write(placement: Any, key: str, title: str, category: str, start: dt.date, months: list, data: dict) -> None:
    from disponering import services
    from disponering.models import Spread, Status

    home = placement.offer.home
    total = sum((a for _, a in months), ZERO)
    period_end = min(placement.end_date or dt.date(start.year, 12, 31), dt.date(start.year, 12, 31))
    comment = (
        f"Automatisk fra visitationen: salg til {placement.paying_municipality.name} til botilbuddets godkendte "
        f"døgntakst × dage fra {start:%d-%m-%Y}."
        if total
        else f"Ingen godkendt takst for {start.year}: beløbet er 0, indtil taksten er godkendt."
    )
    existing = _sale_entries(placement).filter(generated_key=key).first()
    data = {**data, "placement_id": placement.pk}
    if existing is None:
        services.entry_create(
            home=home,
            user=None,
            category=category,
            account_group=AccountGroup.INCOME,
            title=title,
            amount=total,
            start_date=start,
            end_date=max(period_end, start),
            spread=Spread.MONTHLY,
            monthly=dict(months),
            comment=comment,
            generated=True,
            generated_key=key,
            generated_data=data,
            placement=placement,
        )
        return
    status = existing.status
    if period_end < start:
        status = Status.CANCELLED
    elif status == Status.CANCELLED:
        status = Status.EXPECTED
    services.entry_update(
        entry=existing,
        seen_version=existing.version,
        monthly=dict(months),
        amount=total,
        start_date=start,
        end_date=max(period_end, start),
        spread=Spread.MONTHLY,
        status=status,
        comment=comment,
        generated_data=data,
    )


def _days_in(month: dt.date, start: dt.date, end: dt.date) -> int:
    return overlap_days(start, end, month, month_end(month))


def _delta_months(placement: Any, date: dt.date, old_package_id: int | None, new_package_id: int | None) -> list:
    """A package change's income adjustment: (new level's day rate − old level's) × days from ``date``."""
    from budget.rates.selectors import approved_rate

    year_end = dt.date(date.year, 12, 31)
    last = min(placement.end_date or year_end, year_end)
    if last < date:
        return []
    home_id = placement.offer.home_id
    old = approved_rate(home_id, date.year, old_package_id)
    new = approved_rate(home_id, date.year, new_package_id)
    delta = (new.day if new else ZERO) - (old.day if old else ZERO)
    return [(m, to_money(-delta * _days_in(m, date, last))) for m in months_between(date, last)]


@transaction.atomic
def handle_sale_event(event: Any) -> None:
    """The ledger handler for sales (registered with ``visitation.events``)."""
    from disponering.models import Category

    placement = event.placement
    if placement.offer.home_id is None or not placement.is_sale:
        return
    who = getattr(placement.citizen, "initials", "") or f"bevilling {placement.pk}"
    if event.kind == "start":
        start = event.date
        first_package = package_periods(placement)[0][2]
        months = sale_income_months_for_package(placement, start, first_package)
        _write(
            placement,
            "salg-start",
            f"Salg: {who} ({placement.paying_municipality.name})",
            Category.MOVE_IN,
            start,
            months,
            {"date": start.isoformat(), "package_id": first_package},
        )
    elif event.kind == "package_change":
        change = placement.changes.filter(kind="pakke", effective_date=event.date).order_by("-pk").first()
        old_id = change.old_package_id if change else None
        new_id = change.new_package_id if change else placement.package_id
        key = f"salg-pakke:{event.date.isoformat()}"
        existing = _sale_entries(placement).filter(generated_key=key).first()
        if existing is not None and "old_package_id" in existing.generated_data:
            old_id = existing.generated_data["old_package_id"]
        _write(
            placement,
            key,
            f"Salg, ændret pakke: {who} ({placement.paying_municipality.name})",
            Category.SUPPORT_CHANGE,
            event.date,
            _delta_months(placement, event.date, old_id, new_id),
            {"date": event.date.isoformat(), "old_package_id": old_id, "new_package_id": new_id},
        )
    elif event.kind == "end":
        for entry in _sale_entries(placement):
            data = entry.generated_data or {}
            start = dt.date.fromisoformat(data.get("date", entry.start_date.isoformat()))
            if entry.generated_key == "salg-start":
                months = sale_income_months_for_package(placement, start, data.get("package_id"))
            else:
                months = _delta_months(placement, start, data.get("old_package_id"), data.get("new_package_id"))
            _write(
                placement,
                entry.generated_key,
                entry.title,
                entry.category,
                start,
                months,
                {k: v for k, v in data.items() if k != "placement_id"},
            )


def sale_income_months_for_package(placement: Any, start: dt.date, package_id: int | None) -> list:
    """The start entry: the first package's day rate × days from ``start`` to the end (within start's year)."""
    from budget.rates.selectors import approved_rate

    year_end = dt.date(start.year, 12, 31)
    last = min(placement.end_date or year_end, year_end)
    if last < start:
        return []
    rate = approved_rate(placement.offer.home_id, start.year, package_id)
    day = rate.day if rate else ZERO
    return [(m, to_money(-day * _days_in(m, start, last))) for m in months_between(start, last)]
