"""Year-end close and carry-over (overførselsadgang), DESIGN.md "The budget year's life cycle".

- ``carry_over_rule``: the rule on one home's numbers (pure, hand-tested);
- ``year_close``: locks the year's actuals and proposes each home's carry-over;
- ``year_reopen``: unlocks them again, with a reason (a re-import needs it);
- ``carry_over_approve``: the department head approves; the carry-over is booked as an
  "overførsel" correction of next year's budget (operations group), with its computation.

Who: the finance consultants and the administrator close and reopen a year (it is
one year for the whole municipality); the department head or the administrator
approves the carry-overs.

The cap base is the corrected net budget for a frame-funded home and the corrected
gross expenditure (wages + operations) for an activity-funded home, whose net budget
is small and misleading (DESIGN.md, "Gross and net").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from botilbud.lib.bulk import update_rows
from botilbud.lib.locking import VersionConflict
from botilbud.lib.money import ZERO, format_kr, format_number, to_money
from botilbud.models import AccountGroup, Home, User
from botilbud.permissions import can
from budget.models import (
    BudgetCorrection,
    BudgetLine,
    CarryOver,
    CorrectionKind,
    CorrectionStatus,
    YearEnd,
)
from budget.selectors import forecast_for_homes

DEFAULT_CAP_PCT = Decimal("5.00")
# The carry-over is booked on next year's operations budget (the home's free money).
CARRY_OVER_GROUP = AccountGroup.OPERATIONS.value


class YearEndError(Exception):
    """A close, reopen or approval that cannot be done; the message is Danish."""


@dataclass(frozen=True)
class CarryOverRule:
    result: Decimal
    cap: Decimal
    proposed: Decimal

    @property
    def lapsed(self) -> Decimal:
        return self.result - self.proposed


def carry_over_rule(*, budget: Decimal, actual: Decimal, cap_base: Decimal, cap_pct: Decimal) -> CarryOverRule:
    """result = budget − actual; a surplus is carried up to cap_pct % of |cap_base|
    (the boundary itself included), the rest lapses; a deficit is carried in full."""
    result = to_money(budget - actual)
    cap = to_money(abs(cap_base) * cap_pct / 100)
    proposed = min(result, cap) if result > 0 else result
    return CarryOverRule(result=result, cap=cap, proposed=proposed)


def closed_years() -> list[int]:
    """The years whose actuals are locked."""
    return list(YearEnd.objects.filter(status=YearEnd.Status.CLOSED).values_list("year", flat=True))


def is_closed(year: int) -> bool:
    return YearEnd.objects.filter(year=year, status=YearEnd.Status.CLOSED).exists()


def _computation(home: Home, year: int, rows: dict, rule: CarryOverRule, cap_base: Decimal, pct: Decimal) -> str:
    lines = [f"Årsresultat {year} for {home.name} (korrigeret budget − regnskab):"]
    for group in AccountGroup:
        row = rows.get((home.pk, group.value))
        if row is None:
            continue
        lines.append(
            f"  {group.label}: {format_kr(row.corrected_budget)} − {format_kr(row.actuals_to_date)}"
            f" = {format_kr(row.corrected_budget - row.actuals_to_date)}"
        )
    lines.append(f"  Resultat i alt: {format_kr(rule.result)}")
    base_label = (
        "bruttoudgiftsbudget (løn + øvrig drift), aktivitetsfinansieret"
        if home.financing == Home.Financing.ACTIVITY
        else "korrigeret nettobudget"
    )
    if rule.result > 0:
        lines.append(
            f"Overskud: overføres op til {format_number(pct, 2)} % af {base_label} "
            f"{format_kr(abs(cap_base))} = {format_kr(rule.cap)}"
        )
        lines.append(f"  Overføres: {format_kr(rule.proposed)}; bortfalder: {format_kr(rule.lapsed)}")
    elif rule.result < 0:
        lines.append(f"Underskud: overføres fuldt ud: {format_kr(rule.proposed)}")
    else:
        lines.append("Budget og regnskab er ens: intet at overføre.")
    return "\n".join(lines)


def _compute(year: int, cap_pct: Decimal, homes: list[Home]) -> dict[int, dict]:
    """Each home's numbers for the year (two queries for all homes)."""

    rows = forecast_for_homes([h.pk for h in homes], year, 12)
    out: dict[int, dict] = {}
    for home in homes:
        budget = sum((rows[(home.pk, g.value)].corrected_budget for g in AccountGroup), ZERO)
        actual = sum((rows[(home.pk, g.value)].actuals_to_date for g in AccountGroup), ZERO)
        if home.financing == Home.Financing.ACTIVITY:
            cap_base = sum(
                (rows[(home.pk, g)].corrected_budget for g in (AccountGroup.WAGES.value, CARRY_OVER_GROUP)), ZERO
            )
        else:
            cap_base = budget
        rule = carry_over_rule(budget=budget, actual=actual, cap_base=cap_base, cap_pct=cap_pct)
        out[home.pk] = {
            "budget": budget,
            "actual": actual,
            "cap_base": cap_base,
            "rule": rule,
            "computation": _computation(home, year, rows, rule, cap_base, cap_pct),
        }
    return out


