"""The numbers of the fixed template, live or frozen.

``live_numbers`` computes sections 1–4 for many homes at once in a fixed
number of queries (the forecast, previous snapshots, placements, staffing,
ledger staff entries), so a round overview of 150 homes costs the same as
one. The result is plain data that is stored verbatim as the snapshot when
the follow-up is approved, and the page renders the snapshot from then on.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils import timezone

from botilbud.lib.dates import month_end
from botilbud.lib.money import percent
from botilbud.models import AccountGroup, Home
from budget.absence import selectors as absence_selectors
from budget.followup.models import HomeFollowUp, Round, Settings, Step
from budget.models import StaffingPlan
from budget.moments import Moment
from budget.selectors import ForecastRow, forecast_for_homes, group_parts_for_homes
from disponering.models import Category, LedgerEntry, LedgerEntryMonth, Status
from disponering.models import Status as EntryStatus
from visitation.models import Placement
from visitation.occupancy import month_occupancy

ZERO = Decimal("0.00")
GROUPS = [AccountGroup.WAGES, AccountGroup.OPERATIONS, AccountGroup.INCOME]
ECONOMY_KEYS = ("corrected_budget", "budget_to_date", "actuals_to_date", "forecast", "deviation")


def previous_round(round_: Round) -> Round | None:
    return Round.objects.filter(month__lt=round_.month).order_by("-month").first()


def _previous_forecasts(home_ids: list[int], round_: Round) -> dict[int, dict[str, Decimal]]:
    """The forecast per group in each home's last approved follow-up of the same year."""
    latest = (
        HomeFollowUp.objects.filter(
            home_id__any=home_ids,
            step=Step.APPROVED,
            round__month__lt=round_.month,
            round__month__year=round_.month.year,
        )
        .order_by("home_id", "-round__month")
        .distinct("home_id")
        .values("pk")
    )
    # Only the latest snapshot of each home is read (the subquery picks them without reading any
    # snapshot; DISTINCT ON over the snapshots' parts took them out of every approved follow-up of
    # the year first), and only the parts used here (a round of 150 homes is about 1 MB of JSON).
    rows = HomeFollowUp.objects.filter(pk__in=latest).values_list(
        "home_id", "snapshot__economy", "snapshot__totals__forecast"
    )
    result: dict[int, dict[str, Decimal]] = {}
    for home_id, economy, total in rows:
        result[home_id] = {r["group"]: Decimal(r["forecast"]) for r in economy}
        result[home_id]["total"] = Decimal(total)
    return result


def _activity(homes: list[Home], round_: Round, since: dt.date) -> dict[int, dict[str, Any]]:
    """Section 2: occupancy of the round's month (``visitation.occupancy``: the
    residential places only), and move-ins/outs after ``since``, counted the
    same way as section 4 lists them: each placement once (its generated
    ledger entry is not counted again) plus the ledger's manual move-in/out
    entries that belong to no placement. Upcoming ones (after the month, to
    the end of the year) are counted apart. Two queries."""

    home_ids = [h.pk for h in homes]
    end = month_end(round_.month)
    year_end = dt.date(round_.year, 12, 31)
    occupancy = month_occupancy(homes, round_.month)
    counted = [Placement.Status.APPROVED, Placement.Status.ACTIVE, Placement.Status.ENDED]
    # Rows of values(): the home and its four counts.
    moves: dict[int, Mapping[str, Any]] = {
        r["offer__home_id"]: r
        for r in Placement.objects.filter(offer__home_id__any=home_ids, status__in=counted)
        .values("offer__home_id")
        .annotate(
            moved_in=Count("pk", filter=Q(start_date__gt=since, start_date__lte=end)),
            moved_out=Count("pk", filter=Q(end_date__gt=since, end_date__lte=end)),
            coming_in=Count("pk", filter=Q(start_date__gt=end, start_date__lte=year_end)),
            coming_out=Count("pk", filter=Q(end_date__gt=end, end_date__lte=year_end)),
        )
        .order_by()
    }
    manual: dict[int, Mapping[str, Any]] = {
        r["home_id"]: r
        for r in LedgerEntry.objects.filter(
            home_id__any=home_ids,
            category__in=[Category.MOVE_IN, Category.MOVE_OUT],
            generated=False,
            placement__isnull=True,
        )
        .exclude(status=EntryStatus.CANCELLED)
        .values("home_id")
        .annotate(
            moved_in=Count("pk", filter=Q(category=Category.MOVE_IN, start_date__gt=since, start_date__lte=end)),
            moved_out=Count("pk", filter=Q(category=Category.MOVE_OUT, start_date__gt=since, start_date__lte=end)),
            coming_in=Count("pk", filter=Q(category=Category.MOVE_IN, start_date__gt=end, start_date__lte=year_end)),
            coming_out=Count("pk", filter=Q(category=Category.MOVE_OUT, start_date__gt=end, start_date__lte=year_end)),
        )
        .order_by()
    }
    result: dict[int, dict[str, Any]] = {}
    for home in homes:
        occ = occupancy[home.pk]
        p, m = moves.get(home.pk, {}), manual.get(home.pk, {})
        result[home.pk] = {
            "places": home.capacity,
            "residents": occ.residents,
            "resident_days": occ.resident_days,
            "outreach": occ.outreach,
            "day_activity": occ.day_activity,
            "occupancy_pct": None if occ.pct is None else str(occ.pct),
            "budgeted_occupancy": str(home.budgeted_occupancy),
            **{k: p.get(k, 0) + m.get(k, 0) for k in ("moved_in", "moved_out", "coming_in", "coming_out")},
        }
    return result


