"""A placement's page: its periods, prices, history and the actions the user may take."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from botilbud.http import AuthenticatedHttpRequest
from botilbud.permissions import can
from visitation import services
from visitation.forms import DecisionForm
from visitation.models import LEVEL_RANK, ApprovalLevel, Placement
from visitation.views.common import common_context, current_user, get_placement_for_user


def detail_context(request: AuthenticatedHttpRequest, placement: Placement) -> dict[str, Any]:
    user = current_user(request)
    pending = services.pending_level(placement)
    own = services.user_competence(user)
    live = placement.status in (Placement.Status.APPROVED, Placement.Status.ACTIVE)
    return {
        **common_context(request),
        "placement": placement,
        "decisions": placement.decisions.select_related("decided_by"),
        "changes": placement.changes.select_related("old_package", "new_package", "created_by"),
        "follow_ups": placement.follow_ups.select_related("recorded_by"),
        "pending_level": pending,
        "pending_label": ApprovalLevel(pending).label,
        "can_decide": services.can_decide(user, placement),
        "needs_meeting_date": services.can_decide(user, placement)
        and services.is_committee_level(pending)
        and not (own and LEVEL_RANK[ApprovalLevel(own)] >= LEVEL_RANK[ApprovalLevel(pending)]),
        "is_authority": can(user, "visitation.manage_placements"),
        "can_change": can(user, "visitation.manage_placements") and live,
        "decision_form": DecisionForm(initial={"version": placement.version}),
        "period_cost_note": "Årspris / 52 × dage / 7",
    }


@login_required
@require_GET
def placement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    placement = get_placement_for_user(request, pk)
    return render(request, "visitation/placement_detail.html", detail_context(request, placement))
