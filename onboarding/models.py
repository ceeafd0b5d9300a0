"""Staged imports for onboarding a municipality.

One framework serves every kind of onboarding file (the organisation, users,
original budgets, existing placements): the file is read and validated as a
whole, its good rows are kept as ``StagedRow`` (normalised values, with their
line number in the file), and nothing is written to the real tables until the
administrator has seen the reconciliation (rows in the file = staged = to be
written, per target table) and confirms. Confirming writes everything in one
transaction and records what was written on the batch, so the import's page
keeps the figures.
"""

from __future__ import annotations

import pghistory
from django.conf import settings
from django.db import models

from botilbud.models import Versioned


class ImportKind(models.TextChoices):
    ORGANISATION = "organisation", "Områder og botilbud"
    USERS = "brugere", "Brugere"
    BUDGET = "budget", "Oprindeligt budget"
    PLACEMENTS = "bevillinger", "Bevillinger"


@pghistory.track()
class ImportBatch(Versioned):
    class Status(models.TextChoices):
        PREVIEW = "preview", "Afventer godkendelse"
        DONE = "done", "Indlæst"
        DISCARDED = "discarded", "Annulleret"

    kind = models.CharField("type", max_length=20, choices=ImportKind.choices)
    file_name = models.CharField("fil", max_length=255)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="indlæst af", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField("oprettet", auto_now_add=True)
    applied_at = models.DateTimeField("indlæst", null=True, blank=True)
    status = models.CharField("status", max_length=20, choices=Status.choices, default=Status.PREVIEW)
    row_count = models.PositiveIntegerField("rækker i filen", default=0)
    # [{"target": "homes", "label": "Botilbud", "in_file": n, "staged": n,
    #   "create": n, "update": n, "unchanged": n, "written": n|None, "amount": "…"|None}]
    reconciliation = models.JSONField("afstemning", default=list)

    class Meta:
        verbose_name = "indlæsning"
        verbose_name_plural = "indlæsninger"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "status"], name="import_batch_kind_status")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.file_name}"


class StagedRow(models.Model):
    """A validated row waiting for the confirmation of its batch (JSON: the
    kind's normalised values, never the raw text)."""

    batch = models.ForeignKey(ImportBatch, on_delete=models.CASCADE, related_name="rows")
    line = models.PositiveIntegerField("linje")
    data = models.JSONField()

    class Meta:
        ordering = ["batch", "line"]
