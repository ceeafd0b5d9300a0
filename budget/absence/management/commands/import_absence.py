"""``manage.py import_absence FILE --profile NAME [--dry-run]``: the scheduled sickness-absence import."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from botilbud.lib.money import format_number
from budget.absence import services
from budget.absence.models import AbsenceProfile


class Command(BaseCommand):
    help = "Indlæser sygefravær fra løn- og personalesystemets fraværsudtræk (.csv, .txt eller .xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Stien til filen.")
        parser.add_argument("--profile", required=True, help="Fraværsprofilens navn.")
        parser.add_argument("--dry-run", action="store_true", help="Kontrollér filen uden at skrive noget.")

    def handle(self, *args: object, **options: object) -> None:
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"Filen findes ikke: {path}")
        profile = AbsenceProfile.objects.filter(name=options["profile"]).first()
        if profile is None:
            names = ", ".join(AbsenceProfile.objects.values_list("name", flat=True))
            raise CommandError(f"Profilen »{options['profile']}« findes ikke. Der er: {names}.")
        with transaction.atomic():
            with path.open("rb") as stream:
                staged = services.stage(stream, path.name, profile, None)
            if staged.file_error:
                raise CommandError(f"Filen er afvist: {staged.file_error} Intet er indlæst.")
            if not staged.ok:
                for line, reasons in staged.errors:
                    self.stderr.write(f"Linje {line}: {'; '.join(reasons)}")
                raise CommandError(
                    f"Filen er afvist: {staged.bad_row_count} af {staged.row_count} rækker har fejl. Intet er indlæst."
                )
            assert staged.batch is not None
            for r in staged.reconciliation:
                self.stdout.write(
                    f"  {r['cost_centre']} {r['home']}: {r['staged_rows']} rækker, "
                    f"{format_number(r['staged_hours'])} sygetimer"
                )
            if options["dry_run"]:
                transaction.set_rollback(True)
                self.stdout.write(self.style.SUCCESS(f"Kontrol OK: {staged.row_count} rækker. Intet skrevet."))
                return
            try:
                batch = services.confirm(staged.batch.pk, None)
            except services.AbsenceImportError as exc:
                raise CommandError(str(exc)) from exc
        self.stdout.write(
            self.style.SUCCESS(
                f"Indlæst: {batch.row_count} rækker, {format_number(batch.sick_hours)} sygetimer (import {batch.pk})."
            )
        )
