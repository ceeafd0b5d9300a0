"""Monthly settlement with other municipalities (mellemkommunal afregning).

A statement for (our home, paying municipality, month) lists that
municipality's citizens in the home: case number, initials, period, days,
day rate and amount, priced exactly as the home's sales income
(``budget.rates.sales``: approved day rate of the level × days). Until it is
sent the statement is computed live; sending freezes its lines
(``StatementLine``) and they are never rewritten. If a placement changes
after its month was sent (a back-dated end or package change), the next
unsent statement carries a correction line per changed placement and month:
what the month costs now − what was billed for it (in its own statement and
earlier corrections).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from typing import NamedTuple

from django.db import transaction
from django.db.models import Q

from botilbud.lib.dates import add_months, month_end
from botilbud.lib.money import ZERO
from botilbud.models import Home, Municipality
from budget.rates.models import Statement, StatementLine
from budget.rates.sales import day_rates, segments_in
from visitation.models import Placement, PlacementChange

COUNTED = ("godkendt", "aktiv", "ophoert")
# How far back a statement looks for changes to months already sent.
CORRECTION_MONTHS = 12


class SettlementError(Exception):
    pass


@dataclass(frozen=True)
class Line:
    placement_id: int
    case_number: str
    initials: str
    level: str
    period_start: dt.date | None
    period_end: dt.date | None
    days: int
    day_rate: Decimal | None
    amount: Decimal
    kind: str = StatementLine.Kind.MONTH
    corrects_month: dt.date | None = None


class _Change(NamedTuple):
    """What ``package_periods`` reads of a package change."""

    kind: str
    effective_date: dt.date
    old_package_id: int | None
    new_package_id: int | None


@dataclass(frozen=True)
class _Sale:
    """What pricing and a statement line read of a sale: plain values, not model
    instances (the administrator's overview prices every sale of the month)."""

    pk: int
    home_id: int
    paying_municipality_id: int
    start_date: dt.date
    end_date: dt.date | None
    package_id: int | None
    case_number: str
    initials: str


def _sales(home_ids: list[int], municipality_code: int | None, first: dt.date, last: dt.date) -> list[_Sale]:
    qs = (
        Placement.objects.sales()
        .filter(offer__home_id__in=home_ids, status__in=COUNTED, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
    )
    if municipality_code is not None:
        qs = qs.filter(paying_municipality_id=municipality_code)
    return [
        _Sale(*row)
        for row in qs.order_by("citizen__case_number", "pk").values_list(
            "pk",
            "offer__home_id",
            "paying_municipality_id",
            "start_date",
            "end_date",
            "package_id",
            "citizen__case_number",
            "citizen__initials",
        )
    ]


def _package_changes(sales: list[_Sale]) -> dict[int, list[_Change]]:
    """{placement id: its package changes in order}, in one query."""
    result: dict[int, list[_Change]] = defaultdict(list)
    if not sales:
        return result
    rows = (
        PlacementChange.objects.filter(placement_id__in=[s.pk for s in sales], kind="pakke")
        .order_by("effective_date", "pk")
        .values_list("placement_id", "kind", "effective_date", "old_package_id", "new_package_id")
    )
    for placement_id, kind, effective_date, old_package_id, new_package_id in rows:
        result[placement_id].append(_Change(kind, effective_date, old_package_id, new_package_id))
    return result


class RatesByYear(dict):
    """{year: ``day_rates(year)``}, read once per year: a statement with
    corrections reads up to 13 months' lines."""

    def __missing__(self, year: int) -> dict:
        self[year] = day_rates(year)
        return self[year]


def lines_by_pair(
    home_ids: list[int], month: dt.date, municipality_code: int | None = None, rates: RatesByYear | None = None
) -> dict:
    """{(home_id, paying municipality): the month's lines as they are now}, in five queries
    (three fewer when ``rates`` already holds the year's day rates; one fewer without sales).

    One line per package period of each placement: the approved day rate of its level × its days."""
    first, last = month, month_end(month)
    rates = (rates if rates is not None else RatesByYear())[month.year]
    result: dict[tuple[int, int], list[Line]] = defaultdict(list)
    sales = _sales(home_ids, municipality_code, first, last)
    changes = _package_changes(sales)
    for p in sales:
        for s in segments_in(p, first, last, rates=rates, changes=changes.get(p.pk, []), home_id=p.home_id):
            result[(p.home_id, p.paying_municipality_id)].append(
                Line(
                    p.pk,
                    p.case_number,
                    p.initials,
                    s.level,
                    s.start,
                    s.end,
                    s.days,
                    s.day_rate,
                    s.amount,
                )
            )
    return result


def month_lines(home_id: int, municipality_code: int, month: dt.date, rates: RatesByYear | None = None) -> list[Line]:
    return lines_by_pair([home_id], month, municipality_code, rates).get((home_id, municipality_code), [])


def _billed(home_id: int, municipality_code: int, months: list[dt.date]) -> dict[tuple[dt.date | None, int], Decimal]:
    """What was billed per (month, placement): its sent statement's lines and later corrections for it."""
    # The month is never None: a correction is selected by its corrected month.
    result: dict[tuple[dt.date | None, int], Decimal] = defaultdict(lambda: ZERO)
    rows = (
        StatementLine.objects.filter(statement__home_id=home_id, statement__municipality_id=municipality_code)
        .filter(
            Q(kind=StatementLine.Kind.MONTH, statement__month__in=months)
            | Q(kind=StatementLine.Kind.CORRECTION, corrects_month__in=months)
        )
        .values_list("kind", "statement__month", "corrects_month", "placement_id", "amount")
    )
    for kind, s_month, corrects, placement_id, amount in rows:
        m = s_month if kind == StatementLine.Kind.MONTH else corrects
        result[(m, placement_id)] += amount
    return result


def correction_lines(
    home_id: int, municipality_code: int, month: dt.date, rates: RatesByYear | None = None
) -> list[Line]:
    """Changes to months already sent (up to a year back), as corrections on ``month``'s statement."""
    sent_months = list(
        Statement.objects.filter(
            home_id=home_id,
            municipality_id=municipality_code,
            month__lt=month,
            month__gte=add_months(month, -CORRECTION_MONTHS),
        )
        .order_by("month")
        .values_list("month", flat=True)
    )
    if not sent_months:
        return []
    billed = _billed(home_id, municipality_code, sent_months)
    rates = rates if rates is not None else RatesByYear()
    result = []
    for m in sent_months:
        now: dict[int, list[Line]] = defaultdict(list)
        for line in month_lines(home_id, municipality_code, m, rates):
            now[line.placement_id].append(line)
        ids = set(now) | {pid for (bm, pid) in billed if bm == m}
        for pid in sorted(ids):
            current = sum((ln.amount for ln in now.get(pid, [])), ZERO)
            diff = current - billed.get((m, pid), ZERO)
            if diff == 0:
                continue
            sample = now[pid][0] if now.get(pid) else None
            if sample is None:
                p = Placement.objects.select_related("citizen").get(pk=pid)
                case, initials = p.citizen.case_number, p.citizen.initials
            else:
                case, initials = sample.case_number, sample.initials
            days = sum((ln.days for ln in now.get(pid, [])), 0)
            result.append(Line(pid, case, initials, "", None, None, days, None, diff, StatementLine.Kind.CORRECTION, m))
    return result


@dataclass
class StatementView:
    home_id: int
    municipality_code: int
    month: dt.date
    lines: list[Line]
    sent: Statement | None

    @property
    def total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines), ZERO)

    @property
    def correction_total(self) -> Decimal:
        return sum((ln.amount for ln in self.lines if ln.kind == StatementLine.Kind.CORRECTION), ZERO)


