"""Visitation pages: placements with visible prices, approvals, follow-ups,
purchases & sales. Every view starts from ``Placement.objects.visible_to``."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.dates import selectable_years
from botilbud.lib.locking import VersionConflict
from botilbud.lib.money import to_money
from botilbud.lib.spreadsheet import DATE_FORMAT, MONEY_FORMAT, streaming_sheet, xlsx_response
from botilbud.models import HourPrice, Municipality, Paragraph, User
from botilbud.permissions import can, require
from botilbud.registry import home_tabs_for
from visitation import providers, selectors, services
from visitation.forms import (
    DecisionForm,
    EndForm,
    FollowUpForm,
    PackageChangeForm,
    PlacementEditForm,
    PlacementFilterForm,
    PlacementForm,
)
from visitation.models import (
    LEVEL_RANK,
    ApprovalLevel,
    Offer,
    Placement,
    Provider,
    SupportPackage,
    own_home_annual_price,
    sees_case_numbers,
)

PAGE_SIZE = 50
PANEL_OFFERS = 12


def _user(request: AuthenticatedHttpRequest) -> User:
    return request.user


def _today() -> dt.date:
    return timezone.localdate()


def get_placement_for_user(request: AuthenticatedHttpRequest, pk: int) -> Placement:
    try:
        return selectors.placements_for(_user(request)).get(pk=pk)
    except Placement.DoesNotExist:
        raise Http404("Bevillingen findes ikke, eller du har ikke adgang til den.") from None


def _common(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    return {"show_case_numbers": sees_case_numbers(_user(request))}


# ---------------------------------------------------------------- list + export


def _filters(request: AuthenticatedHttpRequest) -> tuple[PlacementFilterForm, selectors.PlacementFilters]:
    form = PlacementFilterForm(request.GET or None)
    f = selectors.PlacementFilters()
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        f = selectors.PlacementFilters(
            q=(data.get("q") or "").strip(),
            status=data.get("status") or "",
            paragraph=data["paragraph"].pk if data.get("paragraph") else None,
            provider_kind=data.get("provider_kind") or "",
            level=data.get("level") or "",
            year=data.get("year"),
            sale=data.get("sale") or "",
        )
    return form, f


@login_required
@require_GET
def placement_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _user(request)
    form, f = _filters(request)
    qs = selectors.filter_placements(selectors.placements_for(user), f)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("side"))
    query = request.GET.copy()
    query.pop("side", None)
    context = {
        **_common(request),
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "can_create": can(user, "visitation.manage_placements"),
    }
    if request.htmx:
        return render(request, "visitation/placement_list.html#results", context)
    return render(request, "visitation/placement_list.html", context)


EXPORT_HEADERS = [
    "Bevilling",
    "Sagsnummer",
    "Initialer",
    "Betalingskommune",
    "Paragraf",
    "Tilbud",
    "Leverandør",
    "Leverandørtype",
    "Støttepakke",
    "Timer/uge",
    "Start",
    "Slut",
    "Årspris (kr.)",
    "Status",
    "Afgøres af",
    "Næste opfølgning",
]


EXPORT_COLUMNS = (
    "pk",
    "citizen__case_number",
    "citizen__initials",
    "paying_municipality_id",
    "paying_municipality__name",
    "offer__paragraph__code",
    "offer__name",
    "offer__provider__name",
    "offer__provider__kind",
    "package__name",
    "package__weekly_hours",
    "start_date",
    "end_date",
    "annual_price",
    "status",
    "required_level",
    "next_follow_up",
)


@login_required
@require_GET
def placement_export(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The placement list with the filters applied, as an Excel file: a
    write-only workbook fed from one query of plain values (the joins done in
    SQL, no model instances, labels from dictionaries), streamed in chunks."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell

    user = _user(request)
    _, f = _filters(request)
    qs = selectors.filter_placements(Placement.objects.visible_to(user), f)
    show_case = sees_case_numbers(user)
    own = Municipality.own_code()
    kinds = dict(Provider.Kind.choices)
    statuses = dict(Placement.Status.choices)
    levels = dict(ApprovalLevel.choices)
    wb = Workbook(write_only=True)
    ws = streaming_sheet(wb, "Bevillinger")
    ws.append(EXPORT_HEADERS)

    def styled(value: Any, number_format: str) -> Any:
        cell = WriteOnlyCell(ws.sheet, value=value)
        cell.number_format = number_format
        return cell

    for (
        pk,
        case_number,
        initials,
        paying_id,
        paying_name,
        paragraph,
        offer,
        provider,
        provider_kind,
        package,
        hours,
        start,
        end,
        price,
        status,
        level,
        next_follow_up,
    ) in qs.values_list(*EXPORT_COLUMNS).iterator(chunk_size=2000):
        ws.append(
            [
                pk,
                case_number if show_case else "",
                initials,
                paying_name if paying_id != own else "",
                paragraph,
                offer,
                provider,
                kinds.get(provider_kind, provider_kind),
                package or "",
                hours,
                styled(start, DATE_FORMAT),
                styled(end, DATE_FORMAT),
                styled(price, MONEY_FORMAT),
                statuses.get(status, status),
                levels.get(level, level),
                styled(next_follow_up, DATE_FORMAT),
            ]
        )
    return xlsx_response(wb, f"bevillinger-{_today():%d-%m-%Y}.xlsx")


# ---------------------------------------------------------------- create + price panel


def _panel_context(form: PlacementForm, data: Any) -> dict[str, Any]:
    """What the price panel shows, from whatever the caseworker has typed so far."""
    today = _today()

    def pick(model: Any, key: str) -> Any:
        value = data.get(key) if data else None
        if value and (str(value).isascii() and str(value).isdigit()):
            return model.objects.filter(pk=int(value)).first()
        return None

    paragraph: Paragraph | None = pick(Paragraph, "paragraph")
    offer: Offer | None = pick(Offer, "offer")
    if offer is not None:
        offer = Offer.objects.select_related("provider", "paragraph", "home").get(pk=offer.pk)
        if paragraph is None:
            paragraph = offer.paragraph
    package: SupportPackage | None = pick(SupportPackage, "package")
    start = today
    raw_start = (data.get("start_date") if data else "") or ""
    try:
        start = form.fields["start_date"].clean(raw_start) if raw_start else today
    except ValidationError:  # a half-typed date: price on today
        start = today
    agreed = None
    raw_price = (data.get("annual_price") if data else "") or ""
    price_error = ""
    if raw_price:
        try:
            agreed = form.fields["annual_price"].clean(raw_price)
        except ValidationError as exc:
            price_error = " ".join(getattr(exc, "messages", [str(exc)]))
    offers = selectors.offers_for_ladder(paragraph.pk if paragraph else None, day=start)
    home_ids = {o.home_id for o in offers if o.home_id} | ({offer.home_id} if offer and offer.home_id else set())
    hour_prices: dict[int, Decimal] = {}
    for hp in HourPrice.objects.filter(home_id__in=home_ids, year__lte=start.year).order_by("home_id", "-year"):
        hour_prices.setdefault(hp.home_id, hp.hour_price)

    def price_of(o: Offer) -> Decimal | None:
        if o.home_id:
            hp = hour_prices.get(o.home_id)
            return to_money(package.weekly_hours * hp * 52) if package and hp else None
        return o.list_price

    # The chosen paragraph's offers, cheapest first (the chosen one always shown).
    same = [
        {"offer": o, "price": price_of(o), "hour_price": hour_prices.get(o.home_id) if o.home_id else None}
        for o in offers
        if paragraph and o.paragraph_id == paragraph.pk
    ]
    same.sort(key=lambda r: (r["price"] is None, r["price"] or 0, r["offer"].name))
    rows = same[:PANEL_OFFERS]
    if offer is not None and all(r["offer"].pk != offer.pk for r in rows):
        rows += [r for r in same if r["offer"].pk == offer.pk]
    # The ladder: one row per paragraph on this step and the steps below, with
    # the number of offers and their price range.
    ladder: dict[int, dict[str, Any]] = {}
    for o in offers:
        entry = ladder.setdefault(o.paragraph_id, {"paragraph": o.paragraph, "count": 0, "low": None, "high": None})
        entry["count"] += 1
        price = price_of(o)
        if price is not None:
            entry["low"] = price if entry["low"] is None else min(entry["low"], price)
            entry["high"] = price if entry["high"] is None else max(entry["high"], price)
    ladder_rows = sorted(ladder.values(), key=lambda e: (-e["paragraph"].ladder_step, e["paragraph"].sort_order))
    chosen_price = None
    list_price = None
    level = None
    sale_rate = None
    if offer is not None:
        if offer.home_id:
            if package is not None:
                chosen_price = own_home_annual_price(offer.home_id, package.weekly_hours, start)
            payer = (data.get("paying_municipality") if data else "") or ""
            if payer and payer.isascii() and payer.isdigit() and int(payer) != Municipality.own_code():
                # A sold place: the home's approved rate for the package's level.
                sale_rate = providers.approved_rate(offer.home_id, start.year, package)
                chosen_price = sale_rate.annual if sale_rate else None
                if sale_rate is None:
                    price_error = (
                        f"{offer.home} har ingen godkendt takst for {start.year}: et salg prissættes til takst."
                    )
            if agreed is not None:
                price_error = (
                    "I egne tilbud beregnes prisen af pakken og timeprisen; feltet »aftalt årspris« bruges ikke."
                )
        else:
            list_price = offer.price_on(start)
            chosen_price = agreed if agreed is not None else list_price
        if chosen_price is not None:
            level = services.required_level(chosen_price, offer.provider.kind)
    return {
        "paragraph": paragraph,
        "offer": offer,
        "package": package,
        "start": start,
        "rows": rows,
        "more_offers": max(0, len(same) - len(rows)),
        "ladder_rows": ladder_rows,
        "chosen_price": chosen_price,
        "list_price": list_price,
        "agreed": agreed,
        "price_error": price_error,
        "level": level,
        "level_label": ApprovalLevel(level).label if level else "",
        "committee": level in (ApprovalLevel.COMMITTEE, ApprovalLevel.POLITICAL) if level else False,
        "external": offer is not None and offer.home_id is None,
        "hour_price": hour_prices.get(offer.home_id) if offer and offer.home_id else None,
        "sale_rate": sale_rate,
    }


@login_required
@require_http_methods(["GET", "POST"])
def placement_create(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _user(request)
    require(user, "visitation.manage_placements")
    if request.method == "POST":
        form = PlacementForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                with transaction.atomic():
                    citizen = services.citizen_get_or_create(
                        case_number=d["case_number"],
                        initials=d["initials"],
                        birth_year=d.get("birth_year"),
                    )
                    placement = services.placement_create(
                        citizen=citizen,
                        offer=d["offer"],
                        package=d.get("package"),
                        start_date=d["start_date"],
                        end_date=d.get("end_date"),
                        annual_price=d.get("annual_price"),
                        paying_municipality=d.get("paying_municipality"),
                        note=d.get("note") or "",
                        user=user,
                    )
            except services.PlacementError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    f"Bevillingen er oprettet og indstillet. Den skal afgøres af "
                    f"{placement.get_required_level_display().lower()}.",
                )
                return redirect(placement)
        status = 400
        data = request.POST
    else:
        form = PlacementForm(initial={k: v for k, v in request.GET.items() if k in PlacementForm.base_fields})
        status = 200
        data = request.GET
    context = {"form": form, **_panel_context(form, data)}
    return render(request, "visitation/placement_form.html", context, status=status)


@login_required
@require_GET
def price_panel(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The price panel for what is typed so far. HTMX gets the panel (and the
    offer list for the chosen paragraph, out of band); a plain GET (no JS)
    gets the whole form again, filled in, with the panel."""
    user = _user(request)
    require(user, "visitation.manage_placements")
    form = PlacementForm(initial={k: v for k, v in request.GET.items() if k in PlacementForm.base_fields})
    context = {"form": form, **_panel_context(form, request.GET)}
    if request.htmx:
        return render(request, "visitation/placement_form.html#panel_response", context)
    return render(request, "visitation/placement_form.html", context)


