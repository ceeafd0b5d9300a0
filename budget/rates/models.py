"""Rates (takster) per own home and year.

- ``RateSettings``: the framework agreement's defaults (one row): overhead %,
  the regulation limit %, and which account groups make the cost base.
- ``RateCalculation``: a home's rate model for a year: its inputs (places,
  budgeted occupancy, overhead %, capital costs, the limit, the counted
  account groups, a logged manual override of Y−2's result), and, once the
  consultant approves it, the frozen rates. An approved calculation is
  locked; its history (pghistory) keeps every earlier value.
- ``RateLevel``: differentiated rates: a support level's weight on the same
  cost base, its planned places and the support packages it prices.

The arithmetic is in ``budget.rates.calc``; the data it reads in
``budget.rates.selectors``.
"""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from botilbud.lib.validators import validate_no_cpr
from botilbud.models import Home, User, Versioned

DEFAULT_COST_GROUPS = ["loen", "drift"]
DEFAULT_INCOME_GROUPS = ["indtaegt"]


def _default_cost_groups() -> list[str]:
    return list(DEFAULT_COST_GROUPS)


def _default_income_groups() -> list[str]:
    return list(DEFAULT_INCOME_GROUPS)


PCT = [MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))]


@pghistory.track()
class RateSettings(Versioned):
    """The framework agreement's rules for rates (one row, edited in the admin)."""

    overhead_pct = models.DecimalField(
        "central overhead (%)", max_digits=5, decimal_places=2, default=Decimal("3.00"), validators=PCT
    )
    regulation_limit_pct = models.DecimalField(
        "grænse for over-/underskud (% af omkostningsgrundlaget)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("5.00"),
        validators=PCT,
    )
    cost_groups = ArrayField(
        models.CharField(max_length=20),
        verbose_name="kontogrupper i omkostningsgrundlaget",
        default=_default_cost_groups,
        help_text="Koderne på de kontogrupper, hvis budgetterede bruttodriftsudgifter indgår i taksten.",
    )
    income_groups = ArrayField(
        models.CharField(max_length=20),
        verbose_name="kontogrupper med takstindtægter",
        default=_default_income_groups,
        help_text="Koderne på de kontogrupper, hvis faktiske indtægter regnes som takstindtægt (år Y−2).",
    )

    class Meta:
        verbose_name = "takstregler (styringsaftale)"
        verbose_name_plural = "takstregler (styringsaftale)"

    def __str__(self) -> str:
        return f"Overhead {self.overhead_pct} %, grænse {self.regulation_limit_pct} %"

    @classmethod
    def load(cls) -> RateSettings:
        obj, _ = cls.objects.get_or_create(pk=1)
        return obj


class RateCalculationQuerySet(models.QuerySet["RateCalculation"]):
    def visible_to(self, user: User) -> RateCalculationQuerySet:
        """Rate calculations of the homes whose economy ``user`` sees (never the authority)."""
        return self.filter(home__in=Home.objects.visible_to(user).values("pk"))


@pghistory.track()
class RateCalculation(Versioned):
    class Status(models.TextChoices):
        DRAFT = "kladde", "Kladde"
        INDEXED = "fremskrevet", "Foreløbig (fremskrevet med PL)"
        APPROVED = "godkendt", "Godkendt og låst"
        REOPENED = "genaabnet", "Genåbnet"

    home = models.ForeignKey(Home, verbose_name="botilbud", on_delete=models.CASCADE, related_name="rate_calculations")
    year = models.PositiveSmallIntegerField("år", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    places = models.PositiveIntegerField("antal pladser")
    occupancy_pct = models.DecimalField(
        "budgetteret belægning (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("0.01")), MaxValueValidator(Decimal("100"))],
    )
    overhead_pct = models.DecimalField("central overhead (%)", max_digits=5, decimal_places=2, validators=PCT)
    capital_costs = models.DecimalField(
        "kapitalomkostninger (afskrivning og forrentning, kr.)", max_digits=14, decimal_places=2, default=Decimal("0")
    )
    regulation_limit_pct = models.DecimalField(
        "grænse for over-/underskud (%)", max_digits=5, decimal_places=2, validators=PCT
    )
    cost_groups = ArrayField(
        models.CharField(max_length=20), verbose_name="kontogrupper i omkostningsgrundlaget", default=list
    )
    result_override = models.DecimalField(
        "manuelt resultat for år Y−2 (kr.)",
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        help_text="Kun hvis regnskabet ikke kan bruges: underskud positivt, overskud negativt. Tom = fra regnskabet.",
    )
    override_reason = models.CharField(
        "begrundelse for manuelt resultat", max_length=300, blank=True, validators=[validate_no_cpr]
    )
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.DRAFT)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="godkendt af",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField("godkendt", null=True, blank=True)
    approved_annual = models.DecimalField("godkendt årstakst", max_digits=14, decimal_places=2, null=True, blank=True)
    approved_day = models.DecimalField("godkendt døgntakst", max_digits=14, decimal_places=2, null=True, blank=True)
    approved_snapshot = models.JSONField("beregning ved godkendelse", default=dict, blank=True)
    indexed_from = models.PositiveSmallIntegerField(
        "fremskrevet fra år", null=True, blank=True, help_text="Satt af PL-fremskrivningen."
    )
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="genåbnet af",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reopened_at = models.DateTimeField("genåbnet", null=True, blank=True)
    reopen_reason = models.CharField("begrundelse for genåbning", max_length=300, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    objects = RateCalculationQuerySet.as_manager()

    class Meta:
        verbose_name = "takstberegning"
        verbose_name_plural = "takstberegninger"
        ordering = ["home", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["home", "year"], name="rate_calculation_one_per_home_year"),
            models.CheckConstraint(condition=Q(capital_costs__gte=0), name="rate_capital_not_negative"),
        ]

    def __str__(self) -> str:
        return f"Takst {self.home} {self.year}"

    @property
    def is_approved(self) -> bool:
        return self.status == self.Status.APPROVED

    @property
    def prices_sales(self) -> bool:
        """Its approved figures price sold places: approved, reopened (the last approved
        rate stays in force until it is approved again) or indexed (a preliminary rate)."""
        return self.status in PRICING_STATUSES and self.approved_day is not None


