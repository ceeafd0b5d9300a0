"""Reads of the shared ledger. Every aggregate is one SQL query.

``expected_changes`` and ``expected_changes_for_homes`` are the contract the
budget forecast uses: the net expected change per month and account group,
cancelled entries excluded (generated entries from visitation included).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, TypedDict
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, OuterRef, QuerySet, Sum
from django.utils import timezone
from django.utils.safestring import SafeString

from botilbud.lib.dates import MONTH_NAMES, selectable_years, year_months
from botilbud.models import AccountGroup, Home
from disponering.models import (
    CATEGORY_GROUPS,
    STAFF_CATEGORIES,
    Category,
    LedgerEntry,
    LedgerEntryMonth,
    LedgerMonthTotal,
    Status,
)
from disponering.rows import ROW_FIELDS


def _year_months_qs(year: int, home_ids: list[int]) -> QuerySet[LedgerEntryMonth]:
    """The counted month amounts of the homes in the year.

    Only the month table is scanned (``ledger_month_home_month``: the homes'
    months of the year); a month row carries its entry's home and lies inside
    its entry's period, so it never needs the entry joined. Cancelled entries
    are left out by an anti-join with the homes' cancelled entries of the
    year (``ledger_cancelled_home_end``, a partial index of a few rows), so the
    cost follows the homes' months of this year, not the whole ledger's
    history."""
    first = dt.date(year, 1, 1)
    cancelled = LedgerEntry.objects.filter(
        pk=OuterRef("entry_id"), home_id__in=home_ids, status=Status.CANCELLED, end_date__gte=first
    )
    return LedgerEntryMonth.objects.filter(
        ~Exists(cancelled),
        home_id__in=home_ids,
        month__gte=first,
        month__lte=dt.date(year, 12, 1),
    )


def _totals_qs(year: int, home_ids: list[int]) -> QuerySet[LedgerMonthTotal]:
    """The homes' counted month sums of the year from the trigger-kept summary
    ``LedgerMonthTotal`` (36 rows a home and year, however many entries): the
    same numbers as summing ``_year_months_qs`` (tested), read through its
    unique (home, month, group) index."""
    return LedgerMonthTotal.objects.filter(
        home_id__any=home_ids, month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1), months__gt=0
    )


def expected_changes(home: Home | int, year: int) -> dict[tuple[dt.date, str], Decimal]:
    """Net expected change per (month start, AccountGroup value) for one home.

    Only cells with entries are present; missing keys mean zero.
    """
    home_id = home if isinstance(home, int) else home.pk
    rows = _totals_qs(year, [home_id]).values_list("month", "account_group", "amount")
    return {(month, group): amount for month, group, amount in rows}


def expected_changes_for_homes(home_ids: Iterable[int], year: int) -> dict[tuple[int, dt.date, str], Decimal]:
    """Like ``expected_changes`` for many homes in one query: (home id, month, group) → amount."""
    rows = _totals_qs(year, list(home_ids)).values_list("home_id", "month", "account_group", "amount")
    return {(home_id, month, group): amount for home_id, month, group, amount in rows}


def expected_changes_after(home_ids: Iterable[int], year: int, month: int) -> dict[tuple[int, str], Decimal]:
    """Σ the expected changes in the months after ``month`` (0–12) of ``year``,
    per (home id, account group), summed in one query: the ledger's part of
    the forecast at month ``month``."""
    # A date range, not EXTRACT(month ...) > m, so the (home, month) index serves
    # it. After December nothing is left (the query still runs: a page's query
    # count does not depend on the month).
    after = dt.date(year, month + 1, 1) if month < 12 else dt.date(year + 1, 1, 1)
    rows = (
        _totals_qs(year, list(home_ids))
        .filter(month__gte=after)
        .values("home_id", "account_group")
        .annotate(total=Sum("amount"))
        .order_by()
    )
    return {(r["home_id"], r["account_group"]): r["total"] for r in rows}


def staff_changes(home: Home | int, year: int) -> list[dict[str, Any]]:
    """The year's staff entries on the wage group (leave, sickness, vacancies,
    hires, temps, overtime), per category: entries and Σ amount in the year,
    cancelled ones excluded; one query. The staff-hours tool shows them beside
    the wage budget (positive = more wage spent)."""
    home_id = home if isinstance(home, int) else home.pk
    rows = (
        _year_months_qs(year, [home_id])
        .filter(account_group=AccountGroup.WAGES, entry__category__in=STAFF_CATEGORIES)
        .values("entry__category")
        .annotate(total=Sum("amount"), entries=Count("entry_id", distinct=True))
        .order_by()
    )
    labels = dict(Category.choices)
    order = {c: i for i, c in enumerate(STAFF_CATEGORIES)}
    return sorted(
        (
            {
                "category": r["entry__category"],
                "label": labels[r["entry__category"]],
                "entries": r["entries"],
                "total": r["total"],
            }
            for r in rows
        ),
        key=lambda r: order[r["category"]],
    )


def ledger_grid(home: Home, year: int) -> dict[str, Any]:
    """The grid of the ledger page: rows per account group, 12 month cells, totals."""
    changes = expected_changes(home, year)
    months = year_months(year)
    zero = Decimal("0.00")
    rows = []
    month_totals = [zero] * 12
    for group in AccountGroup:
        cells = [changes.get((m, group.value), zero) for m in months]
        month_totals = [a + b for a, b in zip(month_totals, cells, strict=True)]
        rows.append({"group": group, "cells": cells, "total": sum(cells, zero)})
    return {
        "months": months,
        "rows": rows,
        "month_totals": month_totals,
        "total": sum(month_totals, zero),
    }


def entries_for_home(
    home: Home, year: int, *, category: str = "", status: str = "", month: int | None = None
) -> QuerySet[LedgerEntry]:
    """The home's entries that touch the year (or, with ``month``, that month of it)."""
    qs = (
        LedgerEntry.objects.filter(home=home)
        .overlapping_year(year)
        .select_related("registered_by")
        .order_by("start_date", "pk")
    )
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    if month:
        first = dt.date(year, month, 1)
        last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        qs = qs.filter(start_date__lte=last, end_date__gte=first)
    return qs


