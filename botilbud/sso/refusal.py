"""What both sign-in paths share: the session key naming the identity provider, and the
Danish refusal page. Its own module so that the OIDC views (``views``) and the SAML views
(``saml``), which each need the other's logout or refusal, do not import each other.
"""

from __future__ import annotations

from django.contrib import auth
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# Which identity provider the session came from (for logout there).
SESSION_PROVIDER = "botilbud_sso_provider"


def refused(request: HttpRequest, message: str, status: int = 403) -> HttpResponse:
    """A Danish explanation, and no session."""
    if request.user.is_authenticated:
        auth.logout(request)
    return render(request, "sso/refused.html", {"message": message}, status=status)
