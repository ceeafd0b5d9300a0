"""Single sign-on settings from the environment (imported by settings.py).

Pure Python on purpose: settings.py calls ``sso_settings()`` before Django
is set up. Every variable is described in README, "Single sign-on".
"""

from __future__ import annotations

import os
import shutil
from typing import Any

from django.core.exceptions import ImproperlyConfigured


def _bool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name} must be 0 or 1, got {value!r}")


def _env(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def oidc_settings() -> dict[str, Any]:
    """mozilla-django-oidc's settings. OIDC is on when a client id is set.

    ``BOTILBUD_OIDC_ENTRA_TENANT`` fills in Microsoft Entra ID's endpoints and
    issuer for the tenant; each can still be overridden one by one.
    """
    tenant = _env("BOTILBUD_OIDC_ENTRA_TENANT")
    defaults: dict[str, str] = {}
    if tenant:
        base = f"https://login.microsoftonline.com/{tenant}"
        defaults = {
            "AUTHORIZATION_ENDPOINT": f"{base}/oauth2/v2.0/authorize",
            "TOKEN_ENDPOINT": f"{base}/oauth2/v2.0/token",
            "JWKS_ENDPOINT": f"{base}/discovery/v2.0/keys",
            "END_SESSION_ENDPOINT": f"{base}/oauth2/v2.0/logout",
            "ISSUER": f"{base}/v2.0",
            "USERINFO_ENDPOINT": "",  # Entra's id token carries everything we need
            "SUBJECT_CLAIM": "oid",
        }

    def get(key: str, default: str = "") -> str:
        return _env(f"BOTILBUD_OIDC_{key}", defaults.get(key, default))

    client_id = get("CLIENT_ID")
    enabled = bool(client_id)
    values = {
        "BOTILBUD_OIDC_ENABLED": enabled,
        "BOTILBUD_OIDC_LABEL": get("LABEL", "Log ind med kommunens konto"),
        "BOTILBUD_OIDC_ISSUER": get("ISSUER"),
        "BOTILBUD_OIDC_SUBJECT_CLAIM": get("SUBJECT_CLAIM", "sub"),
        "BOTILBUD_OIDC_USERNAME_CLAIM": get("USERNAME_CLAIM", "preferred_username"),
        "BOTILBUD_OIDC_GROUPS_CLAIMS": [c.strip() for c in get("GROUPS_CLAIM", "groups").split(",") if c.strip()],
        "BOTILBUD_OIDC_END_SESSION_ENDPOINT": get("END_SESSION_ENDPOINT"),
        "OIDC_RP_CLIENT_ID": client_id,
        "OIDC_RP_CLIENT_SECRET": get("CLIENT_SECRET"),
        "OIDC_OP_AUTHORIZATION_ENDPOINT": get("AUTHORIZATION_ENDPOINT"),
        "OIDC_OP_TOKEN_ENDPOINT": get("TOKEN_ENDPOINT"),
        "OIDC_OP_USER_ENDPOINT": get("USERINFO_ENDPOINT"),
        "OIDC_OP_JWKS_ENDPOINT": get("JWKS_ENDPOINT"),
        "OIDC_RP_SIGN_ALGO": get("SIGN_ALGO", "RS256"),
        "OIDC_RP_SCOPES": get("SCOPES", "openid email profile"),
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": _bool("BOTILBUD_OIDC_USE_PKCE", "1"),
        "OIDC_STORE_ID_TOKEN": True,  # the id_token_hint for logout at the provider
        "OIDC_TIMEOUT": 10,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "sso:oidc_callback",
    }
    if enabled:
        missing = [
            f"BOTILBUD_OIDC_{k}"
            for k, s in [
                ("CLIENT_SECRET", "OIDC_RP_CLIENT_SECRET"),
                ("AUTHORIZATION_ENDPOINT", "OIDC_OP_AUTHORIZATION_ENDPOINT"),
                ("TOKEN_ENDPOINT", "OIDC_OP_TOKEN_ENDPOINT"),
                ("JWKS_ENDPOINT", "OIDC_OP_JWKS_ENDPOINT"),
                ("ISSUER", "BOTILBUD_OIDC_ISSUER"),
            ]
            if not values[s]
        ]
        if missing:
            raise ImproperlyConfigured(
                "OpenID Connect is on (BOTILBUD_OIDC_CLIENT_ID), but missing: " + ", ".join(missing)
            )
    return values


ADFS_CLAIMS = "http://schemas.xmlsoap.org/ws/2005/05/identity/claims"
ADFS_GROUPS = "http://schemas.microsoft.com/ws/2008/06/identity/claims/groups"
ADFS_ROLE = "http://schemas.microsoft.com/ws/2008/06/identity/claims/role"
KOMBIT_PRIVILEGES = "dk:gov:saml:attribute:Privileges_intermediate"


def _names(name: str, default: str) -> list[str]:
    return [n.strip() for n in _env(name, default).split(",") if n.strip()]


def saml_settings(debug: bool) -> dict[str, Any]:
    """djangosaml2's settings. SAML is on when the IdP's metadata is given."""
    metadata_url = _env("BOTILBUD_SAML_METADATA_URL")
    metadata_file = _env("BOTILBUD_SAML_METADATA_FILE")
    enabled = bool(metadata_url or metadata_file)
    values: dict[str, Any] = {
        "BOTILBUD_SAML_ENABLED": enabled,
        "BOTILBUD_SAML_LABEL": _env("BOTILBUD_SAML_LABEL", "Log ind med kommunens konto (SAML)"),
        "BOTILBUD_SAML_GROUPS_ATTRIBUTES": _names(
            "BOTILBUD_SAML_GROUPS_ATTRIBUTE", f"{ADFS_GROUPS},{ADFS_ROLE},{KOMBIT_PRIVILEGES},groups"
        ),
        "BOTILBUD_SAML_SUBJECT_ATTRIBUTES": _names("BOTILBUD_SAML_SUBJECT_ATTRIBUTE", ""),  # empty: the NameID
        "BOTILBUD_SAML_USERNAME_ATTRIBUTES": _names(
            "BOTILBUD_SAML_USERNAME_ATTRIBUTE",
            f"{ADFS_CLAIMS}/upn,{ADFS_CLAIMS}/emailaddress,urn:oid:0.9.2342.19200300.100.1.1",
        ),
        "BOTILBUD_SAML_EMAIL_ATTRIBUTES": _names(
            "BOTILBUD_SAML_EMAIL_ATTRIBUTE", f"{ADFS_CLAIMS}/emailaddress,urn:oid:0.9.2342.19200300.100.1.3,mail"
        ),
        "BOTILBUD_SAML_FIRST_NAME_ATTRIBUTES": _names(
            "BOTILBUD_SAML_FIRST_NAME_ATTRIBUTE", f"{ADFS_CLAIMS}/givenname,urn:oid:2.5.4.42,givenName"
        ),
        "BOTILBUD_SAML_LAST_NAME_ATTRIBUTES": _names(
            "BOTILBUD_SAML_LAST_NAME_ATTRIBUTE", f"{ADFS_CLAIMS}/surname,urn:oid:2.5.4.4,sn"
        ),
        # djangosaml2
        "SAML_CONFIG": {},
        "SAML_CONFIG_LOADER": "botilbud.sso.saml.cached_config_loader",
        "SAML_DEFAULT_BINDING": "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect",
        "SAML_CSP_HANDLER": "",  # redirect binding only: our strict CSP needs no exception
        "SAML_IGNORE_LOGOUT_ERRORS": True,  # a failed logout at the IdP still logs out here
        "SAML_ATTRIBUTE_MAPPING": {},
        # The IdP posts the assertion cross-site: the cookie holding our
        # outstanding request must come along (SameSite=None needs https).
        "SAML_SESSION_COOKIE_SAMESITE": "Lax" if debug else "None",
    }
    if not enabled:
        return values
    base_url = _env("BOTILBUD_SAML_BASE_URL").rstrip("/")
    if not base_url:
        raise ImproperlyConfigured(
            "SAML is on (BOTILBUD_SAML_METADATA_URL/_FILE), but BOTILBUD_SAML_BASE_URL is missing"
        )
    values["SAML_CONFIG"] = build_saml_config(
        base_url=base_url,
        entity_id=_env("BOTILBUD_SAML_ENTITY_ID", f"{base_url}/sso/saml/metadata/"),
        metadata_url=metadata_url,
        metadata_file=metadata_file,
        key_file=_env("BOTILBUD_SAML_KEY_FILE"),
        cert_file=_env("BOTILBUD_SAML_CERT_FILE"),
        want_response_signed=_bool("BOTILBUD_SAML_WANT_RESPONSE_SIGNED", "0"),
    )
    return values


def build_saml_config(
    *,
    base_url: str,
    entity_id: str,
    metadata_url: str = "",
    metadata_file: str = "",
    key_file: str = "",
    cert_file: str = "",
    want_response_signed: bool = False,
) -> dict[str, Any]:
    """pysaml2's SP configuration (also used by the tests with their own IdP)."""

    redirect = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
    post = "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"
    metadata: dict[str, Any] = {}
    if metadata_url:
        metadata["remote"] = [{"url": metadata_url}]
    if metadata_file:
        metadata["local"] = [metadata_file]
    signing = bool(key_file and cert_file)
    config: dict[str, Any] = {
        "xmlsec_binary": shutil.which("xmlsec1") or "/usr/bin/xmlsec1",
        "entityid": entity_id,
        "allow_unknown_attributes": True,
        "accepted_time_diff": 60,
        "metadata": metadata,
        "service": {
            "sp": {
                "name": "Botilbud",
                "endpoints": {
                    "assertion_consumer_service": [(f"{base_url}/sso/saml/acs/", post)],
                    "single_logout_service": [
                        (f"{base_url}/sso/saml/ls/", redirect),
                        (f"{base_url}/sso/saml/ls/post/", post),
                    ],
                },
                "allow_unsolicited": False,
                "want_assertions_signed": True,
                "want_response_signed": want_response_signed,
                "authn_requests_signed": signing,
                "logout_requests_signed": signing,
                "name_id_format_allow_create": True,
            }
        },
    }
    if signing:
        config["key_file"] = key_file
        config["cert_file"] = cert_file
        config["encryption_keypairs"] = [{"key_file": key_file, "cert_file": cert_file}]
    return config


def password_settings() -> dict[str, Any]:
    return {
        # Off in production once single sign-on works; the break-glass
        # administrator (if named) can still sign in with a password.
        "BOTILBUD_PASSWORD_LOGIN": _bool("BOTILBUD_PASSWORD_LOGIN", "1"),
        "BOTILBUD_BREAK_GLASS_USER": _env("BOTILBUD_BREAK_GLASS_USER"),
    }


def sso_settings(debug: bool) -> dict[str, Any]:
    return {**password_settings(), **oidc_settings(), **saml_settings(debug)}
