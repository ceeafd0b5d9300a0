"""Central refusion for very expensive single cases (særligt dyre enkeltsager).

For an own citizen under 67, the state refunds part of our municipality's
yearly cost of that citizen above legal thresholds: tiers of (threshold,
share of the cost above it up to the next threshold), data per year
(``RefusionTier``). The age rule needs only the citizen's birth year: a
citizen counts in year Y when Y − birth year < 67 (no CPR number is stored;
a citizen without a birth year is counted and flagged).

    citizen's cost  = Σ the year's placement costs (price in force each day × days ÷ days in Y),
                      own citizens only (we pay); the same price-days rule as the authority forecast
    refusion        = Σ over tiers: share × (min(cost, next threshold) − threshold), if positive

The authority forecast shows the total as refusion income (dranst 2).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from botilbud.lib.dates import days_in_year
from botilbud.lib.money import ZERO, to_money
from botilbud.models import Municipality
from budget.rates.models import RefusionTier

AGE_LIMIT = 67
# A case is "close" to a threshold when its cost is at least this share of it.
CLOSE_SHARE = Decimal("0.90")

_CITIZEN_COST_SQL = """
WITH ch AS (
    SELECT c.placement_id, c.effective_date, c.old_annual_price, c.new_annual_price,
           row_number() OVER w AS rn, lead(c.effective_date) OVER w AS next_date
    FROM visitation_placementchange c
    WHERE c.new_annual_price IS NOT NULL
    WINDOW w AS (PARTITION BY c.placement_id ORDER BY c.effective_date, c.id)
),
p AS (
    SELECT pl.id, pl.citizen_id, pl.start_date, pl.end_date, pl.annual_price
    FROM visitation_placement pl
    WHERE pl.status = ANY(%(statuses)s) AND pl.start_date <= %(last)s
      AND (pl.end_date IS NULL OR pl.end_date >= %(first)s)
      AND pl.paying_municipality_id = %(own)s
),
segs AS (
    SELECT p.citizen_id, p.start_date AS s, COALESCE(f.effective_date - 1, p.end_date) AS e,
           COALESCE(f.old_annual_price, p.annual_price) AS price
    FROM p LEFT JOIN ch f ON f.placement_id = p.id AND f.rn = 1
    UNION ALL
    SELECT p.citizen_id, ch.effective_date, COALESCE(ch.next_date - 1, p.end_date), ch.new_annual_price
    FROM ch JOIN p ON p.id = ch.placement_id
)
SELECT segs.citizen_id, c.case_number, c.initials, c.birth_year,
       sum(price * GREATEST(0, LEAST(COALESCE(e, %(last)s), %(last)s) - GREATEST(s, %(first)s) + 1)) AS price_days
FROM segs JOIN visitation_citizen c ON c.id = segs.citizen_id
GROUP BY segs.citizen_id, c.case_number, c.initials, c.birth_year
HAVING sum(price * GREATEST(0, LEAST(COALESCE(e, %(last)s), %(last)s) - GREATEST(s, %(first)s) + 1))
       >= %(min_price_days)s
"""


@dataclass(frozen=True)
class Tier:
    threshold: Decimal
    share_pct: Decimal
    source: str = ""


def refusion_for(cost: Decimal, tiers: list[Tier]) -> Decimal:
    """Σ share × (cost above the tier's threshold, up to the next tier's threshold)."""
    tiers = sorted(tiers, key=lambda t: t.threshold)
    total = ZERO
    for i, tier in enumerate(tiers):
        upper = tiers[i + 1].threshold if i + 1 < len(tiers) else None
        top = cost if upper is None else min(cost, upper)
        if top > tier.threshold:
            total += (top - tier.threshold) * tier.share_pct / Decimal(100)
    return to_money(total)


def eligible(birth_year: int | None, year: int) -> bool:
    """Under 67 in ``year``, by birth year only; an unknown birth year counts (and is flagged)."""
    return birth_year is None or year - birth_year < AGE_LIMIT


@dataclass(frozen=True)
class CitizenRefusion:
    citizen_id: int
    case_number: str
    initials: str
    birth_year: int | None
    cost: Decimal
    refusion: Decimal
    eligible: bool
    next_threshold: Decimal | None

    @property
    def to_next_threshold(self) -> Decimal | None:
        return None if self.next_threshold is None else self.next_threshold - self.cost


@dataclass
class RefusionForecast:
    year: int
    tiers: list[Tier]
    cases: list[CitizenRefusion]  # citizens at or above the first threshold (and eligible), most expensive first
    close: list[CitizenRefusion]  # eligible citizens within 10 % below a threshold
    over_age: list[CitizenRefusion]  # above a threshold but 67 or older: no refusion

    @property
    def total(self) -> Decimal:
        return sum((c.refusion for c in self.cases), ZERO)

    @property
    def sources(self) -> list[str]:
        """Where the year's thresholds come from (say so when they are not confirmed)."""
        return sorted({t.source for t in self.tiers if t.source})


def tiers_for(year: int) -> list[Tier]:
    return [
        Tier(t.threshold, t.share_pct, t.source) for t in RefusionTier.objects.filter(year=year).order_by("threshold")
    ]


def expected_refusion(year: int) -> RefusionForecast:
    """Expected refusion per own citizen and in total, in two queries."""

    tiers = tiers_for(year)
    result = RefusionForecast(year, tiers, [], [], [])
    if not tiers:
        return result
    days = Decimal(days_in_year(year))
    lowest = tiers[0].threshold
    with connection.cursor() as cursor:
        cursor.execute(
            _CITIZEN_COST_SQL,
            {
                "statuses": ["godkendt", "aktiv", "ophoert"],
                "first": dt.date(year, 1, 1),
                "last": dt.date(year, 12, 31),
                "own": Municipality.own_code(),
                "min_price_days": lowest * CLOSE_SHARE * days,
            },
        )
        rows = cursor.fetchall()
    for citizen_id, case, initials, birth_year, price_days in rows:
        cost = to_money((price_days or ZERO) / days)
        ok = eligible(birth_year, year)
        above = [t.threshold for t in tiers if t.threshold > cost]
        entry = CitizenRefusion(
            citizen_id,
            case,
            initials,
            birth_year,
            cost,
            refusion_for(cost, tiers) if ok else ZERO,
            ok,
            above[0] if above else None,
        )
        if not ok:
            if cost > lowest:
                result.over_age.append(entry)
            continue
        if entry.refusion > 0:
            result.cases.append(entry)
        if entry.next_threshold is not None and cost >= entry.next_threshold * CLOSE_SHARE:
            result.close.append(entry)
    result.cases.sort(key=lambda c: -c.cost)
    result.close.sort(key=lambda c: c.to_next_threshold or ZERO)
    result.over_age.sort(key=lambda c: -c.cost)
    return result
