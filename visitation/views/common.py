"""What every visitation page shares: the placement a user may see (404 otherwise), the list filters,
the optimistic-lock check and the context every page gets."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404
from django.utils import timezone

from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.locking import VersionConflict
from botilbud.models import User
from visitation import selectors
from visitation.forms import PlacementFilterForm
from visitation.models import Placement, sees_case_numbers

PAGE_SIZE = 50


def current_user(request: AuthenticatedHttpRequest) -> User:
    return request.user


def local_today() -> dt.date:
    return timezone.localdate()


def get_placement_for_user(request: AuthenticatedHttpRequest, pk: int) -> Placement:
    try:
        return selectors.placements_for(current_user(request)).get(pk=pk)
    except Placement.DoesNotExist:
        raise Http404("Bevillingen findes ikke, eller du har ikke adgang til den.") from None


def common_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    return {"show_case_numbers": sees_case_numbers(current_user(request))}


def placement_filters(request: AuthenticatedHttpRequest) -> tuple[PlacementFilterForm, selectors.PlacementFilters]:
    form = PlacementFilterForm(request.GET or None)
    return form, form.to_filters()


def locked_placement(placement: Placement, seen_version: int) -> Placement:
    """The placement re-read under ``SELECT … FOR UPDATE``; a stale version is
    refused here, under the lock, so two saves cannot both pass the check.
    Call inside ``transaction.atomic()``."""
    current = (
        Placement.objects.select_for_update(of=("self",)).select_related("offer__home", "package").get(pk=placement.pk)
    )
    if current.version != seen_version:
        raise VersionConflict(current, seen_version)
    return current
