"""Writing rates: save a draft, approve and lock it, reopen it with a reason.
Every change is in the history (pghistory); a stale save is refused
(optimistic locking). Approving (again) reprices the home's sales of the year
in the ledger."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from botilbud.lib.locking import VersionConflict
from botilbud.models import Home, User
from botilbud.permissions import can
from budget.rates.calc import RateResult
from budget.rates.models import RateCalculation
from budget.rates.sales import refresh_home_sales
from budget.rates.selectors import rate_for


class RateLocked(Exception):
    """The year's rate is approved and locked."""


def can_write_rates(user: User, home: Home) -> bool:
    return can(user, "rates.edit", home)


def require_rate_writer(user: User, home: Home) -> None:
    if not can_write_rates(user, home):
        raise PermissionDenied("Kun botilbuddets økonomikonsulent (og administratoren) beregner og godkender takster.")


def _lock(calc: RateCalculation, seen_version: int | None) -> RateCalculation:
    current = RateCalculation.objects.select_for_update().get(pk=calc.pk)
    if seen_version is not None and current.version != seen_version:
        raise VersionConflict(current, seen_version)
    if current.is_approved:
        raise RateLocked(f"Taksten for {current.year} er godkendt og låst.")
    return current


def snapshot(result: RateResult) -> dict[str, Any]:
    """The approved calculation's lines, as text (Decimal kept exact)."""
    reg = result.regulation
    return {
        "cost_lines": [[label, str(amount)] for label, amount in result.cost_lines],
        "cost_base": str(result.cost_base),
        "overhead_pct": str(result.overhead_pct),
        "overhead": str(result.overhead),
        "capital_costs": str(result.capital_costs),
        "regulation": {
            "year": reg.year,
            "source": reg.source,
            "result": str(reg.result),
            "limit": str(reg.limit),
            "carry_over": str(reg.carry_over),
            "into_rate": str(reg.into_rate),
            "limit_pct": str(reg.limit_pct),
            "limit_base": str(reg.limit_base),
            "actual_costs": str(reg.actual_costs),
            "actual_income": str(reg.actual_income),
            "closed": reg.closed,
            "months": reg.months,
            "note": reg.note,
        },
        "total": str(result.total),
        "places": result.places,
        "occupancy_pct": str(result.occupancy_pct),
        "billable_places": str(result.billable_places),
        "weighted_mean": str(result.weighted_mean),
        "days": result.days,
        "annual": str(result.annual),
        "month": str(result.month),
        "day": str(result.day),
        "levels": [
            [lv.name, str(lv.weight), str(lv.places), str(lv.annual), str(lv.month), str(lv.day)]
            for lv in result.levels
        ],
    }


@transaction.atomic
def approve(*, calc: RateCalculation, user: User, seen_version: int) -> RateCalculation:
    """Approve and lock the year's rate: the computed rates are frozen on the
    calculation and its levels. Raises ``RateError`` on impossible inputs."""
    if not can(user, "rates.approve", calc.home):
        raise PermissionDenied("Kun botilbuddets økonomikonsulent (og administratoren) godkender takster.")
    current = _lock(calc, seen_version)
    result = rate_for(current)
    current.status = RateCalculation.Status.APPROVED
    current.approved_by = user
    current.approved_at = timezone.now()
    current.approved_annual = result.annual
    current.approved_day = result.day
    current.approved_snapshot = snapshot(result)
    current.reopened_by, current.reopened_at, current.reopen_reason = None, None, ""
    current.updated_by = user
    current.version += 1
    current.save()
    by_name = {lv.name: lv for lv in result.levels}
    for level in current.levels.all():
        rate = by_name.get(level.name)
        if rate is not None:
            level.approved_annual, level.approved_day = rate.annual, rate.day
            level.version += 1
            level.save(update_fields=["approved_annual", "approved_day", "version"])

    refresh_home_sales(current.home_id, current.year)
    return current


class ReopenError(Exception):
    """The rate cannot be reopened (a Danish message)."""


@transaction.atomic
def reopen(*, calc: RateCalculation, user: User, seen_version: int, reason: str) -> RateCalculation:
    """Reopen an approved rate so it can be recomputed. The approved figures stay in force
    (they keep pricing sales) until the rate is approved again; the approved version is
    kept in the history (pghistory), with who reopened it, when and why."""
    if not can(user, "rates.approve", calc.home):
        raise PermissionDenied("Kun botilbuddets økonomikonsulent (og administratoren) genåbner takster.")
    reason = (reason or "").strip()
    if not reason:
        raise ReopenError("Skriv hvorfor den godkendte takst genåbnes.")
    if len(reason) > 300:
        raise ReopenError("Begrundelsen må højst være 300 tegn.")
    current = RateCalculation.objects.select_for_update().get(pk=calc.pk)
    if current.version != seen_version:
        raise VersionConflict(current, seen_version)
    if not current.is_approved:
        raise ReopenError(f"Taksten for {current.year} er ikke godkendt, så den kan ikke genåbnes.")
    current.status = RateCalculation.Status.REOPENED
    current.reopened_by = user
    current.reopened_at = timezone.now()
    current.reopen_reason = reason
    current.updated_by = user
    current.version += 1
    current.save()
    return current


def ensure_editable(calc: RateCalculation) -> None:
    if calc.pk and RateCalculation.objects.filter(pk=calc.pk, status=RateCalculation.Status.APPROVED).exists():
        raise RateLocked(f"Taksten for {calc.year} er godkendt og låst.")
