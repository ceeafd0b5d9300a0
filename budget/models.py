"""Budgets, actuals and the staff-hours plan.

- ``Account``: the chart of accounts as data. A finance-system line (KL
  function + art code) lands in the account group of the most specific
  matching row (exact function before "any function", longest art prefix).
- ``BudgetLine``: a home's budget for a year and account group: the original
  budget, corrections as ``BudgetCorrection`` rows (never overwritten), and a
  monthly profile (relative weights; empty = 1/12 each).
- ``Actual`` / ``ActualTotal``: imported postings and their per-month totals
  (kept in step by the import, so the forecast reads a small table).
- ``ActualsImport``: one import run (who, when, what); ``StagedActual`` holds a
  validated file between the preview and the confirmation.
- ``StaffingPlan``: the inputs of the wage budget → staff hours tool.

Expenses are positive and income negative, as in the municipal accounts.
"""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models
from django.db.models import Q

from botilbud.lib.tabular import ReadOptions
from botilbud.lib.validators import COMMENT_LENGTH, free_text, validate_no_cpr
from botilbud.models import AccountGroup, Home, Versioned
from budget.profiles import own_layout_index
from budget.staffing import GroupInput, StaffingInput


class Dranst(models.TextChoices):
    """KL's dranst (the third part of an account)."""

    OPERATIONS = "1", "1 Drift"
    STATE_REFUND = "2", "2 Statsrefusion"
    CONSTRUCTION = "3", "3 Anlæg"


@pghistory.track()
class AccountFunction(Versioned):
    """A KL function (hovedkonto.hovedfunktion.funktion, e.g. 5.38.50), optionally with a 3-digit gruppering."""

    code = models.CharField(
        "funktion",
        max_length=20,
        unique=True,
        validators=[
            RegexValidator(
                r"^[0-9]\.[0-9]{2}\.[0-9]{2}(\.[0-9]{3})?$", "Skriv funktionen som 5.38.50 eller 5.38.50.001."
            )
        ],
    )
    name = models.CharField("betegnelse", max_length=200)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "funktion (kontoplan)"
        verbose_name_plural = "funktioner (kontoplan)"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@pghistory.track()
class AccountArt(Versioned):
    """A KL art or art group (e.g. 4 services, 4.7 purchases from municipalities, 4.71 …)."""

    code = models.CharField(
        "art",
        max_length=20,
        unique=True,
        validators=[RegexValidator(r"^[0-9](\.[0-9]{1,2})?$", "Skriv arten som 4, 4.7 eller 4.71.")],
    )
    name = models.CharField("betegnelse", max_length=200)

    class Meta:
        verbose_name = "art (kontoplan)"
        verbose_name_plural = "arter (kontoplan)"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


@pghistory.track()
class GroupDefinition(Versioned):
    """An account group shown on screen. ``code`` is what ``Actual.group`` holds; ``kind`` is the
    coarse group (``AccountGroup``: wages / operations / income) that budgets, totals and every
    page that needs only three groups use. The three coarse codes are groups of their own kind."""

    code = models.SlugField("kode", max_length=20, unique=True)
    name = models.CharField("navn", max_length=120)
    kind = models.CharField("hovedgruppe", max_length=20, choices=AccountGroup.choices)
    order = models.PositiveSmallIntegerField("rækkefølge", default=100)

    class Meta:
        verbose_name = "kontogruppe"
        verbose_name_plural = "kontogrupper"
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name


