"""Pages about the follow-up round's rhythm: overdue steps and the user's reminder setting."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from botilbud.http import AuthenticatedHttpRequest
from botilbud.models import Home
from budget.followup import reminders
from budget.followup.models import HomeFollowUp


@login_required
@require_GET
def overdue_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The overdue steps of the user's homes: whose turn, the deadline, days overdue."""
    user = request.user
    if not Home.objects.visible_to(user).exists():
        raise Http404("Du har ingen botilbud at følge op på.")
    today = timezone.localdate()
    rows = reminders.overdue(HomeFollowUp.objects.visible_to(user), today)
    return render(request, "followup/overdue.html", {"rows": rows, "today": today})


@login_required
@require_http_methods(["GET", "POST"])
def reminder_settings(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The user's own choice: e-mail reminders about follow-up steps on or off."""
    user = request.user
    if request.method == "POST":
        enabled = request.POST.get("enabled") == "1"
        reminders.set_reminders(user=user, enabled=enabled)
        messages.success(request, "Påmindelser er slået til." if enabled else "Påmindelser er slået fra.")
        return redirect("followup:reminder_settings")
    return render(
        request,
        "followup/reminder_settings.html",
        {"enabled": reminders.reminders_enabled(user), "has_email": bool(user.email)},
    )
