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

Ledger entries: one generated entry per sale and year (``salg:<year>``), from
the sale's start (or 1 January) to its end (or 31 December), every year from
the start year up to the ledger's horizon (``disponering.services.horizon_end``:
an open-ended sale runs to the end of next year). So a sale that started in an
earlier year earns income in this year and next too, each year at that year's
rate in force (approved, reopened or preliminary indexed). A year without a
rate in force gets no entry (its statements would be 0 too). Every event
(start, package change, end, reprice) recomputes all of a sale's entries.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q

from botilbud.lib.dates import month_end, months_between, overlap_days
from botilbud.lib.money import ZERO, to_money
from botilbud.models import AccountGroup
from budget.rates.models import PRICING_STATUSES, RateCalculation, RateLevel
from budget.rates.selectors import approved_rate
from disponering import services
from disponering.models import Category, LedgerEntry, Spread, Status
from disponering.services import horizon_end
from visitation.models import Placement


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
    placement: Any,
    first: dt.date,
    last: dt.date,
    rates: dict | None = None,
    changes: list | None = None,
    home_id: int | None = None,
) -> list[SaleSegment]:
    """The sale's segments inside [first, last] (one year or less), priced by that year's approved rates.

    ``rates``: {(home_id, package_id | None): (day rate, level)} of the year (``day_rates``), to
    price many placements without a query each; ``home_id``: the home of the sale's offer
    (read from ``placement.offer`` when not given)."""

    if home_id is None:
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
    """Every day rate in force in ``year`` (approved, reopened or indexed): {(home_id, package_id): (day rate, level)} and
    {(home_id, None): the default level's}. Three queries of plain values (a statement
    asks for it once per month it covers; model instances for every level's packages
    made sending one statement take seconds)."""

    approved = RateCalculation.objects.filter(year=year, status__in=PRICING_STATUSES)
    calcs = list(approved.values_list("pk", "home_id", "approved_day"))
    levels_by_calc: dict[int, list[tuple[int, str, Decimal]]] = defaultdict(list)
    for level_id, calc_id, name, day in RateLevel.objects.filter(
        calculation__in=approved, approved_day__isnull=False
    ).values_list("pk", "calculation_id", "name", "approved_day"):
        if day is not None:  # always (the filter); says so to the type checker
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


def _sale_entries(placement: Any):
    return LedgerEntry.objects.filter(placement_id=placement.pk, generated=True, generated_key__startswith="salg")


def year_months(
    placement: Any, year: int, today: dt.date | None = None, rates: dict | None = None, changes: list | None = None
) -> list[tuple[dt.date, Decimal]] | None:
    """The sale's income per month in ``year`` (negative, municipal sign), or ``None`` when
    the sale does not run in the year or the year has no rate in force for it.
    ``rates`` and ``changes`` as for ``segments_in`` (to price many sales without queries each)."""

    if placement.status not in ("godkendt", "aktiv", "ophoert"):
        return None
    first = max(placement.start_date, dt.date(year, 1, 1))
    last = min(horizon_end(placement.start_date, placement.end_date, today), dt.date(year, 12, 31))
    if last < first:
        return None
    segments = segments_in(placement, first, last, rates=rates, changes=changes)
    if not segments or all(s.day_rate is None for s in segments):
        return None
    return [
        (
            month,
            -sum(
                (
                    to_money((s.day_rate or ZERO) * overlap_days(s.start, s.end, month, month_end(month)))
                    for s in segments
                ),
                ZERO,
            ),
        )
        for month in months_between(first, last)
    ]


def _title_and_comment(placement: Any, year: int, months: list) -> tuple[str, str, dt.date, dt.date]:
    first, last = months[0][0], month_end(months[-1][0])
    start = max(placement.start_date, first)
    end = min(placement.end_date or last, last)
    who = getattr(placement.citizen, "initials", "") or f"bevilling {placement.pk}"
    title = f"Salg: {who} ({placement.paying_municipality.name})"
    if year > placement.start_date.year:
        title += f", {year}"
    comment = (
        f"Automatisk fra visitationen: salg til {placement.paying_municipality.name} til botilbuddets "
        f"takst for {year} (døgntakst × dage) fra {start:%d-%m-%Y} til {end:%d-%m-%Y}."
    )
    return title, comment, start, end


