"""``manage.py create_followup_rounds --year 2027 [--months 2,4,6,8,10,12]``"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from budget.followup.services import rounds_create


class Command(BaseCommand):
    help = "Opretter årets opfølgningsrunder (månedligt som standard) med frister i den følgende måned."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True)
        parser.add_argument("--months", default="", help="Fx 2,4,6,8,10,12 (standard: alle måneder).")
        parser.add_argument("--prepare-day", type=int, default=8)
        parser.add_argument("--confirm-day", type=int, default=12)
        parser.add_argument("--approve-day", type=int, default=16)

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            months = [int(m) for m in str(options["months"]).split(",") if m.strip()] or None
            created = rounds_create(
                year=int(options["year"]),
                months=months,
                prepare_day=int(options["prepare_day"]),
                confirm_day=int(options["confirm_day"]),
                approve_day=int(options["approve_day"]),
            )
        except (ValueError, ValidationError) as error:
            raise CommandError(f"Ugyldige runder: {error}") from error
        self.stdout.write(f"{len(created)} runder oprettet for {options['year']}.")
