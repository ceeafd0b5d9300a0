"""The dashboard's numbers: every aggregate is SQL over all the user's homes or
placements at once, so a page costs the same number of queries for three
homes as for 150.

The economy figures are the follow-up's: for the year's latest round, a home
whose follow-up is approved contributes its frozen snapshot, every other home
its live forecast at the round's month (``budget.selectors.forecast_for_homes``,
the function the follow-up itself uses). So the department's total here is the
sum of the follow-ups' numbers for the same round.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict
from urllib.parse import urlencode

from django.db import connection
from django.db.models import (
    Count,
    DecimalField,
    Exists,
    ExpressionWrapper,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    Window,
)
from django.db.models.functions import Coalesce
from django.http import Http404, QueryDict
from django.urls import reverse

from botilbud.lib.dates import days_in_year, selectable_years
from botilbud.lib.money import percent, to_money
from botilbud.lib.sql import Params
from botilbud.models import AccountGroup, Area, Home, Paragraph, Role, User
from botilbud.permissions import can
from budget.dashboard.models import FollowUpFigure
from budget.followup.models import Action, HomeFollowUp, Round
from budget.moments import Moment
from budget.selectors import actual_year_sum, first_budget_year, forecast_for_homes, latest_actual_month
from disponering.models import Category, LedgerEntry, Status
from disponering.selectors import year_totals_for_homes
from visitation.models import Placement, PlacementYear, PlacementYearQuerySet, Provider

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations  # a development dependency (django-stubs)

ZERO = Decimal("0.00")
GROUPS = [g.value for g in AccountGroup]
KEYS = ("corrected_budget", "budget_to_date", "actuals_to_date", "forecast", "deviation")
MILLION = Decimal("1000000")
_MONEY = DecimalField(max_digits=18, decimal_places=2)


class BadFilter(ValueError):
    """A filter value the dashboard cannot use (shown as a Danish 400 message)."""


@dataclass(frozen=True)
class Filters:
    year: int
    area_id: int | None = None
    paragraph_id: int | None = None
    provider_kind: str = ""

    def params(self, **override: Any) -> dict[str, str]:
        values = {
            "aar": self.year,
            "omraade": self.area_id,
            "paragraf": self.paragraph_id,
            "leverandoer": self.provider_kind,
            **override,
        }
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    def query(self, **override: Any) -> str:
        return "?" + urlencode(self.params(**override))


def _int_param(raw: str, what: str) -> int | None:
    raw = (raw or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise BadFilter(f"»{raw}« er ikke et gyldigt {what}.")
    return int(raw)


def parse_filters(get: Any, today: dt.date) -> Filters:
    raw_year = (get.get("aar") or "").strip()
    if raw_year:
        if not (raw_year.isascii() and raw_year.isdigit()) or not 2000 <= int(raw_year) <= 2100:
            raise BadFilter(f"»{raw_year}« er ikke et gyldigt budgetår (2000-2100).")
        year = int(raw_year)
    else:
        year = today.year
    kind = (get.get("leverandoer") or "").strip()
    if kind and kind not in Provider.Kind.values:
        raise BadFilter(f"»{kind}« er ikke en kendt leverandørtype.")
    return Filters(
        year=year,
        area_id=_int_param(get.get("omraade", ""), "område"),
        paragraph_id=_int_param(get.get("paragraf", ""), "paragraf-id"),
        provider_kind=kind,
    )


def reference_date(year: int, today: dt.date) -> dt.date:
    """The day point-in-time figures (occupancy, sickness) are read on."""
    if year < today.year:
        return dt.date(year, 12, 31)
    if year > today.year:
        return dt.date(year, 1, 1)
    return today


# --- Economy: budget, forecast, deviation per home and account group ------------


@dataclass
class Economy:
    year: int
    round: Round | None
    month: int  # the forecast's month (1-12; 0 = no actuals yet)
    per_home: dict[int, dict[str, dict[str, Decimal]]]
    frozen: set[int] = field(default_factory=set)
    today: dt.date = field(default_factory=dt.date.today)
    steps: dict[int, str] = field(default_factory=dict)  # each home's follow-up step in the round

    def moment(self, home_id: int) -> Moment:
        """The moment of one home's figures: its approved follow-up, or live."""
        if home_id in self.frozen:
            return Moment.frozen(self.round, self.today)
        return Moment.live(self.year, self.month, self.today, self.round, self.steps.get(home_id, ""))

    def sum_moment(self, home_ids: list[int]) -> Moment:
        """The moment of a sum of homes: the round's (frozen where approved,
        live otherwise) when any home is frozen, else live."""
        if self.round is not None and any(h in self.frozen for h in home_ids):
            return Moment.frozen(self.round, self.today)
        return Moment.live(self.year, self.month, self.today, self.round)

    def home_totals(self, home_id: int) -> dict[str, Decimal]:
        totals = dict.fromkeys(KEYS, ZERO)
        for values in self.per_home.get(home_id, {}).values():
            for k in KEYS:
                totals[k] += values[k]
        return totals

    def steering_budget(self, home: Any) -> Decimal:
        """The budget the home is steered on (DESIGN.md): gross expenditure
        (every group but income) for an activity-funded home, else net."""
        values = self.per_home.get(home.pk, {})
        if getattr(home, "financing", "") == "aktivitet":
            return sum((v["corrected_budget"] for g, v in values.items() if g != AccountGroup.INCOME), ZERO)
        return sum((v["corrected_budget"] for v in values.values()), ZERO)

    def totals(self, home_ids: list[int] | None = None) -> dict[str, Decimal]:
        totals = dict.fromkeys(KEYS, ZERO)
        for home_id in self.per_home if home_ids is None else home_ids:
            for k, v in self.home_totals(home_id).items():
                totals[k] += v
        return totals


