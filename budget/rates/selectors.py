"""Reading rates: the inputs of a home's rate model and the approved rates.

Public API (used by sales pricing, settlement and next year's budget draft):

- ``rate_for(calc)``: the calculation line by line (``calc.RateResult``),
  from the calculation's inputs and the home's budget and actuals;
- ``approved_rate(home, year, package=None)``: the rate in force that prices
  a placement with ``package`` in ``home`` in ``year`` (``ApprovedRate``:
  annual, month and day rate), or ``None`` if the year has none. The rate in
  force is the approved one; while a rate is reopened, its last approved
  figures; before approval, a preliminary rate from the PL index step;
- ``approved_day_rates(year)``: {(home_id, package_id | None): day rate} for
  every approved rate of the year, in two queries.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, IntegerField, Q, Sum, Value
from django.db.models.functions import Coalesce, Greatest, Least

from botilbud.lib.history import pghistory_event_model
from botilbud.lib.money import ZERO, format_number, to_money
from botilbud.models import AccountGroup, Home, Municipality, User
from budget.models import ActualTotal, BudgetLine, GroupDefinition
from budget.rates.calc import LevelInput, LevelRate, RateResult, Regulation, compute_rate
from budget.rates.models import PRICING_STATUSES, PriceIndex, RateCalculation, RateLevel, RateSettings
from visitation.models import Offer, Placement
from visitation.occupancy import COUNTED_STATUSES, RESIDENTIAL_STEPS
from visitation.selectors import DaysBetween

MONEY = DecimalField(max_digits=16, decimal_places=2)


def group_labels() -> dict[str, str]:
    """Account group code → name of the groups budgets are kept in, from the chart of
    accounts' group data (``budget.GroupDefinition``, edited in the admin): the coarse
    groups that are a group of their own kind. A code the data lacks keeps its
    built-in label. One query."""

    defined = {
        code: name
        for code, name, kind in GroupDefinition.objects.filter(code__in=AccountGroup.values).values_list(
            "code", "name", "kind"
        )
        if code == kind
    }
    return {code: defined.get(code, label) for code, label in AccountGroup.choices}


def budgeted_costs(home_id: int, year: int, groups: list[str]) -> list[tuple[str, Decimal]]:
    """The corrected budget per counted account group (original + corrections), in one or two queries.

    Before year Y has a budget (next year's rate is computed in the autumn), the
    latest earlier year's corrected budget is used, indexed to Y's prices with the
    PL-skøn of the years in between, and the line says so."""

    def corrected(y: int) -> dict[str, Decimal]:
        return dict(
            BudgetLine.objects.filter(home_id=home_id, year=y, group__in=groups)
            .annotate(
                corrected=F("original") + Coalesce(Sum("corrections__amount"), Value(ZERO), output_field=MONEY),
            )
            .values_list("group", "corrected")
        )

    rows, source = corrected(year), year
    if not rows:
        earlier = (
            BudgetLine.objects.filter(home_id=home_id, year__lt=year, group__in=groups)
            .order_by("-year")
            .values_list("year", flat=True)
            .first()
        )
        if earlier is not None:
            rows, source = corrected(earlier), earlier
    labels = group_labels()
    if source == year:
        return [(f"Budget {source}: {labels.get(g, g)}", to_money(rows.get(g, ZERO))) for g in groups]
    # An earlier year's budget is in that year's prices: indexed to Y's with the PL of each
    # year after it (the product), when every one of those years has a PL-skøn.

    pcts = dict(PriceIndex.objects.filter(year__gt=source, year__lte=year).values_list("year", "pl_pct"))
    if len(pcts) == year - source:
        factor = Decimal(1)
        for y in range(source + 1, year + 1):
            factor *= 1 + pcts[y] / Decimal(100)
        shown = " × ".join(f"PL {y} {format_number(pcts[y], 2)} %" for y in range(source + 1, year + 1))
        note = f" × {shown} (budget {year} findes ikke endnu)"
    else:
        factor = Decimal(1)
        note = f" (budget {year} findes ikke endnu; ikke fremskrevet: PL-skøn mangler)"
    return [(f"Budget {source}: {labels.get(g, g)}{note}", to_money(rows.get(g, ZERO) * factor)) for g in groups]


def closed_year_actuals(home_id: int, year: int, cost_groups: list[str], income_groups: list[str]) -> dict[str, Any]:
    """A year's actual costs and income from the imported actuals, and how many months are in."""

    agg = ActualTotal.objects.filter(home_id=home_id, month__year=year).aggregate(
        costs=Coalesce(Sum("amount", filter=Q(group__in=cost_groups)), Value(ZERO), output_field=MONEY),
        income=Coalesce(Sum("amount", filter=Q(group__in=income_groups)), Value(ZERO), output_field=MONEY),
        months=Count("month", distinct=True),
    )
    return agg


def regulation_for(calc: RateCalculation, rules: RateSettings | None = None) -> Regulation:
    """Y−2's surplus or deficit: from its closed actuals (all 12 months imported),
    or the consultant's logged override.

    result = actual costs (counted groups) × (1 + overhead %) + capital costs − actual rate income.
    The limit's base is Y−2's cost base: its approved rate's total if there is
    one, otherwise its actual costs as computed here.
    """
    rules = rules or RateSettings.load()
    y2 = calc.year - 2
    previous = RateCalculation.objects.filter(home_id=calc.home_id, year=y2, status="godkendt").first()
    overhead_pct = previous.overhead_pct if previous else calc.overhead_pct
    capital = previous.capital_costs if previous else calc.capital_costs
    groups = list(previous.cost_groups if previous and previous.cost_groups else calc.cost_groups)
    agg = closed_year_actuals(calc.home_id, y2, groups, list(rules.income_groups))
    actual_costs = to_money(agg["costs"] * (1 + overhead_pct / Decimal(100)) + capital)
    booked = to_money(-agg["income"])
    closed = agg["months"] >= 12
    limit_base = Decimal(previous.approved_snapshot.get("total", actual_costs)) if previous else actual_costs
    frame = Home.objects.filter(pk=calc.home_id, financing=Home.Financing.FRAME).exists()
    own = own_citizen_income(calc.home_id, y2) if frame else None
    common = {
        "year": y2,
        "limit_pct": calc.regulation_limit_pct,
        "limit_base": to_money(limit_base),
        "actual_costs": actual_costs,
        "actual_income": booked + (own.income if own and own.income is not None else ZERO),
        "booked_income": booked,
        "own_days": own.days if own else 0,
        "own_income": own.income if own else None,
        "closed": closed,
        "months": agg["months"],
    }
    if calc.result_override is not None:
        return Regulation(result=calc.result_override, source="manuel", note=calc.override_reason, **common)
    if not closed:
        note = f"Regnskabet for {y2} er ikke afsluttet ({agg['months']} af 12 måneder indlæst): ingen regulering."
        return Regulation(result=ZERO, source="ingen", note=note, **common)
    if own is not None and own.income is None:
        note = (
            f"Botilbuddet er rammefinansieret, og der er ingen takst for {y2}: egne borgeres {format_number(own.days, 0)} døgn i "
            f"{y2} kan ikke prissættes, så årets over- eller underskud kan ikke opgøres: ingen regulering. "
            "Indtast resultatet manuelt, hvis det kendes."
        )
        return Regulation(result=ZERO, source="ingen", note=note, **common)
    return Regulation(result=actual_costs - common["actual_income"], source="regnskab", **common)


@dataclass(frozen=True)
class OwnCitizenIncome:
    days: int  # own citizens' resident-days in the home's residential places in the year
    income: Decimal | None  # those days × the year's day rate (per package); None: the year has no rate


def own_citizen_income(home_id: int, year: int) -> OwnCitizenIncome:
    """A frame-funded home's own citizens are paid for by its frame, not by booked
    rate income: for the surplus or deficit their resident-days in ``year`` count at
    that year's rate in force (a package's level rate, else the home's default rate).
    Two to three queries."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    overlap = DaysBetween(
        Least(Coalesce("end_date", Value(last)), Value(last)), Greatest("start_date", Value(first))
    ) + Value(1)
    rows = (
        Placement.objects.filter(
            offer__home_id=home_id,
            offer__paragraph__ladder_step__in=RESIDENTIAL_STEPS,
            status__in=COUNTED_STATUSES,
            paying_municipality_id=Municipality.own_code(),
            start_date__lte=last,
        )
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values("package_id")
        .annotate(days=Sum(overlap, output_field=IntegerField()))
        .order_by()
    )
    days = {r["package_id"]: r["days"] or 0 for r in rows}
    total_days = sum(days.values())
    rates = {pkg: day for (_, pkg), day in approved_day_rates(year, home_id).items()}
    default = rates.get(None)
    if default is None:
        return OwnCitizenIncome(total_days, None if total_days else ZERO)
    income = sum((Decimal(d) * rates.get(pkg, default) for pkg, d in days.items()), ZERO)
    return OwnCitizenIncome(total_days, to_money(income))


def rate_for(calc: RateCalculation, rules: RateSettings | None = None) -> RateResult:
    """The calculation line by line. Raises ``calc.RateError`` on impossible inputs."""
    levels = [LevelInput(lv.name, lv.weight, lv.places) for lv in calc.levels.all()] if calc.pk else []
    return compute_rate(
        year=calc.year,
        cost_lines=budgeted_costs(calc.home_id, calc.year, list(calc.cost_groups)),
        overhead_pct=calc.overhead_pct,
        capital_costs=calc.capital_costs,
        regulation=regulation_for(calc, rules),
        places=calc.places,
        occupancy_pct=calc.occupancy_pct,
        levels=levels,
    )


def result_from_snapshot(snap: dict[str, Any]) -> RateResult:
    """The approved calculation exactly as it was approved (later budget changes do not move it)."""
    D = Decimal
    reg = snap["regulation"]
    regulation = Regulation(
        year=reg["year"],
        result=D(reg["result"]),
        limit_pct=D(reg["limit_pct"]),
        limit_base=D(reg["limit_base"]),
        source=reg["source"],
        actual_costs=D(reg["actual_costs"]),
        actual_income=D(reg["actual_income"]),
        booked_income=D(reg.get("booked_income", reg["actual_income"])),  # older snapshots: booked only
        own_days=reg.get("own_days", 0),
        own_income=None if reg.get("own_income") is None else D(reg["own_income"]),
        closed=reg["closed"],
        months=reg["months"],
        note=reg["note"],
    )
    return RateResult(
        year=regulation.year + 2,
        cost_lines=[(label, D(amount)) for label, amount in snap["cost_lines"]],
        cost_base=D(snap["cost_base"]),
        overhead_pct=D(snap["overhead_pct"]),
        overhead=D(snap["overhead"]),
        capital_costs=D(snap["capital_costs"]),
        regulation=regulation,
        total=D(snap["total"]),
        places=snap["places"],
        occupancy_pct=D(snap["occupancy_pct"]),
        billable_places=D(snap["billable_places"]),
        days=snap["days"],
        annual=D(snap["annual"]),
        month=D(snap["month"]),
        day=D(snap["day"]),
        weighted_mean=D(snap["weighted_mean"]),
        levels=[
            LevelRate(name, D(w), D(places), D(annual), D(month), D(day))
            for name, w, places, annual, month, day in snap["levels"]
        ],
    )


def calculation_result(calc: RateCalculation) -> RateResult:
    """What the page shows: the frozen approved calculation, or the draft computed now."""
    if calc.is_approved and calc.approved_snapshot:
        return result_from_snapshot(calc.approved_snapshot)
    return rate_for(calc)


def new_calculation(home: Home, year: int) -> RateCalculation:
    """An unsaved draft with the agreement's defaults and the home's places and occupancy."""
    return new_calculations([home], year)[0]


def new_calculations(homes: list[Home], year: int) -> list[RateCalculation]:
    """``new_calculation`` for each of ``homes``, in two queries."""
    rules = RateSettings.load()
    previous: dict[int, Decimal] = {}
    for home_id, capital in (
        RateCalculation.objects.filter(home__in=homes, year__lt=year)
        .order_by("home_id", "-year", "pk")
        .values_list("home_id", "capital_costs")
    ):
        previous.setdefault(home_id, capital)
    return [
        RateCalculation(
            home=home,
            year=year,
            places=home.capacity,
            occupancy_pct=home.budgeted_occupancy,
            overhead_pct=rules.overhead_pct,
            capital_costs=previous.get(home.pk, ZERO),
            regulation_limit_pct=rules.regulation_limit_pct,
            cost_groups=list(rules.cost_groups),
        )
        for home in homes
    ]


@dataclass(frozen=True)
class ApprovedRate:
    home_id: int
    year: int
    level: str
    annual: Decimal
    month: Decimal
    day: Decimal


def _level_for(levels: list[RateLevel], package_id: int | None) -> RateLevel | None:
    for lv in levels:
        if package_id is not None and any(p.pk == package_id for p in lv.packages.all()):
            return lv
    defaults = [lv for lv in levels if not lv.packages.all()]
    return defaults[0] if defaults else None


def approved_rate(home: Home | int, year: int, package: Any = None) -> ApprovedRate | None:
    """The approved rate for a placement with ``package`` (a SupportPackage, its id or None)."""
    home_id = home if isinstance(home, int) else home.pk
    package_id = package if isinstance(package, int) or package is None else package.pk
    return rate_in_force(calculations_in_force(year, [home_id]).get(home_id), package_id)


def calculations_in_force(year: int, home_ids: list[int]) -> dict[int, RateCalculation]:
    """{home_id: the year's calculation that prices its placements}, with its levels and
    their packages (three queries), for ``rate_in_force``."""
    result: dict[int, RateCalculation] = {}
    for calc in RateCalculation.objects.filter(
        home_id__in=home_ids, year=year, status__in=PRICING_STATUSES
    ).prefetch_related("levels__packages"):
        result.setdefault(calc.home_id, calc)
    return result


def rate_in_force(calc: RateCalculation | None, package_id: int | None) -> ApprovedRate | None:
    """``approved_rate`` from a calculation of ``calculations_in_force`` (no queries)."""
    if calc is None:
        return None
    levels = list(calc.levels.all())
    level = _level_for(levels, package_id) if levels else None
    if level is None or level.approved_annual is None:
        annual, day, name = calc.approved_annual, calc.approved_day, "Alle pladser"
    else:
        annual, day, name = level.approved_annual, level.approved_day, level.name
    if annual is None or day is None:
        return None
    return ApprovedRate(calc.home_id, calc.year, name, annual, to_money(annual / 12), day)


def approved_day_rates(year: int, home_id: int | None = None) -> dict[tuple[int, int | None], Decimal]:
    """{(home_id, package_id): day rate} plus {(home_id, None): the default day rate} for the year
    (every home's, or only ``home_id``'s)."""
    result: dict[tuple[int, int | None], Decimal] = {}
    calcs = RateCalculation.objects.filter(year=year, status__in=PRICING_STATUSES)
    if home_id is not None:
        calcs = calcs.filter(home_id=home_id)
    calcs = calcs.prefetch_related("levels__packages").only("pk", "home_id", "approved_day")
    for calc in calcs:
        levels = list(calc.levels.all())
        default = next((lv for lv in levels if not lv.packages.all()), None)
        if calc.approved_day is not None:
            result[(calc.home_id, None)] = (
                default.approved_day if default and default.approved_day else calc.approved_day
            )
        for lv in levels:
            for p in lv.packages.all():
                if lv.approved_day is not None:
                    result[(calc.home_id, p.pk)] = lv.approved_day
    return result


def approvals(calc: RateCalculation) -> list[dict[str, Any]]:
    """The calculation's approvals and reopenings, oldest first, from its audit trail
    (pghistory): an approved version stays here after it is reopened. Two queries."""

    events = (
        pghistory_event_model(RateCalculation)
        ._default_manager.filter(pgh_obj_id=calc.pk, status__in=["godkendt", "genaabnet"])
        .order_by("pgh_created_at", "pgh_id")
        .values(
            "status",
            "approved_at",
            "approved_by_id",
            "approved_annual",
            "approved_day",
            "reopened_at",
            "reopened_by_id",
            "reopen_reason",
        )
    )
    seen: set[tuple[Any, Any]] = set()
    rows = []
    for e in events:
        when = e["approved_at"] if e["status"] == "godkendt" else e["reopened_at"]
        key = (e["status"], when)
        if when is None or key in seen:
            continue
        seen.add(key)
        rows.append(
            {**e, "when": when, "by_id": e["approved_by_id"] if e["status"] == "godkendt" else e["reopened_by_id"]}
        )
    names = {u.pk: str(u) for u in User.objects.filter(pk__in={r["by_id"] for r in rows if r["by_id"]})}
    for r in rows:
        r["by"] = names.get(r["by_id"], "")
    return rows


# --- Pages ------------------------------------------------------------------------------


def overview_rows(user: User, year: int) -> list[dict[str, Any]]:
    """The active homes ``user`` sees, by name, each with its calculation of ``year`` (or None)."""
    homes = list(Home.objects.visible_to(user).filter(is_active=True).order_by("name"))
    calcs = {c.home_id: c for c in RateCalculation.objects.filter(year=year, home__in=[h.pk for h in homes])}
    return [{"home": h, "calc": calcs.get(h.pk)} for h in homes]


@dataclass(frozen=True)
class PublishedRate:
    home: str
    offer: str
    paragraph: str
    level: str
    day: Decimal | None
    annual: Decimal | None  # set on an approved calculation and level
    approved_on: dt.date | None


def published_rates(user: User, year: int) -> list[PublishedRate]:
    """The approved rates of ``year`` per active offer and support level (a home without
    levels: one row "Alle pladser"), for the homes ``user`` sees (three queries)."""
    homes = Home.objects.visible_to(user)
    calcs = {
        c.home_id: c
        for c in RateCalculation.objects.filter(year=year, status=RateCalculation.Status.APPROVED, home__in=homes)
        .select_related("home")
        .prefetch_related("levels")
    }
    offers = (
        Offer.objects.filter(home_id__in=list(calcs), is_active=True)
        .select_related("paragraph", "home")
        .order_by("home__name", "paragraph__ladder_step", "name")
    )
    out: list[PublishedRate] = []
    for offer in offers:
        calc = calcs[offer.home_id or 0]  # offers of the homes with a calculation: never without a home
        levels = [lv for lv in calc.levels.all() if lv.approved_annual is not None]
        rows = [(lv.name, lv.approved_day, lv.approved_annual) for lv in levels] or [
            ("Alle pladser", calc.approved_day, calc.approved_annual)
        ]
        approved_on = calc.approved_at.date() if calc.approved_at else None
        for name, day, annual in rows:
            out.append(
                PublishedRate(
                    home=calc.home.name,  # the offer's home (same id)
                    offer=offer.name,
                    paragraph=offer.paragraph.code,
                    level=name,
                    day=day,
                    annual=annual,
                    approved_on=approved_on,
                )
            )
    return out
