"""OpenID Connect against a real provider (oidc-provider-mock) started locally:
the code flow, the group mapping, refusals of unmapped users and bad tokens."""

from __future__ import annotations

import base64
import json
from datetime import timedelta
from urllib.parse import urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.conf import settings
from django.test import Client
from oidc_provider_mock import run_server_in_thread

from botilbud.lib.history import object_history
from botilbud.models import Role, User
from botilbud.sso.backends import OIDCBackend
from botilbud.sso.models import ExternalIdentity, GroupMapping
from tests.sso.conftest import OidcProvider, configure_oidc, query

pytestmark = pytest.mark.django_db


@pytest.fixture
def mappings(org):
    leaders = GroupMapping.objects.create(group="grp-ledere", description="Botilbudsledere", role=Role.HOME_MANAGER)
    egebakken = GroupMapping.objects.create(group="GRP-Egebakken", description="Egebakken")
    egebakken.homes.add(org.home_a)
    north = GroupMapping.objects.create(group="grp-nord", description="Område Nord", role=Role.AREA_MANAGER)
    north.areas.add(org.area_north)
    return {"leaders": leaders, "egebakken": egebakken, "north": north}


def sign_in(client, oidc, sub: str, next_url: str = ""):
    """The whole code flow: our login URL → provider → our callback."""
    start = client.get("/sso/oidc/login/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302
    authorize_url = start["Location"]
    assert authorize_url.startswith(oidc.url + "/oauth2/authorize")
    callback = oidc.authorize(authorize_url, sub)
    parsed = urlparse(callback)
    assert parsed.path == "/sso/oidc/callback/"
    return client.get(parsed.path + "?" + parsed.query)


def test_login_page_shows_the_sso_button(client, oidc):
    page = client.get("/log-ind/")
    assert "Log ind med kommunens konto" in page.content.decode()
    assert 'href="/sso/oidc/login/"' in page.content.decode()


def test_a_new_employee_gets_role_and_home_from_groups(client, oidc, org, mappings):
    oidc.set_user("anna", groups=["grp-ledere", "grp-egebakken"], given_name="Anna", family_name="Jensen")
    response = sign_in(client, oidc, "anna")
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(username="anna@kommune.test")
    assert (user.role, user.first_name, user.last_name, user.email) == (
        Role.HOME_MANAGER,
        "Anna",
        "Jensen",
        "anna@kommune.test",
    )
    assert not user.has_usable_password()
    assert list(user.managed_homes.all()) == [org.home_a]
    identity = ExternalIdentity.objects.get(user=user)
    assert identity.provider == "oidc" and identity.subject == "anna"
    start = client.get("/")
    assert start.status_code == 200 and "Egebakken" in start.content.decode()
    assert client.get(f"/botilbud/{org.home_a.pk}/").status_code == 200
    assert client.get(f"/botilbud/{org.home_c.pk}/").status_code == 404


def test_next_url_is_kept(client, oidc, org, mappings):
    oidc.set_user("anna", groups=["grp-ledere", "grp-egebakken"])
    response = sign_in(client, oidc, "anna", next_url=f"/botilbud/{org.home_a.pk}/")
    assert response["Location"] == f"/botilbud/{org.home_a.pk}/"


def test_area_mapping_gives_an_area_manager_the_area(client, oidc, org, mappings):
    oidc.set_user("ole", groups=["grp-nord"])
    sign_in(client, oidc, "ole")
    user = User.objects.get(username="ole@kommune.test")
    assert user.role == Role.AREA_MANAGER
    assert list(user.managed_areas.all()) == [org.area_north]
    assert client.get(f"/botilbud/{org.home_b.pk}/").status_code == 200
    assert client.get(f"/botilbud/{org.home_c.pk}/").status_code == 404


def test_no_mapped_group_gets_a_danish_message_and_no_session(client, oidc, org, mappings):
    oidc.set_user("karl", groups=["grp-kantine"])
    response = sign_in(client, oidc, "karl")
    assert response.status_code == 403
    assert "ingen af dine grupper" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # back to the login page
    assert not User.objects.filter(username="karl@kommune.test").exists()


def test_a_removed_group_means_no_access_at_the_next_login(client, oidc, org, mappings):
    oidc.set_user("anna", groups=["grp-ledere", "grp-egebakken"])
    sign_in(client, oidc, "anna")
    user = User.objects.get(username="anna@kommune.test")
    assert user.is_active
    client.post("/log-ud/")

    oidc.set_user("anna", groups=["grp-egebakken-gammel"])
    response = sign_in(client, oidc, "anna")
    assert response.status_code == 403
    assert "ingen af dine grupper" in response.content.decode()
    user.refresh_from_db()
    assert not user.is_active
    assert list(user.managed_homes.all()) == []
    assert "_auth_user_id" not in client.session

    # Back in the group: access again (deactivated by login, not by hand).
    oidc.set_user("anna", groups=["grp-ledere", "grp-egebakken"])
    assert sign_in(client, oidc, "anna").status_code == 302
    user.refresh_from_db()
    assert user.is_active and list(user.managed_homes.all()) == [org.home_a]


def test_a_user_deactivated_by_hand_stays_out(client, oidc, org, mappings):
    oidc.set_user("anna", groups=["grp-ledere", "grp-egebakken"])
    sign_in(client, oidc, "anna")
    client.post("/log-ud/")
    User.objects.filter(username="anna@kommune.test").update(is_active=False)
    response = sign_in(client, oidc, "anna")
    assert response.status_code == 403
    assert "deaktiveret" in response.content.decode()


def test_an_open_session_ends_when_the_next_login_revokes_access(client, oidc, org, mappings):
    oidc.set_user("anna", groups=["grp-ledere", "grp-egebakken"])
    sign_in(client, oidc, "anna")

    other_browser = Client()
    oidc.set_user("anna", groups=[])
    assert sign_in(other_browser, oidc, "anna").status_code == 403
    # The first browser's session is no longer valid either.
    assert client.get("/").status_code == 302


def test_a_group_for_homes_only_gives_no_role(client, oidc, org, mappings):
    oidc.set_user("bo", groups=["grp-egebakken"])
    response = sign_in(client, oidc, "bo")
    assert response.status_code == 403
    assert "ingen rolle" in response.content.decode()


def test_the_widest_role_wins_and_changes_apply_at_the_next_login(client, oidc, org, mappings):
    oidc.set_user("mia", groups=["grp-ledere", "grp-egebakken", "grp-nord"])
    sign_in(client, oidc, "mia")
    user = User.objects.get(username="mia@kommune.test")
    assert user.role == Role.AREA_MANAGER
    client.post("/log-ud/")
    oidc.set_user("mia", groups=["grp-ledere", "grp-egebakken"])
    sign_in(client, oidc, "mia")
    user.refresh_from_db()
    assert user.role == Role.HOME_MANAGER
    assert list(user.managed_areas.all()) == []
    assert list(user.managed_homes.all()) == [org.home_a]


def test_an_inactive_mapping_gives_nothing(client, oidc, org, mappings):
    GroupMapping.objects.filter(pk=mappings["leaders"].pk).update(is_active=False)
    oidc.set_user("anna", groups=["grp-ledere", "grp-egebakken"])
    assert sign_in(client, oidc, "anna").status_code == 403


def test_an_existing_local_account_is_taken_over_and_loses_its_password(client, oidc, org, mappings):
    local = User.objects.create_user("lise@kommune.test", password="gammel-kode-1", role=Role.CONSULTANT)
    oidc.set_user("lise", groups=["grp-ledere", "grp-egebakken"])
    sign_in(client, oidc, "lise")
    local.refresh_from_db()
    assert local.role == Role.HOME_MANAGER
    assert not local.has_usable_password()


def test_the_break_glass_admin_cannot_be_taken_over(client, oidc, org, mappings, settings):
    settings.BOTILBUD_BREAK_GLASS_USER = "nodadmin@kommune.test"
    User.objects.create_user("nodadmin@kommune.test", password="x-lang-kode-1", role=Role.ADMIN)
    oidc.set_user("nod", groups=["grp-ledere"], preferred_username="nodadmin@kommune.test")
    response = sign_in(client, oidc, "nod")
    assert response.status_code == 403
    assert User.objects.get(username="nodadmin@kommune.test").has_usable_password()


def test_sso_changes_are_in_the_audit_trail(client, oidc, org, mappings):
    oidc.set_user("anna", groups=["grp-ledere", "grp-egebakken"])
    sign_in(client, oidc, "anna")
    rows = object_history(User.objects.get(username="anna@kommune.test"))
    assert rows[-1]["who"] == "Login med kommunens konto (grupper)"


# --- Refused tokens ----------------------------------------------------------


def _tamper(monkeypatch, change):
    """Let the real provider issue the token, then change it on the way."""
    original = OIDCBackend.get_token

    def get_token(self, payload):
        token = original(self, payload)
        token["id_token"] = change(token["id_token"])
        return token

    monkeypatch.setattr(OIDCBackend, "get_token", get_token)


def test_a_tampered_token_is_refused(client, oidc, org, mappings, monkeypatch):
    GroupMapping.objects.create(group="grp-admins", role=Role.ADMIN)
    oidc.set_user("eve", groups=["grp-ledere", "grp-egebakken"])

    def raise_privileges(token: str) -> str:
        head, body, signature = token.split(".")
        claims = json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)))
        claims["groups"] = ["grp-admins"]
        forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
        return f"{head}.{forged}.{signature}"

    _tamper(monkeypatch, raise_privileges)
    response = sign_in(client, oidc, "eve")
    assert response.status_code == 403
    assert "ikke kunne godkendes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username="eve@kommune.test").exists()


