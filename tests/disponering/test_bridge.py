"""From visitation to the ledger: generated entries for placements in own homes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
import time_machine

from botilbud.models import HourPrice, Paragraph
from disponering.bridge import handle_placement_event
from disponering.models import Category, LedgerEntry, Status
from disponering.selectors import expected_changes
from visitation import services as vservices

visitation = pytest.importorskip("visitation.events")
from visitation import events  # noqa: E402
from visitation.models import Citizen, Offer, Placement, Provider, SupportPackage  # noqa: E402

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
    citizen = Citizen.objects.create(case_number="T-1", initials="KL")
    return Placement.objects.create(
        citizen=citizen,
        offer=offer,
        package=SupportPackage.objects.create(name="Test 6 t", weekly_hours=D("6.00")),
        start_date=dt.date(2026, 3, 1),
        annual_price=D("124800.00"),
        status=Placement.Status.ACTIVE,
        required_level="myndighedsleder",
    )


def event(kind, placement, date, old=None, new=None):
    return events.PlacementEvent(kind=kind, placement=placement, date=date, old_weekly_hours=old, new_weekly_hours=new)


def test_handler_is_registered():
    assert handle_placement_event in events._handlers


def test_start_creates_expected_income_from_start_month(org, placement):
    handle_placement_event(event("start", placement, dt.date(2026, 3, 1), new=D("6")))
    entry = LedgerEntry.objects.get()
    assert entry.generated and entry.placement == placement and entry.category == Category.MOVE_IN
    changes = expected_changes(org.home_a, 2026)
    # 6 h × 400 × 31/7 = 10,628.57 in March; nothing before.
    assert changes[(m(3), INC)] == D("-10628.57")
    assert changes[(m(4), INC)] == D("-10285.71")
    assert (m(2), INC) not in changes
    # The same event again updates, never duplicates.
    handle_placement_event(event("start", placement, dt.date(2026, 3, 1), new=D("6")))
    assert LedgerEntry.objects.count() == 1


@time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False)
def test_package_change_6_to_10_from_july(org, placement):
    handle_placement_event(event("package_change", placement, dt.date(2026, 7, 1), old=D("6"), new=D("10")))
    entry = LedgerEntry.objects.get()
    assert entry.category == Category.SUPPORT_CHANGE and entry.generated
    changes = expected_changes(org.home_a, 2026)
    assert [k[0] for k in sorted(changes)] == [m(k) for k in range(7, 13)]
    assert changes[(m(7), INC)] == D("-7085.71")
    assert changes[(m(9), INC)] == D("-6857.14")
    # Open-ended: it runs on through next budget year (2027 at the latest price, 400):
    # 2026 July–Dec 42.057,12 + 2027 (7 × 7.085,71 + 4 × 6.857,14 + 6.400,00 = 83.428,53).
    assert entry.end_date == dt.date(2027, 12, 31)
    assert sum(expected_changes(org.home_a, 2027).values()) == D("-83428.53")
    assert entry.amount == D("-125485.65")
    # Corrected to 9 hours on the same date: updated in place, from the first "before".
    handle_placement_event(event("package_change", placement, dt.date(2026, 7, 1), old=D("10"), new=D("9")))
    assert LedgerEntry.objects.count() == 1
    assert expected_changes(org.home_a, 2026)[(m(9), INC)] == D("-5142.86")  # 3 h × 400 × 30/7


def test_end_stops_the_income(org, placement):
    handle_placement_event(event("start", placement, dt.date(2026, 3, 1), new=D("6")))
    handle_placement_event(event("package_change", placement, dt.date(2026, 7, 1), old=D("6"), new=D("10")))
    handle_placement_event(event("end", placement, dt.date(2026, 9, 15)))
    assert LedgerEntry.objects.count() == 2
    changes = expected_changes(org.home_a, 2026)
    assert (m(10), INC) not in changes
    # September: 15 days of 10 h × 400 / 7 = 8,571.43.
    assert changes[(m(9), INC)] == D("-8571.43")
    assert LedgerEntry.objects.get(category=Category.MOVE_IN).end_date == dt.date(2026, 9, 15)


@time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False)
def test_open_ended_placement_carries_its_income_into_next_year(org, placement):
    handle_placement_event(event("start", placement, dt.date(2026, 3, 1), new=D("6")))
    entry = LedgerEntry.objects.get()
    assert entry.end_date == dt.date(2027, 12, 31)
    changes = expected_changes(org.home_a, 2027)
    # 2027 at the latest price (400): January 6 × 400 × 31/7 = 10.628,57; February × 28/7 = 9.600.
    assert changes[(dt.date(2027, 1, 1), INC)] == D("-10628.57")
    assert changes[(dt.date(2027, 2, 1), INC)] == D("-9600.00")
    assert changes[(dt.date(2027, 12, 1), INC)] == D("-10628.57")


@time_machine.travel(dt.datetime(2026, 12, 1, 12, tzinfo=dt.UTC), tick=False)
def test_move_out_ends_income_of_a_placement_from_an_earlier_year(org, placement):
    HourPrice.objects.update_or_create(home=org.home_a, year=2025, defaults={"hour_price": D("380.00")})
    handle_placement_event(event("start", placement, dt.date(2025, 5, 1), new=D("6")))
    entry = LedgerEntry.objects.get()
    assert entry.start_date == dt.date(2025, 5, 1) and entry.end_date == dt.date(2027, 12, 31)
    # May 2025 at the 2025 price: 6 × 380 × 31/7 = 10.097,14.
    assert expected_changes(org.home_a, 2025)[(dt.date(2025, 5, 1), INC)] == D("-10097.14")
    handle_placement_event(event("end", placement, dt.date(2026, 9, 15)))
    entry.refresh_from_db()
    assert entry.end_date == dt.date(2026, 9, 15)
    changes = expected_changes(org.home_a, 2026)
    # Ends from the end date: 15 September days 6 × 400 × 15/7 = 5.142,86; nothing after.
    assert changes[(m(9), INC)] == D("-5142.86")
    assert (m(10), INC) not in changes
    assert expected_changes(org.home_a, 2027) == {}
    # Boundary: ended on the last day of a month, the next month has nothing.
    handle_placement_event(event("end", placement, dt.date(2026, 8, 31)))
    changes = expected_changes(org.home_a, 2026)
    assert changes[(m(8), INC)] == D("-10628.57") and (m(9), INC) not in changes


def test_end_before_a_change_cancels_it(org, placement):
    handle_placement_event(event("package_change", placement, dt.date(2026, 7, 1), old=D("6"), new=D("10")))
    handle_placement_event(event("end", placement, dt.date(2026, 6, 30)))
    entry = LedgerEntry.objects.get()
    assert entry.status == Status.CANCELLED
    assert expected_changes(org.home_a, 2026) == {}


def test_external_offer_creates_nothing(org, placement):
    placement.offer.home = None
    placement.offer.save()
    handle_placement_event(event("start", placement, dt.date(2026, 3, 1), new=D("6")))
    assert LedgerEntry.objects.count() == 0


def test_through_visitation_service(org, placement):
    HourPrice.objects.get_or_create(home=org.home_a, year=2026, defaults={"hour_price": "400.00"})
    vservices.placement_change_package(
        placement=placement,
        new_package=SupportPackage.objects.create(name="Test 12 t", weekly_hours=D("12.00")),
        effective_date=dt.date(2026, 7, 1),
        user=org.caseworker,
    )
    entry = LedgerEntry.objects.get(placement=placement)
    assert entry.generated
    # 6 → 12 hours: 6 × 400 × 31/7 = 10,628.57 in July.
    assert expected_changes(org.home_a, 2026)[(m(7), INC)] == D("-10628.57")
