"""The demo's rates step writes its rows set-based (``budget.rates.demo``); they must be
what the services write one home at a time: the approval's frozen calculation, the
sales' ledger entries and the sent statements."""

from __future__ import annotations

import datetime as dt
import io

from django.core.management import call_command

from budget.rates import sales, settlement
from budget.rates.models import RateCalculation, RateLevel, Statement
from budget.rates.selectors import rate_for
from budget.rates.services import snapshot
from disponering.models import LedgerEntry

ENTRY_FIELDS = ("placement_id", "home_id", "title", "amount", "start_date", "end_date", "status", "comment", "spread")


def _sale_entries() -> list[tuple]:
    entries = LedgerEntry.objects.filter(generated=True, generated_key__startswith="salg").order_by("pk")
    return [
        (*(getattr(e, f) for f in ENTRY_FIELDS), sorted(e.months.values_list("month", "amount")))
        for e in entries.prefetch_related("months")
    ]


def test_demo_rates_sales_and_statements_are_what_the_services_write(db):
    call_command("seed_demo", scale="small", today="2026-12-01", years=2, stdout=io.StringIO())
    approved = list(RateCalculation.objects.filter(year=2026, status="godkendt").prefetch_related("levels"))
    assert approved
    for calc in approved:
        result = rate_for(calc)
        assert calc.approved_snapshot == snapshot(result)
        assert (calc.approved_annual, calc.approved_day, calc.version) == (result.annual, result.day, 2)
        rates = {lv.name: (lv.annual, lv.day) for lv in result.levels}
        assert {lv.name: (lv.approved_annual, lv.approved_day) for lv in calc.levels.all()} == rates
    assert RateLevel.objects.filter(calculation__in=approved, version=2).count() == 2 * len(approved)

    # Refreshing every sale the one-by-one way changes none of its entries.
    entries = _sale_entries()
    assert entries
    for calc in approved:
        sales.refresh_home_sales(calc.home_id, 2026)
    assert _sale_entries() == entries

    # Each sent statement is what ``settlement.send`` freezes: the month's lines and no corrections.
    statements = list(Statement.objects.order_by("month", "pk"))
    assert len(statements) > 5
    for st in statements:
        frozen = settlement.statement(st.home_id, st.municipality_id, st.month).lines
        live = settlement.month_lines(st.home_id, st.municipality_id, st.month) + settlement.correction_lines(
            st.home_id, st.municipality_id, st.month
        )
        assert sorted(frozen, key=repr) == sorted(live, key=repr)
        assert st.total == sum(ln.amount for ln in live)
        assert dt.date(2026, 1, 1) <= st.month < dt.date(2026, 12, 1)
