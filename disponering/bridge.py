"""From visitation to the ledger: placement events create generated entries.

- start in an own home → expected income from the start date to the
  placement's end, or for an open-ended placement to the end of next budget
  year (``services.horizon_end``: next year's ledger sees it), each year at
  its own hour price, by the allocation model;
- package change → the income adjustment Δ weekly hours × hour price × days/7
  from the change date to the same horizon;
- end → every generated entry of the placement stops at the end date, also
  an entry that started in an earlier year;
- reprice (the PL index step gave a year a new hour price) → every generated
  entry is recomputed with the hour price in force in each year.

Entries are keyed by (placement, ``generated_key``) so a repeated or corrected
event updates the entry instead of adding a second one.
"""

from __future__ import annotations

import datetime as dt
import logging
from decimal import Decimal
from typing import Any

from django.db import transaction

from botilbud.lib.money import ZERO, format_number
from botilbud.models import AccountGroup
from disponering import services
from disponering.models import Category, LedgerEntry, Spread, Status
from disponering.services import consequence_summary, horizon_end, income_consequence_span
from visitation import events, providers

log = logging.getLogger(__name__)


def _placement_home(placement: Any):
    offer = getattr(placement, "offer", None)
    return getattr(offer, "home", None) if offer is not None else None


def _entries_of(placement: Any):
    if hasattr(LedgerEntry, "placement"):
        return LedgerEntry.objects.filter(placement_id=placement.pk, generated=True)
    return LedgerEntry.objects.filter(generated=True, generated_data__placement_id=placement.pk)


def _initials(placement: Any) -> str:
    citizen = getattr(placement, "citizen", None)
    return getattr(citizen, "initials", "") or f"bevilling {placement.pk}"


