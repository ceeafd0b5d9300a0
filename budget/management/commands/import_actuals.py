"""``manage.py import_actuals FILE [--month YYYY-MM] [--dry-run]``: the scheduled actuals import."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from botilbud.lib.money import format_kr
from budget import importer
from budget.models import ImportProfile
from budget.services import import_actuals


class Command(BaseCommand):
    help = "Indlæser forbrug (posteringer) fra økonomisystemets eksport (.csv eller .xlsx)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="Stien til filen (.csv eller .xlsx).")
        parser.add_argument("--month", help="Kun denne måned (åååå-mm); rækker uden dato får denne måned.")
        parser.add_argument("--dry-run", action="store_true", help="Kontrollér filen uden at skrive noget.")
        parser.add_argument("--profile", help="Importprofilens navn (fx »KMD Opus (SAP) posteringsudtræk«).")
        parser.add_argument(
            "--max-mb", type=int, default=None, help="Største filstørrelse i MB for planlagte kørsler (standard 50)."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(str(options["file"]))
        if not path.is_file():
            raise CommandError(f"Filen findes ikke: {path}")
        only_month = None
        if options["month"]:
            try:
                only_month = importer.month_from_text(str(options["month"]))
            except ValueError as exc:
                raise CommandError(str(exc)) from exc
        profile = None
        if options["profile"]:
            profile = ImportProfile.objects.filter(name=options["profile"]).first()
            if profile is None:
                names = ", ".join(ImportProfile.objects.values_list("name", flat=True))
                raise CommandError(f"Profilen »{options['profile']}« findes ikke. Der er: {names}.")
        started = time.monotonic()
        try:
            with path.open("rb") as stream:
                outcome = import_actuals(
                    stream=stream,
                    file_name=path.name,
                    user=None,
                    only_month=only_month,
                    mode="dry-run" if options["dry_run"] else "apply",
                    profile=profile,
                    max_upload_bytes=options["max_mb"] * 1024 * 1024 if options["max_mb"] else None,
                )
        except importer.ImportFileError as exc:
            raise CommandError(str(exc)) from exc
        stage = outcome.stage
        if not stage.ok:
            for err in stage.errors:
                self.stderr.write(f"Række {err.row}: {'; '.join(err.reasons)}")
            if stage.row_count == 0:
                raise CommandError("Filen har ingen rækker.")
            raise CommandError(
                f"Filen er afvist: {stage.bad_row_count} af {stage.row_count} rækker har fejl. Intet er indlæst."
            )
        for row in outcome.preview:
            self.stdout.write(
                f"  {row.cost_centre} {row.home_name}, {row.month:%m-%Y}: {row.rows} rækker, {format_kr(row.total)}"
                + (f" (erstatter {row.existing_rows} rækker)" if row.existing_rows else "")
            )
        elapsed = time.monotonic() - started
        if options["dry_run"]:
            self.stdout.write(
                self.style.SUCCESS(f"Kontrol OK: {stage.row_count} rækker ({elapsed:.1f} s). Intet skrevet.")
            )
        else:
            self.stdout.write(
                self.style.SUCCESS(
                    f"Indlæst {outcome.inserted} rækker, erstattet {outcome.replaced} ({elapsed:.1f} s)."
                )
            )
