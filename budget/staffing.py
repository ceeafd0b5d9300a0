"""Wage budget → staff hours (lønbudget → medarbejdertimer). Pure functions.

    FTE            = wage budget / average annual wage cost per FTE
    gross hours    = FTE × annual norm (1,924 h = 52 weeks × 37 h)
    hours per week = norm / 52; hours per day = norm / 260 (5-day weeks)
    holiday        = FTE × holiday weeks × hours per week
    extra holiday  = FTE × extra holiday days × hours per day
    public hol.    = FTE × weekday public holidays of the year × hours per day
    sickness       = sickness % × (gross − holiday − extra holiday − public holidays)
    competence, meetings/supervision, other = FTE × hours per FTE
    roster hours   = gross − all of the above; per week = roster hours / 52

The reverse: a roster of N hours a week needs N × 52 / (roster hours per
FTE) FTE, and costs that × the average annual wage cost.

Staff groups (pædagoger, social- og sundhedsassistenter, night staff,
management) each take a share of the wage budget and have their own average
annual wage cost and inconvenience supplements per roster hour in the
evening, at night and at the weekend. For a group g with roster hours per FTE
R (the same absence rules for every group):

    supplements per FTE  S_g = R × (evening % × evening supplement
                                    + night % × night supplement
                                    + weekend % × weekend supplement)
    cost per FTE         C_g = annual wage cost_g + S_g
    FTE_g                    = wage budget × share_g / C_g

The share no group takes is costed at the plan's average wage cost without
supplements. Everything is kept exact and rounded once, at the end.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from botilbud.lib.dates import weekday_public_holidays
from botilbud.lib.money import to_money

HOURS = Decimal("0.01")
WEEKS_PER_YEAR = Decimal(52)
WORKDAYS_PER_YEAR = Decimal(260)


@dataclass(frozen=True)
class GroupInput:
    name: str
    share_pct: Decimal
    annual_wage_cost: Decimal
    evening_pct: Decimal = Decimal(0)
    night_pct: Decimal = Decimal(0)
    weekend_pct: Decimal = Decimal(0)
    evening_supplement: Decimal = Decimal(0)
    night_supplement: Decimal = Decimal(0)
    weekend_supplement: Decimal = Decimal(0)


@dataclass(frozen=True)
class GroupResult:
    name: str
    share_pct: Decimal
    budget: Decimal
    annual_wage_cost: Decimal
    supplements_per_fte: Decimal
    cost_per_fte: Decimal
    fte: Decimal
    supplements: Decimal
    roster_hours: Decimal
    roster_hours_per_week: Decimal
    evening_hours_per_week: Decimal
    night_hours_per_week: Decimal
    weekend_hours_per_week: Decimal
    unallocated: bool = False


@dataclass(frozen=True)
class StaffingInput:
    wage_budget: Decimal
    annual_wage_cost: Decimal
    year: int
    annual_norm_hours: Decimal = Decimal("1924")
    holiday_weeks: Decimal = Decimal("5")
    extra_holiday_days: Decimal = Decimal("5")
    sickness_pct: Decimal = Decimal("0")
    competence_hours: Decimal = Decimal("0")
    meeting_hours: Decimal = Decimal("0")
    other_hours: Decimal = Decimal("0")
    public_holidays: int | None = None  # None: the year's Danish weekday holidays
    groups: tuple[GroupInput, ...] = ()


@dataclass(frozen=True)
class Loss:
    key: str
    label: str
    hours: Decimal


@dataclass(frozen=True)
class StaffingResult:
    fte: Decimal
    gross_hours: Decimal
    losses: list[Loss]
    roster_hours: Decimal
    roster_hours_per_week: Decimal
    roster_hours_per_fte: Decimal
    public_holidays: int
    hours_per_week: Decimal
    hours_per_day: Decimal
    groups: tuple[GroupResult, ...] = ()
    cost_per_fte: Decimal = Decimal(0)  # the average incl. supplements (the plan's own without groups)
    cost_per_roster_hour: Decimal | None = None

    @property
    def lost_hours(self) -> Decimal:
        return sum((loss.hours for loss in self.losses), Decimal(0))


def _h(value: Decimal) -> Decimal:
    return value.quantize(HOURS, rounding=ROUND_HALF_UP)


def staff_hours(data: StaffingInput) -> StaffingResult:
    if data.annual_wage_cost <= 0:
        raise ValueError("Den gennemsnitlige lønudgift pr. årsværk skal være større end 0.")
    holidays = weekday_public_holidays(data.year) if data.public_holidays is None else data.public_holidays
    per_fte = _per_fte(data, holidays)
    groups = _groups(data, per_fte["roster"])
    fte = sum((fte for _, fte in groups), Decimal(0)) if groups else data.wage_budget / data.annual_wage_cost
    week = data.annual_norm_hours / WEEKS_PER_YEAR
    day = data.annual_norm_hours / WORKDAYS_PER_YEAR
    losses = [Loss(key, label, _h(fte * hours)) for key, label, hours in per_fte["losses"]]
    gross = _h(fte * data.annual_norm_hours)
    # Rounded once, at the end: from the unrounded hours (rounding each line
    # first made the roster up to 0,01 h off). The lines are shown rounded.
    roster_exact = fte * per_fte["roster"]
    return StaffingResult(
        fte=_h(fte),
        gross_hours=gross,
        losses=losses,
        roster_hours=_h(roster_exact),
        roster_hours_per_week=_h(roster_exact / WEEKS_PER_YEAR),
        roster_hours_per_fte=_h(per_fte["roster"]),
        public_holidays=holidays,
        hours_per_week=_h(week),
        hours_per_day=_h(day),
        groups=tuple(result for result, _ in groups),
        cost_per_fte=to_money(_cost_per_fte(data, fte)),
        cost_per_roster_hour=to_money(data.wage_budget / roster_exact) if roster_exact > 0 else None,
    )


def _check_groups(data: StaffingInput) -> None:
    total = sum((g.share_pct for g in data.groups), Decimal(0))
    if total > 100:
        raise ValueError(f"Faggruppernes andele er tilsammen {total} %; de må højst være 100 %.")
    if any(g.annual_wage_cost <= 0 for g in data.groups):
        raise ValueError("Hver faggruppes gennemsnitlige lønudgift pr. årsværk skal være større end 0.")


def _groups(data: StaffingInput, roster_per_fte: Decimal) -> list[tuple[GroupResult, Decimal]]:
    """Each group's result and its exact FTE; the unallocated share last."""
    if not data.groups:
        return []
    _check_groups(data)
    rows = [(g, False) for g in data.groups]
    rest = Decimal(100) - sum((g.share_pct for g in data.groups), Decimal(0))
    if rest > 0:
        rows.append((GroupInput("Ikke fordelt på faggrupper", rest, data.annual_wage_cost), True))
    out = []
    for g, is_rest in rows:
        per_hour = (
            g.evening_pct * g.evening_supplement
            + g.night_pct * g.night_supplement
            + g.weekend_pct * g.weekend_supplement
        ) / Decimal(100)
        supplements_per_fte = roster_per_fte * per_hour
        cost = g.annual_wage_cost + supplements_per_fte
        budget = data.wage_budget * g.share_pct / Decimal(100)
        fte = budget / cost
        roster = fte * roster_per_fte
        week = roster / WEEKS_PER_YEAR
        result = GroupResult(
            name=g.name,
            share_pct=g.share_pct,
            budget=to_money(budget),
            annual_wage_cost=to_money(g.annual_wage_cost),
            supplements_per_fte=to_money(supplements_per_fte),
            cost_per_fte=to_money(cost),
            fte=_h(fte),
            supplements=to_money(fte * supplements_per_fte),
            roster_hours=_h(roster),
            roster_hours_per_week=_h(week),
            evening_hours_per_week=_h(week * g.evening_pct / Decimal(100)),
            night_hours_per_week=_h(week * g.night_pct / Decimal(100)),
            weekend_hours_per_week=_h(week * g.weekend_pct / Decimal(100)),
            unallocated=is_rest,
        )
        out.append((result, fte))
    return out


