"""Retention: anonymising a citizen N years after the last placement ended.

Hand-computed boundaries (5 years): a placement that ended 31-03-2021 is due
on 31-03-2026 (exactly five years) and not on 30-03-2026 (one day less); an
end on 29-02-2020 is due on 01-03-2025, not on 28-02-2025 (the cut-off on
28-02-2025 is 28-02-2020); an open placement keeps the citizen forever.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.db.models import Sum

from budget.rates.models import Statement, StatementLine
from disponering.models import LedgerEntry
from tests.visitation.conftest import make_placement
from visitation.models import Citizen, Decision, Placement, RetentionItem, RetentionRun
from visitation.retention import apply_retention, cutoff_for, events_of, retention_report


def _ended(vis, end: dt.date, **kw) -> Placement:
    return make_placement(
        vis.own_108,
        status=Placement.Status.ENDED,
        start_date=kw.pop("start_date", dt.date(2016, 1, 1)),
        end_date=end,
        **kw,
    )


def _due_pks(today: dt.date, years: int = 5) -> list[int]:
    return [d.citizen_pk for d in retention_report(today=today, years=years).due]


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (dt.date(2026, 3, 31), dt.date(2021, 3, 31)),
        (dt.date(2028, 2, 29), dt.date(2023, 2, 28)),
        (dt.date(2025, 2, 28), dt.date(2020, 2, 28)),
        (dt.date(2025, 3, 1), dt.date(2020, 3, 1)),
    ],
)
def test_the_cutoff_is_today_minus_the_years(today, expected):
    assert cutoff_for(today, 5) == expected


def test_exactly_five_years_is_due_and_one_day_less_is_not(org, vis):
    placement = _ended(vis, dt.date(2021, 3, 31))
    assert _due_pks(dt.date(2026, 3, 30)) == []
    assert _due_pks(dt.date(2026, 3, 31)) == [placement.citizen_id]


def test_the_last_placement_counts_and_an_open_one_never_ends(org, vis):
    first = _ended(vis, dt.date(2018, 6, 30))
    citizen = first.citizen
    _ended(vis, dt.date(2021, 3, 31), citizen=citizen)  # the last one
    assert _due_pks(dt.date(2026, 3, 30)) == []
    assert _due_pks(dt.date(2026, 3, 31)) == [citizen.pk]
    make_placement(vis.own_108, citizen=citizen, status=Placement.Status.ACTIVE, start_date=dt.date(2021, 4, 1))
    assert _due_pks(dt.date(2040, 1, 1)) == []


def test_a_leap_day_end_is_due_on_the_first_of_march(org, vis):
    placement = _ended(vis, dt.date(2020, 2, 29))
    assert _due_pks(dt.date(2025, 2, 28)) == []
    assert _due_pks(dt.date(2025, 3, 1)) == [placement.citizen_id]


def test_a_rejected_proposal_ends_on_its_decision(org, vis):
    rejected = make_placement(vis.own_108, status=Placement.Status.REJECTED, start_date=dt.date(2021, 5, 1))
    Placement.objects.filter(pk=rejected.pk).update(decided_at=dt.datetime(2021, 4, 10, 12, tzinfo=dt.UTC))
    assert _due_pks(dt.date(2026, 4, 9)) == []
    assert _due_pks(dt.date(2026, 4, 10)) == [rejected.citizen_id]


def test_the_years_are_configurable(org, vis, settings):
    placement = _ended(vis, dt.date(2023, 3, 31))
    settings.BOTILBUD_RETENTION_YEARS = 3
    assert [d.citizen_pk for d in retention_report(today=dt.date(2026, 3, 31)).due] == [placement.citizen_id]
    settings.BOTILBUD_RETENTION_YEARS = 5
    assert retention_report(today=dt.date(2026, 3, 31)).due == []


def _world(org, vis):
    """A due citizen with a note, a decision, a ledger entry and a sent statement line."""
    placement = _ended(vis, dt.date(2020, 12, 31), note="Bor hos sin mor, AB har hund")
    citizen = placement.citizen
    Citizen.objects.filter(pk=citizen.pk).update(birth_year=1980)
    Decision.objects.create(
        placement=placement,
        level="myndighedsleder",
        outcome="godkendt",
        note="AB ønsker eget værelse",
        decided_by=org.authority_head,
    )
    entry = LedgerEntry.objects.create(
        home=org.home_a,
        category="indflytning",
        account_group="indtaegt",
        title="Indflytning AB",
        amount=Decimal("-123456.78"),
        start_date=dt.date(2020, 1, 1),
        end_date=dt.date(2020, 12, 31),
        comment="AB flytter ind",
        placement=placement,
    )
    statement = Statement.objects.create(
        home=org.home_a,
        municipality_id=147,
        month=dt.date(2020, 1, 1),
        total=Decimal("5000.00"),
        sent_by=org.administrator,
    )
    StatementLine.objects.create(
        statement=statement,
        placement=placement,
        case_number=citizen.case_number,
        initials="AB",
        days=31,
        day_rate=Decimal("161.29"),
        amount=Decimal("5000.00"),
    )
    kept = _ended(vis, dt.date(2022, 1, 31))  # not due yet
    return placement, citizen, entry, kept


def test_the_dry_run_lists_and_writes_nothing(org, vis, django_assert_max_num_queries):
    placement, citizen, entry, kept = _world(org, vis)
    with django_assert_max_num_queries(4):
        report = retention_report(today=dt.date(2026, 12, 1))
    [due] = report.due
    assert (due.citizen_pk, due.case_number, due.initials) == (citizen.pk, citizen.case_number, "AB")
    assert (due.last_end, due.placements, due.ledger_entries, due.statement_lines) == (
        dt.date(2020, 12, 31),
        1,
        1,
        1,
    )
    assert due.ledger_amount == Decimal("-123456.78")
    assert Citizen.objects.get(pk=citizen.pk).anonymised_at is None
    assert not RetentionRun.objects.exists()


def test_apply_anonymises_the_person_and_keeps_the_money(org, vis):
    placement, citizen, entry, kept = _world(org, vis)
    ledger_before = LedgerEntry.objects.aggregate(s=Sum("amount"))["s"]
    lines_before = StatementLine.objects.aggregate(s=Sum("amount"))["s"]
    old_case = citizen.case_number

    run = apply_retention(today=dt.date(2026, 12, 1), user=org.administrator)

    citizen.refresh_from_db()
    assert (citizen.case_number, citizen.initials, citizen.birth_year) == (f"anonym-{citizen.pk}", "anonym", None)
    assert citizen.anonymised_at is not None
    placement.refresh_from_db()
    assert placement.note == "" and placement.annual_price == Decimal("300000.00")
    assert Decision.objects.get(placement=placement).note == ""
    entry.refresh_from_db()
    assert (entry.title, entry.comment, entry.amount) == ("Indflytning anonym", "", Decimal("-123456.78"))
    line = StatementLine.objects.get(placement=placement)
    assert (line.case_number, line.initials, line.amount, line.days) == (
        f"anonym-{citizen.pk}",
        "anonym",
        Decimal("5000.00"),
        31,
    )
    assert LedgerEntry.objects.aggregate(s=Sum("amount"))["s"] == ledger_before
    assert StatementLine.objects.aggregate(s=Sum("amount"))["s"] == lines_before

    # The history keeps none of it either.

    for event_model in events_of(Citizen):
        assert not event_model.objects.filter(case_number=old_case).exists()
        assert not event_model.objects.filter(pgh_obj_id=citizen.pk, initials="AB").exists()
    for event_model in events_of(LedgerEntry):
        assert not event_model.objects.filter(pgh_obj_id=entry.pk, title__contains="AB").exists()

    # The run is recorded: by whom, with what rule, and what it touched.
    assert (run.run_by, run.years, run.cutoff, run.citizens) == (org.administrator, 5, dt.date(2021, 12, 1), 1)
    item = RetentionItem.objects.get(run=run)
    assert (item.citizen_id, item.last_end, item.placements, item.ledger_entries, item.statement_lines) == (
        citizen.pk,
        dt.date(2020, 12, 31),
        1,
        1,
        1,
    )
    # The citizen not due is untouched, and a second run finds nobody.
    assert not Citizen.objects.get(pk=kept.citizen_id).anonymised_at
    assert retention_report(today=dt.date(2026, 12, 1)).due == []


def test_the_command_is_a_dry_run_unless_told(org, vis, capsys):
    placement, citizen, entry, kept = _world(org, vis)
    call_command("retention", "--today", "2026-12-01")
    out = capsys.readouterr().out
    assert "Prøvekørsel: intet er ændret" in out
    assert citizen.case_number in out and "31-12-2020" in out and "-123.456,78 kr." in out
    assert Citizen.objects.get(pk=citizen.pk).anonymised_at is None
    assert not RetentionRun.objects.exists()

    call_command("retention", "--apply", "--today", "2026-12-01")
    assert "Anonymiseret: 1 borgere" in capsys.readouterr().out
    run = RetentionRun.objects.get()
    assert run.job == "manage.py retention --apply" and run.run_by is None
    assert Citizen.objects.get(pk=citizen.pk).anonymised_at is not None
