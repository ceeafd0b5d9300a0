"""Write docs/permissions.md, the role × permission table, from botilbud/permissions.py."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from botilbud.permissions import role_table

DOC = Path(settings.BASE_DIR) / "docs" / "permissions.md"


class Command(BaseCommand):
    help = "Write docs/permissions.md from botilbud/permissions.py (--check: fail if it is out of date)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--check", action="store_true", help="only check; exit 1 when the file differs")

    def handle(self, *args: Any, check: bool = False, **options: Any) -> None:
        table = role_table()
        if check:
            if not DOC.exists() or DOC.read_text(encoding="utf-8") != table:
                raise CommandError(f"{DOC} is out of date: run python manage.py permissions_doc")
            return
        DOC.write_text(table, encoding="utf-8")
        self.stdout.write(f"Wrote {DOC}")
