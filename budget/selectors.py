"""Reads of the budget app. Aggregates are SQL over all homes at once.

The forecast (regnskabsprognose) per home and account group at month m:

    forecast = actuals Jan..m
             + corrected budget × (profile share of the months after m)
             + the ledger's expected changes in the months after m

Deviation = forecast − corrected budget (positive = overspend, "merforbrug").
"""

from __future__ import annotations

import datetime as dt
import operator
from dataclasses import dataclass
from decimal import Decimal
from functools import reduce
from typing import Any

from django.db import connection
from django.db.models import Count, DecimalField, ExpressionWrapper, F, Min, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.utils import timezone

from botilbud.lib.dates import MONTH_ABBR, MONTH_NAMES, year_months
from botilbud.lib.money import ZERO, to_money
from botilbud.models import AccountGroup, Home, User
from botilbud.permissions import can
from budget.models import (
    ActualTotal,
    ActualYear,
    BudgetCorrection,
    BudgetLine,
    CarryOver,
    GroupDefinition,
    Posting,
    StaffingPlan,
    YearEnd,
)
from budget.nextyear.models import BudgetDraft
from budget.staffing import StaffingResult, roster_cost, staff_hours
from disponering.selectors import expected_changes, expected_changes_after, staff_changes

GROUPS = [g.value for g in AccountGroup]


@dataclass
class ForecastRow:
    home_id: int
    group: str
    original_budget: Decimal
    corrected_budget: Decimal
    budget_to_date: Decimal
    actuals_to_date: Decimal
    remaining_budget: Decimal
    expected_changes: Decimal
    forecast: Decimal
    deviation: Decimal


# Budget lines with their corrected budget and the profile's share through month m
# (relative weights; an empty profile is 1/12 per month), and actuals through m.
_FORECAST_SQL_TEMPLATE = """
WITH lines AS (
    SELECT bl.home_id, bl."group", bl.original,
           bl.original + COALESCE(c.total, 0) AS corrected,
           CASE WHEN p.n = 12 AND p.total > 0 THEN p.to_date / p.total
                ELSE %(m)s / 12.0 END AS share_to_date
    FROM budget_budgetline bl
    -- The year's lines first (``budget_line_year_home``); each line's approved
    -- corrections by the correction's line index, never the whole table.
    LEFT JOIN LATERAL (SELECT sum(amount) AS total FROM budget_budgetcorrection
                       WHERE line_id = bl.id AND status = 'godkendt') c ON true
    -- The profile read once per line: its length, total and share through m.
    CROSS JOIN LATERAL (SELECT count(*) AS n, sum(w) AS total, sum(w) FILTER (WHERE i <= %(m)s) AS to_date
                        FROM unnest(bl.profile) WITH ORDINALITY t(w, i)) p
    WHERE bl.year = %(year)s AND bl.home_id = ANY(%(homes)s)
),
acts AS (
    -- The actuals through m from the yearly summary (``ActualYear``, one row
    -- per home and group): m01 + … + m_m where a month has any actuals.
    SELECT home_id, "group", {to_date} AS actual
    FROM budget_actualyear
    WHERE year = %(year)s AND home_id = ANY(%(homes)s) AND {rows_to_date} > 0
)
SELECT COALESCE(l.home_id, a.home_id), COALESCE(l."group", a."group"),
       COALESCE(l.original, 0), COALESCE(l.corrected, 0),
       round(COALESCE(l.corrected, 0) * COALESCE(l.share_to_date, 0), 2),
       COALESCE(a.actual, 0)
FROM lines l FULL JOIN acts a ON a.home_id = l.home_id AND a."group" = l."group"
"""


def actual_year_sum(prefix: str, month: int) -> str:
    """SQL for ``ActualYear``'s months 1..``month`` added up: ``m01 + m02`` (``prefix``
    "m", amounts) or ``n01 + n02`` ("n", how many months have actuals); "0" for month 0."""
    if not 0 <= month <= 12:
        raise ValueError("month must be 0..12")
    return " + ".join(f"{prefix}{i:02d}" for i in range(1, month + 1)) or "0"


