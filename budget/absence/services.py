"""Importing sickness absence: stage (read, check, reconcile, keep for the preview), then confirm (write).

Both steps are atomic. A file with any bad line is refused with every bad line
named (its line number as a user counts it) and writes nothing, not even an
import record. A good file is staged: its rows added up per cost centre ×
month are kept on the ``AbsenceImport`` until the consultant confirms; the
confirmation replaces those cost-centre months and checks that what was
written equals what the file held (rows and sick hours per cost centre),
else it rolls back.

Reconciliation per cost centre: rows and sick hours in the file (every data
line read, bad ones included), staged (the lines that passed), written and
replaced. ``ok`` only when file = staged (= written, once written).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from typing import IO, Any

from django.db import transaction
from django.db.models import Count, Q, Sum
from django.utils import timezone

from botilbud.lib import tabular
from botilbud.models import Home, User
from budget.absence.models import AbsenceImport, AbsenceProfile, SicknessAbsence
from budget.absence.reading import RowMapper, read_options
from budget.models import CostCentre

ZERO = Decimal("0.00")
MAX_ERRORS_SHOWN = 200


class AbsenceImportError(Exception):
    """The import cannot go on; the message is Danish and meant for the user."""


@dataclass
class Staged:
    file_name: str
    batch: AbsenceImport | None = None
    file_error: str = ""
    errors: list[tuple[int, list[str]]] = field(default_factory=list)
    reconciliation: list[dict[str, Any]] = field(default_factory=list)
    row_count: int = 0

    @property
    def ok(self) -> bool:
        return self.batch is not None

    @property
    def bad_row_count(self) -> int:
        return len(self.errors)

    @property
    def shown_errors(self) -> list[tuple[int, list[str]]]:
        return self.errors[:MAX_ERRORS_SHOWN]


def cost_centre_homes() -> dict[str, Home]:
    """Every recognised cost centre → its home: the cost-centre table and each home's main cost centre."""
    homes = {h.cost_centre: h for h in Home.objects.exclude(cost_centre="")}
    for cc in CostCentre.objects.filter(is_active=True).select_related("home"):
        homes[cc.code] = cc.home
    return homes


def _rec_row(cc: str, home: str) -> dict[str, Any]:
    return {
        "cost_centre": cc,
        "home": home,
        "file_rows": 0,
        "file_hours": ZERO,
        "staged_rows": 0,
        "staged_hours": ZERO,
        "write_rows": 0,
        "write_hours": ZERO,
        "replace_months": 0,
        "replace_hours": ZERO,
        "ok": False,
    }


def _json(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: (str(v) if isinstance(v, Decimal | dt.date) else v) for k, v in r.items()} for r in rows]


def reconciliation_from_json(data: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{k: (Decimal(v) if k.endswith("hours") else v) for k, v in r.items()} for r in data or []]


def reconciliation_totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    keys = ["file_rows", "file_hours", "staged_rows", "staged_hours", "write_rows", "write_hours"]
    keys += ["replace_months", "replace_hours"]
    totals: dict[str, Any] = {k: sum((r[k] for r in rows), ZERO if k.endswith("hours") else 0) for k in keys}
    totals["ok"] = bool(rows) and all(r["ok"] for r in rows)
    return totals