@pghistory.track()
class Account(Versioned):
    """One mapping row: function prefix (blank = any) + dranst (blank = any) + art prefix → account group.

    A posting lands in the most specific matching row: longest art prefix, then longest function
    prefix, then a given dranst before "any". Changing a row regroups the history
    (``budget.chart.regroup_actuals``, in the same transaction).
    """

    function_code = models.CharField(
        "funktion",
        max_length=20,
        blank=True,
        help_text="KL-funktion eller begyndelsen af den, fx 5.38.50, 5.38.50.001 eller 5.38. Tom = alle funktioner.",
    )
    dranst = models.CharField("dranst", max_length=1, blank=True, choices=Dranst.choices, help_text="Tom = alle.")
    art_prefix = models.CharField(
        "art (præfiks)", max_length=20, help_text="Art eller begyndelsen af den, fx 1 (løn), 4.7 eller 7."
    )
    group = models.CharField("kontogruppe", max_length=20, help_text="Koden på en kontogruppe.")
    name = models.CharField("betegnelse", max_length=200, blank=True)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "kontoplan (kobling)"
        verbose_name_plural = "kontoplan (koblinger)"
        ordering = ["function_code", "dranst", "art_prefix"]
        constraints = [
            models.UniqueConstraint(
                fields=["function_code", "dranst", "art_prefix"], name="account_function_dranst_art_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.function_code or '*'} / {self.dranst or '*'} / {self.art_prefix} → {self.group}"

    def clean(self) -> None:
        if self.group and not GroupDefinition.objects.filter(code=self.group).exists():
            raise ValidationError({"group": f"Kontogruppen »{self.group}« findes ikke."})


@pghistory.track()
class BudgetLine(Versioned):
    home = models.ForeignKey(Home, verbose_name="botilbud", on_delete=models.CASCADE, related_name="budget_lines")
    year = models.PositiveSmallIntegerField("år")
    group = models.CharField("kontogruppe", max_length=20, choices=AccountGroup.choices)
    original = models.DecimalField("oprindeligt budget", max_digits=14, decimal_places=2)
    profile = ArrayField(
        models.DecimalField(max_digits=9, decimal_places=4),
        verbose_name="månedsprofil",
        size=12,
        default=list,
        blank=True,
        help_text="Relative vægte pr. måned (tom = 1/12 pr. måned).",
    )

    class Meta:
        verbose_name = "budgetlinje"
        verbose_name_plural = "budgetlinjer"
        ordering = ["home", "-year", "group"]
        constraints = [
            models.UniqueConstraint(fields=["home", "year", "group"], name="budget_line_one_per_home_year_group"),
        ]
        indexes = [
            # budget.selectors.first_budget_year (MIN(year), on every page with a
            # year selector) and forecast_for_homes' budget lines of one year
            # for many homes (the dashboards, the follow-up): the year first.
            models.Index(fields=["year", "home"], name="budget_line_year_home"),
        ]

    def __str__(self) -> str:
        return f"{self.home} {self.year} {self.get_group_display()}"

    def shares(self) -> list[Decimal]:
        """The monthly shares (sum 1)."""
        weights = [Decimal(w) for w in self.profile] if len(self.profile) == 12 else [Decimal(1)] * 12
        total = sum(weights)
        if total == 0:
            weights, total = [Decimal(1)] * 12, Decimal(12)
        return [w / total for w in weights]


class CorrectionKind(models.TextChoices):
    """The kinds of budget correction (DESIGN.md, "The budget year's life cycle")."""

    TECHNICAL = "teknisk", "Teknisk korrektion"
    SUPPLEMENTARY = "tillaegsbevilling", "Tillægsbevilling"
    REALLOCATION = "omplacering", "Omplacering"
    CARRY_OVER = "overfoersel", "Overførsel fra sidste år"


class CorrectionStatus(models.TextChoices):
    PROPOSED = "foreslaaet", "Afventer godkendelse"
    APPROVED = "godkendt", "Godkendt"
    REJECTED = "afvist", "Afvist"


@pghistory.track()
class BudgetCorrection(Versioned):
    """A change to a budget line's budget. Never edited: only its decision (proposed →
    approved or rejected) changes, and pghistory keeps each step.

    Only approved corrections count in the corrected budget. Who approves what
    (``budget.corrections.can_decide``): a technical correction is approved by the
    consultant who registers it; a tillægsbevilling (with the council's decision),
    an omplacering and a carry-over need the department head (or the administrator).
    An omplacering is two rows (−amount on the source, +amount on the target) with the
    same ``transfer`` id, written and decided in one transaction.
    """

    line = models.ForeignKey(
        BudgetLine, verbose_name="budgetlinje", on_delete=models.CASCADE, related_name="corrections"
    )
    kind = models.CharField("type", max_length=20, choices=CorrectionKind.choices, default=CorrectionKind.TECHNICAL)
    # Default approved: a technical correction is approved when registered; the services
    # create the other kinds as proposed.
    status = models.CharField(
        "status", max_length=20, choices=CorrectionStatus.choices, default=CorrectionStatus.APPROVED
    )
    date = models.DateField("dato")
    amount = models.DecimalField("beløb", max_digits=14, decimal_places=2)
    reason = models.CharField("begrundelse", max_length=300, validators=[validate_no_cpr])
    council_decision = models.CharField(
        "byrådets beslutning",
        max_length=200,
        blank=True,
        validators=[validate_no_cpr],
        help_text="Fx »Byrådet, møde 24-03-2026, punkt 12«.",
    )
    council_date = models.DateField("beslutningsdato", null=True, blank=True)
    transfer = models.UUIDField("omplacering", null=True, blank=True, db_index=True)
    computation = models.TextField("beregning", blank=True)
    carry_over = models.ForeignKey(
        "budget.CarryOver",
        verbose_name="overførsel",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="corrections",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="registreret af", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("registreret", auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="afgjort af",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decided_at = models.DateTimeField("afgjort", null=True, blank=True)
    decision_note = models.CharField(
        "bemærkning til afgørelsen", max_length=300, blank=True, validators=[validate_no_cpr]
    )

    class Meta:
        verbose_name = "budgetkorrektion"
        verbose_name_plural = "budgetkorrektioner"
        ordering = ["line", "date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="tillaegsbevilling") | (~Q(council_decision="") & Q(council_date__isnull=False)),
                name="correction_supplementary_has_council_decision",
            ),
            models.CheckConstraint(
                condition=~Q(kind="omplacering") | Q(transfer__isnull=False),
                name="correction_reallocation_has_transfer",
            ),
        ]
        indexes = [
            # The approval queue: proposed corrections.
            models.Index(fields=["status"], name="correction_status", condition=Q(status="foreslaaet")),
        ]

    def __str__(self) -> str:
        return f"{self.line}: {self.amount} ({self.get_kind_display()}: {self.reason})"


@pghistory.track()
class ActualsImport(Versioned):
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
        "ImportProfile", verbose_name="profil", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reconciliation = models.JSONField(
        "afstemning",
        default=list,
        blank=True,
        help_text="Pr. omkostningssted: rækker og beløb i filen, indlæst, skrevet, erstattet.",
    )
    row_count = models.PositiveIntegerField("rækker", default=0)
    total = models.DecimalField("i alt", max_digits=16, decimal_places=2, default=Decimal("0"))
    replaced_rows = models.PositiveIntegerField("erstattede rækker", default=0)

    class Meta:
        verbose_name = "forbrugsimport"
        verbose_name_plural = "forbrugsimporter"
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%d-%m-%Y %H:%M})"


class Actual(models.Model):
    """One posting from the finance system (not history-tracked: imports replace
    whole months, and the import run records who did it)."""

    # No database constraint: a per-row foreign-key check cost more than the whole import (1M rows);
    # the import resolves every home through the cost-centre join and locks the homes it writes to
    # (FOR KEY SHARE, what the check would take row by row). Deleting a home still cascades (Django).
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    month = models.DateField("måned")
    group = models.CharField("kontogruppe", max_length=20, help_text="Koden på en GroupDefinition.")
    function_code = models.CharField("funktion", max_length=20)
    dranst = models.CharField("dranst", max_length=1, blank=True, default="", db_default="")
    art_code = models.CharField("art", max_length=20)
    account = models.CharField("kontostreng", max_length=80, blank=True, default="", db_default="")
    cost_centre = models.CharField("omkostningssted", max_length=40, blank=True, default="", db_default="")
    posting_date = models.DateField("bogføringsdato", null=True, blank=True)
    amount = models.DecimalField("beløb", max_digits=14, decimal_places=2)
    text = models.CharField("tekst", max_length=200, blank=True)
    batch = models.ForeignKey(
        ActualsImport, on_delete=models.DO_NOTHING, null=True, db_index=False, db_constraint=False, related_name="+"
    )
    # The table is partitioned by LIST (part) (migration 0016): 0 = the partition budget_actual_main; a large
    # import's rows have its id here and live in a partition of their own (``budget.importer.apply``).
    part = models.IntegerField(
        "partition",
        default=0,
        db_default=0,
        editable=False,
        help_text="0: the partition budget_actual_main; else the import whose own partition holds it.",
    )

    class Meta:
        verbose_name = "forbrugspostering"
        verbose_name_plural = "forbrugsposteringer"
        indexes = [
            models.Index(fields=["home", "month"], name="actual_home_month"),
            # budget.selectors.group_parts_for_homes: the postings of the finer
            # groups (»heraf«, codes other than the three kinds'), summed per
            # home for the year to date, without reading the kinds' own postings
            # (the follow-up roll-ups read 150 homes' year). Postings of the
            # kinds' own codes are not in it, so most imports write nothing here.
            models.Index(
                fields=["home", "month", "group"],
                name="actual_finer_groups",
                include=["amount"],
                condition=~Q(group__in=AccountGroup.values),
            ),
        ]


class ActualRawKey(models.Model):
    """A large import's account cells, resolved (``budget.importer``, migration 0018): its rows stay in
    ``budget_actualraw_b<import id>`` as the file's cells, as COPY wrote them, and ``Posting`` joins each row
    to its key by the cells. Regrouping changes ``group`` here, not in the rows; deleting a home deletes its
    keys (Django's cascade), and with them the rows from the postings."""

    batch_id = models.BigIntegerField()
    # The file's cells, as they are ('' for a column the profile does not have).
    cc = models.TextField()
    fn = models.TextField()
    dr = models.TextField()
    art = models.TextField()
    acct = models.TextField()
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="+", db_index=False, db_constraint=False)
    cost_centre = models.CharField(max_length=40)
    group = models.CharField(max_length=20)
    function_code = models.CharField(max_length=20)
    dranst = models.CharField(max_length=1)
    art_code = models.CharField(max_length=20)
    account = models.CharField(max_length=80)
    sign = models.SmallIntegerField(help_text="-1: the profile flips the file's signs.")

    class Meta:
        indexes = [models.Index(fields=["batch_id"], name="actual_raw_key_batch")]


