"""Single sign-on in Chromium, the whole redirect flow against identity
providers started locally: a new employee signs in with the municipality's
account, gets the role and home of their group and sees that home's start
page; removed from the group, they are refused with a Danish message."""

from __future__ import annotations

import pytest
from oidc_provider_mock import run_server_in_thread

from botilbud.models import Role, User
from botilbud.sso.models import GroupMapping
from tests.browser.conftest import axe_violations, screenshot
from tests.sso.conftest import (  # noqa: F401 - fixtures
    OidcProvider,
    configure_oidc,
    configure_saml,
    saml_folder,
    saml_idp_server,
    saml_user,
    sp_keypair,
)


@pytest.fixture(scope="module")
def oidc_url():
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def oidc(settings, oidc_url):
    configure_oidc(settings, oidc_url)
    return OidcProvider(oidc_url)


def _oidc_sign_in(page, sub: str) -> None:
    page.goto(page.base_url + "/log-ind/")
    page.get_by_role("link", name="Log ind med kommunens konto").click()
    # The provider's own login page.
    page.wait_for_url("**/oauth2/authorize**")
    page.fill("input[name=sub]", sub)
    page.get_by_role("button", name="Authorize").click()
    page.wait_for_load_state()


def test_oidc_new_employee_signs_in_and_is_refused_after_leaving_the_group(org, page, oidc):
    mapping = GroupMapping.objects.create(group="grp-egebakken-ledere", role=Role.HOME_MANAGER)
    mapping.homes.add(org.home_a)
    oidc.set_user("anna", groups=["grp-egebakken-ledere"], given_name="Anna", family_name="Jensen")

    page.goto(page.base_url + "/log-ind/")
    screenshot(page, "sso-login-page")
    assert axe_violations(page) == []
    _oidc_sign_in(page, "anna")
    assert page.url == page.base_url + "/"
    assert page.get_by_text("Mine botilbud").first.is_visible()
    assert page.get_by_role("link", name="Egebakken").first.is_visible()
    assert page.get_by_text("Anna Jensen · Botilbudsleder").is_visible()
    screenshot(page, "sso-oidc-start-page")
    assert page.csp_errors == []

    # Log out: here, then at the provider, then back at our login page.
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url("**/oauth2/end_session**")
    page.get_by_role("button").first.click()
    page.wait_for_url(page.base_url + "/log-ind/")

    # Removed from the group in the directory: refused at the next login.
    oidc.set_user("anna", groups=[])
    _oidc_sign_in(page, "anna")
    assert "ingen af dine grupper" in page.locator("[role=alert]").inner_text()
    assert page.locator("nav[aria-label=Hovedmenu]").count() == 0
    screenshot(page, "sso-oidc-refused")
    assert axe_violations(page) == []
    page.goto(page.base_url + "/")
    assert "/log-ind/" in page.url
    assert not User.objects.get(username="anna@kommune.test").is_active


def _saml_sign_in(page, idp, uid: str) -> None:
    page.goto(page.base_url + "/log-ind/")
    page.get_by_role("link", name="Log ind med kommunens konto").click()
    page.wait_for_url(idp.url + "/sso/redirect**")  # the IdP's own login page
    page.get_by_role("button", name=f"Log ind som {uid}").click()
    page.get_by_role("button", name="Fortsæt til Botilbud").click()  # HTTP-POST back to us
    page.wait_for_load_state()


def test_saml_new_employee_signs_in_logs_out_and_is_refused_after_leaving_the_group(
    org, page, settings, live_server, request
):
    idp = request.getfixturevalue("saml_idp_server")
    configure_saml(settings, idp, live_server.url, request.getfixturevalue("sp_keypair"))
    mapping = GroupMapping.objects.create(group="Botilbud-Lindehuset-ledere", role=Role.HOME_MANAGER)
    mapping.homes.add(org.home_b)
    idp.users["bente"] = saml_user("bente", ["Botilbud-Lindehuset-ledere"], given="Bente", surname="Holm")

    _saml_sign_in(page, idp, "bente")
    assert page.url == page.base_url + "/"
    assert page.get_by_role("link", name="Lindehuset").first.is_visible()
    assert page.get_by_text("Bente Holm · Botilbudsleder").is_visible()
    screenshot(page, "sso-saml-start-page")
    assert page.csp_errors == []

    # Single logout: here, at the IdP, and back to our login page.
    page.get_by_role("button", name="Log ud").click()
    page.wait_for_url(page.base_url + "/log-ind/")
    assert idp.logouts[-1] == "bente"

    idp.users["bente"] = saml_user("bente", ["Andet-system"])
    _saml_sign_in(page, idp, "bente")
    assert "ingen af dine grupper" in page.locator("[role=alert]").inner_text()
    screenshot(page, "sso-saml-refused")
    page.goto(page.base_url + "/")
    assert "/log-ind/" in page.url