def test_a_token_signed_by_another_key_is_refused(client, oidc, org, mappings, monkeypatch):
    oidc.set_user("eve", groups=["grp-ledere", "grp-egebakken"])
    attacker_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)

    def resign(token: str) -> str:
        header = jwt.get_unverified_header(token)
        claims = jwt.decode(token, options={"verify_signature": False})
        # Same header (and key id, if any) as the real token: only the key differs.
        extra = {"kid": header["kid"]} if "kid" in header else None
        return jwt.encode(claims, attacker_key, algorithm="RS256", headers=extra)

    _tamper(monkeypatch, resign)
    response = sign_in(client, oidc, "eve")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_an_expired_token_is_refused(client, oidc, org, mappings):

    # A provider whose tokens expired ten minutes before they were issued
    # (beyond the 60 s leeway for clock skew).
    with run_server_in_thread(access_token_max_age=timedelta(minutes=-10)) as server:
        url = f"http://localhost:{server.server_port}"
        configure_oidc(settings, url)
        expired = OidcProvider(url)
        expired.set_user("anna", groups=["grp-ledere", "grp-egebakken"])
        response = sign_in(client, expired, "anna")
    assert response.status_code == 403
    assert "udløbet" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_token_from_another_issuer_is_refused(client, oidc, org, mappings, settings):
    settings.BOTILBUD_OIDC_ISSUER = "https://login.microsoftonline.com/en-anden-kommune/v2.0"
    oidc.set_user("anna", groups=["grp-ledere", "grp-egebakken"])
    response = sign_in(client, oidc, "anna")
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_a_callback_with_an_unknown_state_is_refused(client, oidc):
    client.get("/sso/oidc/login/")
    response = client.get("/sso/oidc/callback/?code=abc&state=forfalsket")
    assert response.status_code == 403