def year_round(year: int) -> Round | None:
    """The latest follow-up round of the budget year (the dashboard's "current" round)."""
    return Round.objects.filter(month__year=year).order_by("-month").first()


def economy(home_ids: list[int], year: int, round_: Round | None, today: dt.date) -> Economy:
    """Per home and account group: frozen snapshot where the round's follow-up is
    approved, otherwise the live forecast at the round's month (2–3 queries)."""

    per_home: dict[int, dict[str, dict[str, Decimal]]] = {}
    frozen: set[int] = set()
    if round_ is not None:
        month = round_.month.month
        # The frozen numbers, from the trigger-maintained summary of the snapshots.
        rows = FollowUpFigure.objects.filter(round_id=round_.pk, home_id__in=home_ids).values_list(
            "home_id", "group", *KEYS
        )
        for home_id, group, *values in rows:
            frozen.add(home_id)
            per_home.setdefault(home_id, {})[group] = dict(zip(KEYS, values, strict=True))
    else:
        month = latest_actual_month(home_ids, year) if home_ids else 0
        # No actuals imported for the year yet (a newly onboarded municipality):
        # the forecast is the budget itself ("forbrug til og med årets start"),
        # never the budget's last month alone (months without actuals as 0).
        # A past year without actuals counts as closed at 12.
        if not month and year < today.year:
            month = 12
    live_ids = [h for h in home_ids if h not in frozen]
    forecasts = forecast_for_homes(live_ids, year, month) if live_ids else {}
    for home_id in live_ids:
        per_home[home_id] = {}
        for group in GROUPS:
            row = forecasts.get((home_id, group))
            per_home[home_id][group] = {k: getattr(row, k) if row else ZERO for k in KEYS}
    for home_id in home_ids:
        for group in GROUPS:
            per_home[home_id].setdefault(group, dict.fromkeys(KEYS, ZERO))
    steps: dict[int, str] = {}
    if round_ is not None and live_ids:
        steps = dict(
            HomeFollowUp.objects.filter(round=round_, home_id__in=live_ids).values_list("home_id", "step").order_by()
        )
    return Economy(year=year, round=round_, month=month, per_home=per_home, frozen=frozen, today=today, steps=steps)


# Every round of the year with Σ forecast and budget of its approved follow-ups
# and how many homes they are, in one query (the rounds and their sums). Summed
# per (round, home) first and then per round: two hash aggregates over the
# year's rows (``dash_figure_month_home``), where COUNT(DISTINCT home_id)
# would sort them.
_MOVEMENT_SQL = """
SELECT r.id, r.month, s.forecast, s.budget, coalesce(s.homes, 0)
FROM followup_round r
LEFT JOIN (
    SELECT round_id, sum(forecast) AS forecast, sum(budget) AS budget, count(*) AS homes
    FROM (
        SELECT round_id, home_id, sum(forecast) AS forecast, sum(corrected_budget) AS budget
        FROM dashboard_followupfigure
        WHERE home_id = ANY(%(homes)s) AND month >= %(first)s AND month <= %(last)s
        GROUP BY round_id, home_id
    ) per_home
    GROUP BY round_id
) s ON s.round_id = r.id
WHERE r.month >= %(first)s AND r.month <= %(last)s
ORDER BY r.month
"""


