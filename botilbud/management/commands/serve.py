"""The one entry point that serves Botilbud, locally and in docker-compose.

Migrates, collects static files, optionally loads the demo municipality when
the database is empty, then replaces itself with gunicorn.
"""

from __future__ import annotations

import os
import shutil
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from botilbud.management.commands.seed_demo import print_logins
from botilbud.models import Home

DEMO_YEARS = 7


class Command(BaseCommand):
    help = "Migrerer databasen og starter Botilbud under gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BOTILBUD_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
        parser.add_argument("--demo", action="store_true", help="Opret demokommunen, hvis databasen er tom.")
        parser.add_argument("--scale", default="small", choices=["small", "medium", "large"])
        parser.add_argument(
            "--empty",
            action="store_true",
            help="Ingen demodata: kun referencedata og én administrator (til at indlæse en rigtig kommune).",
        )

    def handle(self, *args: object, **options: object) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        self.stdout.write("Databasen er migreret.")
        call_command("collectstatic", interactive=False, verbosity=0)
        if options["demo"]:
            if Home.objects.exists():
                self.stdout.write("Genbruger den eksisterende database.")
                print_logins(self.stdout)
            else:
                # Seven years: five closed years with carry-overs, last year
                # open for the consultant to close, and this year.
                call_command("seed_demo", scale=options["scale"], years=DEMO_YEARS, stdout=self.stdout)
        elif options["empty"]:
            call_command("create_first_admin", stdout=self.stdout)
        bind = str(options["bind"])
        self.stdout.write(self.style.SUCCESS(f"\nBotilbud kører på http://{bind}/  (stop med Ctrl+C)\n"))
        self.stdout.flush()
        gunicorn = shutil.which("gunicorn") or os.path.join(os.path.dirname(sys.executable), "gunicorn")
        argv = [
            gunicorn,
            "botilbud.wsgi:application",
            "--bind",
            bind,
            "--workers",
            str(options["workers"]),
            "--timeout",
            "120",
            "--access-logfile",
            "-",
            "--forwarded-allow-ips",
            os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
        ]
        if settings.DEBUG:
            argv.append("--reload")
        # DATABASE_URL is fixed now so the workers reuse the same server.
        os.environ.setdefault("DATABASE_URL", settings.DATABASE_URL)
        os.execv(gunicorn, argv)
