"""Every role gets a Danish start page with its own real data."""

import pytest

from botilbud.models import Home


@pytest.mark.parametrize(
    ("persona", "must_show", "must_not_show"),
    [
        ("manager", ["Mine botilbud", "Egebakken", "Lindehuset"], ["Birkelund"]),
        ("other_manager", ["Birkelund"], ["Egebakken"]),
        ("area_manager", ["Område Nord", "Egebakken", "Lindehuset"], ["Birkelund"]),
        ("consultant", ["Mine botilbud", "Egebakken"], ["Birkelund"]),
        ("caseworker", ["Kommunens egne tilbud", "§108"], ["Egebakken"]),
        ("authority_head", ["Kommunens egne tilbud"], ["Egebakken"]),
        ("department_head", ["Områder og botilbud", "Område Nord", "Område Syd"], []),
        ("administrator", ["Aktive brugere pr. rolle", "Gå til administration"], []),
    ],
)
def test_it_shows_the_role_start_page(org, client_for, persona, must_show, must_not_show):
    response = client_for(getattr(org, persona)).get("/")
    assert response.status_code == 200
    text = response.content.decode()
    assert '<html lang="da">' in text
    for needle in must_show:
        assert needle in text, needle
    for needle in must_not_show:
        assert needle not in text, needle


def test_start_page_query_count_does_not_grow_with_homes(org, client_for, django_assert_max_num_queries):
    client = client_for(org.department_head)
    with django_assert_max_num_queries(15):
        client.get("/")
    Home.objects.bulk_create(
        [
            Home(name=f"Hjem {i}", area=org.area_south, capacity=10, target_group="handicap", cost_centre=f"9{i:04d}")
            for i in range(140)
        ]
    )
    with django_assert_max_num_queries(15):
        client.get("/")
    manager = client_for(org.manager)
    with django_assert_max_num_queries(15):
        manager.get("/botilbud/")


def test_login_page_is_danish(client):
    text = client.get("/log-ind/").content.decode()
    assert "Log ind i Botilbud" in text and "Adgangskode" in text


def test_wrong_password_gets_a_danish_message(client, org):
    response = client.post("/log-ind/", {"username": "leder", "password": "forkert"})
    assert response.status_code == 200
    assert "Forkert brugernavn eller adgangskode" in response.content.decode()


def test_healthz(client, db):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_csp_header_is_strict(client, db):
    csp = client.get("/log-ind/")["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
