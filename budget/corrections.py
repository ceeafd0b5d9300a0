"""Typed budget corrections: register, decide, and who may do which.

The rules (DESIGN.md, "The budget year's life cycle"; decided here):

| kind | registered by | approved by |
|---|---|---|
| technical correction | the home's consultant (or admin) | the same consultant, at once |
| tillægsbevilling (council's decision + date) | the home's consultant (or admin) | department head or admin |
| omplacering (both sides) | a consultant of both homes (or admin) | department head or admin |
| carry-over (``budget.yearend``) | computed at year-end | department head or admin |

A correction is never edited: only its status moves from proposed to approved
or rejected (pghistory records each step), and only approved corrections count
in the corrected budget. The two sides of an omplacering share a ``transfer`` id
and are written and decided in one transaction, so one side never exists alone.
"""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from botilbud.lib.locking import VersionConflict
from botilbud.models import Home, User
from botilbud.permissions import can
from budget.models import BudgetCorrection, BudgetLine, CorrectionKind, CorrectionStatus
from budget.yearend import is_closed


class CorrectionError(Exception):
    """A correction that cannot be registered or decided; the message is Danish."""


def can_register(user: User, home: Home) -> bool:
    """The home's consultants and administrators register corrections."""
    return can(user, "budget.manage_home_budget", home)


def can_decide(user: User, correction: BudgetCorrection) -> bool:
    if correction.status != CorrectionStatus.PROPOSED:
        return False
    return can(user, "budget.decide_correction")


def correction_register(
    *,
    line: BudgetLine,
    kind: str,
    amount: Decimal,
    reason: str,
    date: dt.date,
    user: User,
    council_decision: str = "",
    council_date: dt.date | None = None,
) -> BudgetCorrection:
    """A technical correction (approved at once) or a tillægsbevilling (proposed)."""
    if kind not in (CorrectionKind.TECHNICAL, CorrectionKind.SUPPLEMENTARY):
        raise CorrectionError("Omplaceringer og overførsler registreres på deres egne sider.")
    if amount == 0:
        raise CorrectionError("En korrektion på 0 kr. ændrer ikke noget.")
    if kind == CorrectionKind.SUPPLEMENTARY and (not council_decision.strip() or council_date is None):
        raise CorrectionError("En tillægsbevilling skal have byrådets beslutning og dens dato.")
    _refuse_closed(line.year)
    with transaction.atomic():
        BudgetLine.objects.select_for_update().get(pk=line.pk)
        now = timezone.now()
        technical = kind == CorrectionKind.TECHNICAL
        return BudgetCorrection.objects.create(
            line=line,
            kind=kind,
            status=CorrectionStatus.APPROVED if technical else CorrectionStatus.PROPOSED,
            amount=amount,
            reason=reason,
            date=date,
            council_decision=council_decision.strip() if not technical else "",
            council_date=council_date if not technical else None,
            created_by=user,
            decided_by=user if technical else None,
            decided_at=now if technical else None,
        )


def reallocation_register(
    *,
    source: BudgetLine,
    target_home: Home,
    target_group: str,
    amount: Decimal,
    reason: str,
    date: dt.date,
    user: User,
) -> list[BudgetCorrection]:
    """Move ``amount`` from ``source`` to (target home, group) in the same year: −amount on the
    source, +amount on the target (its budget line is created with original 0 if missing)."""
    if amount <= 0:
        raise CorrectionError("Beløbet der omplaceres skal være større end 0.")
    if source.home_id == target_home.pk and source.group == target_group:
        raise CorrectionError("En omplacering skal flytte penge til et andet botilbud eller en anden kontogruppe.")
    if not can_register(user, target_home):
        raise CorrectionError(f"Du kan ikke omplacere til {target_home.name}: du er ikke konsulent for det.")
    _refuse_closed(source.year)
    with transaction.atomic():
        target, _ = BudgetLine.objects.get_or_create(
            home=target_home, year=source.year, group=target_group, defaults={"original": Decimal("0")}
        )
        # Lock both lines in id order, so two omplaceringer the other way round never deadlock.
        list(BudgetLine.objects.select_for_update().filter(pk__in=[source.pk, target.pk]).order_by("pk"))
        transfer = uuid.uuid4()
        common = {"kind": CorrectionKind.REALLOCATION, "status": CorrectionStatus.PROPOSED, "transfer": transfer}
        common |= {"reason": reason, "date": date, "created_by": user}
        return BudgetCorrection.objects.bulk_create(
            [
                BudgetCorrection(line=source, amount=-amount, **common),
                BudgetCorrection(line=target, amount=amount, **common),
            ]
        )


def _refuse_closed(year: int) -> None:
    if is_closed(year):
        raise CorrectionError(f"Budgetåret {year} er lukket: dets budget kan ikke længere korrigeres.")


def correction_decide(
    *, correction: BudgetCorrection, user: User, approve: bool, seen_version: int, note: str = ""
) -> list[BudgetCorrection]:
    """Approve or reject a proposed correction (both sides of an omplacering together)."""
    with transaction.atomic():
        if correction.transfer:
            rows = list(
                BudgetCorrection.objects.select_for_update().filter(transfer=correction.transfer).order_by("pk")
            )
        else:
            rows = [BudgetCorrection.objects.select_for_update().get(pk=correction.pk)]
        current = next(r for r in rows if r.pk == correction.pk)
        if current.version != seen_version:
            raise VersionConflict(current, seen_version)
        if current.status != CorrectionStatus.PROPOSED:
            raise CorrectionError("Korrektionen er allerede afgjort.")
        if not can(user, "budget.decide_correction"):
            raise CorrectionError("Kun fagchefen kan godkende denne korrektion.")
        if not approve and not note.strip():
            raise CorrectionError("Skriv hvorfor korrektionen afvises.")
        if approve:
            for row in rows:
                _refuse_closed(row.line.year)
        now = timezone.now()
        for row in rows:
            row.status = CorrectionStatus.APPROVED if approve else CorrectionStatus.REJECTED
            row.decided_by, row.decided_at, row.decision_note = user, now, note.strip()[:300]
            row.version += 1
            row.save(update_fields=["status", "decided_by", "decided_at", "decision_note", "version"])
        return rows


def pending_for(user: User) -> QuerySet[BudgetCorrection]:
    """Proposed corrections on the homes the user sees (the approval queue)."""
    return (
        BudgetCorrection.objects.filter(status=CorrectionStatus.PROPOSED, line__home__in=Home.objects.visible_to(user))
        .select_related("line__home", "created_by")
        .order_by("created_at", "transfer", "pk")
    )
