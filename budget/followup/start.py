"""The follow-up block on the start pages: this round, per home, whose turn."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Count

from botilbud.http import AuthenticatedHttpRequest
from botilbud.models import Home
from botilbud.permissions import can
from budget.followup.models import HomeFollowUp, Round, Step


def current_round(today: dt.date | None = None) -> Round | None:
    today = today or dt.date.today()
    return Round.objects.filter(month__lte=today).order_by("-month").first()


def section_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    user = request.user
    round_ = current_round()
    if round_ is None:
        return {"round": None}
    homes = Home.objects.visible_to(user).filter(is_active=True)
    if can(user, "followup.view_department"):
        counts = dict(
            HomeFollowUp.objects.filter(round=round_, home__in=homes)
            .values("step")
            .annotate(n=Count("pk"))
            .values_list("step", "n")
        )
        return {
            "round": round_,
            "step_counts": [{"label": s.label, "count": counts.get(s.value, 0)} for s in Step],
            "missing": homes.count() - sum(counts.values()),
        }
    followups = list(
        HomeFollowUp.objects.filter(round=round_, home__in=homes).select_related("home", "round").order_by("home__name")
    )
    existing = {fu.home_id for fu in followups}
    missing = list(homes.exclude(pk__in=existing).order_by("name"))
    today = dt.date.today()
    return {
        "round": round_,
        "followups": [{"fu": fu, "overdue": fu.is_overdue(today)} for fu in followups],
        "not_started": missing,
    }