def _forecast_sql(month: int) -> str:
    return _FORECAST_SQL_TEMPLATE.format(to_date=actual_year_sum("m", month), rows_to_date=actual_year_sum("n", month))


def forecast_for_homes(home_ids: list[int] | set[int], year: int, month: int) -> dict[tuple[int, str], ForecastRow]:
    """(home id, account group) → ForecastRow at the end of ``month`` (1–12) of ``year``.

    Two queries whatever the number of homes: the budget/actuals aggregate and
    the ledger's expected changes (``disponering.selectors``).
    """
    if not 0 <= month <= 12:
        raise ValueError("month must be 0..12")
    ids = sorted({int(h) for h in home_ids})
    if not ids:
        return {}
    params: dict[str, Any] = {"homes": ids, "year": year, "m": month}
    with connection.cursor() as cursor:
        cursor.execute(_forecast_sql(month), params)
        base = cursor.fetchall()
    expected = _expected_after(ids, year, month)
    result: dict[tuple[int, str], ForecastRow] = {}
    for home_id, group, original, corrected, to_date, actual in base:
        result[(home_id, group)] = _row(home_id, group, original, corrected, to_date, actual, expected)
    # A home/group with only ledger changes (no budget, no actuals) still forecasts.
    for key in expected:
        if key not in result:
            result[key] = _row(key[0], key[1], ZERO, ZERO, ZERO, ZERO, expected)
    return result


def _row(
    home_id: int,
    group: str,
    original: Decimal,
    corrected: Decimal,
    to_date: Decimal,
    actual: Decimal,
    expected: dict[tuple[int, str], Decimal],
) -> ForecastRow:
    corrected = to_money(corrected)
    to_date = to_money(to_date)
    actual = to_money(actual)
    remaining = corrected - to_date
    changes = to_money(expected.get((home_id, group), ZERO))
    forecast = actual + remaining + changes
    return ForecastRow(
        home_id=home_id,
        group=group,
        original_budget=to_money(original),
        corrected_budget=corrected,
        budget_to_date=to_date,
        actuals_to_date=actual,
        remaining_budget=remaining,
        expected_changes=changes,
        forecast=forecast,
        deviation=forecast - corrected,
    )


def _expected_after(home_ids: list[int], year: int, month: int) -> dict[tuple[int, str], Decimal]:
    """Σ the ledger's expected changes in the months after ``month``, per (home, group)."""

    return expected_changes_after(home_ids, year, month)


def forecast(home: Home | int, year: int, month: int) -> dict[str, ForecastRow]:
    """The forecast of one home: account group → ForecastRow (every group present)."""
    home_id = home if isinstance(home, int) else home.pk
    rows = forecast_for_homes([home_id], year, month)
    return {g: rows.get((home_id, g)) or _row(home_id, g, ZERO, ZERO, ZERO, ZERO, {}) for g in GROUPS}


def forecast_total(rows: dict[str, ForecastRow]) -> ForecastRow:
    """The home's net total over the account groups (income is negative)."""
    total = ForecastRow(0, "", ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO, ZERO)
    for row in rows.values():
        total.home_id = row.home_id
        for name in (
            "original_budget",
            "corrected_budget",
            "budget_to_date",
            "actuals_to_date",
            "remaining_budget",
            "expected_changes",
            "forecast",
            "deviation",
        ):
            setattr(total, name, getattr(total, name) + getattr(row, name))
    return total


def first_budget_year() -> int | None:
    """The first year with a budget line: year selectors offer every year from
    it (closed years included). One query on a small table."""
    first: int | None = BudgetLine.objects.aggregate(first=Min("year"))["first"]
    return first


