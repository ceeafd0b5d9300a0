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
    fte = data.wage_budget / data.annual_wage_cost
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
    )


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
    return RosterCost(
        weekly_hours=weekly_hours, yearly_hours=_h(yearly), fte=_h(fte), cost=to_money(fte * data.annual_wage_cost)
    )
