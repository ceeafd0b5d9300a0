"""The shipped import profiles (``budget.profiles.BUILTIN_PROFILES``) in the database.

Apart from ``budget.profiles``, which only parses and is model-free (``ImportProfile.read_options``
uses it, so it cannot import the models back).
"""

from __future__ import annotations

from typing import Any

from budget.models import ImportProfile
from budget.profiles import BUILTIN_PROFILES, OWN_LAYOUT


def ensure_builtin_profiles(model: Any = None) -> int:
    """Create the shipped profiles that are missing (``model``: a migration's historical model)."""
    model = model or ImportProfile
    created = 0
    fields = {f.name for f in model._meta.get_fields()}  # a migration's historical model may lack newer ones
    for spec in BUILTIN_PROFILES:
        defaults = {k: v for k, v in {**spec, "is_builtin": True}.items() if k in fields}
        _, new = model.objects.get_or_create(name=spec["name"], defaults=defaults)
        created += new
    return created


def own_layout_profile() -> Any:
    """The shipped profile of the app's own layout (every import without a chosen profile goes through it)."""

    profile = ImportProfile.objects.filter(own_layout=True).order_by("pk").first()
    if profile is None:
        ensure_builtin_profiles()
        profile = ImportProfile.objects.filter(own_layout=True).order_by("pk").first()
    if profile is None:  # a consultant's profile took the shipped name: ship it under another
        spec = {**BUILTIN_PROFILES[0], "name": f"{OWN_LAYOUT} (appens eget format)"}
        profile, _ = ImportProfile.objects.get_or_create(name=spec["name"], defaults={**spec, "is_builtin": True})
    return profile
