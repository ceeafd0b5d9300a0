"""Scoping: every role sees exactly its homes; outsiders get 404."""

import pytest

from botilbud.models import Home


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("manager", {"Egebakken", "Lindehuset"}),
        ("other_manager", {"Birkelund"}),
        ("area_manager", {"Egebakken", "Lindehuset"}),
        ("consultant", {"Egebakken", "Lindehuset"}),
        ("caseworker", set()),
        ("authority_head", set()),
        ("department_head", {"Egebakken", "Lindehuset", "Birkelund"}),
        ("administrator", {"Egebakken", "Lindehuset", "Birkelund"}),
    ],
)
def test_it_scopes_homes_per_role(org, persona, expected):
    user = getattr(org, persona)
    assert set(Home.objects.visible_to(user).values_list("name", flat=True)) == expected


def test_only_managers_and_consultants_write(org):
    assert set(Home.objects.writable_by(org.manager)) == {org.home_a, org.home_b}
    assert set(Home.objects.writable_by(org.consultant)) == {org.home_a, org.home_b}
    for persona in ("area_manager", "department_head", "caseworker", "administrator"):
        assert not Home.objects.writable_by(getattr(org, persona)).exists()


def test_inactive_user_sees_nothing(org):
    org.department_head.is_active = False
    assert not Home.objects.visible_to(org.department_head).exists()


@pytest.mark.parametrize(
    ("persona", "status"),
    [
        ("manager", 200),
        ("other_manager", 404),
        ("area_manager", 200),
        ("consultant", 200),
        ("caseworker", 404),
        ("authority_head", 404),
        ("department_head", 200),
        ("administrator", 200),
    ],
)
def test_home_page_is_scoped(org, client_for, persona, status):
    response = client_for(getattr(org, persona)).get(f"/botilbud/{org.home_a.pk}/")
    assert response.status_code == status
    if status == 404:
        assert "Siden findes ikke" in response.content.decode()


def test_anonymous_is_sent_to_login(client, org):
    response = client.get(f"/botilbud/{org.home_a.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/log-ind/")


def test_home_page_rejects_post(org, client_for):
    assert client_for(org.manager).post(f"/botilbud/{org.home_a.pk}/").status_code == 405


def test_home_page_query_count_is_bounded(org, client_for, django_assert_max_num_queries):
    client = client_for(org.department_head)
    with django_assert_max_num_queries(12):
        assert client.get(f"/botilbud/{org.home_a.pk}/").status_code == 200
