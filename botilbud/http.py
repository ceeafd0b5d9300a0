"""The typed request of a signed-in view.

Behind ``@login_required`` ``request.user`` is always our ``User`` (never
``AnonymousUser``), and django-htmx's middleware adds ``request.htmx``. Views
annotate ``request: AuthenticatedHttpRequest`` so the type checker knows both,
instead of a ``# type: ignore`` at every ``request.user``.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from botilbud.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User  # narrows HttpRequest.user (User | AnonymousUser) for signed-in views
    htmx: HtmxDetails
