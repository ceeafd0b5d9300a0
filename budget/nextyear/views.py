"""Pages of next year's budget (``/budget/naeste-aar/``).

- the overview: every home the user sees, its draft's status and net total
  beside this year's corrected budget; compute the drafts of one's homes;
  export the locked budgets;
- a home's draft (tab *Næste år*): each line with where it comes from (the
  model's inputs), the adjustment and its reason, this year's budget and
  forecast beside it; compute, adjust a line, lock (consultant of the home,
  administrator); everybody who sees the home reads it.

Every view starts from ``get_home_for_user`` (404 for another home) or from
the user's scoped homes.
"""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from botilbud.access import get_home_for_user
from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.locking import VersionConflict
from botilbud.lib.money import ZERO
from botilbud.models import Home
from botilbud.permissions import can, require
from botilbud.registry import home_tabs_for
from budget.nextyear import export, selectors, services
from budget.nextyear.forms import AdjustForm
from budget.nextyear.models import BudgetDraftLine


class BadParameter(Exception):
    pass


def _year(request: AuthenticatedHttpRequest) -> int:
    raw = request.GET.get("aar", "") or request.POST.get("aar", "")
    if not raw:
        return dt.date.today().year + 1
    if not (raw.isascii() and raw.isdigit()) or not 2000 <= int(raw) <= 2100:
        raise BadParameter(f"»{raw}« er ikke et gyldigt år.")
    return int(raw)


def _bad_request(request: AuthenticatedHttpRequest, message: str, status: int = 400) -> HttpResponse:
    return render(request, "budget/bad_request.html", {"message": message}, status=status)


def _years(year: int) -> list[int]:
    this = dt.date.today().year
    return sorted({this, this + 1, this + 2, year})


def _page(home: Home, year: int) -> str:
    return f"{reverse('nextyear:home', args=[home.pk])}?aar={year}"


def _refused(request: AuthenticatedHttpRequest, home: Home, year: int, message: str, status: int) -> HttpResponse:
    """A refused write (stale page 409, locked budget 409, bad input 400), with the way back."""
    context = {"message": message, "home": home, "year": year, "back": _page(home, year)}
    return render(request, "nextyear/refused.html", context, status=status)


# --- Overview -----------------------------------------------------------------------------


@login_required
@require_GET
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(user, "budget.view_next_year_overview")
    try:
        year = _year(request)
    except BadParameter as exc:
        return _bad_request(request, str(exc))
    rows = selectors.overview(Home.objects.visible_to(user).filter(is_active=True), year)
    locked = sum(1 for r in rows if r.draft and r.draft.is_locked)
    return render(
        request,
        "nextyear/overview.html",
        {
            "year": year,
            "years": _years(year),
            "rows": rows,
            "locked": locked,
            "drafts": sum(1 for r in rows if r.draft),
            "can_draft": year > dt.date.today().year and selectors.writable_homes(user).exists(),
            "total": sum((r.total for r in rows if r.total is not None), ZERO),
            "this_year_total": sum((r.this_year for r in rows if r.total is not None), ZERO),
        },
    )