def stage(
    stream: IO[bytes],
    file_name: str,
    profile: AbsenceProfile,
    user: User | None,
    *,
    allowed_home_ids: list[int] | None = None,
) -> Staged:
    """Read and check the whole file; keep a good one for the preview. Never raises for a bad file.
    ``allowed_home_ids``: the homes the user may import for (None: all), as for the actuals."""
    result = Staged(file_name=file_name[:255])
    homes = cost_centre_homes()
    rec: dict[str, dict[str, Any]] = {}
    groups: dict[tuple[str, dt.date], dict[str, Any]] = {}
    bad_by_line: dict[int, list[str]] = defaultdict(list)
    allowed = set(allowed_home_ids or [])

    def rec_for(cc: str) -> dict[str, Any]:
        if cc not in rec:
            home = homes.get(cc)
            rec[cc] = _rec_row(cc, home.name if home else "")
        return rec[cc]

    try:
        with tabular.open_table(stream, file_name, read_options(profile)) as table:
            try:
                mapper = RowMapper(profile, table.header)
            except ValueError as exc:
                result.file_error = str(exc)
                return result
            for line, cells in table.rows():
                if tabular.is_blank(cells):
                    continue
                result.row_count += 1
                row, reasons = mapper.map(cells)
                cc = mapper.cost_centre(cells)
                r = rec_for(cc)
                r["file_rows"] += 1
                # The file's sick hours as read: the mapped row's, or (a bad row) the cell's, if it is a number.
                file_sick = row.sick_hours if row else mapper.number(cells, "col_sick_hours", "Sygetimer", [])
                r["file_hours"] += file_sick or ZERO
                if row is not None and row.cost_centre not in homes:
                    reasons = [f"Omkostningsstedet »{row.cost_centre}« hører ikke til et botilbud"]
                    row = None
                elif row is not None and allowed_home_ids is not None and homes[row.cost_centre].pk not in allowed:
                    reasons = [f"Du har ikke adgang til omkostningssted »{row.cost_centre}«"]
                    row = None
                if row is None:
                    bad_by_line[line].extend(reasons)
                    continue
                r["staged_rows"] += 1
                r["staged_hours"] += row.sick_hours
                key = (row.cost_centre, row.month)
                g = groups.get(key)
                if g is None:
                    g = groups[key] = {
                        "cost_centre": row.cost_centre,
                        "home_id": homes[row.cost_centre].pk,
                        "home": homes[row.cost_centre].name,
                        "month": row.month,
                        "rows": 0,
                        "norm_hours": ZERO,
                        "sick_hours": ZERO,
                        "long_term_hours": None,
                        "long_term_people": None,
                    }
                g["rows"] += 1
                g["norm_hours"] += row.norm_hours
                g["sick_hours"] += row.sick_hours
                if row.long_term_hours is not None:
                    g["long_term_hours"] = (g["long_term_hours"] or ZERO) + row.long_term_hours
                if row.long_term_people is not None:
                    g["long_term_people"] = (g["long_term_people"] or 0) + row.long_term_people
            for bad in table.bad_lines:
                bad_by_line[bad.line].append(bad.reason)
                result.row_count += 1
                rec_for("")["file_rows"] += 1
    except tabular.TabularError as exc:
        result.file_error = str(exc)
        return result

    if result.row_count == 0 and not result.file_error:
        result.file_error = "Filen har ingen rækker under overskriften."
    result.errors = sorted((line, reasons) for line, reasons in bad_by_line.items())
    for r in rec.values():
        r["ok"] = (r["file_rows"], r["file_hours"]) == (r["staged_rows"], r["staged_hours"])
    result.reconciliation = [rec[cc] for cc in sorted(rec)]
    if result.errors or result.file_error:
        return result
    staged = sorted(groups.values(), key=lambda g: (g["home"], g["cost_centre"], g["month"]))
    result.batch = AbsenceImport.objects.create(
        file_name=result.file_name,
        uploaded_by=user,
        profile=profile,
        staged=_json(staged),
        reconciliation=_json(result.reconciliation),
        row_count=result.row_count,
        sick_hours=sum((r["staged_hours"] for r in result.reconciliation), ZERO),
    )
    return result


def staged_groups(batch: AbsenceImport) -> list[dict[str, Any]]:
    out = []
    for g in batch.staged or []:
        item = dict(g)
        item["month"] = dt.date.fromisoformat(g["month"])
        for k in ("norm_hours", "sick_hours", "long_term_hours"):
            item[k] = None if g.get(k) is None else Decimal(g[k])
        out.append(item)
    return out


def existing_for(groups: list[dict[str, Any]]) -> dict[tuple[str, dt.date], SicknessAbsence]:
    """The stored figures the staged cost-centre months would replace. One query."""
    if not groups:
        return {}
    wanted = Q()
    for g in groups:
        wanted |= Q(cost_centre=g["cost_centre"], month=g["month"])
    return {(a.cost_centre, a.month): a for a in SicknessAbsence.objects.filter(wanted)}