def latest_actual_month(home_ids: list[int], year: int) -> int:
    """The last month of ``year`` with imported actuals for any of the homes (0 if none):
    one aggregate over the yearly summary's 3 rows a home."""
    latest = "CASE " + " ".join(f"WHEN n{m:02d} > 0 THEN {m}" for m in range(12, 0, -1)) + " ELSE 0 END"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(max({latest}), 0) FROM budget_actualyear WHERE year = %s AND home_id = ANY(%s)",
            [year, sorted(int(h) for h in home_ids)],
        )
        return int(cursor.fetchone()[0])


@dataclass
class MonthCell:
    month: dt.date
    budget: Decimal
    actual: Decimal | None
    expected: Decimal


def monthly_table(home: Home, year: int, lines: list[BudgetLine], month: int) -> dict[str, list[MonthCell]]:
    """Per account group, the 12 months: budget by profile, actuals, expected ledger changes."""

    months = year_months(year)
    actual_rows = ActualTotal.objects.filter(home=home, month__gte=months[0], month__lte=months[-1]).values_list(
        "month", "group", "amount"
    )
    actuals = {(m, g): a for m, g, a in actual_rows}
    changes = expected_changes(home, year)
    corrected = corrected_budgets([line.pk for line in lines])
    by_group = {line.group: line for line in lines}
    table: dict[str, list[MonthCell]] = {}
    for group in GROUPS:
        line = by_group.get(group)
        budget_total = corrected.get(line.pk, ZERO) if line else ZERO
        shares = line.shares() if line else [Decimal(1) / 12] * 12
        # Spread so that the months add up to the budget to the øre.
        cumulative = ZERO
        cells = []
        running = Decimal(0)
        for index, m in enumerate(months):
            running += shares[index]
            upto = to_money(budget_total * running)
            budget = upto - cumulative
            cumulative = upto
            has_actual = m.month <= month or (m, group) in actuals
            cells.append(
                MonthCell(
                    month=m,
                    budget=budget,
                    actual=actuals.get((m, group), ZERO) if has_actual else None,
                    expected=changes.get((m, group), ZERO),
                )
            )
        table[group] = cells
    return table


def corrected_budgets(line_ids: list[int]) -> dict[int, Decimal]:
    """Budget line id → original + Σ approved corrections (one query)."""

    rows = (
        BudgetLine.objects.filter(pk__in=line_ids)
        .annotate(corr=Coalesce(Sum("corrections__amount", filter=Q(corrections__status="godkendt")), ZERO))
        .values_list("pk", "original", "corr")
    )
    return {pk: original + corr for pk, original, corr in rows}


def corrections_for(home: Home, year: int) -> QuerySet[BudgetCorrection]:
    return (
        BudgetCorrection.objects.filter(line__home=home, line__year=year)
        .select_related("line", "created_by", "decided_by")
        .order_by("-date", "-id")
    )


@dataclass(frozen=True)
class GroupPart:
    """One configured account group inside a kind (e.g. »Køb hos andre kommuner« inside operations)."""

    code: str
    name: str
    actuals_to_date: Decimal


def group_parts(home_id: int, year: int, month: int) -> dict[str, list[GroupPart]]:
    """Kind → the configured groups of that kind with their actuals Jan..``month`` (two queries).

    Only kinds the consultant split into more than one group appear; the parts add up to the kind's
    ``actuals_to_date`` (both come from the same postings: ``ActualTotal`` is rebuilt from them)."""
    return group_parts_for_homes([home_id], year, month).get(home_id, {})