def _write(
    *,
    placement: Any,
    home: Any,
    key: str,
    category: str,
    title: str,
    hours_delta: Decimal,
    start: dt.date,
    end: dt.date | None,
    data: dict[str, Any],
) -> LedgerEntry | None:
    """Create or update the generated entry ``key`` of ``placement``."""

    period_end = horizon_end(start, end)
    months = income_consequence_span(home, hours_delta, start, period_end) if period_end >= start else []
    existing = _entries_of(placement).filter(generated_key=key).first()
    total = sum((a for _, a in months), ZERO)
    data = {**data, "placement_id": placement.pk, "hours_delta": str(hours_delta)}
    if not months:
        comment = "Timepris mangler for botilbuddet, eller perioden er tom: beløbet er 0."
    else:
        comment = (
            f"Automatisk fra visitationen: {format_number(hours_delta, 2)} timer/uge × timepris × dage/7 "
            f"fra {start:%d-%m-%Y}."
        )
    if existing is None:
        return services.entry_create(
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
            placement=placement if hasattr(LedgerEntry, "placement") else None,
        )
    status = existing.status
    if period_end < start:
        status = Status.CANCELLED
    elif status == Status.CANCELLED:
        status = Status.EXPECTED
    return services.entry_update(
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


@transaction.atomic
def handle_placement_event(event: Any) -> None:
    """The handler registered with ``visitation.events.register``."""
    placement = event.placement
    home = _placement_home(placement)
    if home is None:
        return  # external offer: no own home's income
    if getattr(placement, "is_sale", False):
        return  # a sold place earns the home's approved rate: budget.rates.sales
    kind = event.kind
    who = _initials(placement)
    end = getattr(placement, "end_date", None)
    if kind == "start":
        hours = event.new_weekly_hours
        if hours is None:
            package = getattr(placement, "package", None)
            hours = getattr(package, "weekly_hours", 0) or 0
        _write(
            placement=placement,
            home=home,
            key="start",
            category=Category.MOVE_IN,
            title=f"Indflytning {who}",
            hours_delta=Decimal(hours),
            start=event.date,
            end=end,
            data={"weekly_hours": str(hours), "date": event.date.isoformat()},
        )
    elif kind == "package_change":
        key = f"pakke:{event.date.isoformat()}"
        existing = _entries_of(placement).filter(generated_key=key).first()
        old = Decimal(str(event.old_weekly_hours or 0))
        if existing is not None and "old_weekly_hours" in existing.generated_data:
            old = Decimal(existing.generated_data["old_weekly_hours"])  # keep the first "before"
        new = Decimal(str(event.new_weekly_hours or 0))
        _write(
            placement=placement,
            home=home,
            key=key,
            category=Category.SUPPORT_CHANGE,
            title=f"Ændret pakke {who}: {format_number(old, 1)} → {format_number(new, 1)} t/uge",
            hours_delta=new - old,
            start=event.date,
            end=end,
            data={"old_weekly_hours": str(old), "new_weekly_hours": str(new), "date": event.date.isoformat()},
        )
        # A package change moves the placement's income: the start entry keeps
        # its hours; the adjustment carries the difference.
    elif kind in ("end", "reprice"):
        end = event.date if kind == "end" else end
        generated = list(_entries_of(placement))
        if not generated and kind == "end":
            _manual_move_out(event, home, who)
        for entry in generated:
            data = entry.generated_data or {}
            start = dt.date.fromisoformat(data.get("date", entry.start_date.isoformat()))
            _write(
                placement=placement,
                home=entry.home,
                key=entry.generated_key,
                category=entry.category,
                title=entry.title,
                hours_delta=Decimal(data.get("hours_delta", "0")),
                start=start,
                end=end,
                data={k: v for k, v in data.items() if k != "placement_id"},
            )
    else:
        log.warning("Unknown placement event kind %r", kind)


def manual_move_out_period(end: dt.date, previous_end: dt.date | None) -> tuple[dt.date, dt.date] | None:
    """The income a move-out loses, when no generated entry carries it: from
    the day after ``end`` to the end of that budget year, or to the end the
    placement had before if that comes first. None: nothing is lost."""
    start = end + dt.timedelta(days=1)
    stop = dt.date(end.year, 12, 31)
    if previous_end is not None:
        stop = min(stop, previous_end)
    return (start, stop) if start <= stop else None


def _manual_move_out(event: Any, home: Any, who: str) -> None:
    """A placement with no generated income entry (one that came in with the
    onboarding, from before the app) ends: on request, record the move-out in
    the ledger as an income drop by the allocation model. It is a manual entry
    tied to the placement, so section 2 counts the placement once; ending it
    again moves the entry instead of adding a second one."""

    placement = event.placement
    existing = (
        LedgerEntry.objects.filter(placement_id=placement.pk, generated=False, category=Category.MOVE_OUT)
        .order_by("pk")
        .first()
    )
    if existing is None and not getattr(event, "manual_move_out", False):
        return
    hours = Decimal(str(event.old_weekly_hours or 0))
    period = manual_move_out_period(event.date, getattr(event, "previous_end", None))
    months = income_consequence_span(home, -hours, *period) if period else []
    total = sum((a for _, a in months), ZERO)
    comment = (
        f"Registreret ved ophør af bevillingen (ingen automatisk indtægtspost): {format_number(hours, 2)} timer/uge "
        f"× timepris × dage/7 fra {period[0]:%d-%m-%Y} til {period[1]:%d-%m-%Y}."
        if period
        else "Bevillingen slutter, hvor indtægten alligevel ville stoppe: intet indtægtsfald."
    )
    start, stop = period if period else (event.date, event.date)
    if existing is None:
        if not months:
            return
        services.entry_create(
            home=home,
            user=getattr(event, "user", None),
            category=Category.MOVE_OUT,
            account_group=AccountGroup.INCOME,
            title=f"Fraflytning {who}",
            amount=total,
            start_date=start,
            end_date=stop,
            spread=Spread.MONTHLY,
            monthly=dict(months),
            comment=comment,
            placement=placement,
        )
        return
    services.entry_update(
        entry=existing,
        seen_version=existing.version,
        monthly=dict(months),
        amount=total,
        start_date=start,
        end_date=stop,
        spread=Spread.MONTHLY,
        status=existing.status if months else Status.CANCELLED,
        comment=comment,
    )


def register_with_visitation() -> None:
    """Called from ``DisponeringConfig.ready``: the ledger follows placement
    events, and visitation's package-change page asks disponering for the
    income consequence (``visitation.providers``; visitation never imports
    disponering)."""
    events.register(handle_placement_event)
    providers.provide("income_consequence", consequence_summary)
