"""Daily job: e-mail whoever's turn it is in the follow-up round (step opened, or overdue)."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError

from budget.followup.reminders import send_reminders


class Command(BaseCommand):
    help = "Send påmindelser om budgetopfølgningen (trin åbnet eller frist overskredet). Kan køres flere gange."

    def add_arguments(self, parser) -> None:  # noqa: ANN001
        parser.add_argument("--date", help="Dagens dato som åååå-mm-dd (til test).")

    def handle(self, *args, **options) -> None:  # noqa: ANN002, ANN003
        today = None
        if options.get("date"):
            try:
                today = dt.date.fromisoformat(options["date"])
            except ValueError as exc:
                raise CommandError(f"»{options['date']}« er ikke en dato (åååå-mm-dd).") from exc
        result = send_reminders(today=today)
        self.stdout.write(
            f"Påmindelser sendt: {result.sent} ({result.opened} om åbnede trin, {result.overdue} om overskredne frister)."
        )