# --- The ledger page ---------------------------------------------------------------

# At most PAGE_SIZE rows per page: a home with a thousand entries opens as fast
# as one with ten (one COUNT and one page of rows).
PAGE_SIZE = 100

# A choice list grouped for <optgroup>: (group label, [(value, label), …]).
GroupedChoices = list[tuple[str, list[tuple[str, str]]]]


def category_choices() -> GroupedChoices:
    """The categories grouped as the entry form and the ledger's filter show them."""
    return [(group, [(c.value, c.label) for c in cats]) for group, cats in CATEGORY_GROUPS]


@dataclass(frozen=True)
class LedgerFilters:
    """The ledger page's filters from the query string; an unknown value is no filter."""

    category: str = ""
    status: str = ""
    month: int | None = None

    @classmethod
    def parse(cls, get: Mapping[str, str]) -> LedgerFilters:
        category = get.get("kategori", "")
        status = get.get("status", "")
        raw_month = get.get("maaned", "")
        if category not in Category.values:
            category = ""
        if status not in Status.values:
            status = ""
        month = int(raw_month) if raw_month.isascii() and raw_month.isdigit() and 1 <= int(raw_month) <= 12 else None
        return cls(category=category, status=status, month=month)

    def query(self) -> str:
        """The filters as a query string (without ``?``), empty ones left out."""
        params = {"kategori": self.category, "status": self.status, "maaned": str(self.month) if self.month else ""}
        return urlencode({k: v for k, v in params.items() if v})


class LedgerPage(TypedDict, total=False):
    """The ledger page's context: the filters always; the grid, the page of
    entries and their rows as the part asked for needs them."""

    home: Home
    year: int
    years: list[int]
    can_write: bool
    category: str
    status: str
    category_choices: GroupedChoices
    status_choices: list[tuple[str, str]]
    month: int | None
    month_choices: list[tuple[int, str]]
    filter_query: str
    grid: dict[str, Any]
    page: Page[LedgerEntry]
    rows: SafeString


def ledger_page(home: Home, year: int, filters: LedgerFilters, *, can_write: bool) -> LedgerPage:
    """The part of the ledger page every answer has: the home, the year and the filters (no query)."""
    return {
        "home": home,
        "year": year,
        "years": selectable_years(year),
        "can_write": can_write,
        "category": filters.category,
        "status": filters.status,
        "category_choices": category_choices(),
        "status_choices": Status.choices,
        "month": filters.month,
        "month_choices": [(m, MONTH_NAMES[m - 1].capitalize()) for m in range(1, 13)],
        "filter_query": filters.query(),
    }


def ledger_entries_page(home: Home, year: int, filters: LedgerFilters, number: str | None) -> Page[LedgerEntry]:
    """One page (``number``, as the query string has it) of the home's entries
    under the filters: a COUNT and one page of rows, only the row's columns."""
    entries = entries_for_home(home, year, category=filters.category, status=filters.status, month=filters.month).only(
        *ROW_FIELDS
    )
    return Paginator(entries, PAGE_SIZE).get_page(number)


def entry_months(entry_ids: Iterable[int], year: int) -> dict[int, dict[dt.date, Decimal]]:
    """Each entry's amounts per month of the year (one query)."""
    result: dict[int, dict[dt.date, Decimal]] = {}
    rows = LedgerEntryMonth.objects.filter(
        entry_id__in=list(entry_ids), month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1)
    ).values_list("entry_id", "month", "amount")
    for entry_id, month, amount in rows:
        result.setdefault(entry_id, {})[month] = amount
    return result


def year_totals_for_homes(home_ids: Iterable[int], year: int) -> dict[tuple[int, str], Decimal]:
    """Net expected change in the whole year per (home id, account group): one query."""
    rows = _totals_qs(year, list(home_ids)).values("home_id", "account_group").annotate(total=Sum("amount")).order_by()
    return {(r["home_id"], r["account_group"]): r["total"] for r in rows}


def start_context(request: Any) -> dict[str, Any]:
    """The start page block: the user's homes and this year's expected changes."""

    year = timezone.localdate().year
    homes = list(Home.objects.writable_by(request.user).order_by("name"))
    totals = year_totals_for_homes([h.pk for h in homes], year)
    zero = Decimal("0.00")
    rows = []
    for home in homes:
        cells = [totals.get((home.pk, g.value), zero) for g in AccountGroup]
        rows.append({"home": home, "cells": cells, "total": sum(cells, zero)})
    return {"ledger_year": year, "ledger_rows": rows, "ledger_groups": list(AccountGroup)}
