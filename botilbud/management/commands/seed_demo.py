"""Create the demo municipality: ``manage.py seed_demo --scale small|medium|large``."""

from __future__ import annotations

import datetime as dt
import random
import time
from typing import Any

import pghistory
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connection, transaction

from botilbud.demo import DEMO_LOGINS, DEMO_PASSWORD, SCALES, DemoContext, seed_organisation
from botilbud.lib.bulk import ChangedTables, foreign_keys_checked_at_end
from botilbud.models import Home
from botilbud.registry import registry


class Command(BaseCommand):
    help = "Opretter demokommunen (områder, botilbud, brugere og hver app's data)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--today", help="Dato demoen bygges omkring (ÅÅÅÅ-MM-DD); standard er i dag.")
        parser.add_argument("--if-empty", action="store_true", help="Gør intet, hvis der allerede er data.")
        parser.add_argument("--years", type=int, default=5, help="Antal år med historik (standard 5).")

    def handle(self, *args: Any, **options: Any) -> None:
        if Home.objects.exists():
            if options["if_empty"]:
                self.stdout.write("Databasen har allerede data; demodata oprettes ikke igen.")
                return
            raise CommandError("Databasen har allerede data. Brug en tom database (eller --if-empty).")
        today = dt.date.fromisoformat(str(options["today"])) if options["today"] else dt.date.today()
        years = int(options["years"])
        ctx = DemoContext(
            rng=random.Random(int(options["seed"])),
            scale=str(options["scale"]),
            today=today,
            years=list(range(today.year - years + 1, today.year + 1)),
        )
        started = time.monotonic()
        tables = sorted(connection.introspection.django_table_names(only_existing=True))
        # An explicit audit context: the history says the rows came from the
        # demo, and pghistory's trigger skips its exception path (one
        # subtransaction per audited row, which slows a large seed to a crawl).
        with transaction.atomic(), pghistory.context(source="seed_demo"):
            # Deferred constraints (Django makes every foreign key DEFERRABLE
            # INITIALLY DEFERRED) are checked at the end of each statement, not
            # at commit: a million queued deferred checks make PostgreSQL's
            # after-trigger bookkeeping at the end of every later statement with
            # row triggers (the audit trail's) slow. The foreign keys themselves
            # are checked once at the end (``foreign_keys_checked_at_end``).
            with connection.cursor() as cursor:
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            with foreign_keys_checked_at_end(tables):
                seed_organisation(ctx)
                changed = ChangedTables(tables)
                for _order, name, seeder in registry.demo_seeders:
                    step = time.monotonic()
                    seeder(ctx)
                    # Later seeders query what earlier ones wrote (the follow-up
                    # computes forecasts over a million actuals). Inside this one
                    # transaction autovacuum cannot see the new rows, so the
                    # planner would have no statistics; ANALYZE sees our own rows.
                    # Only the tables this step wrote so much that their statistics
                    # are off (autovacuum's rule; the others' are current), and only
                    # ours: a plain ANALYZE would also lock the shared system catalogs
                    # until this transaction commits.
                    written = changed.needing_statistics()
                    if written:
                        with connection.cursor() as cursor:
                            cursor.execute("ANALYZE " + ", ".join(connection.ops.quote_name(t) for t in written))
                    self.stdout.write(f"  {name}: {time.monotonic() - step:.1f} s")
        for line in ctx.log:
            self.stdout.write(f"  {line}")
        self.stdout.write(
            self.style.SUCCESS(f"Demokommune ({ctx.scale}) oprettet på {time.monotonic() - started:.1f} s.")
        )
        print_logins(self.stdout)


def print_logins(out) -> None:  # noqa: ANN001
    out.write("\nDemo-logins (kun demodata), adgangskode for alle: " + DEMO_PASSWORD)
    for username, role, *_ in DEMO_LOGINS:
        out.write(f"  {username:<16} {role.label}")
