"""The shared ledger (disponering): expected changes in a home's economy.

A ``LedgerEntry`` is one expected change (a maternity leave, a hire, a
move-in …) with its period and how its amount spreads over the months. The
service layer (``services.py``) writes the entry's amount per month into
``LedgerEntryMonth``; every aggregate (the grid, the budget forecast) is a
single ``SUM … GROUP BY`` over that table.

Signs follow the municipal accounts: expenses positive, income negative. A
saving (a wage not paid) is a negative expense.
"""

from __future__ import annotations

import datetime as dt

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse

from botilbud.lib.validators import COMMENT_LENGTH, free_text, validate_no_cpr
from botilbud.models import AccountGroup, Home, Versioned


class Category(models.TextChoices):
    # Staff
    MATERNITY = "barsel", "Barsel/forældreorlov"
    SICKNESS = "sygdom", "Langtidssygdom"
    RESIGNATION = "opsigelse", "Opsigelse"
    DISMISSAL = "afskedigelse", "Afskedigelse"
    HIRE = "nyansaettelse", "Nyansættelse"
    TEMP = "vikar", "Vikardækning"
    OVERTIME = "overarbejde", "Overarbejde"
    # Residents
    MOVE_IN = "indflytning", "Indflytning"
    MOVE_OUT = "fraflytning", "Fraflytning"
    SUPPORT_CHANGE = "stoettebehov", "Ændret støttebehov"
    # Other
    ONE_OFF = "engangskoeb", "Engangskøb"
    BUILDING = "bygning", "Bygning/vedligehold"
    OTHER = "andet", "Andet"


STAFF_CATEGORIES = [
    Category.MATERNITY,
    Category.SICKNESS,
    Category.RESIGNATION,
    Category.DISMISSAL,
    Category.HIRE,
    Category.TEMP,
    Category.OVERTIME,
]
RESIDENT_CATEGORIES = [Category.MOVE_IN, Category.MOVE_OUT, Category.SUPPORT_CHANGE]
OTHER_CATEGORIES = [Category.ONE_OFF, Category.BUILDING, Category.OTHER]
CATEGORY_GROUPS = [
    ("Personale", STAFF_CATEGORIES),
    ("Beboere", RESIDENT_CATEGORIES),
    ("Andet", OTHER_CATEGORIES),
]


class Spread(models.TextChoices):
    EVEN = "jaevnt", "Jævnt over perioden"
    ONE_OFF = "engang", "Engangsbeløb i én måned"
    MONTHLY = "maaned", "Beløb pr. måned"


class Status(models.TextChoices):
    EXPECTED = "forventet", "Forventet"
    CONFIRMED = "bekraeftet", "Bekræftet"
    CANCELLED = "annulleret", "Annulleret"


class LedgerEntryQuerySet(models.QuerySet["LedgerEntry"]):
    def visible_to(self, user) -> LedgerEntryQuerySet:
        return self.filter(home__in=Home.objects.visible_to(user))

    def active(self) -> LedgerEntryQuerySet:
        return self.exclude(status=Status.CANCELLED)

    def overlapping_year(self, year: int) -> LedgerEntryQuerySet:
        return self.filter(start_date__lte=dt.date(year, 12, 31), end_date__gte=dt.date(year, 1, 1))


@pghistory.track(exclude=["created_at", "updated_at", "generated_data"])
class LedgerEntry(Versioned):
    home = models.ForeignKey(Home, verbose_name="botilbud", on_delete=models.PROTECT, related_name="ledger_entries")
    category = models.CharField("kategori", max_length=20, choices=Category.choices)
    account_group = models.CharField("kontogruppe", max_length=10, choices=AccountGroup.choices)
    title = models.CharField(
        "beskrivelse",
        max_length=160,
        validators=[validate_no_cpr],
        help_text="Fx medarbejderens initialer eller stilling (ingen CPR-numre).",
    )
    amount = models.DecimalField(
        "beløb i alt (kr.)",
        max_digits=14,
        decimal_places=2,
        help_text="Udgifter positive, indtægter og besparelser negative.",
    )
    start_date = models.DateField("fra dato")
    end_date = models.DateField("til dato")
    spread = models.CharField("fordeling", max_length=10, choices=Spread.choices, default=Spread.EVEN)
    status = models.CharField("status", max_length=12, choices=Status.choices, default=Status.EXPECTED)
    comment = free_text("kommentar", COMMENT_LENGTH, blank=True)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="registreret af",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField("oprettet", auto_now_add=True)
    updated_at = models.DateTimeField("ændret", auto_now=True)
    placement = models.ForeignKey(
        "visitation.Placement",
        verbose_name="bevilling",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="ledger_entries",
    )
    generated = models.BooleanField("automatisk oprettet", default=False)
    generated_key = models.CharField("automatiknøgle", max_length=40, blank=True)
    generated_data = models.JSONField("automatikdata", default=dict, blank=True)

    objects = LedgerEntryQuerySet.as_manager()

    class Meta:
        verbose_name = "disponering"
        verbose_name_plural = "disponeringer"
        ordering = ["start_date", "pk"]
        indexes = [
            models.Index(fields=["home", "start_date"], name="ledger_home_start"),
            # disponering.selectors._year_months_qs (grid, forecast, start pages,
            # dashboards): the homes' entries that overlap the year, found by
            # their end date, so older years' entries are never read.
            models.Index(fields=["home", "end_date"], name="ledger_home_end"),
            # budget.dashboard.selectors.sickness: the department and area
            # dashboards' long-term sickness, this year's sickness entries only.
            models.Index(fields=["home", "end_date"], condition=Q(category="sygdom"), name="ledger_sickness_home_end"),
            # disponering.selectors._year_months_qs (the ledger grid, the forecast's
            # expected changes, staff changes): the anti-join that leaves out the
            # homes' cancelled entries of the year, so the month sums never join
            # the entry table itself.
            models.Index(
                fields=["home", "end_date"], condition=Q(status="annulleret"), name="ledger_cancelled_home_end"
            ),
        ]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="ledger_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.title}"

    @property
    def last_month(self) -> dt.date:
        return self.end_date.replace(day=1)

    def get_absolute_url(self) -> str:
        return reverse("disponering:ledger", args=[self.home_id]) + f"?aar={self.start_date.year}#post-{self.pk}"


