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
from typing import Any

from botilbud.lib.bulk import update_rows
from botilbud.models import Home, Municipality
from budget.demo import DEMO_CAPITAL_PER_PLACE
from budget.rates import services, settlement
from budget.rates.models import RateLevel
from budget.rates.selectors import approved_rate, new_calculation
from visitation.models import Citizen, Placement, SupportPackage

STATEMENT_HOMES = 3


def seed(ctx: Any) -> None:
    year = ctx.today.year
    admin = ctx.users.get("admin")
    sale_homes = list(Home.objects.filter(pk__in=Placement.objects.sales().values("offer__home_id")).order_by("pk"))
    heavy = list(SupportPackage.objects.filter(weekly_hours__gte=15).values_list("pk", flat=True))
    approved = 0
    for home in sale_homes:
        calc = new_calculation(home, year)
        calc.capital_costs = DEMO_CAPITAL_PER_PLACE * max(home.capacity, 1)
        calc.save()
        places = Decimal(home.capacity)
        RateLevel.objects.create(
            calculation=calc, name="Niveau 1", weight=Decimal("1"), places=places * Decimal("0.6"), sort_order=1
        )
        strong = RateLevel.objects.create(
            calculation=calc,
            name="Niveau 2 (døgn)",
            weight=Decimal("1.5"),
            places=places * Decimal("0.4"),
            sort_order=2,
        )
        strong.packages.set(heavy)
        user = home.consultants.first() or admin
        try:
            services.approve(calc=calc, user=user, seen_version=calc.version)
        except Exception:  # noqa: BLE001 - a home without a budget keeps a draft
            continue
        approved += 1
    # Sold places are priced at the approved rate of their level.
    # One rate look-up per (home, package), one UPDATE for all.
    rates: dict[tuple[int, int | None], Any] = {}
    repriced_placements = []
    for p in Placement.objects.sales().filter(offer__home__in=sale_homes).select_related("offer"):
        key = (p.offer.home_id, p.package_id)
        if key not in rates:
            rates[key] = approved_rate(p.offer.home_id, year, p.package_id)
        rate = rates[key]
        if rate is not None and p.annual_price != rate.annual:
            p.annual_price = rate.annual
            repriced_placements.append(p)
    update_rows(Placement, repriced_placements, ["annual_price"])
    repriced = len(repriced_placements)
    # This year's past months are settled for the first homes.
    sent = 0
    home_ids = [h.pk for h in sale_homes[:STATEMENT_HOMES]]
    for m in range(1, ctx.today.month):
        month = dt.date(year, m, 1)
        for row in settlement.overview(home_ids, month):
            if row["sent"] is None and row["income"]:
                home = next(h for h in sale_homes if h.pk == row["home_id"])
                user = home.consultants.first() or admin
                settlement.send(home=home, municipality_code=row["code"], month=month, user=user)
                sent += 1
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
