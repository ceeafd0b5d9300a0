"""Daily status step for placements: ``manage.py visitation_daily`` (run from cron)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandParser
from django.utils import timezone

from visitation.services import placements_roll_status


class Command(BaseCommand):
    help = "Gør godkendte bevillinger aktive fra startdatoen og ophørte efter slutdatoen."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--today", help="Dato (ÅÅÅÅ-MM-DD); standard er i dag.")

    def handle(self, *args: object, **options: object) -> None:
        today = dt.date.fromisoformat(str(options["today"])) if options["today"] else timezone.localdate()
        result = placements_roll_status(today=today)
        self.stdout.write(f"{result['activated']} bevillinger aktive, {result['ended']} ophørt pr. {today:%d-%m-%Y}.")