# Statuses whose approved_* figures are the rate in force (see ``RateCalculation.prices_sales``).
PRICING_STATUSES = [
    RateCalculation.Status.APPROVED,
    RateCalculation.Status.REOPENED,
    RateCalculation.Status.INDEXED,
]


@pghistory.track()
class RateLevel(Versioned):
    """A support level of a differentiated rate: its weight and planned places."""

    calculation = models.ForeignKey(
        RateCalculation, verbose_name="takstberegning", on_delete=models.CASCADE, related_name="levels"
    )
    name = models.CharField("niveau", max_length=80)
    weight = models.DecimalField(
        "vægt", max_digits=6, decimal_places=3, default=Decimal("1"), validators=[MinValueValidator(Decimal("0.001"))]
    )
    places = models.DecimalField(
        "planlagte pladser", max_digits=7, decimal_places=2, default=Decimal("0"), validators=[MinValueValidator(0)]
    )
    packages = models.ManyToManyField(
        "visitation.SupportPackage",
        verbose_name="støttepakker",
        blank=True,
        related_name="+",
        help_text="Bevillinger med disse pakker betaler niveauets takst. Tom = alle øvrige pakker.",
    )
    sort_order = models.PositiveSmallIntegerField("sortering", default=0)
    approved_annual = models.DecimalField("godkendt årstakst", max_digits=14, decimal_places=2, null=True, blank=True)
    approved_day = models.DecimalField("godkendt døgntakst", max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        verbose_name = "takstniveau"
        verbose_name_plural = "takstniveauer"
        ordering = ["calculation", "sort_order", "pk"]
        constraints = [models.UniqueConstraint(fields=["calculation", "name"], name="rate_level_unique_name")]

    def __str__(self) -> str:
        return self.name


class StatementQuerySet(models.QuerySet["Statement"]):
    def visible_to(self, user: User) -> StatementQuerySet:
        return self.filter(home__in=Home.objects.visible_to(user).values("pk"))


@pghistory.track()
class Statement(Versioned):
    """A sent monthly settlement statement (mellemkommunal afregning) for one
    paying municipality and one of our homes. Its lines are frozen when it is
    sent and never rewritten; a later change to a placement appears as a
    correction line on a later month's statement."""

    home = models.ForeignKey(Home, verbose_name="botilbud", on_delete=models.PROTECT, related_name="statements")
    municipality = models.ForeignKey(
        "botilbud.Municipality", verbose_name="betalingskommune", on_delete=models.PROTECT, related_name="statements"
    )
    month = models.DateField("måned")
    total = models.DecimalField("i alt", max_digits=14, decimal_places=2)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="sendt af", on_delete=models.PROTECT, related_name="+"
    )
    sent_at = models.DateTimeField("sendt", auto_now_add=True)

    objects = StatementQuerySet.as_manager()

    class Meta:
        verbose_name = "afregning"
        verbose_name_plural = "afregninger"
        ordering = ["-month", "municipality", "home"]
        constraints = [
            models.UniqueConstraint(fields=["home", "municipality", "month"], name="statement_one_per_month"),
        ]

    def __str__(self) -> str:
        return f"Afregning {self.municipality} {self.month:%m-%Y} ({self.home})"