# ---------------------------------------------------------------- detail + actions


def _detail_context(request: AuthenticatedHttpRequest, placement: Placement) -> dict[str, Any]:
    user = _user(request)
    pending = services.pending_level(placement)
    own = services.user_competence(user)
    live = placement.status in (Placement.Status.APPROVED, Placement.Status.ACTIVE)
    return {
        **_common(request),
        "placement": placement,
        "decisions": placement.decisions.select_related("decided_by"),
        "changes": placement.changes.select_related("old_package", "new_package", "created_by"),
        "follow_ups": placement.follow_ups.select_related("recorded_by"),
        "pending_level": pending,
        "pending_label": ApprovalLevel(pending).label,
        "can_decide": services.can_decide(user, placement),
        "needs_meeting_date": services.can_decide(user, placement)
        and services.is_committee_level(pending)
        and not (own and LEVEL_RANK[ApprovalLevel(own)] >= LEVEL_RANK[ApprovalLevel(pending)]),
        "is_authority": can(user, "visitation.manage_placements"),
        "can_change": can(user, "visitation.manage_placements") and live,
        "decision_form": DecisionForm(initial={"version": placement.version}),
        "period_cost_note": "Årspris / 52 × dage / 7",
    }


@login_required
@require_GET
def placement_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    placement = get_placement_for_user(request, pk)
    return render(request, "visitation/placement_detail.html", _detail_context(request, placement))


