"""Sickness absence from the payroll/HR system (sygefravær fra lønsystemet).

- ``AbsenceProfile``: how one payroll system's absence export is laid out
  (columns by header text, separator, encoding, title lines, number and
  period formats), set up once per layout like the actuals' import profiles.
- ``AbsenceImport``: one import run (who, when, which profile), with the file's
  rows aggregated per cost centre × month between the preview and the
  confirmation, and its reconciliation (kept).
- ``SicknessAbsence``: a home's absence in a month for one cost centre: norm
  hours, sick hours, of which long-term, and the long-term sick employees.
  Not history-tracked: an import replaces whole cost-centre months, and the
  import run records who did it (as for ``budget.Actual``).

Sickness % = sick hours / norm hours × 100 (KL's absence statistics); long-term
sickness is what the payroll system reports as such (usually a continuous
absence over 29 days).
"""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from botilbud.lib.validators import validate_no_cpr
from botilbud.models import Home, Versioned
from budget.models import ImportProfile
from budget.profiles import PERIOD_FORMATS

# The actuals' period formats (budget.profiles), as model choices.
PERIOD_CHOICES = list(PERIOD_FORMATS.items())
NUMBER_CHOICES = [("da", "Dansk: 1.234,56"), ("en", "Engelsk: 1,234.56")]


@pghistory.track()
class AbsenceProfile(Versioned):
    """How one payroll system's absence export is laid out. Set up once per layout."""

    name = models.CharField("navn", max_length=120, unique=True)
    description = models.CharField("beskrivelse", max_length=300, blank=True, validators=[validate_no_cpr])
    title_lines = models.PositiveSmallIntegerField("titellinjer over overskriften", default=0)
    separator = models.CharField("skilletegn", max_length=2, blank=True, choices=ImportProfile.Separator.choices)
    encoding = models.CharField("tegnkodning", max_length=10, blank=True, choices=ImportProfile.Encoding.choices)
    col_cost_centre = models.CharField("kolonne: omkostningssted", max_length=120)
    col_period = models.CharField("kolonne: periode", max_length=120)
    period_format = models.CharField("periodeformat", max_length=10, choices=PERIOD_CHOICES, default="auto")
    col_norm_hours = models.CharField(
        "kolonne: normtimer", max_length=120, help_text="Timer medarbejderne skulle have arbejdet i måneden."
    )
    col_sick_hours = models.CharField("kolonne: sygetimer", max_length=120)
    col_long_term_hours = models.CharField(
        "kolonne: heraf langtidssygdom (timer)",
        max_length=120,
        blank=True,
        help_text="Tom, hvis lønsystemet ikke skiller langtidssygdom ud.",
    )
    col_long_term_people = models.CharField(
        "kolonne: langtidssygemeldte (antal)",
        max_length=120,
        blank=True,
        help_text="Antal medarbejdere, der er langtidssygemeldt i måneden. Tom, hvis filen ikke har den.",
    )
    number_format = models.CharField("talformat", max_length=4, choices=NUMBER_CHOICES, default="da")
    is_builtin = models.BooleanField("leveres med systemet", default=False, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "fraværsprofil"
        verbose_name_plural = "fraværsprofiler"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def column_fields() -> list[tuple[str, str]]:
        return [
            ("col_cost_centre", "omkostningssted"),
            ("col_period", "periode"),
            ("col_norm_hours", "normtimer"),
            ("col_sick_hours", "sygetimer"),
            ("col_long_term_hours", "langtidssygdom (timer)"),
            ("col_long_term_people", "langtidssygemeldte"),
        ]


@pghistory.track()
class AbsenceImport(Versioned):
    class Status(models.TextChoices):
        PREVIEW = "preview", "Afventer godkendelse"
        DONE = "done", "Indlæst"
        DISCARDED = "discarded", "Annulleret"

    file_name = models.CharField("fil", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="indlæst af",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    created_at = models.DateTimeField("oprettet", auto_now_add=True)
    applied_at = models.DateTimeField("indlæst", null=True, blank=True)
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.PREVIEW)
    profile = models.ForeignKey(
        AbsenceProfile, verbose_name="profil", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    staged = models.JSONField(
        "til skrivning", default=list, blank=True, help_text="Filens rækker lagt sammen pr. omkostningssted og måned."
    )
    reconciliation = models.JSONField(
        "afstemning", default=list, blank=True, help_text="Pr. omkostningssted: rækker og timer i filen, læst, skrevet."
    )
    row_count = models.PositiveIntegerField("rækker", default=0)
    sick_hours = models.DecimalField("sygetimer i alt", max_digits=14, decimal_places=2, default=Decimal("0"))

    class Meta:
        verbose_name = "fraværsimport"
        verbose_name_plural = "fraværsimporter"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d-%m-%Y %H:%M})"


class SicknessAbsence(models.Model):
    """A home's sickness absence in one month for one of its cost centres, as the payroll system reported it."""

    home = models.ForeignKey(Home, verbose_name="botilbud", on_delete=models.CASCADE, related_name="+")
    month = models.DateField("måned")
    cost_centre = models.CharField("omkostningssted", max_length=40)
    norm_hours = models.DecimalField("normtimer", max_digits=12, decimal_places=2)
    sick_hours = models.DecimalField("sygetimer", max_digits=12, decimal_places=2)
    long_term_hours = models.DecimalField(
        "heraf langtidssygdom (timer)", max_digits=12, decimal_places=2, null=True, blank=True
    )
    long_term_people = models.PositiveIntegerField("langtidssygemeldte", null=True, blank=True)
    rows = models.PositiveIntegerField("rækker i filen", default=1)
    batch = models.ForeignKey(AbsenceImport, verbose_name="import", on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = "sygefravær"
        verbose_name_plural = "sygefravær"
        constraints = [
            # One figure per cost centre and month: a re-import replaces it (budget.absence.services.confirm).
            models.UniqueConstraint(fields=["cost_centre", "month"], name="absence_cost_centre_month"),
            models.CheckConstraint(condition=Q(month__day=1), name="absence_month_first_day"),
            models.CheckConstraint(
                condition=Q(norm_hours__gt=0) & Q(sick_hours__gte=0) & Q(sick_hours__lte=F("norm_hours")),
                name="absence_hours_range",
            ),
            models.CheckConstraint(
                condition=Q(long_term_hours__isnull=True)
                | (Q(long_term_hours__gte=0) & Q(long_term_hours__lte=F("sick_hours"))),
                name="absence_long_term_within_sick",
            ),
        ]
        indexes = [
            # budget.absence.selectors.by_home: the homes' months of one year (follow-up section 3, dashboard).
            models.Index(fields=["home", "month"], name="absence_home_month"),
        ]

    def __str__(self) -> str:
        return f"{self.home} {self.month:%m-%Y}: {self.sick_hours}/{self.norm_hours} t"
