"""Next year's budget as a draft built from the models.

- ``BudgetDraft``: one home's draft of year N's original budget: computed from
  the models (``budget.nextyear.services.draft_compute``), adjusted line by
  line, then locked. Locking writes the home's ``BudgetLine`` rows for N (the
  original budget per account group), so N's budget page, forecast and
  follow-up use it; corrections (a carry-over booked at year-end) stay on top.
  A locked draft is read-only.
- ``BudgetDraftLine``: one line of the draft, on one KL account (function,
  dranst, art) of the home's cost centre: what the model gave
  (``model_amount``, with the model's inputs in ``inputs``), the consultant's
  adjustment and why. Expenses positive, income negative.

Both are audited (pghistory) and versioned (optimistic locking).
"""

from __future__ import annotations

from decimal import Decimal

import pghistory
from django.conf import settings
from django.db import models
from django.db.models import Q

from botilbud.lib.validators import validate_no_cpr
from botilbud.models import AccountGroup, Home, Versioned


@pghistory.track()
class BudgetDraft(Versioned):
    class Status(models.TextChoices):
        DRAFT = "kladde", "Kladde"
        LOCKED = "laast", "Låst"

    home = models.ForeignKey(Home, verbose_name="botilbud", on_delete=models.CASCADE, related_name="budget_drafts")
    year = models.PositiveSmallIntegerField("budgetår")
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.DRAFT)
    computed_at = models.DateTimeField("beregnet")
    computed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="beregnet af", on_delete=models.PROTECT, related_name="+"
    )
    locked_at = models.DateTimeField("låst", null=True, blank=True)
    locked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="låst af",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    notes = models.JSONField("bemærkninger fra beregningen", default=list, blank=True)

    class Meta:
        verbose_name = "budgetkladde"
        verbose_name_plural = "budgetkladder"
        ordering = ["home", "-year"]
        constraints = [
            models.UniqueConstraint(fields=["home", "year"], name="budget_draft_one_per_home_year"),
            models.CheckConstraint(
                condition=Q(status="kladde") | (Q(locked_at__isnull=False) & Q(locked_by__isnull=False)),
                name="budget_draft_locked_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"Budget {self.year} for {self.home} ({self.get_status_display().lower()})"

    @property
    def is_locked(self) -> bool:
        return self.status == self.Status.LOCKED


@pghistory.track()
class BudgetDraftLine(Versioned):
    draft = models.ForeignKey(BudgetDraft, verbose_name="budgetkladde", on_delete=models.CASCADE, related_name="lines")
    key = models.SlugField("nøgle", max_length=30)
    position = models.PositiveSmallIntegerField("rækkefølge", default=0)
    label = models.CharField("linje", max_length=120)
    group = models.CharField("kontogruppe", max_length=20, choices=AccountGroup.choices)
    function_code = models.CharField("funktion", max_length=20)
    dranst = models.CharField("dranst", max_length=1, default="1")
    art_code = models.CharField("art", max_length=20)
    model_amount = models.DecimalField("beregnet af modellen", max_digits=14, decimal_places=2)
    adjustment = models.DecimalField("tilpasning", max_digits=14, decimal_places=2, default=Decimal("0"))
    adjustment_reason = models.CharField(
        "begrundelse for tilpasningen", max_length=300, blank=True, validators=[validate_no_cpr]
    )
    source = models.CharField("kilde", max_length=300)
    inputs = models.JSONField("modellens input", default=list, blank=True)

    class Meta:
        verbose_name = "linje i budgetkladde"
        verbose_name_plural = "linjer i budgetkladder"
        ordering = ["draft", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["draft", "key"], name="budget_draft_line_key_once"),
            models.CheckConstraint(
                condition=Q(adjustment=0) | ~Q(adjustment_reason=""),
                name="budget_draft_line_adjustment_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.label} ({self.draft})"

    @property
    def amount(self) -> Decimal:
        """The line's budget: the model's amount plus the consultant's adjustment."""
        return self.model_amount + self.adjustment

    @property
    def account(self) -> str:
        """The KL account string as the finance systems write it: function.dranst.art."""
        return f"{self.function_code}.{self.dranst}.{self.art_code}"