def _decide(request: AuthenticatedHttpRequest, pk: int, outcome: str) -> HttpResponse:
    placement = get_placement_for_user(request, pk)
    user = _user(request)
    form = DecisionForm(request.POST)
    error = ""
    status = 400
    if form.is_valid():
        try:
            with transaction.atomic():
                locked = _locked(placement, form.cleaned_data["version"])
                if outcome == "approve":
                    services.placement_approve(
                        placement=locked,
                        user=user,
                        meeting_date=form.cleaned_data.get("meeting_date"),
                        note=form.cleaned_data.get("note") or "",
                    )
                    messages.success(request, "Afgørelsen er registreret: bevillingen er godkendt.")
                else:
                    services.placement_reject(
                        placement=locked,
                        user=user,
                        meeting_date=form.cleaned_data.get("meeting_date"),
                        note=form.cleaned_data.get("note") or "",
                    )
                    messages.success(request, "Afgørelsen er registreret: bevillingen er afvist.")
            return redirect(placement)
        except VersionConflict as conflict:
            error = conflict.message()
            status = 409
        except services.BeyondCompetence as exc:
            error = str(exc)
            status = 403
        except services.PlacementError as exc:
            error = str(exc)
    else:
        error = "Tjek felterne: " + " ".join(str(e) for errs in form.errors.values() for e in errs)
    placement = get_placement_for_user(request, pk)
    context = _detail_context(request, placement)
    context["decision_form"] = form
    context["decision_error"] = error
    return render(request, "visitation/placement_detail.html", context, status=status)