def group_parts_for_homes(home_ids: list[int], year: int, month: int) -> dict[int, dict[str, list[GroupPart]]]:
    """``group_parts`` for many homes in at most three queries: home → kind → parts (every home listed).

    Only the postings of the finer groups (codes other than the three kinds')
    are summed, through the partial index ``actual_finer_groups``; a kind's own
    part is its actuals to date (``ActualYear``, what every page shows for the
    kind) minus its finer parts, so the kind's many postings are never read.
    (``ActualTotal`` sums each posting under its group's kind: the kind's own
    code is the rest.) Should a kind's code be listed under another kind, every
    part is summed from the postings, as before."""

    by_kind: dict[str, list[GroupDefinition]] = {}
    for g in GroupDefinition.objects.order_by("order", "code"):
        by_kind.setdefault(g.kind, []).append(g)
    split = {kind: groups for kind, groups in by_kind.items() if len(groups) > 1}
    if not split:
        return {}
    sums: dict[tuple[int, str], Decimal] = {}
    if month and home_ids:
        kinds = set(AccountGroup.values)
        codes = [g.code for groups in split.values() for g in groups]
        derived = [k for k, groups in split.items() if any(g.code == k for g in groups)]
        if any(g.code in kinds and g.code != k for k, groups in split.items() for g in groups):
            finer, derived = codes, []  # an odd chart: sum every part from the postings
        else:
            finer = [c for c in codes if c not in kinds]
        postings = Posting.objects.filter(
            home_id__any=home_ids, month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, month, 1)
        )
        if finer:
            sums = {
                (r["home_id"], r["group"]): r["total"]
                for r in postings.filter(group__in=finer).values("home_id", "group").annotate(total=Sum("amount"))
            }
        if derived:
            to_date = reduce(operator.add, [F(f"m{i:02d}") for i in range(1, month + 1)])
            for home_id, kind, total in (
                ActualYear.objects.filter(year=year, home_id__any=home_ids, group__in=derived)
                .annotate(
                    to_date=ExpressionWrapper(to_date, output_field=DecimalField(max_digits=16, decimal_places=2))
                )
                .values_list("home_id", "group", "to_date")
            ):
                finer_parts = sum((sums.get((home_id, g.code), ZERO) for g in split[kind] if g.code != kind), ZERO)
                sums[(home_id, kind)] = total - finer_parts
    return {
        home_id: {
            kind: [GroupPart(g.code, g.name, sums.get((home_id, g.code), ZERO)) for g in groups]
            for kind, groups in split.items()
        }
        for home_id in home_ids
    }


def actuals_coverage(*, user: User, year: int) -> dict[str, Any]:
    """Which months of ``year`` have actuals, per home the user imports for
    (at most 200 homes, by cost centre): one query for the homes, one for the months."""
    homes_qs = Home.objects.all() if can(user, "budget.manage_any_home") else Home.objects.writable_by(user)
    homes = list(homes_qs.order_by("cost_centre").only("pk", "name", "cost_centre")[:200])
    cells = {
        (r["home_id"], r["month"].month): r
        for r in ActualTotal.objects.filter(home__in=[h.pk for h in homes], month__year=year)
        .values("home_id", "month")
        .annotate(rows=Sum("row_count"), groups=Count("id"))
    }
    return {
        "year": year,
        "months": [(i, MONTH_ABBR[i - 1]) for i in range(1, 13)],
        "rows": [{"home": h, "cells": [cells.get((h.pk, i)) for i in range(1, 13)]} for h in homes],
    }