@login_required
@require_POST
def overview_compute(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    require(user, "budget.view_next_year_overview")
    homes = [h for h in selectors.writable_homes(user) if can(user, "budget.draft_next_year", h)]
    if not homes:
        raise PermissionDenied("Kun økonomikonsulenten for et botilbud kan lægge næste års budget.")
    try:
        year = _year(request)
        services.check_year(year)
    except (BadParameter, services.DraftError) as exc:
        return _bad_request(request, str(exc))
    done, skipped = services.drafts_compute(homes=homes, year=year, user=user)
    text = f"Kladden til budget {year} er beregnet fra modellerne for {done} botilbud."
    if skipped:
        text += f" {skipped} er allerede låst og er ikke ændret."
    messages.success(request, text)
    return redirect(f"{reverse('nextyear:overview')}?aar={year}")


# --- A home's draft ---------------------------------------------------------------------------


def _draftable_home(request: AuthenticatedHttpRequest, pk: int) -> Home:
    home = get_home_for_user(request, pk)
    if not can(request.user, "budget.draft_next_year", home):
        raise PermissionDenied("Kun botilbuddets økonomikonsulent kan lægge og låse næste års budget.")
    return home


@login_required
@require_GET
def home(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    home = get_home_for_user(request, pk)
    user = request.user
    require(user, "budget.view_home", home, not_found=True)
    try:
        year = _year(request)
    except BadParameter as exc:
        return _bad_request(request, str(exc))
    raw_line = request.GET.get("linje", "")[:12]
    page = selectors.home_page(home, year, today=dt.date.today())
    draft = page["draft"]
    can_draft = can(user, "budget.draft_next_year", home)
    editable = bool(can_draft and draft and not draft.is_locked)
    return render(
        request,
        "nextyear/home.html",
        {
            "home": home,
            "tabs": home_tabs_for(user),
            "active_tab": "nextyear:home",
            "year": year,
            "years": _years(year),
            **page,
            "can_draft": can_draft and year > dt.date.today().year,
            "editable": editable,
            "open_line": int(raw_line) if raw_line.isascii() and raw_line.isdigit() else None,
            "forms": {line.pk: AdjustForm(line=line) for line in page["lines"]} if editable else {},
        },
    )


@login_required
@require_POST
def compute(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    home = _draftable_home(request, pk)
    try:
        year = _year(request)
        services.check_year(year)
        raw = request.POST.get("version", "")
        seen = int(raw) if raw.isascii() and raw.isdigit() else None
        services.draft_compute(home=home, year=year, user=request.user, seen_version=seen)
    except BadParameter as exc:
        return _bad_request(request, str(exc))
    except services.DraftError as exc:
        return _refused(request, home, year, str(exc), 409 if "låst" in str(exc) else 400)
    except VersionConflict as conflict:
        return _refused(request, home, year, conflict.message(), 409)
    messages.success(
        request, f"Kladden til budget {year} er beregnet fra modellerne. Tilpasninger af linjerne er bevaret."
    )
    return redirect(_page(home, year))


@login_required
@require_POST
def adjust(request: AuthenticatedHttpRequest, pk: int, line_pk: int) -> HttpResponse:
    home = _draftable_home(request, pk)
    line = get_object_or_404(BudgetDraftLine.objects.select_related("draft"), pk=line_pk, draft__home=home)
    year = line.draft.year
    form = AdjustForm(request.POST, line=line)
    if not form.is_valid():
        errors = " ".join(" ".join(str(m) for m in e) for e in form.errors.values())
        return _refused(request, home, year, f"Tilpasningen er ikke gemt. {errors}", 400)
    try:
        services.line_adjust(
            line=line,
            adjustment=form.cleaned_data["adjustment"],
            reason=form.cleaned_data["reason"],
            seen_version=form.cleaned_data["version"],
            user=request.user,
        )
    except services.DraftError as exc:
        return _refused(request, home, year, f"Tilpasningen er ikke gemt. {exc}", 409)
    except VersionConflict as conflict:
        return _refused(request, home, year, conflict.message(), 409)
    messages.success(request, f"Tilpasningen af »{line.label}« er gemt.")
    return redirect(_page(home, year) + f"&linje={line.pk}#linje-{line.pk}")


@login_required
@require_POST
def lock(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    home = _draftable_home(request, pk)
    try:
        year = _year(request)
    except BadParameter as exc:
        return _bad_request(request, str(exc))
    draft = selectors.draft_for(home, year)
    if draft is None:
        return _refused(request, home, year, f"Der er ingen kladde til budget {year} at låse. Beregn den først.", 400)
    raw = request.POST.get("version", "")
    if not (raw.isascii() and raw.isdigit()):
        return _refused(request, home, year, "Formularen mangler et gyldigt versionsnummer. Genindlæs siden.", 400)
    try:
        services.draft_lock(draft=draft, seen_version=int(raw), user=request.user)
    except services.DraftError as exc:
        return _refused(request, home, year, str(exc), 409)
    except VersionConflict as conflict:
        return _refused(request, home, year, conflict.message(), 409)
    messages.success(
        request,
        f"Budget {year} for {home.name} er låst. Det er nu botilbuddets oprindelige budget for {year}.",
    )
    return redirect(_page(home, year))


# --- Export --------------------------------------------------------------------------------------


@login_required
@require_GET
def export_csv(request: AuthenticatedHttpRequest) -> HttpResponse | StreamingHttpResponse:
    """The locked budgets in the finance system's budget-import layout (streamed CSV)."""
    user = request.user
    require(user, "budget.export_next_year")
    try:
        year = _year(request)
    except BadParameter as exc:
        return _bad_request(request, str(exc))
    homes = Home.objects.visible_to(user)
    raw = request.GET.get("botilbud", "")
    if raw:
        if not (raw.isascii() and raw.isdigit()):
            return _bad_request(request, f"»{raw}« er ikke et gyldigt botilbud.")
        home = get_home_for_user(request, int(raw))
        homes = homes.filter(pk=home.pk)
    rows = selectors.export_rows(homes, year)
    if not rows.exists():
        return _bad_request(request, f"Der er intet låst budget for {year} at eksportere. Lås budgettet først.")
    response = StreamingHttpResponse(
        export.csv_lines(rows.iterator(chunk_size=2000), year), content_type=export.CONTENT_TYPE
    )
    response["Content-Disposition"] = f'attachment; filename="budget-{year}.csv"'
    return response
