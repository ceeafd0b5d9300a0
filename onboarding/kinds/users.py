"""The users file, until single sign-on arrives.

Columns: Brugernavn, Fornavn, Efternavn, E-mail, Rolle, Stilling, Botilbud
(the homes a manager runs or a consultant serves: cost centres or names,
comma-separated), Områder (the areas an area manager leads). A known user
name updates the user; a new one creates the user with an unusable
password: the file never carries passwords. The administrator then gives
each new user a personal link to choose a password ("Adgangskoder").
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.core.validators import validate_email

from botilbud.models import Area, Home, Role, User
from botilbud.permissions import can
from onboarding.framework import RowError, Staged, Target, capitalise, choice, split_list, too_long
from onboarding.models import ImportKind
from onboarding.reader import Column, SourceRow

ROLES: dict[str, str] = {}
for _role in Role:
    ROLES[_role.value] = _role.value
    ROLES[_role.label.lower()] = _role.value
ROLES.update(
    {
        "driftsleder": Role.HOME_MANAGER.value,
        "leder": Role.HOME_MANAGER.value,
        "områdeleder": Role.AREA_MANAGER.value,
        "konsulent": Role.CONSULTANT.value,
        "admin": Role.ADMIN.value,
    }
)
HOME_ROLES = {Role.HOME_MANAGER.value, Role.CONSULTANT.value}
USER_FIELDS = ("first_name", "last_name", "email", "role", "title")


class UsersKind:
    kind = ImportKind.USERS.value
    title = "Brugere"
    intro = (
        "Én række pr. bruger med rolle og tilknytning: botilbudsledere og økonomikonsulenter til botilbud "
        "(omkostningssted eller navn, adskilt med komma), områdeledere til områder. Filen indeholder aldrig "
        "adgangskoder: nye brugere får et personligt link til at vælge deres egen."
    )
    sample = "brugere.csv"
    amount_key: str | None = None
    columns = [
        Column("username", "Brugernavn", frozenset({"bruger", "brugerid", "initialer", "login"})),
        Column("first_name", "Fornavn", required=False),
        Column("last_name", "Efternavn", required=False),
        Column("email", "E-mail", frozenset({"email", "mail", "e-mailadresse"}), required=False),
        Column("role", "Rolle"),
        Column("title", "Stilling", required=False),
        Column("homes", "Botilbud", frozenset({"botilbud (omkostningssted)", "omkostningssteder"}), required=False),
        Column("areas", "Områder", frozenset({"område", "omraader"}), required=False),
    ]

    def may_import(self, user: User) -> bool:
        return can(user, "onboarding.use")

    def validate(self, rows: Iterable[SourceRow], user: User) -> Staged:
        homes_by_cc = dict(Home.objects.values_list("cost_centre", "cost_centre"))
        homes_by_name = {n.lower(): cc for n, cc in Home.objects.values_list("name", "cost_centre")}
        areas = {n.lower(): n for n in Area.objects.values_list("name", flat=True)}
        username_ok = UnicodeUsernameValidator()
        out = Staged()
        seen: dict[str, int] = {}
        for row in rows:
            out.in_file += 1
            reasons: list[str] = []
            username = row.get("username")
            if not username:
                reasons.append("Brugernavn mangler")
            else:
                try:
                    username_ok(username)
                except ValidationError:
                    reasons.append(f"Brugernavnet »{username}« må kun have bogstaver, tal og @ . + - _")
                if err := too_long(username, "Brugernavnet", 150):
                    reasons.append(err)
                if username.lower() in seen:
                    reasons.append(f"Brugernavnet »{username}« står også i linje {seen[username.lower()]}")
                seen.setdefault(username.lower(), row.line)
                if username.lower() == user.username.lower():
                    reasons.append("Du kan ikke ændre din egen bruger ved en indlæsning")
            for key, label, limit in (("first_name", "Fornavnet", 150), ("last_name", "Efternavnet", 150)):
                if err := too_long(row.get(key), label, limit):
                    reasons.append(err)
            email = row.get("email")
            if email:
                try:
                    validate_email(email)
                except ValidationError:
                    reasons.append(f"E-mailadressen »{email}« er ikke gyldig")
            role, err = choice(row.get("role"), "Rollen", ROLES, [r.label for r in Role])
            if err:
                reasons.append(err)
            if err := too_long(row.get("title"), "Stillingen", 120):
                reasons.append(err)
            home_ccs: list[str] = []
            for part in split_list(row.get("homes")):
                cc = homes_by_cc.get(part) or homes_by_name.get(part.lower())
                if cc is None:
                    reasons.append(f"Botilbuddet »{part}« findes ikke (indlæs områder og botilbud først)")
                elif cc not in home_ccs:
                    home_ccs.append(cc)
            if home_ccs and role and role not in HOME_ROLES:
                reasons.append("Kun botilbudsledere og økonomikonsulenter knyttes til botilbud")
            area_names: list[str] = []
            for part in split_list(row.get("areas")):
                name = areas.get(part.lower())
                if name is None:
                    reasons.append(f"Området »{part}« findes ikke")
                elif name not in area_names:
                    area_names.append(name)
            if area_names and role and role != Role.AREA_MANAGER:
                reasons.append("Kun områdeledere knyttes til områder")
            if reasons:
                out.errors.append(RowError(row.line, [capitalise(r) for r in reasons]))
                continue
            out.rows.append(
                (
                    row.line,
                    {
                        "username": username,
                        "first_name": row.get("first_name"),
                        "last_name": row.get("last_name"),
                        "email": email,
                        "role": role,
                        "title": row.get("title"),
                        "homes": home_ccs,
                        "areas": area_names,
                    },
                )
            )
        return out

    def _existing(self, staged: list[dict[str, Any]]) -> dict[str, User]:
        names = [d["username"] for d in staged]
        return {
            u.username.lower(): u
            for u in User.objects.filter(username__in=names).prefetch_related(
                "managed_homes", "consulted_homes", "managed_areas"
            )
        }

    @staticmethod
    def _links(user: User) -> tuple[list[str], list[str], list[str]]:
        return (
            sorted(h.cost_centre for h in user.managed_homes.all()),
            sorted(h.cost_centre for h in user.consulted_homes.all()),
            sorted(a.name for a in user.managed_areas.all()),
        )

    @staticmethod
    def _wanted(d: dict[str, Any]) -> tuple[list[str], list[str], list[str]]:
        homes = sorted(d["homes"])
        return (
            homes if d["role"] == Role.HOME_MANAGER else [],
            homes if d["role"] == Role.CONSULTANT else [],
            sorted(d["areas"]),
        )

    def _differs(self, user: User, d: dict[str, Any]) -> bool:
        if any(getattr(user, f) != d[f] for f in USER_FIELDS) or not user.is_active:
            return True
        return self._links(user) != self._wanted(d)

    def plan(self, staged: list[dict[str, Any]], user: User) -> list[Target]:
        existing = self._existing(staged)
        users = Target("users", "Brugere")
        links = Target("links", "Tilknytninger til botilbud og områder")
        for d in staged:
            old = existing.get(d["username"].lower())
            if old is None:
                users.create += 1
            elif self._differs(old, d):
                users.update += 1
            else:
                users.unchanged += 1
            n = len(d["homes"]) + len(d["areas"])
            if old is None or self._differs(old, d):
                links.create += n
            else:
                links.unchanged += n
        return [users, links]

    def write(self, staged: list[dict[str, Any]], user: User) -> dict[str, tuple[int, Decimal | None]]:
        existing = self._existing(staged)
        homes = {h.cost_centre: h for h in Home.objects.all()}
        areas = {a.name: a for a in Area.objects.all()}
        written = links = 0
        for d in staged:
            obj = existing.get(d["username"].lower())
            if obj is not None and not self._differs(obj, d):
                continue
            if obj is None:
                obj = User(username=d["username"])
                obj.set_unusable_password()
            else:
                obj.version += 1
            for f in USER_FIELDS:
                setattr(obj, f, d[f])
            obj.is_active = True
            # The administrator role runs the admin site (as in the demo).
            obj.is_staff = obj.is_superuser = d["role"] == Role.ADMIN
            obj.save()
            written += 1
            linked = [homes[cc] for cc in d["homes"]]
            obj.managed_homes.set(linked if d["role"] == Role.HOME_MANAGER else [])
            obj.consulted_homes.set(linked if d["role"] == Role.CONSULTANT else [])
            obj.managed_areas.set([areas[n] for n in d["areas"]])
            links += len(linked) + len(d["areas"])
        return {"users": (written, None), "links": (links, None)}


USERS = UsersKind()
