"""Pages of the monthly follow-up. Every view starts from the user's homes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_POST

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.locking import VersionConflict
from botilbud.models import AccountGroup, Area, Home
from botilbud.permissions import can, permission_required
from budget.followup import export, services
from budget.followup.accuracy import accuracy_table
from budget.followup.forms import ActionForm, ExplanationForm, PrepareForm, ReturnForm, VersionForm
from budget.followup.models import Action, AreaApproval, HomeFollowUp, Round, Settings, Step
from budget.followup.reminders import home_cycle_times
from budget.followup.selectors import home_followup_figures, round_rollup, round_rows


def _round(pk: int) -> Round:
    return get_object_or_404(Round, pk=pk)


def _followup(request: AuthenticatedHttpRequest, round_pk: int, home_pk: int) -> HomeFollowUp:
    home = get_home_for_user(request, home_pk)
    # The page names who prepared, confirmed and approved it: fetched in the same query.
    followups = HomeFollowUp.objects.select_related("home__area", "round", "prepared_by", "confirmed_by", "approved_by")
    try:
        return followups.get(round_id=round_pk, home=home)
    except HomeFollowUp.DoesNotExist:
        # The home's first visit to the round: its follow-up is made now (an unknown round is 404).
        round_ = _round(round_pk)
        services.followups_for_round(round_=round_, homes=[home])
        return followups.get(round=round_, home=home)


@login_required
@require_GET
@permission_required("followup.view", not_found=True)
def round_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    homes = Home.objects.visible_to(request.user)
    if not homes.exists():
        raise Http404("Du har ingen botilbud at følge op på.")
    years = [d.year for d in Round.objects.dates("month", "year", order="DESC")]
    year = _int(request.GET.get("aar"), years[0] if years else dt.date.today().year)
    rounds = (
        Round.objects.filter(month__year=year)
        .annotate(
            **{
                f"n_{step.value}": Count(
                    "home_followups", filter=Q(home_followups__home__in=homes, home_followups__step=step)
                )
                for step in Step
            }
        )
        .order_by("-month")
    )

    return render(
        request,
        "followup/round_list.html",
        {
            "rounds": rounds,
            "years": years,
            "year": year,
            "steps": list(Step),
            "home_count": homes.count(),
            "home_cycles": home_cycle_times(homes, year),
        },
    )


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value else default
    except ValueError:
        return default


@login_required
@require_GET
def round_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    round_ = _round(pk)
    user = request.user
    homes = list(Home.objects.visible_to(user).filter(is_active=True).select_related("area"))
    if not homes:
        raise Http404
    rows = round_rows(round_, services.followups_for_round(round_=round_, homes=homes))
    areas = Area.objects.filter(homes__any=homes).distinct().order_by("name")
    approvals = {a.area_id: a for a in AreaApproval.objects.filter(round=round_).select_related("approved_by")}
    return render(
        request,
        "followup/round_detail.html",
        {
            "round": round_,
            "rows": rows,
            "areas": [{"area": a, "approval": approvals.get(a.pk)} for a in areas],
            "sees_department": can(user, "followup.view_department"),
        },
    )


def _page_context(request: AuthenticatedHttpRequest, fu: HomeFollowUp, **extra: Any) -> dict[str, Any]:
    user = request.user
    figures = home_followup_figures(fu, today=dt.date.today())
    for row in figures["economy"]:
        row["form"] = ExplanationForm(initial={"group": row["group"], "text": row["explanation"]}, prefix=row["group"])
    return {
        **figures,
        "can_prepare": services.can_prepare(user, fu),
        "can_confirm": services.can_confirm(user, fu),
        "can_approve": services.can_approve(user, fu),
        "missing": services.missing_for_confirmation(
            fu, figures["numbers"], explained=set(figures["explanations"]), has_actions=bool(figures["actions"])
        )
        if fu.step == Step.MANAGER
        else [],
        "prepare_form": PrepareForm(initial={"version": fu.version, "note": fu.consultant_note}),
        "action_form": extra.pop("action_form", None) or ActionForm(),
        "version_form": VersionForm(initial={"version": fu.version}),
        "return_form": extra.pop("return_form", None) or ReturnForm(initial={"version": fu.version}),
        "steps": list(Step),
        "rules": Settings.load(),
        **extra,
    }


@login_required
@require_GET
def home_followup(request: AuthenticatedHttpRequest, round_pk: int, home_pk: int) -> HttpResponse:
    fu = _followup(request, round_pk, home_pk)
    return render(request, "followup/home_followup.html", _page_context(request, fu))


def _act(request: AuthenticatedHttpRequest, fu: HomeFollowUp, action, **extra: Any) -> HttpResponse:  # noqa: ANN001
    """Run a workflow step; errors re-render the page with a Danish message (4xx)."""
    try:
        action()
    except PermissionDenied:
        raise
    except VersionConflict as conflict:
        fu.refresh_from_db()
        context = _page_context(request, fu, errors=[conflict.message()], **extra)
        return render(request, "followup/home_followup.html", context, status=409)
    except ValidationError as error:
        fu.refresh_from_db()
        context = _page_context(request, fu, errors=error.messages, **extra)
        return render(request, "followup/home_followup.html", context, status=400)
    return redirect(fu.get_absolute_url())


def _version(request: AuthenticatedHttpRequest) -> int | None:
    form = VersionForm(request.POST)
    if not form.is_valid():
        raise ValidationError("Formularen mangler versionsnummer. Genindlæs siden.")
    return form.cleaned_data["version"]


@login_required
@require_POST
def prepare(request: AuthenticatedHttpRequest, round_pk: int, home_pk: int) -> HttpResponse:
    fu = _followup(request, round_pk, home_pk)
    form = PrepareForm(request.POST)

    def go() -> None:
        if not form.is_valid():
            raise ValidationError("Formularen er ikke udfyldt korrekt.")
        services.followup_prepare(
            followup=fu, user=request.user, note=form.cleaned_data["note"], seen_version=form.cleaned_data["version"]
        )
        messages.success(request, "Opfølgningen er sendt til lederen.")

    return _act(request, fu, go)


@login_required
@require_POST
def explain(request: AuthenticatedHttpRequest, round_pk: int, home_pk: int, group: str) -> HttpResponse:
    fu = _followup(request, round_pk, home_pk)
    if group not in AccountGroup.values:
        raise Http404
    form = ExplanationForm(request.POST, prefix=group)

    def go() -> None:
        if not form.is_valid():
            raise ValidationError(["Forklaringen mangler."])
        services.explanation_save(followup=fu, user=request.user, group=group, text=form.cleaned_data["text"])
        messages.success(request, f"Forklaringen for {AccountGroup(group).label.lower()} er gemt.")

    return _act(request, fu, go)


@login_required
@require_POST
def action_add(request: AuthenticatedHttpRequest, round_pk: int, home_pk: int) -> HttpResponse:
    fu = _followup(request, round_pk, home_pk)
    form = ActionForm(request.POST)

    def go() -> None:
        if not form.is_valid():
            raise ValidationError(
                [f"{form.fields[f].label}: {' '.join(str(m) for m in e)}" for f, e in form.errors.items()]
            )
        services.action_add(followup=fu, user=request.user, **form.cleaned_data)
        messages.success(request, "Handlingen er tilføjet handleplanen.")

    return _act(request, fu, go, action_form=form)


@login_required
@require_POST
def action_delete(request: AuthenticatedHttpRequest, round_pk: int, home_pk: int, action_pk: int) -> HttpResponse:
    fu = _followup(request, round_pk, home_pk)
    action = get_object_or_404(Action, pk=action_pk, followup=fu)
    return _act(request, fu, lambda: services.action_delete(action=action, user=request.user))


@login_required
@require_POST
def confirm(request: AuthenticatedHttpRequest, round_pk: int, home_pk: int) -> HttpResponse:
    fu = _followup(request, round_pk, home_pk)

    def go() -> None:
        services.followup_confirm(followup=fu, user=request.user, seen_version=_version(request))
        messages.success(request, "Opfølgningen er bekræftet og sendt til områdelederen.")

    return _act(request, fu, go)


@login_required
@require_POST
def send_back(request: AuthenticatedHttpRequest, round_pk: int, home_pk: int) -> HttpResponse:
    fu = _followup(request, round_pk, home_pk)
    form = ReturnForm(request.POST)

    def go() -> None:
        if not form.is_valid():
            raise ValidationError(["Skriv en kommentar til lederen om, hvad der skal rettes."])
        services.followup_return(
            followup=fu,
            user=request.user,
            comment=form.cleaned_data["comment"],
            seen_version=form.cleaned_data["version"],
        )
        messages.success(request, "Opfølgningen er sendt tilbage til lederen.")

    return _act(request, fu, go, return_form=form)


@login_required
@require_POST
def approve(request: AuthenticatedHttpRequest, round_pk: int, home_pk: int) -> HttpResponse:
    fu = _followup(request, round_pk, home_pk)

    def go() -> None:
        services.followup_approve(followup=fu, user=request.user, seen_version=_version(request))
        messages.success(request, "Opfølgningen er godkendt og tallene er fastfrosset.")

    return _act(request, fu, go)


@login_required
@require_GET
def home_export(request: AuthenticatedHttpRequest, round_pk: int, home_pk: int) -> FileResponse:
    fu = _followup(request, round_pk, home_pk)
    context = _page_context(request, fu)
    return export.home_followup_response(context)


def _area_homes(request: AuthenticatedHttpRequest, area_pk: int) -> tuple[Area, list[Home]]:
    homes = list(Home.objects.visible_to(request.user).filter(area_id=area_pk, is_active=True).select_related("area"))
    if not homes:
        raise Http404("Området findes ikke, eller du har ikke adgang.")
    return homes[0].area, homes


def _rollup_context(round_: Round, homes: list[Home], *, for_sums: bool = False) -> dict[str, Any]:
    followups = services.followups_for_round(round_=round_, homes=homes)
    return round_rollup(round_, followups, today=dt.date.today(), for_sums=for_sums)


@login_required
@require_GET
def area_rollup(request: AuthenticatedHttpRequest, round_pk: int, area_pk: int) -> HttpResponse:
    round_ = _round(round_pk)
    area, homes = _area_homes(request, area_pk)
    approval = AreaApproval.objects.filter(round=round_, area=area).select_related("approved_by").first()
    # The sums and each home's totals: not the changes or the staff.
    context = _rollup_context(round_, homes, for_sums=True)
    if approval:
        context["sums"] = approval.snapshot
    user = request.user
    may_approve = can(user, "followup.approve_area", area) and not approval
    return render(
        request,
        "followup/rollup.html",
        {
            **context,
            "area": area,
            "approval": approval,
            "can_approve": may_approve,
            "level": "område",
            "sums_scope": f"area-{area.pk}",
        },
    )


@login_required
@require_POST
def area_approve(request: AuthenticatedHttpRequest, round_pk: int, area_pk: int) -> HttpResponse:
    round_ = _round(round_pk)
    area, homes = _area_homes(request, area_pk)
    try:
        services.area_approve(round_=round_, area=area, user=request.user)
    except ValidationError as error:
        # A refusal writes nothing: the roll-up would create missing follow-ups.
        with transaction.atomic():
            context = _rollup_context(round_, homes)
            transaction.set_rollback(True)
        return render(
            request,
            "followup/rollup.html",
            {
                **context,
                "area": area,
                "sums_scope": f"area-{area.pk}",
                "approval": None,
                "can_approve": True,
                "level": "område",
                "errors": error.messages,
            },
            status=400,
        )
    messages.success(request, f"{area.name}s opfølgning er godkendt.")
    return redirect("followup:area_rollup", round_.pk, area.pk)


def _department_homes(request: AuthenticatedHttpRequest) -> list[Home]:
    user = request.user
    if not can(user, "followup.view_department"):
        raise Http404
    return list(Home.objects.visible_to(user).filter(is_active=True).select_related("area"))


@login_required
@require_GET
def department_rollup(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    round_ = _round(round_pk)
    # The page shows the sums and each home's totals, as the Excel: not the changes or the staff.
    context = _rollup_context(round_, _department_homes(request), for_sums=True)
    if round_.snapshot:
        context["sums"] = round_.snapshot
    user = request.user
    approved_areas = AreaApproval.objects.filter(round=round_).count()
    return render(
        request,
        "followup/rollup.html",
        {
            **context,
            "level": "forvaltning",
            "sums_scope": "department",
            "approval": round_ if round_.status == Round.Status.APPROVED else None,
            "can_approve": can(user, "followup.approve_department") and round_.status == Round.Status.OPEN,
            "approved_areas": approved_areas,
            "area_count": Area.objects.filter(homes__is_active=True).distinct().count(),
        },
    )


@login_required
@require_POST
def department_approve(request: AuthenticatedHttpRequest, round_pk: int) -> HttpResponse:
    round_ = _round(round_pk)
    homes = _department_homes(request)
    try:
        services.round_approve(round_=round_, user=request.user, seen_version=_version(request))
    except (ValidationError, VersionConflict) as error:
        # A refusal writes nothing: the roll-up would create missing follow-ups.
        with transaction.atomic():
            context = _rollup_context(round_, homes)
            transaction.set_rollback(True)
        text = error.message() if isinstance(error, VersionConflict) else error.messages
        return render(
            request,
            "followup/rollup.html",
            {
                **context,
                "level": "forvaltning",
                "sums_scope": "department",
                "approval": None,
                "can_approve": True,
                "errors": text if isinstance(text, list) else [text],
            },
            status=400,
        )
    messages.success(request, "Forvaltningens opfølgning er godkendt.")
    return redirect("followup:department_rollup", round_.pk)


@login_required
@require_GET
def department_export(request: AuthenticatedHttpRequest, round_pk: int) -> FileResponse:
    round_ = _round(round_pk)
    # The workbook shows the sums and each home's totals: not the changes or the staff.
    context = _rollup_context(round_, _department_homes(request), for_sums=True)
    if round_.snapshot:
        context["sums"] = round_.snapshot
    return export.rollup_response(context)


@login_required
@require_GET
def accuracy(request: AuthenticatedHttpRequest) -> HttpResponse:
    """How far each round's forecast was from the year's final actuals."""

    homes = Home.objects.visible_to(request.user)
    if not homes.exists():
        raise Http404
    this_year = dt.date.today().year
    years = [d.year for d in Round.objects.filter(month__year__lt=this_year).dates("month", "year", order="DESC")]
    year = _int(request.GET.get("aar"), years[0] if years else this_year - 1)
    if year >= this_year:
        return render(request, "followup/accuracy.html", {"years": years, "year": year, "open_year": True}, status=400)
    return render(request, "followup/accuracy.html", {"years": years, "year": year, **accuracy_table(homes, year)})
