"""Real identity providers for the single sign-on tests, started locally.

- OpenID Connect: ``oidc-provider-mock`` (a real authlib-based provider) on
  a random port in a thread.
"""

from __future__ import annotations

import copy
import os
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import pytest
import requests
from oidc_provider_mock import run_server_in_thread
from saml2.config import SPConfig
from saml2.metadata import create_metadata_string

from botilbud.sso.config import build_saml_config
from tests.sso.saml_idp import SamlIdP, make_keypair

# The local provider speaks plain http.
os.environ.setdefault("AUTHLIB_INSECURE_TRANSPORT", "1")

CLIENT_ID = "botilbud-test"
CLIENT_SECRET = "test-secret"


@dataclass
class OidcProvider:
    url: str

    def set_user(self, sub: str, *, groups: list[str], **claims) -> None:
        body = {
            "email": claims.pop("email", f"{sub}@kommune.test"),
            "preferred_username": claims.pop("preferred_username", f"{sub}@kommune.test"),
            "given_name": claims.pop("given_name", sub.capitalize()),
            "family_name": claims.pop("family_name", "Testesen"),
            "groups": groups,
            **claims,
        }
        requests.put(f"{self.url}/users/{sub}", json=body, timeout=5).raise_for_status()

    def authorize(self, authorize_url: str, sub: str) -> str:
        """Sign in as ``sub`` at the provider; the redirect back to us."""
        response = requests.post(authorize_url, data={"sub": sub}, allow_redirects=False, timeout=5)
        assert response.status_code == 302, response.text
        return response.headers["Location"]


def configure_oidc(settings, url: str) -> None:
    settings.BOTILBUD_OIDC_ENABLED = True
    settings.BOTILBUD_OIDC_LABEL = "Log ind med kommunens konto"
    settings.BOTILBUD_OIDC_ISSUER = url
    settings.BOTILBUD_OIDC_SUBJECT_CLAIM = "sub"
    settings.BOTILBUD_OIDC_USERNAME_CLAIM = "preferred_username"
    settings.BOTILBUD_OIDC_GROUPS_CLAIMS = ["groups"]
    settings.BOTILBUD_OIDC_END_SESSION_ENDPOINT = f"{url}/oauth2/end_session"
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = CLIENT_SECRET
    settings.OIDC_OP_AUTHORIZATION_ENDPOINT = f"{url}/oauth2/authorize"
    settings.OIDC_OP_TOKEN_ENDPOINT = f"{url}/oauth2/token"
    settings.OIDC_OP_USER_ENDPOINT = f"{url}/userinfo"
    settings.OIDC_OP_JWKS_ENDPOINT = f"{url}/jwks"


@pytest.fixture(scope="session")
def oidc_server():
    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def oidc(settings, oidc_server) -> OidcProvider:
    configure_oidc(settings, oidc_server)
    return OidcProvider(oidc_server)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}


# --- SAML ----------------------------------------------------------------------


@pytest.fixture(scope="session")
def saml_folder(tmp_path_factory):
    return tmp_path_factory.mktemp("saml")


@pytest.fixture(scope="session")
def saml_idp_server(saml_folder):
    idp = SamlIdP(saml_folder).start()
    yield idp
    idp.stop()


@pytest.fixture(scope="session")
def sp_keypair(saml_folder):
    return make_keypair(saml_folder, "sp")


def configure_saml(settings, idp, base_url: str, sp_keypair) -> None:
    """Point our SP at ``idp`` and make the IdP trust our SP's metadata."""

    settings.BOTILBUD_SAML_ENABLED = True
    settings.BOTILBUD_SAML_LABEL = "Log ind med kommunens konto (SAML)"
    settings.SAML_CONFIG = build_saml_config(
        base_url=base_url,
        entity_id=f"{base_url}/sso/saml/metadata/",
        metadata_file=idp.metadata_file(),
        key_file=sp_keypair[0],
        cert_file=sp_keypair[1],
    )
    conf = SPConfig()
    conf.load(copy.deepcopy(settings.SAML_CONFIG))
    idp.trust_sp(create_metadata_string(None, config=conf, valid=24).decode())
    idp.users.clear()


ADFS_GROUPS = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
ADFS_CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims"


def saml_user(uid: str, groups: list[str], given: str = "", surname: str = "Testesen") -> dict[str, list[str]]:
    return {
        ADFS_GROUPS: groups,
        f"{ADFS_CLAIMS}/upn": [f"{uid}@kommune.test"],
        f"{ADFS_CLAIMS}/emailaddress": [f"{uid}@kommune.test"],
        f"{ADFS_CLAIMS}/givenname": [given or uid.capitalize()],
        f"{ADFS_CLAIMS}/surname": [surname],
    }


@pytest.fixture
def saml(settings, saml_idp_server, sp_keypair):
    configure_saml(settings, saml_idp_server, "http://testserver", sp_keypair)
    return saml_idp_server
