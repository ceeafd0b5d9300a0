from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from botilbud.models import Paragraph
from tests.visitation.conftest import make_placement
from visitation import events, services
from visitation.models import (
    ApprovalLevel,
    CompetenceThreshold,
    Decision,
    FollowUp,
    Placement,
    PlacementChange,
    Provider,
    SupportPackage,
)
from visitation.services import BeyondCompetence, PlacementError, required_level

OWN = Provider.Kind.OWN


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("amount", "kind", "level"),
    [
        ("0.00", OWN, ApprovalLevel.CASEWORKER),
        ("110000.00", OWN, ApprovalLevel.CASEWORKER),
        ("110000.01", OWN, ApprovalLevel.AUTHORITY_HEAD),
        ("415000.00", OWN, ApprovalLevel.AUTHORITY_HEAD),
        ("415000.01", OWN, ApprovalLevel.COMMITTEE),
        ("1000000.00", OWN, ApprovalLevel.COMMITTEE),
        ("1000000.01", OWN, ApprovalLevel.POLITICAL),
        ("50000.00", Provider.Kind.PRIVATE, ApprovalLevel.COMMITTEE),
        ("300000.00", Provider.Kind.REGION, ApprovalLevel.COMMITTEE),
        ("110000.00", Provider.Kind.OTHER_MUNICIPALITY, ApprovalLevel.COMMITTEE),
        ("1000000.01", Provider.Kind.PRIVATE, ApprovalLevel.POLITICAL),
    ],
)
def test_threshold_routing_at_each_boundary(vis, amount, kind, level):
    assert required_level(Decimal(amount), kind) == level


@pytest.mark.django_db
def test_thresholds_are_data(vis):  # the admin edits them
    CompetenceThreshold.objects.filter(level="sagsbehandler").update(max_amount=Decimal("150000.00"))
    assert required_level(Decimal("150000.00"), OWN) == ApprovalLevel.CASEWORKER
    assert required_level(Decimal("150000.01"), OWN) == ApprovalLevel.AUTHORITY_HEAD


def test_price_on_date_uses_price_history(vis):
    assert vis.ext_108.price_on(dt.date(2024, 12, 31)) is None
    assert vis.ext_108.price_on(dt.date(2025, 1, 1)) == Decimal("580000.00")
    assert vis.ext_108.price_on(dt.date(2025, 12, 31)) == Decimal("580000.00")
    assert vis.ext_108.price_on(dt.date(2026, 1, 1)) == Decimal("600000.00")
    assert vis.ext_108.price_on(dt.date(2030, 6, 1)) == Decimal("600000.00")


def test_own_home_price_is_hours_times_hour_price_times_52(vis):
    price = services.price_for(offer=vis.own_85, package=vis.pkg6, day=dt.date(2026, 3, 1))
    assert price == Decimal("6") * Decimal("400.00") * 52 == Decimal("124800.00")
    assert services.period_cost(Decimal("124800.00"), 7) == Decimal("2400.00")


def test_create_computes_price_level_and_first_due(org, vis):
    c = services.citizen_get_or_create(case_number="S-1", initials="ab")
    p = services.placement_create(
        citizen=c, offer=vis.ext_108, package=None, start_date=dt.date(2026, 2, 1), user=org.caseworker
    )
    assert p.annual_price == Decimal("600000.00")
    assert p.required_level == ApprovalLevel.COMMITTEE
    assert p.status == Placement.Status.PROPOSED
    # §108: first follow-up three months after start.
    assert p.next_follow_up == dt.date(2026, 5, 1)
    assert c.initials == "AB"


def test_create_with_agreed_price(org, vis):
    c = services.citizen_get_or_create(case_number="S-2", initials="CD")
    p = services.placement_create(
        citizen=c,
        offer=vis.ext_107,
        package=None,
        start_date=dt.date(2026, 1, 31),
        user=org.caseworker,
        annual_price=Decimal("300000.00"),
    )
    assert p.annual_price == Decimal("300000.00")
    assert p.required_level == ApprovalLevel.COMMITTEE  # external: always the committee
    assert p.next_follow_up == dt.date(2026, 4, 30)  # §107, 3 months (clamped day)


