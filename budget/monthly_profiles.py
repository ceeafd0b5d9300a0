"""Budget profiles from history: a budget line's monthly profile from the home's actual
monthly pattern in past years, and how much it would have improved the forecast.

The profile for year Y is the pooled share of each month in the full past years
before Y: Σ_years actual(month) ÷ Σ_years actual(year). A pattern whose months do
not all have the year's sign (a refund bigger than the month's costs) gives no
profile: such a month cannot be a share of the year.

The accuracy check replays the forecast of each past year that has history before
it: at the end of each month m = 1..11, forecast = actuals through m + corrected
budget × (1 − the profile's share through m) (the ledger left out, as it is the same
for both profiles), and compares its distance to the year's actual result with the
1/12 profile and with the profile from the years before.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Sum

from botilbud.lib.money import ZERO, to_money
from budget.models import ActualTotal, BudgetLine
from budget.selectors import corrected_budgets

ONE_TWELFTH = [Decimal(1) / 12] * 12
PERCENT = Decimal("0.01")


def monthly_actuals(home_id: int, group: str) -> dict[int, list[Decimal]]:
    """Year → the 12 monthly actual totals, for the years with actuals in all 12 months (one query)."""
    rows = (
        ActualTotal.objects.filter(home_id=home_id, group=group)
        .values("month")
        .annotate(total=Sum("amount"))
        .order_by("month")
    )
    years: dict[int, dict[int, Decimal]] = {}
    for r in rows:
        years.setdefault(r["month"].year, {})[r["month"].month] = r["total"]
    return {y: [months[m] for m in range(1, 13)] for y, months in years.items() if len(months) == 12}


def profile_from(history: list[list[Decimal]]) -> list[Decimal] | None:
    """The pooled monthly shares (sum 1) of the given years, or None when there is no usable pattern."""
    if not history:
        return None
    per_month = [sum((year[m] for year in history), ZERO) for m in range(12)]
    total = sum(per_month, ZERO)
    if total == 0 or any((v / total) < 0 for v in per_month):
        return None
    return [v / total for v in per_month]


def as_percentages(shares: list[Decimal]) -> list[Decimal]:
    """Shares as percentages with two decimals that add up to exactly 100 (the rest on December)."""
    pct = [(s * 100).quantize(PERCENT) for s in shares]
    pct[-1] += Decimal(100) - sum(pct, ZERO)
    return pct


def suggested_profile(line: BudgetLine) -> tuple[list[Decimal] | None, list[int]]:
    """The profile (percentages) from the full years before the line's year, and which years."""
    years = monthly_actuals(line.home_id, line.group)
    used = sorted(y for y in years if y < line.year)
    shares = profile_from([years[y] for y in used])
    return (as_percentages(shares) if shares else None), used


def _forecast_error(actual: list[Decimal], budget: Decimal, shares: list[Decimal]) -> Decimal:
    """Mean |forecast − actual year| over the month ends 1..11."""
    year_total = sum(actual, ZERO)
    errors = []
    to_date = ZERO
    share = Decimal(0)
    for m in range(11):
        to_date += actual[m]
        share += shares[m]
        forecast = to_date + budget * (1 - share)
        errors.append(abs(forecast - year_total))
    return to_money(sum(errors, ZERO) / len(errors))


@dataclass(frozen=True)
class AccuracyRow:
    year: int
    history_years: list[int]
    error_flat: Decimal
    error_history: Decimal

    @property
    def improvement_pct(self) -> Decimal | None:
        """How much smaller the mean error is with the history profile (positive = better)."""
        if self.error_flat == 0:
            return None
        return ((self.error_flat - self.error_history) * 100 / self.error_flat).quantize(Decimal("0.1"))


def accuracy(home_id: int, group: str, years_shown: list[int] | None = None) -> list[AccuracyRow]:
    """For each full past year with at least one full year before it: the mean forecast error
    with 1/12 and with the profile from the years before (two queries)."""
    years = monthly_actuals(home_id, group)
    budgets = _corrected(home_id, group, list(years))
    rows = []
    for year in sorted(years):
        if years_shown is not None and year not in years_shown:
            continue
        before = sorted(y for y in years if y < year)
        shares = profile_from([years[y] for y in before])
        if shares is None or year not in budgets:
            continue
        rows.append(
            AccuracyRow(
                year=year,
                history_years=before,
                error_flat=_forecast_error(years[year], budgets[year], ONE_TWELFTH),
                error_history=_forecast_error(years[year], budgets[year], shares),
            )
        )
    return rows


def _corrected(home_id: int, group: str, years: list[int]) -> dict[int, Decimal]:
    lines = dict(BudgetLine.objects.filter(home_id=home_id, group=group, year__in=years).values_list("pk", "year"))
    return {lines[pk]: amount for pk, amount in corrected_budgets(list(lines)).items()}
