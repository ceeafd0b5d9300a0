"""The demo's follow-up rhythm (``budget.followup.demo.seed_cycle``): the current
round's actuals are never imported after the demo's today nor after a step a home
has taken, so no cycle time is negative (the round page showed -0,5 dage)."""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from botilbud.demo import DemoContext
from budget.followup.demo import seed_cycle
from budget.followup.models import HomeFollowUp, Round, Step


def _round(month: dt.date) -> Round:
    return Round.objects.create(
        month=month,
        prepare_deadline=month.replace(month=month.month + 1, day=8),
        confirm_deadline=month.replace(month=month.month + 1, day=12),
        approve_deadline=month.replace(month=month.month + 1, day=16),
    )


def test_current_round_imported_before_today_and_before_its_first_step(org):
    tz = timezone.get_current_timezone()
    _round(dt.date(2026, 10, 1))
    current = _round(dt.date(2026, 11, 1))
    # Home A's November follow-up was prepared on the demo's today, 2 December at 06:30,
    # before both the usual import time (3 December 08:00) and today at 07:00.
    prepared = dt.datetime(2026, 12, 2, 6, 30, tzinfo=tz)
    HomeFollowUp.objects.create(round=current, home=org.home_a, step=Step.MANAGER, prepared_at=prepared)
    ctx = DemoContext(rng=random.Random(1), scale="small", today=dt.date(2026, 12, 2), years=[2026])

    seed_cycle(ctx)

    current.refresh_from_db()
    assert current.actuals_imported_at == prepared
    fu = HomeFollowUp.objects.select_related("round").get(round=current, home=org.home_a)
    fu.approved_at = prepared + dt.timedelta(hours=36)  # approved the day after: 1,5 days
    assert fu.cycle_days == Decimal("1.5")


def test_current_round_without_steps_is_imported_at_seven_on_today_at_the_latest(org):
    tz = timezone.get_current_timezone()
    _round(dt.date(2026, 10, 1))
    current = _round(dt.date(2026, 11, 1))
    ctx = DemoContext(rng=random.Random(1), scale="small", today=dt.date(2026, 12, 2), years=[2026])

    seed_cycle(ctx)

    current.refresh_from_db()
    assert current.actuals_imported_at == dt.datetime(2026, 12, 2, 7, 0, tzinfo=tz)
    # On the 5th the usual time (the 3rd at 08:00) is already past: it stays.
    Round.objects.filter(pk=current.pk).update(actuals_imported_at=None)
    seed_cycle(DemoContext(rng=random.Random(1), scale="small", today=dt.date(2026, 12, 5), years=[2026]))
    current.refresh_from_db()
    assert current.actuals_imported_at == dt.datetime(2026, 12, 3, 8, 0, tzinfo=tz)