@login_required
@require_POST
def placement_approve(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "approve")


@login_required
@require_POST
def placement_reject(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    return _decide(request, pk, "reject")


def _locked(placement: Placement, seen_version: int) -> Placement:
    """The placement re-read under ``SELECT … FOR UPDATE``; a stale version is
    refused here, under the lock, so two saves cannot both pass the check.
    Call inside ``transaction.atomic()``."""
    current = (
        Placement.objects.select_for_update(of=("self",)).select_related("offer__home", "package").get(pk=placement.pk)
    )
    if current.version != seen_version:
        raise VersionConflict(current, seen_version)
    return current


def _action(
    request: AuthenticatedHttpRequest,
    pk: int,
    form_class: type,
    template_title: str,
    run: Any,
    success: str,
    extra: dict[str, Any] | None = None,
    form_kwargs: Any = None,
) -> HttpResponse:
    """GET shows the form; POST runs the service with a version check.
    ``form_kwargs(placement)`` gives the form's extra keyword arguments."""
    user = _user(request)
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
                    run(_locked(placement, form.cleaned_data["version"]), form.cleaned_data, user)
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
        {**_common(request), "placement": placement, "form": form, "title": template_title, **(extra or {})},
        status=status,
    )


def _action_initial(form_class: type) -> dict[str, Any]:
    today = _today()
    if form_class is FollowUpForm:
        return {"date": today}
    if form_class is PackageChangeForm:
        return {"effective_date": today}
    return {}


@login_required
@require_http_methods(["GET", "POST"])
def placement_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Correct a proposed placement (expected end, note), with optimistic locking."""
    user = _user(request)
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
        {**_common(request), "placement": placement, "form": form, "title": "Ret indstilling"},
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
    user = _user(request)
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
        context["home_name"] = placement.offer.home.name
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


# ---------------------------------------------------------------- worklist, queue, purchases & sales


@login_required
@require_GET
def worklist(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _user(request)
    today = _today()
    mine = request.GET.get("mine") == "1"
    try:
        horizon = min(max(int(request.GET.get("dage", "183")), 0), 3660)
    except ValueError:
        horizon = 183
    qs = selectors.worklist(user, today=today, horizon_days=horizon, mine=mine)
    page = Paginator(qs, 100).get_page(request.GET.get("side"))
    return render(
        request,
        "visitation/worklist.html",
        {
            **_common(request),
            "page": page,
            "today": today,
            "soon": today + dt.timedelta(days=30),
            "mine": mine,
            "horizon": horizon,
            "until": today + dt.timedelta(days=horizon),
            "counts": selectors.worklist_counts(user, today=today),
            "can_record": can(user, "visitation.manage_placements"),
        },
    )


def start_section_context(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """The caseworker's start page: due and overdue follow-ups, and open cases."""
    user = _user(request)
    today = _today()
    rows = list(selectors.worklist(user, today=today, horizon_days=30)[:10])
    counts = selectors.worklist_counts(user, today=today)
    from django.db.models import Count, Q

    own_level = services.user_competence(user) or ""
    queue = (
        selectors.placements_for(user)
        .filter(status=Placement.Status.PROPOSED)
        .aggregate(total=Count("pk"), mine=Count("pk", filter=Q(required_level=own_level)))
    )
    return {
        "vis_rows": rows,
        "vis_counts": counts,
        "vis_today": today,
        "vis_proposed": queue["total"],
        "vis_my_level": queue["mine"],
        "vis_level": own_level,
        "vis_level_label": ApprovalLevel(own_level).label if own_level else "",
        "show_case_numbers": sees_case_numbers(user),
    }


