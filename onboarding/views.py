"""Kom i gang: the administrator's onboarding steps and the staged imports."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from botilbud.http import AuthenticatedHttpRequest
from botilbud.models import User
from botilbud.permissions import can, require
from onboarding import services
from onboarding.forms import ImportUploadForm
from onboarding.framework import ImportKindSpec
from onboarding.kinds import get_kind
from onboarding.models import ImportBatch
from onboarding.selectors import onboarding_steps

SAMPLES = Path(settings.BASE_DIR) / "demo" / "onboarding"


def _kind_for(request: AuthenticatedHttpRequest, slug: str) -> ImportKindSpec:
    spec = get_kind(slug)
    if spec is None:
        raise Http404("Den slags indlæsning findes ikke.")
    if not spec.may_import(request.user):
        raise PermissionDenied("Din rolle giver ikke adgang til denne indlæsning.")
    return spec


def _batches_for(user: User):  # noqa: ANN202
    qs = ImportBatch.objects.select_related("uploaded_by")
    return qs if can(user, "botilbud.view_all_imports") else qs.filter(uploaded_by=user)


def _batch_for(request: AuthenticatedHttpRequest, pk: int) -> tuple[ImportBatch, ImportKindSpec]:
    user = request.user
    batch = get_object_or_404(_batches_for(user), pk=pk)
    spec = get_kind(batch.kind)
    if spec is None or not spec.may_import(user):
        raise Http404("Indlæsningen findes ikke.")
    return batch, spec


@login_required
@require_GET
def start(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "onboarding.use")
    steps = onboarding_steps()
    return render(
        request,
        "onboarding/start.html",
        {
            "steps": steps,
            "done": sum(s.done for s in steps),
            "recent": ImportBatch.objects.select_related("uploaded_by")[:10],
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest, kind: str) -> HttpResponse:
    spec = _kind_for(request, kind)
    user = request.user
    context = {
        "spec": spec,
        "recent": _batches_for(user).filter(kind=spec.kind)[:5],
    }
    if request.method == "GET":
        return render(request, "onboarding/upload.html", {**context, "form": ImportUploadForm()})
    form = ImportUploadForm(request.POST, request.FILES)
    context["form"] = form
    if not form.is_valid():
        return render(request, "onboarding/upload.html", context, status=400)
    uploaded = form.cleaned_data["file"]
    uploaded.seek(0)
    outcome = services.stage_import(spec=spec, stream=uploaded.file, file_name=uploaded.name, user=user)
    if outcome.batch is None:
        context.update(file_error=outcome.file_error, errors=outcome.errors, in_file=outcome.in_file)
        return render(request, "onboarding/upload.html", context, status=400)
    return redirect("onboarding:batch", outcome.batch.pk)


@login_required
@require_GET
def batch(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    obj, spec = _batch_for(request, pk)
    return render(
        request,
        "onboarding/batch.html",
        {"batch": obj, "spec": spec, "targets": services.targets_of(obj), "rec": obj.reconciliation or {}},
    )


@login_required
@require_POST
def batch_confirm(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    obj, spec = _batch_for(request, pk)
    try:
        services.confirm_import(spec=spec, batch=obj, user=request.user)
    except services.ImportStateError as exc:
        messages.error(request, str(exc))
        return redirect("onboarding:batch", obj.pk)
    messages.success(request, f"{spec.title}: {obj.file_name} er indlæst.")
    return redirect("onboarding:batch", obj.pk)


@login_required
@require_POST
def batch_discard(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    obj, spec = _batch_for(request, pk)
    try:
        services.discard_import(batch=obj)
    except services.ImportStateError as exc:
        messages.error(request, str(exc))
    else:
        messages.info(request, f"Indlæsningen af {obj.file_name} er annulleret. Intet er skrevet.")
    return redirect("onboarding:upload", spec.kind)


@login_required
@require_GET
def sample(request: AuthenticatedHttpRequest, kind: str) -> FileResponse:
    spec = _kind_for(request, kind)
    path = SAMPLES / spec.sample
    if not path.is_file():
        raise Http404("Eksempelfilen findes ikke.")
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name, content_type="text/csv")


# --- Passwords for imported users ------------------------------------------------------------


def _set_password_url(request: AuthenticatedHttpRequest, user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(reverse("onboarding:password_set", args=[uid, token]))


@login_required
@require_GET
def passwords(request: AuthenticatedHttpRequest) -> HttpResponse:
    require(request.user, "onboarding.use")
    waiting = User.objects.filter(is_active=True, password__startswith="!").order_by("role", "username")
    return render(
        request,
        "onboarding/passwords.html",
        {
            "waiting": waiting,
            "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
            "password_login": getattr(settings, "BOTILBUD_PASSWORD_LOGIN", True),
        },
    )


@login_required
@require_POST
def password_link(request: AuthenticatedHttpRequest, user_pk: int) -> HttpResponse:
    require(request.user, "onboarding.use")
    target = get_object_or_404(User.objects.filter(is_active=True), pk=user_pk)
    return render(
        request,
        "onboarding/password_link.html",
        {
            "target": target,
            "link": _set_password_url(request, target),
            "valid_days": settings.PASSWORD_RESET_TIMEOUT // 86400,
        },
    )