@pghistory.track()
class LeaveRules(Versioned):
    """The municipality's rule for staff leave refunds (one row, edited by the
    administrator): does a refund (barselsrefusion, sygedagpengerefusion) go
    to the home, or to a central pool the municipality keeps?

    Monthly effect on the home = temp cost − refund to the home − (wage if
    the leave is without pay); see ``services.leave_effect``.
    """

    maternity_refund_to_home = models.BooleanField(
        "barselsrefusion går til botilbuddet",
        default=False,
        help_text="Fra: refusionen går til en central barselspulje, og botilbuddet får den ikke.",
    )
    sickness_refund_to_home = models.BooleanField(
        "sygedagpengerefusion går til botilbuddet",
        default=True,
        help_text="Fra: refusionen går til en central pulje.",
    )

    class Meta:
        verbose_name = "regel for refusion ved fravær"
        verbose_name_plural = "regler for refusion ved fravær"

    def __str__(self) -> str:
        return "Regler for refusion ved fravær"

    @classmethod
    def load(cls) -> LeaveRules:
        """The saved rule, or the defaults until the administrator saves one (no write)."""
        return cls.objects.filter(pk=1).first() or cls(pk=1)

    def refund_to_home(self, category: str) -> bool:
        if category == Category.MATERNITY:
            return self.maternity_refund_to_home
        return self.sickness_refund_to_home


class LedgerEntryMonth(models.Model):
    """An entry's amount in one month. Written only by ``services``.

    ``home`` and ``account_group`` are copied from the entry so the grid and
    the forecast aggregate one table through the (home, month) index.
    """

    entry = models.ForeignKey(LedgerEntry, on_delete=models.CASCADE, related_name="months")
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="+")
    account_group = models.CharField(max_length=10, choices=AccountGroup.choices)
    month = models.DateField("måned")
    amount = models.DecimalField("beløb (kr.)", max_digits=14, decimal_places=2)

    class Meta:
        verbose_name = "disponering pr. måned"
        verbose_name_plural = "disponeringer pr. måned"
        ordering = ["entry", "month"]
        indexes = [models.Index(fields=["home", "month", "account_group"], name="ledger_month_home_month")]
        constraints = [
            models.UniqueConstraint(fields=["entry", "month"], name="ledger_month_one_per_entry_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="ledger_month_is_month_start"),
        ]

    def __str__(self) -> str:
        return f"{self.entry_id} {self.month:%m-%Y}: {self.amount}"


class LedgerMonthTotal(models.Model):
    """Σ the counted (not cancelled) entries' month amounts per home, month and
    account group: the summary the ledger grid, the forecast's expected changes,
    the start pages and the dashboards read instead of summing every entry's
    months (a home with 1,000 entries has 12,000 month rows a year, its summary
    36).

    Kept exact by Postgres statement-level triggers (migration
    0009_ledger_month_totals): every insert, update or delete of month rows,
    and every change of an entry's status into or out of "annulleret", adds
    its difference in the same statement (``amount = amount + delta``, which
    concurrent writers can interleave safely), whichever code path wrote it.
    ``months`` counts the counted month rows behind the figure; a row at 0 has
    nothing behind it and readers skip it, so the summary has exactly the keys
    of the raw ``GROUP BY``. ``tests/disponering/test_month_totals.py``
    compares it with the raw aggregate after every kind of write."""

    home_id = models.IntegerField()
    month = models.DateField()
    account_group = models.CharField(max_length=10, choices=AccountGroup.choices)
    amount = models.DecimalField(max_digits=16, decimal_places=2)
    months = models.IntegerField()

    class Meta:
        verbose_name = "disponeringer pr. måned (sammendrag)"
        verbose_name_plural = "disponeringer pr. måned (sammendrag)"
        constraints = [
            # The triggers' upsert key, and the readers' (home, month range) index:
            # disponering.selectors.expected_changes* and year_totals_for_homes.
            models.UniqueConstraint(fields=["home_id", "month", "account_group"], name="ledger_total_home_month_group"),
        ]

    def __str__(self) -> str:
        return f"{self.home_id} {self.month:%m-%Y} {self.account_group}: {self.amount}"
