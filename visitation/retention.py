"""Retention of citizens' placement data (GDPR: storage limitation).

A citizen whose last placement ended ``BOTILBUD_RETENTION_YEARS`` (5) years
ago or more is **anonymised**: the person fields go, the money stays.

- ``Citizen``: case number → ``anonym-<id>``, initials → ``anonym``, birth
  year → empty; ``anonymised_at`` is set (never picked again).
- Free text about the citizen: the notes of the placements, their decisions,
  package changes and follow-ups are emptied.
- What the apps above visitation keep about the placements is anonymised by
  those apps, through a ``RetentionPart`` each registers from its
  ``wiring.py`` (visitation imports none of them; data flows botilbud ←
  visitation ← disponering ← budget): ledger entries generated from the
  placements keep their amount, dates and account group, and lose the
  initials in their title and their comment (``disponering/retention.py``);
  sent settlement statements keep every amount and day count, and their
  lines' case number and initials are anonymised the same way
  (``budget/rates/retention.py``).
- The audit trail (pghistory events) of those rows is scrubbed of the same
  fields (``scrub``), so the history does not keep what the rows no longer
  hold. The anonymisation itself is an update event with the job as its
  context.

"Ended" is a placement's end date, or the decision date of a rejected
proposal. A citizen with an open placement (no end date, not rejected) is
never due. Exactly N years after the last end is due; one day less is not
(the cut-off is today minus N years, 29 February → 28 February).

``retention_report`` is the dry run (it writes nothing); ``apply_retention``
anonymises what the report lists and records a ``RetentionRun`` with one
``RetentionItem`` per citizen (who or which job, when, what was touched).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pghistory
from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, DateField, Max, When
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from pghistory.models import Event

from visitation.models import Citizen, Decision, FollowUp, Placement, PlacementChange, RetentionItem, RetentionRun

ANONYMOUS_INITIALS = "anonym"


def retention_years() -> int:
    return int(getattr(settings, "BOTILBUD_RETENTION_YEARS", 5))


def cutoff_for(today: dt.date, years: int) -> dt.date:
    """The last end date that is due on ``today``: today minus ``years``
    years (29 February becomes 28 February in a year without it)."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:
        return today.replace(year=today.year - years, day=28)


def anonymous_case_number(citizen_pk: int) -> str:
    return f"anonym-{citizen_pk}"


@dataclass
class DueCitizen:
    citizen_pk: int
    case_number: str
    initials: str
    last_end: dt.date
    placements: int
    # Filled by the registered parts (what they keep, counted like RetentionItem's columns):
    ledger_entries: int = 0
    ledger_amount: Decimal | None = None  # kept as it is
    statement_lines: int = 0


@dataclass
class RetentionReport:
    today: dt.date
    years: int
    cutoff: dt.date
    due: list[DueCitizen] = field(default_factory=list)

    @property
    def count(self) -> int:
        return len(self.due)


@dataclass(frozen=True)
class Anonymised:
    """The citizen a part anonymises its rows of."""

    citizen_pk: int
    initials: str  # before anonymisation: a part replaces them in its free text
    placement_pks: list[int]


@dataclass(frozen=True)
class RetentionPart:
    """What an app above visitation keeps about a citizen's placements.

    - ``count(citizen_pks)``: the dry run, ``{citizen_pk: {DueCitizen field: value}}``,
      one query for all citizens;
    - ``anonymise(citizen)``: anonymise the rows of ``citizen``'s placements
      (with their history), and return ``{RetentionItem field: rows touched}``.
    """

    name: str
    count: Callable[[list[int]], dict[int, dict[str, Any]]]
    anonymise: Callable[[Anonymised], dict[str, int]]


_parts: list[RetentionPart] = []


def register_part(part: RetentionPart) -> None:
    """Add ``part`` (from an app's ``wiring.py``); registering a name again replaces it."""
    for i, known in enumerate(_parts):
        if known.name == part.name:
            _parts[i] = part
            return
    _parts.append(part)


def parts() -> list[RetentionPart]:
    return list(_parts)


def _ended_on() -> Coalesce:
    """When a placement ended: its end date, or a rejected proposal's decision date."""
    return Coalesce(
        "placements__end_date",
        Case(
            When(
                placements__status=Placement.Status.REJECTED,
                then=Cast(Coalesce("placements__decided_at", "placements__created_at"), DateField()),
            ),
            default=None,
            output_field=DateField(),
        ),
    )


def due_citizens(today: dt.date, years: int) -> models.QuerySet[Citizen]:
    """Citizens due for anonymisation on ``today`` (one query)."""
    open_ids = Placement.objects.filter(end_date__isnull=True).exclude(status=Placement.Status.REJECTED)
    return (
        Citizen.objects.filter(anonymised_at__isnull=True, placements__isnull=False)
        .exclude(pk__in=open_ids.values("citizen_id"))
        .annotate(last_end=Max(_ended_on()))
        .filter(last_end__lte=cutoff_for(today, years))
        .order_by("last_end", "pk")
    )


