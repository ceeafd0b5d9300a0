"""Project-wide pages: start page per role, homes, audit trail, health."""

from __future__ import annotations

import sys
import uuid

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET
from django_htmx.http import HttpResponseClientRedirect

from botilbud import selectors
from botilbud.access import get_home_for_user
from botilbud.dataprotection import record, sections
from botilbud.http import AuthenticatedHttpRequest
from botilbud.jobs import jobs_for
from botilbud.lib.history import access_history, object_history
from botilbud.middleware import database_unavailable, is_database_outage
from botilbud.models import Job, Role, User
from botilbud.permissions import can, permission_required
from botilbud.registry import home_tabs_for, registry
from botilbud.security import log_event

# The start page answers each role's first question: which block it shows is a
# matter of presentation per role (what a role may do is botilbud/permissions.py).
START_BLOCK = {
    Role.HOME_MANAGER: "own_homes_manager",
    Role.CONSULTANT: "own_homes_consultant",
    Role.AREA_MANAGER: "areas",
    Role.DEPARTMENT_HEAD: "department",
    Role.ADMIN: "department",
    Role.CASEWORKER: "authority",
    Role.AUTHORITY_HEAD: "authority",
}


@login_required
@require_GET
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The start page answers the role's first question, with its real data."""
    user = request.user
    block = START_BLOCK.get(Role(user.role))
    context: dict = {"start_block": block, **selectors.start_block(user, block)}
    context["sections"] = [
        {"template": s.template, **s.context(request)} for s in registry.start_sections if user.role in s.roles
    ]
    return render(request, "botilbud/start.html", context)


@login_required
@require_GET
@permission_required("botilbud.view_homes")
def home_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    homes = selectors.homes_table(request.user)
    return render(request, "botilbud/home_list.html", {"homes": homes})


@login_required
@require_GET
def home_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    home = get_home_for_user(request, pk)
    user = request.user
    tabs = home_tabs_for(user)
    return render(
        request,
        "botilbud/home_detail.html",
        {
            "home": home,
            "tabs": tabs,
            "managers": home.managers.all(),
            "consultants": home.consultants.all(),
            "paragraphs": home.paragraphs.all(),
        },
    )


@login_required
@require_GET
def history(request: HttpRequest, kind: str, pk: int) -> HttpResponse:
    """The audit trail of one object the user may see (404 otherwise)."""
    queryset_for_user = registry.history_kinds.get(kind)
    if queryset_for_user is None:
        raise Http404("Ukendt type.")
    try:
        obj = queryset_for_user(request.user).get(pk=pk)
    except queryset_for_user(request.user).model.DoesNotExist:
        raise Http404("Findes ikke, eller du har ikke adgang.") from None
    return render(
        request,
        "botilbud/history.html",
        {
            "object": obj,
            "verbose_name": obj._meta.verbose_name,
            "rows": object_history(obj, children=registry.history_children.get(kind)),
        },
    )


@login_required
@require_GET
def home_access(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """ "Adgang": who was given or lost access to this home, when, by whom."""
    home = get_home_for_user(request, pk)
    return render(
        request,
        "botilbud/access_history.html",
        {"subject": home.name, "home": home, "rows": access_history(home=home), "per_user": False},
    )


@login_required
@require_GET
def user_access(request: HttpRequest, pk: int) -> HttpResponse:
    """ "Adgang" for one user (the administrator's view): every home and
    area the user was given or lost access to."""
    if not can(request.user, "botilbud.view_user_access"):
        raise Http404("Findes ikke, eller du har ikke adgang.")
    try:
        target = User.objects.get(pk=pk)
    except User.DoesNotExist:
        raise Http404("Brugeren findes ikke.") from None
    return render(
        request,
        "botilbud/access_history.html",
        {"subject": str(target), "target": target, "rows": access_history(user=target), "per_user": True},
    )


@login_required
@require_GET
def data_protection(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The administrator's record of processing (GDPR art. 30), generated from
    the models, the access rules and the settings (botilbud/dataprotection.py),
    with the sections the apps register (visitation: the retention job's dry
    run and its past runs)."""

    if not can(request.user, "botilbud.view_data_protection"):
        raise Http404("Findes ikke, eller du har ikke adgang.")
    return render(
        request,
        "botilbud/data_protection.html",
        {**record(), "sections": [(s, s.context(request)) for s in sections()]},
    )


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    log_event("permission_denied", request, status=403)
    return render(request, "403.html", {"message": str(exception) if exception else ""}, status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    # A scoped queryset answers "not yours" with 404: that is a denial too.
    log_event("not_found", request, status=404)
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    # A lost database (a Postgres restart) inside a middleware lands here:
    # answer 503 "prøv igen", never 500.
    error = sys.exc_info()[1]
    if is_database_outage(error):
        log_event("database_unavailable", request, user="", status=503, error=type(error).__name__)
        return database_unavailable(request)
    return render(request, "500.html", status=500)


# --- Background jobs (botilbud/jobs.py) ----------------------------------------------


def _own_job(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> Job:
    """The user's own job, or 404 (another user's job does not exist for them)."""
    job = jobs_for(request.user).filter(pk=pk).first()
    if job is None:
        raise Http404("Jobbet findes ikke, eller det er ikke dit.")
    return job


@login_required
@require_GET
def job_detail(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    """A job's progress; an HTMX poll gets only the status block, which stops
    polling once the job is finished. A finished job whose result is a page
    (``params["result_url"]``) sends the user there."""
    job = _own_job(request, pk)
    result_url = job.params.get("result_url") if job.status == Job.Status.DONE else None
    if result_url:  # a job whose result is a page (a checked import): go there
        return HttpResponseClientRedirect(result_url) if request.htmx else redirect(result_url)
    template = "botilbud/job_detail.html"
    if request.htmx:
        template += "#status"
    return render(request, template, {"job": job, "keep_hours": settings.BOTILBUD_JOB_KEEP_HOURS})


@login_required
@require_GET
def job_download(request: AuthenticatedHttpRequest, pk: uuid.UUID) -> HttpResponse:
    job = _own_job(request, pk)
    if job.status != Job.Status.DONE or job.content is None or job.params.get("result_url"):
        return redirect(job)
    response = HttpResponse(bytes(job.content), content_type=job.content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=job.file_name)
    return response
