"""Writes for next year's budget: compute the draft from the models, adjust a
line, lock the draft (it becomes the home's original budget for the year).

The arithmetic is ``budget.nextyear.calc``; the inputs come from
``budget.nextyear.selectors``. Every write is audited (pghistory) and
versioned (``botilbud.lib.locking``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from botilbud.lib.dates import days_in_year
from botilbud.lib.locking import VersionConflict, save_versioned
from botilbud.lib.money import ZERO, format_number, to_money
from botilbud.models import AccountGroup, Home, User
from budget.models import BudgetLine, StaffingPlan
from budget.nextyear import calc, selectors
from budget.nextyear.models import BudgetDraft, BudgetDraftLine
from budget.rates.calc import RateError, compute_rate
from budget.rates.selectors import approved_day_rates, new_calculation, regulation_for
from budget.staffing import staff_hours


class DraftError(ValueError):
    """A refused draft operation (a Danish message for the user)."""


# key → (label, account group, art, position). The arts are KL arts the chart maps to the group.
LINES: dict[str, tuple[str, str, str, int]] = {
    "loen": ("Løn", AccountGroup.WAGES.value, "1.10", 10),
    "drift": ("Øvrig drift", AccountGroup.OPERATIONS.value, "2.29", 20),
    "tildeling": ("Indtægt fra tildelingsmodellen (egne borgere)", AccountGroup.INCOME.value, "9.71", 30),
    "salg": ("Salg af pladser til andre kommuner (takst)", AccountGroup.INCOME.value, "7.71", 40),
    "oevrig_indtaegt": ("Øvrige indtægter", AccountGroup.INCOME.value, "7.79", 50),
}


def Row(label: str, value: Any, unit: str = "text") -> dict[str, str]:  # noqa: N802 - reads like a record
    """One model input as the page shows it (unit: kr, pct, num, int, hours, text)."""
    return {"label": label, "value": str(value), "unit": unit}


@dataclass
class LineResult:
    key: str
    amount: Decimal
    source: str
    inputs: list[dict[str, str]] = field(default_factory=list)


@dataclass
class DraftResult:
    lines: list[LineResult]
    notes: list[str]


def compute_lines(home: Home, year: int) -> DraftResult:
    """The draft's lines for ``home`` and ``year`` from the models (reads only)."""
    base = year - 1
    days = days_in_year(year)
    indices = selectors.price_indices()
    pl = selectors.pl_for(indices, year)
    notes: list[str] = []
    if not pl.found:
        notes.append(f"Der er intet PL-skøn for {year}: beløbene er ikke fremskrevet (0 %). Ret det på PL-siden.")
    elif not pl.confirmed:
        notes.append(f"PL-skønnet for {year} er ikke bekræftet mod KL's seneste tal.")
    this_year = selectors.this_year_budget(home.pk, base)
    lines = [_wages(home, year, base, pl, this_year, notes), _operations(base, pl, this_year)]
    mix = selectors.package_mix(home.pk, year)
    residential = [m for m in mix if m.residential]
    outreach = [m for m in mix if not m.residential]
    sold = sum((m.sold for m in residential), 0)
    residents = sum((m.own + m.sold for m in residential), 0)
    if home.capacity and not residents and home.financing == Home.Financing.ACTIVITY and selectors.offers_places(home):
        notes.append(
            f"Ingen beboere i pladserne 1. januar {year}: pakkefordelingen kendes ikke, så pladserne giver "
            "ingen indtægt i modellen. Tilpas indtægtslinjen."
        )
    if home.financing == Home.Financing.ACTIVITY:
        lines.append(_allocation(home, year, days, indices, residential, outreach))
    if sold:
        lines.append(_sales(home, year, days, residential, lines, notes))
    elif home.financing != Home.Financing.ACTIVITY:
        lines.append(_other_income(base, pl, this_year))
    return DraftResult(lines, notes)