def _staff(home_ids: list[int], round_: Round) -> dict[int, dict[str, Any]]:
    """FTE from the staff-hours tool; sickness absence from the payroll system
    (``budget.absence``: the round's month and the year to date, sick hours ÷
    norm hours); long-term sickness, vacancies and maternity from the ledger.

    Each active long-term sickness entry is one employee; resignations and
    dismissals open a vacancy that a hire entry in the same month closes.
    """

    plans = {
        p["home_id"]: p
        for p in StaffingPlan.objects.filter(home_id__any=home_ids, year=round_.year).values(
            "home_id", "wage_budget", "annual_wage_cost"
        )
    }
    start, end = round_.month, month_end(round_.month)
    entries = (
        LedgerEntry.objects.filter(home_id__any=home_ids, start_date__lte=end, end_date__gte=start)
        .exclude(status=Status.CANCELLED)
        .values("home_id")
        .annotate(
            sick=Count("pk", filter=Q(category=Category.SICKNESS)),
            leaving=Count("pk", filter=Q(category__in=[Category.RESIGNATION, Category.DISMISSAL])),
            hired=Count("pk", filter=Q(category=Category.HIRE)),
            maternity=Count("pk", filter=Q(category=Category.MATERNITY)),
        )
    )
    by_home: dict[int, Mapping[str, Any]] = {e["home_id"]: e for e in entries}
    payroll = absence_selectors.by_home(home_ids, round_.month)
    result = {}
    for home_id in home_ids:
        plan = plans.get(home_id)
        fte = (plan["wage_budget"] / plan["annual_wage_cost"]).quantize(Decimal("0.1")) if plan else None
        e = by_home.get(home_id, {})
        sick = e.get("sick", 0)
        pay = payroll.get(home_id, {})
        imported = pay.get("imported")
        result[home_id] = {
            "fte": fte,
            "sick": sick,
            # From the payroll system (None: the month is not imported).
            "sickness_source": "payroll",
            "sickness_pct": pay.get("pct"),
            "sickness_ytd_pct": pay.get("ytd_pct"),
            "sick_hours": pay.get("sick_hours"),
            "norm_hours": pay.get("norm_hours"),
            "long_term_people": pay.get("long_term_people"),
            "absence_imported": timezone.localdate(imported).isoformat() if imported else None,
            "vacancies": max(0, e.get("leaving", 0) - e.get("hired", 0)),
            "maternity": e.get("maternity", 0),
        }
    return result


def _entries(home_ids: list[int], round_: Round) -> dict[int, list[dict[str, Any]]]:
    """Section 4: the ledger entries behind the forecast (their amounts in the
    months after the round's month; cancelled entries are not in the forecast).
    One query for all the homes."""

    columns = (
        "home_id",
        "entry_id",
        "entry__title",
        "entry__category",
        "entry__status",
        "entry__account_group",
        "entry__start_date",
        "entry__end_date",
    )
    rows = (
        LedgerEntryMonth.objects.filter(
            home_id__any=home_ids, month__gt=round_.month, month__lte=dt.date(round_.year, 12, 1)
        )
        .exclude(entry__status=EntryStatus.CANCELLED)
        .values(*columns)
        .annotate(remaining=Sum("amount"))
        .order_by("home_id", "entry__start_date", "entry_id")
        # Tuples, not a dict per row (a round of 150 homes is thousands of rows; the demo seeds 23 rounds).
        .values_list(*columns, "remaining")
    )
    categories, statuses, groups = dict(Category.choices), dict(EntryStatus.choices), dict(AccountGroup.choices)
    result: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for home_id, entry_id, title, category, status, group, start, end, remaining in rows:
        result[home_id].append(
            {
                "id": entry_id,
                "title": title,
                "category": categories[category],
                "status": statuses[status],
                "group": groups[group],
                "start": start.isoformat(),
                "end": end.isoformat(),
                "remaining": str(remaining),
            }
        )
    return result