def confirm(batch_pk: int, user: User | None) -> AbsenceImport:
    """Write a staged import: replace its cost-centre months, check written = staged, or roll back."""
    with transaction.atomic():
        batch = AbsenceImport.objects.select_for_update().filter(pk=batch_pk).first()
        if batch is None:
            raise AbsenceImportError("Indlæsningen findes ikke.")
        if batch.status != AbsenceImport.Status.PREVIEW:
            raise AbsenceImportError(f"Indlæsningen er allerede {batch.get_status_display().lower()}.")
        groups = staged_groups(batch)
        homes = cost_centre_homes()
        moved = sorted(
            {g["cost_centre"] for g in groups if getattr(homes.get(g["cost_centre"]), "pk", None) != g["home_id"]}
        )
        if moved:
            raise AbsenceImportError(
                "Omkostningsstederne er flyttet til et andet botilbud siden kontrollen: "
                + ", ".join(moved)
                + ". Indlæs filen igen."
            )
        old = existing_for(groups)
        replaced: dict[str, list[Decimal]] = defaultdict(lambda: [Decimal(0), ZERO])
        for a in old.values():
            replaced[a.cost_centre][0] += 1
            replaced[a.cost_centre][1] += a.sick_hours
        SicknessAbsence.objects.filter(pk__in=[a.pk for a in old.values()]).delete()
        SicknessAbsence.objects.bulk_create(
            SicknessAbsence(
                home_id=g["home_id"],
                month=g["month"],
                cost_centre=g["cost_centre"],
                norm_hours=g["norm_hours"],
                sick_hours=g["sick_hours"],
                long_term_hours=g["long_term_hours"],
                long_term_people=g["long_term_people"],
                rows=g["rows"],
                batch=batch,
            )
            for g in groups
        )
        written: dict[str, dict[str, Any]] = {
            r["cost_centre"]: dict(r)
            for r in SicknessAbsence.objects.filter(batch=batch)
            .values("cost_centre")
            .annotate(n=Sum("rows"), hours=Sum("sick_hours"), months=Count("pk"))
            .order_by()
        }
        rec = reconciliation_from_json(batch.reconciliation)
        for r in rec:
            w = written.get(r["cost_centre"], {"n": 0, "hours": ZERO})
            r["write_rows"], r["write_hours"] = int(w["n"] or 0), Decimal(w["hours"] or 0)
            r["replace_months"], r["replace_hours"] = int(replaced[r["cost_centre"]][0]), replaced[r["cost_centre"]][1]
            r["ok"] = (
                (r["file_rows"], r["file_hours"])
                == (r["staged_rows"], r["staged_hours"])
                == (
                    r["write_rows"],
                    r["write_hours"],
                )
            )
        if not all(r["ok"] for r in rec):
            bad = ", ".join(r["cost_centre"] for r in rec if not r["ok"])
            raise AbsenceImportError(f"Afstemningen stemmer ikke for {bad}. Intet er indlæst.")
        batch.reconciliation = _json(rec)
        batch.status = AbsenceImport.Status.DONE
        batch.applied_at = timezone.now()
        batch.version += 1
        batch.save(update_fields=["reconciliation", "status", "applied_at", "version"])
    return batch


def discard(batch_pk: int) -> AbsenceImport:
    with transaction.atomic():
        batch = AbsenceImport.objects.select_for_update().filter(pk=batch_pk).first()
        if batch is None:
            raise AbsenceImportError("Indlæsningen findes ikke.")
        if batch.status != AbsenceImport.Status.PREVIEW:
            raise AbsenceImportError(f"Indlæsningen er allerede {batch.get_status_display().lower()}.")
        batch.status = AbsenceImport.Status.DISCARDED
        batch.staged = []
        batch.version += 1
        batch.save(update_fields=["status", "staged", "version"])
    return batch
