"""Creating a placement, with the live price panel (HTMX) that shows the offers and what they cost."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from botilbud.http import AuthenticatedHttpRequest
from botilbud.lib.money import to_money
from botilbud.models import HourPrice, Municipality, Paragraph
from botilbud.permissions import require
from visitation import providers, selectors, services
from visitation.forms import PlacementForm
from visitation.models import ApprovalLevel, Offer, SupportPackage, own_home_annual_price
from visitation.views.common import current_user, local_today

PANEL_OFFERS = 12


def _panel_context(form: PlacementForm, data: Any) -> dict[str, Any]:
    """What the price panel shows, from whatever the caseworker has typed so far."""
    today = local_today()

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

    def price_of(o: Any) -> Decimal | None:  # an offer annotated with list_price (offers_for_ladder)
        if o.home_id:
            hp = hour_prices.get(o.home_id)
            return to_money(package.weekly_hours * hp * 52) if package and hp else None
        list_price: Decimal | None = o.list_price
        return list_price

    # The chosen paragraph's offers, cheapest first (the chosen one always shown).
    same: list[dict[str, Any]] = [
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
    user = current_user(request)
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
    user = current_user(request)
    require(user, "visitation.manage_placements")
    form = PlacementForm(initial={k: v for k, v in request.GET.items() if k in PlacementForm.base_fields})
    context = {"form": form, **_panel_context(form, request.GET)}
    if request.htmx:
        return render(request, "visitation/placement_form.html#panel_response", context)
    return render(request, "visitation/placement_form.html", context)