def test_own_home_requires_package(org, vis):
    c = services.citizen_get_or_create(case_number="S-3", initials="EF")
    with pytest.raises(PlacementError):
        services.placement_create(
            citizen=c, offer=vis.own_108, package=None, start_date=dt.date(2026, 2, 1), user=org.caseworker
        )


def test_home_manager_cannot_create(org, vis):
    c = services.citizen_get_or_create(case_number="S-4", initials="GH")
    with pytest.raises(PermissionDenied):
        services.placement_create(
            citizen=c, offer=vis.ext_108, package=None, start_date=dt.date(2026, 2, 1), user=org.manager
        )


def test_citizen_case_number_with_other_initials_is_refused(vis):
    services.citizen_get_or_create(case_number="S-5", initials="AB")
    with pytest.raises(PlacementError):
        services.citizen_get_or_create(case_number="S-5", initials="XY")


def _own(org, vis, package, start=dt.date(2026, 1, 5)):
    c = services.citizen_get_or_create(case_number=f"O-{package.pk}-{start}", initials="IJ")
    return services.placement_create(
        citizen=c, offer=vis.own_85, package=package, start_date=start, user=org.caseworker
    )


def test_caseworker_approves_within_competence_and_event_is_emitted(org, vis, captured_events):
    p = _own(org, vis, vis.pkg6)  # 124,800: the authority head's level
    assert p.required_level == ApprovalLevel.AUTHORITY_HEAD
    with pytest.raises(BeyondCompetence):
        services.placement_approve(placement=p, user=org.caseworker)
    assert captured_events == []
    services.placement_approve(placement=p, user=org.authority_head)
    p.refresh_from_db()
    assert p.status == Placement.Status.ACTIVE
    assert [e.kind for e in captured_events] == ["start"]
    event = captured_events[0]
    assert event.placement.pk == p.pk
    assert event.date == dt.date(2026, 1, 5)
    assert event.old_weekly_hours is None and event.new_weekly_hours == Decimal("6.00")


def test_small_placement_caseworker_may_approve(org, vis):
    p = _own(org, vis, SupportPackageByHours(4))  # 4 × 400 × 52 = 83,200
    assert p.required_level == ApprovalLevel.CASEWORKER
    services.placement_approve(placement=p, user=org.caseworker)
    p.refresh_from_db()
    assert p.status in (Placement.Status.ACTIVE, Placement.Status.APPROVED)


def SupportPackageByHours(hours):  # noqa: N802 - reads like a lookup
    return SupportPackage.objects.get(weekly_hours=Decimal(hours))


def test_committee_decision_needs_meeting_date_and_right_role(org, vis, captured_events):
    c = services.citizen_get_or_create(case_number="K-1", initials="KL")
    p = services.placement_create(
        citizen=c, offer=vis.ext_108, package=None, start_date=dt.date(2026, 2, 1), user=org.caseworker
    )
    with pytest.raises(BeyondCompetence):
        services.placement_approve(placement=p, user=org.caseworker)
    with pytest.raises(PlacementError):
        services.placement_approve(placement=p, user=org.authority_head)  # no meeting date
    d = services.placement_approve(placement=p, user=org.authority_head, meeting_date=dt.date(2026, 1, 20))
    assert d.level == ApprovalLevel.COMMITTEE and d.meeting_date == dt.date(2026, 1, 20)
    p.refresh_from_db()
    assert p.status != Placement.Status.PROPOSED
    assert captured_events == []  # external: not the ledger's business


def test_political_case_goes_committee_then_political(org, vis):
    c = services.citizen_get_or_create(case_number="P-1", initials="MN")
    p = services.placement_create(
        citizen=c,
        offer=vis.ext_108,
        package=None,
        start_date=dt.date(2026, 2, 1),
        user=org.caseworker,
        annual_price=Decimal("1200000.00"),
    )
    assert p.required_level == ApprovalLevel.POLITICAL
    assert services.pending_level(p) == ApprovalLevel.COMMITTEE
    services.placement_approve(placement=p, user=org.administrator, meeting_date=dt.date(2026, 1, 10))
    p.refresh_from_db()
    assert p.status == Placement.Status.PROPOSED
    assert services.pending_level(p) == ApprovalLevel.POLITICAL
    services.placement_approve(placement=p, user=org.administrator, meeting_date=dt.date(2026, 1, 25))
    p.refresh_from_db()
    assert p.status in (Placement.Status.ACTIVE, Placement.Status.APPROVED)
    assert [d.level for d in p.decisions.all()] == ["visitationsudvalg", "politisk"]