def home_budget_page(home: Home, year: int, month: int, *, today: dt.date) -> dict[str, Any]:
    """The figures of a home's budget page (``budget:home_budget``): per account group the
    forecast row, the budget line, the 12 months and the finer groups; the month totals and the
    cumulative chart; the corrections and the year's draft. (The moment they are from is the
    view's: it names the follow-up round, a sub-app the budget's selectors do not import.)"""

    rows = forecast(home, year, month)
    total = forecast_total(rows)
    lines = list(BudgetLine.objects.filter(home=home, year=year))
    monthly = monthly_table(home, year, lines, month)
    lines_by_group = {line.group: line for line in lines}
    parts = group_parts(home.pk, year, month)
    groups = [
        {
            "group": g,
            "row": rows[g.value],
            "line": lines_by_group.get(g.value),
            "cells": monthly[g.value],
            "parts": parts.get(g.value, []),
        }
        for g in AccountGroup
    ]
    month_totals: list[dict[str, Any]] = []
    for i in range(12):
        cells = [monthly[g.value][i] for g in AccountGroup]
        month_totals.append(
            {
                "month": cells[0].month,
                "budget": sum((c.budget for c in cells), ZERO),
                "actual": None
                if all(c.actual is None for c in cells)
                else sum((c.actual or ZERO for c in cells), ZERO),
                "expected": sum((c.expected for c in cells), ZERO),
            }
        )
    chart, chart_rows = budget_chart(month_totals, month)
    corrections = list(corrections_for(home, year)[:50])
    return {
        "groups": groups,
        "total": total,
        "month_totals": month_totals,
        "chart": chart,
        "chart_rows": chart_rows,
        "corrections": corrections,
        "pending_count": sum(1 for c in corrections if c.status == "foreslaaet"),
        "year_statement_link": year < today.year,
        "carried_in": sum((c.amount for c in corrections if c.kind == "overfoersel" and c.status == "godkendt"), ZERO),
        # The year's budget drafted from the models (budget.nextyear): one query.
        "draft": BudgetDraft.objects.filter(home=home, year=year).select_related("locked_by").first(),
    }


