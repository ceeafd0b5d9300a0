"""Real identity providers for the single sign-on tests, started locally.

- OpenID Connect: ``oidc-provider-mock`` (a real authlib-based provider) on
  a random port in a thread.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from urllib.parse import parse_qs, urlparse

import pytest
import requests

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
    from oidc_provider_mock import run_server_in_thread

    with run_server_in_thread() as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def oidc(settings, oidc_server) -> OidcProvider:
    configure_oidc(settings, oidc_server)
    return OidcProvider(oidc_server)


def query(url: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(url).query).items()}