def test_reject(org, vis, captured_events):
    p = _own(org, vis, vis.pkg6)
    services.placement_reject(placement=p, user=org.authority_head, note="Ikke relevant")
    p.refresh_from_db()
    assert p.status == Placement.Status.REJECTED
    assert captured_events == []
    with pytest.raises(PlacementError):
        services.placement_approve(placement=p, user=org.authority_head)


def test_package_change_is_recorded_and_emitted(org, vis, captured_events):
    p = _own(org, vis, vis.pkg6)
    services.placement_approve(placement=p, user=org.authority_head)
    captured_events.clear()
    change = services.placement_change_package(
        placement=p, new_package=vis.pkg9, effective_date=dt.date(2026, 6, 1), user=org.caseworker
    )
    p.refresh_from_db()
    assert change.kind == PlacementChange.Kind.PACKAGE
    assert change.old_annual_price == Decimal("124800.00")
    assert change.new_annual_price == p.annual_price == Decimal("187200.00")
    assert p.package == vis.pkg9
    (event,) = captured_events
    assert event.kind == "package_change"
    assert event.date == dt.date(2026, 6, 1)
    assert (event.old_weekly_hours, event.new_weekly_hours) == (Decimal("6.00"), Decimal("9.00"))


def test_end_is_recorded_and_emitted(org, vis, captured_events):
    p = _own(org, vis, vis.pkg6)
    services.placement_approve(placement=p, user=org.authority_head)
    captured_events.clear()
    services.placement_end(placement=p, end_date=dt.date(2026, 3, 31), user=org.caseworker)
    p.refresh_from_db()
    assert p.end_date == dt.date(2026, 3, 31)
    assert p.next_follow_up is None
    (event,) = captured_events
    assert event.kind == "end" and event.date == dt.date(2026, 3, 31)
    assert event.old_weekly_hours == Decimal("6.00") and event.new_weekly_hours is None


def test_failing_handler_rolls_back(org, vis):
    p = _own(org, vis, vis.pkg6)

    def boom(event):
        raise RuntimeError("ledger down")

    events.register(boom)
    try:
        with pytest.raises(RuntimeError):
            services.placement_approve(placement=p, user=org.authority_head)
    finally:
        events.unregister(boom)
    p.refresh_from_db()
    assert p.status == Placement.Status.PROPOSED
    assert not p.decisions.exists()


@pytest.mark.parametrize(
    ("code", "start", "first", "after_follow_up", "next_due"),
    [
        ("§85", dt.date(2026, 1, 15), dt.date(2026, 4, 15), dt.date(2026, 4, 20), dt.date(2026, 7, 20)),
        ("§107", dt.date(2026, 1, 15), dt.date(2026, 4, 15), dt.date(2026, 4, 20), dt.date(2027, 4, 20)),
        ("§108", dt.date(2026, 1, 15), dt.date(2026, 4, 15), dt.date(2026, 4, 20), dt.date(2028, 4, 20)),
    ],
)
def test_due_date_rules(vis, code, start, first, after_follow_up, next_due):
    pid = Paragraph.objects.get(code=code).pk
    assert services.first_due(paragraph_id=pid, start_date=start) == first
    assert services.next_due_after(paragraph_id=pid, follow_up_date=after_follow_up) == next_due


def test_no_rule_no_due_date(vis):
    assert (
        services.first_due(paragraph_id=Paragraph.objects.get(code="§104").pk, start_date=dt.date(2026, 1, 1)) is None
    )


