"""The administrator's data-protection page (GDPR art. 30 record) and the
check that keeps it complete."""

from __future__ import annotations

import datetime as dt

import pytest

from botilbud.dataprotection import listed_models, personal_models, recipients
from botilbud.models import Paragraph
from tests.visitation.conftest import make_placement
from visitation.models import Offer, Placement, Provider


def test_every_model_with_personal_data_is_in_the_record():
    """A new model with a case number, initials, a name, an e-mail, an IP
    address or a link to a citizen must be added to an activity."""
    missing = sorted(m._meta.label for m in personal_models() - listed_models())
    assert not missing, f"Personal data not in botilbud/dataprotection.py: {missing}"


def test_recipients_follow_the_access_rules(db):
    by_role = {r["role"]: r for r in recipients("placements")}
    assert by_role["Sagsbehandler"]["reach"] == "Alle"
    assert by_role["Sagsbehandler"]["detail"] == "sagsnummer og initialer"
    assert by_role["Botilbudsleder"]["reach"] == "Bevillinger i egne botilbud"
    assert by_role["Botilbudsleder"]["detail"] == "kun initialer"
    homes = {r["role"]: r for r in recipients("homes")}
    assert homes["Fagchef"]["reach"] == "Alle"
    assert homes["Økonomikonsulent"]["reach"] == "Egne botilbud"
    assert homes["Myndighedsleder"]["sees"] is False


def test_only_the_administrator_sees_the_page(org, client_for):
    for user in org.all_users:
        response = client_for(user).get("/databeskyttelse/")
        assert response.status_code == (200 if user == org.administrator else 404), user.role
    page = client_for(org.administrator).get("/").content.decode()
    assert 'href="/databeskyttelse/"' in page


def _due_citizens(org, n):
    own = Provider.objects.create(name="Egne", kind=Provider.Kind.OWN)
    offer = Offer.objects.create(
        provider=own, name="Egebakken", paragraph=Paragraph.objects.get(code="§108"), home=org.home_a
    )
    for i in range(n):
        make_placement(
            offer,
            status=Placement.Status.ENDED,
            start_date=dt.date(2015, 1, 1),
            end_date=dt.date(2016, 1, 31 - i),
        )


@pytest.mark.parametrize("n", [1, 6])
def test_the_page_shows_the_record_and_the_dry_run(org, client_for, django_assert_max_num_queries, n):
    _due_citizens(org, n)
    client = client_for(org.administrator)
    with django_assert_max_num_queries(40):
        response = client.get("/databeskyttelse/")
    text = response.content.decode()
    assert "Københavns Kommune" in text or "Dataansvarlig" in text
    assert "sagsnummer" in text and "initialer" in text and "fødselsår" in text  # from the model
    assert "Bevillinger i egne botilbud (kun initialer)" in text
    assert f"{n} borgere, hvis sidste bevilling ophørte senest" in text
    assert "T-0000" in text  # the administrator sees the case numbers due
    assert "Jobbet har ikke anonymiseret nogen endnu." in text