def _cost_per_fte(data: StaffingInput, fte: Decimal) -> Decimal:
    """The average cost of one FTE incl. supplements: wage budget ÷ FTE with
    groups (their costs weighted by their FTE), else the plan's own."""
    if data.groups and fte > 0:
        return data.wage_budget / fte
    return data.annual_wage_cost


def _per_fte(data: StaffingInput, holidays: int) -> dict:
    week = data.annual_norm_hours / WEEKS_PER_YEAR
    day = data.annual_norm_hours / WORKDAYS_PER_YEAR
    holiday = data.holiday_weeks * week
    extra = data.extra_holiday_days * day
    public = Decimal(holidays) * day
    expected_at_work = data.annual_norm_hours - holiday - extra - public
    sickness = expected_at_work * data.sickness_pct / Decimal(100)
    losses = [
        ("holiday", "Ferie", holiday),
        ("extra_holiday", "Feriefridage", extra),
        ("public_holidays", "Helligdage", public),
        ("sickness", "Sygefravær", sickness),
        ("competence", "Kompetenceudvikling", data.competence_hours),
        ("meetings", "Møder og supervision", data.meeting_hours),
        ("other", "Anden tid uden for vagtplanen", data.other_hours),
    ]
    roster = data.annual_norm_hours - sum((h for _, _, h in losses), Decimal(0))
    return {"losses": losses, "roster": roster}


def roster_hours_per_week_exact(data: StaffingInput) -> Decimal:
    """The roster hours a week the plan's wage budget gives, not rounded (next
    year's budget runs the tool in reverse from them, and rounds once at the end)."""
    holidays = weekday_public_holidays(data.year) if data.public_holidays is None else data.public_holidays
    per_fte = _per_fte(data, holidays)["roster"]
    groups = _groups(data, per_fte)
    fte = sum((f for _, f in groups), Decimal(0)) if groups else data.wage_budget / data.annual_wage_cost
    return fte * per_fte / WEEKS_PER_YEAR


@dataclass(frozen=True)
class RosterCost:
    weekly_hours: Decimal
    yearly_hours: Decimal
    fte: Decimal
    cost: Decimal


def roster_cost(data: StaffingInput, weekly_hours: Decimal) -> RosterCost:
    """What a roster of ``weekly_hours`` a week costs a year (FTE × average wage cost)."""
    holidays = weekday_public_holidays(data.year) if data.public_holidays is None else data.public_holidays
    per_fte = _per_fte(data, holidays)["roster"]
    if per_fte <= 0:
        raise ValueError("Fraværet er større end årsnormen: der er ingen timer til vagtplanen.")
    yearly = weekly_hours * WEEKS_PER_YEAR
    fte = yearly / per_fte
    # With staff groups: the same mix of groups as the budget, i.e. the
    # average cost per FTE incl. supplements (wage budget ÷ the budget's FTE).
    average = data.annual_wage_cost
    if data.groups:
        groups = _groups(data, per_fte)
        budget_fte = sum((f for _, f in groups), Decimal(0))
        average = _cost_per_fte(data, budget_fte)
    return RosterCost(weekly_hours=weekly_hours, yearly_hours=_h(yearly), fte=_h(fte), cost=to_money(fte * average))
