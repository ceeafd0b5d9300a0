"""Deadlines, reminders and cycle time of the follow-up round.

Each round has a deadline per step (``Round.prepare_deadline`` / ``confirm_deadline`` /
``approve_deadline``). The person whose turn it is gets an e-mail

- when the step opens: the consultant's step when the round month's actuals are
  imported; the manager's when the consultant has prepared (and again after a
  send-back); the area manager's when the manager has confirmed;
- when the step is overdue (today is after its deadline).

``send_reminders`` is idempotent (``Reminder`` logs each e-mail under a unique key),
so the daily job (``manage.py followup_reminders``) and the hook after each step can
both call it. A user turns reminders off on ``/opfoelgning/paamindelser/``; a user
without an e-mail address gets none.

Cycle time: from the first import of the round month's actuals
(``Round.actuals_imported_at``) to the department head's approval of the round, and
per home to the area manager's approval of the home's follow-up. A shorter round
gives a fresher forecast.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.db import connection, transaction
from django.db.models import Avg, Count, DurationField, ExpressionWrapper, F, Max, Prefetch, Q
from django.utils import timezone

from botilbud.lib.dates import format_month
from botilbud.models import User
from budget.followup.models import HomeFollowUp, Reminder, ReminderPreference, Round, Step

log = logging.getLogger(__name__)

# A number for pg_advisory_xact_lock: two senders at once never send the same e-mail twice.
_LOCK_KEY = 730_113


@dataclass
class SendResult:
    sent: int = 0
    opened: int = 0
    overdue: int = 0


def recipients(fu: HomeFollowUp) -> list[User]:
    """Whose turn it is (from prefetched relations; no queries)."""
    if fu.step == Step.PREPARING:
        users = fu.home.consultants.all()
    elif fu.step == Step.MANAGER:
        users = fu.home.managers.all()
    elif fu.step == Step.AREA:
        users = fu.home.area.managers.all()
    else:
        return []
    return [u for u in users if u.is_active and u.email]


def _followups(ids: list[int] | None):  # noqa: ANN202
    active = User.objects.filter(is_active=True).exclude(email="").exclude(reminder_preference__enabled=False)
    qs = (
        HomeFollowUp.objects.filter(round__status=Round.Status.OPEN)
        .exclude(step=Step.APPROVED)
        .filter(Q(home__is_active=True))
        .select_related("round", "home__area")
        .prefetch_related(
            Prefetch("home__consultants", queryset=active),
            Prefetch("home__managers", queryset=active),
            Prefetch("home__area__managers", queryset=active),
        )
    )
    if ids is not None:
        qs = qs.filter(pk__in=ids)
    return qs


def _message(fu: HomeFollowUp, kind: str, to: User) -> EmailMessage:
    base = getattr(settings, "BOTILBUD_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
    month = format_month(fu.round.month)
    deadline = fu.deadline()
    deadline_text = deadline.strftime("%d-%m-%Y") if deadline else "—"
    step = Step(fu.step).label.lower()
    if kind == Reminder.Kind.OVERDUE:
        subject = f"Forsinket: budgetopfølgning {month} for {fu.home.name}"
        first = f"Fristen for budgetopfølgningen af {fu.home.name} for {month} ({step}) var {deadline_text}."
    else:
        subject = f"Din tur: budgetopfølgning {month} for {fu.home.name}"
        first = f"Budgetopfølgningen af {fu.home.name} for {month} venter på dig ({step}). Frist: {deadline_text}."
    body = (
        f"Kære {to.get_full_name() or to.username}\n\n{first}\n\n"
        f"Åbn opfølgningen: {base}{fu.get_absolute_url()}\n\n"
        f"Du kan slå påmindelserne fra her: {base}/opfoelgning/paamindelser/\n"
    )
    return EmailMessage(subject=subject, body=body, to=[to.email])


def _opened_homes(rounds: set[int]) -> set[tuple[int, int]]:
    """(round, home) pairs whose round month has actuals for the home (one query)."""
    if not rounds:
        return set()
    with connection.cursor() as cursor:
        cursor.execute(
            """
            SELECT r.id, t.home_id FROM followup_round r
            JOIN budget_actualtotal t ON t.month = r.month
            WHERE r.id = ANY(%s) GROUP BY r.id, t.home_id
            """,
            [list(rounds)],
        )
        return set(cursor.fetchall())


def send_reminders(*, today: dt.date | None = None, followup_ids: list[int] | None = None) -> SendResult:
    """Send the due e-mails (all open follow-ups, or only the given ones)."""
    today = today or timezone.localdate()
    result = SendResult()
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        followups = list(_followups(followup_ids))
        if not followups:
            return result
        done = set(
            Reminder.objects.filter(followup__in=followups).values_list(
                "followup_id", "step", "cycle", "kind", "recipient_id"
            )
        )
        opened_homes = _opened_homes({fu.round_id for fu in followups if fu.step == Step.PREPARING})
        messages, rows = [], []
        for fu in followups:
            kinds = []
            if fu.step != Step.PREPARING or (fu.round_id, fu.home_id) in opened_homes:
                kinds.append(Reminder.Kind.OPENED)
            if fu.is_overdue(today):
                kinds.append(Reminder.Kind.OVERDUE)
            for kind in kinds:
                for user in recipients(fu):
                    key = (fu.pk, fu.step, fu.returned_count, kind, user.pk)
                    if key in done:
                        continue
                    done.add(key)
                    messages.append(_message(fu, kind, user))
                    rows.append(Reminder(followup=fu, step=fu.step, cycle=fu.returned_count, kind=kind, recipient=user))
                    if kind == Reminder.Kind.OVERDUE:
                        result.overdue += 1
                    else:
                        result.opened += 1
        if messages:
            # The log is written first, in the same transaction: if sending fails, the
            # transaction rolls back and the next run sends again.
            Reminder.objects.bulk_create(rows, ignore_conflicts=True)
            result.sent = get_connection().send_messages(messages) or len(messages)
    return result


def send_after_step(followup_id: int) -> None:
    """After a step (on commit): e-mail whoever's turn it is now. A mail failure is logged,
    never shown to the user who acted; the daily job sends it again."""
    try:
        send_reminders(followup_ids=[followup_id])
    except Exception:  # noqa: BLE001 - the step itself is saved; the job retries
        log.exception("Follow-up reminder for %s could not be sent", followup_id)


def reminders_enabled(user: User) -> bool:
    pref = ReminderPreference.objects.filter(user=user).first()
    return pref.enabled if pref else True


def set_reminders(*, user: User, enabled: bool) -> ReminderPreference:
    with transaction.atomic():
        pref, created = ReminderPreference.objects.select_for_update().get_or_create(
            user=user, defaults={"enabled": enabled}
        )
        if not created and pref.enabled != enabled:
            pref.enabled = enabled
            pref.version += 1
            pref.save()
        return pref


def mark_actuals_imported(months: list[dt.date], when: dt.datetime | None = None) -> int:
    """The first import of a round month's actuals starts the round's cycle."""
    if not months:
        return 0
    return Round.objects.filter(month__in=months, actuals_imported_at__isnull=True).update(
        actuals_imported_at=when or timezone.now()
    )


# --- Overdue overview and cycle time ---------------------------------------------------


def overdue(followups_qs, today: dt.date | None = None) -> list[HomeFollowUp]:  # noqa: ANN001
    """The overdue steps among the given follow-ups (one query): open rounds, the
    current step's deadline before today."""
    today = today or timezone.localdate()
    qs = (
        followups_qs.filter(round__status=Round.Status.OPEN)
        .filter(
            Q(step=Step.PREPARING, round__prepare_deadline__lt=today)
            | Q(step=Step.MANAGER, round__confirm_deadline__lt=today)
            | Q(step=Step.AREA, round__approve_deadline__lt=today)
        )
        .select_related("round", "home__area")
        .order_by("round__month", "home__name")
    )
    rows = list(qs[:500])
    for fu in rows:
        fu.days_overdue = (today - fu.deadline()).days
    return rows


def home_cycle_times(homes, year: int) -> list[dict]:  # noqa: ANN001
    """Per home over the year's rounds: count, average and longest days from the import of
    the round month's actuals to the home's approval (one query)."""

    elapsed = ExpressionWrapper(F("approved_at") - F("round__actuals_imported_at"), output_field=DurationField())
    rows = (
        HomeFollowUp.objects.filter(
            home__in=homes, round__month__year=year, approved_at__isnull=False, round__actuals_imported_at__isnull=False
        )
        .values("home_id", "home__name")
        .annotate(rounds=Count("id"), avg=Avg(elapsed), longest=Max(elapsed))
        .order_by("-avg")
    )
    day = Decimal(86400)
    return [
        {
            "name": r["home__name"],
            "rounds": r["rounds"],
            "avg_days": (Decimal(r["avg"].total_seconds()) / day).quantize(Decimal("0.1")),
            "max_days": (Decimal(r["longest"].total_seconds()) / day).quantize(Decimal("0.1")),
        }
        for r in rows
    ]
