"""The audit trail as users read it: who changed what, when, before → after.

The rows are written by django-pghistory's Postgres triggers (so bulk updates
and imports are caught too); this module turns them into Danish text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from pghistory.models import Events

from botilbud.lib.money import format_number
from botilbud.models import Area, AreaManagerAccess, Home, HomeConsultantAccess, HomeManagerAccess

HIDDEN_FIELDS = {"version", "id", "password", "last_login"}
# Writes without a signed-in user name their source in the audit context.
SOURCES = {"seed_demo": "Demodata (seed_demo)", "sso": "Login med kommunens konto (grupper)"}


def _field_map(model: type[models.Model]) -> dict[str, models.Field]:
    return {f.attname: f for f in model._meta.concrete_fields}


def _display(field: models.Field | None, value: Any, related: dict[tuple[str, Any], str]) -> str:
    if value is None or value == "":
        return "—"
    if field is None:
        return str(value)
    if field.is_relation:
        return related.get((field.name, value), f"#{value}")
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if isinstance(field, models.BooleanField):
        return "ja" if value else "nej"
    if isinstance(field, models.DecimalField):
        return format_number(Decimal(str(value)), field.decimal_places)
    if isinstance(field, models.DateTimeField):
        parsed = dt.datetime.fromisoformat(str(value))
        if timezone.is_aware(parsed):
            parsed = timezone.localtime(parsed)  # the trail stores UTC; people read Copenhagen time
        return f"{parsed:%d-%m-%Y %H:%M}"
    if isinstance(field, models.DateField):
        return f"{dt.date.fromisoformat(str(value)[:10]):%d-%m-%Y}"
    return str(value)


ACTIONS = {"insert": "Oprettet", "update": "Ændret", "delete": "Slettet"}


def _context(event: Any) -> dict[str, Any]:
    """The audit context as a dict: JSON on the aggregate ``Events`` rows, a
    ``Context`` row on a concrete event model."""
    context = event.pgh_context
    if context is None:
        return {}
    if isinstance(context, dict):
        return context
    return context.metadata or {}


def _who(context: dict[str, Any], users: dict[int, str]) -> str:
    user_id: Any = context.get("user")
    source: Any = context.get("source")
    return users.get(user_id) or SOURCES.get(source, "System (import/automatik)")


def _users_for(events: list[Any]) -> dict[int, str]:
    user_ids: set[Any] = {_context(e).get("user") for e in events} - {None}
    return {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=user_ids)}


def _related_names(fields: dict[str, models.Field], datas: list[dict[str, Any]]) -> dict[tuple[str, Any], str]:
    """Names of the foreign keys that appear in the data, one query per field."""
    related: dict[tuple[str, Any], str] = {}
    for attname, field in fields.items():
        if field.is_relation and field.related_model is not None and attname not in HIDDEN_FIELDS:
            ids: set[Any] = {d.get(attname) for d in datas} - {None}
            if ids:
                for rel in field.related_model._default_manager.filter(pk__in=ids):
                    related[(field.name, rel.pk)] = str(rel)
    return related


def _rows(model: type[models.Model], events: list[Any], users: dict[int, str], subject: str = "") -> list[dict]:
    """Rows for one object's events in time order (oldest first)."""
    fields = _field_map(model)
    related = _related_names(fields, [e.pgh_data for e in events])
    rows = []
    previous: dict[str, Any] | None = None
    for event in events:
        data = event.pgh_data
        deleted = event.pgh_label == "delete"
        changes = []
        for attname, value in data.items():
            if attname in HIDDEN_FIELDS or attname.startswith("pgh_"):
                continue
            field = fields.get(attname)
            if deleted:
                # A delete shows what was removed, so the trail keeps it.
                if value in (None, ""):
                    continue
                changes.append(
                    {
                        "field": str(field.verbose_name) if field else attname,
                        "before": _display(field, value, related),
                        "after": "—",
                    }
                )
                continue
            before = None if previous is None else previous.get(attname)
            if previous is not None and before == value:
                continue
            if previous is None and value in (None, ""):
                continue
            changes.append(
                {
                    "field": str(field.verbose_name) if field else attname,
                    "before": "" if previous is None else _display(field, before, related),
                    "after": _display(field, value, related),
                }
            )
        label = event.pgh_label if event.pgh_label in ACTIONS else ("insert" if previous is None else "update")
        rows.append(
            {
                "when": event.pgh_created_at,
                "who": _who(_context(event), users),
                "action": ACTIONS[label],
                "subject": subject,
                "changes": changes,
                "version": data.get("version"),
            }
        )
        previous = data
    return rows