def forecast_movement(home_ids: list[int], year: int, econ: Economy) -> list[dict[str, Any]]:
    """The department's forecast at each round of the year: Σ the approved
    (frozen) follow-ups; the latest round as the dashboard shows it (frozen +
    live). One query."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    with connection.cursor() as cursor:
        cursor.execute(_MOVEMENT_SQL, {"homes": sorted(home_ids), "first": first, "last": last})
        rows = cursor.fetchall()
    rounds = [(pk, month) for pk, month, *_ in rows]
    sums = {
        pk: {"forecast": forecast, "budget": budget, "homes": homes} for pk, _, forecast, budget, homes in rows if homes
    }
    result = []
    for pk, month in rounds:
        if econ.round is not None and pk == econ.round.pk:
            totals = econ.totals()
            result.append(
                {
                    "month": month,
                    "forecast": totals["forecast"],
                    "budget": totals["corrected_budget"],
                    "homes": len(home_ids),
                    "frozen": len(econ.frozen),
                }
            )
            continue
        s = sums.get(pk)
        result.append(
            {
                "month": month,
                "forecast": s["forecast"] if s else None,
                "budget": s["budget"] if s else None,
                "homes": s["homes"] if s else 0,
                "frozen": s["homes"] if s else 0,
            }
        )
    return result


_ACCURACY_SQL = """
WITH act AS (
    SELECT a.home_id, sum(a.amount) AS actual,
           -- The budget the home is steered on: gross expenditure for an activity-funded home.
           CASE WHEN min(h.financing) = 'aktivitet'
                THEN abs(coalesce(sum(a.amount) FILTER (WHERE a."group" <> 'indtaegt'), 0))
                ELSE abs(sum(a.amount)) END AS basis
    -- The closed year's actuals from the yearly summary (budget.models.ActualYear):
    -- one row per home and group, the groups that have any actuals.
    FROM (SELECT home_id, "group", {year_total} AS amount FROM budget_actualyear
          WHERE year = %(year)s AND home_id = ANY(%(homes)s) AND {year_rows} > 0) a
    JOIN botilbud_home h ON h.id = a.home_id
    GROUP BY a.home_id
),
fc AS (
    SELECT month, home_id, sum(forecast) AS forecast
    FROM dashboard_followupfigure
    WHERE home_id = ANY(%(homes)s) AND month >= %(first)s AND month <= %(last)s
    GROUP BY month, home_id
)
SELECT fc.month, sum(fc.forecast), sum(act.actual),
       avg(abs(fc.forecast - act.actual) * 100 / act.basis) FILTER (WHERE act.basis <> 0),
       count(*), sum(act.basis)
FROM fc JOIN act ON act.home_id = fc.home_id
GROUP BY fc.month
ORDER BY fc.month
"""


def accuracy(home_ids: list[int], year: int) -> list[dict[str, Any]]:
    """For a closed year, per round: Σ the approved (frozen) forecasts against Σ
    the same homes' final actuals, and the homes' mean absolute percentage
    deviation (as ``budget.followup.accuracy``). One query on the summary."""
    if not home_ids:
        return []
    params: Params = {
        "homes": sorted(home_ids),
        "year": year,
        "first": dt.date(year, 1, 1),
        "last": dt.date(year, 12, 1),
    }
    sql = _ACCURACY_SQL.format(year_total=actual_year_sum("m", 12), year_rows=actual_year_sum("n", 12))
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    return [
        {
            "month": month,
            "forecast": forecast,
            "actual": actual,
            "deviation": forecast - actual,
            "mean_abs_pct": None if mean is None else percent(Decimal(mean), 100),
            "homes": homes,
            "basis": basis,
        }
        for month, forecast, actual, mean, homes, basis in rows
    ]


def summary_refreshed_at() -> dt.datetime | None:
    last: dt.datetime | None = FollowUpFigure.objects.aggregate(last=Max("refreshed_at"))["last"]
    return last


# --- Placements: provider kinds, recipients, occupancy, large placements -------


COUNTED = ("godkendt", "aktiv", "ophoert")  # approved or later (Placement.Status values)
LIVE = ("godkendt", "aktiv")
ON_WORKLIST = ("indstillet", "godkendt", "aktiv")


def _in_period(first: dt.date, last: dt.date) -> Q:
    return Q(start_date__lte=last) & (Q(end_date__isnull=True) | Q(end_date__gte=first))


def _in_force(day: dt.date) -> Q:
    return _in_period(day, day)


def placements(user: User, filters: Filters, *, provider_filter: bool = True) -> QuerySet[Placement]:
    qs = Placement.objects.visible_to(user)
    if filters.paragraph_id:
        qs = qs.filter(offer__paragraph_id=filters.paragraph_id)
    if provider_filter and filters.provider_kind:
        qs = qs.filter(offer__provider__kind=filters.provider_kind)
    return qs


def _summary(user: User, filters: Filters, *, provider_filter: bool = True) -> PlacementYearQuerySet:
    """``placements``' filters on the placement summary (``visitation.PlacementYear``)."""
    qs = PlacementYear.objects.visible_to(user)
    if filters.paragraph_id:
        qs = qs.filter(offer__paragraph_id=filters.paragraph_id)
    if provider_filter and filters.provider_kind:
        qs = qs.filter(offer__provider__kind=filters.provider_kind)
    return qs.own_citizens().filter(status__in=COUNTED)


