"""The caseworker's worklist of follow-ups due, and its section on the start page."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.planner import joins_in_written_order
from botilbud.permissions import can
from visitation import selectors, services
from visitation.models import ApprovalLevel, sees_case_numbers
from visitation.views.common import common_context, current_user, local_today


@login_required
@require_GET
def worklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = current_user(request)
    today = local_today()
    mine = request.GET.get("mine") == "1"
    try:
        horizon = min(max(int(request.GET.get("dage", "183")), 0), 3660)
    except ValueError:
        horizon = 183
    qs = selectors.worklist(user, today=today, horizon_days=horizon, mine=mine)
    with joins_in_written_order():  # planning the row query's joins cost more than running it
        page = Paginator(qs, 100).get_page(request.GET.get("side"))
        page.object_list = list(page.object_list)
    return render(
        request,
        "visitation/worklist.html",
        {
            **common_context(request),
            "page": page,
            "today": today,
            "soon": today + dt.timedelta(days=30),
            "mine": mine,
            "horizon": horizon,
            "until": today + dt.timedelta(days=horizon),
            "counts": selectors.worklist_counts(user, today=today),
            "can_record": can(user, "visitation.manage_placements"),
        },
    )


def start_section_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """The caseworker's start page: due and overdue follow-ups, and open cases."""
    user = current_user(request)
    today = local_today()
    rows = list(selectors.worklist(user, today=today, horizon_days=30)[:10])
    counts = selectors.worklist_counts(user, today=today)

    own_level = services.user_competence(user) or ""
    queue = selectors.proposals_waiting(user, level=own_level)
    return {
        "vis_rows": rows,
        "vis_counts": counts,
        "vis_today": today,
        "vis_proposed": queue["total"],
        "vis_my_level": queue["mine"],
        "vis_level": own_level,
        "vis_level_label": ApprovalLevel(own_level).label if own_level else "",
        "show_case_numbers": sees_case_numbers(user),
    }