class ActualRawPeriod(models.Model):
    """A large import's period and posting-date cells, resolved (see ``ActualRawKey``)."""

    batch_id = models.BigIntegerField()
    period = models.TextField()
    pdate = models.TextField()
    month = models.DateField()
    posting_date = models.DateField(null=True)

    class Meta:
        indexes = [models.Index(fields=["batch_id"], name="actual_raw_period_batch")]


class ActualRawSum(models.Model):
    """A large import's rows summed per key (``ActualRawKey``) and month, written from the checks' sums when the
    import keeps its raw rows (migration 0019; per month since 0020, before per period cell, which includes
    the posting date): what ``PostingSum`` reads instead of the rows. Replacing deletes it with the rows it sums."""

    batch_id = models.BigIntegerField()
    key_id = models.BigIntegerField()
    month = models.DateField()
    n = models.BigIntegerField()
    amount = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["batch_id"], name="actual_raw_sum_batch")]


class PostingSum(models.Model):
    """Every posting, for readers that sum: the SQL view ``budget_postingsum`` (migration 0019) =
    ``Actual``'s rows (``n`` 1 each) and every raw import's ``ActualRawSum`` rows joined to their keys, with
    ``Posting``'s columns but the text and dates. Sum ``n`` for a count and ``amount`` for a total."""

    home = models.ForeignKey(Home, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    month = models.DateField("måned")
    group = models.CharField("kontogruppe", max_length=20)
    function_code = models.CharField("funktion", max_length=20)
    dranst = models.CharField("dranst", max_length=1)
    art_code = models.CharField("art", max_length=20)
    account = models.CharField("kontostreng", max_length=80)
    cost_centre = models.CharField("omkostningssted", max_length=40)
    n = models.BigIntegerField()
    amount = models.DecimalField("beløb", max_digits=16, decimal_places=2)
    part = models.IntegerField("partition")

    class Meta:
        managed = False
        db_table = "budget_postingsum"


class Posting(models.Model):
    """Every posting, read-only: the SQL view ``budget_posting`` (migration 0018) = ``Actual``'s rows
    (``budget_actual``) and every large import's raw rows joined to their keys (``ActualRawKey``,
    ``ActualRawPeriod``), with the same columns. Readers of postings read this; writers write ``Actual``.
    A raw row's ``id`` is negative (its import and its place in the table)."""

    home = models.ForeignKey(Home, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False)
    month = models.DateField("måned")
    group = models.CharField("kontogruppe", max_length=20)
    function_code = models.CharField("funktion", max_length=20)
    dranst = models.CharField("dranst", max_length=1)
    art_code = models.CharField("art", max_length=20)
    account = models.CharField("kontostreng", max_length=80)
    cost_centre = models.CharField("omkostningssted", max_length=40)
    posting_date = models.DateField("bogføringsdato", null=True)
    amount = models.DecimalField("beløb", max_digits=14, decimal_places=2)
    text = models.CharField("tekst", max_length=200)
    batch = models.ForeignKey(
        ActualsImport, on_delete=models.DO_NOTHING, null=True, db_constraint=False, related_name="+"
    )
    part = models.IntegerField("partition")

    class Meta:
        managed = False
        db_table = "budget_posting"
        verbose_name = "postering"
        verbose_name_plural = "posteringer"


@pghistory.track()
class CostCentre(Versioned):
    """A cost centre (omkostningssted) or PSP element of a home; one home may have several.
    ``Home.cost_centre`` stays the home's main cost centre and is always recognised too."""

    code = models.CharField("omkostningssted / PSP", max_length=40, unique=True)
    home = models.ForeignKey(Home, verbose_name="botilbud", on_delete=models.CASCADE, related_name="cost_centres")
    name = models.CharField("betegnelse", max_length=200, blank=True)
    is_active = models.BooleanField("aktiv", default=True)

    class Meta:
        verbose_name = "omkostningssted"
        verbose_name_plural = "omkostningssteder"
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} ({self.home})"

    def clean(self) -> None:
        other = Home.objects.filter(cost_centre=self.code).exclude(pk=self.home_id).first()
        if other:
            raise ValidationError({"code": f"Omkostningsstedet »{self.code}« er hovedomkostningssted for {other}."})


