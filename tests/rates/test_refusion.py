"""Central refusion of very expensive cases (hand-computed).

Shipped 2026 tiers (the law's 2022 level indexed with the shipped PL, not
confirmed): 25 % of the cost above 998.266,12 kr. up to 1.950.101,25 kr., 50 %
up to 2.460.842,06 kr., 75 % above. A citizen counts when 2026 − birth year < 67.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal as D

import pytest
from django.urls import reverse

from botilbud.registry import load_reference_data
from budget.rates.models import RefusionTier
from budget.rates.refusion import Tier, eligible, expected_refusion, refusion_for
from visitation.models import Citizen, Placement

TIERS = [Tier(D("2200000"), D("50")), Tier(D("1180000"), D("25"))]  # any order


@pytest.mark.parametrize(
    "cost,expected",
    [
        ("1180000", "0.00"),  # at the threshold: nothing above it
        ("1500000", "80000.00"),  # 25 % × 320.000
        ("2200000", "255000.00"),  # 25 % × 1.020.000
        ("2600000", "455000.00"),  # 255.000 + 50 % × 400.000
        ("900000", "0.00"),
    ],
)
def test_two_tiers(cost, expected):
    assert refusion_for(D(cost), TIERS) == D(expected)


LAW_2022 = [Tier(D("860000"), D("25")), Tier(D("1680000"), D("50")), Tier(D("2120000"), D("75"))]


@pytest.mark.parametrize(
    "cost,expected",
    [
        ("860000", "0.00"),  # at the first threshold
        ("860000.04", "0.01"),  # 25 % × 0,04 = 0,01 (half-up)
        ("1680000", "205000.00"),  # 25 % × 820.000
        ("2120000", "425000.00"),  # 205.000 + 50 % × 440.000
        ("2500000", "710000.00"),  # 425.000 + 75 % × 380.000
    ],
)
def test_three_tiers_of_the_law_2022_level(cost, expected):
    assert refusion_for(D(cost), LAW_2022) == D(expected)


def test_shipped_tiers_say_where_they_come_from(db):
    law = RefusionTier.objects.filter(year=2022).order_by("threshold")
    assert [(t.threshold, t.share_pct) for t in law] == [
        (D("860000.00"), D("25.00")),
        (D("1680000.00"), D("50.00")),
        (D("2120000.00"), D("75.00")),
    ]
    assert all("§ 176" in t.source for t in law)
    assert all("Ikke bekræftet" in t.source for t in RefusionTier.objects.filter(year=2026))
    # 2026 = 2022 × 1,046 × 1,044 × 1,033 × 1,029, rounded to øre each year.
    assert RefusionTier.objects.filter(year=2026).order_by("threshold").first().threshold == D("998266.12")


def test_age_rule_by_birth_year_only():
    assert eligible(1960, 2026)  # 66 in 2026
    assert not eligible(1959, 2026)  # turns 67 in 2026
    assert eligible(None, 2026)  # unknown: counted and flagged


@pytest.fixture
def expensive(org, vis):
    load_reference_data()

    def place(case, price, birth_year, payer=101, offer=None):
        citizen = Citizen.objects.create(case_number=case, initials=case[:2], birth_year=birth_year)
        return Placement.objects.create(
            citizen=citizen,
            offer=offer or vis.ext_108,
            start_date=dt.date(2025, 1, 1),
            annual_price=D(price),
            status="aktiv",
            required_level="visitationsudvalg",
            paying_municipality_id=payer,
            acting_municipality_id=payer,
        )

    place("AA-1", "1500000", 1990)
    place("BB-1", "1600000", 1985)  # two placements: 1.600.000 + 1.000.000 = 2.600.000
    Placement.objects.create(
        citizen=Citizen.objects.get(case_number="BB-1"),
        offer=vis.ext_107,
        start_date=dt.date(2026, 1, 1),
        annual_price=D("1000000"),
        status="aktiv",
        required_level="visitationsudvalg",
    )
    place("CC-1", "2000000", 1958)  # 68 in 2026: no refusion
    place("DD-1", "950000", None)  # close to the first threshold (within 10 %)
    place("EE-1", "3000000", 1990, payer=159, offer=vis.own_108)  # Gladsaxe pays: not ours


def test_expected_refusion_per_own_citizen(expensive, django_assert_max_num_queries):
    with django_assert_max_num_queries(3):
        r = expected_refusion(2026)
    # BB-1: 25 % × 951.835,13 + 50 % × 510.740,81 + 75 % × 139.157,94
    #       = 237.958,7825 + 255.370,405 + 104.368,455 = 597.697,6425 → 597.697,64
    # AA-1: 25 % × (1.500.000 − 998.266,12) = 125.433,47
    assert [(c.case_number, c.cost, c.refusion) for c in r.cases] == [
        ("BB-1", D("2600000.00"), D("597697.64")),
        ("AA-1", D("1500000.00"), D("125433.47")),
    ]
    assert r.total == D("723131.11")
    assert [(c.case_number, c.to_next_threshold) for c in r.close] == [("DD-1", D("48266.12"))]
    assert [c.case_number for c in r.over_age] == ["CC-1"]


def test_authority_page_shows_refusion_as_income(expensive, org, client_for):
    body = client_for(org.authority_head).get(reverse("budget:authority") + "?aar=2026").content.decode()
    assert "Statsrefusion af særligt dyre enkeltsager 2026 (dranst 2)" in body
    assert "723.131 kr." in body and "597.697,64 kr." in body and "DD-1" in body
    assert "Ikke bekræftet mod Social- og Boligministeriets satser" in body  # the page says so
    assert "EE-1" not in body
