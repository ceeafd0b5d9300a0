"""Print a personal "choose your password" link for every active user without one."""

from __future__ import annotations

from django.contrib.auth.tokens import default_token_generator
from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from botilbud.models import User


class Command(BaseCommand):
    help = "Skriver et personligt link til at vælge adgangskode for hver aktiv bruger uden adgangskode."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--base-url", required=True, help="Fx https://botilbud.kommune.dk")

    def handle(self, *args: object, **options: object) -> None:
        base = str(options["base_url"]).rstrip("/")
        users = User.objects.filter(is_active=True, password__startswith="!").order_by("username")
        for user in users:
            uid = urlsafe_base64_encode(force_bytes(user.pk))
            token = default_token_generator.make_token(user)
            path = reverse("onboarding:password_set", args=[uid, token])
            self.stdout.write(f"{user.username}\t{user.email or '-'}\t{base}{path}")
        self.stderr.write(f"{users.count()} brugere uden adgangskode.")
