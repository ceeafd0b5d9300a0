"""Authentication backends: password (switchable), OpenID Connect, SAML.

Django tries them in ``AUTHENTICATION_BACKENDS`` order; each answers only
for its own kind of login (a password form, an OIDC callback, a SAML
assertion), so the order among them does not matter (a throttling backend
such as django-axes goes first).
"""

from __future__ import annotations

import logging
from typing import Any

import jwt
import requests
from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from botilbud.sso.models import ExternalIdentity
from botilbud.sso.services import ExternalAccount, SignInRefused, sign_in

log = logging.getLogger("botilbud.sso")

# The request attribute the OIDC/SAML views read a refusal message from.
REFUSAL_ATTR = "sso_refusal"


def password_login_allowed(username: str | None) -> bool:
    """Password login is on, or ``username`` is the configured break-glass admin."""
    if settings.BOTILBUD_PASSWORD_LOGIN:
        return True
    break_glass = settings.BOTILBUD_BREAK_GLASS_USER
    return bool(break_glass) and (username or "").lower() == break_glass.lower()


class PasswordBackend(ModelBackend):
    """Django's username/password login, refused when it is switched off
    (``BOTILBUD_PASSWORD_LOGIN=0``) for everybody but the break-glass admin.
    This covers every password form, the admin site's too."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if username is None:
            username = kwargs.get("username")
        if not password_login_allowed(username):
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)

    def get_user(self, user_id):
        # Sessions opened with a password before it was switched off end too.
        user = super().get_user(user_id)
        if user is not None and not password_login_allowed(user.username):
            return None
        return user


def _claim_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    if isinstance(value, list | tuple):
        return [str(v) for v in value if v is not None]
    return [str(value)]


class OIDCBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc with stricter token checks and the group mapping.

    The id token must be signed by the provider's key (JWKS), unexpired,
    issued by ``BOTILBUD_OIDC_ISSUER`` for our client id, and carry our nonce.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.enabled = bool(getattr(settings, "BOTILBUD_OIDC_ENABLED", False))
        if self.enabled:
            super().__init__(*args, **kwargs)

    def authenticate(self, request, **kwargs):
        # Only our callback view passes a nonce: a password form never does.
        if not self.enabled or request is None or "nonce" not in kwargs:
            return None
        return super().authenticate(request, **kwargs)

    def get_user(self, user_id):
        user = super().get_user(user_id)
        return user if user is not None and user.is_active else None

    def retrieve_matching_jwk(self, token):
        """The provider's signing key for ``token``: the JWKS key with the
        token's ``kid``; a token without ``kid`` only if the set has one key."""
        try:
            header = jwt.get_unverified_header(token)
            response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=self.get_settings("OIDC_TIMEOUT", 10))
            response.raise_for_status()
            keys = [k for k in response.json().get("keys", []) if k.get("use", "sig") == "sig"]
            keys = [k for k in keys if k.get("alg") in (None, header.get("alg"))]
            if header.get("kid") is not None:
                keys = [k for k in keys if k.get("kid") == header["kid"]]
            if len(keys) != 1:
                raise SuspiciousOperation(f"No unique signing key for kid {header.get('kid')!r}")
            return jwt.PyJWK(keys[0], algorithm=header.get("alg"))
        except (KeyError, TypeError, ValueError, jwt.InvalidTokenError, jwt.PyJWKError) as exc:
            raise SuspiciousOperation(f"No usable signing key for the id token: {exc}") from exc

    def _verify_jws(self, payload, key):
        try:
            header = jwt.get_unverified_header(payload)
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"Malformed token: {exc}") from exc
        alg = header.get("alg")
        if alg != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"Token algorithm {alg!r} is not {self.OIDC_RP_SIGN_ALGO!r}")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[alg],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.BOTILBUD_OIDC_ISSUER,
                leeway=60,
                options={"require": ["exp", "iat", "iss", "aud"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise SuspiciousOperation("The id token has expired") from exc
        except jwt.InvalidTokenError as exc:
            raise SuspiciousOperation(f"The id token was refused: {exc}") from exc

    def get_userinfo(self, access_token, id_token, payload):
        """The verified id token's claims, plus the userinfo endpoint's if one
        is configured (Entra ID puts groups in the id token only)."""
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT:
            extra = super().get_userinfo(access_token, id_token, payload)
            if extra.get("sub") not in (None, payload.get("sub")):
                raise SuspiciousOperation("userinfo is about another subject than the id token")
            for key, value in extra.items():
                claims.setdefault(key, value)
        return claims

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        if "_claim_names" in claims and "groups" in claims.get("_claim_names", {}):
            # Entra ID's "group overage": too many groups to fit in the token.
            log.warning("OIDC group overage for %s: assign groups to the application", claims.get("sub"))
        groups: list[str] = []
        for name in settings.BOTILBUD_OIDC_GROUPS_CLAIMS:
            groups += _claim_list(claims.get(name))
        subject = str(claims.get(settings.BOTILBUD_OIDC_SUBJECT_CLAIM) or "")
        username = str(
            claims.get(settings.BOTILBUD_OIDC_USERNAME_CLAIM) or claims.get("email") or claims.get("upn") or subject
        ).lower()
        account = ExternalAccount(
            provider=ExternalIdentity.Provider.OIDC,
            issuer=str(claims.get("iss", "")),
            subject=subject,
            username=username,
            groups=groups,
            email=str(claims.get("email") or ""),
            first_name=str(claims.get("given_name") or ""),
            last_name=str(claims.get("family_name") or ""),
        )
        try:
            return sign_in(account)
        except SignInRefused as refused:
            log.info("OIDC sign-in refused for %s: %s", subject, refused.message)
            setattr(self.request, REFUSAL_ATTR, refused.message)
            return None
