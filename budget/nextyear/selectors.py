"""Reads for next year's budget: the models' inputs, and the drafts.

Inputs of a home's draft for year N (this year B = N − 1), each a few small
queries (``draft_compute`` runs on a POST; the pages read stored drafts):

- ``price_indices()``: KL's PL-skøn per year (a small table, one query);
- ``hour_price_for(home, N, pl)``: N's hour price, or B's (the latest up to B)
  indexed with the PL of each year after it;
- ``package_mix(home, N)``: the placements running on 1 January N, per
  support package: residential (own and sold: the places' mix) and outreach;
- ``this_year_budget(home, B)``: B's corrected budget per account group, and
  the carry-over from B − 1 in it;
- ``home_function(home, B)``: the KL function the home's postings use.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Count, DecimalField, F, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from botilbud.lib.money import ZERO, format_number, to_money
from botilbud.models import AccountGroup, Home, HourPrice, Municipality, User
from botilbud.permissions import can
from budget import selectors as budget_selectors
from budget.models import BudgetLine, Posting
from budget.moments import Moment
from budget.nextyear.models import BudgetDraft, BudgetDraftLine
from budget.rates.models import PriceIndex
from visitation.models import Placement
from visitation.occupancy import RESIDENTIAL_STEPS

MONEY = DecimalField(max_digits=16, decimal_places=2)
HUNDRED = Decimal(100)

# Placements that give the home residents: decided and not rejected (as the allocation model).
RESIDENT_STATUSES = ("godkendt", "aktiv", "ophoert")

# The home's paragraph → its KL function, when its postings name none yet.
FUNCTION_BY_PARAGRAPH = {
    "§108": "5.38.50",
    "§107": "5.38.52",
    "§105+§85": "5.38.51",
    "§85": "5.38.53",
    "§110": "5.38.42",
    "§103": "5.38.58",
    "§104": "5.38.59",
}
DEFAULT_FUNCTION = "5.38.50"


@dataclass(frozen=True)
class PL:
    """KL's PL-skøn for a year, the parts the draft uses (a missing part: the total)."""

    year: int
    total: Decimal
    wage: Decimal
    price: Decimal
    found: bool
    confirmed: bool

    def label(self, part: str = "total") -> str:
        pct = {"total": self.total, "wage": self.wage, "price": self.price}[part]
        if not self.found:
            return f"PL {self.year}: mangler (0 %)"
        name = {"total": "PL", "wage": "PL, løn", "price": "PL, priser"}[part]
        text = f"{name} {self.year}: {format_number(pct, 2)} %"
        return text if self.confirmed else text + " (ikke bekræftet)"


def price_indices() -> dict[int, PL]:
    out = {}
    for row in PriceIndex.objects.all():
        out[row.year] = PL(
            year=row.year,
            total=row.pl_pct,
            wage=row.wage_pct if row.wage_pct is not None else row.pl_pct,
            price=row.price_pct if row.price_pct is not None else row.pl_pct,
            found=True,
            confirmed=row.confirmed,
        )
    return out


def pl_for(indices: dict[int, PL], year: int) -> PL:
    return indices.get(year) or PL(year, ZERO, ZERO, ZERO, found=False, confirmed=False)


@dataclass(frozen=True)
class HourPriceInput:
    price: Decimal | None  # N's hour price
    source: str  # what the page says about it
    base_year: int | None
    base_price: Decimal | None


def hour_price_for(home_id: int, year: int, indices: dict[int, PL]) -> HourPriceInput:
    """N's hour price: N's own (the PL index step sets it), else the latest up to
    B indexed with the PL of each year after it (1 query)."""
    row = HourPrice.objects.filter(home_id=home_id, year__lte=year).order_by("-year").first()
    if row is None:
        return HourPriceInput(None, "Ingen timepris: tildelingsmodellen giver 0 kr.", None, None)
    if row.year == year:
        return HourPriceInput(row.hour_price, f"Timepris {year} (fremskrevet i PL-trinnet)", row.year, row.hour_price)
    factor = Decimal(1)
    parts = []
    for y in range(row.year + 1, year + 1):
        pl = pl_for(indices, y)
        factor *= 1 + pl.total / HUNDRED
        parts.append(pl.label())
    price = to_money(row.hour_price * factor)
    source = f"Timepris {row.year} {format_number(row.hour_price, 2)} kr. × " + " × ".join(parts)
    return HourPriceInput(price, source, row.year, row.hour_price)


@dataclass(frozen=True)
class MixRow:
    package_id: int | None
    name: str
    weekly_hours: Decimal
    residential: bool
    own: int
    sold: int


