"""SAML 2.0 against a real pysaml2 identity provider started locally (keys
made at test time): the redirect/POST flow, the same group mapping as OIDC,
refusals of unmapped users, tampered, foreign, expired, unsolicited and
replayed assertions, single logout."""

from __future__ import annotations

import base64
import copy
import datetime as dt
from urllib.parse import urlparse

import pytest
import time_machine
from django.core.exceptions import ImproperlyConfigured
from django.test import Client
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string

from botilbud.models import Role, User
from botilbud.sso.config import saml_settings
from botilbud.sso.models import ExternalIdentity, GroupMapping
from botilbud.sso.saml import kombit_privileges
from tests.sso.conftest import saml_user
from tests.sso.saml_idp import SamlIdP

pytestmark = pytest.mark.django_db


@pytest.fixture
def mappings(org):
    leaders = GroupMapping.objects.create(group="Ledere", role=Role.HOME_MANAGER)
    egebakken = GroupMapping.objects.create(group="Egebakken-personale")
    egebakken.homes.add(org.home_a)
    return leaders, egebakken


def saml_sign_in(client, idp, uid: str, *, tamper=None, signer=None, next_url: str = ""):
    start = client.get("/sso/saml/login/" + (f"?next={next_url}" if next_url else ""))
    assert start.status_code == 302, start.content
    assert start["Location"].startswith(idp.url + "/sso/redirect?SAMLRequest=")
    acs, fields = (signer or idp).response_for_redirect(start["Location"], uid, tamper=tamper)
    assert urlparse(acs).path == "/sso/saml/acs/"
    return client.post("/sso/saml/acs/", fields), fields


def test_login_page_shows_the_saml_button(client, saml):
    page = client.get("/log-ind/").content.decode()
    assert 'href="/sso/saml/login/"' in page
    assert "Log ind med kommunens konto" in page


def test_a_new_employee_gets_role_and_home_from_groups(client, saml, org, mappings):
    saml.users["anna"] = saml_user("anna", ["Ledere", "Egebakken-personale"], given="Anna", surname="Jensen")
    response, _ = saml_sign_in(client, saml, "anna")
    assert response.status_code == 302 and response["Location"] == "/"
    user = User.objects.get(username="anna@kommune.test")
    assert (user.role, user.first_name, user.last_name) == (Role.HOME_MANAGER, "Anna", "Jensen")
    assert not user.has_usable_password()
    assert list(user.managed_homes.all()) == [org.home_a]
    identity = ExternalIdentity.objects.get(user=user)
    assert (identity.provider, identity.subject, identity.issuer) == ("saml", "anna", saml.entity_id)
    assert "Egebakken" in client.get("/").content.decode()
    assert client.get(f"/botilbud/{org.home_c.pk}/").status_code == 404


def test_relay_state_brings_the_user_back(client, saml, org, mappings):
    saml.users["anna"] = saml_user("anna", ["Ledere", "Egebakken-personale"])
    response, _ = saml_sign_in(client, saml, "anna", next_url=f"/botilbud/{org.home_a.pk}/")
    assert response["Location"] == f"/botilbud/{org.home_a.pk}/"


def test_no_mapped_group_gets_a_danish_message_and_no_session(client, saml, org, mappings):
    saml.users["karl"] = saml_user("karl", ["Kantine"])
    response, _ = saml_sign_in(client, saml, "karl")
    assert response.status_code == 403
    assert "ingen af dine grupper" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_removed_group_means_no_access_at_the_next_login(client, saml, org, mappings):
    saml.users["anna"] = saml_user("anna", ["Ledere", "Egebakken-personale"])
    saml_sign_in(client, saml, "anna")
    client.logout()
    saml.users["anna"] = saml_user("anna", ["Egebakken-personale"])
    response, _ = saml_sign_in(client, saml, "anna")
    assert response.status_code == 403
    assert "ingen rolle" in response.content.decode()
    user = User.objects.get(username="anna@kommune.test")
    assert not user.is_active and list(user.managed_homes.all()) == []


def test_the_same_user_via_oidc_and_saml_is_one_user_by_username(client, saml, org, mappings):
    User.objects.create_user("anna@kommune.test", role=Role.CONSULTANT)
    saml.users["anna"] = saml_user("anna", ["Ledere", "Egebakken-personale"])
    saml_sign_in(client, saml, "anna")
    assert User.objects.filter(username__iexact="anna@kommune.test").count() == 1


def test_a_tampered_assertion_is_refused(client, saml, org, mappings):
    GroupMapping.objects.create(group="Administratorer", role=Role.ADMIN)
    saml.users["eve"] = saml_user("eve", ["Ledere"])
    response, _ = saml_sign_in(client, saml, "eve", tamper=lambda xml: xml.replace(">Ledere<", ">Administratorer<"))
    assert response.status_code == 403
    assert "ikke kunne godkendes" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not User.objects.filter(username="eve@kommune.test").exists()


def test_an_assertion_signed_by_another_key_is_refused(client, saml, org, mappings, saml_folder, sp_keypair, settings):
    attacker = SamlIdP(saml_folder, key_name="angriber")
    attacker.url, attacker.entity_id = saml.url, saml.entity_id  # poses as the municipality's IdP
    attacker.trust_sp(_sp_metadata(settings))
    attacker.users["eve"] = saml_user("eve", ["Ledere", "Egebakken-personale"])
    response, _ = saml_sign_in(client, saml, "eve", signer=attacker)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_an_expired_assertion_is_refused(client, saml, org, mappings):
    saml.users["anna"] = saml_user("anna", ["Ledere", "Egebakken-personale"])
    start = client.get("/sso/saml/login/")
    _, fields = saml.response_for_redirect(start["Location"], "anna")
    # The assertion lives 5 minutes; it arrives an hour later.
    with time_machine.travel(dt.datetime.now(dt.UTC) + dt.timedelta(hours=1), tick=True):
        response = client.post("/sso/saml/acs/", fields)
    assert response.status_code == 403
    assert "_auth_user_id" not in client.session


