"""The cost-based rate (takst) of an own home for year Y, as pure arithmetic.

Following the rate rules (takstbekendtgørelsen, the region's framework
agreement) described in DESIGN.md:

    cost base        = the home's budgeted gross operating costs in Y
                       (the account groups the agreement counts)
    overhead         = cost base × overhead %
    total            = cost base + overhead + capital costs + regulation from Y−2
    annual rate      = total ÷ (places × budgeted occupancy)
    month rate       = annual rate ÷ 12
    day rate         = annual rate ÷ days in Y

Regulation from Y−2: that year's result (actual costs − actual rate income;
positive = deficit, negative = surplus). The part within the agreement's
limit (limit % of that year's cost base) stays with the home as carry-over;
the part beyond it enters Y's rate (a deficit raises it, a surplus lowers it).

Differentiated rates per support level weight the same total: with weights
wᵢ and planned places nᵢ, rateᵢ = annual rate × wᵢ ÷ (Σ nᵢwᵢ ÷ Σ nᵢ), so the
planned mix of levels earns exactly the total.

Every amount is rounded half-up to øre (``to_money``) where it is shown.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from botilbud.lib.dates import days_in_year
from botilbud.lib.money import ZERO, to_money

HUNDRED = Decimal(100)


class RateError(ValueError):
    """The inputs cannot give a rate (a Danish message for the user)."""


@dataclass(frozen=True)
class Regulation:
    year: int
    result: Decimal  # positive = deficit, negative = surplus
    limit_pct: Decimal
    limit_base: Decimal
    source: str  # "regnskab" (closed actuals), "manuel" (override), "ingen"
    actual_costs: Decimal = ZERO
    actual_income: Decimal = ZERO  # booked rate income + own citizens' days at the rate (frame-funded)
    booked_income: Decimal = ZERO  # the income groups' actuals
    own_days: int = 0  # a frame-funded home's own citizens' resident-days
    own_income: Decimal | None = None  # those days at the year's rate (None: not frame-funded, or no rate)
    closed: bool = False
    months: int = 0
    note: str = ""

    @property
    def limit(self) -> Decimal:
        return to_money(self.limit_base * self.limit_pct / HUNDRED)

    @property
    def into_rate(self) -> Decimal:
        """The part beyond the limit: it enters the rate (sign kept)."""
        if abs(self.result) <= self.limit:
            return ZERO
        return self.result - self.limit if self.result > 0 else self.result + self.limit

    @property
    def carry_over(self) -> Decimal:
        """The part within the limit: it stays with the home."""
        return self.result - self.into_rate

    @property
    def kind(self) -> str:
        if self.result > 0:
            return "underskud"
        if self.result < 0:
            return "overskud"
        return "balance"


@dataclass(frozen=True)
class LevelInput:
    name: str
    weight: Decimal
    places: Decimal


@dataclass(frozen=True)
class LevelRate:
    name: str
    weight: Decimal
    places: Decimal
    annual: Decimal
    month: Decimal
    day: Decimal


@dataclass
class RateResult:
    year: int
    cost_lines: list[tuple[str, Decimal]]
    cost_base: Decimal
    overhead_pct: Decimal
    overhead: Decimal
    capital_costs: Decimal
    regulation: Regulation
    total: Decimal
    places: int
    occupancy_pct: Decimal
    billable_places: Decimal
    days: int
    annual: Decimal
    month: Decimal
    day: Decimal
    weighted_mean: Decimal = Decimal(1)
    levels: list[LevelRate] = field(default_factory=list)


def compute_rate(
    *,
    year: int,
    cost_lines: list[tuple[str, Decimal]],
    overhead_pct: Decimal,
    capital_costs: Decimal,
    regulation: Regulation,
    places: int,
    occupancy_pct: Decimal,
    levels: list[LevelInput] | None = None,
) -> RateResult:
    if places <= 0:
        raise RateError("Botilbuddet skal have mindst én plads for at få en takst.")
    if not (ZERO < occupancy_pct <= HUNDRED):
        raise RateError("Den budgetterede belægning skal ligge mellem 0 og 100 %.")
    cost_base = to_money(sum((amount for _, amount in cost_lines), ZERO))
    overhead = to_money(cost_base * overhead_pct / HUNDRED)
    total = to_money(cost_base + overhead + capital_costs + regulation.into_rate)
    billable = Decimal(places) * occupancy_pct / HUNDRED
    annual = to_money(total / billable)
    days = days_in_year(year)
    result = RateResult(
        year=year,
        cost_lines=cost_lines,
        cost_base=cost_base,
        overhead_pct=overhead_pct,
        overhead=overhead,
        capital_costs=to_money(capital_costs),
        regulation=regulation,
        total=total,
        places=places,
        occupancy_pct=occupancy_pct,
        billable_places=billable,
        days=days,
        annual=annual,
        month=to_money(annual / 12),
        day=to_money(annual / days),
    )
    levels = [lv for lv in (levels or []) if lv.name]
    if levels:
        planned = sum((lv.places for lv in levels), ZERO)
        if planned <= 0:
            raise RateError("Angiv det planlagte antal pladser på mindst ét takstniveau.")
        if any(lv.weight <= 0 for lv in levels):
            raise RateError("Et takstniveaus vægt skal være større end 0.")
        mean = sum((lv.places * lv.weight for lv in levels), ZERO) / planned
        result.weighted_mean = mean
        for lv in levels:
            level_annual = to_money(total / billable * lv.weight / mean)
            result.levels.append(
                LevelRate(
                    name=lv.name,
                    weight=lv.weight,
                    places=lv.places,
                    annual=level_annual,
                    month=to_money(level_annual / 12),
                    day=to_money(level_annual / days),
                )
            )
    else:
        result.levels.append(
            LevelRate(
                name="Alle pladser",
                weight=Decimal(1),
                places=Decimal(places),
                annual=annual,
                month=result.month,
                day=result.day,
            )
        )
    return result
