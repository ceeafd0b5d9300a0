"""Visitation's scheduled jobs, deferred as the worker's schedule does (with
the scheduled time) and run through procrastinate's worker (``jobs``)."""

from __future__ import annotations

import datetime as dt

from tests.visitation.conftest import make_placement
from visitation import tasks
from visitation.models import Citizen, Placement, RetentionRun

APPROVED, ACTIVE, ENDED = Placement.Status.APPROVED, Placement.Status.ACTIVE, Placement.Status.ENDED


def _at(*args: int) -> int:
    return int(dt.datetime(*args, tzinfo=dt.UTC).timestamp())


def _statuses(*placements: Placement) -> list[str]:
    return [Placement.objects.get(pk=p.pk).status for p in placements]


def test_the_daily_step_works_on_the_danish_date_it_was_scheduled_for(org, vis, jobs):
    starts_today = make_placement(vis.ext_108, status=Placement.Status.APPROVED, start_date=dt.date(2026, 7, 1))
    starts_tomorrow = make_placement(vis.ext_108, status=Placement.Status.APPROVED, start_date=dt.date(2026, 7, 2))
    ended_yesterday = make_placement(
        vis.ext_108, start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 6, 30), next_follow_up=dt.date(2026, 9, 1)
    )
    ends_today = make_placement(vis.ext_108, start_date=dt.date(2025, 1, 1), end_date=dt.date(2026, 7, 1))
    all_four = (starts_today, starts_tomorrow, ended_yesterday, ends_today)
    # 21:59 UTC on 30 June is 23:59 Danish summer time: still 30 June, nothing is due.
    tasks.placements_daily.defer(timestamp=_at(2026, 6, 30, 21, 59))
    assert jobs.run() == {"visitation.placements_daily": "succeeded"}
    assert _statuses(*all_four) == [APPROVED, APPROVED, ACTIVE, ACTIVE]
    # The scheduled run, 23:10 UTC = 01:10 on 1 July: the first starts, the one
    # that ended on 30 June ends; the one ending on 1 July is active all that day.
    tasks.placements_daily.defer(timestamp=_at(2026, 6, 30, 23, 10))
    jobs.run()
    assert _statuses(*all_four) == [ACTIVE, APPROVED, ENDED, ACTIVE]
    assert Placement.objects.get(pk=ended_yesterday.pk).next_follow_up is None


def _due_on_31_march_2026(vis) -> Citizen:
    """A citizen whose last placement ended 31-03-2021: due exactly five years later."""
    placement = make_placement(
        vis.own_108, status=Placement.Status.ENDED, start_date=dt.date(2016, 1, 1), end_date=dt.date(2021, 3, 31)
    )
    return placement.citizen


def test_the_scheduled_retention_applies_on_the_day_and_records_the_run(org, vis, jobs):
    citizen = _due_on_31_march_2026(vis)
    run_before = RetentionRun.objects.count()
    tasks.retention_daily.defer(timestamp=_at(2026, 3, 30, 1, 30))  # 30 March: one day early
    jobs.run()
    citizen.refresh_from_db()
    assert citizen.anonymised_at is None
    tasks.retention_daily.defer(timestamp=_at(2026, 3, 31, 1, 30))
    assert jobs.run() == {"visitation.retention_daily": "succeeded"}
    citizen.refresh_from_db()
    assert (citizen.case_number, citizen.initials) == (f"anonym-{citizen.pk}", "anonym")
    run = RetentionRun.objects.order_by("-pk").first()
    assert RetentionRun.objects.count() == run_before + 2  # both runs are recorded, the first with 0
    assert (run.today, run.years, run.cutoff, run.citizens, run.job, run.run_by) == (
        dt.date(2026, 3, 31),
        5,
        dt.date(2021, 3, 31),
        1,
        tasks.SCHEDULED_RETENTION_JOB,
        None,
    )


def test_the_scheduled_retention_only_reports_when_apply_is_off(org, vis, jobs, settings):
    settings.BOTILBUD_RETENTION_SCHEDULED_APPLY = False
    citizen = _due_on_31_march_2026(vis)
    runs = RetentionRun.objects.count()
    tasks.retention_daily.defer(timestamp=_at(2026, 4, 1, 1, 30))
    assert jobs.run() == {"visitation.retention_daily": "succeeded"}
    citizen.refresh_from_db()
    assert citizen.anonymised_at is None and citizen.initials != "anonym"
    assert RetentionRun.objects.count() == runs