def live_numbers(
    homes: list[Home], round_: Round, *, with_entries: bool = False, for_sums: bool = False
) -> dict[int, dict[str, Any]]:
    """Sections 1–4 and the action-plan threshold for each home, as plain data
    (Decimals as strings) so it can be frozen verbatim as the snapshot.

    ``for_sums``: only what ``rollup`` sums and a roll-up's home rows show, for a reader that
    shows neither the change since the last follow-up nor section 3 (the department's Excel):
    no ``change`` (economy rows and totals) and no ``staff``; four queries fewer. Never frozen."""

    home_ids = [h.pk for h in homes]
    rules = Settings.load()
    forecasts = forecast_for_homes(home_ids, round_.year, round_.month.month)
    # The finer account groups (»heraf«: e.g. purchases from other municipalities and from regions),
    # each group's actuals to date, the same figures as the budget page's for the same month.
    parts = group_parts_for_homes(home_ids, round_.year, round_.month.month)
    previous = {} if for_sums else _previous_forecasts(home_ids, round_)
    prev_round = previous_round(round_)
    since = month_end(prev_round.month) if prev_round else round_.month - dt.timedelta(days=1)
    activity = _activity(homes, round_, since)
    staff = {} if for_sums else _staff(home_ids, round_)
    entries = _entries(home_ids, round_) if with_entries else {}

    result: dict[int, dict[str, Any]] = {}
    for home in homes:
        economy = []
        by_group, totals = _group_values(home.pk, forecasts)
        for group, values in by_group:
            row: dict[str, Any] = {
                "group": group.value,
                "label": group.label,
                **{k: str(v) for k, v in values.items()},
                "deviation_pct": _pct(values["deviation"], values["corrected_budget"]),
            }
            if not for_sums:
                before = previous.get(home.pk, {}).get(group)
                row["change"] = None if before is None else str(values["forecast"] - before)
            row["parts"] = [
                {"code": p.code, "name": p.name, "actuals_to_date": str(p.actuals_to_date)}
                for p in parts.get(home.pk, {}).get(group.value, [])
            ]
            economy.append(row)
        before_total = previous.get(home.pk, {}).get("total")
        basis = steering_budget(home, economy)
        threshold = rules.threshold_for(basis)
        numbers: dict[str, Any] = {
            "year": round_.year,
            "month": round_.month.isoformat(),
            "economy": economy,
            "totals": {
                **{k: str(v) for k, v in totals.items()},
                "deviation_pct": _pct(totals["deviation"], basis),
            },
            "financing": home.financing,
            "steering_budget": str(basis),
            "threshold": str(threshold),
            "action_required": abs(totals["deviation"]) > threshold,
            "activity": activity[home.pk],
        }
        if not for_sums:
            numbers["totals"]["change"] = None if before_total is None else str(totals["forecast"] - before_total)
            numbers["staff"] = {k: (str(v) if isinstance(v, Decimal) else v) for k, v in staff[home.pk].items()}
        if with_entries:
            numbers["entries"] = entries.get(home.pk, [])
        result[home.pk] = numbers
    return result


def _group_values(
    home_id: int, forecasts: Mapping[tuple[int, str], ForecastRow]
) -> tuple[list[tuple[AccountGroup, dict[str, Decimal]]], dict[str, Decimal]]:
    """Section 1's figures of one home: each group's values (zero without a forecast row) and their sums."""
    by_group = []
    totals = dict.fromkeys(ECONOMY_KEYS, ZERO)
    for group in GROUPS:
        row = forecasts.get((home_id, group))
        values = {k: getattr(row, k) if row else ZERO for k in ECONOMY_KEYS}
        for k in ECONOMY_KEYS:
            totals[k] += values[k]
        by_group.append((group, values))
    return by_group, totals


