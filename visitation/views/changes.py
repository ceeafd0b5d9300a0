"""Changes to a placement: edit, new package (with its consequence), end, and follow-up."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.locking import VersionConflict
from botilbud.models import User
from botilbud.permissions import require
from visitation import providers, services
from visitation.forms import EndForm, FollowUpForm, PackageChangeForm, PlacementEditForm
from visitation.models import Placement
from visitation.views.common import common_context, current_user, get_placement_for_user, local_today, locked_placement


def _action(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_class: type,
    template_title: str,
    run: Any,
    success: str,
    extra: dict[str, Any] | Callable[[Placement], dict[str, Any]] | None = None,
    form_kwargs: Any = None,
) -> HttpResponse:
    """GET shows the form; POST runs the service with a version check.
    ``form_kwargs(placement)`` gives the form's extra keyword arguments."""
    user = current_user(request)
    require(user, "visitation.manage_placements")
    placement = get_placement_for_user(request, pk)
    kwargs = form_kwargs(placement) if form_kwargs else {}
    if callable(extra):
        extra = extra(placement)
    status = 200
    if request.method == "POST":
        form = form_class(request.POST, **kwargs)
        if form.is_valid():
            try:
                with transaction.atomic():
                    run(locked_placement(placement, form.cleaned_data["version"]), form.cleaned_data, user)
            except VersionConflict as conflict:
                form.add_error(None, conflict.message())
                status = 409
            except services.BeyondCompetence as exc:
                form.add_error(None, str(exc))
                status = 403
            except services.PlacementError as exc:
                form.add_error(None, str(exc))
                status = 400
            else:
                messages.success(request, success)
                return redirect(placement)
        else:
            status = 400
    else:
        form = form_class(initial={"version": placement.version, **_action_initial(form_class)}, **kwargs)
    return render(
        request,
        "visitation/placement_action.html",
        {**common_context(request), "placement": placement, "form": form, "title": template_title, **(extra or {})},
        status=status,
    )


def _action_initial(form_class: type) -> dict[str, Any]:
    today = local_today()
    if form_class is FollowUpForm:
        return {"date": today}
    if form_class is PackageChangeForm:
        return {"effective_date": today}
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def placement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct a proposed placement (expected end, note), with optimistic locking."""
    user = current_user(request)
    require(user, "visitation.manage_placements")
    placement = get_placement_for_user(request, pk)
    if placement.status != Placement.Status.PROPOSED:
        messages.error(request, "Kun en indstillet bevilling kan rettes. Brug ophør eller ny pakke.")
        return redirect(placement)
    status = 200
    if request.method == "POST":
        form = PlacementEditForm(request.POST, instance=placement)
        if form.is_valid():
            try:
                form.save()
            except VersionConflict as conflict:
                form.add_error(None, conflict.message())
                status = 409
            else:
                messages.success(request, "Indstillingen er rettet.")
                return redirect(placement)
        else:
            status = 409 if form.conflict else 400
    else:
        form = PlacementEditForm(instance=placement)
    return render(
        request,
        "visitation/placement_action.html",
        {**common_context(request), "placement": placement, "form": form, "title": "Ret indstilling"},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def placement_change_package(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def run(placement: Placement, d: dict, user: User) -> None:
        services.placement_change_package(
            placement=placement,
            new_package=d["new_package"],
            effective_date=d["effective_date"],
            user=user,
            note=d.get("note") or "",
            meeting_date=d.get("meeting_date"),
        )

    return _action(
        request,
        pk,
        PackageChangeForm,
        "Ny støttepakke",
        run,
        "Den nye støttepakke er registreret.",
        extra={"consequence_url": reverse("visitation:placement_package_consequence", args=[pk])},
    )


@login_required
@require_GET
def placement_package_consequence(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The income consequence for the own home of a package change, before it is
    saved (the allocation model: Δ weekly hours × hour price × days/7)."""
    user = current_user(request)
    require(user, "visitation.manage_placements")
    placement = get_placement_for_user(request, pk)
    context: dict[str, Any] = {"placement": placement}
    form = PackageChangeForm(request.GET)
    form.is_valid()  # the preview needs only the package and the date
    package = form.cleaned_data.get("new_package")
    effective = form.cleaned_data.get("effective_date")
    if placement.offer.home_id is None:
        context["note"] = "Eksternt tilbud: ændringen påvirker ikke et af kommunens egne botilbud."
    elif package is None or effective is None:
        context["note"] = "Vælg ny pakke og dato for at se indtægtskonsekvensen for botilbuddet."
    else:
        old_hours = placement.package.weekly_hours if placement.package else Decimal(0)
        context.update(
            providers.income_consequence(
                placement.offer.home_id,
                old_weekly_hours=old_hours,
                new_weekly_hours=package.weekly_hours,
                from_date=effective,
            )
        )
        context["home_name"] = placement.offer.home.name if placement.offer.home else ""  # an own home here
    return render(request, "visitation/_package_consequence.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def placement_end(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def run(placement: Placement, d: dict, user: User) -> None:
        services.placement_end(
            placement=placement,
            end_date=d["end_date"],
            user=user,
            note=d.get("note") or "",
            manual_move_out=bool(d.get("ledger_move_out")),
        )

    seen: dict[int, dict[str, Any]] = {}

    def ledger(placement: Placement) -> dict[str, Any]:
        # Asked by both the form and the page: one query, not two.
        if placement.pk not in seen:
            own = placement.offer.home_id is not None and not placement.is_sale
            generated = own and placement.ledger_entries.filter(generated=True).exists()
            seen[placement.pk] = {"own_home": own, "has_generated_income": generated}
        return seen[placement.pk]

    def form_kwargs(placement: Placement) -> dict[str, Any]:
        info = ledger(placement)
        return {"offer_move_out": info["own_home"] and not info["has_generated_income"]}

    return _action(
        request,
        pk,
        EndForm,
        "Afslut bevilling",
        run,
        "Ophøret er registreret.",
        extra=ledger,
        form_kwargs=form_kwargs,
    )


@login_required
@require_http_methods(["GET", "POST"])
def followup_create(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    def run(placement: Placement, d: dict, user: User) -> None:
        services.followup_record(
            placement=placement,
            date=d["date"],
            outcome=d["outcome"],
            new_package=d.get("new_package"),
            note=d.get("note") or "",
            user=user,
            meeting_date=d.get("meeting_date"),
        )

    return _action(
        request, pk, FollowUpForm, "Registrér opfølgning", run, "Opfølgningen er registreret, og næste frist er sat."
    )