def new_entry(placement: Any, year: int, months: list) -> dict[str, Any]:
    """The fields of a sale's new ledger entry for ``year`` (``services.entry_create``)."""
    title, comment, start, end = _title_and_comment(placement, year, months)
    return {
        "home": placement.offer.home,
        "user": None,
        "category": Category.MOVE_IN,
        "account_group": AccountGroup.INCOME,
        "title": title,
        "amount": sum((a for _, a in months), ZERO),
        "start_date": start,
        "end_date": end,
        "spread": Spread.MONTHLY,
        "monthly": dict(months),
        "comment": comment,
        "generated": True,
        "generated_key": f"salg:{year}",
        "generated_data": {"year": year, "placement_id": placement.pk},
        "placement": placement,
    }


def _write_year(placement: Any, year: int, months: list | None, existing: Any) -> None:
    if months is None:
        if existing is not None and existing.status != Status.CANCELLED:
            services.entry_update(
                entry=existing,
                seen_version=existing.version,
                monthly={},
                amount=ZERO,
                status=Status.CANCELLED,
                comment=f"Salget løber ikke i {year}, eller {year} har ingen takst: annulleret.",
            )
        return
    if existing is None:
        services.entry_create(**new_entry(placement, year, months))
        return
    total = sum((a for _, a in months), ZERO)
    title, comment, start, end = _title_and_comment(placement, year, months)
    data = {"year": year, "placement_id": placement.pk}
    status = Status.EXPECTED if existing.status == Status.CANCELLED else existing.status
    services.entry_update(
        entry=existing,
        seen_version=existing.version,
        title=title,
        monthly=dict(months),
        amount=total,
        start_date=start,
        end_date=end,
        spread=Spread.MONTHLY,
        status=status,
        comment=comment,
        generated_data=data,
    )


@transaction.atomic
def refresh_sale(placement: Any, today: dt.date | None = None) -> None:
    """Recompute every ledger entry of a sale: one per year it runs in, up to the horizon."""

    existing = {e.generated_key: e for e in _sale_entries(placement)}
    years: set[int] = set()
    if placement.status in ("godkendt", "aktiv", "ophoert"):
        last = horizon_end(placement.start_date, placement.end_date, today)
        # Only years with a rate in force can earn income (one query instead of one per year).
        years = set(
            RateCalculation.objects.filter(
                home_id=placement.offer.home_id,
                year__gte=placement.start_date.year,
                year__lte=last.year,
                status__in=PRICING_STATUSES,
            )
            .exclude(approved_day=None)
            .values_list("year", flat=True)
        )
    years |= {int(k.split(":", 1)[1]) for k in existing if k.startswith("salg:")}
    for year in sorted(years):
        _write_year(placement, year, year_months(placement, year, today), existing.pop(f"salg:{year}", None))
    for entry in existing.values():  # entries of an earlier layout (start + package deltas): cancelled
        _write_year(placement, entry.start_date.year, None, entry)


def refresh_home_sales(home_id: int, year: int | None = None) -> int:
    """Recompute the ledger entries of the home's sales (those running in ``year`` if given),
    after its rate was approved, reopened or indexed. Returns how many sales."""

    qs = Placement.objects.sales().filter(offer__home_id=home_id, status__in=["godkendt", "aktiv", "ophoert"])
    if year is not None:
        qs = qs.filter(start_date__lte=dt.date(year, 12, 31)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=dt.date(year, 1, 1))
        )
    n = 0
    for placement in qs.select_related("offer__home", "citizen", "paying_municipality"):
        refresh_sale(placement)
        n += 1
    return n


def handle_sale_event(event: Any) -> None:
    """The ledger handler for sales (registered with ``visitation.events``)."""
    placement = event.placement
    if placement.offer.home_id is None or not placement.is_sale:
        return
    refresh_sale(placement)
