"""Single sign-on settings from the environment (imported by settings.py).

Pure Python on purpose: settings.py calls ``sso_settings()`` before Django
is set up. Every variable is described in README, "Single sign-on".
"""

from __future__ import annotations

import os
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


def password_settings() -> dict[str, Any]:
    return {
        # Off in production once single sign-on works; the break-glass
        # administrator (if named) can still sign in with a password.
        "BOTILBUD_PASSWORD_LOGIN": _bool("BOTILBUD_PASSWORD_LOGIN", "1"),
        "BOTILBUD_BREAK_GLASS_USER": _env("BOTILBUD_BREAK_GLASS_USER"),
    }


def sso_settings() -> dict[str, Any]:
    return {**password_settings(), **oidc_settings()}
