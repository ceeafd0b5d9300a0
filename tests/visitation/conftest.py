"""Visitation fixtures: providers, offers with prices, placements."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from botilbud.models import Paragraph
from botilbud.registry import load_reference_data
from visitation import events
from visitation.models import Citizen, Offer, OfferPrice, Placement, Provider, SupportPackage


@pytest.fixture
def vis(org):
    class Vis:
        pass

    # Idempotent: a live-server test earlier in a reused test database may
    # have flushed the migrations' reference data.
    load_reference_data()
    v = Vis()
    v.p108 = Paragraph.objects.get(code="§108")
    v.p107 = Paragraph.objects.get(code="§107")
    v.p85 = Paragraph.objects.get(code="§85")
    v.own = Provider.objects.create(name="Egne botilbud", kind=Provider.Kind.OWN)
    v.region = Provider.objects.create(name="Region Hovedstaden", kind=Provider.Kind.REGION)
    v.private = Provider.objects.create(name="Bo & Liv ApS", kind=Provider.Kind.PRIVATE)
    v.own_108 = Offer.objects.create(provider=v.own, name="Egebakken", paragraph=v.p108, home=org.home_a)
    v.own_85 = Offer.objects.create(provider=v.own, name="Egebakken", paragraph=v.p85, home=org.home_a)
    v.own_107_c = Offer.objects.create(provider=v.own, name="Birkelund", paragraph=v.p107, home=org.home_c)
    v.ext_108 = Offer.objects.create(provider=v.private, name="Bostedet Engly", paragraph=v.p108)
    OfferPrice.objects.create(offer=v.ext_108, valid_from=dt.date(2025, 1, 1), annual_price=Decimal("580000.00"))
    OfferPrice.objects.create(offer=v.ext_108, valid_from=dt.date(2026, 1, 1), annual_price=Decimal("600000.00"))
    v.ext_107 = Offer.objects.create(provider=v.region, name="Kildebo", paragraph=v.p107)
    OfferPrice.objects.create(offer=v.ext_107, valid_from=dt.date(2026, 1, 1), annual_price=Decimal("870000.00"))
    v.pkg6 = SupportPackage.objects.get(weekly_hours=Decimal("6.00"))
    v.pkg9 = SupportPackage.objects.get(weekly_hours=Decimal("9.00"))
    v.pkg25 = SupportPackage.objects.get(weekly_hours=Decimal("25.00"))
    return v


@pytest.fixture
def captured_events():
    seen: list[events.PlacementEvent] = []
    handler = seen.append
    events.register(handler)
    yield seen
    events.unregister(handler)


def make_placement(offer, *, price="300000.00", status=Placement.Status.ACTIVE, level="myndighedsleder", **kw):
    n = Citizen.objects.count() + 1
    citizen = kw.pop("citizen", None) or Citizen.objects.create(case_number=f"T-{n:05d}", initials="AB")
    return Placement.objects.create(
        citizen=citizen,
        offer=offer,
        start_date=kw.pop("start_date", dt.date(2026, 1, 1)),
        annual_price=Decimal(price),
        status=status,
        required_level=level,
        **kw,
    )