def live_totals(homes: list[Home], round_: Round) -> dict[int, dict[str, Any]]:
    """The part of ``live_numbers`` a list of homes shows (the round page): the totals (without
    ``change``), the steering budget, the threshold and whether an action plan is required,
    computed as ``live_numbers`` computes them, from the forecast alone (two queries, not the
    dozen of every section)."""

    rules = Settings.load()
    forecasts = forecast_for_homes([h.pk for h in homes], round_.year, round_.month.month)
    result: dict[int, dict[str, Any]] = {}
    for home in homes:
        by_group, totals = _group_values(home.pk, forecasts)
        basis = steering_budget(
            home, [{"group": g.value, "corrected_budget": str(values["corrected_budget"])} for g, values in by_group]
        )
        threshold = rules.threshold_for(basis)
        result[home.pk] = {
            "totals": {
                **{k: str(v) for k, v in totals.items()},
                "deviation_pct": _pct(totals["deviation"], basis),
            },
            "steering_budget": str(basis),
            "threshold": str(threshold),
            "action_required": abs(totals["deviation"]) > threshold,
        }
    return result


def steering_budget(home: Home, economy: list[dict[str, Any]]) -> Decimal:
    """The budget a home is steered on (DESIGN.md, gross and net): an
    activity-funded home's gross expenditure budget (every account group but
    income), a frame-funded home's net budget. The action-plan threshold and
    the deviation % are taken of it."""
    if home.financing == Home.Financing.ACTIVITY:
        return sum(
            (Decimal(r["corrected_budget"]) for r in economy if r["group"] != AccountGroup.INCOME), Decimal("0.00")
        )
    return sum((Decimal(r["corrected_budget"]) for r in economy), Decimal("0.00"))


def forecast_after_plan(forecast: Decimal | str, effects: list[Decimal | str]) -> Decimal:
    """Section 6: the forecast once the action plan's expected savings land."""
    return Decimal(str(forecast)) - sum((Decimal(str(e)) for e in effects), Decimal(0))


def _pct(part: Decimal, whole: Decimal) -> str | None:
    value = percent(part, whole)
    return None if value is None else str(value)


def numbers_for(followup: HomeFollowUp) -> dict[str, Any]:
    """What the page shows: the snapshot when frozen, live numbers otherwise."""
    if followup.is_frozen and followup.snapshot:
        snapshot: dict[str, Any] = followup.snapshot
        return snapshot
    return live_numbers([followup.home], followup.round, with_entries=True)[followup.home_id]


def rollup(followups: Sequence[HomeFollowUp], live: dict[int, dict[str, Any]]) -> dict[str, Any]:
    """Sum homes' numbers (frozen where approved, live otherwise) per group."""
    groups: dict[str, dict[str, Decimal]] = defaultdict(lambda: dict.fromkeys(ECONOMY_KEYS, ZERO))
    totals = dict.fromkeys(ECONOMY_KEYS, ZERO)
    places = residents = resident_days = place_days = 0
    basis = ZERO
    with_plans = []
    # The »heraf« parts per kind, summed by group code; a kind is left without parts if any home's
    # numbers lack them (a snapshot frozen before they were kept), so the parts always add up.
    part_sums: dict[str, dict[str, list[Any]]] = defaultdict(dict)
    without_parts: set[str] = set()
    for fu in followups:
        numbers = fu.snapshot if fu.is_frozen and fu.snapshot else live[fu.home_id]
        for row in numbers["economy"]:
            for k in ECONOMY_KEYS:
                groups[row["group"]][k] += Decimal(row[k])
                totals[k] += Decimal(row[k])
            if "parts" not in row:
                without_parts.add(row["group"])
            for part in row.get("parts", []):
                entry = part_sums[row["group"]].setdefault(part["code"], [part["name"], ZERO])
                entry[1] += Decimal(part["actuals_to_date"])
        basis += Decimal(numbers.get("steering_budget", numbers["totals"]["corrected_budget"]))
        activity = numbers["activity"]
        month = dt.date.fromisoformat(numbers["month"])
        days = (month_end(month) - month).days + 1
        places += activity["places"]
        residents += activity["residents"]
        # Snapshots frozen before occupancy counted resident-days: the residents at month end all month.
        resident_days += activity.get("resident_days", activity["residents"] * days)
        place_days += activity["places"] * days
        if numbers.get("actions") or fu.actions_count:  # type: ignore[attr-defined]  # annotated by the caller's queryset
            with_plans.append(fu.home.name)
    return {
        "economy": [
            {
                "group": g.value,
                "label": g.label,
                **{k: str(groups[g.value][k]) for k in ECONOMY_KEYS},
                "deviation_pct": _pct(groups[g.value]["deviation"], groups[g.value]["corrected_budget"]),
                "parts": []
                if g.value in without_parts
                else [
                    {"code": code, "name": name, "actuals_to_date": str(amount)}
                    for code, (name, amount) in part_sums[g.value].items()
                ],
            }
            for g in GROUPS
        ],
        "totals": {
            **{k: str(v) for k, v in totals.items()},
            "deviation_pct": _pct(totals["deviation"], basis),
        },
        "steering_budget": str(basis),
        "activity": {
            "places": places,
            "residents": residents,
            "resident_days": resident_days,
            "occupancy_pct": _pct(Decimal(resident_days), Decimal(place_days)) if place_days else None,
        },
        "homes_with_action_plans": sorted(with_plans),
        "home_count": len(followups),
    }


