"""Writes in visitation: creating, deciding, changing and ending placements,
and recording follow-ups. Each is one transaction; each placement start, end
and package change in an own home is told to the ledger with an explicit
``visitation.events.PlacementEvent``.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from botilbud.lib.dates import add_months
from botilbud.lib.money import format_kr, to_money
from botilbud.models import Municipality, User
from botilbud.permissions import can
from visitation import events, providers
from visitation.models import (
    LEVEL_RANK,
    ROLE_COMPETENCE,
    ApprovalLevel,
    Citizen,
    CompetenceThreshold,
    Decision,
    FollowUp,
    FollowUpRule,
    Offer,
    Placement,
    PlacementChange,
    Provider,
    SupportPackage,
    own_home_annual_price,
)


class PlacementError(Exception):
    """A placement action that cannot be done; ``str()`` is a Danish message."""


class BeyondCompetence(PermissionDenied):
    """The user tried to decide above their competence; the placement is routed instead."""


# ---------------------------------------------------------------- pricing


def price_for(*, offer: Offer, package: SupportPackage | None, day: dt.date) -> Decimal | None:
    """The annual price of ``offer`` (with ``package``) on ``day``.

    Own home: package weekly hours × the home's hour price × 52
    (``own_home_annual_price``). External offer: the offer's list price in
    force on ``day`` (``Offer.price_on``).
    """
    if offer.home_id is not None:
        if package is None:
            return None
        return own_home_annual_price(offer.home_id, package.weekly_hours, day)
    return offer.price_on(day)


def period_cost(annual_price: Decimal, days: int) -> Decimal:
    """Cost of ``days`` days at ``annual_price``: annual price / 52 × days / 7."""
    return to_money(Decimal(annual_price) / 52 * Decimal(days) / 7)


# ---------------------------------------------------------------- routing


def required_level(amount: Decimal, provider_kind: str, *, thresholds: list[CompetenceThreshold] | None = None) -> str:
    """The level that must decide a placement of ``amount`` a year.

    The lowest level whose upper bound (included) covers the amount; for an
    external provider at least the level of the "external" rule (the
    committee by default). With no matching row, the political committee.
    """
    amount = Decimal(amount)
    rows = thresholds if thresholds is not None else list(CompetenceThreshold.objects.all())
    by_amount = [r for r in rows if r.scope == CompetenceThreshold.Scope.ALL]
    candidates = [r.level for r in by_amount if r.max_amount is None or amount <= r.max_amount]
    level = min(candidates, key=lambda lv: LEVEL_RANK[lv]) if candidates else ApprovalLevel.POLITICAL
    if provider_kind != Provider.Kind.OWN:
        for r in rows:
            if r.scope == CompetenceThreshold.Scope.EXTERNAL and LEVEL_RANK[r.level] > LEVEL_RANK[level]:
                level = r.level
    return ApprovalLevel(level).value


def user_competence(user: User) -> str | None:
    level = ROLE_COMPETENCE.get(user.role)
    return level.value if level else None


def pending_level(placement: Placement) -> str:
    """The body that must decide next: for a political case the committee first."""
    if placement.required_level == ApprovalLevel.POLITICAL:
        committee_said_yes = any(
            d.level == ApprovalLevel.COMMITTEE and d.outcome == Decision.Outcome.APPROVED
            for d in placement.decisions.all()
        )
        if not committee_said_yes:
            return ApprovalLevel.COMMITTEE.value
    return placement.required_level


def can_decide(user: User, placement: Placement) -> bool:
    """May ``user`` register the next decision on ``placement``?"""
    if placement.status != Placement.Status.PROPOSED:
        return False
    level = pending_level(placement)
    own = user_competence(user)
    if own and LEVEL_RANK[ApprovalLevel(own)] >= LEVEL_RANK[ApprovalLevel(level)]:
        return True
    return level in (ApprovalLevel.COMMITTEE, ApprovalLevel.POLITICAL) and can(
        user, "visitation.record_committee_decision"
    )


def is_committee_level(level: str) -> bool:
    return level in (ApprovalLevel.COMMITTEE, ApprovalLevel.POLITICAL)


# ---------------------------------------------------------------- follow-up rules


def first_due(*, paragraph_id: int, start_date: dt.date) -> dt.date | None:
    rule = FollowUpRule.objects.filter(paragraph_id=paragraph_id).first()
    return add_months(start_date, rule.first_after_months) if rule else None


def next_due_after(*, paragraph_id: int, follow_up_date: dt.date) -> dt.date | None:
    rule = FollowUpRule.objects.filter(paragraph_id=paragraph_id).first()
    return add_months(follow_up_date, rule.then_every_months) if rule else None


# ---------------------------------------------------------------- helpers


def _hours(package: SupportPackage | None) -> Decimal | None:
    return package.weekly_hours if package is not None else None


def _require_authority(user: User) -> None:
    if not can(user, "visitation.manage_placements"):
        raise PermissionDenied("Kun myndigheden (sagsbehandlere og myndighedsleder) kan ændre bevillinger.")


def _today() -> dt.date:
    return timezone.localdate()


# ---------------------------------------------------------------- services


@transaction.atomic
def citizen_get_or_create(*, case_number: str, initials: str, birth_year: int | None = None) -> Citizen:
    case_number = case_number.strip()
    citizen = Citizen.objects.filter(case_number=case_number).first()
    if citizen is not None:
        if citizen.initials.upper() != initials.strip().upper():
            raise PlacementError(
                f"Sagsnummer {case_number} findes allerede med initialerne {citizen.initials}. Tjek sagsnummeret."
            )
        if birth_year and citizen.birth_year is None:
            citizen.birth_year = birth_year
            citizen.version += 1
            citizen.save(update_fields=["birth_year", "version"])
        return citizen
    return Citizen.objects.create(case_number=case_number, initials=initials.strip().upper(), birth_year=birth_year)


@transaction.atomic
def placement_create(
    *,
    citizen: Citizen,
    offer: Offer,
    package: SupportPackage | None,
    start_date: dt.date,
    user: User,
    end_date: dt.date | None = None,
    annual_price: Decimal | None = None,
    paying_municipality: Municipality | None = None,
    acting_municipality: Municipality | None = None,
    note: str = "",
) -> Placement:
    """Propose a placement. The price follows from the offer (and package);
    an external offer may carry an agreed price (``annual_price``) instead of
    the list price. The level that must decide is computed and stored.

    The paying municipality defaults to our own; another one makes the
    placement a sale (only in an own home), and that municipality then acts
    too unless ``acting_municipality`` says otherwise."""
    _require_authority(user)
    own = Municipality.own_code()
    paying_code = paying_municipality.pk if paying_municipality is not None else own
    acting_code = acting_municipality.pk if acting_municipality is not None else paying_code
    if paying_code != own and offer.home_id is None:
        raise PlacementError("Salg gælder kun andre kommuners borgere i vores egne tilbud.")
    if end_date is not None and end_date < start_date:
        raise PlacementError("Slutdatoen ligger før startdatoen.")
    if offer.home_id is not None:
        if package is None:
            raise PlacementError("Vælg en støttepakke: prisen i et eget tilbud følger af pakkens timer.")
        price = price_for(offer=offer, package=package, day=start_date)
        if paying_code != own:
            # A sold place is priced at the home's approved rate for the package's level.
            rate = providers.approved_rate(offer.home_id, start_date.year, package)
            if rate is None:
                raise PlacementError(
                    f"{offer.home} har ingen godkendt takst for {start_date.year}: en solgt plads prissættes "
                    "til takst. Bed økonomikonsulenten godkende taksten først."
                )
            price = rate.annual
        if price is None:
            raise PlacementError(f"{offer.home} har ingen timepris for {start_date.year}. Kontakt administratoren.")
    else:
        price = annual_price if annual_price is not None else price_for(offer=offer, package=package, day=start_date)
        if price is None:
            raise PlacementError("Tilbuddet har ingen pris på startdatoen. Angiv den aftalte årspris.")
    if price < 0:
        raise PlacementError("Årsprisen kan ikke være negativ.")
    placement = Placement.objects.create(
        citizen=citizen,
        offer=offer,
        package=package,
        start_date=start_date,
        end_date=end_date,
        annual_price=price,
        paying_municipality_id=paying_code,
        acting_municipality_id=acting_code,
        status=Placement.Status.PROPOSED,
        required_level=required_level(price, offer.provider.kind),
        next_follow_up=first_due(paragraph_id=offer.paragraph_id, start_date=start_date),
        note=note,
        created_by=user,
    )
    return placement


def _lock(placement: Placement) -> Placement:
    return (
        Placement.objects.select_for_update(of=("self",))
        .select_related("offer__provider", "offer__paragraph", "package", "citizen")
        .get(pk=placement.pk)
    )


@transaction.atomic
def placement_decide(
    *,
    placement: Placement,
    user: User,
    outcome: str,
    meeting_date: dt.date | None = None,
    note: str = "",
) -> Decision:
    """Register a decision on a proposed placement.

    A person decides within their own competence. Above it, the placement
    stays on the right queue: ``BeyondCompetence`` is raised. A committee's
    (or, after the committee, the political committee's) decision is
    registered by the authority head or the administrator with its meeting
    date. Approval starts the placement (event ``start`` for an own home).
    """
    placement = _lock(placement)
    if placement.status != Placement.Status.PROPOSED:
        raise PlacementError(f"Bevillingen er {placement.get_status_display().lower()} og kan ikke afgøres igen.")
    level = pending_level(placement)
    level_label = ApprovalLevel(level).label
    own = user_competence(user)
    if own and LEVEL_RANK[ApprovalLevel(own)] >= LEVEL_RANK[ApprovalLevel(level)]:
        decided_level = own if not is_committee_level(level) else level
        meeting_date = None
    elif is_committee_level(level) and can(user, "visitation.record_committee_decision"):
        if meeting_date is None:
            raise PlacementError(f"Angiv mødedatoen for {level_label.lower()}s afgørelse.")
        decided_level = level
    else:
        raise BeyondCompetence(
            f"Årsprisen {format_kr(placement.annual_price)} kræver afgørelse af {level_label.lower()}, "
            "og det ligger uden for din kompetence. Bevillingen står på listen til "
            f"{level_label.lower()}."
        )
    decision = Decision.objects.create(
        placement=placement,
        level=decided_level,
        outcome=outcome,
        meeting_date=meeting_date,
        note=note,
        decided_by=user,
    )
    if outcome == Decision.Outcome.REJECTED:
        placement.status = Placement.Status.REJECTED
        placement.next_follow_up = None
        placement.decided_at = timezone.now()
    elif level == placement.required_level:
        placement.status = Placement.Status.ACTIVE if placement.start_date <= _today() else Placement.Status.APPROVED
        placement.decided_at = timezone.now()
        if placement.end_date is not None and placement.end_date < _today():
            placement.status = Placement.Status.ENDED
            placement.next_follow_up = None
    # else: the committee recommended; the political committee decides next.
    placement.version += 1
    placement.save(update_fields=["status", "next_follow_up", "decided_at", "version"])
    started = placement.status in (Placement.Status.ACTIVE, Placement.Status.APPROVED, Placement.Status.ENDED)
    if started and placement.offer.home_id is not None:
        events.emit(
            events.PlacementEvent(
                kind=events.START,
                placement=placement,
                date=placement.start_date,
                old_weekly_hours=None,
                new_weekly_hours=_hours(placement.package),
            )
        )
        if placement.end_date is not None:
            events.emit(
                events.PlacementEvent(
                    kind=events.END,
                    placement=placement,
                    date=placement.end_date,
                    old_weekly_hours=_hours(placement.package),
                    new_weekly_hours=None,
                )
            )
    return decision


def placement_approve(
    *, placement: Placement, user: User, meeting_date: dt.date | None = None, note: str = ""
) -> Decision:
    return placement_decide(
        placement=placement, user=user, outcome=Decision.Outcome.APPROVED, meeting_date=meeting_date, note=note
    )


def placement_reject(
    *, placement: Placement, user: User, meeting_date: dt.date | None = None, note: str = ""
) -> Decision:
    return placement_decide(
        placement=placement, user=user, outcome=Decision.Outcome.REJECTED, meeting_date=meeting_date, note=note
    )


_LIVE = (Placement.Status.APPROVED, Placement.Status.ACTIVE)


@transaction.atomic
def placement_change_package(
    *,
    placement: Placement,
    new_package: SupportPackage,
    effective_date: dt.date,
    user: User,
    note: str = "",
    meeting_date: dt.date | None = None,
) -> PlacementChange:
    """Change the support package from ``effective_date``: a recorded change,
    the old package and price stay in ``PlacementChange``. In an own home the
    price is recomputed (hours × hour price × 52) and the ledger is told.

    Competence: when the new price needs a higher level than the placement
    was decided at, the user must have that competence (a decision is
    recorded), or, for the committee, record its decision with the meeting
    date; otherwise ``BeyondCompetence``."""
    _require_authority(user)
    placement = _lock(placement)
    if placement.status not in _LIVE:
        raise PlacementError("Kun en godkendt eller aktiv bevilling kan få ny støttepakke.")
    if effective_date < placement.start_date:
        raise PlacementError("Den nye pakke kan ikke gælde fra før bevillingens start.")
    if placement.end_date is not None and effective_date > placement.end_date:
        raise PlacementError("Den nye pakke kan ikke gælde fra efter bevillingens slutdato.")
    if placement.package_id == new_package.pk:
        raise PlacementError("Bevillingen har allerede denne pakke.")
    old_package = placement.package
    old_price = placement.annual_price
    new_price: Decimal | None
    if placement.offer.home_id is not None and placement.is_sale:
        rate = providers.approved_rate(placement.offer.home_id, effective_date.year, new_package)
        if rate is None:
            raise PlacementError(f"{placement.offer.home} har ingen godkendt takst for {effective_date.year}.")
        new_price = rate.annual
    elif placement.offer.home_id is not None:
        new_price = own_home_annual_price(placement.offer.home_id, new_package.weekly_hours, effective_date)
        if new_price is None:
            raise PlacementError(f"{placement.offer.home} har ingen timepris for {effective_date.year}.")
    else:
        new_price = old_price
    new_level = required_level(new_price, placement.offer.provider.kind)
    raised = LEVEL_RANK[ApprovalLevel(new_level)] > LEVEL_RANK[ApprovalLevel(placement.required_level)]
    if raised:
        own = user_competence(user)
        label = ApprovalLevel(new_level).label.lower()
        if own and LEVEL_RANK[ApprovalLevel(own)] >= LEVEL_RANK[ApprovalLevel(new_level)]:
            decided_level, meeting_date = own, None
        elif is_committee_level(new_level) and can(user, "visitation.record_committee_decision"):
            if meeting_date is None:
                raise PlacementError(
                    f"Den nye årspris {format_kr(new_price)} kræver {label}s afgørelse: angiv mødedatoen."
                )
            decided_level = new_level
        else:
            raise BeyondCompetence(
                f"Den nye pakke giver årsprisen {format_kr(new_price)}, som kræver afgørelse af {label}. "
                "Det ligger uden for din kompetence: forelæg ændringen for "
                f"{label}."
            )
        Decision.objects.create(
            placement=placement,
            level=decided_level,
            outcome=Decision.Outcome.APPROVED,
            meeting_date=meeting_date,
            note=f"Ny støttepakke fra {effective_date:%d-%m-%Y}: {new_package.name} ({format_kr(new_price)} pr. år).",
            decided_by=user,
        )
        placement.required_level = new_level
    change = PlacementChange.objects.create(
        placement=placement,
        kind=PlacementChange.Kind.PACKAGE,
        effective_date=effective_date,
        old_package=old_package,
        new_package=new_package,
        old_annual_price=old_price,
        new_annual_price=new_price,
        note=note,
        created_by=user,
    )
    placement.package = new_package
    placement.annual_price = new_price
    placement.version += 1
    placement.save(update_fields=["package", "annual_price", "required_level", "version"])
    if placement.offer.home_id is not None:
        events.emit(
            events.PlacementEvent(
                kind=events.PACKAGE_CHANGE,
                placement=placement,
                date=effective_date,
                old_weekly_hours=_hours(old_package),
                new_weekly_hours=new_package.weekly_hours,
            )
        )
    return change


@transaction.atomic
def placement_end(
    *, placement: Placement, end_date: dt.date, user: User, note: str = "", manual_move_out: bool = False
) -> PlacementChange:
    """End a placement on ``end_date`` (the last day): a recorded change.
    The ledger is told for an own home (the end of the home's income); with
    ``manual_move_out`` it also records the move-out as a ledger entry when
    the placement has no generated income entry to stop (so nothing counts
    twice)."""
    _require_authority(user)
    placement = _lock(placement)
    if placement.status not in _LIVE:
        raise PlacementError("Kun en godkendt eller aktiv bevilling kan afsluttes.")
    if end_date < placement.start_date:
        raise PlacementError("Slutdatoen ligger før bevillingens start.")
    change = PlacementChange.objects.create(
        placement=placement,
        kind=PlacementChange.Kind.END,
        effective_date=end_date,
        old_package=placement.package,
        old_annual_price=placement.annual_price,
        note=note,
        created_by=user,
    )
    previous_end = placement.end_date
    placement.end_date = end_date
    if end_date <= _today():
        placement.status = Placement.Status.ENDED
    placement.next_follow_up = None
    placement.version += 1
    placement.save(update_fields=["end_date", "status", "next_follow_up", "version"])
    if placement.offer.home_id is not None:
        events.emit(
            events.PlacementEvent(
                kind=events.END,
                placement=placement,
                date=end_date,
                old_weekly_hours=_hours(placement.package),
                new_weekly_hours=None,
                manual_move_out=manual_move_out,
                user=user,
                previous_end=previous_end,
            )
        )
    return change


@transaction.atomic
def followup_record(
    *,
    placement: Placement,
    date: dt.date,
    outcome: str,
    user: User,
    note: str = "",
    new_package: SupportPackage | None = None,
    effective_date: dt.date | None = None,
    end_date: dt.date | None = None,
    meeting_date: dt.date | None = None,
) -> FollowUp:
    """Record a follow-up and set the next due date from the paragraph's rule.

    Outcome "new package" changes the package from ``effective_date`` (default
    the follow-up date); "ended" ends the placement on ``end_date`` (default
    the follow-up date) and leaves no next due date.
    """
    _require_authority(user)
    placement = _lock(placement)
    if placement.status not in _LIVE:
        raise PlacementError("Der kan kun følges op på en godkendt eller aktiv bevilling.")
    if date < placement.start_date:
        raise PlacementError("Opfølgningen kan ikke ligge før bevillingens start.")
    due = placement.next_follow_up
    if outcome == FollowUp.Outcome.NEW_PACKAGE:
        if new_package is None:
            raise PlacementError("Vælg den nye støttepakke.")
        placement_change_package(
            placement=placement,
            new_package=new_package,
            effective_date=effective_date or date,
            user=user,
            note=note,
            meeting_date=meeting_date,
        )
    elif outcome == FollowUp.Outcome.ENDED:
        placement_end(placement=placement, end_date=end_date or date, user=user, note=note)
    next_due = None
    if outcome != FollowUp.Outcome.ENDED:
        next_due = next_due_after(paragraph_id=placement.offer.paragraph_id, follow_up_date=date)
    follow_up = FollowUp.objects.create(
        placement=placement,
        date=date,
        outcome=outcome,
        note=note,
        due_date=due,
        next_due=next_due,
        recorded_by=user,
    )
    Placement.objects.filter(pk=placement.pk).update(next_follow_up=next_due, version=F("version") + 1)
    return follow_up


@transaction.atomic
def placements_roll_status(*, today: dt.date) -> dict[str, int]:
    """The daily status step: an approved placement whose start date has come
    becomes active; a placement past its end date becomes ended. (The ledger
    already knows both dates from the start and end events.)"""
    live = (Placement.Status.APPROVED, Placement.Status.ACTIVE)
    ended = Placement.objects.filter(status__in=live, end_date__lt=today).update(
        status=Placement.Status.ENDED, next_follow_up=None, version=F("version") + 1
    )
    activated = Placement.objects.filter(status=Placement.Status.APPROVED, start_date__lte=today).update(
        status=Placement.Status.ACTIVE, version=F("version") + 1
    )
    return {"activated": activated, "ended": ended}
