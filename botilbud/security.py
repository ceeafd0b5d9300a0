"""The structured security log: failed logins, lockouts and permission
denials as JSON lines on stdout (logger ``botilbud.security``).

One line per event, e.g.::

    {"time": "2026-12-01T13:05:02.123+01:00", "event": "login_failed",
     "user": "leder", "ip": "10.0.0.7", "path": "/log-ind/", "status": 401}

A log collector (the municipality's SIEM) reads them from the container's
stdout. Passwords are never logged.
"""

from __future__ import annotations

import logging
from typing import Any

from axes.helpers import get_client_ip_address
from axes.signals import user_locked_out
from django.contrib.auth.signals import user_login_failed
from django.http import HttpRequest
from django.utils import timezone

logger = logging.getLogger("botilbud.security")


def client_ip(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    try:
        return get_client_ip_address(request) or ""
    except Exception:  # pragma: no cover - axes missing or misconfigured
        return request.META.get("REMOTE_ADDR", "")


def log_event(event: str, request: HttpRequest | None, *, user: str | None = None, **extra: Any) -> None:
    if user is None and request is not None:
        try:
            account = getattr(request, "user", None)
            user = account.get_username() if account is not None and account.is_authenticated else ""
        except Exception:  # noqa: BLE001 - the log must never break the response (database down)
            user = ""
    payload = {
        "time": timezone.localtime().isoformat(timespec="milliseconds"),
        "event": event,
        "user": user or "",
        "ip": client_ip(request),
        "path": request.path if request is not None else "",
        **extra,
    }
    logger.warning(event, extra={"security": payload})


def _login_failed(sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any) -> None:
    log_event("login_failed", request, user=str(credentials.get("username", ""))[:150], status=401)


def _locked_out(
    sender: Any, request: HttpRequest | None = None, username: str = "", ip_address: str = "", **_: Any
) -> None:
    log_event("lockout", request, user=str(username or "")[:150], status=429)


def connect_signals() -> None:
    user_login_failed.connect(_login_failed, dispatch_uid="botilbud.security.login_failed")
    user_locked_out.connect(_locked_out, dispatch_uid="botilbud.security.locked_out")


# --- Login throttling (django-axes) --------------------------------------------


def not_a_password_login(request: HttpRequest | None, credentials: dict[str, Any] | None) -> bool:
    """Axes' whitelist: only password logins are throttled and counted;
    single sign-on (OIDC/SAML) has the identity provider's own protection."""
    return not credentials or "password" not in credentials
