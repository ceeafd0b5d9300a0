"""Pages of the budget year's life cycle: omplacering, the approval queue of corrections.

Every view starts from a queryset scoped to the user (``get_home_for_user`` or
``Home.objects.visible_to``); another home's correction gives 404.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from botilbud.access import get_home_for_user, require_role
from botilbud.lib.locking import VersionConflict
from botilbud.models import Home, Role, User
from budget import corrections
from budget.forms import DecisionForm, ReallocationForm
from budget.models import BudgetCorrection, BudgetLine

QUEUE_ROLES = (Role.CONSULTANT, Role.DEPARTMENT_HEAD, Role.ADMIN)


def _form_errors(form) -> str:  # noqa: ANN001
    return "; ".join(f"{form.fields[f].label or f}: {' '.join(e)}" for f, e in form.errors.items() if f in form.fields)


@login_required
@require_POST
def reallocation_add(request: HttpRequest, pk: int, year: int) -> HttpResponse:
    """Propose an omplacering from this home's budget line to another home or account group."""
    user: User = request.user  # type: ignore[assignment]
    home = get_home_for_user(request, pk)
    if not corrections.can_register(user, home):
        raise PermissionDenied("Kun botilbuddets økonomikonsulent kan omplacere budget.")
    back = f"{reverse('budget:home_budget', args=[home.pk])}?aar={year}#korrektioner"
    targets = Home.objects.all() if user.role == Role.ADMIN else Home.objects.writable_by(user)
    form = ReallocationForm(request.POST, target_homes=targets.filter(is_active=True))
    if not form.is_valid():
        messages.error(request, f"Omplaceringen er ikke gemt. {_form_errors(form)}")
        return redirect(back)
    data = form.cleaned_data
    source = BudgetLine.objects.filter(home=home, year=year, group=data["source_group"]).first()
    if source is None:
        messages.error(
            request, f"Omplaceringen er ikke gemt. {home.name} har intet budget for den kontogruppe i {year}."
        )
        return redirect(back)
    try:
        corrections.reallocation_register(
            source=source,
            target_home=data["target_home"],
            target_group=data["target_group"],
            amount=data["amount"],
            reason=data["reason"],
            date=data["date"],
            user=user,
        )
    except corrections.CorrectionError as exc:
        messages.error(request, f"Omplaceringen er ikke gemt. {exc}")
        return redirect(back)
    messages.success(request, "Omplaceringen er registreret (begge sider) og venter på fagchefens godkendelse.")
    return redirect(back)


@login_required
@require_GET
def correction_queue(request: HttpRequest) -> HttpResponse:
    """Proposed corrections on the user's homes; the department head decides them here."""
    user: User = request.user  # type: ignore[assignment]
    require_role(user, *QUEUE_ROLES)
    items: list[dict] = []
    by_transfer: dict = {}
    for correction in corrections.pending_for(user)[:200]:
        if correction.transfer:
            item = by_transfer.get(correction.transfer)
            if item is None:
                item = by_transfer[correction.transfer] = {"first": correction, "sides": []}
                items.append(item)
            item["sides"].append(correction)
        else:
            items.append({"first": correction, "sides": [correction]})
    return render(
        request,
        "budget/correction_queue.html",
        {"items": items, "can_decide": user.role in corrections.DECIDING_ROLES},
    )


@login_required
@require_POST
def correction_decide(request: HttpRequest, correction_pk: int) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    require_role(user, *QUEUE_ROLES)
    correction = get_object_or_404(
        BudgetCorrection.objects.filter(line__home__in=Home.objects.visible_to(user)), pk=correction_pk
    )
    if user.role not in corrections.DECIDING_ROLES:
        raise PermissionDenied("Kun fagchefen kan godkende korrektioner.")
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, f"Ikke afgjort. {_form_errors(form)}")
        return redirect("budget:correction_queue")
    approve = form.cleaned_data["decision"] == "approve"
    try:
        corrections.correction_decide(
            correction=correction,
            user=user,
            approve=approve,
            seen_version=form.cleaned_data["version"],
            note=form.cleaned_data["note"],
        )
    except VersionConflict as conflict:
        messages.error(request, conflict.message())
        return redirect("budget:correction_queue")
    except corrections.CorrectionError as exc:
        messages.error(request, str(exc))
        return redirect("budget:correction_queue")
    label = correction.get_kind_display().lower()
    messages.success(request, f"{label.capitalize()} er {'godkendt' if approve else 'afvist'}.")
    return redirect("budget:correction_queue")
