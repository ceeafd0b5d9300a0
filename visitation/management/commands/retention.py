"""Retention job: ``manage.py retention`` (dry run) / ``manage.py retention --apply``.

Anonymises citizens whose last placement ended ``BOTILBUD_RETENTION_YEARS``
(5) years ago or more (visitation/retention.py). Without ``--apply`` it only
prints the report and writes nothing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from botilbud.lib.money import format_kr
from visitation.retention import apply_retention, retention_report


class Command(BaseCommand):
    help = "Anonymiserer borgere, hvis sidste bevilling ophørte for mindst N år siden (standard: prøvekørsel)."

    def add_arguments(self, parser: CommandParser) -> None:
        mode = parser.add_mutually_exclusive_group()
        mode.add_argument(
            "--dry-run", action="store_true", help="Vis kun, hvem der ville blive anonymiseret (standard)."
        )
        mode.add_argument("--apply", action="store_true", help="Anonymiser dem, og registrer kørslen.")
        parser.add_argument("--years", type=int, help="År efter sidste ophør (standard BOTILBUD_RETENTION_YEARS).")
        parser.add_argument("--today", help="Dato (ÅÅÅÅ-MM-DD); standard er i dag.")
        parser.add_argument("--job", default="", help="Navn på jobbet i revisionssporet.")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            today = dt.date.fromisoformat(str(options["today"])) if options["today"] else timezone.localdate()
        except ValueError as error:
            raise CommandError("--today skal være en dato som 2026-12-01.") from error
        years = options["years"]
        if years is not None and years < 1:
            raise CommandError("--years skal være mindst 1.")
        report = retention_report(today=today, years=years)
        self.stdout.write(
            f"Sletteregel pr. {report.today:%d-%m-%Y}: borgere, hvis sidste bevilling ophørte senest "
            f"{report.cutoff:%d-%m-%Y} ({report.years} år): {report.count}."
        )
        for due in report.due:
            amount = format_kr(due.ledger_amount) if due.ledger_amount is not None else "–"
            self.stdout.write(
                f"  {due.case_number} ({due.initials}): sidste ophør {due.last_end:%d-%m-%Y}, "
                f"{due.placements} bevillinger, {due.ledger_entries} disponeringsposter ({amount} beholdes), "
                f"{due.statement_lines} afregningslinjer"
            )
        if not options["apply"]:
            self.stdout.write("Prøvekørsel: intet er ændret. Kør med --apply for at anonymisere.")
            return
        run = apply_retention(today=today, years=years, job=str(options["job"] or "manage.py retention --apply"))
        self.stdout.write(f"Anonymiseret: {run.citizens} borgere (kørsel {run.pk}).")