# --- What the follow-up pages show (their views add the forms and permissions) -------------


def home_followup_figures(fu: HomeFollowUp, *, today: dt.date) -> dict[str, Any]:
    """A home's follow-up as its page shows it: the numbers (frozen at approval, else live),
    each economy row with its explanation and whether it is over the threshold, the actions,
    the moment the figures are from and the forecast after the action plan."""
    numbers = numbers_for(fu)
    explanations = numbers.get("explanations") if fu.is_frozen else {e.group: e.text for e in fu.explanations.all()}
    actions = numbers.get("actions") if fu.is_frozen else list(fu.actions.all())
    threshold = Decimal(numbers["threshold"])
    economy = [
        {
            **row,
            "over": abs(Decimal(row["deviation"])) > threshold,
            "explanation": (explanations or {}).get(row["group"], ""),
        }
        for row in numbers["economy"]
    ]
    moment = (
        Moment.frozen(fu.round, today)
        if fu.is_frozen and fu.snapshot
        else Moment.live(fu.round.year, fu.round.month.month, today, fu.round, fu.step)
    )
    return {
        "fu": fu,
        "home": fu.home,
        "round": fu.round,
        "moment": moment,
        "numbers": numbers,
        "economy": economy,
        "explanations": explanations or {},
        "actions": actions,
        "forecast_after_plan": Decimal(numbers["forecast_after_plan"])
        if fu.is_frozen
        else forecast_after_plan(numbers["totals"]["forecast"], [a.expected_effect for a in actions or []]),
    }


def round_rows(round_: Round, followups: list[HomeFollowUp]) -> list[dict[str, Any]]:
    """A round's homes with their totals (frozen at approval, else live: ``live_totals``) and
    whether they are late."""
    live_homes = [fu.home for fu in followups if not fu.is_frozen]
    live = live_totals(live_homes, round_) if live_homes else {}
    return [
        {"fu": fu, "numbers": fu.snapshot if fu.is_frozen else live[fu.home_id], "overdue": fu.is_overdue()}
        for fu in followups
    ]


def round_rollup(
    round_: Round, followups: list[HomeFollowUp], *, today: dt.date, for_sums: bool = False
) -> dict[str, Any]:
    """An area's or the department's homes in one round: a row per home (frozen figures for the
    approved, live for the rest, each with its moment) and the sums. ``for_sums``: the live
    numbers of ``live_numbers(for_sums=True)`` (no changes or staff: the Excel)."""
    live_homes = [fu.home for fu in followups if not fu.is_frozen]
    live = live_numbers(live_homes, round_, for_sums=for_sums) if live_homes else {}

    def moment_of(fu: HomeFollowUp) -> Moment:
        if fu.is_frozen:
            return Moment.frozen(round_, today)
        return Moment.live(round_.year, round_.month.month, today, round_, fu.step)

    rows = [
        {"fu": fu, "numbers": fu.snapshot if fu.is_frozen else live[fu.home_id], "moment": moment_of(fu)}
        for fu in followups
    ]
    frozen = sum(1 for fu in followups if fu.is_frozen)
    return {
        "round": round_,
        "rows": rows,
        "sums_moment": Moment.frozen(round_, today)
        if frozen
        else Moment.live(round_.year, round_.month.month, today, round_),
        "frozen_count": frozen,
        "live_count": len(followups) - frozen,
        "sums": rollup(followups, live),
        "all_approved": all(fu.is_frozen for fu in followups),
    }