class StatementLine(models.Model):
    """A frozen line of a sent statement (written once, never updated)."""

    class Kind(models.TextChoices):
        MONTH = "maaned", "Månedens ophold"
        CORRECTION = "korrektion", "Korrektion"

    statement = models.ForeignKey(Statement, on_delete=models.CASCADE, related_name="lines")
    placement = models.ForeignKey("visitation.Placement", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField("art", max_length=20, choices=Kind.choices, default=Kind.MONTH)
    corrects_month = models.DateField("korrigerer måned", null=True, blank=True)
    case_number = models.CharField("sagsnummer", max_length=40)
    initials = models.CharField("initialer", max_length=10)
    level = models.CharField("niveau", max_length=80, blank=True)
    period_start = models.DateField("fra", null=True, blank=True)
    period_end = models.DateField("til", null=True, blank=True)
    days = models.IntegerField("dage")
    day_rate = models.DecimalField("døgntakst", max_digits=14, decimal_places=2, null=True, blank=True)
    amount = models.DecimalField("beløb", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "afregningslinje"
        verbose_name_plural = "afregningslinjer"
        ordering = ["statement", "kind", "case_number", "period_start"]


@pghistory.track()
class RefusionTier(Versioned):
    """A tier of the central refusion for very expensive cases (særligt dyre
    enkeltsager) in a year: the state refunds ``share_pct`` of a citizen's
    yearly cost above ``threshold`` (up to the next tier's threshold)."""

    year = models.PositiveSmallIntegerField("år", validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    threshold = models.DecimalField("beløbsgrænse (kr. pr. år)", max_digits=14, decimal_places=2)
    share_pct = models.DecimalField(
        "refusion af beløb over grænsen (%)", max_digits=5, decimal_places=2, validators=PCT
    )
    source = models.CharField(
        "kilde",
        max_length=300,
        blank=True,
        help_text="Hvor beløbet kommer fra, og om det er bekræftet mod ministeriets satser for året.",
    )

    class Meta:
        verbose_name = "refusionstrin (særligt dyre enkeltsager)"
        verbose_name_plural = "refusionstrin (særligt dyre enkeltsager)"
        ordering = ["-year", "threshold"]
        constraints = [
            models.UniqueConstraint(fields=["year", "threshold"], name="refusion_tier_unique"),
            models.CheckConstraint(condition=Q(threshold__gt=0), name="refusion_threshold_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.year}: {self.share_pct} % over {self.threshold} kr."


@pghistory.track()
class PriceIndex(Versioned):
    """KL's price and wage index (PL-skøn) for a year: the expected development of the
    municipal service expenditure's prices and wages from year − 1 to ``year``, in %.

    ``pl_pct`` (service expenditure in total) is what the index step uses; the wage and
    price parts are shown beside it when known. Edited by the consultant and the
    administrator on ``/takster/pl/`` (audited, optimistic locking)."""

    year = models.PositiveSmallIntegerField(
        "år", unique=True, validators=[MinValueValidator(2000), MaxValueValidator(2100)]
    )
    pl_pct = models.DecimalField(
        "PL i alt, serviceudgifter (%)",
        max_digits=5,
        decimal_places=2,
        validators=[MinValueValidator(Decimal("-20")), MaxValueValidator(Decimal("30"))],
    )
    wage_pct = models.DecimalField("heraf løn (%)", max_digits=5, decimal_places=2, null=True, blank=True)
    price_pct = models.DecimalField("heraf priser (%)", max_digits=5, decimal_places=2, null=True, blank=True)
    source = models.CharField("kilde", max_length=300, blank=True)
    confirmed = models.BooleanField(
        "bekræftet", default=False, help_text="Sat, når tallet er kontrolleret mod KL's seneste PL-skøn."
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "pris- og lønskøn (PL)"
        verbose_name_plural = "pris- og lønskøn (PL)"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"PL {self.year}: {self.pl_pct} %"

    @property
    def factor(self) -> Decimal:
        return 1 + self.pl_pct / Decimal(100)


@pghistory.track()
class IndexRun(Versioned):
    """One reviewed index step: year ``from_year``'s prices indexed into ``from_year + 1``
    with that year's PL. ``lines`` records every object it created or changed (kind, id,
    old, new, the version it left), so the step can be undone exactly."""

    from_year = models.PositiveSmallIntegerField("fra år")
    pl_pct = models.DecimalField("PL (%)", max_digits=5, decimal_places=2)
    lines = models.JSONField("linjer", default=list)
    fingerprint = models.CharField("forhåndsvisningens fingeraftryk", max_length=64)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="udført af", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("udført", auto_now_add=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="fortrudt af",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    undone_at = models.DateTimeField("fortrudt", null=True, blank=True)

    class Meta:
        verbose_name = "PL-fremskrivning"
        verbose_name_plural = "PL-fremskrivninger"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"PL-fremskrivning {self.from_year} → {self.from_year + 1}"

    @property
    def to_year(self) -> int:
        return self.from_year + 1

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None