def object_history(
    obj: models.Model, limit: int = 500, children: list[tuple[type[models.Model], str]] | None = None
) -> list[dict[str, Any]]:
    """The object's events, newest first, each with its changed fields.

    ``children`` adds the events of dependent objects, also deleted ones
    (e.g. a follow-up's action-plan items: ``[(Action, "followup_id")]``);
    their rows name the child ("Handling: …").

    Runs a fixed number of queries: the events, the users, and one per
    foreign key field that changed (per child model: its events too).
    """
    model = type(obj)
    events = list(Events.objects.tracks(obj).order_by("pgh_created_at", "pgh_id")[:limit])
    child_events: list[tuple[type[models.Model], dict[Any, list[Any]]]] = []
    for child_model, fk_attname in children or []:
        event_model = pghistory_event_model(child_model)
        by_obj: dict[Any, list[Any]] = {}
        ev: Any  # an event row: pghistory's model, with its own fields (pgh_obj_id, pgh_data below)
        for ev in (
            event_model._default_manager.filter(**{fk_attname: obj.pk})
            .select_related("pgh_context")
            .order_by("pgh_created_at", "pgh_id")[:limit]
        ):
            ev.pgh_data = {f.attname: getattr(ev, f.attname) for f in child_model._meta.concrete_fields}
            by_obj.setdefault(ev.pgh_obj_id, []).append(ev)
        child_events.append((child_model, by_obj))

    users = _users_for(events + [e for _, by in child_events for evs in by.values() for e in evs])
    rows = _rows(model, events, users)
    for child_model, by_obj in child_events:
        name = str(child_model._meta.verbose_name).capitalize()
        for evs in by_obj.values():
            last = evs[-1]
            subject = f"{name}: {child_model(**last.pgh_data)}"
            rows.extend(_rows(child_model, evs, users, subject=subject))
    rows.sort(key=lambda r: r["when"])
    rows.reverse()
    return rows


def pghistory_event_model(model: type[models.Model]) -> type[models.Model]:
    """The event model pghistory made for ``model`` (``<Model>Event``)."""

    return apps.get_model(model._meta.app_label, f"{model._meta.object_name}Event")


def access_history(*, home: Any = None, user: Any = None, limit: int = 500) -> list[dict[str, Any]]:
    """ "Adgang": who was given or lost access to a home (or, for a user, to
    any home or area), when and by whom. Newest first. A fixed number of
    queries (one per access table, the names, the acting users)."""

    tables: list[tuple[type[models.Model], str, str]] = [
        (HomeManagerAccess, "home", "leder"),
        (HomeConsultantAccess, "home", "økonomikonsulent"),
        (AreaManagerAccess, "area", "områdeleder"),
    ]
    events: list[tuple[Any, str, str]] = []
    for proxy, target, role_label in tables:
        if home is not None and target != "home":
            continue
        qs = pghistory_event_model(proxy)._default_manager.select_related("pgh_context")
        if home is not None:
            qs = qs.filter(home_id=home.pk)
        if user is not None:
            qs = qs.filter(user_id=user.pk)
        events.extend((e, target, role_label) for e in qs.order_by("-pgh_created_at")[:limit])
    events.sort(key=lambda t: t[0].pgh_created_at, reverse=True)
    events = events[:limit]

    ids: set[Any] = {_context(e).get("user") for e, _, _ in events} | {e.user_id for e, _, _ in events}
    names = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=ids - {None})}
    home_names = dict(
        Home.objects.filter(pk__in={e.home_id for e, t, _ in events if t == "home"}).values_list("pk", "name")
    )
    area_names = dict(
        Area.objects.filter(pk__in={e.area_id for e, t, _ in events if t == "area"}).values_list("pk", "name")
    )
    rows = []
    for event, target, role_label in events:
        where = (
            home_names.get(event.home_id, f"botilbud #{event.home_id}")
            if target == "home"
            else f"området {area_names.get(event.area_id, f'#{event.area_id}')}"
        )
        rows.append(
            {
                "when": event.pgh_created_at,
                "who": _who(_context(event), names),
                "action": "Fik adgang" if event.pgh_label == "access.add" else "Mistede adgang",
                "user": names.get(event.user_id, f"bruger #{event.user_id}"),
                "role": role_label,
                "where": where,
            }
        )
    return rows


def changes_since(obj: models.Model, seen_version: int) -> list[dict[str, Any]]:
    """What others changed after the user loaded ``seen_version`` (for conflicts)."""
    result = []
    for row in reversed(object_history(obj)):
        if row["version"] is not None and row["version"] > seen_version:
            result.append(
                {
                    "who": row["who"],
                    "when": row["when"],
                    "fields": [f"{c['field']}: {c['before']} → {c['after']}" for c in row["changes"]],
                }
            )
    return result