class KindSpending(TypedDict):
    kind: str
    label: str
    per_year: list[Decimal]


def spending_by_provider_kind(user: User, filters: Filters, years: int = 5) -> dict[str, Any]:
    """The municipality's own citizens' placements: cost per provider kind per
    year (pro rata by days) for the last ``years`` years. One query.

    Read from the placement summary (``visitation.PlacementYear``): a year's
    cost is Σ annual price × days in the year ÷ days of the year, plus the
    open-ended placements begun in an earlier year at their whole annual price
    (their tail rows). A few hundred rows a year, not every placement."""

    year_list = list(range(filters.year - years + 1, filters.year + 1))
    qs = _summary(user, filters, provider_filter=False).filter(
        Q(open_tail=False, year__gte=year_list[0], year__lte=year_list[-1]) | Q(open_tail=True, year__lte=year_list[-1])
    )
    aggregates = {
        f"y{y}": ExpressionWrapper(
            Coalesce(Sum("price_days", filter=Q(year=y, open_tail=False)), ZERO) / Value(Decimal(days_in_year(y)))
            + Coalesce(Sum("price_days", filter=Q(year__lte=y, open_tail=True)), ZERO),
            output_field=_MONEY,
        )
        for y in year_list
    }
    # Each row: the kind and one Decimal per year (keys y2022, y2023, …).
    rows: dict[str, Mapping[str, Any]] = {
        r["offer__provider__kind"]: r for r in qs.values("offer__provider__kind").annotate(**aggregates).order_by()
    }
    kinds: list[KindSpending] = []
    for kind in Provider.Kind:
        r = rows.get(kind.value, {})
        per_year = [to_money(r.get(f"y{y}", ZERO)) for y in year_list]
        kinds.append({"kind": kind.value, "label": kind.label, "per_year": per_year})
    totals = [sum((k["per_year"][i] for k in kinds), ZERO) for i in range(len(year_list))]
    own = next(k for k in kinds if k["kind"] == Provider.Kind.OWN)
    external_share = [percent(totals[i] - own["per_year"][i], totals[i]) for i in range(len(year_list))]
    return {"years": year_list, "kinds": kinds, "totals": totals, "external_share": external_share}


