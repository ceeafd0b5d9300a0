"""django-axes in front of the password backends only (see settings)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from typing import Any

from axes.backends import AxesStandaloneBackend
from axes.handlers.database import AxesDatabaseHandler
from axes.models import AccessFailureLog
from django.conf import settings
from django.http import HttpRequest
from django.utils import timezone


class PasswordThrottleBackend(AxesStandaloneBackend):
    """Axes' own backend also refuses calls without a request (SSO callbacks
    and scripts pass other arguments); this one steps aside for anything that
    is not a password login, and throttles the rest exactly as axes does.

    No ``get_user`` on purpose: this backend never logs anybody in, and
    Django (``force_login``, sessions) must not pick it as a user's backend.
    """

    def authenticate(
        self, request: HttpRequest | None, username: str | None = None, password: str | None = None, **kwargs: Any
    ) -> None:
        if request is None or password is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class AccountAndAddressHandler(AxesDatabaseHandler):
    """The lockout rule (settings: "Login protection").

    - An **account** is locked after ``AXES_FAILURE_LIMIT`` (10) wrong
      passwords from anywhere, until the administrator unlocks it (axes'
      own counting, ``AXES_LOCKOUT_PARAMETERS = ["username"]``).
    - An **address** is locked only while it made ``BOTILBUD_LOGIN_IP_FAILURE_LIMIT``
      (100) or more failed logins, for any accounts, within the last
      ``BOTILBUD_LOGIN_IP_WINDOW_MINUTES`` (15). A municipality's staff often
      share one address behind its NAT: ten typos there must not lock
      everybody out, and an address lock ends by itself when the spraying stops.

    Axes compares one failure count with one limit, so the address' count is
    scaled onto the account limit: ``ip * account_limit // ip_limit`` reaches
    ``account_limit`` exactly when ``ip`` reaches ``ip_limit``.
    """

    def get_failures(self, request: HttpRequest, credentials: dict | None = None) -> int:
        account = super().get_failures(request, credentials)
        ip_limit = settings.BOTILBUD_LOGIN_IP_FAILURE_LIMIT
        address = getattr(request, "axes_ip_address", None)
        if not ip_limit or not address:
            return account
        since = timezone.now() - dt.timedelta(minutes=settings.BOTILBUD_LOGIN_IP_WINDOW_MINUTES)
        from_address = AccessFailureLog.objects.filter(ip_address=address, attempt_time__gte=since).count()
        return max(account, from_address * settings.AXES_FAILURE_LIMIT // ip_limit)


def client_ip(request: HttpRequest) -> str | None:
    """The client's address, as the reverse proxies in front of the app saw it.

    Without proxies (``BOTILBUD_PROXY_COUNT=0``) it is ``REMOTE_ADDR``. Behind
    N proxies, each appends the address it received from to
    ``X-Forwarded-For``; the N-th entry from the right is the one our own
    first proxy saw, so a client cannot choose its address by sending the
    header itself (entries further left are the client's own claims). A
    missing or malformed header falls back to ``REMOTE_ADDR``.
    """
    remote = request.META.get("REMOTE_ADDR")
    count = settings.BOTILBUD_PROXY_COUNT
    if not count:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote
    candidate = hops[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