def budget_chart(month_totals: list[dict[str, Any]], month: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Cumulative net budget, actuals and the forecast path through the year."""
    labels = [MONTH_ABBR[i] for i in range(12)]
    budget_cum: list[Decimal | None] = []
    actual_cum: list[Decimal | None] = []
    forecast_path: list[Decimal | None] = []
    b = a = f = ZERO
    for index, cell in enumerate(month_totals, start=1):
        b += cell["budget"]
        budget_cum.append(b)
        if index <= month:
            a += cell["actual"] or ZERO
            actual_cum.append(a)
            f = a
            forecast_path.append(f if index == month else None)
        else:
            actual_cum.append(None)
            f += cell["budget"] + cell["expected"]
            forecast_path.append(f)
    series: list[tuple[str, list[Decimal | None]]] = [
        ("Budget (profil)", budget_cum),
        ("Forbrug", actual_cum),
        ("Prognose", forecast_path),
    ]
    chart = {
        "title": "Akkumuleret nettoforbrug",
        "x": labels,
        "y_title": "kr.",
        "series": [
            {
                "name": name,
                "type": "line",
                "unit": "kr",
                "values": [None if v is None else str(v) for v in values],
                "dash": name == "Prognose",
            }
            for name, values in series
        ],
    }
    rows = [{"label": MONTH_NAMES[i], "values": [values[i] for _, values in series]} for i in range(12)]
    return chart, rows


# --- The budget year's life cycle (budget/views/year.py) ---------------------------------


def budget_years(user: User) -> list[dict[str, Any]]:
    """The budget years of the homes ``user`` sees, newest first, each with its year end
    (closed, reopened) and its carry-overs waiting for a decision (three queries)."""
    homes = Home.objects.visible_to(user)
    years = sorted(
        set(BudgetLine.objects.filter(home__in=homes).values_list("year", flat=True).distinct()), reverse=True
    )
    ends = {y.year: y for y in YearEnd.objects.filter(year__in=years).select_related("closed_by", "reopened_by")}
    pending = CarryOver.objects.filter(home__in=homes, status=CarryOver.Status.PROPOSED)
    pending_by_year = dict(pending.values_list("year_end__year").annotate(n=Count("id")))
    return [{"year": y, "end": ends.get(y), "pending": pending_by_year.get(y, 0)} for y in years]


def year_end_detail(user: User, year: int) -> dict[str, Any]:
    """The year end of ``year`` and the carry-overs of the homes ``user`` sees, with their totals."""
    year_end = YearEnd.objects.filter(year=year).select_related("closed_by", "reopened_by").first()
    carry_overs = list(
        CarryOver.objects.filter(year_end__year=year, home__in=Home.objects.visible_to(user))
        .select_related("home", "decided_by")
        .order_by("home__name")
    )
    totals = {
        key: sum((getattr(c, key) for c in carry_overs), ZERO)
        for key in ("budget", "actual", "result", "proposed", "amount")
    }
    totals["lapsed"] = totals["result"] - totals["amount"]
    return {
        "year_end": year_end,
        "carry_overs": carry_overs,
        "totals": totals,
        "pending": sum(1 for c in carry_overs if c.status == CarryOver.Status.PROPOSED),
    }


def year_statement(home: Home, year: int) -> dict[str, Any]:
    """A home's year-end statement: per account group the corrected budget, the year's actuals
    and the result (with the finer groups), and the carry-over with its booked corrections."""
    rows = forecast(home, year, 12)
    parts = group_parts(home.pk, year, 12)  # the finer groups (»heraf«), the year's actuals
    groups: list[dict[str, Any]] = [
        {
            "group": g,
            "budget": rows[g.value].corrected_budget,
            "actual": rows[g.value].actuals_to_date,
            "result": rows[g.value].corrected_budget - rows[g.value].actuals_to_date,
            "parts": parts.get(g.value, []),
        }
        for g in AccountGroup
    ]
    total = {k: sum((r[k] for r in groups), ZERO) for k in ("budget", "actual", "result")}
    carry_over = (
        CarryOver.objects.filter(year_end__year=year, home=home).select_related("year_end", "decided_by").first()
    )
    booked = list(carry_over.corrections.select_related("line").order_by("pk")) if carry_over else []
    return {
        "groups": groups,
        "total": total,
        "carry_over": carry_over,
        "booked": booked,
        "year_end": carry_over.year_end if carry_over else YearEnd.objects.filter(year=year).first(),
    }


# --- The staff-hours tool (budget/views/staffing.py) -------------------------------------


def staffing_figures(home: Home, year: int, plan: StaffingPlan) -> dict[str, Any]:
    """What the staff-hours page shows of ``plan``: the roster hours its wage budget buys
    (``budget.staffing``) with the waterfall chart, the roster's cost, and the year's staff
    entries in the ledger beside the wage budget."""
    result = staff_hours(plan.staffing_input(year))
    cost = None
    if plan.roster_hours_per_week:
        try:
            cost = roster_cost(plan.staffing_input(year), plan.roster_hours_per_week)
        except ValueError:
            cost = None
    chart = {
        "kind": "waterfall",
        "title": "Fra bruttotimer til timer i vagtplanen",
        "x": ["Bruttotimer", *[loss.label for loss in result.losses], "Timer i vagtplanen"],
        "measure": ["absolute", *["relative"] * len(result.losses), "total"],
        "values": [str(result.gross_hours), *[str(-loss.hours) for loss in result.losses], str(result.roster_hours)],
        "y_title": "timer pr. år",
        "unit": "timer",
    }
    return {
        "result": result,
        "ledger": _staff_ledger(home, year, plan.wage_budget, result),
        "cost": cost,
        "chart": chart,
    }


def _staff_ledger(home: Home, year: int, wage_budget: Decimal, result: StaffingResult) -> dict[str, Any]:
    """The year's staff entries in the ledger (live) beside the plan's wage
    budget, in kroner and in roster hours a week at the plan's average cost
    per roster hour (supplements included)."""
    rows = staff_changes(home, year)
    total = sum((r["total"] for r in rows), Decimal(0))
    per_hour = result.cost_per_roster_hour

    def weekly(amount: Decimal) -> Decimal | None:
        return None if not per_hour else (amount / per_hour / 52).quantize(Decimal("0.1"))

    return {
        "rows": [{**r, "hours_per_week": weekly(r["total"])} for r in rows],
        "total": total,
        "total_hours_per_week": weekly(total),
        "left": wage_budget - total,
        "left_hours_per_week": weekly(wage_budget - total),
        "budget_hours_per_week": weekly(wage_budget),
        "today": timezone.localdate(),
    }
