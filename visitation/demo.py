"""Demo data for visitation: providers, offers with price history, citizens,
placements over the demo years (ended ones and sales too), decisions.

The own homes' places are kept about full, one resident after another (so
occupancy is 90–100 %, as a municipality runs them); the authority's bought
places fill up the scale's number of placements (at least a quarter of it).
Runs after the organisation (``botilbud.demo``); bulk inserts only, so the
``large`` scale (≈ 8,000–9,000 placements) stays fast.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pgtrigger

from botilbud.lib.bulk import copy_values
from botilbud.lib.dates import add_months
from botilbud.models import Home, HourPrice, Municipality, Paragraph
from visitation.models import (
    ApprovalLevel,
    Citizen,
    CompetenceThreshold,
    Decision,
    FollowUp,
    FollowUpRule,
    Offer,
    OfferPrice,
    Placement,
    PlacementChange,
    Provider,
    SupportPackage,
)
from visitation.occupancy import RESIDENTIAL_STEPS
from visitation.services import required_level

BULK_INSERT_TRIGGERS = [
    f"visitation.{model}:insert_insert" for model in ("Citizen", "Placement", "Decision", "PlacementChange", "FollowUp")
]
PLACEMENTS = {"small": 400, "medium": 2000, "large": 8000}

OTHER_MUNICIPALITIES = [
    "Frederiksberg Kommune",
    "Gladsaxe Kommune",
    "Hvidovre Kommune",
    "Gentofte Kommune",
    "Rødovre Kommune",
    "Tårnby Kommune",
    "Albertslund Kommune",
    "Ballerup Kommune",
]
# Municipalities that buy places in our homes (kommunenummer): Frederiksberg,
# Gladsaxe, Hvidovre and Gentofte.
BUYING_MUNICIPALITIES = [147, 159, 167, 157]
REGIONS = ["Region Hovedstaden", "Region Sjælland"]
PRIVATE = [
    ("Bo & Liv ApS", False),
    ("Opholdsstedet Engly ApS", False),
    ("Nordlys Botilbud A/S", False),
    ("Fonden Lysglimt", True),
    ("Den Selvejende Institution Kildevang", True),
    ("Kirkens Korshær – Botilbud", True),
]
# Typical annual prices (2026 level) per paragraph for external offers.
BASE_PRICE = {
    "§108": 800_000,
    "§107": 870_000,
    "§85": 210_000,
    "§105+§85": 320_000,
    "§110": 480_000,
    "§104": 140_000,
    "§103": 110_000,
    "§97": 60_000,
    "§82a": 35_000,
    "§82b": 55_000,
}
EXTERNAL_PARAGRAPHS = ["§108", "§108", "§107", "§107", "§85", "§110", "§104", "§103", "§105+§85"]
OFFER_WORDS = ["Bostedet", "Botilbuddet", "Huset", "Centret", "Gården", "Værestedet", "Kollegiet", "Tilbuddet"]
OFFER_PLACES = ["Engly", "Solbakken", "Skovbrynet", "Havblik", "Kildebo", "Fjordhuset", "Lyngvej", "Granly", "Elmely"]
# Package hours used in own homes by paragraph (weekly support hours).
HOURS_BY_KIND = {
    "§85": [2, 4, 6, 9, 12, 15],
    "§105+§85": [4, 6, 9, 12, 15],
    "§107": [25, 38],
    "§108": [25, 38],
}
INITIALS = "ABCDEFGHIJKLMNOPRSTUVØÅ"


# A resident's stay in an own home's place, in days (shortest, longest), by paragraph.
STAY_DAYS = {"§108": (2 * 365, 12 * 365), "§105+§85": (365, 8 * 365), "§107": (120, 3 * 365)}


def _rand_date(rng: Any, first: dt.date, last: dt.date) -> dt.date:
    span = (last - first).days
    return first + dt.timedelta(days=rng.randint(0, max(span, 0)))


def seed(ctx: Any) -> None:
    """The high-volume demo rows skip the audit trail's insert trigger (as the
    ledger's seeder does): a demo row's history starts at its first real change."""
    with pgtrigger.ignore(*BULK_INSERT_TRIGGERS):
        _seed(ctx)


def _seed(ctx: Any) -> None:
    rng = ctx.rng
    today: dt.date = ctx.today
    years: list[int] = list(ctx.years)
    first_day = dt.date(years[0], 1, 1)
    paragraphs = {p.code: p for p in Paragraph.objects.all()}
    packages = {p.weekly_hours.normalize(): p for p in SupportPackage.objects.all()}
    if not packages:  # pragma: no cover - migration loads them
        return
    thresholds = list(CompetenceThreshold.objects.all())
    rules = {r.paragraph_id: r for r in FollowUpRule.objects.all()}

    # Providers.
    own = Provider(name="Egne botilbud", kind=Provider.Kind.OWN)
    providers = [own]
    providers += [Provider(name=n, kind=Provider.Kind.OTHER_MUNICIPALITY) for n in OTHER_MUNICIPALITIES]
    providers += [Provider(name=n, kind=Provider.Kind.REGION) for n in REGIONS]
    providers += [Provider(name=n, kind=Provider.Kind.PRIVATE, non_profit=np) for n, np in PRIVATE]
    providers = Provider.objects.bulk_create(providers)
    own = providers[0]

    # Own offers: one per home and paragraph it offers.
    home_paragraphs: dict[int, list[int]] = {}
    for home_id, paragraph_id in Home.paragraphs.through.objects.filter(
        home_id__in=[h.pk for h in ctx.homes]
    ).values_list("home_id", "paragraph_id"):
        home_paragraphs.setdefault(home_id, []).append(paragraph_id)
    by_pk = {p.pk: p for p in paragraphs.values()}
    offers: list[Offer] = []
    for home in ctx.homes:
        for paragraph_id in sorted(home_paragraphs.get(home.pk, [])):
            offers.append(Offer(provider=own, name=home.name, paragraph_id=paragraph_id, home=home))
    n_own_offers = len(offers)
    # External offers: 2–5 per provider.
    for provider in providers[1:]:
        used: set[tuple[str, str]] = set()
        for _ in range(rng.randint(2, 5)):
            code = rng.choice(EXTERNAL_PARAGRAPHS)
            name = f"{rng.choice(OFFER_WORDS)} {rng.choice(OFFER_PLACES)}"
            if (name, code) in used:
                continue
            used.add((name, code))
            offers.append(Offer(provider=provider, name=name, paragraph=paragraphs[code]))
    offers = Offer.objects.bulk_create(offers)
    own_offers = offers[:n_own_offers]
    external_offers = offers[n_own_offers:]

    # Price history for external offers: one price a year, about +2.5 % a year.
    prices: list[OfferPrice] = []
    current_price: dict[int, dict[int, Decimal]] = {}
    for offer in external_offers:
        base = Decimal(BASE_PRICE[by_pk[offer.paragraph_id].code]) * Decimal(rng.uniform(0.75, 1.3))
        for offset, year in enumerate(years):
            factor = Decimal("1.025") ** (offset - len(years) + 1)
            price = (base * factor / 100).quantize(Decimal("1")) * 100
            prices.append(OfferPrice(offer=offer, valid_from=dt.date(year, 1, 1), annual_price=price))
            current_price.setdefault(offer.pk, {})[year] = price
    OfferPrice.objects.bulk_create(prices)

    hour_prices: dict[tuple[int, int], Decimal] = {
        (hp.home_id, hp.year): hp.hour_price for hp in HourPrice.objects.filter(home__in=ctx.homes)
    }

    def hour_price(home_id: int, year: int) -> Decimal | None:
        for y in range(year, years[0] - 1, -1):
            if (home_id, y) in hour_prices:
                return hour_prices[(home_id, y)]
        return hour_prices.get((home_id, years[0]))

    # Citizens and placements.
    n = PLACEMENTS.get(ctx.scale, 400)
    caseworker = ctx.users.get("sagsbehandler")
    authority_head = ctx.users.get("myndighedsleder")
    citizens: list[tuple[str, str]] = []  # (case number, initials)
    rows: list[dict[str, Any]] = []
    own_code = Municipality.own_code()
    latest_start = today + dt.timedelta(days=60)
    capacity = {h.pk: h.capacity for h in ctx.homes}

    def add(offer: Offer, start: dt.date, end: dt.date | None, in_own: bool) -> None:
        code = by_pk[offer.paragraph_id].code
        package = None
        if in_own:
            hours = Decimal(rng.choice(HOURS_BY_KIND.get(code, [4, 6, 9])))
            package = packages.get(hours.normalize()) or rng.choice(list(packages.values()))
            hp = (hour_price(offer.home_id, start.year) if offer.home_id else None) or Decimal("400")
            price = (package.weekly_hours * hp * 52).quantize(Decimal("0.01"))
        else:
            price = current_price[offer.pk].get(start.year) or current_price[offer.pk][years[-1]]
            if code == "§85":
                hours = Decimal(rng.choice([2, 4, 6, 9, 12, 15]))
                package = packages.get(hours.normalize())
                price = (hours * Decimal(rng.randint(380, 450)) * 52).quantize(Decimal("0.01"))
        sale = in_own and rng.random() < 0.08
        payer = rng.choice(BUYING_MUNICIPALITIES) if sale else own_code
        citizens.append((f"{start.year}-{len(rows) + 1:06d}", rng.choice(INITIALS) + rng.choice(INITIALS)))
        provider_kind = own.kind if in_own else next(p.kind for p in providers if p.pk == offer.provider_id)
        level = required_level(price, provider_kind, thresholds=thresholds)
        if end is not None and end <= today:
            status = Placement.Status.ENDED
        elif start > today - dt.timedelta(days=20) and rng.random() < 0.25:
            status = Placement.Status.PROPOSED
        elif start > today:
            status = Placement.Status.APPROVED
        else:
            status = Placement.Status.ACTIVE
        next_due = None
        rule = rules.get(offer.paragraph_id)
        if rule and status != Placement.Status.ENDED:
            next_due = add_months(start, rule.first_after_months)
            # Followed up on time until recently; about one in eight is overdue.
            slack = rng.randint(0, 75) if rng.random() < 0.12 else 0
            while next_due < today - dt.timedelta(days=slack):
                next_due = add_months(next_due, rule.then_every_months)
        rows.append(
            {
                "offer": offer,
                "package": package,
                "start": start,
                "end": end,
                "price": price,
                "status": status,
                "level": level,
                "next_due": next_due,
                "payer": payer,
            }
        )

    # The own homes' residential places are kept full as a municipality keeps them:
    # each place holds one stay after another (a few years in a § 108 or § 105 place,
    # months to three years in a temporary § 107 place), with a few weeks empty
    # between two residents, and the first resident already living there when the
    # demo's first year begins; now and then a home keeps a place empty for a while.
    # Occupancy lands at about 88–99 %. Outreach (§ 85) clients come and go the same
    # way: a § 85-only team serves 15–35 at a time, a home with places a few besides its
    # residents.
    residential = {o.home_id for o in own_offers if by_pk[o.paragraph_id].ladder_step in RESIDENTIAL_STEPS}
    for offer in own_offers:
        code = by_pk[offer.paragraph_id].code
        is_place = by_pk[offer.paragraph_id].ladder_step in RESIDENTIAL_STEPS
        shortest, longest = STAY_DAYS.get(code, (180, 4 * 365))
        slots = (
            capacity[offer.home_id]
            if is_place
            else rng.randint(1, 5)
            if offer.home_id in residential
            else rng.randint(15, 35)
        )
        for _slot in range(slots):
            stay = rng.randint(shortest, longest)
            start = first_day - dt.timedelta(days=rng.randint(0, min(stay, 3 * 365)))
            while start <= latest_start:
                end: dt.date | None = start + dt.timedelta(days=stay)
                if end is not None and end > today + dt.timedelta(days=180):
                    end = None
                add(offer, start, end, True)
                if end is None:
                    break
                gap = rng.randint(7, 100) if rng.random() < 0.9 else rng.randint(150, 400)
                start = end + dt.timedelta(days=gap)
                stay = rng.randint(shortest, longest)
    # The authority's bought places, starting through the demo years; about one in three ends.
    for _ in range(max(n - len(rows), n // 4)):
        offer = rng.choice(external_offers)
        start = _rand_date(rng, first_day, latest_start)
        end = None
        if rng.random() < 0.35:
            end = start + dt.timedelta(days=rng.randint(90, 900))
            if end > today + dt.timedelta(days=180):
                end = None
        add(offer, start, end, False)
    # COPY from plain values (``copy_values``): at ``large`` bulk_create spent most of
    # this step building, preparing and quoting a model instance per row.
    citizen_ids = copy_values(Citizen, ["case_number", "initials"], citizens)
    creator = caseworker.pk if caseworker else None
    for citizen_id, r in zip(citizen_ids, rows, strict=True):
        r["citizen"] = citizen_id
    placement_ids = copy_values(
        Placement,
        [
            "citizen_id",
            "offer_id",
            "package_id",
            "start_date",
            "end_date",
            "annual_price",
            "status",
            "required_level",
            "next_follow_up",
            "paying_municipality_id",
            "acting_municipality_id",
            "created_by_id",
        ],
        [
            (
                r["citizen"],
                r["offer"].pk,
                r["package"].pk if r["package"] else None,
                r["start"],
                r["end"],
                r["price"],
                r["status"],
                r["level"],
                r["next_due"],
                r["payer"],
                r["payer"],
                creator,
            )
            for r in rows
        ],
    )
    decider = authority_head or caseworker
    if decider is not None:
        decisions = []
        for placement_id, r in zip(placement_ids, rows, strict=True):
            if r["status"] == Placement.Status.PROPOSED:
                continue
            committee = r["level"] in (ApprovalLevel.COMMITTEE, ApprovalLevel.POLITICAL)
            decisions.append(
                (
                    placement_id,
                    r["level"],
                    Decision.Outcome.APPROVED,
                    r["start"] - dt.timedelta(days=rng.randint(7, 30)) if committee else None,
                    decider.pk if r["level"] != ApprovalLevel.CASEWORKER else (caseworker or decider).pk,
                )
            )
        copy_values(Decision, ["placement_id", "level", "outcome", "meeting_date", "decided_by_id"], decisions)
    # Past follow-ups (on time, give or take a few days) and the recorded end
    # of each ended placement, so every placement's history reads right.
    follow_ups: list[tuple[int, dt.date, str, dt.date, dt.date, int]] = []
    ends: list[tuple[int, str, dt.date, int | None, Decimal, int]] = []
    recorder = caseworker or decider
    if recorder is not None:
        for placement_id, r in zip(placement_ids, rows, strict=True):
            if r["status"] == Placement.Status.PROPOSED:
                continue
            end_date: dt.date | None = r["end"]
            rule = rules.get(r["offer"].paragraph_id)
            last_day = min(end_date or today, today)
            if rule is not None:
                due = add_months(r["start"], rule.first_after_months)
                stop = r["next_due"] or last_day
                while due < stop and due <= last_day:
                    done = min(due + dt.timedelta(days=rng.randint(-10, 12)), last_day)
                    nxt = add_months(done, rule.then_every_months)
                    follow_ups.append((placement_id, done, FollowUp.Outcome.UNCHANGED, due, nxt, recorder.pk))
                    due = nxt
            if r["status"] == Placement.Status.ENDED and end_date is not None:
                package = r["package"].pk if r["package"] else None
                ends.append((placement_id, PlacementChange.Kind.END, end_date, package, r["price"], recorder.pk))
        copy_values(FollowUp, ["placement_id", "date", "outcome", "due_date", "next_due", "recorded_by_id"], follow_ups)
        copy_values(
            PlacementChange,
            ["placement_id", "kind", "effective_date", "old_package_id", "old_annual_price", "created_by_id"],
            ends,
        )
    sales = sum(1 for r in rows if r["payer"] != own_code)
    ctx.log.append(
        f"{len(providers)} leverandører, {len(offers)} tilbud, {len(rows)} bevillinger ({sales} salg), "
        f"{len(follow_ups)} opfølgninger"
    )