def package_mix(home_id: int, year: int) -> list[MixRow]:
    """The placements running on 1 January ``year``, per package and residential or
    not, own citizens and sold places apart (1 query)."""

    first = dt.date(year, 1, 1)
    own = Municipality.own_code()
    rows = (
        Placement.objects.filter(offer__home_id=home_id, status__in=RESIDENT_STATUSES, start_date__lte=first)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .values("package_id", "package__name", "package__weekly_hours", "offer__paragraph__ladder_step")
        .annotate(
            own=Count("pk", filter=Q(paying_municipality_id=own)),
            sold=Count("pk", filter=~Q(paying_municipality_id=own)),
        )
        .order_by("package__weekly_hours", "package__name")
    )
    merged: dict[tuple[int | None, bool], MixRow] = {}
    for r in rows:
        residential = r["offer__paragraph__ladder_step"] in RESIDENTIAL_STEPS
        key = (r["package_id"], residential)
        prev = merged.get(key)
        merged[key] = MixRow(
            package_id=r["package_id"],
            name=r["package__name"] or "Uden pakke",
            weekly_hours=r["package__weekly_hours"] or ZERO,
            residential=residential,
            own=r["own"] + (prev.own if prev else 0),
            sold=r["sold"] + (prev.sold if prev else 0),
        )
    return list(merged.values())


def offers_places(home: Home) -> bool:
    """Whether the home offers residential places (a paragraph on the ladder's home
    steps); a § 85-only home's clients are outreach, never places (1 query)."""
    return home.paragraphs.filter(ladder_step__in=RESIDENTIAL_STEPS).exists()


@dataclass(frozen=True)
class ThisYear:
    corrected: dict[str, Decimal]  # per account group, approved corrections included
    carry_over: dict[str, Decimal]  # the approved carry-over from the year before, in it


def this_year_budget(home_id: int, year: int) -> ThisYear:
    """``year``'s corrected budget per account group and the carry-over in it (1 query)."""

    rows = (
        BudgetLine.objects.filter(home_id=home_id, year=year)
        .annotate(
            approved=Coalesce(
                Sum("corrections__amount", filter=Q(corrections__status="godkendt")), Value(ZERO), output_field=MONEY
            ),
            carried=Coalesce(
                Sum(
                    "corrections__amount",
                    filter=Q(corrections__status="godkendt", corrections__kind="overfoersel"),
                ),
                Value(ZERO),
                output_field=MONEY,
            ),
        )
        .values_list("group", "original", "approved", "carried")
    )
    corrected, carried = {}, {}
    for group, original, approved, carry in rows:
        corrected[group] = to_money(original + approved)
        carried[group] = to_money(carry)
    return ThisYear(corrected, carried)


def home_function(home: Home, year: int) -> str:
    """The KL function most of the home's postings in ``year`` use; else the one of its
    paragraph (1–2 queries)."""

    row = (
        Posting.objects.filter(home_id=home.pk, month__gte=dt.date(year, 1, 1), month__lte=dt.date(year, 12, 1))
        .exclude(function_code="")
        .values("function_code")
        .annotate(n=Count("id"))
        .order_by("-n", "function_code")
        .first()
    )
    if row:
        return str(row["function_code"])
    for code in home.paragraphs.order_by("-ladder_step", "sort_order").values_list("code", flat=True):
        if code in FUNCTION_BY_PARAGRAPH:
            return FUNCTION_BY_PARAGRAPH[code]
    return DEFAULT_FUNCTION


# --- The drafts ----------------------------------------------------------------------------


def draft_for(home: Home, year: int) -> BudgetDraft | None:
    """The home's draft of ``year`` with its lines and who computed/locked it (2 queries)."""
    return (
        BudgetDraft.objects.filter(home=home, year=year)
        .select_related("computed_by", "locked_by")
        .prefetch_related(Prefetch("lines", queryset=BudgetDraftLine.objects.order_by("position", "pk")))
        .first()
    )


def totals_by_group(draft: BudgetDraft) -> dict[str, Decimal]:
    """The draft's budget per account group (from the prefetched lines)."""
    out = {g.value: ZERO for g in AccountGroup}
    for line in draft.lines.all():
        out[line.group] += line.amount
    return out


