"""The one entry point that serves Botilbud, locally and in docker-compose.

Migrates (unless ``--no-migrate``: compose migrates once per deploy in its own
service), collects static files, optionally loads the demo municipality when
the database is empty, optionally starts a procrastinate worker beside the web
server (``--with-worker``: ``python3 dev.py run``; compose runs its own worker
service), then replaces itself with gunicorn.

With ``--with-worker`` the process ids go to ``.run/web.pid`` and
``.run/worker.pid``, so ``python3 dev.py stop`` stops both. The worker is in
the same process group, so Ctrl+C in the terminal stops it with the server.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from botilbud.management.commands.seed_demo import print_logins
from botilbud.models import Home

DEMO_YEARS = 7


def local_base_url(bind: str) -> str | None:
    """The address for links in e-mails when ``BOTILBUD_BASE_URL`` is not set: the host and port
    ``serve`` binds, unless it binds every interface (then nobody knows the public name)."""

    if os.environ.get("BOTILBUD_BASE_URL") or bind.startswith(("0.0.0.0", "[::]", "unix:")):
        return None
    return f"http://{bind}"


class Command(BaseCommand):
    help = "Migrerer databasen og starter Botilbud under gunicorn."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--bind", default=os.environ.get("BOTILBUD_BIND", "127.0.0.1:8000"))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_CONCURRENCY", "3")))
        parser.add_argument("--demo", action="store_true", help="Opret demokommunen, hvis databasen er tom.")
        parser.add_argument("--scale", default="small", choices=["small", "medium", "large"])
        parser.add_argument(
            "--no-migrate", action="store_true", help="Migrér ikke (compose gør det én gang pr. udrulning)."
        )
        parser.add_argument(
            "--with-worker", action="store_true", help="Start også en worker til baggrundsjob (eksporter, daglige job)."
        )
        parser.add_argument(
            "--empty",
            action="store_true",
            help="Ingen demodata: kun referencedata og én administrator (til at indlæse en rigtig kommune).",
        )

    def handle(self, *args: object, **options: object) -> None:
        bind = str(options["bind"])
        base_url = local_base_url(bind)
        if base_url:
            # The reminder e-mails' links (the demo's, the worker's) point at the port we serve.
            os.environ["BOTILBUD_BASE_URL"] = settings.BOTILBUD_BASE_URL = base_url
        if not options["no_migrate"]:
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
        if options["with_worker"]:
            self._start_worker()
        os.execv(gunicorn, argv)

    def _start_worker(self) -> None:
        run_dir = Path(settings.BASE_DIR) / ".run"
        run_dir.mkdir(exist_ok=True)
        worker = subprocess.Popen(  # noqa: S603 - our own manage.py
            [sys.executable, "manage.py", "procrastinate", "worker", "--concurrency", "2"], cwd=settings.BASE_DIR
        )
        (run_dir / "worker.pid").write_text(f"{worker.pid}\n")
        # gunicorn replaces this process and keeps its pid.
        (run_dir / "web.pid").write_text(f"{os.getpid()}\n")
        self.stdout.write(f"Worker til baggrundsjob startet (pid {worker.pid}).")