def statement(home_id: int, municipality_code: int, month: dt.date) -> StatementView:
    """The statement: frozen if sent, else live (the month's lines + corrections)."""
    sent = Statement.objects.filter(home_id=home_id, municipality_id=municipality_code, month=month).first()
    if sent is not None:
        lines = [
            Line(
                ln.placement_id,
                ln.case_number,
                ln.initials,
                ln.level,
                ln.period_start,
                ln.period_end,
                ln.days,
                ln.day_rate,
                ln.amount,
                ln.kind,
                ln.corrects_month,
            )
            for ln in sent.lines.all().order_by("kind", "case_number", "period_start", "pk")
        ]
        return StatementView(home_id, municipality_code, month, lines, sent)
    rates = RatesByYear()
    lines = month_lines(home_id, municipality_code, month, rates) + correction_lines(
        home_id, municipality_code, month, rates
    )
    return StatementView(home_id, municipality_code, month, lines, None)


@transaction.atomic
def send(*, home, municipality_code: int, month: dt.date, user) -> Statement:  # noqa: ANN001
    """Freeze and mark the statement as sent. A sent statement is never rewritten."""

    Home.objects.select_for_update().filter(pk=home.pk).first()  # one sender at a time per home
    if Statement.objects.filter(home=home, municipality_id=municipality_code, month=month).exists():
        raise SettlementError("Afregningen er allerede sendt; en sendt afregning ændres aldrig.")
    view = statement(home.pk, municipality_code, month)
    if not view.lines:
        raise SettlementError("Der er intet at afregne for måneden.")
    sent = Statement.objects.create(
        home=home, municipality_id=municipality_code, month=month, total=view.total, sent_by=user
    )
    StatementLine.objects.bulk_create(
        [
            StatementLine(
                statement=sent,
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
            for ln in view.lines
        ]
    )
    return sent


def overview(home_ids: list[int], month: dt.date) -> list[dict]:
    """Per home and paying municipality with sales in the month (or a sent statement): the
    month's days and amount, which are the homes' sales income for the month (the same
    function), and whether the statement is sent. A bounded number of queries."""

    live = lines_by_pair(home_ids, month)
    sent = {
        (s.home_id, s.municipality_id): s
        for s in Statement.objects.filter(home_id__in=home_ids, month=month).select_related("sent_by")
    }
    pairs = set(live) | set(sent)
    names = dict(Municipality.objects.filter(pk__in={c for _, c in pairs}).values_list("pk", "name"))
    homes = dict(Home.objects.filter(pk__in={h for h, _ in pairs}).values_list("pk", "name"))
    rows = []
    for home_id, code in sorted(pairs, key=lambda p: (homes[p[0]], names[p[1]])):
        lines = live.get((home_id, code), [])
        rows.append(
            {
                "home_id": home_id,
                "home": homes[home_id],
                "code": code,
                "municipality": names[code],
                "placements": len({ln.placement_id for ln in lines}),
                "days": sum(ln.days for ln in lines),
                "income": sum((ln.amount for ln in lines), ZERO),
                "sent": sent.get((home_id, code)),
            }
        )
    return rows
