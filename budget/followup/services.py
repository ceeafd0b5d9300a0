"""Writes of the follow-up workflow. Each step checks the role whose turn it is
(``followup.prepare``/``confirm``/``approve`` in ``botilbud/permissions.py``).

Steps: consultant prepares → manager confirms → area manager approves (or
sends back to the manager with a comment). Approving freezes the numbers.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from botilbud.lib.dates import add_months
from botilbud.lib.locking import VersionConflict
from botilbud.models import Area, Home, User
from botilbud.permissions import can
from budget.followup.models import Action, AreaApproval, Explanation, HomeFollowUp, Round, Step
from budget.followup.reminders import send_after_step
from budget.followup.selectors import ECONOMY_KEYS, forecast_after_plan, live_numbers, rollup


def can_prepare(user: User, followup: HomeFollowUp) -> bool:
    return followup.step == Step.PREPARING and can(user, "followup.prepare", followup.home)


def can_confirm(user: User, followup: HomeFollowUp) -> bool:
    return followup.step == Step.MANAGER and can(user, "followup.confirm", followup.home)


def can_approve(user: User, followup: HomeFollowUp) -> bool:
    return followup.step == Step.AREA and can(user, "followup.approve", followup.home)


def _lock(followup: HomeFollowUp, seen_version: int | None) -> HomeFollowUp:
    """Re-read the row under lock and refuse a stale page (optimistic locking)."""
    current = HomeFollowUp.objects.select_for_update().select_related("home__area", "round").get(pk=followup.pk)
    if seen_version is not None and current.version != seen_version:
        raise VersionConflict(current, seen_version)
    return current


def _bump(fu: HomeFollowUp, **changes: Any) -> HomeFollowUp:
    for key, value in changes.items():
        setattr(fu, key, value)
    fu.version += 1
    fu.save()
    if fu.step != Step.APPROVED:
        # The next person's step opened: e-mail them once the step is committed.
        pk = fu.pk
        transaction.on_commit(lambda: send_after_step(pk))
    return fu


def rounds_create(
    *, year: int, months: list[int] | None = None, prepare_day: int = 8, confirm_day: int = 12, approve_day: int = 16
) -> list[Round]:
    """The follow-up calendar for a year: a round for each month (monthly by
    default, or e.g. [2, 4, 6, 8, 10, 12]) with deadlines on the given days
    of the following month. Months that already have a round are kept."""

    if not prepare_day <= confirm_day <= approve_day:
        raise ValidationError("Fristerne skal komme i rækkefølgen konsulent, leder, områdeleder.")
    created = []
    for month in sorted(set(months or range(1, 13))):
        if not 1 <= month <= 12:
            raise ValidationError(f"Måned {month} findes ikke.")
        first = dt.date(year, month, 1)
        after = add_months(first, 1)
        round_, was_created = Round.objects.get_or_create(
            month=first,
            defaults={
                "prepare_deadline": after.replace(day=min(prepare_day, 28)),
                "confirm_deadline": after.replace(day=min(confirm_day, 28)),
                "approve_deadline": after.replace(day=min(approve_day, 28)),
            },
        )
        if was_created:
            created.append(round_)
    return created


def followups_for_round(*, round_: Round, homes: list[Home]) -> list[HomeFollowUp]:
    """Every home's follow-up for the round, creating the missing ones.

    One query when none is missing (the usual case: only a round's first visit
    creates them), which is the read itself; the insert and a second read only
    when some are."""
    home_ids = {h.pk for h in homes}

    def read() -> list[HomeFollowUp]:
        return list(
            HomeFollowUp.objects.filter(round=round_, home_id__any=home_ids)
            .select_related("home__area", "round")
            .annotate(actions_count=Count("actions"))
            .order_by("home__area__name", "home__name")
        )

    followups = read()
    if len(followups) == len(home_ids):
        return followups
    have = {fu.home_id for fu in followups}
    HomeFollowUp.objects.bulk_create(
        [HomeFollowUp(round=round_, home=h) for h in homes if h.pk not in have], ignore_conflicts=True, batch_size=500
    )
    return read()


@transaction.atomic
def followup_prepare(*, followup: HomeFollowUp, user: User, note: str, seen_version: int | None) -> HomeFollowUp:
    fu = _lock(followup, seen_version)
    if not can_prepare(user, fu):
        raise PermissionDenied(
            "Kun botilbuddets økonomikonsulent kan forberede opfølgningen, mens den er på dette trin."
        )
    return _bump(fu, step=Step.MANAGER, consultant_note=note, prepared_by=user, prepared_at=timezone.now())


@transaction.atomic
def explanation_save(*, followup: HomeFollowUp, user: User, group: str, text: str) -> Explanation:
    fu = _lock(followup, None)
    if not can_confirm(user, fu):
        raise PermissionDenied("Kun botilbuddets leder kan skrive forklaringer, mens opfølgningen er hos lederen.")
    text = text.strip()
    if not text:
        raise ValidationError("Skriv en forklaring.")
    explanation, created = Explanation.objects.get_or_create(followup=fu, group=group, defaults={"text": text})
    if not created and explanation.text != text:
        explanation.text = text
        explanation.version += 1
        explanation.save()
    return explanation


@transaction.atomic
def action_add(
    *, followup: HomeFollowUp, user: User, description: str, owner: str, deadline: dt.date, expected_effect: Decimal
) -> Action:
    fu = _lock(followup, None)
    if not can_confirm(user, fu):
        raise PermissionDenied("Kun botilbuddets leder kan skrive handleplanen, mens opfølgningen er hos lederen.")
    action = Action(
        followup=fu, description=description, owner=owner, deadline=deadline, expected_effect=expected_effect
    )
    action.full_clean()
    action.save()
    return action


@transaction.atomic
def action_delete(*, action: Action, user: User) -> None:
    fu = _lock(action.followup, None)
    if not can_confirm(user, fu):
        raise PermissionDenied("Kun botilbuddets leder kan ændre handleplanen, mens opfølgningen er hos lederen.")
    action.delete()


def missing_for_confirmation(
    followup: HomeFollowUp,
    numbers: dict[str, Any],
    *,
    explained: set[str] | None = None,
    has_actions: bool | None = None,
) -> list[str]:
    """What the manager must still write before confirming (Danish messages).

    Above the threshold: an explanation for each account group whose own
    deviation passes the threshold (at least one in all), and an action plan.
    ``explained`` (the groups with an explanation) and ``has_actions`` are
    read from the database unless the caller has them already (the page).
    """
    problems: list[str] = []
    if not numbers["action_required"]:
        return problems
    threshold = Decimal(numbers["threshold"])
    if explained is None:
        explained = set(followup.explanations.values_list("group", flat=True))
    over = [row for row in numbers["economy"] if abs(Decimal(row["deviation"])) > threshold]
    for row in over:
        if row["group"] not in explained:
            problems.append(f"Skriv en forklaring på afvigelsen for {row['label'].lower()}.")
    if not over and not explained:
        problems.append("Skriv en forklaring på afvigelsen.")
    if not (followup.actions.exists() if has_actions is None else has_actions):
        problems.append("Afvigelsen er over tærsklen: tilføj mindst én handling til handleplanen.")
    return problems


@transaction.atomic
def followup_confirm(*, followup: HomeFollowUp, user: User, seen_version: int | None) -> HomeFollowUp:
    fu = _lock(followup, seen_version)
    if not can_confirm(user, fu):
        raise PermissionDenied("Kun botilbuddets leder kan bekræfte opfølgningen, mens den er hos lederen.")
    numbers = live_numbers([fu.home], fu.round)[fu.home_id]
    problems = missing_for_confirmation(fu, numbers)
    if problems:
        raise ValidationError(problems)
    return _bump(fu, step=Step.AREA, confirmed_by=user, confirmed_at=timezone.now())


@transaction.atomic
def followup_return(*, followup: HomeFollowUp, user: User, comment: str, seen_version: int | None) -> HomeFollowUp:
    fu = _lock(followup, seen_version)
    if not can_approve(user, fu):
        raise PermissionDenied("Kun områdelederen kan sende opfølgningen tilbage, mens den er hos områdelederen.")
    if not comment.strip():
        raise ValidationError("Skriv en kommentar til lederen om, hvad der skal rettes.")
    return _bump(fu, step=Step.MANAGER, return_comment=comment.strip(), returned_count=fu.returned_count + 1)


def freeze(fu: HomeFollowUp, user: User | None = None, when: dt.datetime | None = None) -> dict[str, Any]:
    """Every number the page shows, plus the texts and sign-offs, as plain data."""
    numbers = live_numbers([fu.home], fu.round, with_entries=True)[fu.home_id]
    actions = list(fu.actions.all())
    numbers["explanations"] = {e.group: e.text for e in fu.explanations.all()}
    numbers["actions"] = [
        {
            "description": a.description,
            "owner": a.owner,
            "deadline": a.deadline.isoformat(),
            "expected_effect": str(a.expected_effect),
        }
        for a in actions
    ]
    numbers["forecast_after_plan"] = str(
        forecast_after_plan(numbers["totals"]["forecast"], [a.expected_effect for a in actions])
    )
    numbers["signoff"] = {
        "prepared": [str(fu.prepared_by or ""), fu.prepared_at.isoformat() if fu.prepared_at else None],
        "confirmed": [str(fu.confirmed_by or ""), fu.confirmed_at.isoformat() if fu.confirmed_at else None],
        "approved": [str(user or ""), (when or timezone.now()).isoformat()],
    }
    return numbers


@transaction.atomic
def followup_approve(*, followup: HomeFollowUp, user: User, seen_version: int | None) -> HomeFollowUp:
    fu = _lock(followup, seen_version)
    if not can_approve(user, fu):
        raise PermissionDenied("Kun områdelederen kan godkende opfølgningen, mens den er hos områdelederen.")
    now = timezone.now()
    return _bump(fu, step=Step.APPROVED, approved_by=user, approved_at=now, snapshot=freeze(fu, user, now))


@transaction.atomic
def area_approve(*, round_: Round, area: Area, user: User) -> AreaApproval:
    if not can(user, "followup.approve_area", area):
        raise PermissionDenied("Kun områdets leder kan godkende områdets opfølgning.")
    homes = list(Home.objects.filter(area=area, is_active=True))
    followups = followups_for_round(round_=round_, homes=homes)
    waiting = [fu.home.name for fu in followups if fu.step != Step.APPROVED]
    if waiting:
        raise ValidationError(f"Disse botilbud er ikke godkendt endnu: {', '.join(waiting)}.")
    snapshot = rollup(followups, {})
    approval, _ = AreaApproval.objects.update_or_create(
        round=round_, area=area, defaults={"approved_by": user, "snapshot": snapshot}
    )
    return approval


@transaction.atomic
def round_approve(*, round_: Round, user: User, seen_version: int | None) -> Round:
    """The department head approves the department roll-up (all areas approved)."""
    if not can(user, "followup.approve_department"):
        raise PermissionDenied("Kun fagchefen kan godkende forvaltningens opfølgning.")
    current = Round.objects.select_for_update().get(pk=round_.pk)
    if seen_version is not None and current.version != seen_version:
        raise VersionConflict(current, seen_version)
    approved_areas = set(AreaApproval.objects.filter(round=current).values_list("area_id", flat=True))
    missing = Area.objects.filter(homes__is_active=True).exclude(pk__in=approved_areas).distinct()
    if missing.exists():
        raise ValidationError(f"Disse områder er ikke godkendt endnu: {', '.join(a.name for a in missing)}.")
    followups = followups_for_round(round_=current, homes=list(Home.objects.filter(is_active=True)))
    current.snapshot = rollup(followups, {})
    current.status = Round.Status.APPROVED
    current.approved_by = user
    current.approved_at = timezone.now()
    current.version += 1
    current.save()
    return current


__all__ = ["ECONOMY_KEYS"]
