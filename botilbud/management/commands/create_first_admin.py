"""One administrator for an empty database, with a printed one-time password.

``manage.py serve --empty`` (``python3 dev.py run --empty``) calls this. If an
administrator exists already, nothing is created; the command says so.
"""

from __future__ import annotations

import secrets

from django.core.management.base import BaseCommand, CommandParser

from botilbud.models import Role, User


class Command(BaseCommand):
    help = "Opretter den første administrator i en tom database og skriver adgangskoden ud."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default="admin")

    def handle(self, *args: object, **options: object) -> None:
        if User.objects.filter(role=Role.ADMIN, is_active=True).exists():
            names = ", ".join(User.objects.filter(role=Role.ADMIN, is_active=True).values_list("username", flat=True))
            self.stdout.write(f"Databasen har allerede en administrator ({names}); der oprettes ingen ny.")
            return
        password = secrets.token_urlsafe(12)
        User.objects.create_user(
            username=str(options["username"]),
            password=password,
            role=Role.ADMIN,
            is_staff=True,
            is_superuser=True,
        )
        self.stdout.write(
            self.style.SUCCESS(
                f"\nTom database: én administrator er oprettet.\n  Brugernavn: {options['username']}\n"
                f"  Adgangskode: {password}\n  (skift den under Administration; start på siden Kom i gang)\n"
            )
        )
