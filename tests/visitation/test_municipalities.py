"""The 98 municipalities as reference data; acting and paying municipality on placements."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from botilbud.models import Municipality
from botilbud.registry import load_reference_data
from budget.rates.models import RateCalculation
from visitation.models import Placement


@pytest.mark.django_db
def test_the_98_municipalities_with_their_numbers():
    load_reference_data()
    assert Municipality.objects.count() == 98
    names = dict(Municipality.objects.values_list("code", "name"))
    assert names[101] == "København" and names[147] == "Frederiksberg" and names[151] == "Ballerup"
    assert names[751] == "Aarhus" and names[860] == "Hjørring"
    assert Municipality.own().code == 101  # settings.MUNICIPALITY_CODE
    load_reference_data()  # idempotent
    assert Municipality.objects.count() == 98


def _data(vis, **kw):
    data = {
        "case_number": "SALG-77",
        "initials": "cd",
        "paragraph": vis.p85.pk,
        "offer": vis.own_85.pk,
        "package": vis.pkg6.pk,
        "start_date": "15-03-2026",
    }
    return {**data, **kw}


def test_own_citizen_defaults_to_own_municipality(org, vis, client_for):
    r = client_for(org.caseworker).post(reverse("visitation:placement_create"), _data(vis, case_number="EGEN-1"))
    assert r.status_code == 302
    p = Placement.objects.get(citizen__case_number="EGEN-1")
    assert (p.paying_municipality_id, p.acting_municipality_id) == (101, 101) and not p.is_sale
    assert not Placement.objects.sales().exists() and Placement.objects.own_citizens().count() == 1


def test_caseworker_records_another_municipalitys_citizen_in_own_home(org, vis, client_for):
    c = client_for(org.caseworker)
    r = c.post(reverse("visitation:placement_create"), _data(vis, paying_municipality="159"))
    assert r.status_code == 400 and "ingen godkendt takst for 2026" in r.content.decode()
    RateCalculation.objects.create(
        home=org.home_a,
        year=2026,
        places=20,
        occupancy_pct=95,
        overhead_pct=3,
        regulation_limit_pct=5,
        status="godkendt",
        approved_annual=Decimal("547500.00"),
        approved_day=Decimal("1500.00"),
    )
    r = c.post(reverse("visitation:placement_create"), _data(vis, paying_municipality="159"))
    assert r.status_code == 302
    p = Placement.objects.get(citizen__case_number="SALG-77")
    assert (p.paying_municipality_id, p.acting_municipality_id) == (159, 159) and p.is_sale
    assert p.annual_price == Decimal("547500.00")  # the approved rate, not hours × hour price
    assert list(Placement.objects.sales()) == [p]
    body = c.get(p.get_absolute_url()).content.decode()
    assert "Gladsaxe (159)" in body and "Salg" in body


def test_a_sale_must_be_in_an_own_home(org, vis, client_for):
    r = client_for(org.caseworker).post(
        reverse("visitation:placement_create"),
        _data(vis, offer=vis.ext_108.pk, paragraph=vis.p108.pk, package="", paying_municipality="159"),
    )
    assert r.status_code == 400
    assert "Salg gælder kun andre kommuners borgere i egne tilbud." in r.content.decode()
    assert not Placement.objects.exists()


def test_unknown_municipality_number_is_refused(org, vis, client_for):
    r = client_for(org.caseworker).post(reverse("visitation:placement_create"), _data(vis, paying_municipality="999"))
    assert r.status_code == 400
    assert not Placement.objects.exists()