def recipients_by_paragraph(user: User, filters: Filters, last_month: int) -> dict[str, Any]:
    """Own citizens with a placement per paragraph and month: in force at the
    month's end (total), started in the month (inflow), ended in it (outflow).

    One query on the placement summary (``visitation.PlacementYear``): the
    year's rows and the open-ended tails begun before it, summed per
    paragraph; each row carries the twelve months' counts already."""
    year = filters.year
    months = [dt.date(year, m, 1) for m in range(1, last_month + 1)]
    if not months:
        return {"months": months, "paragraphs": []}
    columns = [f"{kind}{m:02d}" for kind in "tio" for m in range(1, last_month + 1)]
    groups = (
        _summary(user, filters)
        .in_year(year)
        .values("offer__paragraph_id", "offer__paragraph__code")
        .annotate(n=Sum("placements"), **{c: Sum(c) for c in columns})
        # Only the paragraphs with a placement in the year (rows whose placements left keep zeros).
        .filter(n__gt=0)
        # The paragraphs in the ladder's order (the database's collation for the code).
        .order_by("offer__paragraph__ladder_step", "offer__paragraph__sort_order", "offer__paragraph__code")
    )
    # Each row: the paragraph and one count per column (keys t01…, i01…, o01…).
    rows: list[Mapping[str, Any]] = list(groups)
    paragraphs = [
        {
            "id": g["offer__paragraph_id"],
            "code": g["offer__paragraph__code"],
            "total": [g[f"t{m:02d}"] for m in range(1, last_month + 1)],
            "inflow": [g[f"i{m:02d}"] for m in range(1, last_month + 1)],
            "outflow": [g[f"o{m:02d}"] for m in range(1, last_month + 1)],
        }
        for g in rows
    ]
    return {"months": months, "paragraphs": paragraphs}


