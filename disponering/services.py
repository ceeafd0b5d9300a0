"""Writes to the shared ledger, and the calculations behind its entries.

Every write goes through these functions so an entry and its per-month rows
(``LedgerEntryMonth``) always agree. Edits are optimistic-locked
(``save_versioned``): a stale version raises ``VersionConflict``.
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction

from botilbud.lib.dates import month_end, months_between, overlap_days
from botilbud.lib.locking import save_versioned
from botilbud.lib.money import ZERO, format_kr, format_number, to_money
from botilbud.models import AccountGroup, Home, HourPrice, User
from disponering.models import LeaveRules, LedgerEntry, LedgerEntryMonth, Spread, Status

log = logging.getLogger(__name__)

MonthAmounts = list[tuple[dt.date, Decimal]]


# --- Calculations (pure) --------------------------------------------------------


def month_fraction(month: dt.date, start: dt.date, end: dt.date) -> Decimal:
    """The share of ``month`` that [start, end] covers, by days (1 for a whole month)."""
    days = calendar.monthrange(month.year, month.month)[1]
    covered = overlap_days(start, end, month, month_end(month))
    return Decimal(covered) / Decimal(days)


def distribute(total: Decimal, weights: list[tuple[dt.date, Decimal]]) -> MonthAmounts:
    """Split ``total`` over months by weight, rounded to øre; the last month takes
    the rounding remainder so the parts always add up to the total."""
    weights = [(m, w) for m, w in weights if w > 0]
    if not weights:
        return []
    weight_sum = sum((w for _, w in weights), Decimal(0))
    parts: MonthAmounts = []
    running = ZERO
    for index, (month, weight) in enumerate(weights):
        if index == len(weights) - 1:
            amount = to_money(total) - running
        else:
            amount = to_money(total * weight / weight_sum)
            running += amount
        parts.append((month, amount))
    return parts


def spread_amounts(
    *,
    amount: Decimal,
    start_date: dt.date,
    end_date: dt.date,
    spread: str,
    monthly: Mapping[dt.date, Decimal] | None = None,
) -> MonthAmounts:
    """An entry's amount per month.

    - evenly: the total over the period's months, a partial month by its days;
    - one-off: the whole amount in the start month;
    - per month: the typed amounts (months outside the period are refused).
    """
    if end_date < start_date:
        raise ValueError("Slutdatoen ligger før startdatoen.")
    if spread == Spread.ONE_OFF:
        return [(start_date.replace(day=1), to_money(amount))]
    if spread == Spread.MONTHLY:
        period = set(months_between(start_date, end_date))
        result = []
        for month, value in sorted((monthly or {}).items()):
            if month not in period:
                raise ValueError(f"Beløbet for {month:%m-%Y} ligger uden for perioden.")
            if value:
                result.append((month, to_money(value)))
        return result
    weights = [(m, month_fraction(m, start_date, end_date)) for m in months_between(start_date, end_date)]
    return distribute(Decimal(amount), weights)


@dataclass(frozen=True)
class LeaveEffect:
    """The monthly effect of a staff absence on the home (DESIGN.md, staff leave):

    temp cost − refund to the home − (wage if without pay)
    """

    months: MonthAmounts  # wages: temp cost − wage saved (negative = saving)
    refund_months: MonthAmounts  # refund received by the home (negative = income)
    monthly_net: Decimal  # the wage line for a whole month
    with_pay: bool = False
    refund_to_home: bool = True
    monthly_refund: Decimal = ZERO  # as entered, whoever receives it

    @property
    def total(self) -> Decimal:
        return sum((a for _, a in self.months), ZERO)

    @property
    def refund_total(self) -> Decimal:
        return sum((a for _, a in self.refund_months), ZERO)

    @property
    def monthly_effect(self) -> Decimal:
        """Wage line + refund line for a whole month: the effect on the home."""
        refund = to_money(self.monthly_refund) if self.refund_to_home else ZERO
        return self.monthly_net - refund

    @property
    def net_total(self) -> Decimal:
        return self.total + self.refund_total


def leave_effect(
    *,
    monthly_wage: Decimal,
    start_date: dt.date,
    end_date: dt.date,
    temp_percent: Decimal,
    monthly_refund: Decimal = ZERO,
    with_pay: bool = False,
    refund_to_home: bool = True,
) -> LeaveEffect:
    """Maternity leave, sickness and the like, per month (partial months by days):

    - the temp costs ``temp_percent`` of the wage;
    - without pay the wage is saved; with pay it continues (no saving);
    - a refund is a line of its own, and only when it goes to the home (the
      municipality's rule, ``LeaveRules``); to a central pool it is not the
      home's income.

    35.000 kr./md., vikar 80 %, uden løn → 28.000 − 35.000 = −7.000 kr. a month;
    med løn → +28.000 kr. a month (and −20.000 kr. refund if it goes to the home).
    """
    if end_date < start_date:
        raise ValueError("Slutdatoen ligger før startdatoen.")
    wage = Decimal(monthly_wage)
    temp_share = Decimal(temp_percent) / Decimal(100)
    saved_share = Decimal(0) if with_pay else Decimal(1)
    per_month = wage * (temp_share - saved_share)  # temp cost − wage saved
    months = []
    refunds = []
    for month in months_between(start_date, end_date):
        fraction = month_fraction(month, start_date, end_date)
        months.append((month, to_money(per_month * fraction)))
        if monthly_refund and refund_to_home:
            refunds.append((month, to_money(-Decimal(monthly_refund) * fraction)))
    return LeaveEffect(
        months=months,
        refund_months=refunds,
        monthly_net=to_money(per_month),
        with_pay=with_pay,
        refund_to_home=refund_to_home,
        monthly_refund=Decimal(monthly_refund or 0),
    )


def income_consequence(
    home: Home | int,
    weekly_hours_delta: Decimal | int,
    from_date: dt.date,
    year: int,
    to_date: dt.date | None = None,
) -> MonthAmounts:
    """The allocation model's income change per month in ``year``:
    Δ weekly hours × hour price × days/7, from ``from_date`` to ``to_date`` (or the
    end of the year). Income is negative (municipal sign). Empty without an hour price.
    """
    home_id = home if isinstance(home, int) else home.pk
    price = HourPrice.for_home(home_id, year)
    if price is None:
        return []
    delta = Decimal(weekly_hours_delta)
    year_start, year_end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    start = max(from_date, year_start)
    end = min(to_date or year_end, year_end)
    if end < start:
        return []
    result = []
    for month in months_between(start, end):
        days = overlap_days(start, end, month, month_end(month))
        result.append((month, to_money(-delta * price.hour_price * Decimal(days) / Decimal(7))))
    return result


def _add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later (the month's last day if it is shorter)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def horizon_end(start: dt.date, end: dt.date | None, today: dt.date | None = None) -> dt.date:
    """Where a placement's generated income stops: its end date, or for an
    open-ended placement the end of next budget year (so next year's ledger
    and budget see it), counted from today or the start, whichever is later."""
    if end is not None:
        return end
    today = today or dt.date.today()
    return dt.date(max(start.year, today.year) + 1, 12, 31)


def income_consequence_span(
    home: Home | int, weekly_hours_delta: Decimal | int, from_date: dt.date, to_date: dt.date
) -> MonthAmounts:
    """``income_consequence`` over every year from ``from_date`` to ``to_date``,
    each year at its own hour price."""
    result: MonthAmounts = []
    for year in range(from_date.year, to_date.year + 1):
        result.extend(income_consequence(home, weekly_hours_delta, from_date, year, to_date))
    return result


def consequence_summary(
    home: Home | int, *, old_weekly_hours: Decimal | int, new_weekly_hours: Decimal | int, from_date: dt.date
) -> dict[str, Any]:
    """Context for ``disponering/_income_consequence.html``: the income change per
    month of ``from_date``'s year and its total (the rest of this year), the full
    12-month effect from ``from_date`` (across the year end, each year at its
    hour price), and whether the hour price is missing. For the placement/package
    change page and the ledger page (shown before saving)."""
    delta = Decimal(new_weekly_hours) - Decimal(old_weekly_hours)
    rows = income_consequence(home, delta, from_date, from_date.year)
    twelve_end = _add_months(from_date, 12) - dt.timedelta(days=1)
    twelve = income_consequence_span(home, delta, from_date, twelve_end)
    home_id = home if isinstance(home, int) else home.pk
    return {
        "consequence": rows,
        "consequence_total": sum((a for _, a in rows), ZERO),
        "consequence_twelve": twelve,
        "consequence_twelve_total": sum((a for _, a in twelve), ZERO),
        "consequence_twelve_end": twelve_end,
        "consequence_delta": delta,
        "missing_price": HourPrice.for_home(home_id, from_date.year) is None,
    }


# --- Writes ---------------------------------------------------------------------


def _write_months(entry: LedgerEntry, months: MonthAmounts) -> None:
    LedgerEntryMonth.objects.filter(entry=entry).delete()
    LedgerEntryMonth.objects.bulk_create(
        [
            LedgerEntryMonth(entry=entry, home_id=entry.home_id, account_group=entry.account_group, month=m, amount=a)
            for m, a in months
            if a
        ]
    )


def _months_for(entry: LedgerEntry, monthly: Mapping[dt.date, Decimal] | None) -> MonthAmounts:
    months = spread_amounts(
        amount=entry.amount,
        start_date=entry.start_date,
        end_date=entry.end_date,
        spread=entry.spread,
        monthly=monthly,
    )
    if entry.spread == Spread.MONTHLY:
        entry.amount = sum((a for _, a in months), ZERO)
    return months


def _build_entry(
    *,
    home: Home,
    user: User | None,
    category: str,
    account_group: str,
    title: str,
    amount: Decimal,
    start_date: dt.date,
    end_date: dt.date,
    spread: str = Spread.EVEN,
    status: str = Status.EXPECTED,
    comment: str = "",
    monthly: Mapping[dt.date, Decimal] | None = None,
    generated: bool = False,
    generated_key: str = "",
    generated_data: dict[str, Any] | None = None,
    placement: Any = None,
) -> tuple[LedgerEntry, MonthAmounts]:
    """The unsaved entry and its months, as ``entry_create`` writes them."""
    if spread == Spread.ONE_OFF:
        end_date = max(end_date, start_date)
    entry = LedgerEntry(
        home=home,
        registered_by=user,
        category=category,
        account_group=account_group,
        title=title,
        amount=to_money(amount),
        start_date=start_date,
        end_date=end_date,
        spread=spread,
        status=status,
        comment=comment,
        generated=generated,
        generated_key=generated_key,
        generated_data=generated_data or {},
    )
    if placement is not None and hasattr(LedgerEntry, "placement"):
        entry.placement = placement
    return entry, _months_for(entry, monthly)


@transaction.atomic
def entry_create(
    *,
    home: Home,
    user: User | None,
    category: str,
    account_group: str,
    title: str,
    amount: Decimal,
    start_date: dt.date,
    end_date: dt.date,
    spread: str = Spread.EVEN,
    status: str = Status.EXPECTED,
    comment: str = "",
    monthly: Mapping[dt.date, Decimal] | None = None,
    generated: bool = False,
    generated_key: str = "",
    generated_data: dict[str, Any] | None = None,
    placement: Any = None,
) -> LedgerEntry:
    entry, months = _build_entry(
        home=home,
        user=user,
        category=category,
        account_group=account_group,
        title=title,
        amount=amount,
        start_date=start_date,
        end_date=end_date,
        spread=spread,
        status=status,
        comment=comment,
        monthly=monthly,
        generated=generated,
        generated_key=generated_key,
        generated_data=generated_data,
        placement=placement,
    )
    entry.save()
    _write_months(entry, months)
    return entry


@transaction.atomic
def entries_create(specs: list[dict[str, Any]]) -> list[LedgerEntry]:
    """``entry_create`` for many entries at once, in order: the same rows (and
    audit events: the trigger fires per row) in two INSERTs instead of two per entry."""
    built = [_build_entry(**spec) for spec in specs]
    entries = LedgerEntry.objects.bulk_create([entry for entry, _ in built])
    LedgerEntryMonth.objects.bulk_create(
        [
            LedgerEntryMonth(entry=entry, home_id=entry.home_id, account_group=entry.account_group, month=m, amount=a)
            for entry, months in built
            for m, a in months
            if a
        ]
    )
    return entries


UPDATABLE = {
    "category",
    "account_group",
    "title",
    "amount",
    "start_date",
    "end_date",
    "spread",
    "status",
    "comment",
    "generated_data",
}


@transaction.atomic
def entry_update(
    *,
    entry: LedgerEntry,
    seen_version: int,
    monthly: Mapping[dt.date, Decimal] | None = None,
    **changes: Any,
) -> LedgerEntry:
    """Apply ``changes`` if nobody saved the entry after ``seen_version``
    (``VersionConflict`` otherwise), and rewrite its months."""
    unknown = set(changes) - UPDATABLE
    if unknown:
        raise TypeError(f"Unknown fields: {sorted(unknown)}")
    for name, value in changes.items():
        setattr(entry, name, value)
    if entry.spread == Spread.ONE_OFF and entry.end_date < entry.start_date:
        entry.end_date = entry.start_date
    entry.amount = to_money(entry.amount)
    if entry.spread == Spread.MONTHLY and monthly is None:
        monthly = dict(entry.months.values_list("month", "amount"))
    months = _months_for(entry, monthly)
    save_versioned(entry, seen_version=seen_version)
    _write_months(entry, months)
    return entry


def entry_set_status(*, entry: LedgerEntry, seen_version: int, status: str) -> LedgerEntry:
    entry.status = status
    save_versioned(entry, seen_version=seen_version, update_fields=["status", "updated_at"])
    return entry


def entry_confirm(*, entry: LedgerEntry, seen_version: int) -> LedgerEntry:
    return entry_set_status(entry=entry, seen_version=seen_version, status=Status.CONFIRMED)


def entry_cancel(*, entry: LedgerEntry, seen_version: int) -> LedgerEntry:
    """Cancel (never delete): the entry stays visible, struck through, and counts no more."""
    return entry_set_status(entry=entry, seen_version=seen_version, status=Status.CANCELLED)


@transaction.atomic
def leave_create(
    *,
    home: Home,
    user: User | None,
    category: str,
    title: str,
    monthly_wage: Decimal,
    start_date: dt.date,
    end_date: dt.date,
    temp_percent: Decimal,
    monthly_refund: Decimal = ZERO,
    with_pay: bool = False,
    status: str = Status.EXPECTED,
    comment: str = "",
) -> list[LedgerEntry]:
    """The staff helper: the wage effect as one entry, the refund (when it goes
    to the home, by ``LeaveRules``) as another."""

    to_home = LeaveRules.load().refund_to_home(category)
    effect = leave_effect(
        monthly_wage=monthly_wage,
        start_date=start_date,
        end_date=end_date,
        temp_percent=temp_percent,
        monthly_refund=monthly_refund,
        with_pay=with_pay,
        refund_to_home=to_home,
    )
    basis = (
        f"Månedsløn {format_kr(monthly_wage)}, {'med' if with_pay else 'uden'} løn, vikardækning "
        f"{format_number(temp_percent, 0)} %: løn netto {format_kr(effect.monthly_net)} pr. hel måned."
    )
    if monthly_refund and not to_home:
        basis += f" Refusionen ({format_kr(monthly_refund)} pr. måned) går til den centrale pulje, ikke botilbuddet."
    entries = [
        entry_create(
            home=home,
            user=user,
            category=category,
            account_group=AccountGroup.WAGES,
            title=title,
            amount=effect.total,
            start_date=start_date,
            end_date=end_date,
            spread=Spread.MONTHLY,
            monthly=dict(effect.months),
            status=status,
            comment=f"{basis} {comment}".strip(),
        )
    ]
    if effect.refund_months:
        entries.append(
            entry_create(
                home=home,
                user=user,
                category=category,
                account_group=AccountGroup.INCOME,
                title=f"{title} – refusion",
                amount=effect.refund_total,
                start_date=start_date,
                end_date=end_date,
                spread=Spread.MONTHLY,
                monthly=dict(effect.refund_months),
                status=status,
                comment=f"Refusion {format_kr(monthly_refund)} pr. hel måned.",
            )
        )
    return entries