@pghistory.track()
class ImportProfile(Versioned):
    """How one finance system's export is laid out (see ``budget.profiles``). Set up once per layout."""

    class Separator(models.TextChoices):
        AUTO = "", "Genkend selv"
        SEMICOLON = ";", "Semikolon (;)"
        TAB = "\t", "Tabulator"
        COMMA = ",", "Komma (,)"
        PIPE = "|", "Lodret streg (|)"

    class Encoding(models.TextChoices):
        AUTO = "", "Genkend selv (UTF-8 eller Windows-1252; UTF-16 med BOM)"
        UTF8 = "utf-8", "UTF-8"
        WIN1252 = "cp1252", "Windows-1252"
        UTF16 = "utf-16", "UTF-16"

    class Sign(models.TextChoices):
        AS_IS = "as_is", "Som i filen (udgifter positive, indtægter negative)"
        FLIP = "flip", "Vend fortegnet"

    name = models.CharField("navn", max_length=120, unique=True)
    description = models.CharField("beskrivelse", max_length=300, blank=True, validators=[validate_no_cpr])
    title_lines = models.PositiveSmallIntegerField("titellinjer over overskriften", default=0)
    separator = models.CharField("skilletegn", max_length=2, blank=True, choices=Separator.choices)
    encoding = models.CharField("tegnkodning", max_length=10, blank=True, choices=Encoding.choices)
    col_cost_centre = models.CharField("kolonne: omkostningssted / PSP", max_length=120)
    col_function = models.CharField("kolonne: funktion", max_length=120, blank=True)
    col_dranst = models.CharField("kolonne: dranst", max_length=120, blank=True)
    col_art = models.CharField("kolonne: art", max_length=120, blank=True)
    col_account = models.CharField("kolonne: kontostreng", max_length=120, blank=True)
    account_pattern = models.CharField(
        "mønster for kontostrengen",
        max_length=60,
        blank=True,
        help_text="F = funktion, G = gruppering, D = dranst, A = art, ? = et vilkårligt tegn. "
        "Fx »FFFFF? D AA« for 538500 1 11 eller »F.FF.FF.GGG.D.AA« for 5.38.50.001.1.11.",
    )
    col_period = models.CharField("kolonne: periode", max_length=120, blank=True)
    period_format = models.CharField("periodeformat", max_length=10, default="auto")
    col_posting_date = models.CharField("kolonne: bogføringsdato", max_length=120, blank=True)
    date_format = models.CharField("datoformat", max_length=12, default="auto")
    col_amount = models.CharField("kolonne: beløb", max_length=120)
    number_format = models.CharField("talformat", max_length=4, default="da")
    sign = models.CharField("fortegn", max_length=10, choices=Sign.choices, default=Sign.AS_IS)
    col_text = models.CharField("kolonne: tekst", max_length=120, blank=True)
    is_builtin = models.BooleanField("leveres med systemet", default=False, editable=False)
    own_layout = models.BooleanField(
        "appens eget format",
        default=False,
        editable=False,
        help_text="Kolonnerne genkendes på deres navne (dansk eller engelsk, vilkårlig rækkefølge) i stedet for "
        "profilens kolonnenavne.",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "importprofil"
        verbose_name_plural = "importprofiler"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @staticmethod
    def column_fields() -> list[tuple[str, str]]:
        return [
            ("col_cost_centre", "omkostningssted"),
            ("col_function", "funktion"),
            ("col_dranst", "dranst"),
            ("col_art", "art"),
            ("col_account", "kontostreng"),
            ("col_period", "periode"),
            ("col_posting_date", "bogføringsdato"),
            ("col_amount", "beløb"),
            ("col_text", "tekst"),
        ]

    def read_options(self, **limits):  # noqa: ANN003, ANN201
        wanted = {c.strip().lower() for c in (self.col_cost_centre, self.col_amount) if c}

        def is_header(cells: list) -> bool:  # noqa: ANN001
            if self.own_layout:
                try:
                    own_layout_index(cells)
                except ValueError:
                    return False
                return True
            return wanted <= {str(c or "").strip().lower() for c in cells}

        return ReadOptions(
            separator=self.separator or None,
            encoding=self.encoding or None,
            title_lines=self.title_lines,
            find_header=is_header,
            **limits,
        )


class ActualTotal(models.Model):
    """Σ actuals per home, month and coarse account group (``GroupDefinition.kind``: loen / drift /
    indtaegt), kept by the import and by regrouping; every page that needs three groups reads it."""

    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField("måned")
    group = models.CharField("kontogruppe", max_length=20, choices=AccountGroup.choices)
    amount = models.DecimalField("beløb", max_digits=16, decimal_places=2)
    row_count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["home", "month", "group"], name="actual_total_home_month_group"),
        ]