def _wages(
    home: Home, year: int, base: int, pl: selectors.PL, this_year: selectors.ThisYear, notes: list[str]
) -> LineResult:
    plan = (
        StaffingPlan.objects.filter(home_id=home.pk, year__lte=base)
        .order_by("-year")
        .prefetch_related("groups")
        .first()
    )
    if plan is None:
        amount = calc.index(this_year.corrected.get("loen", ZERO), pl.wage)
        return LineResult(
            "loen",
            amount,
            f"Ingen medarbejdertimeplan: lønbudgettet {base} fremskrevet med {pl.label('wage')}",
            [
                Row(f"Korrigeret lønbudget {base}", this_year.corrected.get("loen", ZERO), "kr"),
                Row(pl.label("wage"), pl.wage, "pct"),
            ],
        )
    data = plan.staffing_input(plan.year)
    try:
        result = calc.wage_budget(data, roster_hours_per_week=plan.roster_hours_per_week, year=year, wage_pct=pl.wage)
    except ValueError as exc:
        notes.append(f"Medarbejdertimeplanen {plan.year} kan ikke regnes baglæns: {exc}")
        amount = calc.index(this_year.corrected.get("loen", ZERO), pl.wage)
        return LineResult("loen", amount, f"Lønbudgettet {base} fremskrevet med {pl.label('wage')}", [])
    where = (
        "vagtplanen" if result.roster_source == "vagtplan" else f"lønbudgettet {format_number(plan.wage_budget, 2)} kr."
    )
    per_fte = staff_hours(calc.indexed_staffing(data, year=year, wage_pct=pl.wage)).roster_hours_per_fte
    inputs = [
        Row(
            f"Timer i vagtplanen pr. uge (medarbejdertimeplan {plan.year}, fra {where})",
            result.roster_hours_per_week,
            "hours",
        ),
        Row(f"Timer i vagtplanen pr. årsværk i {year} (årets helligdage)", per_fte, "hours"),
        Row("Årsværk", result.fte, "num"),
        Row(f"Gns. lønudgift pr. årsværk {year} inkl. tillæg", result.average_cost_per_fte, "kr"),
        Row(pl.label("wage"), pl.wage, "pct"),
    ]
    if data.groups:
        inputs.append(Row("Faggrupper", ", ".join(g.name for g in data.groups), "text"))
    return LineResult(
        "loen",
        result.amount,
        f"Medarbejdertimeværktøjet baglæns: vagtplanens timer → løn i {year}",
        inputs,
    )


def _operations(base: int, pl: selectors.PL, this_year: selectors.ThisYear) -> LineResult:
    corrected = this_year.corrected.get("drift", ZERO)
    carried = this_year.carry_over.get("drift", ZERO)
    without = corrected - carried
    return LineResult(
        "drift",
        calc.index(without, pl.price),
        f"Øvrig drift {base} uden overførsel fremskrevet med {pl.label('price')}",
        [
            Row(f"Korrigeret budget {base}", corrected, "kr"),
            Row(f"Heraf overførsel fra {base - 1} (engangsbeløb, tælles ikke med)", carried, "kr"),
            Row(pl.label("price"), pl.price, "pct"),
        ],
    )


def _other_income(base: int, pl: selectors.PL, this_year: selectors.ThisYear) -> LineResult:
    corrected = this_year.corrected.get("indtaegt", ZERO)
    return LineResult(
        "oevrig_indtaegt",
        calc.index(corrected, pl.price),
        f"Rammebudgetteret: indtægterne {base} fremskrevet med {pl.label('price')}",
        [Row(f"Korrigeret indtægtsbudget {base}", corrected, "kr"), Row(pl.label("price"), pl.price, "pct")],
    )


def _allocation(
    home: Home,
    year: int,
    days: int,
    indices: dict[int, selectors.PL],
    residential: list[selectors.MixRow],
    outreach: list[selectors.MixRow],
) -> LineResult:
    price = selectors.hour_price_for(home.pk, year, indices)
    inputs = [
        Row("Pladser", home.capacity, "int"),
        Row("Budgetteret belægning", home.budgeted_occupancy, "pct"),
        Row("Budgetterede pladser", calc.budgeted_places(home.capacity, home.budgeted_occupancy), "num"),
        Row(f"Timepris {year}", price.price if price.price is not None else "—", "kr" if price.price else "text"),
        Row("Timeprisen", price.source, "text"),
        Row(f"Dage i {year}", days, "int"),
    ]
    if price.price is None:
        return LineResult("tildeling", ZERO, price.source, inputs)
    mix = [calc.PackageMix(m.name, m.weekly_hours, m.own, m.sold) for m in residential]
    shares = calc.allocation_shares(
        places=home.capacity, occupancy_pct=home.budgeted_occupancy, mix=mix, hour_price=price.price, days=days
    )
    total = ZERO
    for s in shares:
        inputs.append(
            Row(
                f"{s.name} ({format_number(s.weekly_hours, 1)} t/uge): {s.residents} af "
                f"{calc.residents(mix)} beboere → {format_number(s.places, 2)} pladser",
                s.amount,
                "kr",
            )
        )
        total += s.amount
    for m in outreach:
        if not m.own:
            continue
        each = calc.outreach_income(weekly_hours=m.weekly_hours, hour_price=price.price, days=days)
        amount = to_money(each * m.own)
        inputs.append(
            Row(
                f"Udgående (ikke pladser), {m.name} ({format_number(m.weekly_hours, 1)} t/uge): {m.own} borgere",
                amount,
                "kr",
            )
        )
        total += amount
    return LineResult(
        "tildeling",
        -total,
        "Tildelingsmodellen: pladser × belægning × pakker × timepris fremskrevet med PL",
        inputs,
    )