def test_an_unsolicited_assertion_is_refused(client, saml, org, mappings):
    saml.users["anna"] = saml_user("anna", ["Ledere", "Egebakken-personale"])
    start = client.get("/sso/saml/login/")
    _, fields = saml.response_for_redirect(start["Location"], "anna")
    other = Client()  # a browser that never asked for it
    response = other.post("/sso/saml/acs/", fields)
    assert response.status_code == 403
    assert "_auth_user_id" not in other.session


def test_a_replayed_assertion_is_refused(client, saml, org, mappings):
    saml.users["anna"] = saml_user("anna", ["Ledere", "Egebakken-personale"])
    response, fields = saml_sign_in(client, saml, "anna")
    assert response.status_code == 302
    client.logout()
    assert client.post("/sso/saml/acs/", fields).status_code == 403


def test_garbage_is_refused_without_500(client, saml):
    client.get("/sso/saml/login/")
    assert client.post("/sso/saml/acs/", {"SAMLResponse": "not-saml"}).status_code == 403
    assert client.post("/sso/saml/acs/", {}).status_code == 400


def test_single_logout_at_the_idp(client, saml, org, mappings):
    saml.users["anna"] = saml_user("anna", ["Ledere", "Egebakken-personale"])
    saml_sign_in(client, saml, "anna")
    response = client.post("/log-ud/")
    assert response.status_code == 200
    target = response.context["provider_logout_url"]
    assert target.startswith(saml.url + "/slo/redirect?SAMLRequest=")
    assert "_auth_user_id" not in client.session
    back = saml.logout_redirect(target)
    assert saml.logouts[-1] == "anna"
    parsed = urlparse(back)
    assert parsed.path == "/sso/saml/ls/"
    final = client.get(parsed.path + "?" + parsed.query)
    assert final.status_code == 302 and final["Location"] == "/log-ind/"


def test_sp_metadata_is_published(client, saml):
    response = client.get("/sso/saml/metadata/")
    assert response.status_code == 200
    assert 'entityID="http://testserver/sso/saml/metadata/"' in response.content.decode()
    assert "http://testserver/sso/saml/acs/" in response.content.decode()


def test_saml_urls_are_404_when_not_configured(client, settings):
    settings.BOTILBUD_SAML_ENABLED = False
    assert client.get("/sso/saml/login/").status_code == 404
    assert client.post("/sso/saml/acs/", {"SAMLResponse": "x"}).status_code == 404


def test_kombit_privileges_are_read_from_the_base64_xml():
    xml = (
        '<?xml version="1.0"?><bpp:PrivilegeList xmlns:bpp="http://itst.dk/oiosaml/basic_privilege_profile">'
        '<PrivilegeGroup Scope="urn:dk:gov:saml:cvrNumberIdentifier:29189846">'
        "<Privilege>http://kombit.dk/roles/usersystemrole/botilbud_leder/1</Privilege>"
        "<Privilege>http://kombit.dk/roles/usersystemrole/botilbud_egebakken/1</Privilege>"
        "</PrivilegeGroup></bpp:PrivilegeList>"
    )
    assert kombit_privileges(base64.b64encode(xml.encode()).decode()) == [
        "http://kombit.dk/roles/usersystemrole/botilbud_leder/1",
        "http://kombit.dk/roles/usersystemrole/botilbud_egebakken/1",
    ]
    assert kombit_privileges("ikke base64 xml") == []
    evil = '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><x>&a;</x>'
    assert kombit_privileges(base64.b64encode(evil.encode()).decode()) == []


def test_the_environment_configures_saml(monkeypatch, tmp_path):
    monkeypatch.setenv(
        "BOTILBUD_SAML_METADATA_URL", "https://adfs.kommune.dk/FederationMetadata/2007-06/FederationMetadata.xml"
    )
    monkeypatch.setenv("BOTILBUD_SAML_BASE_URL", "https://botilbud.kommune.dk/")
    values = saml_settings(debug=False)
    assert values["BOTILBUD_SAML_ENABLED"] is True
    sp = values["SAML_CONFIG"]["service"]["sp"]
    assert values["SAML_CONFIG"]["entityid"] == "https://botilbud.kommune.dk/sso/saml/metadata/"
    assert sp["endpoints"]["assertion_consumer_service"][0][0] == "https://botilbud.kommune.dk/sso/saml/acs/"
    assert sp["want_assertions_signed"] is True and sp["allow_unsolicited"] is False
    assert values["SAML_CONFIG"]["metadata"] == {
        "remote": [{"url": "https://adfs.kommune.dk/FederationMetadata/2007-06/FederationMetadata.xml"}]
    }
    assert values["SAML_SESSION_COOKIE_SAMESITE"] == "None"


def test_saml_without_base_url_refuses_to_start(monkeypatch):
    monkeypatch.setenv("BOTILBUD_SAML_METADATA_FILE", "/etc/botilbud/idp.xml")
    with pytest.raises(ImproperlyConfigured, match="BOTILBUD_SAML_BASE_URL"):
        saml_settings(debug=False)


def _sp_metadata(settings) -> str:
    conf = SPConfig()
    conf.load(copy.deepcopy(settings.SAML_CONFIG))
    return create_metadata_string(None, config=conf, valid=24).decode()
