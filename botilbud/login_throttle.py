"""django-axes in front of the password backends only (see settings)."""

from __future__ import annotations

from typing import Any

from axes.backends import AxesStandaloneBackend
from django.http import HttpRequest


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