def _sales(
    home: Home, year: int, days: int, residential: list[selectors.MixRow], lines: list[LineResult], notes: list[str]
) -> LineResult:
    rates = approved_day_rates(year, home.pk)
    default = rates.get((home.pk, None))
    inputs = [
        Row("Pladser", home.capacity, "int"),
        Row("Budgetteret belægning", home.budgeted_occupancy, "pct"),
        Row(f"Dage i {year}", days, "int"),
    ]
    if default is not None:
        source = f"Takstmodellen: takst {year} i kraft (godkendt eller fremskrevet)"
        day_for = {m.package_id: rates.get((home.pk, m.package_id), default) for m in residential}
        inputs.append(Row(f"Dagtakst {year} (i kraft)", default, "kr"))
    else:
        costs = {line.key: line.amount for line in lines}
        calc_ = new_calculation(home, year)
        cost_lines = [
            (f"Kladde {year}: {LINES[key][0]}", costs[key])
            for key in ("loen", "drift")
            if LINES[key][1] in calc_.cost_groups
        ]
        try:
            rate = compute_rate(
                year=year,
                cost_lines=cost_lines,
                overhead_pct=calc_.overhead_pct,
                capital_costs=calc_.capital_costs,
                regulation=regulation_for(calc_),
                places=calc_.places,
                occupancy_pct=calc_.occupancy_pct,
            )
        except RateError as exc:
            notes.append(f"Takstmodellen giver ingen takst: {exc}")
            return LineResult("salg", ZERO, f"Takstmodellen: {exc}", inputs)
        source = f"Takstmodellen på kladdens egne udgifter (ingen takst {year} endnu)"
        notes.append(
            f"Der er ingen takst for {year} i kraft: de solgte pladser er prissat med takstmodellen på kladdens "
            f"egne udgifter. Fremskriv takst {year - 1} med PL (Takster → Fremskrivning) eller godkend en takst "
            f"for {year}, og beregn kladden igen."
        )
        day_for = {m.package_id: rate.day for m in residential}
        inputs += [
            Row("Omkostningsgrundlag (kladdens løn og drift)", rate.cost_base, "kr"),
            Row(f"Overhead {format_number(rate.overhead_pct, 2)} %", rate.overhead, "kr"),
            Row("Kapitalomkostninger", rate.capital_costs, "kr"),
            Row(f"Regulering fra {year - 2}", rate.regulation.into_rate, "kr"),
            Row(f"Årstakst {year}", rate.annual, "kr"),
            Row(f"Dagtakst {year}", rate.day, "kr"),
        ]
    mix = [calc.PackageMix(m.name, m.weekly_hours, m.own, m.sold, day_for.get(m.package_id)) for m in residential]
    shares = calc.sale_shares(places=home.capacity, occupancy_pct=home.budgeted_occupancy, mix=mix, days=days)
    total = ZERO
    for s in shares:
        inputs.append(
            Row(
                f"Solgte pladser, {s.name}: {s.residents} af {calc.residents(mix)} beboere → "
                f"{format_number(s.places, 2)} pladser × dagtakst {format_number(s.day_rate, 2)} kr. × {days} dage",
                s.amount,
                "kr",
            )
        )
        total += s.amount
    return LineResult("salg", -total, source, inputs)


# --- Writes -----------------------------------------------------------------------------------


def draft_compute(*, home: Home, year: int, user: User, seen_version: int | None = None) -> BudgetDraft:
    """Compute (or recompute) the home's draft of ``year`` from the models.

    A recompute keeps each line's adjustment and its reason (the model's amount
    moves under it) and removes lines the models no longer give. Refused on a
    locked draft, and on a stale page (``seen_version``)."""
    result = compute_lines(home, year)
    function = selectors.home_function(home, year - 1)
    now = timezone.now()
    with transaction.atomic():
        draft = BudgetDraft.objects.select_for_update().filter(home=home, year=year).first()
        if draft is None:
            draft = BudgetDraft.objects.create(
                home=home, year=year, computed_at=now, computed_by=user, notes=result.notes
            )
        else:
            if draft.is_locked:
                raise DraftError(f"Budgettet for {year} er låst og kan ikke beregnes igen.")
            if seen_version is not None and draft.version != seen_version:
                raise VersionConflict(draft, seen_version)
            draft.computed_at, draft.computed_by, draft.notes = now, user, result.notes
            draft.version += 1
            draft.save()
        existing = {line.key: line for line in draft.lines.select_for_update()}
        for r in result.lines:
            label, group, art, position = LINES[r.key]
            line = existing.pop(r.key, None) or BudgetDraftLine(draft=draft, key=r.key)
            changed = line.pk is None or (line.model_amount, line.source, line.inputs, line.function_code) != (
                r.amount,
                r.source,
                r.inputs,
                function,
            )
            if not changed:
                continue
            line.label, line.group, line.art_code, line.position = label, group, art, position
            line.function_code, line.dranst = function, "1"
            line.model_amount, line.source, line.inputs = r.amount, r.source, r.inputs
            if line.pk:
                line.version += 1
            line.save()
        for gone in existing.values():
            gone.delete()
    return draft


