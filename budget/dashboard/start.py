"""Start-page blocks per role (registered in ``apps.py``).

Each answers the role's first question with a fixed number of queries:

- home manager: my homes' forecast against budget, this month's ledger
  changes and the staff hours the wage budget gives per week;
- area manager: my homes side by side (economy, occupancy, sickness);
- consultant: this month's actuals imports;
- department head / administrator: the headline figures, with the way in
  to the dashboard.

The follow-up's "whose turn" and the authority's worklist and approval queue
are already on the start page (``budget.followup`` and ``visitation``).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum

from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.dates import MONTH_NAMES
from botilbud.lib.money import percent
from botilbud.models import Home, User
from budget.absence import selectors as absence_selectors
from budget.dashboard import selectors as sel
from budget.models import ActualsImport, StaffingPlan
from budget.staffing import staff_hours
from disponering.models import LedgerEntry, LedgerEntryMonth, Status
from visitation.occupancy import month_occupancy

ZERO = Decimal("0.00")


def _today() -> dt.date:
    return dt.date.today()


def _economy_rows(user: User, today: dt.date) -> tuple[list[Home], sel.Economy]:
    homes = list(Home.objects.visible_to(user).filter(is_active=True).select_related("area").order_by("name"))
    econ = sel.economy([h.pk for h in homes], today.year, sel.year_round(today.year), today)
    return homes, econ


def _month_label(econ: sel.Economy) -> str:
    if econ.round is not None:
        return f"opfølgningen for {MONTH_NAMES[econ.round.month.month - 1]}"
    if econ.month:
        return f"forbrug til og med {MONTH_NAMES[econ.month - 1]}"
    return "budgettet (intet forbrug endnu)"


def _basis(econ: sel.Economy, ids: list[int]) -> str:
    """What kind of figures a start block shows: the moment, said once."""
    moment = econ.sum_moment(ids)
    if econ.round is not None and moment.kind == "round":
        frozen = len([h for h in ids if h in econ.frozen])
        return (
            f"{_month_label(econ)}: {frozen} godkendte (fastfrosne) og {len(ids) - frozen} live pr. "
            f"{econ.today:%d-%m-%Y}; se »Tal fra« for hvert botilbud"
        )
    return econ.sum_moment(ids).label


def home_manager_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user = request.user
    today = _today()
    homes, econ = _economy_rows(user, today)
    ids = [h.pk for h in homes]
    this_month = today.replace(day=1)
    changes = dict(
        LedgerEntryMonth.objects.filter(home_id__in=ids, month=this_month)
        .exclude(entry__status=Status.CANCELLED)
        .values("home_id")
        .annotate(total=Sum("amount"))
        .order_by()
        .values_list("home_id", "total")
    )
    new_entries = dict(
        LedgerEntry.objects.filter(home_id__in=ids, created_at__date__gte=this_month)
        .values("home_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("home_id", "n")
    )
    # As the staff-hours page: the saved plan with its staff groups, or else the
    # wage budget with the default assumptions.
    plans = {
        p.home_id: p for p in StaffingPlan.objects.filter(home_id__in=ids, year=today.year).prefetch_related("groups")
    }
    hours: dict[int, Decimal | None] = {}
    for h in homes:
        plan = plans.get(h.pk) or StaffingPlan(
            home=h, year=today.year, wage_budget=econ.per_home[h.pk]["loen"]["corrected_budget"]
        )
        if plan.wage_budget <= 0:
            hours[h.pk] = None
            continue
        try:
            result = staff_hours(plan.staffing_input(today.year))
        except ValueError:
            hours[h.pk] = None
            continue
        hours[h.pk] = result.roster_hours_per_week
    rows = [
        {
            "home": h,
            **econ.home_totals(h.pk),
            "changes": changes.get(h.pk, ZERO),
            "new_entries": new_entries.get(h.pk, 0),
            "hours_per_week": hours.get(h.pk),
            "hours_from_plan": h.pk in plans,
            "moment": econ.moment(h.pk),
        }
        for h in homes
    ]
    return {
        "dash_rows": rows,
        "dash_basis": _basis(econ, ids),
        "dash_year": today.year,
        "dash_month": this_month,
        "dash_week": today.isocalendar().week,
    }


def area_manager_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user = request.user
    today = _today()
    homes, econ = _economy_rows(user, today)
    ids = [h.pk for h in homes]
    occ_month = dt.date(today.year, econ.month or today.month, 1)
    occupancy = month_occupancy(homes, occ_month)
    sick = sel.sickness(ids, today.year, today)
    # Sickness absence from payroll, for the latest imported month not after the economy month (as the dashboard).
    payroll_month = absence_selectors.latest_month(ids, today.year, upto=occ_month)
    payroll = absence_selectors.by_home(ids, payroll_month) if payroll_month else {}
    rows = []
    for h in homes:
        totals = econ.home_totals(h.pk)
        rows.append(
            {
                "home": h,
                **totals,
                "deviation_pct": percent(totals["deviation"], econ.steering_budget(h)),
                "residents": occupancy[h.pk].residents,
                "occupancy_pct": occupancy[h.pk].pct,
                "sick": sick[h.pk]["now"] if h.pk in sick else 0,
                "sickness_pct": payroll.get(h.pk, {}).get("pct"),
                "moment": econ.moment(h.pk),
            }
        )
    return {
        "dash_rows": rows,
        "dash_totals": econ.totals(ids),
        "dash_basis": _basis(econ, ids),
        "dash_occupancy_month": occ_month,
        "dash_occupancy_month_key": f"{occ_month:%Y-%m}",
        "dash_payroll_month": payroll_month,
        "dash_payroll_month_key": f"{payroll_month:%Y-%m}" if payroll_month else "",
        "dash_year": today.year,
    }


def consultant_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user = request.user
    today = _today()
    first = today.replace(day=1)
    imports = list(
        ActualsImport.objects.filter(
            Q(applied_at__date__gte=first)
            | Q(applied_at__isnull=True, created_at__date__gte=first)
            | Q(status=ActualsImport.Status.PREVIEW)
        )
        .exclude(status=ActualsImport.Status.DISCARDED)
        .select_related("uploaded_by")
        .order_by("-created_at")[:10]
    )
    return {
        "dash_now": _today(),
        "dash_imports": imports,
        "dash_mine": sum(1 for i in imports if i.uploaded_by_id == user.pk),
        "dash_month": first,
    }


def department_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user = request.user
    today = _today()
    homes, econ = _economy_rows(user, today)
    ids = [h.pk for h in homes]
    totals = econ.totals(ids)
    return {
        "dash_totals": totals,
        "dash_moment": econ.sum_moment(ids),
        "dash_basis": _basis(econ, ids),
        "dash_year": today.year,
        "dash_action_plans": sel.homes_with_action_plans(ids, econ.round),
        "dash_homes": len(ids),
    }