def test_followup_sets_next_due(org, vis, captured_events):
    p = _own(org, vis, vis.pkg6)
    services.placement_approve(placement=p, user=org.authority_head)
    f = services.followup_record(
        placement=p, date=dt.date(2026, 4, 10), outcome=FollowUp.Outcome.UNCHANGED, user=org.caseworker
    )
    p.refresh_from_db()
    assert f.due_date == dt.date(2026, 4, 5)
    assert f.next_due == p.next_follow_up == dt.date(2026, 7, 10)
    captured_events.clear()
    services.followup_record(
        placement=p,
        date=dt.date(2026, 7, 1),
        outcome=FollowUp.Outcome.NEW_PACKAGE,
        new_package=vis.pkg9,
        user=org.caseworker,
    )
    p.refresh_from_db()
    assert p.package == vis.pkg9 and p.next_follow_up == dt.date(2026, 10, 1)
    assert [e.kind for e in captured_events] == ["package_change"]
    services.followup_record(placement=p, date=dt.date(2026, 8, 1), outcome=FollowUp.Outcome.ENDED, user=org.caseworker)
    p.refresh_from_db()
    assert p.next_follow_up is None and p.end_date == dt.date(2026, 8, 1)
    assert [e.kind for e in captured_events] == ["package_change", "end"]


def test_roll_status(org, vis):
    future = make_placement(vis.ext_108, status=Placement.Status.APPROVED, start_date=dt.date(2030, 1, 1))
    due = make_placement(vis.ext_108, status=Placement.Status.APPROVED, start_date=dt.date(2026, 1, 1))
    over = make_placement(
        vis.ext_108,
        status=Placement.Status.ACTIVE,
        start_date=dt.date(2025, 1, 1),
        end_date=dt.date(2026, 6, 30),
        next_follow_up=dt.date(2026, 9, 1),
    )
    call_command("visitation_daily", today="2026-07-01")
    for p in (future, due, over):
        p.refresh_from_db()
    assert future.status == Placement.Status.APPROVED
    assert due.status == Placement.Status.ACTIVE
    assert over.status == Placement.Status.ENDED and over.next_follow_up is None


def test_package_change_above_the_decided_level_needs_competence(org, vis, captured_events):
    pkg2 = SupportPackageByHours(2)  # 41,600: the caseworker's level
    p = _own(org, vis, pkg2)
    assert p.required_level == ApprovalLevel.CASEWORKER
    services.placement_approve(placement=p, user=org.caseworker)
    # 4 h = 83,200: still within the caseworker's competence.
    services.placement_change_package(
        placement=p, new_package=SupportPackageByHours(4), effective_date=dt.date(2026, 2, 1), user=org.caseworker
    )
    # 6 h = 124,800: the authority head's level; the caseworker is refused.
    with pytest.raises(BeyondCompetence):
        services.placement_change_package(
            placement=p, new_package=vis.pkg6, effective_date=dt.date(2026, 3, 1), user=org.caseworker
        )
    p.refresh_from_db()
    assert p.package.weekly_hours == Decimal("4.00")
    services.placement_change_package(
        placement=p, new_package=vis.pkg6, effective_date=dt.date(2026, 3, 1), user=org.authority_head
    )
    p.refresh_from_db()
    assert p.required_level == ApprovalLevel.AUTHORITY_HEAD
    assert p.decisions.filter(level=ApprovalLevel.AUTHORITY_HEAD, outcome=Decision.Outcome.APPROVED).exists()
    # 25 h = 520,000: the committee; recorded with its meeting date.
    with pytest.raises(PlacementError):
        services.placement_change_package(
            placement=p, new_package=vis.pkg25, effective_date=dt.date(2026, 4, 1), user=org.authority_head
        )
    services.placement_change_package(
        placement=p,
        new_package=vis.pkg25,
        effective_date=dt.date(2026, 4, 1),
        user=org.authority_head,
        meeting_date=dt.date(2026, 3, 20),
    )
    p.refresh_from_db()
    assert p.required_level == ApprovalLevel.COMMITTEE
    # A cheaper package needs nobody above the caseworker.
    services.placement_change_package(
        placement=p, new_package=pkg2, effective_date=dt.date(2026, 5, 1), user=org.caseworker
    )
    assert [e.kind for e in captured_events].count("package_change") == 4
