"""Changes to a budget line from its page: a correction, and the monthly profile."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.locking import VersionConflict
from budget import monthly_profiles, services
from budget.corrections import CorrectionError, correction_register
from budget.forms import CorrectionForm, ProfileForm
from budget.models import BudgetLine, CorrectionKind
from budget.views.common import bad_request, managed_home


@login_required
@require_POST
def correction_add(request: AuthenticatedHttpRequest, pk: int, line_pk: int) -> HttpResponse:
    """A technical correction (approved at once) or a tillægsbevilling (to the department head)."""

    home = managed_home(request, pk)
    line = get_object_or_404(BudgetLine, pk=line_pk, home=home)
    back = f"{reverse('budget:home_budget', args=[home.pk])}?aar={line.year}#korrektioner"
    form = CorrectionForm(request.POST)
    if not form.is_valid():
        errors = "; ".join(
            f"{form.fields[f].label}: {' '.join(str(m) for m in e)}" for f, e in form.errors.items() if f in form.fields
        )
        messages.error(request, f"Korrektionen er ikke gemt. {errors}")
        return redirect(back)
    data = form.cleaned_data
    try:
        correction = correction_register(
            line=line,
            kind=data["kind"],
            amount=data["amount"],
            reason=data["reason"],
            date=data["date"],
            user=request.user,
            council_decision=data["council_decision"],
            council_date=data["council_date"],
        )
    except CorrectionError as exc:
        messages.error(request, f"Korrektionen er ikke gemt. {exc}")
        return redirect(back)
    if correction.kind == CorrectionKind.TECHNICAL:
        messages.success(request, f"Den tekniske korrektion af {line.get_group_display().lower()} er gemt og godkendt.")
    else:
        messages.success(request, "Tillægsbevillingen er registreret og venter på fagchefens godkendelse.")
    return redirect(back)


@login_required
@require_http_methods(["GET", "POST"])
def profile_edit(request: AuthenticatedHttpRequest, pk: int, line_pk: int) -> HttpResponse:
    home = managed_home(request, pk)
    line = get_object_or_404(BudgetLine, pk=line_pk, home=home)
    suggestion, history_years = monthly_profiles.suggested_profile(line)
    status = 200
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if "reset" in request.POST:
            version = request.POST.get("version") or "0"
            if not (version.isascii() and version.isdigit()):
                return bad_request(request, "Formularen mangler et gyldigt versionsnummer. Genindlæs siden.")
            try:
                services.set_profile(line=line, percentages=None, seen_version=int(version))
            except VersionConflict as conflict:
                messages.error(request, conflict.message())
                return redirect("budget:profile_edit", pk=home.pk, line_pk=line.pk)
            messages.success(request, "Månedsprofilen er nulstillet til 1/12 pr. måned.")
            return redirect(f"{reverse('budget:home_budget', args=[home.pk])}?aar={line.year}")
        if form.is_valid():
            try:
                services.set_profile(
                    line=line, percentages=form.cleaned_data["percentages"], seen_version=form.cleaned_data["version"]
                )
            except VersionConflict as conflict:
                form.add_error(None, conflict.message())
                status = 409
            else:
                messages.success(request, "Månedsprofilen er gemt.")
                return redirect(f"{reverse('budget:home_budget', args=[home.pk])}?aar={line.year}")
        else:
            status = 400
    else:
        initial: dict[str, Any] = {"version": line.version}
        if request.GET.get("fra") == "historik" and suggestion:
            for i, pct in enumerate(suggestion, start=1):
                initial[f"m{i}"] = pct
            messages.info(
                request,
                f"Profilen er udfyldt fra det faktiske forbrug i {', '.join(str(y) for y in history_years)}. "
                "Den er ikke gemt, før du trykker Gem profil.",
            )
        else:
            for i, share in enumerate(line.shares(), start=1):
                initial[f"m{i}"] = (share * 100).quantize(Decimal("0.01"))
        form = ProfileForm(initial=initial)
    return render(
        request,
        "budget/profile_edit.html",
        {
            "home": home,
            "line": line,
            "form": form,
            "suggestion": suggestion,
            "history_years": history_years,
            "accuracy": monthly_profiles.accuracy(home.pk, line.group, history_years),
        },
        status=status,
    )
