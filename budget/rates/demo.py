"""Demo data for rates, settlement and refusion (a ``seed_demo`` step after the budget):

- the homes that sell places get this year's rate computed from their budget
  and approved by their consultant; their sold places are priced at it;
- this year's past months' statements are sent (for the first homes);
- a few own citizens are very expensive, so some pass the refusion
  thresholds; citizens get a birth year (some 67 or older).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db.models import Prefetch, Q
from django.utils import timezone

from botilbud.demo import DemoContext
from botilbud.lib.bulk import update_rows
from botilbud.lib.money import ZERO
from botilbud.models import Home, Municipality, User
from botilbud.permissions import can
from budget.demo import DEMO_CAPITAL_PER_PLACE
from budget.rates import sales, settlement
from budget.rates.calc import RateError
from budget.rates.models import PRICING_STATUSES, RateCalculation, RateLevel, Statement, StatementLine
from budget.rates.selectors import calculations_in_force, new_calculations, rate_for, rate_in_force
from budget.rates.services import snapshot
from disponering import services as ledger
from disponering.models import LedgerEntry
from disponering.services import horizon_end
from visitation.models import Citizen, Placement, PlacementChange, SupportPackage

STATEMENT_HOMES = 3


def _approve_rates(homes: list[Home], year: int, heavy: list[int], approvers: dict[int, User | None]) -> list[Home]:
    """Each home's rate for ``year`` computed from its budget and approved by its
    consultant, with the rows (and audit events) that ``new_calculation``, two
    ``RateLevel``s, ``services.approve`` would write one home at a time, but in a
    few set-based statements. The sales' ledger entries follow in ``_price_sales``.
    Returns the homes whose rate was approved (a home whose rate cannot be
    computed, e.g. without places, keeps its draft)."""
    calcs = new_calculations(homes, year)
    for calc, home in zip(calcs, homes, strict=True):
        calc.capital_costs = DEMO_CAPITAL_PER_PLACE * max(home.capacity, 1)
    RateCalculation.objects.bulk_create(calcs)
    levels, strong = [], []
    for calc, home in zip(calcs, homes, strict=True):
        places = Decimal(home.capacity)
        levels.append(
            RateLevel(
                calculation=calc, name="Niveau 1", weight=Decimal("1"), places=places * Decimal("0.6"), sort_order=1
            )
        )
        levels.append(
            RateLevel(
                calculation=calc,
                name="Niveau 2 (døgn)",
                weight=Decimal("1.5"),
                places=places * Decimal("0.4"),
                sort_order=2,
            )
        )
        strong.append(levels[-1])
    RateLevel.objects.bulk_create(levels)
    # ``strong.packages.set(heavy)`` adds the packages in the order of Django's set of ids.
    Through = RateLevel.packages.through
    Through.objects.bulk_create(
        [Through(ratelevel_id=level.pk, supportpackage_id=pk) for level in strong for pk in _added(heavy)]
    )
    # Approve as ``services.approve`` does, from the rows as stored (decimals as the columns keep them).
    now = timezone.now()
    stored = list(
        RateCalculation.objects.filter(pk__in=[c.pk for c in calcs]).order_by("pk").prefetch_related("levels")
    )
    by_home = {h.pk: h for h in homes}
    approved_calcs, approved_levels, approved_homes = [], [], []
    for calc in stored:
        home, user = by_home[calc.home_id], approvers.get(calc.home_id)
        if user is None or not can(user, "rates.approve", home):
            continue
        try:
            result = rate_for(calc)
        except RateError:  # e.g. no places: the draft stays
            continue
        calc.status = RateCalculation.Status.APPROVED
        calc.approved_by = user
        calc.approved_at = now
        calc.approved_annual = result.annual
        calc.approved_day = result.day
        calc.approved_snapshot = snapshot(result)
        calc.reopened_by, calc.reopened_at, calc.reopen_reason = None, None, ""
        calc.updated_by = user
        calc.updated_at = now
        calc.version += 1
        approved_calcs.append(calc)
        by_name = {lv.name: lv for lv in result.levels}
        for level in calc.levels.all():
            rate = by_name.get(level.name)
            if rate is not None:
                level.approved_annual, level.approved_day = rate.annual, rate.day
                level.version += 1
                approved_levels.append(level)
        approved_homes.append(home)
    update_rows(
        RateCalculation,
        approved_calcs,
        [
            "status",
            "approved_by",
            "approved_at",
            "approved_annual",
            "approved_day",
            "approved_snapshot",
            "reopened_by",
            "reopened_at",
            "reopen_reason",
            "updated_by",
            "updated_at",
            "version",
        ],
    )
    update_rows(RateLevel, approved_levels, ["approved_annual", "approved_day", "version"])
    return approved_homes


def _added(ids: list[int]) -> set[int]:
    """The ids in the order ``ManyRelatedManager.add`` inserts them (a set, minus those present: none)."""
    targets: set[int] = set()
    for pk in ids:
        targets.add(pk)
    return targets.difference([])


def _home_id(placement: Placement) -> int:
    """The own home a sold place is in (sales are of the homes' own offers)."""
    home_id = placement.offer.home_id
    assert home_id is not None
    return home_id


def _price_sales(homes: list[Home], year: int) -> None:
    """The ledger entries ``services.approve`` makes for the homes' sales running in
    ``year`` (``sales.refresh_home_sales``): one entry per sale and year with a rate,
    priced by the same functions, written in two statements. Sales that already have
    entries go the one-by-one way (the demo has none)."""
    first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
    home_order = {h.pk: i for i, h in enumerate(homes)}
    placements = sorted(
        Placement.objects.sales()
        .filter(offer__home__in=homes, status__in=["godkendt", "aktiv", "ophoert"], start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .select_related("offer__home", "citizen", "paying_municipality")
        .prefetch_related(
            Prefetch("changes", queryset=PlacementChange.objects.filter(kind="pakke").order_by("effective_date", "pk"))
        ),
        key=lambda p: home_order[_home_id(p)],  # stable: each home's in the model's order
    )
    with_entries = set(
        LedgerEntry.objects.filter(
            placement__in=placements, generated=True, generated_key__startswith="salg"
        ).values_list("placement_id", flat=True)
    )
    if with_entries:
        for home in homes:
            sales.refresh_home_sales(home.pk, year)
        return
    rate_years: dict[int, set[int]] = {}
    for home_id, y in (
        RateCalculation.objects.filter(home__in=homes, status__in=PRICING_STATUSES)
        .exclude(approved_day=None)
        .values_list("home_id", "year")
    ):
        rate_years.setdefault(home_id, set()).add(y)
    rates: dict[int, dict[tuple[int, int | None], tuple[Decimal, str]]] = {}
    specs = []
    for p in placements:
        horizon = horizon_end(p.start_date, p.end_date)
        changes = list(p.changes.all())
        for y in sorted(y for y in rate_years.get(_home_id(p), ()) if p.start_date.year <= y <= horizon.year):
            if y not in rates:
                rates[y] = sales.day_rates(y)
            months = sales.year_months(p, y, rates=rates[y], changes=changes)
            if months is not None:
                specs.append(sales.new_entry(p, y, months))
    ledger.entries_create(specs)


def _send_statements(home_ids: list[int], months: list[dt.date], senders: dict[int, User | None]) -> int:
    """Send each month's statements in turn, as ``settlement.send`` would from the
    overview (``settlement.overview``'s order, a statement per home and paying
    municipality with income), in two INSERTs. Each statement's lines are its
    month's ``lines_by_pair``. Nothing changes between these sends, so none carries
    corrections: ``correction_lines`` finds every earlier month billed as it is now."""
    rates = settlement.RatesByYear()
    statements, lines = [], []
    homes = dict(Home.objects.filter(pk__in=home_ids).values_list("pk", "name"))
    names = dict(Municipality.objects.values_list("pk", "name"))
    for month in months:
        live = settlement.lines_by_pair(home_ids, month, rates=rates)
        for home_id, code in sorted(live, key=lambda p: (homes[p[0]], names[p[1]])):
            month_lines = live[(home_id, code)]
            total = sum((ln.amount for ln in month_lines), ZERO)
            if not total:
                continue
            statement = Statement(
                home_id=home_id, municipality_id=code, month=month, total=total, sent_by=senders[home_id]
            )
            statements.append(statement)
            lines += [(statement, ln) for ln in month_lines]
    Statement.objects.bulk_create(statements)
    StatementLine.objects.bulk_create(
        [
            StatementLine(
                statement=statement,
                placement_id=ln.placement_id,
                kind=ln.kind,
                corrects_month=ln.corrects_month,
                case_number=ln.case_number,
                initials=ln.initials,
                level=ln.level,
                period_start=ln.period_start,
                period_end=ln.period_end,
                days=ln.days,
                day_rate=ln.day_rate,
                amount=ln.amount,
            )
            for statement, ln in lines
        ]
    )
    return len(statements)


def seed(ctx: DemoContext) -> None:
    year = ctx.today.year
    admin = ctx.users.get("admin")
    sale_homes = list(Home.objects.filter(pk__in=Placement.objects.sales().values("offer__home_id")).order_by("pk"))
    heavy = list(SupportPackage.objects.filter(weekly_hours__gte=15).values_list("pk", flat=True))
    # The consultant who approves: the home's first (``home.consultants.first()``: by pk), else the admin.
    senders: dict[int, User | None] = {}
    users = {u.pk: u for u in User.objects.filter(consulted_homes__in=sale_homes)}
    for home_id, user_id in (
        Home.consultants.through.objects.filter(home__in=sale_homes)
        .order_by("user_id")
        .values_list("home_id", "user_id")
    ):
        senders.setdefault(home_id, users[user_id])
    approved_homes = _approve_rates(sale_homes, year, heavy, {h.pk: senders.get(h.pk) or admin for h in sale_homes})
    approved = len(approved_homes)
    _price_sales(approved_homes, year)
    # Sold places are priced at the approved rate of their level: one look-up of
    # the year's calculations, one UPDATE for all.
    in_force = calculations_in_force(year, [h.pk for h in sale_homes])
    repriced_placements = []
    for p in Placement.objects.sales().filter(offer__home__in=sale_homes).select_related("offer"):
        rate = rate_in_force(in_force.get(_home_id(p)), p.package_id)
        if rate is not None and p.annual_price != rate.annual:
            p.annual_price = rate.annual
            repriced_placements.append(p)
    update_rows(Placement, repriced_placements, ["annual_price"])
    repriced = len(repriced_placements)
    # This year's past months are settled for the first homes.
    home_ids = [h.pk for h in sale_homes[:STATEMENT_HOMES]]
    sent = _send_statements(
        home_ids,
        [dt.date(year, m, 1) for m in range(1, ctx.today.month)],
        {h: senders.get(h) or admin for h in home_ids},
    )
    # Birth years (no CPR) and a few very expensive own citizens.
    rng = ctx.rng
    citizens = list(Citizen.objects.all().only("pk"))
    for c in citizens:
        c.birth_year = rng.randint(1955, 2005)
    update_rows(Citizen, citizens, ["birth_year"])
    expensive = list(
        Placement.objects.own_citizens()
        .filter(offer__home__isnull=True, status="aktiv", start_date__lt=dt.date(year, 1, 1))
        .order_by("-annual_price", "pk")[:8]
    )
    prices = [
        Decimal(v) for v in ("2650000", "2300000", "1900000", "1600000", "1450000", "1250000", "1120000", "1090000")
    ]
    for p, price in zip(expensive, prices, strict=False):
        Placement.objects.filter(pk=p.pk).update(annual_price=price)
    if expensive:
        Citizen.objects.filter(pk=expensive[2].citizen_id).update(birth_year=year - 70)  # over the age limit
    ctx.log.append(
        f"{approved} godkendte takster {year}, {repriced} salg prissat til takst, {sent} sendte afregninger, "
        f"{len(expensive)} dyre enkeltsager; købere: "
        + ", ".join(
            Municipality.objects.filter(pk__in=Placement.objects.sales().values("paying_municipality")).values_list(
                "name", flat=True
            )
        )
    )