def home_page(home: Home, year: int, *, today: dt.date) -> dict[str, Any]:
    """The figures of a home's next-year page (``nextyear:home``): the draft of ``year``
    per account group beside the base year's (``year`` − 1) corrected budget and live
    forecast, with the totals and the moment each side is from."""

    draft = draft_for(home, year)
    base = year - 1
    month = budget_selectors.latest_actual_month([home.pk], base)
    if not month and base < today.year:
        month = 12
    this_year = budget_selectors.forecast(home, base, month)
    groups: list[dict[str, Any]] = []
    totals = totals_by_group(draft) if draft else {}
    lines = list(draft.lines.all()) if draft else []
    for g in AccountGroup:
        row = this_year[g.value]
        groups.append(
            {
                "group": g,
                "lines": [line for line in lines if line.group == g.value],
                "total": totals.get(g.value, ZERO),
                "this_year": row,
                "change": totals.get(g.value, ZERO) - row.corrected_budget,
            }
        )
    net = sum(totals.values(), ZERO) if draft else None
    this_net = budget_selectors.forecast_total(this_year)
    return {
        "base": base,
        "draft": draft,
        "lines": lines,
        "moment": DraftMoment(draft) if draft else None,
        "this_moment": Moment.live(base, month, today),
        "groups": groups,
        "net": net,
        "this_net": this_net,
        "net_change": None if net is None else net - this_net.corrected_budget,
    }


@dataclass(frozen=True)
class DraftSummary:
    home: Home
    draft: BudgetDraft | None
    total: Decimal | None
    this_year: Decimal

    @property
    def change(self) -> Decimal | None:
        return None if self.total is None else self.total - self.this_year

    @property
    def moment(self) -> DraftMoment | None:
        return DraftMoment(self.draft) if self.draft else None


def overview(homes: QuerySet[Home], year: int) -> list[DraftSummary]:
    """Every home's draft of ``year`` (status, net total) beside this year's corrected
    net budget: three queries whatever the number of homes."""

    home_list = list(homes.select_related("area").order_by("area__name", "name"))
    ids = [h.pk for h in home_list]
    drafts = {
        d.home_id: d
        for d in BudgetDraft.objects.filter(home_id__in=ids, year=year)
        .select_related("locked_by")
        .annotate(
            total=Coalesce(Sum("lines__model_amount"), Value(ZERO), output_field=MONEY)
            + Coalesce(Sum("lines__adjustment"), Value(ZERO), output_field=MONEY)
        )
    }
    lines = (
        BudgetLine.objects.filter(home_id__in=ids, year=year - 1)
        .annotate(
            approved=Coalesce(
                Sum("corrections__amount", filter=Q(corrections__status="godkendt")), Value(ZERO), output_field=MONEY
            )
        )
        .values_list("home_id", "original", "approved")
    )
    this_year: dict[int, Decimal] = {}
    for home_id, original, approved in lines:
        this_year[home_id] = this_year.get(home_id, ZERO) + original + approved
    return [
        DraftSummary(
            home=h,
            draft=drafts.get(h.pk),
            total=getattr(drafts.get(h.pk), "total", None),
            this_year=to_money(this_year.get(h.pk, ZERO)),
        )
        for h in home_list
    ]


def export_rows(homes: QuerySet[Home], year: int) -> QuerySet[BudgetDraftLine, dict[str, Any]]:
    """The locked budgets' lines of ``year`` summed per cost centre × account, in the
    finance system's order (one query, streamed by the caller)."""

    rows = (
        BudgetDraftLine.objects.filter(draft__home__in=homes, draft__year=year, draft__status=BudgetDraft.Status.LOCKED)
        .values(
            cost_centre=F("draft__home__cost_centre"),
            home_name=F("draft__home__name"),
            function=F("function_code"),
            dr=F("dranst"),
            art=F("art_code"),
        )
        .annotate(total=Sum(F("model_amount") + F("adjustment"), output_field=MONEY))
        .order_by("cost_centre", "function", "dr", "art")
    )
    return rows  # type: ignore[return-value]  # django-stubs types the row as a TypedDict, a dict at run time


def writable_homes(user: User) -> QuerySet[Home]:
    """The homes whose next-year budget ``user`` drafts (consultant: own homes; admin: all)."""

    if can(user, "budget.manage_any_home"):
        return Home.objects.filter(is_active=True)
    return Home.objects.filter(is_active=True, consultants=user)


@dataclass(frozen=True)
class DraftMoment:
    """Which moment a draft's figures are from, for ``{% figure %}``: a draft moves
    with every computation and adjustment (its version); a locked budget never."""

    draft: BudgetDraft

    @property
    def key(self) -> str:
        d = self.draft
        return f"budget-{d.year}-laast" if d.is_locked else f"budget-{d.year}-kladde-v{d.version}"

    @property
    def month_key(self) -> str:
        return ""

    @property
    def label(self) -> str:
        d = self.draft
        if d.is_locked and d.locked_at is not None:
            return f"Låst oprindeligt budget {d.year} (låst {timezone.localtime(d.locked_at):%d-%m-%Y %H:%M} af {d.locked_by})"
        return f"Kladde til budget {d.year}, ikke låst (beregnet {timezone.localtime(d.computed_at):%d-%m-%Y %H:%M} af {d.computed_by})"
