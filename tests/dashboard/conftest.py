"""A small world for the dashboard: the March 2026 follow-up round of
``tests/followup`` with one approved (frozen) follow-up, ledger entries,
placements at own and external providers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from botilbud.models import AccountGroup, Home, Paragraph
from budget.followup.models import Action, Step
from budget.followup.services import followups_for_round, freeze
from budget.models import ActualTotal
from disponering.services import entry_create
from tests.followup.conftest import make_march
from visitation.models import Citizen, Offer, Placement, Provider

YEAR = 2026


def add_placements(org, homes: list[Home], *, prefix: str = "") -> dict:
    para107 = Paragraph.objects.get(code="§107")
    own, _ = Provider.objects.get_or_create(name="Københavns Kommune", defaults={"kind": Provider.Kind.OWN})
    private, _ = Provider.objects.get_or_create(name="Privat Bosted ApS", defaults={"kind": Provider.Kind.PRIVATE})
    external, _ = Offer.objects.get_or_create(provider=private, name="Bostedet Solbakken", paragraph=para107)
    result = {"external_offer": external, "own_offers": []}
    for index, home in enumerate(homes):
        offer, _ = Offer.objects.get_or_create(provider=own, name=f"{home.name} §107", paragraph=para107, home=home)
        result["own_offers"].append(offer)
        for n in range(2):
            citizen = Citizen.objects.create(case_number=f"{prefix}{home.pk}-{n}", initials="AB")
            Placement.objects.create(
                citizen=citizen,
                offer=offer,
                start_date=dt.date(YEAR, 1, 1),
                annual_price=Decimal("365000.00"),
                status=Placement.Status.ACTIVE,
                required_level="sagsbehandler",
                next_follow_up=dt.date(2020, 1, 1) if n == 0 else None,
            )
        citizen = Citizen.objects.create(case_number=f"{prefix}X{home.pk}", initials="CD")
        Placement.objects.create(
            citizen=citizen,
            offer=external,
            start_date=dt.date(YEAR, 7, 1),
            end_date=None,
            annual_price=Decimal("1460000.00"),
            status=Placement.Status.ACTIVE,
            required_level="visitationsudvalg",
        )
        del index
    return result


def add_ledger(org, home: Home) -> None:
    entry_create(
        home=home,
        user=org.manager,
        category="sygdom",
        account_group=AccountGroup.WAGES,
        title="Langtidssyg medarbejder (MK)",
        amount=Decimal("-60000.00"),
        start_date=dt.date(YEAR, 4, 1),
        end_date=dt.date(YEAR, 12, 31),
    )
    entry_create(
        home=home,
        user=org.manager,
        category="vikar",
        account_group=AccountGroup.WAGES,
        title="Vikardækning for MK",
        amount=Decimal("90000.00"),
        start_date=dt.date(YEAR, 4, 1),
        end_date=dt.date(YEAR, 6, 30),
    )


def approve(followup, user) -> None:
    """Freeze a follow-up as the follow-up's own approval does (its snapshot)."""

    followup.snapshot = freeze(followup, user)
    followup.step = Step.APPROVED
    followup.approved_by = user
    followup.approved_at = timezone.now()
    followup.save()


@pytest.fixture
def world(org):
    return make_world(org)


def make_world(org):
    """March 2026: home A approved and frozen, then more actuals arrive for it
    (so its live numbers differ from the frozen ones); home B live with ledger
    entries; home C (south) live without a budget."""

    round_ = make_march(org)
    add_ledger(org, org.home_b)
    add_placements(org, [org.home_a, org.home_b, org.home_c])
    followups = {
        fu.home_id: fu for fu in followups_for_round(round_=round_, homes=[org.home_a, org.home_b, org.home_c])
    }
    Action.objects.create(
        followup=followups[org.home_a.pk],
        description="Færre vikartimer",
        owner="Leder",
        deadline=dt.date(YEAR, 6, 30),
        expected_effect=Decimal("30000"),
    )
    approve(followups[org.home_a.pk], org.area_manager)
    # A late correction of March's actuals: the frozen follow-up must not move.
    ActualTotal.objects.filter(home=org.home_a, month=dt.date(YEAR, 3, 1), group=AccountGroup.WAGES).update(
        amount=Decimal("150000")
    )
    org.round = round_
    org.followups = followups
    return org
