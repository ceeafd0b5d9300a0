"""Approving or rejecting a placement, and the queue of placements waiting for a decision."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.locking import VersionConflict
from botilbud.permissions import can
from visitation import selectors, services
from visitation.forms import DecisionForm
from visitation.models import ApprovalLevel, Placement
from visitation.views.common import common_context, current_user, get_placement_for_user, locked_placement
from visitation.views.detail import detail_context


def _decide(request: AuthenticatedHttpRequest, pk: int, outcome: str) -> HttpResponse:
    placement = get_placement_for_user(request, pk)
    user = current_user(request)
    form = DecisionForm(request.POST)
    error = ""
    status = 400
    if form.is_valid():
        try:
            with transaction.atomic():
                locked = locked_placement(placement, form.cleaned_data["version"])
                if outcome == "approve":
                    services.placement_approve(
                        placement=locked,
                        user=user,
                        meeting_date=form.cleaned_data.get("meeting_date"),
                        note=form.cleaned_data.get("note") or "",
                    )
                    messages.success(request, "Afgørelsen er registreret: bevillingen er godkendt.")
                else:
                    services.placement_reject(
                        placement=locked,
                        user=user,
                        meeting_date=form.cleaned_data.get("meeting_date"),
                        note=form.cleaned_data.get("note") or "",
                    )
                    messages.success(request, "Afgørelsen er registreret: bevillingen er afvist.")
            return redirect(placement)
        except VersionConflict as conflict:
            error = conflict.message()
            status = 409
        except services.BeyondCompetence as exc:
            error = str(exc)
            status = 403
        except services.PlacementError as exc:
            error = str(exc)
    else:
        error = "Tjek felterne: " + " ".join(str(e) for errs in form.errors.values() for e in errs)
    placement = get_placement_for_user(request, pk)
    context = detail_context(request, placement)
    context["decision_form"] = form
    context["decision_error"] = error
    return render(request, "visitation/placement_detail.html", context, status=status)


@login_required
@require_POST
def placement_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "approve")


@login_required
@require_POST
def placement_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reject")


@login_required
@require_GET
def approval_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = current_user(request)
    if not can(user, "visitation.view_approval_queue"):
        raise PermissionDenied("Din rolle giver ikke adgang til godkendelserne.")
    groups: dict[str, list[Placement]] = {lv.value: [] for lv in ApprovalLevel}
    p: Any  # annotated by approval_queue with committee_approved
    for p in selectors.approval_queue(user):
        level = p.required_level
        if level == ApprovalLevel.POLITICAL and not p.committee_approved:
            level = ApprovalLevel.COMMITTEE.value
        groups[level].append(p)
    sections = [
        {
            "level": lv.value,
            "title": {
                ApprovalLevel.CASEWORKER: "Til sagsbehandlerens egen afgørelse",
                ApprovalLevel.AUTHORITY_HEAD: "Myndighedslederens liste",
                ApprovalLevel.COMMITTEE: "Visitationsudvalgets dagsorden",
                ApprovalLevel.POLITICAL: "Politisk udvalg (efter visitationsudvalget)",
            }[lv],
            "rows": groups[lv.value],
            "total": sum((p.annual_price for p in groups[lv.value]), Decimal("0.00")),
        }
        for lv in ApprovalLevel
    ]
    return render(request, "visitation/approval_queue.html", {**common_context(request), "sections": sections})
