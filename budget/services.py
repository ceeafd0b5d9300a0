"""Writes of the budget app (keyword-only arguments, one transaction each)."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field, fields
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.utils import timezone

from botilbud.lib.locking import save_versioned
from botilbud.lib.money import format_number
from botilbud.models import Home, User
from botilbud.permissions import can
from budget import importer
from budget.followup.reminders import mark_actuals_imported
from budget.models import ActualsImport, Baseline, BudgetLine, StaffingPlan, StagedActual
from budget.shipped_profiles import own_layout_profile
from budget.yearend import closed_years


def import_home_ids(user: User | None) -> list[int] | None:
    """The homes whose actuals ``user`` may import (None = all: administrator or command)."""
    if user is None or can(user, "budget.manage_any_home"):
        return None
    if can(user, "budget.import_actuals"):
        return list(Home.objects.writable_by(user).values_list("pk", flat=True))
    return []


def can_manage_budget(user: User, home: Home) -> bool:
    """Consultants of the home and administrators own budgets and actuals."""
    return can(user, "budget.manage_home_budget", home)


@dataclass
class ImportOutcome:
    stage: importer.StageResult
    batch: ActualsImport | None = None
    preview: list[importer.PreviewRow] = field(default_factory=list)
    inserted: int = 0
    replaced: int = 0
    reconciliation: importer.Reconciliation | None = None
    file_error: str = ""

    def as_json(self) -> dict[str, Any]:
        """What the check found, for the page that shows it after a background job
        (``budget.tasks.actuals_check``); ``from_json`` reads it back."""
        rec = self.reconciliation
        return {
            "file_error": self.file_error,
            "stage": {
                "file_name": self.stage.file_name,
                "row_count": self.stage.row_count,
                "bad_row_count": self.stage.bad_row_count,
                "errors": [{"row": e.row, "reasons": e.reasons} for e in self.stage.errors],
            },
            "batch": self.batch.pk if self.batch else None,
            "preview": [
                {k: (str(v) if isinstance(v, Decimal | dt.date) else v) for k, v in asdict(p).items()}
                for p in self.preview
            ],
            "reconciliation": (
                {"rows": rec.as_json(), "refused": rec.refused, "unreadable": rec.unreadable} if rec else None
            ),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any], *, batch: ActualsImport | None) -> ImportOutcome:
        stage = importer.StageResult(
            file_name=data["stage"]["file_name"],
            row_count=data["stage"]["row_count"],
            bad_row_count=data["stage"]["bad_row_count"],
            errors=[importer.RowError(row=e["row"], reasons=e["reasons"]) for e in data["stage"]["errors"]],
        )
        rec = None
        if data["reconciliation"] is not None:
            rec = importer.Reconciliation.from_json(data["reconciliation"]["rows"])
            rec.refused = data["reconciliation"]["refused"]
            rec.unreadable = data["reconciliation"]["unreadable"]
        preview = [_preview_row(p) for p in data["preview"]]
        return cls(stage=stage, batch=batch, preview=preview, reconciliation=rec, file_error=data["file_error"])


def _preview_row(data: dict[str, Any]) -> importer.PreviewRow:
    kinds = {f.name: f.type for f in fields(importer.PreviewRow)}
    values: dict[str, Any] = {}
    for name, value in data.items():
        kind = str(kinds[name])
        if "Decimal" in kind:
            values[name] = Decimal(value)
        elif "date" in kind:
            values[name] = dt.date.fromisoformat(value)
        else:
            values[name] = value
    return importer.PreviewRow(**values)


def import_actuals(
    *,
    stream: IO[bytes],
    file_name: str,
    user: User | None,
    only_month: dt.date | None = None,
    mode: str = "preview",
    profile: Any = None,
    max_upload_bytes: int | None = None,
) -> ImportOutcome:
    """Stage and validate a file; then, by ``mode``:

    - ``"preview"``: keep the validated rows for the user's confirmation (web);
    - ``"apply"``: write them now (management command);
    - ``"dry-run"``: write nothing.

    ``profile`` (an ``ImportProfile``) describes the file's layout; without one the shipped profile of
    the app's own layout (``shipped_profiles.own_layout_profile``) recognises the columns by their names. Every import is reconciled per cost centre (rows and amount in
    the file = staged = to be written); any difference refuses it. A file with any bad row is refused
    whole (``outcome.stage.ok`` is False). Raises ``importer.ImportFileError`` on an unreadable file.
    """

    with transaction.atomic():
        outcome = _import_actuals(
            stream=stream,
            file_name=file_name,
            user=user,
            only_month=only_month,
            mode=mode,
            profile=profile or own_layout_profile(),
            max_upload_bytes=max_upload_bytes,
        )
        importer.discard_raw()  # a large file's COPY table, unless the import kept it as its rows
        return outcome


def _import_actuals(
    *,
    stream: IO[bytes],
    file_name: str,
    user: User | None,
    only_month: dt.date | None,
    mode: str,
    profile: Any,
    max_upload_bytes: int | None,
) -> ImportOutcome:
    read = importer.stage_file(
        stream, file_name, profile=profile, max_upload_bytes=max_upload_bytes, keep_raw=mode == "apply"
    )

    checks: dict[str, Any] = {
        "allowed_home_ids": import_home_ids(user),
        "only_month": only_month,
        "closed_years": closed_years(),
    }
    stage = importer.validate_profile(read, **checks)
    stage.file_name = file_name
    outcome = ImportOutcome(stage=stage)
    rec = outcome.reconciliation = importer.reconcile(read, written=stage.ok)
    if stage.ok and not rec.ok:
        bad = ", ".join(r["cost_centre"] or "(tomt)" for r in rec.rows if not r["ok"])
        stage.errors.append(
            importer.RowError(
                row=0,
                reasons=[
                    f"Afstemningen stemmer ikke for omkostningssted {bad}: filen, de indlæste og de "
                    "skrevne rækker skal have samme antal og beløb."
                ],
            )
        )
        stage.bad_row_count += 1
    if not stage.ok:
        return outcome
    outcome.preview = importer.preview()
    extra = {"profile": profile, "reconciliation": rec.as_json()}
    if mode == "preview":
        _discard_stale_previews()
        batch = ActualsImport.objects.create(file_name=file_name[:255], uploaded_by=user, **extra)
        count, total = importer.persist_staged(batch.pk, read.source_sql or "")
        ActualsImport.objects.filter(pk=batch.pk).update(row_count=count, total=total)
        batch.row_count, batch.total = count, total
        outcome.batch = batch
    elif mode == "apply":
        batch = ActualsImport.objects.create(
            file_name=file_name[:255], uploaded_by=user, status=ActualsImport.Status.DONE, **extra
        )
        inserted, replaced = importer.apply(
            read.write_sql or read.source_sql or "", batch_id=batch.pk, aggregated=True, fast=read.fast
        )
        _rounds_start({p.month for p in outcome.preview})
        total = sum((p.total for p in outcome.preview), Decimal("0"))
        ActualsImport.objects.filter(pk=batch.pk).update(
            row_count=inserted, replaced_rows=replaced, total=total, applied_at=timezone.now()
        )
        outcome.batch, outcome.inserted, outcome.replaced = batch, inserted, replaced
    return outcome


def _discard_stale_previews() -> None:
    """Previews nobody confirmed within a day are discarded (their staged rows deleted)."""
    stale = ActualsImport.objects.filter(
        status=ActualsImport.Status.PREVIEW, created_at__lt=timezone.now() - dt.timedelta(days=1)
    )
    ids = list(stale.values_list("pk", flat=True))
    if ids:
        StagedActual.objects.filter(batch_id__in=ids).delete()
        stale.update(status=ActualsImport.Status.DISCARDED)


class ImportStateError(Exception):
    pass


def confirm_import(*, batch: ActualsImport, user: User) -> tuple[int, int]:
    """Write a previewed import (replacing its months for its cost centres)."""
    with transaction.atomic():
        locked = ActualsImport.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ActualsImport.Status.PREVIEW:
            raise ImportStateError("Importen er allerede indlæst eller annulleret.")
        _refuse_closed_years(locked)
        _rounds_start(set(StagedActual.objects.filter(batch=locked).values_list("month", flat=True).distinct()))
        params: dict[str, Any] = {"staged_batch": locked.pk}
        try:
            inserted, replaced = importer.apply(importer.STAGED_SOURCE, params, batch_id=locked.pk)
        except importer.WriteMismatchError as exc:
            raise ImportStateError(str(exc)) from exc
        StagedActual.objects.filter(batch=locked).delete()
        locked.status = ActualsImport.Status.DONE
        locked.applied_at = timezone.now()
        locked.replaced_rows = replaced
        locked.row_count = inserted
        locked.version += 1
        locked.save(update_fields=["status", "applied_at", "replaced_rows", "row_count", "version"])
        return inserted, replaced


def confirmed_message(file_name: str, inserted: int, replaced: int) -> str:
    """What the user is told when a previewed import is written (in the request or by the job)."""
    text = f"Forbruget fra {file_name} er indlæst: {format_number(inserted, 0)} posteringer"
    if replaced:
        text += f" (erstatter {format_number(replaced, 0)} tidligere posteringer for de samme måneder)"
    return text + "."


def _rounds_start(months: set[dt.date]) -> None:
    """The first import of a month's actuals starts that follow-up round's cycle time."""

    mark_actuals_imported(sorted(months))


def _refuse_closed_years(batch: ActualsImport) -> None:
    """A year closed between the preview and the confirmation locks its months too."""

    closed = closed_years()
    if not closed:
        return
    hit = sorted(
        {
            m.year
            for m in StagedActual.objects.filter(batch=batch, month__year__in=closed)
            .values_list("month", flat=True)
            .distinct()
        }
    )
    if hit:
        years = ", ".join(str(y) for y in hit)
        raise ImportStateError(
            f"Budgetåret {years} er lukket, efter filen blev kontrolleret. Genåbn året, og indlæs igen."
        )


def discard_import(*, batch: ActualsImport) -> None:
    with transaction.atomic():
        locked = ActualsImport.objects.select_for_update().get(pk=batch.pk)
        if locked.status != ActualsImport.Status.PREVIEW:
            raise ImportStateError("Importen er allerede indlæst eller annulleret.")
        StagedActual.objects.filter(batch=locked).delete()
        locked.status = ActualsImport.Status.DISCARDED
        locked.version += 1
        locked.save(update_fields=["status", "version"])


# --- Budgets ----------------------------------------------------------------------


def set_profile(*, line: BudgetLine, percentages: list[Decimal] | None, seen_version: int) -> BudgetLine:
    """Set the monthly profile (percentages summing to 100) or reset it to 1/12 (None)."""

    line.profile = [] if percentages is None else list(percentages)
    save_versioned(line, seen_version=seen_version, update_fields=["profile"])
    return line


def save_staffing_plan(*, plan: StaffingPlan, user: User, seen_version: int | None, groups: Any = None) -> StaffingPlan:
    """Save the plan (versioned) and, with ``groups`` (a bound, valid staff
    group formset), its staff groups in the order shown: the plan's version
    guards the groups too, so a concurrent edit of either is refused."""

    plan.updated_by = user
    if plan.pk and seen_version is not None:
        save_versioned(plan, seen_version=seen_version)
    else:
        plan.save()
    if groups is not None:
        groups.instance = plan
        groups.save(commit=False)
        for obj in groups.deleted_objects:
            obj.delete()
        for position, form in enumerate(groups.forms):
            if form in groups.deleted_forms or (not form.has_changed() and not form.instance.pk):
                continue
            obj = form.instance
            obj.plan = plan
            obj.position = position
            obj.save()
    return plan


# --- Baseline assumptions ---------------------------------------------------------------


def freeze_baseline(*, baseline: Baseline, user: User) -> Baseline:
    """Freeze the year's assumptions: from now on every follow-up compares to them unchanged."""

    with transaction.atomic():
        locked = Baseline.objects.select_for_update().get(pk=baseline.pk)
        if locked.frozen_at is None:
            locked.frozen_at = timezone.now()
            locked.frozen_by = user
            locked.version += 1
            locked.save(update_fields=["frozen_at", "frozen_by", "version"])
        return locked
