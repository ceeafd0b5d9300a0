"""Access to homes: the one public helper every app uses.

Outsiders get 404 (they must not learn that the home exists); a user who may
read but not write gets 403 on writes. What a role may do (beyond which homes
it sees) is ``botilbud/permissions.py``.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import Http404

from botilbud.http import AuthenticatedHttpRequest
from botilbud.models import Home, Role, User


def get_home_for_user(request: AuthenticatedHttpRequest, pk: int, *, write: bool = False) -> Home:
    user = request.user
    try:
        home = Home.objects.visible_to(user).select_related("area").get(pk=pk)
    except Home.DoesNotExist:
        raise Http404("Botilbuddet findes ikke, eller du har ikke adgang til det.") from None
    if write and not Home.objects.writable_by(user).filter(pk=home.pk).exists():
        raise PermissionDenied("Du kan se dette botilbud, men ikke ændre det.")
    return home


def can_write_home(user: User, home: Home) -> bool:
    return Home.objects.writable_by(user).filter(pk=home.pk).exists()


__all__ = ["Role", "can_write_home", "get_home_for_user"]
