"""The record of processing activities (GDPR art. 30) for the administrator.

What is generated, so it cannot drift from the code:

- the **data** of each activity: its models' fields (verbose names) read
  from ``_meta``, the number of rows stored now, and whether the model has
  an audit trail (a pghistory event model);
- the **recipients**: for every role, the scope the real access rules give
  (``Home.objects.visible_to`` and ``Placement.objects.visible_to``,
  evaluated for an in-memory user of that role without touching the
  database; ``sees_case_numbers``), with the number of active users per role;
- **retention** and **security measures** from the settings in force.

What is written by hand is what code cannot know: each activity's purpose
and legal basis, in Danish. ``tests/hardening/test_dataprotection.py`` fails
when a model holds personal data (a field like a case number, initials, a
name, an e-mail or an IP address, or a link to a citizen) that no activity
lists.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Count
from pghistory.models import Event

from botilbud.models import Home, Role, User
from visitation.models import Citizen, Placement, sees_case_numbers

# Field names that are personal data wherever they appear.
PERSONAL_FIELD_NAMES = {
    "case_number",
    "initials",
    "birth_year",
    "first_name",
    "last_name",
    "email",
    "username",
    "ip_address",
    "user_agent",
}


@dataclass
class Activity:
    key: str
    name: str
    purpose: str
    legal_basis: str
    persons: list[str]
    models: list[str]  # "app_label.ModelName"
    scope: str  # "placements" | "homes" | "admin"
    retention: str = ""
    # Filled by ``record()``:
    data: list[dict[str, Any]] = field(default_factory=list)
    recipients: list[dict[str, Any]] = field(default_factory=list)


def _activities() -> list[Activity]:
    years = settings.BOTILBUD_RETENTION_YEARS
    return [
        Activity(
            key="visitation",
            name="Visitation, bevillinger og opfølgning",
            purpose=(
                "Sagsbehandling af borgeres ophold i botilbud: indstilling, afgørelse efter kompetence, "
                "opfølgning og ophør, og styring af udgifterne til bevillingerne."
            ),
            legal_basis="Databeskyttelsesforordningen art. 6, stk. 1, litra e, og art. 9, stk. 2, litra b og h; serviceloven.",
            persons=["Borgere med en bevilling (identificeret ved sagsnummer og initialer, aldrig CPR-nummer)"],
            models=[
                "visitation.Citizen",
                "visitation.Placement",
                "visitation.Decision",
                "visitation.PlacementChange",
                "visitation.FollowUp",
                "visitation.RetentionItem",
                "botilbud.Job",
            ],
            scope="placements",
            retention=(
                f"Anonymiseres {years} år efter borgerens sidste bevilling ophørte (sletteregel nedenfor); "
                "beløbene bevares. En eksport (baggrundsjob) kan kun hentes af den, der bestilte den, og slettes "
                f"{settings.BOTILBUD_JOB_KEEP_HOURS} timer efter."
            ),
        ),
        Activity(
            key="settlement",
            name="Mellemkommunal afregning og refusion",
            purpose=(
                "Afregning med betalingskommuner for solgte pladser og beregning af statsrefusion for særligt dyre "
                "enkeltsager (kun fødselsåret bruges)."
            ),
            legal_basis="Databeskyttelsesforordningen art. 6, stk. 1, litra c og e; serviceloven og retssikkerhedsloven.",
            persons=["Borgere fra andre kommuner i vores botilbud", "Egne borgere med dyre enkeltsager"],
            models=["rates.StatementLine"],
            scope="homes",
            retention=f"Afregningslinjernes sagsnummer og initialer anonymiseres med borgeren efter {years} år; beløb og dage bevares.",
        ),
        Activity(
            key="economy",
            name="Budget, disponering og budgetopfølgning",
            purpose=(
                "Styring af botilbuddenes økonomi: forventede ændringer (fx en medarbejders barsel eller en "
                "borgers indflytning), budgetopfølgning og prognoser."
            ),
            legal_basis="Databeskyttelsesforordningen art. 6, stk. 1, litra e (kommunens økonomistyring).",
            persons=[
                "Medarbejdere på botilbuddene (initialer eller stilling i en disponeringspost)",
                "Borgere (initialer i genererede indtægtsposter)",
            ],
            models=["disponering.LedgerEntry"],
            scope="homes",
            retention=(
                f"Poster fra en bevilling mister borgerens initialer og kommentar med borgeren efter {years} år; "
                "øvrige poster følger kommunens regler for regnskabsmateriale."
            ),
        ),
        Activity(
            key="users",
            name="Brugere, adgang og logins",
            purpose=(
                "Adgangsstyring: hvem der må se hvilke botilbud, beskyttelse mod gætte-angreb på adgangskoder og "
                "sporbarhed af hvem der har gjort hvad."
            ),
            legal_basis="Databeskyttelsesforordningen art. 6, stk. 1, litra c og e, og art. 32 (sikkerhed).",
            persons=["Kommunens medarbejdere med en brugerkonto"],
            models=[
                "botilbud.User",
                "axes.AccessAttempt",
                "axes.AccessLog",
                "axes.AccessFailureLog",
                "sso.ExternalIdentity",
                "onboarding.StagedRow",
            ],
            scope="admin",
            retention=(
                "Brugere deaktiveres (slettes ikke), så revisionssporet bevarer navnet. Loginforsøg gemmes, til "
                "administratoren fjerner dem; mislykkede logins fra en IP-adresse tæller kun i "
                f"{settings.BOTILBUD_LOGIN_IP_WINDOW_MINUTES} minutter. Sessioner udløber efter "
                f"{settings.SESSION_COOKIE_AGE // 60} minutters inaktivitet."
            ),
        ),
    ]


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _tracked_models() -> set[type[models.Model]]:
    return {
        m.pgh_tracked_model
        for m in apps.get_models()
        if issubclass(m, Event) and getattr(m, "pgh_tracked_model", None) is not None
    }


# django-axes ships no Danish: its models' and fields' names in Danish.
THIRD_PARTY_NAMES = {
    "axes.AccessAttempt": "Loginforsøg (til spærring)",
    "axes.AccessLog": "Log over logins",
    "axes.AccessFailureLog": "Mislykkede logins",
}
THIRD_PARTY_FIELDS = {
    "user_agent": "browser (user agent)",
    "ip_address": "IP-adresse",
    "username": "brugernavn",
    "http_accept": "browserens sprog og formater",
    "path_info": "sti",
    "attempt_time": "tidspunkt",
    "get_data": "GET-data",
    "post_data": "POST-data (uden adgangskode)",
    "failures_since_start": "antal fejl",
    "logout_time": "log ud-tidspunkt",
    "session_hash": "sessionens hash",
    "locked_out": "spærret",
}


def _fields(model: type[models.Model]) -> list[str]:
    third_party = model._meta.app_label == "axes"
    names = []
    for f in model._meta.concrete_fields:
        if f.name in ("id", "version") or getattr(f, "primary_key", False):
            continue
        if f.name in ("password",):
            names.append("adgangskode (kun som hash)")
            continue
        names.append(THIRD_PARTY_FIELDS.get(f.name, str(f.verbose_name)) if third_party else str(f.verbose_name))
    return names


def _scope_of(queryset: models.QuerySet) -> str:
    """ "alle", "egne" or "ingen", from the queryset the access rule builds."""
    if queryset.query.is_empty():
        return "ingen"
    return "egne" if queryset.query.where else "alle"


def _role_user(role: str) -> User:
    # In memory only: a pk lets the access rules build their (lazy) filters.
    return User(pk=0, role=role, is_active=True, username=f"rolle-{role}")


def recipients(scope: str) -> list[dict[str, Any]]:
    """Per role: what the real access rules let it see in this activity."""

    active = dict(User.objects.filter(is_active=True).values("role").annotate(n=Count("pk")).values_list("role", "n"))
    rows = []
    for role in Role:
        user = _role_user(role.value)
        if scope == "placements":
            reach = _scope_of(Placement.objects.visible_to(user))
            detail = "sagsnummer og initialer" if sees_case_numbers(user) else "kun initialer"
        elif scope == "homes":
            reach = _scope_of(Home.objects.visible_to(user))
            detail = ""
        else:
            reach = "alle" if role == Role.ADMIN else "ingen"
            detail = "i administrationen" if role == Role.ADMIN else ""
        label = {
            "alle": "Alle",
            "egne": "Egne botilbud" if scope != "admin" else "Egne",
            "ingen": "Ingen adgang",
        }[reach]
        if scope == "placements" and reach == "egne":
            label = "Bevillinger i egne botilbud"
        rows.append(
            {
                "role": role.label,
                "sees": reach != "ingen",
                "reach": label,
                "detail": detail if reach != "ingen" else "",
                "users": active.get(role.value, 0),
            }
        )
    return rows


def security_measures() -> list[str]:
    tracked = len(_tracked_models())
    ip_limit = settings.BOTILBUD_LOGIN_IP_FAILURE_LIMIT
    measures = [
        "Adgang efter rolle og botilbud: hver side starter fra de data, brugeren må se; andres botilbud giver 404.",
        f"Revisionsspor på {tracked} datatyper (hvem, hvornår, før og efter – også sletninger) i databasen.",
        f"En konto spærres efter {settings.AXES_FAILURE_LIMIT} forkerte adgangskoder, til administratoren låser op"
        + (
            f"; en IP-adresse efter {ip_limit} forkerte logins inden for {settings.BOTILBUD_LOGIN_IP_WINDOW_MINUTES} minutter."
            if ip_limit
            else "."
        ),
        f"Automatisk log-ud efter {settings.SESSION_COOKIE_AGE // 60} minutters inaktivitet (delte pc'er).",
        "Sider og downloads sendes med Cache-Control: private, no-store (gemmes ikke i browserens cache).",
        "CPR-lignende numre afvises i sagsnumre og al fritekst; alle tekstfelter har en største længde.",
        "Streng Content-Security-Policy (ingen inline-scripts); formler i Excel-eksporter neutraliseres.",
        "Mislykkede logins, spærringer og afviste adgange skrives i en sikkerhedslog.",
        "Natlig databasebackup (pg_dump) med en afprøvet gendannelse (README: Backup and restore).",
    ]
    if getattr(settings, "SESSION_COOKIE_SECURE", False):
        measures.append("Kun HTTPS: sikre cookies og HSTS.")
    return measures


def record() -> dict[str, Any]:
    """The whole record, ready for the template (a bounded number of queries)."""
    tracked = _tracked_models()
    activities = _activities()
    for activity in activities:
        for label in activity.models:
            model = _model(label)
            if model is None:
                continue
            activity.data.append(
                {
                    "name": THIRD_PARTY_NAMES.get(label, str(model._meta.verbose_name_plural).capitalize()),
                    "fields": _fields(model),
                    "rows": model._default_manager.count(),
                    "audited": model in tracked,
                }
            )
        activity.recipients = recipients(activity.scope)
    return {
        "controller": settings.MUNICIPALITY_NAME,
        "activities": activities,
        "security": security_measures(),
        "retention_years": settings.BOTILBUD_RETENTION_YEARS,
    }


def personal_models() -> set[type[models.Model]]:
    """Models that hold personal data: a personal field, or a link to a citizen."""

    found = set()
    for model in apps.get_models():
        if model._meta.proxy or model.__module__.startswith(("pghistory", "django.contrib")):
            continue
        if getattr(model, "pgh_tracked_model", None) is not None:
            continue  # an audit event: covered with the model it tracks
        for f in model._meta.concrete_fields:
            if f.name in PERSONAL_FIELD_NAMES or (f.is_relation and f.related_model is Citizen):
                found.add(model)
    return found


def listed_models() -> set[type[models.Model]]:
    return {m for a in _activities() for label in a.models if (m := _model(label)) is not None}
