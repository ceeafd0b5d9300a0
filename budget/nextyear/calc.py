"""Next year's budget from the models, as pure arithmetic (hand-computed tests:
``tests/budget/test_nextyear.py``).

For a home and the budget year N (this year B = N − 1), with KL's PL-skøn for
N (``pl``: in total, the wage part and the price part; a missing part uses
the total, a missing year 0 % and the draft says so):

- **Allocation model** (residents in the home's places, own citizens):

      budgeted places  = places × budgeted occupancy
      hour price N     = hour price B × (1 + PL)          (or N's own, set by the index step)
      per package p    : places_p = budgeted places × residents_p ÷ residents
                         income_p = places_p × weekly hours_p × hour price N × days in N ÷ 7

  ``residents_p`` are the residential placements running on 1 January N
  (own and sold: the mix of the places); only the own citizens' share earns
  allocation income. Outreach clients (§ 85 outside the home) are not places:
  each running on 1 January earns hours × hour price × days ÷ 7 for the year.
  Only for an activity-funded home; a frame-funded home's own citizens are
  covered by its frame.
- **Rate model** (a home that sells places): sold places_p = budgeted places ×
  sold residents_p ÷ residents; income = places_p × day rate N × days in N.
  The day rate is N's rate in force (approved or preliminary from the index
  step), else the rate model computed on the draft's own costs
  (``budget.rates.calc.compute_rate``).
- **Wages**: the staff-hours tool in reverse: the roster hours a week of this
  year's plan (its "vagtplan til beregning af pris" if set, else the roster
  hours its wage budget gives) cost, in N, FTE × average wage cost, with the
  wage costs and supplements × (1 + PL wage part) and N's public holidays.
  No plan: this year's wage budget × (1 + PL wage part).
- **Other operations**: this year's corrected operations budget without the
  carry-over from last year (a one-off) × (1 + PL price part).
- **Other income** (a frame-funded home that sells nothing): this year's
  corrected income budget × (1 + PL price part).

Every line is rounded half-up to øre once (``to_money``); a line of several
packages rounds each package's amount and adds them up.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import ROUND_HALF_UP, Decimal

from botilbud.lib.money import to_money
from budget.staffing import GroupInput, StaffingInput, roster_cost, roster_hours_per_week_exact, staff_hours

HUNDRED = Decimal(100)
SEVEN = Decimal(7)


def index(amount: Decimal, pct: Decimal) -> Decimal:
    """``amount`` × (1 + pct %), rounded half-up to øre."""
    return to_money(Decimal(amount) * (1 + Decimal(pct) / HUNDRED))


def budgeted_places(places: int, occupancy_pct: Decimal) -> Decimal:
    """Places × budgeted occupancy (not rounded: a share of it goes to each package)."""
    return Decimal(places) * Decimal(occupancy_pct) / HUNDRED


@dataclass(frozen=True)
class PackageMix:
    """The residential placements running on 1 January, of one support package."""

    name: str
    weekly_hours: Decimal
    own: int
    sold: int
    day_rate: Decimal | None = None  # the rate in force for a sold place of this package


@dataclass(frozen=True)
class PackageShare:
    name: str
    weekly_hours: Decimal
    residents: int
    places: Decimal  # budgeted places of this package, own or sold
    amount: Decimal  # positive: income
    day_rate: Decimal | None = None  # a sold share's day rate


def residents(mix: list[PackageMix]) -> int:
    return sum((p.own + p.sold for p in mix), 0)


def allocation_shares(
    *, places: int, occupancy_pct: Decimal, mix: list[PackageMix], hour_price: Decimal, days: int
) -> list[PackageShare]:
    """The own citizens' share of the budgeted places, per package (empty without residents)."""
    total = residents(mix)
    if total == 0 or places <= 0:
        return []
    budgeted = budgeted_places(places, occupancy_pct)
    out = []
    for p in mix:
        if not p.own:
            continue
        share = budgeted * p.own / total
        amount = to_money(share * p.weekly_hours * hour_price * days / SEVEN)
        out.append(PackageShare(p.name, p.weekly_hours, p.own, share, amount))
    return out


def sale_shares(*, places: int, occupancy_pct: Decimal, mix: list[PackageMix], days: int) -> list[PackageShare]:
    """The sold share of the budgeted places, per package, at each package's day rate."""
    total = residents(mix)
    if total == 0 or places <= 0:
        return []
    budgeted = budgeted_places(places, occupancy_pct)
    out = []
    for p in mix:
        if not p.sold:
            continue
        if p.day_rate is None:
            raise ValueError(f"Pakken »{p.name}« har ingen dagtakst.")
        share = budgeted * p.sold / total
        out.append(PackageShare(p.name, p.weekly_hours, p.sold, share, to_money(share * p.day_rate * days), p.day_rate))
    return out


def outreach_income(*, weekly_hours: Decimal, hour_price: Decimal, days: int) -> Decimal:
    """One outreach client's income for the whole year."""
    return to_money(Decimal(weekly_hours) * hour_price * days / SEVEN)


@dataclass(frozen=True)
class WageResult:
    roster_hours_per_week: Decimal
    roster_source: str  # "vagtplan" (the plan's roster) | "loenbudget" (what the wage budget gives)
    fte: Decimal
    average_cost_per_fte: Decimal  # in N, incl. supplements
    amount: Decimal


def indexed_staffing(data: StaffingInput, *, year: int, wage_pct: Decimal) -> StaffingInput:
    """This year's plan as it costs in ``year``: wage costs and supplements × (1 + wage PL)."""
    factor = 1 + Decimal(wage_pct) / HUNDRED
    groups = tuple(
        GroupInput(
            name=g.name,
            share_pct=g.share_pct,
            annual_wage_cost=g.annual_wage_cost * factor,
            evening_pct=g.evening_pct,
            night_pct=g.night_pct,
            weekend_pct=g.weekend_pct,
            evening_supplement=g.evening_supplement * factor,
            night_supplement=g.night_supplement * factor,
            weekend_supplement=g.weekend_supplement * factor,
        )
        for g in data.groups
    )
    return replace(
        data,
        year=year,
        wage_budget=data.wage_budget * factor,
        annual_wage_cost=data.annual_wage_cost * factor,
        groups=groups,
    )


def wage_budget(
    plan: StaffingInput, *, roster_hours_per_week: Decimal | None, year: int, wage_pct: Decimal
) -> WageResult:
    """The staff-hours tool in reverse: the roster (hours a week) → its cost in ``year``.

    ``roster_hours_per_week`` None: the roster hours this year's wage budget gives."""
    source = "vagtplan"
    if roster_hours_per_week is None:
        # Exact, not the 0,01 h shown: rounding first would move the budget by up to ~50 kr.
        roster_hours_per_week = roster_hours_per_week_exact(plan)
        source = "loenbudget"
    indexed = indexed_staffing(plan, year=year, wage_pct=wage_pct)
    cost = roster_cost(indexed, roster_hours_per_week)
    average = staff_hours(indexed).cost_per_fte
    shown = roster_hours_per_week.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return WageResult(shown, source, cost.fte, average, cost.cost)