@login_required
@require_GET
def approval_queue(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _user(request)
    if not can(user, "visitation.view_approval_queue"):
        raise PermissionDenied("Din rolle giver ikke adgang til godkendelserne.")
    groups: dict[str, list[Placement]] = {lv.value: [] for lv in ApprovalLevel}
    for p in selectors.approval_queue(user):
        level = p.required_level
        if level == ApprovalLevel.POLITICAL and not p.committee_approved:
            level = ApprovalLevel.COMMITTEE.value
        groups[level].append(p)
    sections = [
        {
            "level": lv.value,
            "title": {
                ApprovalLevel.CASEWORKER: "Til sagsbehandlerens egen afgørelse",
                ApprovalLevel.AUTHORITY_HEAD: "Myndighedslederens liste",
                ApprovalLevel.COMMITTEE: "Visitationsudvalgets dagsorden",
                ApprovalLevel.POLITICAL: "Politisk udvalg (efter visitationsudvalget)",
            }[lv],
            "rows": groups[lv.value],
            "total": sum((p.annual_price for p in groups[lv.value]), Decimal("0.00")),
        }
        for lv in ApprovalLevel
    ]
    return render(request, "visitation/approval_queue.html", {**_common(request), "sections": sections})


@login_required
@require_GET
def purchases_sales(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = _user(request)
    today = _today()
    try:
        year = int(request.GET.get("aar", today.year))
    except ValueError:
        year = today.year
    if not 2000 <= year <= 2100:
        year = today.year
    on = today if year == today.year else dt.date(year, 12, 31)
    purchases = selectors.purchases_by_provider_kind(user, year=year, on=on)
    sales = list(selectors.sales_by_municipality(user, year=year, on=on))
    external = [r for r in purchases if r["kind"] != Provider.Kind.OWN]
    total_cost = sum((r["year_cost"] for r in purchases), Decimal("0.00"))
    external_cost = sum((r["year_cost"] for r in external), Decimal("0.00"))
    return render(
        request,
        "visitation/purchases_sales.html",
        {
            "year": year,
            "on": on,
            "years": selectable_years(year, first=selectors.first_placement_year(), today=today),
            "purchases": purchases,
            "purchases_total": {
                "placements": sum(r["placements"] for r in purchases),
                "in_force": sum(r["in_force"] for r in purchases),
                "annual_in_force": sum((r["annual_in_force"] for r in purchases), Decimal("0.00")),
                "year_cost": total_cost,
            },
            "external_share": (external_cost / total_cost * 100) if total_cost else None,
            "sales": sales,
            "sales_total": {
                "placements": sum(r["placements"] for r in sales),
                "in_force": sum(r["in_force"] for r in sales),
                "year_income": sum((r["year_income"] for r in sales), Decimal("0.00")),
            },
            "list_url": reverse("visitation:placement_list"),
        },
    )


# ---------------------------------------------------------------- a home's placements (home tab)


@login_required
@require_GET
def home_placements(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The placements in one own home, for everyone who sees the home (the
    home side sees citizens by initials only)."""
    from botilbud.access import get_home_for_user

    user = _user(request)
    home = get_home_for_user(request, pk)
    show_ended = request.GET.get("alle") == "1"
    qs = selectors.placements_for(user).filter(offer__home=home)
    if not show_ended:
        qs = qs.exclude(status__in=(Placement.Status.ENDED, Placement.Status.REJECTED))
    page = Paginator(qs.order_by("-start_date", "pk"), 100).get_page(request.GET.get("side"))
    tabs = home_tabs_for(user)
    return render(
        request,
        "visitation/home_placements.html",
        {**_common(request), "home": home, "page": page, "tabs": tabs, "show_ended": show_ended},
    )
