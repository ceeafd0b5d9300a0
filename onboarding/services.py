"""Stage, confirm and discard onboarding imports (one framework for every kind).

``stage_import`` reads the whole file and validates every row; a file with a
bad line is refused with every bad line named, and nothing is written (not
even the batch). A good file becomes an ``ImportBatch`` with its rows staged
and its reconciliation planned. ``confirm_import`` re-plans under a row lock
on the batch, refuses if the database changed meanwhile, writes every target
in one transaction and checks that what was written equals what was staged;
any difference rolls the whole import back.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO

import pghistory
from django.db import transaction
from django.db.models import Count
from django.utils import timezone

from botilbud.models import User
from onboarding.framework import DataChanged, ImportKindSpec, RowError, Target
from onboarding.models import ImportBatch, StagedRow
from onboarding.reader import FileRefused, read_rows


class ImportStateError(Exception):
    """The batch cannot be confirmed or discarded (already done, data changed …)."""


@dataclass
class StageOutcome:
    batch: ImportBatch | None = None
    in_file: int = 0
    errors: list[RowError] = field(default_factory=list)
    file_error: str | None = None


def stage_import(*, spec: ImportKindSpec, stream: IO[bytes], file_name: str, user: User) -> StageOutcome:
    source = read_rows(stream, file_name, spec.columns)
    try:
        staged = spec.validate(source, user)
    except FileRefused as exc:
        return StageOutcome(file_error=str(exc))
    if source.bad_lines:
        # Lines the reader could not split into fields count as lines of the
        # file too, and are named with the kind's own errors, in file order.
        staged.in_file += len(source.bad_lines)
        staged.errors = sorted(
            staged.errors + [RowError(line, [reason]) for line, reason in source.bad_lines], key=lambda e: e.line
        )
    if staged.errors:
        return StageOutcome(in_file=staged.in_file, errors=staged.errors)
    if not staged.rows:
        return StageOutcome(file_error="Filen har ingen rækker under overskrifterne.")
    with transaction.atomic(), pghistory.context(import_kind=spec.kind, file=file_name):
        _discard_stale_previews()
        batch = ImportBatch.objects.create(
            kind=spec.kind, file_name=file_name[:255], uploaded_by=user, row_count=staged.in_file
        )
        StagedRow.objects.bulk_create(
            [StagedRow(batch=batch, line=line, data=data) for line, data in staged.rows], batch_size=2000
        )
        # Staged = counted back from the table, not from the list we wrote.
        staged_count = StagedRow.objects.filter(batch=batch).aggregate(n=Count("id"))["n"]
        targets = spec.plan([data for _line, data in staged.rows], user)
        batch.reconciliation = {
            "in_file": staged.in_file,
            "staged": staged_count,
            "amount_in_file": None if staged.amount is None else str(staged.amount),
            "targets": [t.as_json() for t in targets],
        }
        batch.save(update_fields=["reconciliation"])
    return StageOutcome(batch=batch, in_file=staged.in_file)


STALE_AFTER = dt.timedelta(days=2)


def _discard_stale_previews() -> None:
    """A preview nobody confirmed within two days is discarded (its staged rows go)."""
    stale = list(
        ImportBatch.objects.filter(
            status=ImportBatch.Status.PREVIEW, created_at__lt=timezone.now() - STALE_AFTER
        ).values_list("pk", flat=True)
    )
    if stale:
        StagedRow.objects.filter(batch_id__in=stale).delete()
        ImportBatch.objects.filter(pk__in=stale).update(status=ImportBatch.Status.DISCARDED)


def targets_of(batch: ImportBatch) -> list[Target]:
    return [Target.from_json(t) for t in (batch.reconciliation or {}).get("targets", [])]


def confirm_import(*, spec: ImportKindSpec, batch: ImportBatch, user: User) -> list[Target]:
    with transaction.atomic(), pghistory.context(import_batch=batch.pk, import_kind=batch.kind):
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.PREVIEW:
            raise ImportStateError(f"Indlæsningen er allerede {locked.get_status_display().lower()}.")
        staged = list(locked.rows.order_by("line").values_list("data", flat=True))
        if len(staged) != locked.reconciliation.get("staged"):
            raise ImportStateError("De gemte rækker stemmer ikke med forhåndsvisningen. Indlæs filen igen.")
        planned = targets_of(locked)
        now = spec.plan(staged, user)
        if [(t.key, t.create, t.update, t.unchanged) for t in now] != [
            (t.key, t.create, t.update, t.unchanged) for t in planned
        ]:
            raise ImportStateError(
                "Data er ændret, siden filen blev kontrolleret (en anden har rettet eller indlæst det samme). "
                "Indlæs filen igen for at se en ny afstemning."
            )
        try:
            written = spec.write(staged, user)
        except DataChanged as exc:
            raise ImportStateError(str(exc)) from exc
        for target in now:
            count, amount = written.get(target.key, (0, None))
            target.written, target.written_amount = count, amount
            if count != target.to_write or (target.amount is not None and amount != target.amount):
                # Reconciliation failed: roll everything back.
                raise ImportStateError(
                    f"Afstemningen fejlede for {target.label.lower()}: {target.to_write} skulle skrives, "
                    f"{count} blev skrevet. Intet er indlæst."
                )
        locked.reconciliation = {**locked.reconciliation, "targets": [t.as_json() for t in now]}
        locked.status = ImportBatch.Status.DONE
        locked.applied_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["reconciliation", "status", "applied_at", "version"])
        locked.rows.all().delete()
    return now


def discard_import(*, batch: ImportBatch) -> None:
    with transaction.atomic():
        locked = ImportBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ImportBatch.Status.PREVIEW:
            raise ImportStateError(f"Indlæsningen er allerede {locked.get_status_display().lower()}.")
        locked.rows.all().delete()
        locked.status = ImportBatch.Status.DISCARDED
        locked.version += 1
        locked.save(update_fields=["status", "version"])