def test_a_provider_error_is_a_danish_message(client, oidc):
    start = client.get("/sso/oidc/login/")
    state = query(start["Location"])["state"]
    response = client.get(f"/sso/oidc/callback/?error=access_denied&state={state}")
    assert response.status_code == 403
    assert "afbrudt" in response.content.decode()


def test_logout_ends_the_session_at_the_provider_too(client, oidc, org, mappings):
    oidc.set_user("anna", groups=["grp-ledere", "grp-egebakken"])
    sign_in(client, oidc, "anna")
    response = client.post("/log-ud/")
    assert response.status_code == 200
    target = response.context["provider_logout_url"]
    assert f'content="0;url={target}"'.replace("&", "&amp;") in response.content.decode()
    assert target.startswith(oidc.url + "/oauth2/end_session?")
    params = query(target)
    assert params["post_logout_redirect_uri"] == "http://testserver/log-ind/"
    assert params["id_token_hint"]
    assert "_auth_user_id" not in client.session


def test_oidc_urls_are_404_when_not_configured(client, settings):
    settings.BOTILBUD_OIDC_ENABLED = False
    assert client.get("/sso/oidc/login/").status_code == 404
    assert client.get("/sso/oidc/callback/?code=a&state=b").status_code == 404
    assert "kommunens konto" not in client.get("/log-ind/").content.decode()
