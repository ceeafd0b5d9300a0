"""The PL index step: next year's prices from this year's, with KL's price and wage
index (``PriceIndex`` of the new year), reviewed before it is written and reversible.

For year Y → Y+1 with PL p % (factor f = 1 + p/100), every amount rounded half-up
to øre once (``to_money``):

- hour prices: HourPrice(home, Y+1) = HourPrice(home, Y) × f (homes without one for Y+1);
- rates: a home whose Y rate is in force and that has no Y+1 calculation gets a
  preliminary Y+1 rate (status "fremskrevet"): each level's annual rate × f, its day
  rate = the new annual rate ÷ days in Y+1, capital costs × f. It prices sales until
  the consultant computes and approves the cost-based Y+1 rate;
- refusion thresholds: Y's tiers × f, same shares (when Y+1 has no tiers);
- external prices: an offer's list price in force on 31-12-Y × f from 01-01-Y+1
  (offers without a price dated in Y+1);
- placement prices: our municipality's placements that run on or after 01-01-Y+1
  get a dated price change (``PlacementChange`` kind "pris") from 01-01-Y+1 (or
  their later start): an own home's price = weekly hours × the new hour price × 52,
  any other price × f. A placement with a change dated in Y+1 already is left
  for manual review (listed). The price history is kept: every cost is the price
  in force on each day, so a placement running across 1 January costs the old
  price until 31 December and the new one from 1 January.

``plan`` gives the preview (old → new per line, and what is skipped and why);
``apply`` writes it in one transaction if nothing changed since the preview (the
plan's fingerprint); ``undo`` removes exactly what the run wrote, if nobody has
changed it since. Scope: what the user sees. Home-bound lines (hour prices,
rates, placements in own homes) cover the user's homes; municipality-wide lines
(thresholds, external prices and placements) need the administrator.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.contrib.postgres.aggregates import StringAgg
from django.db import transaction
from django.db.models import Count, Func, Prefetch, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.utils import timezone

from botilbud.lib.dates import days_in_year
from botilbud.lib.locking import VersionConflict
from botilbud.lib.money import format_kr, format_number, to_money
from botilbud.models import Home, HourPrice, Municipality, User
from botilbud.permissions import can
from budget.rates.models import PRICING_STATUSES, IndexRun, PriceIndex, RateCalculation, RateLevel, RefusionTier
from budget.rates.sales import refresh_home_sales
from visitation import events
from visitation.models import Offer, OfferPrice, Placement, PlacementChange, sees_case_numbers

WEEKS_PER_YEAR = Decimal(52)
LIVE = ["godkendt", "aktiv", "ophoert"]

KIND_LABELS = {
    "timepris": "Timepriser",
    "takst": "Takster (foreløbige)",
    "refusion": "Refusionsgrænser",
    "tilbudspris": "Eksterne tilbudspriser",
    "bevilling": "Bevillingspriser",
}
KIND_ORDER = list(KIND_LABELS)


class IndexStepError(Exception):
    """The step cannot be done (a Danish message)."""


class IndexConflict(IndexStepError):
    """The data changed since the preview, or since the run (undo)."""


# What a run keeps of each line it wrote (IndexRun.lines, JSON): the line, the model and the row's id and version.
Written = dict[str, Any]


def _approved(calc: RateCalculation) -> Decimal:
    """The approved annual rate of a calculation the step indexes (they are
    read with ``approved_annual`` set)."""
    assert calc.approved_annual is not None
    return calc.approved_annual


def index_amount(amount: Decimal, pl_pct: Decimal) -> Decimal:
    """amount × (1 + PL %), rounded half-up to øre."""
    return to_money(Decimal(amount) * (1 + Decimal(pl_pct) / Decimal(100)))


@dataclass
class IndexLine:
    kind: str
    key: str  # stable identity of the line, e.g. "home:3", "calc:7:level:2", "offer:12"
    label: str
    old: Decimal | None
    new: Decimal | None
    create: bool
    note: str = ""
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def new_value(self) -> Decimal:
        """The value a line to create writes (set on every such line)."""
        assert self.new is not None
        return self.new

    def as_json(self) -> Written:
        # The fields in declaration order, as ``dataclasses.asdict`` gives them, without its deep copy
        # (a plan of 5,000 lines spent about a third of its page on it): ``data`` holds only str and int.
        return {
            "kind": self.kind,
            "key": self.key,
            "label": self.label,
            "old": None if self.old is None else str(self.old),
            "new": None if self.new is None else str(self.new),
            "create": self.create,
            "note": self.note,
            "data": dict(self.data),
        }


@dataclass
class IndexPlan:
    from_year: int
    pl_pct: Decimal | None
    index_version: int | None
    lines: list[IndexLine]
    municipality_wide: bool
    # A preview (``plan(..., preview_lines=N)``) holds only the first N placement lines;
    # their counts of lines to write and to skip come from the database, and so does the
    # digest of what the placement lines are made of (``_placements``).
    counted: dict[str, tuple[int, int]] = field(default_factory=dict)
    placements_digest: str = ""

    @property
    def to_year(self) -> int:
        return self.from_year + 1

    @property
    def pct(self) -> Decimal:
        """The PL percentage (a plan that writes anything has its index)."""
        assert self.pl_pct is not None
        return self.pl_pct

    @property
    def to_create(self) -> list[IndexLine]:
        """The lines to write (every one: ``apply`` reads a whole plan, never a preview)."""
        assert not self.counted, "a preview holds only the first lines"
        return [ln for ln in self.lines if ln.create]

    @property
    def create_count(self) -> int:
        """How many lines the step writes (a preview's too)."""
        return sum(g["create"] for g in self.groups())

    @property
    def fingerprint(self) -> str:
        """The same for a preview and the whole plan of the same data: the placement lines
        enter by the digest of the rows they are made of (``_placements``), the others as lines."""
        payload = json.dumps(
            [
                str(self.pl_pct),
                self.index_version,
                [ln.as_json() for ln in self.lines if ln.kind != "bevilling"],
                self.placements_digest,
            ],
            sort_keys=True,
            default=str,
        )
        return hashlib.sha256(payload.encode()).hexdigest()

    def groups(self, shown: int | None = None) -> list[dict[str, Any]]:
        """The lines per kind, for the preview page (each with counts, and the first
        ``shown`` lines with how many more there are)."""
        result = []
        for kind in KIND_ORDER:
            lines = [ln for ln in self.lines if ln.kind == kind]
            create, skip = self.counted.get(kind) or (
                sum(1 for ln in lines if ln.create),
                sum(1 for ln in lines if not ln.create),
            )
            if not create + skip:
                continue
            first = lines if shown is None else lines[:shown]
            result.append(
                {
                    "kind": kind,
                    "label": KIND_LABELS[kind],
                    "lines": lines,
                    "create": create,
                    "skip": skip,
                    "shown": first,
                    "hidden": create + skip - len(first),
                }
            )
        return result


def can_index(user: User) -> bool:
    return can(user, "rates.index")


def _homes(user: User) -> QuerySet[Home]:
    return Home.objects.visible_to(user).filter(is_active=True)


def plan(from_year: int, user: User, preview_lines: int | None = None) -> IndexPlan:
    """Every line the step would write, and every line it leaves, with why. A preview
    (``preview_lines``) holds only the first placement lines (the administrator's plan
    has about 5,000), with the counts and the fingerprint of the whole plan."""

    to_year = from_year + 1
    index = PriceIndex.objects.filter(year=to_year).first()

    wide = can(user, "rates.index_municipality")
    result = IndexPlan(from_year, index.pl_pct if index else None, index.version if index else None, [], wide)
    if index is None:
        return result
    pct = index.pl_pct
    home_ids = list(_homes(user).values_list("pk", flat=True))
    new_hour_prices = _hour_prices(result, home_ids, from_year, pct)
    _rates(result, home_ids, from_year, pct)
    if wide:
        _thresholds(result, from_year, pct)
        _offer_prices(result, from_year, pct)
    _placements(result, user, home_ids, from_year, pct, new_hour_prices, preview_lines)
    return result


def _hour_prices(result: IndexPlan, home_ids: list[int], from_year: int, pct: Decimal) -> dict[int, Decimal]:
    """Hour-price lines; returns {home_id: the hour price in force in Y+1 after the step}."""
    to_year = from_year + 1
    prices = HourPrice.objects.filter(home_id__in=home_ids, year__in=[from_year, to_year]).select_related("home")
    by_year: dict[int, dict[int, HourPrice]] = {from_year: {}, to_year: {}}
    for hp in prices:
        by_year[hp.year][hp.home_id] = hp
    in_force: dict[int, Decimal] = {}
    for home_id, hp in sorted(by_year[from_year].items(), key=lambda kv: kv[1].home.name):
        existing = by_year[to_year].get(home_id)
        if existing is not None:
            in_force[home_id] = existing.hour_price
            result.lines.append(
                IndexLine(
                    "timepris",
                    f"home:{home_id}",
                    hp.home.name,
                    hp.hour_price,
                    existing.hour_price,
                    False,
                    f"Har allerede en timepris for {to_year}.",
                )
            )
            continue
        new = index_amount(hp.hour_price, pct)
        in_force[home_id] = new
        result.lines.append(
            IndexLine("timepris", f"home:{home_id}", hp.home.name, hp.hour_price, new, True, data={"home_id": home_id})
        )
    for home_id, hp in by_year[to_year].items():
        in_force.setdefault(home_id, hp.hour_price)
    return in_force


def _rates(result: IndexPlan, home_ids: list[int], from_year: int, pct: Decimal) -> None:
    to_year = from_year + 1
    days = days_in_year(to_year)
    taken = set(RateCalculation.objects.filter(home_id__in=home_ids, year=to_year).values_list("home_id", flat=True))
    calcs = (
        RateCalculation.objects.filter(home_id__in=home_ids, year=from_year, status__in=PRICING_STATUSES)
        .exclude(approved_annual=None)
        .select_related("home")
        # Only what a line shows: not each approval's snapshot (JSON) of the whole calculation.
        .only("home__name", "approved_annual")
        .prefetch_related(
            Prefetch("levels", queryset=RateLevel.objects.only("calculation_id", "name", "approved_annual"))
        )
        .order_by("home__name")
    )
    for calc in calcs:
        rows = [
            (f"calc:{calc.pk}:level:{lv.pk}", lv.name, lv.approved_annual)
            for lv in calc.levels.all()
            if lv.approved_annual is not None
        ] or [(f"calc:{calc.pk}", "Alle pladser", _approved(calc))]
        for key, name, annual in rows:
            label = f"{calc.home.name} – {name} (årstakst)"
            if calc.home_id in taken:
                result.lines.append(
                    IndexLine(
                        "takst", key, label, annual, None, False, f"Har allerede en takstberegning for {to_year}."
                    )
                )
                continue
            new = index_amount(annual, pct)
            result.lines.append(
                IndexLine(
                    "takst",
                    key,
                    label,
                    annual,
                    new,
                    True,
                    f"Døgntakst {to_year}: {_kr(to_money(new / days))}",
                    {"calc_id": calc.pk},
                )
            )


def _thresholds(result: IndexPlan, from_year: int, pct: Decimal) -> None:
    to_year = from_year + 1
    has_next = RefusionTier.objects.filter(year=to_year).exists()
    for tier in RefusionTier.objects.filter(year=from_year).order_by("threshold"):
        label = f"Refusion {_pct(tier.share_pct)} over grænsen"
        if has_next:
            result.lines.append(
                IndexLine(
                    "refusion",
                    f"tier:{tier.pk}",
                    label,
                    tier.threshold,
                    None,
                    False,
                    f"{to_year} har allerede refusionsgrænser.",
                )
            )
            continue
        new = index_amount(tier.threshold, pct)
        result.lines.append(
            IndexLine(
                "refusion", f"tier:{tier.pk}", label, tier.threshold, new, True, data={"share_pct": str(tier.share_pct)}
            )
        )


def _offer_prices(result: IndexPlan, from_year: int, pct: Decimal) -> None:
    to_year = from_year + 1
    year_end = dt.date(from_year, 12, 31)
    in_force: dict[int, OfferPrice] = {}
    for op in (
        OfferPrice.objects.filter(offer__home__isnull=True, offer__is_active=True, valid_from__lte=year_end)
        .order_by("offer_id", "-valid_from")
        .distinct("offer_id")
    ):
        in_force[op.offer_id] = op
    dated_next = dict(
        OfferPrice.objects.filter(offer_id__in=list(in_force), valid_from__year=to_year)
        .order_by("offer_id", "valid_from")
        .values_list("offer_id", "valid_from")
    )
    offers = Offer.objects.filter(pk__in=list(in_force)).select_related("provider", "paragraph").order_by("name")
    for offer in offers:
        op = in_force[offer.pk]
        label = f"{offer.name} ({offer.paragraph.code}, {offer.provider.name})"
        if offer.pk in dated_next:
            result.lines.append(
                IndexLine(
                    "tilbudspris",
                    f"offer:{offer.pk}",
                    label,
                    op.annual_price,
                    None,
                    False,
                    f"Har allerede en pris fra {dated_next[offer.pk]:%d-%m-%Y}.",
                )
            )
            continue
        new = index_amount(op.annual_price, pct)
        result.lines.append(
            IndexLine(
                "tilbudspris", f"offer:{offer.pk}", label, op.annual_price, new, True, data={"offer_id": offer.pk}
            )
        )


def _placements(
    result: IndexPlan,
    user: User,
    home_ids: list[int],
    from_year: int,
    pct: Decimal,
    hour_prices: dict[int, Decimal],
    preview_lines: int | None = None,
) -> None:
    first = dt.date(from_year + 1, 1, 1)
    qs = Placement.objects.visible_to(user).filter(paying_municipality_id=Municipality.own_code(), status__in=LIVE)
    qs = qs.filter(Q(end_date__isnull=True) | Q(end_date__gte=first)).filter(
        start_date__lte=dt.date(first.year, 12, 31)
    )
    if not result.municipality_wide:
        qs = qs.filter(offer__home_id__in=home_ids)
    else:
        qs = qs.filter(Q(offer__home__isnull=True) | Q(offer__home_id__in=home_ids))
    # A price change dated in Y+1 or later (the last one): the placement is left for manual review.
    later = dict(
        PlacementChange.objects.filter(
            placement__in=qs.values("pk"), effective_date__gte=first, new_annual_price__isnull=False
        )
        .order_by("placement_id", "effective_date")
        .values_list("placement_id", "effective_date")
    )
    case_numbers = sees_case_numbers(user)  # home-side roles see citizens by initials only
    # Plain rows, not model instances: the administrator's plan has about 5,000 placements.
    fields = (
        "pk",
        "version",
        "start_date",
        "annual_price",
        "citizen__case_number",
        "citizen__initials",
        "offer__name",
        "offer__home_id",
        "package_id",
        "package__weekly_hours",
    )
    # Left for review: a later change, or an own home's package price without an hour price.
    skipped = Q(pk__in=list(later)) | (
        Q(offer__home_id__isnull=False, package_id__isnull=False) & ~Q(offer__home_id__in=list(hour_prices))
    )
    # What every placement line is made of, as one digest (the fingerprint's part for the
    # placements, the same whether the lines are read or not), and how many lines are
    # written and skipped. One query.
    rows_text = StringAgg(Cast(Func(*fields, function="ROW"), TextField()), "\n", order_by="pk", default="")
    summary = qs.aggregate(
        digest=Func(
            Func(Func(rows_text, Value("UTF8"), function="convert_to"), function="sha256"),
            Value("hex"),
            function="encode",
            output_field=TextField(),
        ),
        skip=Count("pk", filter=skipped),
        total=Count("pk"),
    )
    result.placements_digest = json.dumps(
        [
            summary["digest"],
            first.isoformat(),
            case_numbers,
            sorted((home_id, str(price)) for home_id, price in hour_prices.items()),
            sorted((pk, day.isoformat()) for pk, day in later.items()),
        ]
    )
    if preview_lines is not None:
        result.counted["bevilling"] = (summary["total"] - summary["skip"], summary["skip"])
    rows = qs.order_by("offer__name", "citizen__case_number", "pk").values_list(*fields)
    if preview_lines is not None:
        rows = rows[:preview_lines]
    hours_text: dict[Decimal, str] = {}  # _num of each package's weekly hours, a handful of values
    for (
        pk,
        version,
        start_date,
        annual_price,
        case_number,
        initials,
        offer_name,
        home_id,
        package_id,
        hours,
    ) in rows:
        who = f"{case_number} ({initials})" if case_numbers else f"{initials} (bevilling {pk})"
        label = f"{who} i {offer_name}"
        key = f"placement:{pk}"
        start = max(start_date, first)
        if pk in later:
            result.lines.append(
                IndexLine(
                    "bevilling",
                    key,
                    label,
                    annual_price,
                    None,
                    False,
                    f"Har en ændring fra {later[pk]:%d-%m-%Y}: kontrollér prisen i visitationen.",
                )
            )
            continue
        if home_id is not None and package_id is not None:
            hour_price = hour_prices.get(home_id)
            if hour_price is None:
                result.lines.append(
                    IndexLine("bevilling", key, label, annual_price, None, False, "Botilbuddet har ingen timepris.")
                )
                continue
            new = to_money(Decimal(hours) * hour_price * WEEKS_PER_YEAR)
            if hours not in hours_text:
                hours_text[hours] = _num(hours)
            note = f"Fra {start:%d-%m-%Y}: {hours_text[hours]} t/uge × ny timepris × 52"
        else:
            new = index_amount(annual_price, pct)
            note = f"Fra {start:%d-%m-%Y}"
        result.lines.append(
            IndexLine(
                "bevilling",
                key,
                label,
                annual_price,
                new,
                True,
                note,
                {"placement_id": pk, "version": version, "date": start.isoformat()},
            )
        )


def _kr(value: Decimal) -> str:
    return format_kr(value)


def _num(value: Decimal) -> str:
    return format_number(value, 2).removesuffix(",00")


def _pct(value: Decimal) -> str:
    return _num(value) + " %"


# --- Writing ------------------------------------------------------------------------


@transaction.atomic
def apply(*, from_year: int, user: User, fingerprint: str) -> IndexRun:
    """Write the previewed step. Refused (``IndexConflict``) if the preview is stale."""

    if not can_index(user):
        raise IndexStepError("Kun økonomikonsulenten og administratoren kan fremskrive priser.")
    index = PriceIndex.objects.select_for_update().filter(year=from_year + 1).first()
    if index is None:
        raise IndexStepError(f"Der er intet PL-skøn for {from_year + 1}: indtast det først.")
    current = plan(from_year, user)
    if current.fingerprint != fingerprint:
        raise IndexConflict(
            "Priserne eller PL-skønnet er ændret, siden forhåndsvisningen blev lavet. "
            "Se den nye forhåndsvisning, og bekræft igen."
        )
    if not current.to_create:
        raise IndexStepError(f"Der er intet at fremskrive fra {from_year} til {from_year + 1}.")
    written: list[Written] = []
    for line in current.to_create:
        written.append(_WRITERS[line.kind](line, current, user))
    run = IndexRun.objects.create(
        from_year=from_year, pl_pct=current.pct, lines=written, fingerprint=fingerprint, created_by=user
    )
    _reprice_ledger(written)
    return run


def _write_hour_price(line: IndexLine, plan_: IndexPlan, user: User) -> Written:
    hp = HourPrice.objects.create(home_id=line.data["home_id"], year=plan_.to_year, hour_price=line.new_value)
    return {**line.as_json(), "model": "hourprice", "id": hp.pk, "version": hp.version}


def _write_rate(line: IndexLine, plan_: IndexPlan, user: User) -> Written:
    """The first level line of a calculation creates the preliminary calculation; every
    level line sets its level's rates."""

    source = RateCalculation.objects.get(pk=line.data["calc_id"])
    days = days_in_year(plan_.to_year)
    calc = RateCalculation.objects.filter(home_id=source.home_id, year=plan_.to_year).first()
    if calc is None:
        calc = RateCalculation.objects.create(
            home_id=source.home_id,
            year=plan_.to_year,
            places=source.places,
            occupancy_pct=source.occupancy_pct,
            overhead_pct=source.overhead_pct,
            capital_costs=index_amount(source.capital_costs, plan_.pct),
            regulation_limit_pct=source.regulation_limit_pct,
            cost_groups=list(source.cost_groups),
            status=RateCalculation.Status.INDEXED,
            indexed_from=source.year,
            approved_annual=index_amount(_approved(source), plan_.pct),
            approved_day=to_money(index_amount(_approved(source), plan_.pct) / days),
            updated_by=user,
        )
    level_id = int(line.key.split(":")[-1]) if ":level:" in line.key else None
    if level_id is not None:
        old = RateLevel.objects.get(pk=level_id)
        level = RateLevel.objects.create(
            calculation=calc,
            name=old.name,
            weight=old.weight,
            places=old.places,
            sort_order=old.sort_order,
            approved_annual=line.new_value,
            approved_day=to_money(line.new_value / days),
        )
        level.packages.set(old.packages.all())
    calc.refresh_from_db()
    return {
        **line.as_json(),
        "model": "ratecalculation",
        "id": calc.pk,
        "home_id": calc.home_id,
        "version": calc.version,
    }


def _write_tier(line: IndexLine, plan_: IndexPlan, user: User) -> Written:
    tier = RefusionTier.objects.create(
        year=plan_.to_year,
        threshold=line.new_value,
        share_pct=Decimal(line.data["share_pct"]),
        source=f"Fremskrevet fra {plan_.from_year} med PL {_pct(plan_.pct)} (ikke bekræftet mod ministeriets satser).",
    )
    return {**line.as_json(), "model": "refusiontier", "id": tier.pk, "version": tier.version}


def _write_offer_price(line: IndexLine, plan_: IndexPlan, user: User) -> Written:
    op = OfferPrice.objects.create(
        offer_id=line.data["offer_id"], valid_from=dt.date(plan_.to_year, 1, 1), annual_price=line.new_value
    )
    return {**line.as_json(), "model": "offerprice", "id": op.pk, "version": op.version}


def _write_placement(line: IndexLine, plan_: IndexPlan, user: User) -> Written:
    p = Placement.objects.select_for_update().get(pk=line.data["placement_id"])
    if p.version != line.data["version"]:
        raise IndexConflict(f"Bevilling {p.pk} er ændret, siden forhåndsvisningen blev lavet.")
    change = PlacementChange.objects.create(
        placement=p,
        kind=PlacementChange.Kind.PRICE,
        effective_date=dt.date.fromisoformat(line.data["date"]),
        old_package=p.package,
        new_package=p.package,
        old_annual_price=p.annual_price,
        new_annual_price=line.new_value,
        note=f"PL-fremskrivning {plan_.from_year} → {plan_.to_year} ({_pct(plan_.pct)}).",
        created_by=user,
    )
    p.annual_price = line.new_value
    p.version += 1
    p.save(update_fields=["annual_price", "version"])
    return {
        **line.as_json(),
        "model": "placementchange",
        "id": change.pk,
        "placement_id": p.pk,
        "placement_version": p.version,
    }


_WRITERS: dict[str, Callable[[IndexLine, IndexPlan, User], Written]] = {
    "timepris": _write_hour_price,
    "takst": _write_rate,
    "refusion": _write_tier,
    "tilbudspris": _write_offer_price,
    "bevilling": _write_placement,
}


def _reprice_ledger(written: list[Written]) -> None:
    """The ledger follows the new prices: own homes' placement income (hour prices) and
    sales (preliminary rates) are recomputed for the homes the run touched."""

    hour_homes = {w["data"]["home_id"] for w in written if w["model"] == "hourprice"}
    rate_homes = {w["home_id"] for w in written if w["model"] == "ratecalculation"}
    if hour_homes:
        placements = (
            Placement.objects.own_citizens()
            .filter(offer__home_id__in=hour_homes, status__in=LIVE)
            .select_related("offer__home", "citizen", "package")
        )
        for p in placements:
            events.emit(events.PlacementEvent(events.REPRICE, p, p.end_date or p.start_date, None, None))
    for home_id in rate_homes:
        refresh_home_sales(home_id)


@transaction.atomic
def undo(*, run: IndexRun, user: User, seen_version: int) -> IndexRun:
    """Remove what the run wrote, if nothing it wrote has been changed since."""

    if not can_index(user):
        raise IndexStepError("Kun økonomikonsulenten og administratoren kan fortryde en fremskrivning.")
    run = IndexRun.objects.select_for_update().get(pk=run.pk)
    if run.version != seen_version:
        raise VersionConflict(run, seen_version)
    if run.is_undone:
        raise IndexStepError("Fremskrivningen er allerede fortrudt.")
    changed: list[str] = []
    models: dict[str, type[HourPrice] | type[RefusionTier] | type[OfferPrice]] = {
        "hourprice": HourPrice,
        "refusiontier": RefusionTier,
        "offerprice": OfferPrice,
    }
    for w in run.lines:
        model = models.get(w["model"])
        if model is not None:
            obj = model.objects.filter(pk=w["id"]).first()
            if obj is not None and obj.version != w["version"]:
                changed.append(w["label"])
        elif w["model"] == "ratecalculation":
            calc = RateCalculation.objects.filter(pk=w["id"]).first()
            if calc is not None and (calc.status != RateCalculation.Status.INDEXED or calc.version != w["version"]):
                changed.append(f"{w['label']} (taksten er ændret eller godkendt siden)")
        elif w["model"] == "placementchange":
            p = Placement.objects.filter(pk=w["placement_id"]).first()
            if p is not None and p.version != w["placement_version"]:
                changed.append(f"{w['label']} (bevillingen er ændret siden)")
    if changed:
        raise IndexConflict(
            "Fremskrivningen kan ikke fortrydes, fordi noget af det, den skrev, er ændret siden: "
            + "; ".join(changed[:10])
            + (f" og {len(changed) - 10} til." if len(changed) > 10 else ".")
        )
    for w in run.lines:
        if w["model"] in models:
            models[w["model"]].objects.filter(pk=w["id"]).delete()
        elif w["model"] == "ratecalculation":
            RateCalculation.objects.filter(pk=w["id"], status=RateCalculation.Status.INDEXED).delete()
        elif w["model"] == "placementchange":
            change = PlacementChange.objects.filter(pk=w["id"]).first()
            if change is not None:
                p = Placement.objects.select_for_update().get(pk=w["placement_id"])
                # A price change the run wrote always has the price before it.
                assert change.old_annual_price is not None
                p.annual_price = change.old_annual_price
                p.version += 1
                p.save(update_fields=["annual_price", "version"])
                change.delete()
    run.undone_by = user
    run.undone_at = timezone.now()
    run.version += 1
    run.save()
    _reprice_ledger(run.lines)
    return run


def runs(limit: int = 20) -> QuerySet[IndexRun]:
    return IndexRun.objects.select_related("created_by", "undone_by").order_by("-created_at")[:limit]
