"""The placement export: the filtered list as Excel, made by a background job
(visitation/tasks.py) so the request returns at once; the job's page shows the
progress and offers the file to the user who asked (botilbud/jobs.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from botilbud.http import AuthenticatedHttpRequest
from botilbud.jobs import job_create
from visitation import tasks
from visitation.views.common import current_user


@login_required
@require_POST
def placement_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The filters come in the query string, as on the list; the job stores
    them and the worker applies them to what this user may see."""
    user = current_user(request)
    query = request.GET.copy()
    query.pop("side", None)
    back = reverse("visitation:placement_list") + (f"?{query.urlencode()}" if query else "")
    job = job_create(
        user=user,
        kind="visitation.placement_export",
        title="Bevillinger som Excel",
        params={"query": query.urlencode()},
        back_url=back,
    )
    tasks.placement_export.defer(job_id=str(job.pk))
    return redirect(job)