class ActualYear(models.Model):
    """``ActualTotal`` folded into one row per home, year and account group:
    ``mNN`` is month NN's amount, ``nNN`` how many ``ActualTotal`` rows are
    behind it (0 or 1). The dashboards and the follow-up read the actuals to
    date of many homes from it: month m's figure is m01 + … + m_m, a few
    additions on 3 rows a home instead of summing up to 36 month rows each,
    and a closed year's total is one row per group.

    Kept exact by statement-level Postgres triggers on ``budget_actualtotal``
    (migration 0015_actual_year): every insert, update or delete there, by the
    import, the regrouping, the demo seeder or by hand, adds its difference to
    the month's column in the same statement (``mNN = mNN + delta``, which
    concurrent writers can interleave safely). ``tests/budget/test_actual_year.py``
    compares it with the raw ``ActualTotal`` aggregate."""

    home_id = models.IntegerField()
    year = models.PositiveSmallIntegerField()
    group = models.CharField(max_length=20)
    m01 = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    m02 = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    m03 = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    m04 = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    m05 = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    m06 = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    m07 = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    m08 = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    m09 = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    m10 = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    m11 = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    m12 = models.DecimalField(max_digits=16, decimal_places=2, default=0)
    n01 = models.IntegerField(default=0)
    n02 = models.IntegerField(default=0)
    n03 = models.IntegerField(default=0)
    n04 = models.IntegerField(default=0)
    n05 = models.IntegerField(default=0)
    n06 = models.IntegerField(default=0)
    n07 = models.IntegerField(default=0)
    n08 = models.IntegerField(default=0)
    n09 = models.IntegerField(default=0)
    n10 = models.IntegerField(default=0)
    n11 = models.IntegerField(default=0)
    n12 = models.IntegerField(default=0)

    class Meta:
        verbose_name = "forbrug pr. år (sammendrag)"
        verbose_name_plural = "forbrug pr. år (sammendrag)"
        constraints = [
            # The triggers' upsert key; budget.selectors.forecast_for_homes and
            # the dashboards' accuracy read one year of many homes by it.
            models.UniqueConstraint(fields=["year", "home_id", "group"], name="actual_year_year_home_group"),
        ]

    def __str__(self) -> str:
        return f"{self.home_id} {self.year} {self.group}"