def line_adjust(
    *, line: BudgetDraftLine, adjustment: Decimal, reason: str, seen_version: int, user: User
) -> BudgetDraftLine:
    """Set a line's adjustment (the amount added to the model's) with its reason."""
    if line.draft.is_locked:
        raise DraftError(f"Budgettet for {line.draft.year} er låst: linjerne kan ikke ændres.")
    adjustment = to_money(adjustment)
    reason = reason.strip()
    if adjustment != ZERO and not reason:
        raise DraftError("Skriv en begrundelse for tilpasningen.")
    if adjustment == ZERO:
        reason = ""
    with transaction.atomic():
        draft = BudgetDraft.objects.select_for_update().get(pk=line.draft_id)
        if draft.is_locked:
            raise DraftError(f"Budgettet for {draft.year} er låst: linjerne kan ikke ændres.")
        line.adjustment, line.adjustment_reason = adjustment, reason
        save_versioned(line, seen_version=seen_version, update_fields=["adjustment", "adjustment_reason"])
        # The draft's version moves with every line, so a lock from a page drawn
        # before this adjustment is refused (it would lock figures nobody saw).
        draft.version += 1
        draft.save(update_fields=["version"])
    return line


def draft_lock(*, draft: BudgetDraft, seen_version: int, user: User) -> BudgetDraft:
    """Lock the draft: it becomes the home's original budget for the year (one
    ``BudgetLine`` per account group; corrections already on those lines, such as a
    carry-over booked at year-end, stay on top). After this the draft is read-only."""

    with transaction.atomic():
        current = BudgetDraft.objects.select_for_update().get(pk=draft.pk)
        if current.is_locked:
            raise DraftError(f"Budgettet for {current.year} er allerede låst.")
        if current.version != seen_version:
            raise VersionConflict(current, seen_version)
        lines = list(BudgetDraftLine.objects.filter(draft=current).select_for_update())
        totals = {g.value: ZERO for g in AccountGroup}
        for line in lines:
            totals[line.group] += line.amount
        profiles = dict(
            BudgetLine.objects.filter(home_id=current.home_id, year=current.year - 1).values_list("group", "profile")
        )
        for group, amount in totals.items():
            budget_line = (
                BudgetLine.objects.select_for_update()
                .filter(home_id=current.home_id, year=current.year, group=group)
                .first()
            )
            if budget_line is None:
                BudgetLine.objects.create(
                    home_id=current.home_id,
                    year=current.year,
                    group=group,
                    original=amount,
                    profile=profiles.get(group) or [],
                )
            elif budget_line.original != amount:
                budget_line.original = amount
                budget_line.version += 1
                budget_line.save(update_fields=["original", "version"])
        current.status = BudgetDraft.Status.LOCKED
        current.locked_at, current.locked_by = timezone.now(), user
        current.version += 1
        current.save()
    return current


def drafts_compute(*, homes: list[Home], year: int, user: User) -> tuple[int, int]:
    """Compute the drafts of several homes (the overview's button); locked ones are
    left alone. Returns (computed, skipped as locked)."""
    locked = set(
        BudgetDraft.objects.filter(home__in=homes, year=year, status=BudgetDraft.Status.LOCKED).values_list(
            "home_id", flat=True
        )
    )
    done = 0
    for home in homes:
        if home.pk in locked:
            continue
        draft_compute(home=home, year=year, user=user)
        done += 1
    return done, len(locked)


def check_year(year: int, today: dt.date | None = None) -> None:
    """A draft is for a coming year: this year + 1 or later, within reach."""
    today = today or dt.date.today()
    if not today.year < year <= today.year + 2:
        raise DraftError(
            f"Der kan kun lægges budgetkladder for de kommende år ({today.year + 1}–{today.year + 2}), ikke {year}."
        )
