"""Move-out: a placement without a generated income entry (one that came in
with the onboarding) can record its move-out in the ledger when it ends; a
placement with a generated entry never gets a manual one beside it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from botilbud.models import Paragraph
from disponering.bridge import handle_placement_event, manual_move_out_period
from disponering.models import Category, LedgerEntry, Status
from disponering.selectors import expected_changes
from visitation import events
from visitation import services as vservices
from visitation.models import Citizen, Offer, Placement, Provider, SupportPackage

INC = "indtaegt"


def m(month: int) -> dt.date:
    return dt.date(2026, month, 1)


@pytest.fixture
def placement(org):
    own = Provider.objects.create(name="Egne botilbud", kind=Provider.Kind.OWN)
    p85, _ = Paragraph.objects.get_or_create(
        code="§85", defaults={"name": "Socialpædagogisk støtte", "ladder_step": Paragraph.Ladder.INDIVIDUAL}
    )
    offer = Offer.objects.create(provider=own, name="Egebakken", paragraph=p85, home=org.home_a)
    citizen = Citizen.objects.create(case_number="T-9", initials="MO")
    return Placement.objects.create(
        citizen=citizen,
        offer=offer,
        package=SupportPackage.objects.create(name="Test 6 t", weekly_hours=D("6.00")),
        start_date=dt.date(2024, 3, 1),
        annual_price=D("124800.00"),
        status=Placement.Status.ACTIVE,
        required_level="myndighedsleder",
    )


def end(placement, date, *, manual=False, user=None, previous_end=None):
    return events.PlacementEvent(
        kind="end",
        placement=placement,
        date=date,
        old_weekly_hours=D("6"),
        new_weekly_hours=None,
        manual_move_out=manual,
        user=user,
        previous_end=previous_end,
    )


def test_period_boundaries():
    assert manual_move_out_period(dt.date(2026, 9, 15), None) == (dt.date(2026, 9, 16), dt.date(2026, 12, 31))
    # Ended on the last day of the year: nothing is lost this year.
    assert manual_move_out_period(dt.date(2026, 12, 31), None) is None
    # Had an expected end: the budget counted it only until then.
    assert manual_move_out_period(dt.date(2026, 9, 15), dt.date(2026, 10, 31)) == (
        dt.date(2026, 9, 16),
        dt.date(2026, 10, 31),
    )
    assert manual_move_out_period(dt.date(2026, 9, 15), dt.date(2026, 9, 15)) is None


def test_manual_move_out_records_the_income_drop(org, placement):
    handle_placement_event(end(placement, dt.date(2026, 9, 15), manual=True, user=org.caseworker))
    entry = LedgerEntry.objects.get()
    assert entry.category == Category.MOVE_OUT and not entry.generated and entry.placement == placement
    assert entry.registered_by == org.caseworker and entry.title == "Fraflytning MO"
    assert (entry.start_date, entry.end_date) == (dt.date(2026, 9, 16), dt.date(2026, 12, 31))
    changes = expected_changes(org.home_a, 2026)
    # 6 h × 400 kr. × days/7, less income = a positive amount on the income group:
    # 16–30 September 15 days = 5.142,86; October 31 days = 10.628,57;
    # November 30 days = 10.285,71; December 10.628,57.
    assert changes[(m(9), INC)] == D("5142.86")
    assert changes[(m(10), INC)] == D("10628.57")
    assert changes[(m(11), INC)] == D("10285.71")
    assert changes[(m(12), INC)] == D("10628.57")
    assert entry.amount == D("36685.71")
    assert (m(8), INC) not in changes


def test_not_asked_for_nothing_is_written(org, placement):
    handle_placement_event(end(placement, dt.date(2026, 9, 15)))
    assert not LedgerEntry.objects.exists()


def test_previous_end_caps_the_drop(org, placement):
    handle_placement_event(end(placement, dt.date(2026, 9, 15), manual=True, previous_end=dt.date(2026, 10, 31)))
    assert LedgerEntry.objects.get().amount == D("15771.43")  # 5.142,86 + 10.628,57


def test_ending_again_moves_the_same_entry(org, placement):
    handle_placement_event(end(placement, dt.date(2026, 9, 15), manual=True))
    # Ended again later (a corrected date), without asking again: the entry follows.
    handle_placement_event(end(placement, dt.date(2026, 11, 30)))
    entry = LedgerEntry.objects.get()
    assert entry.amount == D("10628.57") and entry.start_date == dt.date(2026, 12, 1)
    # Ended on 31 December: nothing is lost, so the entry is cancelled, not deleted.
    handle_placement_event(end(placement, dt.date(2026, 12, 31)))
    entry.refresh_from_db()
    assert entry.status == Status.CANCELLED
    assert LedgerEntry.objects.count() == 1


def test_generated_income_is_never_doubled(org, placement):
    handle_placement_event(
        events.PlacementEvent(
            kind="start", placement=placement, date=dt.date(2026, 3, 1), old_weekly_hours=None, new_weekly_hours=D("6")
        )
    )
    handle_placement_event(end(placement, dt.date(2026, 9, 15), manual=True))
    entry = LedgerEntry.objects.get()  # still only the generated one
    assert entry.generated and entry.end_date == dt.date(2026, 9, 15)


def test_end_page_offers_the_move_out_only_without_a_generated_entry(org, placement, client_for):
    c = client_for(org.caseworker)
    url = reverse("visitation:placement_end", args=[placement.pk])
    page = c.get(url).content.decode()
    assert 'name="ledger_move_out"' in page and 'data-testid="generated-income-note"' not in page
    r = c.post(url, {"end_date": "2026-09-15", "version": placement.version, "ledger_move_out": "on"})
    assert r.status_code == 302
    entry = LedgerEntry.objects.get(placement=placement)
    assert entry.category == Category.MOVE_OUT and entry.amount == D("36685.71")
    assert entry.registered_by == org.caseworker


def test_end_page_with_generated_income_says_so(org, placement, client_for):
    vservices.placement_change_package(
        placement=placement,
        new_package=SupportPackage.objects.create(name="Test 8 t", weekly_hours=D("8.00")),
        effective_date=dt.date(2026, 7, 1),
        user=org.caseworker,
    )
    placement.refresh_from_db()
    c = client_for(org.caseworker)
    url = reverse("visitation:placement_end", args=[placement.pk])
    page = c.get(url).content.decode()
    assert 'name="ledger_move_out"' not in page and 'data-testid="generated-income-note"' in page
    # A forged post with the box ticked still writes no manual entry.
    r = c.post(url, {"end_date": "2026-09-15", "version": placement.version, "ledger_move_out": "on"})
    assert r.status_code == 302
    assert not LedgerEntry.objects.filter(placement=placement, generated=False).exists()


def test_end_page_is_scoped(org, placement, client_for):
    url = reverse("visitation:placement_end", args=[placement.pk])
    assert client_for(org.manager).get(url).status_code == 403