class StagedActual(models.Model):
    """A validated row waiting for the user's confirmation of its import."""

    batch = models.ForeignKey(ActualsImport, on_delete=models.CASCADE, related_name="staged")
    home = models.ForeignKey(Home, on_delete=models.CASCADE, related_name="+", db_index=False)
    month = models.DateField()
    group = models.CharField(max_length=20)
    function_code = models.CharField(max_length=20)
    dranst = models.CharField(max_length=1, blank=True, default="", db_default="")
    art_code = models.CharField(max_length=20)
    account = models.CharField(max_length=80, blank=True, default="", db_default="")
    cost_centre = models.CharField(max_length=40, blank=True, default="", db_default="")
    row_no = models.PositiveIntegerField(default=0, db_default=0)
    posting_date = models.DateField(null=True)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    text = models.CharField(max_length=200, blank=True)


@pghistory.track()
class StaffingPlan(Versioned):
    """The inputs of the wage budget → staff hours tool for a home and year."""

    home = models.ForeignKey(Home, verbose_name="botilbud", on_delete=models.CASCADE, related_name="staffing_plans")
    year = models.PositiveSmallIntegerField("år")
    wage_budget = models.DecimalField("lønbudget (kr.)", max_digits=14, decimal_places=2)
    annual_wage_cost = models.DecimalField(
        "gns. årlig lønudgift pr. årsværk (kr.)", max_digits=12, decimal_places=2, default=Decimal("480000")
    )
    annual_norm_hours = models.DecimalField(
        "årsnorm (timer pr. årsværk)", max_digits=7, decimal_places=2, default=Decimal("1924")
    )
    holiday_weeks = models.DecimalField("ferieuger", max_digits=4, decimal_places=2, default=Decimal("5"))
    extra_holiday_days = models.DecimalField("feriefridage", max_digits=4, decimal_places=2, default=Decimal("5"))
    sickness_pct = models.DecimalField("sygefravær (%)", max_digits=5, decimal_places=2, default=Decimal("5"))
    competence_hours = models.DecimalField(
        "kompetenceudvikling (timer pr. årsværk)", max_digits=6, decimal_places=2, default=Decimal("22")
    )
    meeting_hours = models.DecimalField(
        "møder og supervision (timer pr. årsværk)", max_digits=6, decimal_places=2, default=Decimal("40")
    )
    other_hours = models.DecimalField(
        "anden tid uden for vagtplanen (timer pr. årsværk)", max_digits=6, decimal_places=2, default=Decimal("0")
    )
    roster_hours_per_week = models.DecimalField(
        "vagtplan til beregning af pris (timer pr. uge)", max_digits=8, decimal_places=2, null=True, blank=True
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "medarbejdertimeplan"
        verbose_name_plural = "medarbejdertimeplaner"
        constraints = [
            models.UniqueConstraint(fields=["home", "year"], name="staffing_plan_one_per_home_year"),
            models.CheckConstraint(condition=Q(annual_wage_cost__gt=0), name="staffing_wage_cost_positive"),
            models.CheckConstraint(
                condition=Q(sickness_pct__gte=0) & Q(sickness_pct__lt=100), name="staffing_sickness_pct_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.home} {self.year}"

    def staffing_input(self, year: int) -> StaffingInput:
        """The plan as the staff-hours calculation reads it (its staff groups once it is saved)."""
        groups = (
            tuple(
                GroupInput(
                    name=g.name,
                    share_pct=g.share_pct,
                    annual_wage_cost=g.annual_wage_cost,
                    evening_pct=g.evening_pct,
                    night_pct=g.night_pct,
                    weekend_pct=g.weekend_pct,
                    evening_supplement=g.evening_supplement,
                    night_supplement=g.night_supplement,
                    weekend_supplement=g.weekend_supplement,
                )
                for g in self.groups.all()
            )
            if self.pk
            else ()
        )
        return StaffingInput(
            groups=groups,
            wage_budget=self.wage_budget,
            annual_wage_cost=self.annual_wage_cost,
            year=year,
            annual_norm_hours=self.annual_norm_hours,
            holiday_weeks=self.holiday_weeks,
            extra_holiday_days=self.extra_holiday_days,
            sickness_pct=self.sickness_pct,
            competence_hours=self.competence_hours,
            meeting_hours=self.meeting_hours,
            other_hours=self.other_hours,
        )


@pghistory.track()
class StaffGroup(models.Model):
    """A staff group in a home's staffing plan (pædagoger, social- og
    sundhedsassistenter, night staff, management): its share of the wage
    budget, its average annual wage cost per FTE, and the inconvenience
    supplements paid per roster hour in the evening, at night and at the
    weekend, so a 24-hour home's roster hours come out right. Edited with
    the plan (the plan's version guards both), audited."""

    plan = models.ForeignKey(StaffingPlan, verbose_name="plan", on_delete=models.CASCADE, related_name="groups")
    name = models.CharField("faggruppe", max_length=60)
    position = models.PositiveSmallIntegerField("rækkefølge", default=0)
    share_pct = models.DecimalField("andel af lønbudgettet (%)", max_digits=5, decimal_places=2)
    annual_wage_cost = models.DecimalField("gns. årlig lønudgift pr. årsværk (kr.)", max_digits=12, decimal_places=2)
    evening_pct = models.DecimalField("andel af timerne om aftenen (%)", max_digits=5, decimal_places=2, default=0)
    night_pct = models.DecimalField("andel af timerne om natten (%)", max_digits=5, decimal_places=2, default=0)
    weekend_pct = models.DecimalField(
        "andel af timerne i weekender og på helligdage (%)", max_digits=5, decimal_places=2, default=0
    )
    evening_supplement = models.DecimalField("aftentillæg (kr. pr. time)", max_digits=7, decimal_places=2, default=0)
    night_supplement = models.DecimalField("nattillæg (kr. pr. time)", max_digits=7, decimal_places=2, default=0)
    weekend_supplement = models.DecimalField(
        "weekend- og helligdagstillæg (kr. pr. time)", max_digits=7, decimal_places=2, default=0
    )

    class Meta:
        verbose_name = "faggruppe i medarbejdertimeplan"
        verbose_name_plural = "faggrupper i medarbejdertimeplaner"
        ordering = ["plan", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="staff_group_name_once_per_plan"),
            models.CheckConstraint(condition=Q(annual_wage_cost__gt=0), name="staff_group_wage_cost_positive"),
            models.CheckConstraint(
                condition=Q(share_pct__gte=0)
                & Q(share_pct__lte=100)
                & Q(evening_pct__gte=0)
                & Q(evening_pct__lte=100)
                & Q(night_pct__gte=0)
                & Q(night_pct__lte=100)
                & Q(weekend_pct__gte=0)
                & Q(weekend_pct__lte=100),
                name="staff_group_pcts_in_range",
            ),
            models.CheckConstraint(
                condition=Q(evening_supplement__gte=0) & Q(night_supplement__gte=0) & Q(weekend_supplement__gte=0),
                name="staff_group_supplements_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.plan})"


class ProviderKind(models.TextChoices):
    """The provider types of visitation's ``Provider.kind``."""

    OWN = "egen", "Egne tilbud"
    OTHER_MUNICIPALITY = "anden_kommune", "Andre kommuner"
    REGION = "region", "Regioner"
    PRIVATE = "privat", "Private"


@pghistory.track()
class Baseline(Versioned):
    """The budget year's baseline assumptions (forudsætninger), frozen at the start of the year."""

    year = models.PositiveSmallIntegerField("år", unique=True)
    note = free_text("bemærkning", COMMENT_LENGTH, blank=True)
    frozen_at = models.DateTimeField("frosset", null=True, blank=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="frosset af",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = "forudsætninger for budgetår"
        verbose_name_plural = "forudsætninger for budgetår"
        ordering = ["-year"]

    def __str__(self) -> str:
        return f"Forudsætninger {self.year}"


def _twelve_zeros() -> list[int]:
    return [0] * 12


@pghistory.track()
class BaselineLine(Versioned):
    """Per paragraph, provider type (and optionally package): placements at the start of
    the year, their average annual price, the purchase budget, and the expected inflow
    and outflow (number of placements) per month."""

    baseline = models.ForeignKey(
        Baseline, verbose_name="forudsætninger", on_delete=models.CASCADE, related_name="lines"
    )
    paragraph = models.ForeignKey(
        "botilbud.Paragraph", verbose_name="paragraf", on_delete=models.PROTECT, related_name="+"
    )
    provider_kind = models.CharField("leverandørtype", max_length=20, choices=ProviderKind.choices)
    package_name = models.CharField("pakke", max_length=120, blank=True)
    placements = models.PositiveIntegerField("antal bevillinger ved årets start")
    average_price = models.DecimalField("gns. årspris (kr.)", max_digits=14, decimal_places=2)
    budget = models.DecimalField("budget (kr.)", max_digits=14, decimal_places=2, default=Decimal("0"))
    inflow = ArrayField(
        models.PositiveIntegerField(), size=12, default=_twelve_zeros, verbose_name="forventet tilgang pr. måned"
    )
    outflow = ArrayField(
        models.PositiveIntegerField(), size=12, default=_twelve_zeros, verbose_name="forventet afgang pr. måned"
    )

    class Meta:
        verbose_name = "forudsætning"
        verbose_name_plural = "forudsætninger"
        ordering = ["baseline", "paragraph", "provider_kind", "package_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["baseline", "paragraph", "provider_kind", "package_name"], name="baseline_line_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.paragraph} {self.get_provider_kind_display()}"

    def baseline_cost(self) -> Decimal:
        """Placements × average price + the year's expected inflow − outflow (each from its month)."""
        net = sum((Decimal(self.inflow[i] - self.outflow[i]) * Decimal(12 - i) / 12 for i in range(12)), Decimal(0))
        return (Decimal(self.placements) + net) * self.average_price


@pghistory.track()
class YearEnd(Versioned):
    """A budget year's close. Closed: its actuals are locked (the import refuses its months)
    and each home's result and carry-over are computed (``CarryOver``). Reopening needs a
    reason; pghistory keeps every close and reopen."""

    class Status(models.TextChoices):
        CLOSED = "lukket", "Lukket"
        REOPENED = "genaabnet", "Genåbnet"

    year = models.PositiveSmallIntegerField("år", unique=True)
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.CLOSED)
    cap_pct = models.DecimalField(
        "loft for overført overskud (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("5.00"),
        help_text="Overskud overføres op til denne procent af det korrigerede budget; resten bortfalder.",
    )
    closed_at = models.DateTimeField("lukket", null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="lukket af", on_delete=models.PROTECT, null=True, related_name="+"
    )
    reopened_at = models.DateTimeField("genåbnet", null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="genåbnet af",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reopen_reason = models.CharField(
        "begrundelse for genåbning", max_length=300, blank=True, validators=[validate_no_cpr]
    )

    class Meta:
        verbose_name = "årsafslutning"
        verbose_name_plural = "årsafslutninger"
        ordering = ["-year"]
        constraints = [
            models.CheckConstraint(condition=Q(cap_pct__gte=0) & Q(cap_pct__lte=100), name="year_end_cap_pct_range"),
        ]

    def __str__(self) -> str:
        return f"Årsafslutning {self.year}"

    @property
    def is_closed(self) -> bool:
        return self.status == self.Status.CLOSED


@pghistory.track()
class CarryOver(Versioned):
    """A home's result for a closed year and its carry-over to the next year.

    result = corrected budget − actual (positive = surplus). A surplus is carried up to
    the cap (cap % × the cap base; the rest lapses unless the department head decides
    otherwise), a deficit in full. Approved, it is booked as an "overførsel" correction
    of next year's budget; ``booked`` is what has been booked so far (a re-close after a
    reopen books only the difference, never overwriting the first booking).
    """

    class Status(models.TextChoices):
        PROPOSED = "foreslaaet", "Afventer godkendelse"
        APPROVED = "godkendt", "Godkendt og bogført"

    year_end = models.ForeignKey(YearEnd, verbose_name="årsafslutning", on_delete=models.CASCADE, related_name="+")
    home = models.ForeignKey(Home, verbose_name="botilbud", on_delete=models.CASCADE, related_name="carry_overs")
    budget = models.DecimalField("korrigeret budget (netto)", max_digits=14, decimal_places=2)
    actual = models.DecimalField("regnskab (netto)", max_digits=14, decimal_places=2)
    result = models.DecimalField("resultat", max_digits=14, decimal_places=2)
    cap_base = models.DecimalField("grundlag for loftet", max_digits=14, decimal_places=2)
    cap = models.DecimalField("loft", max_digits=14, decimal_places=2)
    proposed = models.DecimalField("beregnet overførsel", max_digits=14, decimal_places=2)
    amount = models.DecimalField("besluttet overførsel", max_digits=14, decimal_places=2)
    note = models.CharField("bemærkning til beslutningen", max_length=300, blank=True, validators=[validate_no_cpr])
    computation = models.TextField("beregning")
    booked = models.DecimalField("bogført", max_digits=14, decimal_places=2, default=Decimal("0"))
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.PROPOSED)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="godkendt af", on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_at = models.DateTimeField("godkendt", null=True, blank=True)

    class Meta:
        verbose_name = "overførsel"
        verbose_name_plural = "overførsler"
        ordering = ["year_end", "home"]
        constraints = [
            models.UniqueConstraint(fields=["year_end", "home"], name="carry_over_one_per_home_year"),
        ]

    def __str__(self) -> str:
        return f"{self.home} {self.year_end.year}: {self.amount}"

    @property
    def lapsed(self) -> Decimal:
        """The part of the result that is not carried over."""
        return self.result - self.amount
