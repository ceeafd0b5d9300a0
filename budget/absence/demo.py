"""Demo sickness absence, as if the payroll system's monthly statistics had been imported.

Registered as ``demo_seeder(35, …)``: after the ledger (30), so each month's
long-term sick employees are the ledger's long-term sickness entries in force
in that month (the numbers agree, as they should when the ledger is kept), and
before the follow-up (50), so approved rounds freeze their section 3 with it.
Months from each demo year's January up to the month before today.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from botilbud.demo import DemoContext
from botilbud.lib.dates import add_months, month_end
from budget.absence.models import AbsenceImport, SicknessAbsence
from disponering.models import Category, LedgerEntry, Status

NORM_PER_FTE = Decimal("160.33")  # 1,924 hours a year / 12
LONG_TERM_HOURS = (Decimal("110"), Decimal("160"))


def _months(ctx: DemoContext) -> list[dt.date]:
    last = add_months(ctx.today.replace(day=1), -1)
    out = []
    for year in sorted(ctx.years):
        for m in range(1, 13):
            month = dt.date(year, m, 1)
            if month <= last:
                out.append(month)
    return out


def seed(ctx: DemoContext) -> None:
    rng = ctx.rng
    homes = ctx.homes
    months = _months(ctx)
    if not homes or not months:
        return
    sick_entries: dict[int, list[tuple[dt.date, dt.date]]] = {}
    for home_id, start, end in (
        LedgerEntry.objects.filter(category=Category.SICKNESS, home__in=homes)
        .exclude(status=Status.CANCELLED)
        .values_list("home_id", "start_date", "end_date")
    ):
        sick_entries.setdefault(home_id, []).append((start, end))
    batches = AbsenceImport.objects.bulk_create(
        AbsenceImport(
            file_name=f"Lønsystemets fraværsstatistik {month:%m-%Y}.csv",
            status=AbsenceImport.Status.DONE,
            applied_at=timezone.make_aware(
                dt.datetime.combine(add_months(month, 1) + dt.timedelta(days=4), dt.time(9))
            ),
            uploaded_by=ctx.users.get("konsulent"),
        )
        for month in months
    )
    fte = {h.pk: max(4, round(h.capacity * Decimal("1.1"))) for h in homes}
    level = {h.pk: Decimal(rng.randint(35, 75)) / 10 for h in homes}  # the home's usual sickness %
    rows: list[SicknessAbsence] = []
    totals: dict[int, tuple[int, Decimal]] = {}
    for month, batch in zip(months, batches, strict=True):
        last_day = month_end(month)
        for home in homes:
            norm = (NORM_PER_FTE * fte[home.pk]).quantize(Decimal("0.01"))
            pct = max(Decimal("0.5"), level[home.pk] + Decimal(rng.randint(-20, 25)) / 10)
            people = sum(1 for s, e in sick_entries.get(home.pk, []) if s <= last_day and e >= month)
            long_term = sum(
                (Decimal(rng.randint(int(LONG_TERM_HOURS[0]), int(LONG_TERM_HOURS[1]))) for _ in range(people)),
                Decimal("0"),
            )
            sick = max((norm * pct / 100).quantize(Decimal("0.01")), long_term + Decimal("12.5"))
            sick = min(sick, norm)
            long_term = min(long_term, sick)
            rows.append(
                SicknessAbsence(
                    home=home,
                    month=month,
                    cost_centre=home.cost_centre,
                    norm_hours=norm,
                    sick_hours=sick,
                    long_term_hours=long_term,
                    long_term_people=people,
                    rows=1,
                    batch=batch,
                )
            )
            n, hours = totals.get(batch.pk, (0, Decimal(0)))
            totals[batch.pk] = (n + 1, hours + sick)
    SicknessAbsence.objects.bulk_create(rows, batch_size=5000)
    by_batch: dict[int, list[SicknessAbsence]] = {}
    for r in rows:
        by_batch.setdefault(r.batch_id, []).append(r)
    names = {h.pk: h.name for h in homes}
    for batch in batches:
        n, hours = totals.get(batch.pk, (0, Decimal(0)))
        batch.row_count, batch.sick_hours = n, hours
        batch.reconciliation = [
            {
                "cost_centre": r.cost_centre,
                "home": names[r.home_id],
                "file_rows": 1,
                "file_hours": str(r.sick_hours),
                "staged_rows": 1,
                "staged_hours": str(r.sick_hours),
                "write_rows": 1,
                "write_hours": str(r.sick_hours),
                "replace_months": 0,
                "replace_hours": "0.00",
                "ok": True,
            }
            for r in by_batch.get(batch.pk, [])
        ]
    AbsenceImport.objects.bulk_update(batches, ["row_count", "sick_hours", "reconciliation"], batch_size=500)
    ctx.log.append(f"sygefravær: {len(rows)} måneder fra lønsystemet")
