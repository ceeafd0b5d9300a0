"""The record of processing activities (GDPR art. 30) for the administrator.

What is generated, so it cannot drift from the code:

- the **data** of each activity: its models' fields (verbose names) read
  from ``_meta``, the number of rows stored now, and whether the model has
  an audit trail (a pghistory event model);
- the **recipients**: for every role, the scope the real access rules give
  (``Home.objects.visible_to``, and visitation's ``Placement.objects.visible_to``
  and ``sees_case_numbers``, evaluated for an in-memory user of that role
  without touching the database), with the number of active users per role;
- **retention** and **security measures** from the settings in force.

What is written by hand is what code cannot know: each activity's purpose
and legal basis, in Danish. ``tests/hardening/test_dataprotection.py`` fails
when a model holds personal data (a field like a case number, initials, a
name, an e-mail or an IP address, or a link to a citizen) that no activity
lists.

Each app describes the data it keeps in its own ``<app>/dataprotection.py``
and registers it from its ``wiring.py`` (this module imports no app above
botilbud): ``register_activity`` (visitation's placements, disponering's
ledger, budget.rates' settlement; the users' activity is here),
``register_scope`` (who sees an activity's rows: "homes" and "admin" here,
"placements" by visitation), ``register_person_model`` (the citizen: a link
to it is personal data) and ``register_section`` (the retention job's dry run
and runs, from visitation).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models
from django.db.models import Count
from pghistory.models import Event

from botilbud.http import AuthenticatedHttpRequest
from botilbud.models import Home, Role, User
from botilbud.permissions import can

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


# --- What each app registers (from its ``wiring.py``) ----------------------------------
# Each app describes the personal data it keeps itself, so this module imports
# no app above botilbud (data flows botilbud ← visitation ← disponering ← budget).


@dataclass(frozen=True)
class RecipientScope:
    """Who sees an activity's data, per role, by the real access rules.

    ``reach(user)``: "alle", "egne" or "ingen" for an in-memory user of the
    role (``scope_of`` turns the access rule's queryset into one of them);
    ``own``: how "egne" reads; ``detail(user)``: what of it the role sees."""

    reach: Callable[[User], str]
    own: str
    detail: Callable[[User], str] = lambda user: ""


@dataclass(frozen=True)
class Section:
    """A section of the page after the security measures (the retention job's)."""

    anchor: str
    title: str
    template: str
    context: Callable[[AuthenticatedHttpRequest], dict[str, Any]]


_activities: dict[str, tuple[int, Callable[[], Activity]]] = {}
_scopes: dict[str, RecipientScope] = {}
_person_models: list[type[models.Model]] = []
_sections: list[Section] = []


def register_activity(key: str, order: int, factory: Callable[[], Activity]) -> None:
    """Add the activity ``key`` (the page lists them by ``order``). A factory,
    so each call reads the settings in force (the retention years)."""
    _activities[key] = (order, factory)


def register_scope(name: str, scope: RecipientScope) -> None:
    """The scope an activity names in ``Activity.scope``."""
    _scopes[name] = scope


def register_person_model(model: type[models.Model]) -> None:
    """A model that identifies a person: a link to it is personal data."""
    if model not in _person_models:
        _person_models.append(model)


def register_section(new: Section) -> None:
    if all(s.anchor != new.anchor for s in _sections):
        _sections.append(new)


def sections() -> list[Section]:
    return list(_sections)


def activities() -> list[Activity]:
    return [factory() for _order, factory in sorted(_activities.values(), key=lambda item: item[0])]


def _users_activity() -> Activity:
    """Users, access and logins (the project's own)."""
    return Activity(
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
    )


register_activity("users", 90, _users_activity)


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except LookupError:
        return None


def _tracked_models() -> set[type[models.Model]]:
    return {
        tracked
        for m in apps.get_models()
        if issubclass(m, Event) and (tracked := getattr(m, "pgh_tracked_model", None)) is not None
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


def scope_of(queryset: models.QuerySet[Any]) -> str:
    """ "alle", "egne" or "ingen", from the queryset the access rule builds."""
    if queryset.query.is_empty():
        return "ingen"
    return "egne" if queryset.query.where else "alle"


register_scope("homes", RecipientScope(reach=lambda user: scope_of(Home.objects.visible_to(user)), own="Egne botilbud"))
register_scope(
    "admin",
    RecipientScope(
        reach=lambda user: "alle" if can(user, "botilbud.use_admin") else "ingen",
        own="Egne",
        detail=lambda user: "i administrationen" if can(user, "botilbud.use_admin") else "",
    ),
)


def _role_user(role: str) -> User:
    # In memory only: a pk lets the access rules build their (lazy) filters.
    return User(pk=0, role=role, is_active=True, username=f"rolle-{role}")


def recipients(scope: str) -> list[dict[str, Any]]:
    """Per role: what the real access rules let it see in this activity."""

    rule = _scopes[scope]
    active = dict(User.objects.filter(is_active=True).values("role").annotate(n=Count("pk")).values_list("role", "n"))
    rows = []
    for role in Role:
        user = _role_user(role.value)
        reach = rule.reach(user)
        label = {"alle": "Alle", "egne": rule.own, "ingen": "Ingen adgang"}[reach]
        rows.append(
            {
                "role": role.label,
                "sees": reach != "ingen",
                "reach": label,
                "detail": rule.detail(user) if reach != "ingen" else "",
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
    listed = activities()
    for activity in listed:
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
        "activities": listed,
        "security": security_measures(),
        "retention_years": settings.BOTILBUD_RETENTION_YEARS,
    }


def personal_models() -> set[type[models.Model]]:
    """Models that hold personal data: a personal field, or a link to a person
    (a model registered with ``register_person_model``: the citizen)."""

    persons = set(_person_models)
    found = set()
    for model in apps.get_models():
        if model._meta.proxy or model.__module__.startswith(("pghistory", "django.contrib")):
            continue
        if getattr(model, "pgh_tracked_model", None) is not None:
            continue  # an audit event: covered with the model it tracks
        for f in model._meta.concrete_fields:
            if f.name in PERSONAL_FIELD_NAMES or (f.is_relation and f.related_model in persons):
                found.add(model)
    return found


def listed_models() -> set[type[models.Model]]:
    return {m for a in activities() for label in a.models if (m := _model(label)) is not None}