def year_close(*, year: int, user: User, cap_pct: Decimal = DEFAULT_CAP_PCT, now: dt.datetime | None = None) -> YearEnd:
    """Close ``year``: lock its actuals and propose each home's carry-over.

    Homes with a budget or actuals in the year get a row. A re-close after a reopen
    recomputes the rows; an approved row whose amount changes goes back to proposed
    (approving it again books only the difference)."""
    if not can(user, "budget.close_year"):
        raise YearEndError("Kun økonomikonsulenter kan lukke et budgetår.")
    if year >= (now or timezone.now()).year:
        raise YearEndError(f"{year} er ikke slut endnu og kan ikke lukkes.")
    if not 0 <= cap_pct <= 100:
        raise YearEndError("Loftet skal ligge mellem 0 og 100 %.")
    now = now or timezone.now()
    with transaction.atomic():
        year_end, created = YearEnd.objects.select_for_update().get_or_create(
            year=year, defaults={"cap_pct": cap_pct, "closed_at": now, "closed_by": user}
        )
        if not created:
            if year_end.is_closed:
                raise YearEndError(f"{year} er allerede lukket.")
            year_end.status = YearEnd.Status.CLOSED
            year_end.cap_pct, year_end.closed_at, year_end.closed_by = cap_pct, now, user
            year_end.version += 1
            year_end.save()
        home_ids = set(BudgetLine.objects.filter(year=year).values_list("home_id", flat=True))
        homes = list(Home.objects.filter(pk__in=home_ids).order_by("pk"))
        numbers = _compute(year, cap_pct, homes)
        existing = {c.home_id: c for c in CarryOver.objects.select_for_update().filter(year_end=year_end)}
        new, changed = [], []
        for home in homes:
            n = numbers[home.pk]
            rule: CarryOverRule = n["rule"]
            values = {
                "budget": n["budget"],
                "actual": n["actual"],
                "result": rule.result,
                "cap_base": n["cap_base"],
                "cap": rule.cap,
                "proposed": rule.proposed,
                "computation": n["computation"],
            }
            current = existing.get(home.pk)
            if current is None:
                new.append(CarryOver(year_end=year_end, home=home, amount=rule.proposed, **values))
                continue
            unchanged = current.proposed == rule.proposed
            for field, value in values.items():
                setattr(current, field, value)
            # An approved carry-over whose computation did not move keeps its decision.
            if not (unchanged and current.status == CarryOver.Status.APPROVED):
                current.amount, current.note = rule.proposed, ""
                current.status = CarryOver.Status.PROPOSED
            current.version += 1
            changed.append(current)
        CarryOver.objects.bulk_create(new)
        CarryOver.objects.bulk_update(changed, [*values.keys(), "amount", "note", "status", "version"])
        return year_end


def year_reopen(*, year_end: YearEnd, user: User, reason: str, seen_version: int) -> YearEnd:
    """Unlock a closed year's actuals (for a re-import). Booked carry-overs stay; the next
    close recomputes them."""
    if not can(user, "budget.close_year"):
        raise YearEndError("Kun økonomikonsulenter kan genåbne et budgetår.")
    if not reason.strip():
        raise YearEndError("Skriv hvorfor året genåbnes.")
    with transaction.atomic():
        locked = YearEnd.objects.select_for_update().get(pk=year_end.pk)
        if locked.version != seen_version:
            raise VersionConflict(locked, seen_version)
        if not locked.is_closed:
            raise YearEndError(f"{locked.year} er ikke lukket.")
        locked.status = YearEnd.Status.REOPENED
        locked.reopened_at, locked.reopened_by, locked.reopen_reason = timezone.now(), user, reason.strip()[:300]
        locked.version += 1
        locked.save()
        return locked


