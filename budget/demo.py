"""Demo data for the budget app: budgets and five years of monthly actuals.

Budgets per home × account group × year scale with the home's places; wages
carry a monthly profile with holiday pay in May and temps in the summer.
Actuals follow the profile with noise and a per-home tendency to over- or
underspend, so the forecasts show deviations. Rows go in with COPY
(``large`` ≈ 1,000,000 rows).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone

from botilbud.lib.dates import days_in_year
from botilbud.lib.money import to_money
from botilbud.models import AccountGroup, Home, HourPrice, Municipality
from budget import yearend
from budget.chart import ensure_default_accounts
from budget.models import (
    ActualsImport,
    Baseline,
    BaselineLine,
    BudgetCorrection,
    BudgetLine,
    CorrectionKind,
    CorrectionStatus,
    YearEnd,
)
from budget.nextyear import calc
from budget.nextyear.selectors import RESIDENT_STATUSES
from visitation.models import Placement
from visitation.occupancy import RESIDENTIAL_STEPS

# Rows per home and month (postings) by scale: large gives ≈ 1,000,000 rows.
ROWS_PER_MONTH = {"small": 24, "medium": 48, "large": 118}

FUNCTION_BY_KIND = {"§108": "5.38.50", "§107": "5.38.52", "§85": "5.38.53", "§105+§85": "5.38.53"}
WAGE_ARTS = [("1.10", "Fast løn"), ("1.20", "Timeløn og vikarer"), ("1.51", "Pension")]
OPERATION_ARTS = [("2.21", "Fødevarer"), ("2.29", "Øvrige varer"), ("4.00", "Tjenesteydelser"), ("4.05", "Vikarbureau")]
INCOME_ARTS = [("7.71", "Salg til andre kommuner"), ("7.72", "Betaling fra beboere")]

# Wages: holiday pay (ferietillæg) in May, more temps June–August.
WAGE_PROFILE = [Decimal(w) for w in ("1", "1", "1", "1", "1.45", "1.08", "1.15", "1.08", "1", "1", "1", "1.05")]
OPERATIONS_PROFILE = [Decimal(w) for w in ("1", "1", "1", "1", "1", "1", "0.9", "1", "1", "1", "1", "1.1")]


def _budget_amounts(  # noqa: ANN001
    rng, home: Home, kind: str, activity: Decimal | None = None, sold_share: Decimal = Decimal(0)
) -> dict[str, Decimal]:
    """This year's budget per group. An activity-funded home's income is what the
    allocation model pays for its residents and outreach clients (``activity``, see
    ``activity_values``), and its costs are that give or take 3 %: the hour prices
    are set to cover the home, as a municipality sets them. A frame-funded home's
    costs scale with its places; its income is the sale of its sold share of the
    residents (``sold_shares``) at the rate, else other income (residents' payments)."""
    places = Decimal(home.capacity)
    if home.financing == Home.Financing.ACTIVITY and activity:
        costs = activity * Decimal(rng.randint(97, 103)) / 100
        operations = costs * Decimal(rng.randint(8, 13)) / 100
        wages = costs - operations
        income = -activity
    else:
        wages = places * Decimal(rng.randint(560_000, 720_000))
        operations = places * Decimal(rng.randint(55_000, 95_000))
        if home.financing == Home.Financing.ACTIVITY:
            income = -(wages + operations) * Decimal(rng.randint(95, 103)) / 100
        elif sold_share:
            # The sold places at the rate the rates step will compute from this budget
            # (costs + 3 % overhead + capital costs, shared over the budgeted places).
            income = -sold_share * ((wages + operations) * DEMO_OVERHEAD + places * DEMO_CAPITAL_PER_PLACE)
        else:
            income = -places * Decimal(rng.randint(60_000, 180_000))
    return {
        AccountGroup.WAGES.value: to_money(wages),
        AccountGroup.OPERATIONS.value: to_money(operations),
        AccountGroup.INCOME.value: to_money(income),
    }


DEMO_OVERHEAD = Decimal("1.03")  # the rates step's overhead (RateSettings' default 3 %)
DEMO_CAPITAL_PER_PLACE = Decimal(40_000)  # the capital costs the rates step enters


def sold_shares(homes: list[Home], year: int) -> dict[int, Decimal]:
    """Per frame-funded home, the share of its residents on 1 January ``year`` whom
    another municipality pays for (one query)."""
    frame = [h for h in homes if h.financing == Home.Financing.FRAME]
    first = dt.date(year, 1, 1)
    rows = (
        Placement.objects.filter(
            offer__home__in=frame,
            offer__paragraph__ladder_step__in=RESIDENTIAL_STEPS,
            status__in=RESIDENT_STATUSES,
            start_date__lte=first,
        )
        .exclude(end_date__lt=first)
        .values("offer__home_id")
        .annotate(n=Count("pk"), sold=Count("pk", filter=~Q(paying_municipality_id=Municipality.own_code())))
        .order_by()
    )
    return {r["offer__home_id"]: Decimal(r["sold"]) / r["n"] for r in rows if r["sold"]}


def activity_values(homes: list[Home], year: int) -> dict[int, Decimal]:
    """Per activity-funded home, ``year``'s activity at its hour price, by the allocation
    model (``budget.nextyear.calc``) on the placements running on 1 January (own and
    sold alike): budgeted places shared out by the residents' packages × weekly hours ×
    hour price × days ÷ 7, plus each outreach client's hours. A home with no placements
    on 1 January (the demo's first years start empty) takes the first later year's mix.
    Two queries."""
    activity = [h for h in homes if h.financing == Home.Financing.ACTIVITY]
    prices = dict(HourPrice.objects.filter(home__in=activity, year=year).values_list("home_id", "hour_price"))
    mixes: dict[int, tuple[list[calc.PackageMix], Decimal]] = {}
    for y in range(year, year + 6):
        first = dt.date(y, 1, 1)
        rows = (
            Placement.objects.filter(
                offer__home__in=[h for h in activity if h.pk not in mixes],
                status__in=RESIDENT_STATUSES,
                start_date__lte=first,
            )
            .exclude(end_date__lt=first)
            .values("offer__home_id", "package__weekly_hours", "offer__paragraph__ladder_step")
            .annotate(n=Count("pk"))
            .order_by("offer__home_id", "package__weekly_hours")
        )
        found: dict[int, tuple[list[calc.PackageMix], Decimal]] = {}
        for r in rows:
            hours = r["package__weekly_hours"] or Decimal(0)
            mix, outreach = found.get(r["offer__home_id"], ([], Decimal(0)))
            if r["offer__paragraph__ladder_step"] in RESIDENTIAL_STEPS:
                mix.append(calc.PackageMix(str(hours), hours, r["n"], 0))
            else:
                outreach += hours * r["n"]
            found[r["offer__home_id"]] = (mix, outreach)
        mixes.update(found)
        if len(mixes) == len(activity):
            break
    days = days_in_year(year)
    result = {}
    for home in activity:
        price = prices.get(home.pk)
        if price is None or home.pk not in mixes:
            continue
        mix, outreach_hours = mixes[home.pk]
        shares = (
            calc.allocation_shares(
                places=home.capacity, occupancy_pct=home.budgeted_occupancy, mix=mix, hour_price=price, days=days
            )
            if mix
            else []
        )
        value = sum((s.amount for s in shares), Decimal(0))
        value += calc.outreach_income(weekly_hours=outreach_hours, hour_price=price, days=days)
        result[home.pk] = to_money(value)
    return result


def seed_budget(ctx) -> None:  # noqa: ANN001
    ensure_default_accounts()
    rng = ctx.rng
    homes: list[Home] = list(ctx.homes)
    years: list[int] = list(ctx.years)
    consultant = ctx.users.get("konsulent")
    lines: list[BudgetLine] = []
    base: dict[int, dict[str, Decimal]] = {}
    tendency: dict[int, Decimal] = {}
    activity = activity_values(homes, ctx.today.year)
    sold = sold_shares(homes, ctx.today.year)
    for home in homes:
        kind = getattr(home, "_kind", "§108")
        base[home.pk] = _budget_amounts(rng, home, kind, activity.get(home.pk), sold.get(home.pk, Decimal(0)))
        tendency[home.pk] = Decimal(rng.randint(960, 1060)) / 1000
        for index, year in enumerate(years):
            growth = Decimal("1.025") ** (index - len(years) + 1)
            for group, amount in base[home.pk].items():
                lines.append(
                    BudgetLine(
                        home=home,
                        year=year,
                        group=group,
                        original=to_money(amount * growth),
                        profile=WAGE_PROFILE
                        if group == AccountGroup.WAGES.value
                        else OPERATIONS_PROFILE
                        if group == AccountGroup.OPERATIONS.value
                        else [],
                    )
                )
    BudgetLine.objects.bulk_create(lines, batch_size=2000)
    # A few corrections in the current year: tillægsbevillinger the department head approved,
    # one waiting for approval, and a technical correction.
    if consultant:
        _seed_corrections(ctx, lines, consultant)
    rows = _write_actuals(ctx, homes, years, base, tendency)
    seed_baselines(ctx)
    rows_text = f"{rows:,}".replace(",", ".")
    ctx.log.append(f"budget: {len(lines)} budgetlinjer, {rows_text} forbrugsposteringer")


def _seed_corrections(ctx, lines: list[BudgetLine], consultant) -> None:  # noqa: ANN001
    head = ctx.users.get("fagchef") or consultant
    year = ctx.today.year
    wages = [line for line in lines if line.year == year and line.group == AccountGroup.WAGES.value]
    operations = [line for line in lines if line.year == year and line.group == AccountGroup.OPERATIONS.value]
    approved_at = timezone.make_aware(dt.datetime(year, 3, 20, 10, 0))
    rows = [
        BudgetCorrection(
            line=line,
            kind=CorrectionKind.SUPPLEMENTARY,
            status=CorrectionStatus.APPROVED,
            date=dt.date(year, 3, 15),
            amount=to_money(line.original * Decimal("0.015")),
            reason="Overenskomstmæssig lønstigning",
            council_decision="Byrådet, møde 12-03, punkt 7",
            council_date=dt.date(year, 3, 12),
            created_by=consultant,
            decided_by=head,
            decided_at=approved_at,
        )
        for line in wages[: max(3, len(homes_of(lines)) // 4)]
    ]
    if operations:
        rows.append(
            BudgetCorrection(
                line=operations[0],
                kind=CorrectionKind.TECHNICAL,
                date=dt.date(year, 2, 1),
                amount=Decimal("-10000.00"),
                reason="Husleje bogført dobbelt i budgetfilen",
                created_by=consultant,
                decided_by=consultant,
                decided_at=approved_at,
            )
        )
        rows.append(
            BudgetCorrection(
                line=operations[min(1, len(operations) - 1)],
                kind=CorrectionKind.SUPPLEMENTARY,
                status=CorrectionStatus.PROPOSED,
                date=dt.date(year, ctx.today.month, 1),
                amount=Decimal("75000.00"),
                reason="Ekstra nattevagt efter tilsynets påbud",
                council_decision="Byrådet, ekstraordinært møde, punkt 3",
                council_date=dt.date(year, ctx.today.month, 1),
                created_by=consultant,
            )
        )
    BudgetCorrection.objects.bulk_create(rows)


def homes_of(lines: list[BudgetLine]) -> set[int]:
    return {line.home_id for line in lines}


def _write_actuals(ctx, homes, years, base, tendency) -> int:  # noqa: ANN001
    rng = ctx.rng
    per_month = ROWS_PER_MONTH.get(ctx.scale, 24)
    last_month = dt.date(ctx.today.year, ctx.today.month, 1)  # actuals through the previous month
    batch = ActualsImport.objects.create(
        file_name="Demo: historisk forbrug", status=ActualsImport.Status.DONE, applied_at=None
    )
    wage_total = sum(WAGE_PROFILE)
    ops_total = sum(OPERATIONS_PROFILE)
    n_wage = max(1, per_month * 60 // 100)
    n_ops = max(1, per_month * 33 // 100)
    n_income = max(1, per_month - n_wage - n_ops)
    count = 0
    # Random demo amounts only: floats make the noise, and each amount is
    # written as exact two-decimal text into a NUMERIC column. No money is
    # ever computed in floating point by the application itself.
    # The rows are streamed into COPY as they are made (about a megabyte at a
    # time), so PostgreSQL parses one chunk while Python makes the next.
    rows: list[str] = []
    totals: list[tuple[int, str, str, Decimal, int]] = []
    random = rng.random
    with connection.cursor() as cursor:
        with cursor.cursor.copy(
            'COPY budget_actual (home_id, cost_centre, month, "group", function_code, dranst, art_code, account, '
            "posting_date, amount, text, batch_id) FROM STDIN"
        ) as copy:
            for home in homes:
                function = FUNCTION_BY_KIND.get(getattr(home, "_kind", "§108"), "5.38.50")
                lean = float(tendency[home.pk])
                for index, year in enumerate(years):
                    growth = float(Decimal("1.025") ** (index - len(years) + 1))
                    for month in range(1, 13):
                        first = dt.date(year, month, 1)
                        if first >= last_month:
                            break
                        noise = rng.uniform(0.97, 1.03) * lean
                        wages = (
                            float(base[home.pk]["loen"]) * growth * float(WAGE_PROFILE[month - 1] / wage_total) * noise
                        )
                        ops = (
                            float(base[home.pk]["drift"])
                            * growth
                            * float(OPERATIONS_PROFILE[month - 1] / ops_total)
                            * rng.uniform(0.85, 1.15)
                        )
                        income = float(base[home.pk]["indtaegt"]) * growth / 12 * rng.uniform(0.96, 1.03)
                        month_text = f"{year}-{month:02d}-01"
                        for group, total, n, arts in (
                            ("loen", wages, n_wage, WAGE_ARTS),
                            ("drift", ops, n_ops, OPERATION_ARTS),
                            ("indtaegt", income, n_income, INCOME_ARTS),
                        ):
                            weights = [random() + 0.2 for _ in range(n)]
                            scale = total / sum(weights)
                            head = f"{home.pk}\t{home.cost_centre}\t{month_text}\t{group}\t{function}\t1\t"
                            posted = f"{year}-{month:02d}-"
                            tail = f"\t{batch.pk}\n"
                            n_arts = len(arts)
                            cents = 0
                            for w in weights:
                                art, text = arts[int(random() * n_arts)]
                                day = 1 + int(random() * 28)
                                amount = f"{w * scale:.2f}"
                                cents += int(amount.replace(".", ""))
                                rows.append(
                                    f"{head}{art}\t{function}.1.{art}\t{posted}{day:02d}\t{amount}\t{text}{tail}"
                                )
                            totals.append((home.pk, month_text, group, Decimal(cents) / 100, n))
                            count += n
                    if len(rows) >= 10_000:
                        copy.write("".join(rows))
                        rows.clear()
            copy.write("".join(rows))
        # The rows' sums per home, month and group (what the import keeps in
        # ActualTotal), added up exactly in cents as the rows were written:
        # no second pass over a million rows.
        with cursor.cursor.copy(
            'COPY budget_actualtotal (home_id, month, "group", amount, row_count) FROM STDIN'
        ) as copy:
            for total in totals:
                copy.write_row(total)
    ActualsImport.objects.filter(pk=batch.pk).update(row_count=count)
    return count


def seed_baselines(ctx) -> None:  # noqa: ANN001
    """Baseline assumptions for each demo year from the placements at the start of the year,
    frozen on 2 January; expected inflow/outflow from the previous year's starts and ends."""

    admin = ctx.users.get("admin")
    with connection.cursor() as cursor:
        for year in ctx.years:
            first = dt.date(year, 1, 1)
            cursor.execute(
                """
                SELECT o.paragraph_id, pr.kind,
                       count(*) FILTER (WHERE pl.start_date <= %(first)s
                                          AND (pl.end_date IS NULL OR pl.end_date >= %(first)s)) AS n,
                       avg(pl.annual_price) AS avg_price,
                       count(*) FILTER (WHERE pl.start_date BETWEEN %(prev)s AND %(first)s - 1) AS starts,
                       count(*) FILTER (WHERE pl.end_date BETWEEN %(prev)s AND %(first)s - 1) AS ends
                FROM visitation_placement pl
                JOIN visitation_offer o ON o.id = pl.offer_id
                JOIN visitation_provider pr ON pr.id = o.provider_id
                WHERE pl.status IN ('godkendt', 'aktiv', 'ophoert')
                GROUP BY o.paragraph_id, pr.kind
                ORDER BY o.paragraph_id, pr.kind
                """,
                {"first": first, "prev": dt.date(year - 1, 1, 1)},
            )
            rows = cursor.fetchall()
            if not rows:
                continue
            baseline = Baseline.objects.create(
                year=year,
                frozen_at=timezone.make_aware(dt.datetime(year, 1, 2, 9, 0)),
                frozen_by=admin,
                note="Demo: antal og priser ved årets start; tilgang og afgang som sidste år.",
            )
            lines = []
            for paragraph_id, kind, n, avg_price, starts, ends in rows:
                if not n and not starts:
                    continue
                inflow = [starts // 12 + (1 if i < starts % 12 else 0) for i in range(12)]
                outflow = [ends // 12 + (1 if i < ends % 12 else 0) for i in range(12)]
                line = BaselineLine(
                    baseline=baseline,
                    paragraph_id=paragraph_id,
                    provider_kind=kind,
                    placements=n,
                    average_price=to_money(avg_price or 0),
                    inflow=inflow,
                    outflow=outflow,
                )
                line.budget = to_money(line.baseline_cost() * Decimal(ctx.rng.randint(97, 102)) / 100)
                lines.append(line)
            BaselineLine.objects.bulk_create(lines)


def _spend_carry_over(year: int) -> None:
    """The demo homes spend a carried surplus (and save a carried deficit) over the next
    year: one operations posting per month, so results do not pile up from year to year."""
    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH co AS (
                SELECT l.home_id, sum(c.amount) AS amount
                FROM budget_budgetcorrection c JOIN budget_budgetline l ON l.id = c.line_id
                WHERE c.kind = 'overfoersel' AND c.status = 'godkendt' AND l.year = %(year)s
                GROUP BY l.home_id
            ), months AS (
                SELECT make_date(%(year)s, m, 1) AS month, m FROM generate_series(1, 12) m
            ), rows AS (
                SELECT co.home_id, months.month,
                       round(co.amount / 12, 2) + CASE WHEN months.m = 12
                           THEN co.amount - 12 * round(co.amount / 12, 2) ELSE 0 END AS amount
                FROM co CROSS JOIN months
                WHERE EXISTS (SELECT 1 FROM budget_actualtotal t WHERE t.home_id = co.home_id AND t.month = months.month)
            ), ins AS (
                INSERT INTO budget_actual (home_id, month, "group", function_code, art_code, posting_date, amount, text)
                SELECT home_id, month, 'drift', '5.38.50', '2.29', month + 14, amount, 'Forbrug af overført resultat'
                FROM rows RETURNING 1
            )
            INSERT INTO budget_actualtotal (home_id, month, "group", amount, row_count)
            SELECT home_id, month, 'drift', amount, 1 FROM rows
            ON CONFLICT (home_id, month, "group")
            DO UPDATE SET amount = budget_actualtotal.amount + EXCLUDED.amount,
                          row_count = budget_actualtotal.row_count + 1
            """,
            {"year": year},
        )


def seed_year_ends(ctx) -> None:  # noqa: ANN001
    """Close the demo's past years except the last one, each with its carry-overs approved
    and booked on the next year (oldest first, so each carry-over is part of the next
    year's corrected budget). The last past year stays open for the consultant to close."""

    consultant, head = ctx.users.get("konsulent"), ctx.users.get("fagchef")
    if consultant is None or head is None:
        return
    past = [y for y in ctx.years if y < ctx.today.year][:-1]
    for year in past:
        now = timezone.make_aware(dt.datetime(year + 1, 2, 10, 10, 0))
        year_end = yearend.year_close(year=year, user=consultant, now=now)
        YearEnd.objects.filter(pk=year_end.pk).update(closed_at=now)
        yearend.approve_all(year_end=year_end, user=head, home_ids=[h.pk for h in ctx.homes])
        _spend_carry_over(year + 1)
    if past:
        ctx.log.append(f"årsafslutning: {', '.join(str(y) for y in past)} lukket med overførsler")