def occupancy(home_ids: list[int], day: dt.date) -> dict[int, int]:
    """Residents per own home on ``day`` (placements approved or later in force). One query."""

    rows = (
        Placement.objects.filter(offer__home_id__in=home_ids, status__in=COUNTED)
        .filter(_in_force(day))
        .values("offer__home_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {r["offer__home_id"]: r["n"] for r in rows}


_SICKNESS_SQL = """
SELECT e.home_id,
       count(*) FILTER (WHERE e.start_date <= %(day)s AND e.end_date >= %(day)s),
       count(*),
       coalesce(sum(m.amount), %(zero)s)
FROM disponering_ledgerentry e
-- Each entry's amount inside the year: a few index probes per entry on the
-- (entry, month) unique index, never a scan of the year's months.
LEFT JOIN LATERAL (
    SELECT sum(lm.amount) AS amount
    FROM disponering_ledgerentrymonth lm
    WHERE lm.entry_id = e.id AND lm.month >= %(first)s AND lm.month <= %(last_month)s
) m ON true
WHERE e.home_id = ANY(%(homes)s) AND e.category = %(category)s
  AND e.end_date >= %(first)s AND e.start_date <= %(last)s AND e.status <> %(cancelled)s
GROUP BY e.home_id
"""


def sickness(home_ids: list[int], year: int, day: dt.date) -> dict[int, dict[str, Any]]:
    """Long-term sickness per home from the ledger: entries in force on ``day``
    (a day inside ``year``), entries overlapping the year, and the year's
    expected amount of those entries. One query.

    Restricted to the year before anything is joined: the entries by the
    ``ledger_sickness_home_end`` index (sickness entries that end in or after
    the year), and each entry's months of the year through the (entry, month)
    unique index, so the cost follows this year's sickness entries, not every
    ledger month of every year."""

    params: Params = {
        "homes": sorted(home_ids),
        "category": Category.SICKNESS.value,
        "cancelled": Status.CANCELLED.value,
        "first": dt.date(year, 1, 1),
        "last": dt.date(year, 12, 31),
        "last_month": dt.date(year, 12, 1),
        "day": day,
        "zero": ZERO,
    }
    with connection.cursor() as cursor:
        cursor.execute(_SICKNESS_SQL, params)
        rows = cursor.fetchall()
    return {home_id: {"now": now, "year": n, "amount": amount} for home_id, now, n, amount in rows}


def large_placements(user: User, filters: Filters, day: dt.date, limit: int = 100) -> dict[str, Any]:
    """Placements at or above 1,000,000 kr. a year in force on ``day``: the
    ``limit`` dearest, and the count and total of all of them (window
    aggregates over the whole set, computed before the limit). One query,
    served by the partial index ``placement_large``."""
    qs = placements(user, filters).filter(status__in=LIVE, annual_price__gte=MILLION).filter(_in_force(day))
    rows = list(
        qs.select_related("citizen", "offer__provider", "offer__paragraph")
        # Only the columns the table shows (not every column of five tables).
        .only(
            "annual_price",
            "citizen__initials",
            "citizen__case_number",
            "offer__name",
            "offer__paragraph__code",
            "offer__provider__kind",
        )
        .annotate(all_count=Window(Count("pk")), all_total=Window(Sum("annual_price")))
        .order_by("-annual_price", "pk")[:limit]
    )
    count = rows[0].all_count if rows else 0
    total = rows[0].all_total if rows else ZERO
    return {"rows": rows, "count": count, "total": total}


def overdue_followups(user: User, filters: Filters, today: dt.date) -> int:
    return placements(user, filters).filter(status__in=ON_WORKLIST, next_follow_up__lt=today).count()


def homes_with_action_plans(home_ids: list[int], round_: Round | None) -> int:
    if round_ is None:
        return 0
    return (
        HomeFollowUp.objects.filter(round=round_, home_id__in=home_ids)
        .filter(Exists(Action.objects.filter(followup=OuterRef("pk"))))
        .count()
    )


def ledger_by_group(home_id: int, year: int) -> dict[str, Decimal]:
    """The ledger's expected changes for the year per account group (one query
    on the ledger's month summary)."""
    return {group: total for (_, group), total in year_totals_for_homes([home_id], year).items()}


class YearAmount(TypedDict):
    year_amount: Decimal


def ledger_entries(home_id: int, group: str, year: int) -> QuerySet[WithAnnotations[LedgerEntry, YearAmount]]:
    """A home's ledger entries in an account group overlapping the year, each
    with its amount inside the year (one query)."""

    return (
        LedgerEntry.objects.filter(home_id=home_id, account_group=group)
        .overlapping_year(year)
        .annotate(
            year_amount=Coalesce(
                Sum(
                    "months__amount",
                    filter=Q(months__month__gte=dt.date(year, 1, 1), months__month__lte=dt.date(year, 12, 1)),
                ),
                ZERO,
            )
        )
        .order_by("start_date", "pk")
    )


# --- The page around a level: filters, scope and the parts every level shows -------


def visible_areas(user: User) -> QuerySet[Area]:
    """The areas with an active home the user sees, by name."""
    return (
        Area.objects.filter(homes__in=Home.objects.visible_to(user).filter(is_active=True)).distinct().order_by("name")
    )


def visible_area(user: User, pk: int) -> Area:
    """One of ``visible_areas`` (404 for any other)."""
    area = visible_areas(user).filter(pk=pk).first()
    if area is None:
        raise Http404("Området findes ikke, eller du har ikke adgang til det.")
    return area


def checked_filters(get: QueryDict, user: User, today: dt.date) -> Filters:
    """``parse_filters``, and the area and paragraph checked: an area outside the
    user's scope is a 404, an unknown paragraph a ``BadFilter``."""
    filters = parse_filters(get, today)
    if filters.area_id and not visible_areas(user).filter(pk=filters.area_id).exists():
        raise Http404("Området findes ikke, eller du har ikke adgang til det.")
    if filters.paragraph_id and not Paragraph.objects.filter(pk=filters.paragraph_id).exists():
        raise BadFilter("Den valgte paragraf findes ikke.")
    return filters


def page_context(user: User, filters: Filters, level: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """A level's context (``build``) with what the page around it shows: the
    filters and their choices, the title and where its charts' Excel files are."""
    context = {
        **level,
        "filters": filters,
        "query": filters.query(),
        "years": selectable_years(filters.year, first=first_budget_year(), today=today)[::-1],
        "provider_kinds": Provider.Kind.choices,
        "sees_all": can(user, "dashboard.view_department"),
        # Wording only: an area manager's own scope is areas, everybody else's homes.
        "own_scope": "mine områder" if user.role == Role.AREA_MANAGER else "mine botilbud",
    }
    kind = level["level"]
    if kind == "department":
        context["excel_base"] = reverse("dashboard:department") + "excel/"
        context["title"] = "Dashboard"
    elif kind == "area":
        context["excel_base"] = reverse("dashboard:area", args=[level["area"].pk]) + "excel/"
        context["title"] = f"Dashboard: {level['area'].name}"
    elif kind == "home":
        context["excel_base"] = reverse("dashboard:home", args=[level["home"].pk]) + "excel/"
        context["title"] = f"Dashboard: {level['home'].name}"
    else:
        context["excel_base"] = (
            reverse("dashboard:home_group", args=[level["home"].pk, level["group"].value]) + "excel/"
        )
        context["title"] = f"Dashboard: {level['home'].name}, {level['group'].label.lower()}"
    if kind == "department":
        context["area_options"] = list(visible_areas(user))
        context["paragraph_options"] = list(Paragraph.objects.order_by("ladder_step", "sort_order", "code"))
    return context