def carry_over_approve(
    *,
    carry_over: CarryOver,
    user: User,
    seen_version: int,
    amount: Decimal | None = None,
    note: str = "",
) -> BudgetCorrection | None:
    """Approve a home's carry-over (optionally a decided amount other than the computed one,
    with a note) and book it on next year's budget. Returns the booked correction (None
    when nothing was left to book)."""
    if not can(user, "budget.approve_carry_over"):
        raise YearEndError("Kun fagchefen kan godkende overførsler.")
    with transaction.atomic():
        locked = CarryOver.objects.select_for_update().select_related("year_end", "home").get(pk=carry_over.pk)
        if locked.version != seen_version:
            raise VersionConflict(locked, seen_version)
        if not locked.year_end.is_closed:
            raise YearEndError(f"{locked.year_end.year} er genåbnet: luk året igen, før overførslen godkendes.")
        if locked.status == CarryOver.Status.APPROVED:
            raise YearEndError("Overførslen er allerede godkendt.")
        if amount is not None and amount != locked.proposed and not note.strip():
            raise YearEndError("Skriv beslutningen bag et andet beløb end det beregnede.")
        decided = locked.proposed if amount is None else to_money(amount)
        correction = _book(locked, decided, user, note.strip())
        locked.amount, locked.note = decided, note.strip()[:300]
        locked.booked = decided
        locked.status = CarryOver.Status.APPROVED
        locked.decided_by, locked.decided_at = user, timezone.now()
        locked.version += 1
        locked.save()
        return correction


def _book(carry_over: CarryOver, decided: Decimal, user: User, note: str) -> BudgetCorrection | None:
    delta = decided - carry_over.booked
    if delta == 0:
        return None
    year = carry_over.year_end.year
    line, _ = BudgetLine.objects.get_or_create(
        home=carry_over.home, year=year + 1, group=CARRY_OVER_GROUP, defaults={"original": Decimal("0")}
    )
    BudgetLine.objects.select_for_update().get(pk=line.pk)
    correction = _correction(carry_over, decided, user, note, line, timezone.now())
    correction.save()
    return correction


def _correction(
    carry_over: CarryOver, decided: Decimal, user: User, note: str, line: BudgetLine, now: dt.datetime
) -> BudgetCorrection:
    """The (unsaved) correction that books ``decided`` of the carry-over on next year's ``line``."""
    delta = decided - carry_over.booked
    year = carry_over.year_end.year
    computation = carry_over.computation
    if decided != carry_over.proposed:
        computation += f"\nBesluttet overførsel: {format_kr(decided)} ({note})"
    if carry_over.booked:
        computation += (
            f"\nTidligere bogført: {format_kr(carry_over.booked)}; denne korrektion bogfører forskellen "
            f"{format_kr(delta)}"
        )
    return BudgetCorrection(
        line=line,
        kind=CorrectionKind.CARRY_OVER,
        status=CorrectionStatus.APPROVED,
        date=dt.date(year + 1, 1, 1),
        amount=delta,
        reason=f"Overførsel af {'overskud' if carry_over.result > 0 else 'underskud'} fra {year}",
        computation=computation,
        carry_over=carry_over,
        created_by=user,
        decided_by=user,
        decided_at=now,
    )


def approve_all(*, year_end: YearEnd, user: User, home_ids: list[int]) -> int:
    """Approve every proposed carry-over of the given homes at its computed amount:
    what ``carry_over_approve`` does for each (the same rows and audit events), in a
    few set-based statements."""
    with transaction.atomic():
        carry_overs = list(
            CarryOver.objects.select_for_update()
            .filter(year_end=year_end, home_id__in=home_ids, status=CarryOver.Status.PROPOSED)
            .select_related("year_end", "home")
            .order_by("pk")
        )
        if not carry_overs:
            return 0
        if not can(user, "budget.approve_carry_over"):
            raise YearEndError("Kun fagchefen kan godkende overførsler.")
        closing = carry_overs[0].year_end
        if not closing.is_closed:
            raise YearEndError(f"{closing.year} er genåbnet: luk året igen, før overførslen godkendes.")
        lines = {
            line.home_id: line
            for line in BudgetLine.objects.select_for_update().filter(
                home_id__in={c.home_id for c in carry_overs}, year=closing.year + 1, group=CARRY_OVER_GROUP
            )
        }
        new_lines, corrections = [], []
        now = timezone.now()
        for carry_over in carry_overs:
            decided = carry_over.proposed
            if decided != carry_over.booked:
                line = lines.get(carry_over.home_id)
                if line is None:
                    line = lines[carry_over.home_id] = BudgetLine(
                        home=carry_over.home, year=closing.year + 1, group=CARRY_OVER_GROUP, original=Decimal("0")
                    )
                    new_lines.append(line)
                corrections.append(_correction(carry_over, decided, user, "", line, now))
            carry_over.amount, carry_over.note = decided, ""
            carry_over.booked = decided
            carry_over.status = CarryOver.Status.APPROVED
            carry_over.decided_by, carry_over.decided_at = user, now
            carry_over.version += 1
        BudgetLine.objects.bulk_create(new_lines)
        BudgetCorrection.objects.bulk_create(corrections)
        update_rows(
            CarryOver, carry_overs, ["amount", "note", "booked", "status", "decided_by", "decided_at", "version"]
        )
        return len(carry_overs)
