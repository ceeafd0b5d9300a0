"""Password login stays for the demo and a break-glass admin, and can be
switched off (BOTILBUD_PASSWORD_LOGIN=0): then the page shows only single
sign-on and every password form refuses, the admin site's too."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from botilbud.lib.history import object_history
from botilbud.models import Role
from botilbud.sso.config import oidc_settings, password_settings
from botilbud.sso.models import GroupMapping
from tests.conftest import PASSWORD, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def password_off(settings):
    settings.BOTILBUD_PASSWORD_LOGIN = False
    settings.BOTILBUD_BREAK_GLASS_USER = "nodadmin"
    return settings


def test_password_login_works_by_default(client, org):
    response = client.post("/log-ind/", {"username": "leder", "password": PASSWORD})
    assert response.status_code == 302
    assert "_auth_user_id" in client.session


def test_when_off_the_page_shows_no_password_form(client, password_off):
    page = client.get("/log-ind/").content.decode()
    assert 'name="password"' not in page


def test_when_off_a_password_login_is_refused_in_danish(client, org, password_off):
    response = client.post("/log-ind/", {"username": "leder", "password": PASSWORD})
    assert response.status_code == 200
    assert "adgangskode er slået fra" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_when_off_the_admin_login_refuses_too(client, org, password_off):
    client.post("/admin/login/", {"username": "admin", "password": PASSWORD, "next": "/admin/"})
    assert "_auth_user_id" not in client.session


def test_when_off_an_open_password_session_ends(client, org, settings):
    client.post("/log-ind/", {"username": "leder", "password": PASSWORD})
    assert client.get("/").status_code == 200
    settings.BOTILBUD_PASSWORD_LOGIN = False
    assert client.get("/").status_code == 302


def test_the_break_glass_admin_can_still_sign_in(client, org, password_off):
    make_user("nodadmin", Role.ADMIN, is_staff=True, is_superuser=True)
    page = client.get("/log-ind/?noedadgang=1").content.decode()
    assert 'name="password"' in page and "Nødadgang" in page
    response = client.post("/log-ind/?noedadgang=1", {"username": "nodadmin", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/").status_code == 200


def test_without_a_break_glass_user_nobody_gets_in_by_password(client, org, settings):
    settings.BOTILBUD_PASSWORD_LOGIN = False
    settings.BOTILBUD_BREAK_GLASS_USER = ""
    assert 'name="password"' not in client.get("/log-ind/?noedadgang=1").content.decode()
    client.post("/log-ind/", {"username": "admin", "password": PASSWORD})
    assert "_auth_user_id" not in client.session


def test_the_environment_switches_it(monkeypatch):
    monkeypatch.setenv("BOTILBUD_PASSWORD_LOGIN", "0")
    monkeypatch.setenv("BOTILBUD_BREAK_GLASS_USER", "nodadmin")
    assert password_settings() == {"BOTILBUD_PASSWORD_LOGIN": False, "BOTILBUD_BREAK_GLASS_USER": "nodadmin"}


def test_entra_tenant_fills_in_the_endpoints(monkeypatch):
    monkeypatch.setenv("BOTILBUD_OIDC_ENTRA_TENANT", "11111111-2222-3333-4444-555555555555")
    monkeypatch.setenv("BOTILBUD_OIDC_CLIENT_ID", "app-id")
    monkeypatch.setenv("BOTILBUD_OIDC_CLIENT_SECRET", "secret")
    values = oidc_settings()
    base = "https://login.microsoftonline.com/11111111-2222-3333-4444-555555555555"
    assert values["BOTILBUD_OIDC_ENABLED"] is True
    assert values["OIDC_OP_AUTHORIZATION_ENDPOINT"] == base + "/oauth2/v2.0/authorize"
    assert values["OIDC_OP_JWKS_ENDPOINT"] == base + "/discovery/v2.0/keys"
    assert values["BOTILBUD_OIDC_ISSUER"] == base + "/v2.0"
    assert values["BOTILBUD_OIDC_SUBJECT_CLAIM"] == "oid"


def test_half_configured_oidc_refuses_to_start(monkeypatch):
    monkeypatch.setenv("BOTILBUD_OIDC_CLIENT_ID", "app-id")
    with pytest.raises(ImproperlyConfigured, match="BOTILBUD_OIDC_CLIENT_SECRET"):
        oidc_settings()


def test_a_mappings_homes_are_in_its_audit_trail(client, org):
    client.force_login(org.administrator)
    response = client.post(
        "/admin/sso/groupmapping/add/",
        {
            "group": "grp-ledere",
            "description": "Ledere",
            "role": Role.HOME_MANAGER,
            "homes": [org.home_a.pk],
            "is_active": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    mapping = GroupMapping.objects.get(group="grp-ledere")
    page = client.get(f"/admin/sso/groupmapping/{mapping.pk}/change/").content.decode()
    response = client.post(
        f"/admin/sso/groupmapping/{mapping.pk}/change/",
        {
            "group": "grp-ledere",
            "description": "Ledere",
            "role": Role.HOME_MANAGER,
            "homes": [org.home_a.pk, org.home_b.pk],
            "is_active": "on",
            "version": mapping.version,
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert "Botilbud: Egebakken" in page
    changes = [c for row in object_history(mapping) for c in row["changes"] if c["field"] == "botilbud og områder"]
    assert changes[0]["before"] == "Botilbud: Egebakken"
    assert changes[0]["after"] == "Botilbud: Egebakken, Lindehuset"
    assert object_history(mapping)[0]["who"] == str(org.administrator)
    assert client.get(f"/historik/gruppekobling/{mapping.pk}/").status_code == 200


def test_a_stale_mapping_edit_is_refused(client, org):
    mapping = GroupMapping.objects.create(group="grp-ledere", role=Role.HOME_MANAGER)
    GroupMapping.objects.filter(pk=mapping.pk).update(version=2)
    client.force_login(org.administrator)
    response = client.post(
        f"/admin/sso/groupmapping/{mapping.pk}/change/",
        {"group": "grp-ledere", "role": Role.CONSULTANT, "is_active": "on", "version": 1},
    )
    assert response.status_code == 200
    assert "Din ændring er ikke gemt" in response.content.decode()
    mapping.refresh_from_db()
    assert mapping.role == Role.HOME_MANAGER


def test_only_the_administrator_sees_a_mappings_history(client, org):
    mapping = GroupMapping.objects.create(group="grp-ledere", role=Role.HOME_MANAGER)
    for user in org.all_users:
        client.force_login(user)
        expected = 200 if user.role == Role.ADMIN else 404
        assert client.get(f"/historik/gruppekobling/{mapping.pk}/").status_code == expected, user.role
