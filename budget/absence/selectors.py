"""Sickness absence figures read by the follow-up (section 3), the dashboard and the home's absence page.

One rule everywhere: sickness % = Σ sick hours / Σ norm hours × 100, rounded
half up to one decimal, over the home's cost centres; for the month, or for
the year to date (January to and including the month).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Max, Q, Sum

from botilbud.lib.dates import month_end
from botilbud.lib.money import percent
from botilbud.models import Home
from budget.absence.models import SicknessAbsence
from disponering.models import Category, LedgerEntry, Status


def by_home(home_ids: list[int], month: dt.date) -> dict[int, dict[str, Any]]:
    """Per home with payroll figures: the month's and the year-to-date figures. One query."""
    month = month.replace(day=1)
    first = dt.date(month.year, 1, 1)
    in_month = Q(month=month)
    rows = (
        SicknessAbsence.objects.filter(home_id__any=home_ids, month__gte=first, month__lte=month)
        .values("home_id")
        .annotate(
            norm=Sum("norm_hours", filter=in_month),
            sick=Sum("sick_hours", filter=in_month),
            long_term=Sum("long_term_hours", filter=in_month),
            people=Sum("long_term_people", filter=in_month),
            cost_centres=Count("pk", filter=in_month),
            ytd_norm=Sum("norm_hours"),
            ytd_sick=Sum("sick_hours"),
            ytd_months=Count("month", distinct=True),
            imported=Max("batch__applied_at", filter=in_month),
        )
        .order_by()
    )
    result: dict[int, dict[str, Any]] = {}
    for r in rows:
        result[r["home_id"]] = figures(dict(r), month)
    return result


def figures(r: dict[str, Any], month: dt.date) -> dict[str, Any]:
    has_month = bool(r["cost_centres"])
    return {
        "month": month,
        "has_month": has_month,
        "norm_hours": r["norm"] if has_month else None,
        "sick_hours": r["sick"] if has_month else None,
        "pct": percent(r["sick"], r["norm"]) if has_month else None,
        "long_term_hours": r["long_term"],
        "long_term_people": r["people"],
        "ytd_pct": percent(r["ytd_sick"] or 0, r["ytd_norm"] or 0),
        "ytd_months": r["ytd_months"],
        "imported": r["imported"],
    }


def latest_month(home_ids: list[int], year: int, upto: dt.date | None = None) -> dt.date | None:
    """The latest month of ``year`` (not after ``upto``) with payroll figures for any of the homes. One query."""
    qs = SicknessAbsence.objects.filter(home_id__in=home_ids, month__gte=dt.date(year, 1, 1))
    qs = qs.filter(month__lte=min(upto, dt.date(year, 12, 1)) if upto else dt.date(year, 12, 1))
    latest: dt.date | None = qs.aggregate(m=Max("month"))["m"]
    return latest


def home_year(home: Home, year: int) -> list[dict[str, Any]]:
    """The home's twelve months: payroll figures beside the ledger's long-term sickness entries in force
    in the month (not cancelled), and whether the long-term sick counts agree. Two queries."""
    months = [dt.date(year, m, 1) for m in range(1, 13)]
    payroll = {
        r["month"]: r
        for r in SicknessAbsence.objects.filter(home=home, month__year=year)
        .values("month")
        .annotate(
            norm=Sum("norm_hours"),
            sick=Sum("sick_hours"),
            long_term=Sum("long_term_hours"),
            people=Sum("long_term_people"),
            cost_centres=Count("pk"),
            ytd_norm=Sum("norm_hours"),
            ytd_sick=Sum("sick_hours"),
            ytd_months=Count("month"),
            imported=Max("batch__applied_at"),
        )
        .order_by()
    }
    entries = list(
        LedgerEntry.objects.filter(
            home=home,
            category=Category.SICKNESS,
            start_date__lte=dt.date(year, 12, 31),
            end_date__gte=dt.date(year, 1, 1),
        )
        .exclude(status=Status.CANCELLED)
        .order_by("start_date", "pk")
        .only("pk", "home_id", "title", "start_date", "end_date", "status", "amount")
    )
    out = []
    ytd_norm, ytd_sick = Decimal(0), Decimal(0)
    for month in months:
        p = payroll.get(month)
        in_force = [e for e in entries if e.start_date <= month_end(month) and e.end_date >= month]
        row: dict[str, Any] = {"month": month, "entries": in_force, "ledger_count": len(in_force)}
        if p:
            ytd_norm += p["norm"]
            ytd_sick += p["sick"]
            row.update(figures(dict(p), month))
            row["ytd_pct"] = percent(ytd_sick, ytd_norm)
            people = p["people"]
            row["agrees"] = None if people is None else people == len(in_force)
        else:
            row.update({"has_month": False, "agrees": None})
        out.append(row)
    return out