def retention_report(*, today: dt.date | None = None, years: int | None = None) -> RetentionReport:
    """The dry run: who would be anonymised today, and what it touches. Writes nothing."""

    today = today or timezone.localdate()
    years = retention_years() if years is None else years
    report = RetentionReport(today=today, years=years, cutoff=cutoff_for(today, years))
    citizens = list(due_citizens(today, years).values("pk", "case_number", "initials", "last_end"))  # type: ignore[misc]  # last_end: due_citizens' annotation, not in the queryset's type
    if not citizens:
        return report
    pks = [c["pk"] for c in citizens]
    placements = dict(
        Placement.objects.filter(citizen_id__in=pks)
        .values("citizen_id")
        .annotate(n=models.Count("pk"))
        .values_list("citizen_id", "n")
    )
    counted = [part.count(pks) for part in _parts]
    for c in citizens:
        due = DueCitizen(
            citizen_pk=c["pk"],
            case_number=c["case_number"],
            initials=c["initials"],
            last_end=c["last_end"],
            placements=placements.get(c["pk"], 0),
        )
        for counts in counted:
            for name, value in counts.get(c["pk"], {}).items():
                setattr(due, name, value)
        report.due.append(due)
    return report


def events_of(model: type[models.Model]) -> list[type[models.Model]]:
    """The pghistory event models that track ``model``."""

    return [
        m
        for m in apps.get_models()
        if issubclass(m, Event) and getattr(m, "pgh_tracked_model", None) is model and not m._meta.proxy
    ]


def scrub(model: type[models.Model], pks: list[int], **values: Any) -> int:
    """Set ``values`` on the rows and on every history event of them."""
    if not pks:
        return 0
    touched = model._default_manager.filter(pk__in=pks).update(**values)
    for event_model in events_of(model):
        fields = {f.name for f in event_model._meta.fields}
        event_values = {k: v for k, v in values.items() if k in fields}
        if event_values:
            event_model._default_manager.filter(pgh_obj_id__in=pks).update(**event_values)
    return touched


def without_initials(title: str, initials: str) -> str:
    """``title`` with the citizen's ``initials`` (as a word) replaced by "anonym"."""
    if not initials:
        return title
    return re.sub(rf"(?<!\w){re.escape(initials)}(?!\w)", ANONYMOUS_INITIALS, title)


@transaction.atomic
def apply_retention(
    *, today: dt.date | None = None, years: int | None = None, user: Any = None, job: str = ""
) -> RetentionRun:
    """Anonymise every citizen the dry run lists; record the run and each citizen."""

    report = retention_report(today=today, years=years)
    now = timezone.now()
    run = RetentionRun.objects.create(
        today=report.today,
        years=report.years,
        cutoff=report.cutoff,
        run_by=user,
        job=job or ("brugergrænsefladen" if user else "manage.py retention --apply"),
        citizens=report.count,
    )
    with pghistory.context(retention_run=run.pk, job=run.job):
        for due in report.due:
            placement_pks = list(Placement.objects.filter(citizen_id=due.citizen_pk).values_list("pk", flat=True))
            scrub(
                Citizen,
                [due.citizen_pk],
                case_number=anonymous_case_number(due.citizen_pk),
                initials=ANONYMOUS_INITIALS,
                birth_year=None,
                anonymised_at=now,
            )
            scrub(Placement, placement_pks, note="")
            for child in (Decision, PlacementChange, FollowUp):
                scrub(
                    child,
                    list(child.objects.filter(placement_id__in=placement_pks).values_list("pk", flat=True)),
                    note="",
                )
            # RetentionItem's counts of the rows the parts keep (0 where no part has any).
            touched = {"ledger_entries": 0, "statement_lines": 0}
            citizen = Anonymised(citizen_pk=due.citizen_pk, initials=due.initials, placement_pks=placement_pks)
            for part in _parts:
                touched.update(part.anonymise(citizen))
            RetentionItem.objects.create(
                run=run,
                citizen_id=due.citizen_pk,
                last_end=due.last_end,
                placements=due.placements,
                **touched,
            )
    return run


__all__ = [
    "ANONYMOUS_INITIALS",
    "Anonymised",
    "RetentionPart",
    "RetentionReport",
    "anonymous_case_number",
    "apply_retention",
    "cutoff_for",
    "due_citizens",
    "events_of",
    "parts",
    "register_part",
    "retention_report",
    "retention_years",
    "scrub",
    "without_initials",
]
