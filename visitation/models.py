"""Visitation: citizens, providers and offers with prices, placements
(bevillinger), their approval by competence, and systematic follow-up.

Everything a municipality configures differently (thresholds, follow-up
rules, packages, providers, offers and their prices) is data here, edited by
the administrator, with the seeds' values loaded by a data migration.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pghistory
from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse

from botilbud.lib.money import format_kr, format_number, to_money
from botilbud.lib.validators import SHORT_NOTE_LENGTH, free_text, validate_no_cpr
from botilbud.models import Home, HourPrice, Municipality, Paragraph, Role, User, Versioned
from botilbud.permissions import can

WEEKS_PER_YEAR = Decimal(52)


def own_municipality() -> str:
    """The name of the municipality running this installation (``settings.MUNICIPALITY_NAME``).
    Only migration 0001 still calls it (an old field default); keep it for that."""
    return getattr(settings, "MUNICIPALITY_NAME", "Københavns Kommune")


def own_municipality_code() -> int:
    """Default acting and paying municipality of a placement: our own."""
    return Municipality.own_code()


class ApprovalLevel(models.TextChoices):
    """Who must decide a placement, lowest first (see ``LEVEL_RANK``)."""

    CASEWORKER = "sagsbehandler", "Sagsbehandler"
    AUTHORITY_HEAD = "myndighedsleder", "Myndighedsleder"
    COMMITTEE = "visitationsudvalg", "Visitationsudvalget"
    POLITICAL = "politisk", "Politisk udvalg (efter visitationsudvalget)"


LEVEL_RANK: dict[str, int] = {
    ApprovalLevel.CASEWORKER: 1,
    ApprovalLevel.AUTHORITY_HEAD: 2,
    ApprovalLevel.COMMITTEE: 3,
    ApprovalLevel.POLITICAL: 4,
}

# The highest level a role may approve on its own.
ROLE_COMPETENCE: dict[str, ApprovalLevel] = {
    Role.CASEWORKER: ApprovalLevel.CASEWORKER,
    Role.AUTHORITY_HEAD: ApprovalLevel.AUTHORITY_HEAD,
}


@pghistory.track()
class Provider(Versioned):
    """A provider (leverandør): own municipality, other municipality, region, private."""

    class Kind(models.TextChoices):
        OWN = "egen", "Egen kommune"
        OTHER_MUNICIPALITY = "anden_kommune", "Anden kommune"
        REGION = "region", "Region"
        PRIVATE = "privat", "Privat"

    name = models.CharField("navn", max_length=200, unique=True)
    kind = models.CharField("type", max_length=20, choices=Kind.choices)
    non_profit = models.BooleanField(
        "almennyttig/selvejende", default=False, help_text="Kun for private leverandører: ikke-kommerciel."
    )
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "leverandør"
        verbose_name_plural = "leverandører"
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class SupportPackage(Versioned):
    """A support package (pakke/niveau): weekly support hours."""

    name = models.CharField("navn", max_length=120, unique=True)
    weekly_hours = models.DecimalField("timer pr. uge", max_digits=6, decimal_places=2)
    sort_order = models.PositiveSmallIntegerField("sortering", default=0)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "støttepakke"
        verbose_name_plural = "støttepakker"
        ordering = ["sort_order", "weekly_hours", "name"]
        constraints = [models.CheckConstraint(condition=Q(weekly_hours__gte=0), name="package_hours_not_negative")]

    def __str__(self) -> str:
        hours = format_number(self.weekly_hours, 2).removesuffix(",00")
        return f"{self.name} ({hours} t/uge)"


@pghistory.track()
class Offer(Versioned):
    """An offer (tilbud) at a provider under one paragraph.

    An external offer has a price per year with a valid-from date
    (``OfferPrice``, history kept). An own home's offer is linked to the
    ``Home``; its placements are priced from the package hours × the home's
    hour price (see ``own_home_annual_price``).
    """

    provider = models.ForeignKey(Provider, verbose_name="leverandør", on_delete=models.PROTECT, related_name="offers")
    name = models.CharField("navn", max_length=200)
    paragraph = models.ForeignKey(Paragraph, verbose_name="paragraf", on_delete=models.PROTECT, related_name="offers")
    home = models.ForeignKey(
        Home,
        verbose_name="eget botilbud",
        on_delete=models.PROTECT,
        related_name="offers",
        null=True,
        blank=True,
        help_text="Kun for kommunens egne tilbud.",
    )
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "tilbud"
        verbose_name_plural = "tilbud"
        ordering = ["paragraph__ladder_step", "name"]
        constraints = [models.UniqueConstraint(fields=["provider", "name", "paragraph"], name="offer_unique_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.paragraph.code})"

    @property
    def is_own(self) -> bool:
        return self.home_id is not None

    def price_on(self, day: dt.date) -> Decimal | None:
        """The annual list price in force on ``day`` (the latest valid_from ≤ day)."""
        price = self.prices.filter(valid_from__lte=day).order_by("-valid_from").values_list("annual_price", flat=True)
        return price.first()


@pghistory.track()
class OfferPrice(Versioned):
    offer = models.ForeignKey(Offer, verbose_name="tilbud", on_delete=models.CASCADE, related_name="prices")
    valid_from = models.DateField("gælder fra")
    annual_price = models.DecimalField("årspris (kr.)", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "tilbudspris"
        verbose_name_plural = "tilbudspriser"
        ordering = ["offer", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["offer", "valid_from"], name="offer_price_one_per_date"),
            models.CheckConstraint(condition=Q(annual_price__gte=0), name="offer_price_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.offer}: {format_kr(self.annual_price)}/år fra {self.valid_from:%d-%m-%Y}"


def own_home_annual_price(home_id: int, weekly_hours: Decimal, day: dt.date) -> Decimal | None:
    """Annual price of a placement in an own home.

    annual price = package weekly hours × the home's hour price (for the year
    of ``day``; ``HourPrice.for_home``) × 52 weeks. A part of a year costs
    annual price / 52 × days / 7 (the allocation model's hours × price × days/7).
    """
    hour_price = HourPrice.for_home(home_id, day.year)
    if hour_price is None:
        return None
    return to_money(Decimal(weekly_hours) * hour_price.hour_price * WEEKS_PER_YEAR)


@pghistory.track()
class CompetenceThreshold(Versioned):
    """Who may approve what (visitationskompetence).

    A row says: up to and including ``max_amount`` a year (empty: no upper
    limit), ``level`` decides. Rows for external providers set the lowest
    level that must decide any placement with an external provider.
    """

    class Scope(models.TextChoices):
        ALL = "alle", "Alle leverandører"
        EXTERNAL = "eksterne", "Eksterne leverandører (altid mindst dette niveau)"

    level = models.CharField("niveau", max_length=20, choices=ApprovalLevel.choices)
    scope = models.CharField("gælder for", max_length=20, choices=Scope.choices, default=Scope.ALL)
    max_amount = models.DecimalField(
        "til og med (kr./år)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Tom: ingen øvre grænse. Grænsen er inklusive.",
    )

    class Meta:
        verbose_name = "kompetencegrænse"
        verbose_name_plural = "kompetencegrænser"
        ordering = ["scope", models.F("max_amount").asc(nulls_last=True)]

    def __str__(self) -> str:
        limit = f"til og med {format_kr(self.max_amount)}" if self.max_amount is not None else "uden øvre grænse"
        return f"{self.get_level_display()}: {limit} ({self.get_scope_display()})"


@pghistory.track()
class FollowUpRule(Versioned):
    """Follow-up frequency per paragraph (opfølgningshyppighed)."""

    paragraph = models.OneToOneField(
        Paragraph, verbose_name="paragraf", on_delete=models.CASCADE, related_name="follow_up_rule"
    )
    first_after_months = models.PositiveSmallIntegerField("første opfølgning efter (måneder)")
    then_every_months = models.PositiveSmallIntegerField("derefter hver (måneder)")

    class Meta:
        verbose_name = "opfølgningsregel"
        verbose_name_plural = "opfølgningsregler"
        ordering = ["paragraph__ladder_step", "paragraph__code"]
        constraints = [
            models.CheckConstraint(condition=Q(first_after_months__gt=0), name="rule_first_positive"),
            models.CheckConstraint(condition=Q(then_every_months__gt=0), name="rule_every_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.paragraph.code}: efter {self.first_after_months} mdr., derefter hver {self.then_every_months}."


@pghistory.track()
class Citizen(Versioned):
    """A citizen (borger): case number and initials only, never a CPR number."""

    case_number = models.CharField("sagsnummer", max_length=40, unique=True, validators=[validate_no_cpr])
    initials = models.CharField("initialer", max_length=10, validators=[validate_no_cpr])
    birth_year = models.PositiveSmallIntegerField(
        "fødselsår",
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text="Kun året (til aldersgrænsen for refusion af særligt dyre enkeltsager) – intet CPR-nummer.",
    )
    anonymised_at = models.DateTimeField(
        "anonymiseret",
        null=True,
        blank=True,
        editable=False,
        help_text="Sat af sletteregel-jobbet (visitation.retention).",
    )

    class Meta:
        verbose_name = "borger"
        verbose_name_plural = "borgere"
        ordering = ["case_number"]

    def __str__(self) -> str:
        return f"{self.initials} ({self.case_number})"


class PlacementQuerySet(models.QuerySet["Placement"]):
    def visible_to(self, user: User) -> PlacementQuerySet:
        """The placements ``user`` may see. Every visitation view starts here.

        The authority, the department head and the administrator see all; a
        home manager (and area manager, consultant) sees the placements in the
        offers of the homes they see, with the citizen's initials only.
        """
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if can(user, "visitation.view_all_placements"):
            return self.all()
        return self.filter(offer__home__in=Home.objects.visible_to(user).values("pk"))

    def sales(self) -> PlacementQuerySet:
        """Placements another municipality pays for (sold places in our homes)."""
        return self.exclude(paying_municipality_id=Municipality.own_code())

    def own_citizens(self) -> PlacementQuerySet:
        """Placements our municipality pays for: the authority's own spending."""
        return self.filter(paying_municipality_id=Municipality.own_code())


def sees_case_numbers(user: User) -> bool:
    """Home-side roles see citizens by initials only."""
    return can(user, "visitation.view_all_placements")


@pghistory.track(model_name="PlacementHistory")
class Placement(Versioned):
    """A placement (bevilling): a citizen in an offer from a date, at a price.

    The price, package and end are changed only through the services
    (``visitation.services``), which record each change with its date in
    ``PlacementChange`` and tell the ledger (``visitation.events``).
    """

    class Status(models.TextChoices):
        PROPOSED = "indstillet", "Indstillet"
        APPROVED = "godkendt", "Godkendt"
        ACTIVE = "aktiv", "Aktiv"
        ENDED = "ophoert", "Ophørt"
        REJECTED = "afvist", "Afvist"

    citizen = models.ForeignKey(Citizen, verbose_name="borger", on_delete=models.PROTECT, related_name="placements")
    offer = models.ForeignKey(Offer, verbose_name="tilbud", on_delete=models.PROTECT, related_name="placements")
    package = models.ForeignKey(
        SupportPackage,
        verbose_name="støttepakke",
        on_delete=models.PROTECT,
        related_name="placements",
        null=True,
        blank=True,
    )
    acting_municipality = models.ForeignKey(
        Municipality,
        verbose_name="handlekommune",
        on_delete=models.PROTECT,
        related_name="+",
        default=own_municipality_code,
    )
    paying_municipality = models.ForeignKey(
        Municipality,
        verbose_name="betalingskommune",
        on_delete=models.PROTECT,
        related_name="placements_paid",
        default=own_municipality_code,
        help_text="En anden kommune end vores egen: pladsen er solgt (indtægt for botilbuddet).",
    )
    start_date = models.DateField("startdato")
    end_date = models.DateField("slutdato", null=True, blank=True)
    annual_price = models.DecimalField("årspris (kr.)", max_digits=14, decimal_places=2)
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.PROPOSED)
    required_level = models.CharField("kræver afgørelse af", max_length=20, choices=ApprovalLevel.choices)
    next_follow_up = models.DateField("næste opfølgning", null=True, blank=True)
    note = free_text("bemærkning", SHORT_NOTE_LENGTH, blank=True)
    created_by = models.ForeignKey(
        User, verbose_name="oprettet af", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField("oprettet", auto_now_add=True)
    decided_at = models.DateTimeField("afgjort", null=True, blank=True)

    objects = PlacementQuerySet.as_manager()

    class Meta:
        verbose_name = "bevilling"
        verbose_name_plural = "bevillinger"
        ordering = ["-start_date", "-pk"]
        indexes = [
            models.Index(fields=["status", "required_level"], name="placement_status_level"),
            models.Index(fields=["next_follow_up"], name="placement_next_follow_up"),
            models.Index(fields=["start_date"], name="placement_start"),
            # budget.dashboard.selectors.large_placements: the department
            # dashboard's placements of 1,000,000 kr. a year or more (a few
            # percent of all), found without reading the others.
            models.Index(
                fields=["-annual_price", "id"], condition=Q(annual_price__gte=1000000), name="placement_large"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(annual_price__gte=0), name="placement_price_not_negative"),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=models.F("start_date")),
                name="placement_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"Bevilling {self.pk}: {self.citizen.initials} i {self.offer.name}"

    def get_absolute_url(self) -> str:
        return reverse("visitation:placement_detail", args=[self.pk])

    @property
    def is_sale(self) -> bool:
        """Another municipality pays: income for our home, never our authority's spending."""
        return self.paying_municipality_id != Municipality.own_code()


@pghistory.track()
class Decision(Versioned):
    """A decision on a placement, by a person within competence or by a committee.

    A committee's or the political committee's decision carries its meeting date.
    """

    class Outcome(models.TextChoices):
        APPROVED = "godkendt", "Godkendt"
        REJECTED = "afvist", "Afvist"

    placement = models.ForeignKey(
        Placement, verbose_name="bevilling", on_delete=models.CASCADE, related_name="decisions"
    )
    level = models.CharField("niveau", max_length=20, choices=ApprovalLevel.choices)
    outcome = models.CharField("afgørelse", max_length=20, choices=Outcome.choices)
    meeting_date = models.DateField("mødedato", null=True, blank=True)
    note = free_text("bemærkning", SHORT_NOTE_LENGTH, blank=True)
    decided_by = models.ForeignKey(User, verbose_name="registreret af", on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField("registreret", auto_now_add=True)

    class Meta:
        verbose_name = "afgørelse"
        verbose_name_plural = "afgørelser"
        ordering = ["placement", "decided_at"]

    def __str__(self) -> str:
        return f"{self.get_level_display()}: {self.get_outcome_display()}"


@pghistory.track()
class PlacementChange(Versioned):
    """A dated change of a placement: new package, end, or a price regulation (the PL index
    step, from 1 January). History is never rewritten."""

    class Kind(models.TextChoices):
        PACKAGE = "pakke", "Ny støttepakke"
        END = "ophoer", "Ophør"
        PRICE = "pris", "Prisregulering (PL)"

    placement = models.ForeignKey(Placement, verbose_name="bevilling", on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField("ændring", max_length=20, choices=Kind.choices)
    effective_date = models.DateField("gælder fra")
    old_package = models.ForeignKey(
        SupportPackage,
        verbose_name="tidligere pakke",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    new_package = models.ForeignKey(
        SupportPackage, verbose_name="ny pakke", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    old_annual_price = models.DecimalField("tidligere årspris", max_digits=14, decimal_places=2, null=True, blank=True)
    new_annual_price = models.DecimalField("ny årspris", max_digits=14, decimal_places=2, null=True, blank=True)
    note = free_text("bemærkning", SHORT_NOTE_LENGTH, blank=True)
    created_by = models.ForeignKey(User, verbose_name="registreret af", on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField("registreret", auto_now_add=True)

    class Meta:
        verbose_name = "ændring af bevilling"
        verbose_name_plural = "ændringer af bevillinger"
        ordering = ["placement", "effective_date", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} fra {self.effective_date:%d-%m-%Y}"


@pghistory.track()
class FollowUp(Versioned):
    """A recorded follow-up of a placement (opfølgning)."""

    class Outcome(models.TextChoices):
        UNCHANGED = "uaendret", "Uændret"
        NEW_PACKAGE = "ny_pakke", "Ny støttepakke"
        ENDED = "ophoer", "Ophør"

    placement = models.ForeignKey(
        Placement, verbose_name="bevilling", on_delete=models.CASCADE, related_name="follow_ups"
    )
    date = models.DateField("dato")
    outcome = models.CharField("resultat", max_length=20, choices=Outcome.choices)
    note = free_text("notat", SHORT_NOTE_LENGTH, blank=True)
    due_date = models.DateField("var forfalden", null=True, blank=True)
    next_due = models.DateField("næste opfølgning", null=True, blank=True)
    recorded_by = models.ForeignKey(User, verbose_name="registreret af", on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField("registreret", auto_now_add=True)

    class Meta:
        verbose_name = "opfølgning"
        verbose_name_plural = "opfølgninger"
        ordering = ["placement", "-date"]

    def __str__(self) -> str:
        return f"Opfølgning {self.date:%d-%m-%Y}: {self.get_outcome_display()}"


class RetentionRun(models.Model):
    """One applied run of the retention job (visitation.retention): when, by
    whom or which job, with which rule. Written once, never changed."""

    ran_at = models.DateTimeField("kørt", auto_now_add=True)
    today = models.DateField("dato for reglen")
    years = models.PositiveSmallIntegerField("år efter sidste ophør")
    cutoff = models.DateField("sidste ophør senest")
    run_by = models.ForeignKey(
        User, verbose_name="kørt af", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    job = models.CharField("job", max_length=80)
    citizens = models.PositiveIntegerField("borgere anonymiseret")

    class Meta:
        verbose_name = "sletteregel-kørsel"
        verbose_name_plural = "sletteregel-kørsler"
        ordering = ["-ran_at", "-pk"]

    def __str__(self) -> str:
        return f"Sletteregel {self.ran_at:%d-%m-%Y}: {self.citizens} borgere"


class RetentionItem(models.Model):
    """A citizen anonymised by a run, and what it touched (no personal data)."""

    run = models.ForeignKey(RetentionRun, on_delete=models.PROTECT, related_name="items")
    citizen = models.ForeignKey(Citizen, on_delete=models.PROTECT, related_name="+")
    last_end = models.DateField("sidste ophør")
    placements = models.PositiveIntegerField("bevillinger")
    ledger_entries = models.PositiveIntegerField("disponeringsposter")
    statement_lines = models.PositiveIntegerField("afregningslinjer")

    class Meta:
        verbose_name = "anonymiseret borger"
        verbose_name_plural = "anonymiserede borgere"
        ordering = ["run", "last_end", "citizen"]


class PlacementYearQuerySet(models.QuerySet["PlacementYear"]):
    def visible_to(self, user: User) -> PlacementYearQuerySet:
        """The rows of the placements ``user`` may see (``PlacementQuerySet.visible_to``'s rule)."""
        if not user.is_authenticated or not user.is_active:
            return self.none()
        if can(user, "visitation.view_all_placements"):
            return self.all()
        return self.filter(offer__home__in=Home.objects.visible_to(user).values("pk"))

    def own_citizens(self) -> PlacementYearQuerySet:
        return self.filter(paying_municipality_id=Municipality.own_code())

    def in_year(self, year: int) -> PlacementYearQuerySet:
        """The rows that stand for ``year``: its own rows and the open-ended tails begun before it."""
        return self.filter(Q(year=year, open_tail=False) | Q(open_tail=True, year__lte=year))


class PlacementYear(models.Model):
    """Placements folded per offer, paying municipality, status and calendar
    year, for the department dashboard's provider kinds and recipients
    (``budget.dashboard.selectors``): a year's figures read a few hundred rows
    instead of every placement of the year.

    A placement counts in each year it overlaps: ``placements`` (1),
    ``price_days`` (its annual price × its days in the year, so the year's
    cost pro rata is ``price_days / days of the year``), ``tMM`` (1 if in
    force at month MM's last day), ``iMM`` (1 if it began in month MM) and
    ``oMM`` (1 if it ended in month MM). An open-ended placement has its first
    year's row and one *tail* row (``open_tail``) from the next year on that
    stands for every later year: a whole year (``price_days`` = its annual
    price) in force at every month's end.

    Kept exact by statement-level Postgres triggers on ``visitation_placement``
    (migration 0009_placement_year), whatever code path writes a placement;
    a row whose placements all left keeps zeros.
    ``tests/visitation/test_placement_year.py`` compares it with the raw aggregate."""

    offer = models.ForeignKey(Offer, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False, related_name="+")
    paying_municipality_id = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=20)
    year = models.PositiveSmallIntegerField()
    open_tail = models.BooleanField()
    placements = models.IntegerField()
    price_days = models.DecimalField(max_digits=24, decimal_places=2)
    # tMM: in force at month MM's last day
    t01 = models.IntegerField(default=0)
    t02 = models.IntegerField(default=0)
    t03 = models.IntegerField(default=0)
    t04 = models.IntegerField(default=0)
    t05 = models.IntegerField(default=0)
    t06 = models.IntegerField(default=0)
    t07 = models.IntegerField(default=0)
    t08 = models.IntegerField(default=0)
    t09 = models.IntegerField(default=0)
    t10 = models.IntegerField(default=0)
    t11 = models.IntegerField(default=0)
    t12 = models.IntegerField(default=0)
    # iMM: began in month MM
    i01 = models.IntegerField(default=0)
    i02 = models.IntegerField(default=0)
    i03 = models.IntegerField(default=0)
    i04 = models.IntegerField(default=0)
    i05 = models.IntegerField(default=0)
    i06 = models.IntegerField(default=0)
    i07 = models.IntegerField(default=0)
    i08 = models.IntegerField(default=0)
    i09 = models.IntegerField(default=0)
    i10 = models.IntegerField(default=0)
    i11 = models.IntegerField(default=0)
    i12 = models.IntegerField(default=0)
    # oMM: ended in month MM
    o01 = models.IntegerField(default=0)
    o02 = models.IntegerField(default=0)
    o03 = models.IntegerField(default=0)
    o04 = models.IntegerField(default=0)
    o05 = models.IntegerField(default=0)
    o06 = models.IntegerField(default=0)
    o07 = models.IntegerField(default=0)
    o08 = models.IntegerField(default=0)
    o09 = models.IntegerField(default=0)
    o10 = models.IntegerField(default=0)
    o11 = models.IntegerField(default=0)
    o12 = models.IntegerField(default=0)

    objects = PlacementYearQuerySet.as_manager()

    class Meta:
        verbose_name = "bevillinger pr. år (sammendrag)"
        verbose_name_plural = "bevillinger pr. år (sammendrag)"
        constraints = [
            # The triggers' upsert key; its leading (year, open_tail) serves
            # budget.dashboard.selectors.spending_by_provider_kind (five years)
            # and recipients_by_paragraph (one year, plus the tails before it).
            models.UniqueConstraint(
                fields=["year", "open_tail", "offer", "paying_municipality_id", "status"],
                name="placement_year_key",
            ),
        ]
