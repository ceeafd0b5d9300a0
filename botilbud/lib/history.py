"""The audit trail as users read it: who changed what, when, before → after.

The rows are written by django-pghistory's Postgres triggers (so bulk updates
and imports are caught too); this module turns them into Danish text.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from pghistory.models import Events

from botilbud.lib.money import format_number

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


def object_history(obj: models.Model, limit: int = 500) -> list[dict[str, Any]]:
    """The object's events, newest first, each with its changed fields.

    Runs a fixed number of queries: the events, the users, and one per
    foreign key field that changed.
    """
    model = type(obj)
    fields = _field_map(model)
    events = list(Events.objects.tracks(obj).order_by("pgh_created_at", "pgh_id")[:limit])

    user_ids = {(e.pgh_context or {}).get("user") for e in events} - {None}
    users = {u.pk: str(u) for u in get_user_model().objects.filter(pk__in=user_ids)}

    # Resolve foreign keys that appear in the data, one query per field.
    related: dict[tuple[str, Any], str] = {}
    for attname, field in fields.items():
        if field.is_relation and attname not in HIDDEN_FIELDS:
            ids = {e.pgh_data.get(attname) for e in events} - {None}
            if ids:
                for rel in field.related_model._default_manager.filter(pk__in=ids):
                    related[(field.name, rel.pk)] = str(rel)

    rows = []
    previous: dict[str, Any] | None = None
    for event in events:
        data = event.pgh_data
        changes = []
        for attname, value in data.items():
            if attname in HIDDEN_FIELDS or attname.startswith("pgh_"):
                continue
            before = None if previous is None else previous.get(attname)
            if previous is not None and before == value:
                continue
            if previous is None and value in (None, ""):
                continue
            field = fields.get(attname)
            changes.append(
                {
                    "field": str(field.verbose_name) if field else attname,
                    "before": "" if previous is None else _display(field, before, related),
                    "after": _display(field, value, related),
                }
            )
        context = event.pgh_context or {}
        rows.append(
            {
                "when": event.pgh_created_at,
                "who": users.get(context.get("user"))
                or SOURCES.get(context.get("source"), "System (import/automatik)"),
                "action": "Oprettet" if previous is None else "Ændret",
                "changes": changes,
                "version": data.get("version"),
            }
        )
        previous = data
    rows.reverse()
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
